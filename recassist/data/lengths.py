"""A film's length in minutes as a source writes it (Wikidata's `Runtime`, TMDb's `runtime`),
checked as every input field is: a malformed one raises `InputFileError` naming the file, the row
and the field."""

from __future__ import annotations

from recassist.errors import InputFileError


def minutes(file: str, said: object, row: int, field: str) -> int | None:
    """A film's length in whole minutes from a source's field (a number, or text that is one);
    None for an empty field or 0 (not known). A negative or non-numeric length raises
    `InputFileError` naming `file`, `row` and `field`."""
    if said is None or (isinstance(said, str) and not said.strip()):
        return None
    try:
        value = float(said.strip() if isinstance(said, str) else said)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputFileError(file, f"not a length: {said!r}", row=row, field=field) from None
    if not value >= 0 or value == float("inf"):  # NaN too
        raise InputFileError(file, f"not a length: {said!r}", row=row, field=field)
    return round(value) or None
