"""Every exception recassist raises on purpose.

Configuration errors (the user must change a setting or a file) are kept apart from runtime errors
(something the app met while running). Each message says what went wrong and what to do.
"""

from __future__ import annotations


class RecassistError(Exception):
    """Base of every error recassist raises on purpose."""


class ConfigError(RecassistError):
    """A setting or a configuration file is wrong; the message names it."""


class InputFileError(RecassistError):
    """An input file cannot be used; names the file and, where known, the row and the field.

    `row` is the 1-based data row (the header is not counted); for text files `line` is the line in the
    file as an editor shows it.
    """

    def __init__(
        self,
        file: str,
        reason: str,
        *,
        row: int | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file, self.reason, self.row, self.field, self.line = file, reason, row, field, line
        where = [file]
        if row is not None:
            where.append(f"row {row}" + (f" (line {line})" if line is not None else ""))
        elif line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {reason}")


class DatasetNotFoundError(RecassistError):
    """The named data set has not been imported into the data directory."""


class FetchError(RecassistError):
    """A data set or model could not be fetched from its package, or failed its checksum."""


class IndexNotBuiltError(RecassistError):
    """The vector index for a data set is missing or stale; run `recassist index build`."""


class UnknownUserError(RecassistError):
    """A user id that the data set does not know."""


class ModelError(RecassistError):
    """A language model cannot be used: its file is missing or fails its checksum, or its backend failed."""


class MemoryBudgetError(ConfigError):
    """A generator's fit would need more memory than `memory.budget_mib` allows and it has no smaller form;
    the message says how much it needs and which setting to change."""
