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

    `row` is the 1-based data row (the header is not counted); for text files `line` is the line in
    the file as an editor shows it.
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
    """A language model cannot be used: its file is missing or fails its checksum, or its backend
    failed."""


class SensitiveTargetingError(InputFileError):
    """An ad targets a sensitive category (health, religion, politics, sexuality, ethnicity); such
    targeting is refused at import. Names the file, the row and the targeting field."""


class AdsNotReadyError(RecassistError):
    """No ads catalogue is imported for a data set; the message says which command makes one."""


class ModelStoreError(RecassistError):
    """A kept fitted model could not be written or read (unreadable file, unknown kind of state);
    the serving model is fitted again instead."""


class UserTokenError(RecassistError):
    """A widget user token is malformed, badly signed or expired; the app's backend must sign a
    fresh one."""


class PrivacyRefusal(RecassistError):
    """A marketer query the privacy rules refuse; the message gives the reason and what is still
    allowed."""


class SegmentTooSmallError(PrivacyRefusal):
    """A segment below the minimum size (judged on its noisy size)."""


class BudgetExhaustedError(PrivacyRefusal):
    """The API key's differential-privacy budget cannot pay for the query; states the budget left."""


class SensitiveCategoryError(PrivacyRefusal):
    """A segment criterion or an interest in a sensitive category (health, religion, politics, ...)."""


class QueryError(RecassistError):
    """A marketer query that cannot be run as asked (an unknown attribute, tag or measure); says
    what is known."""


class VectorStoreUnavailableError(RecassistError):
    """The Chroma server did not answer after the configured retries; check that it runs at
    `chroma.url`.

    Raised only for a server that cannot be reached (refused, reset, timed out), never for a bad
    request: a caller may degrade (candidates from the fitted generators only) and try again on the
    next call.
    """


class MemoryBudgetError(ConfigError):
    """A generator's fit would need more memory than `memory.budget_mib` allows and it has no
    smaller form; the message says how much it needs and which setting to change."""


class StateUnavailableError(RecassistError):
    """A shared store of the app's state (the database at `state.database_url`, the cache at
    `state.cache_url`) did not answer. Paths that move money or privacy budget refuse (503) rather
    than answer unsafely; chat goes on without memory or feedback and tries the store again on the
    next call."""
