"""The bounds a message asks of the films' years and length, from the spans of its one reading
(`language.reading`): "the 70s or 80s" is 1970 to 1989, "before 1990" up to 1989; "under 90
minutes" is at most 90 minutes (`language.length` reads the words), "a long film" at least 150;
"any length", or a "forget ..." clause that names a length or the word for it ("forget the
length"), lets go of the standing length bound."""

from __future__ import annotations

from recassist.language import length
from recassist.language.spans import Kind, Tagged

LENGTHS = (Kind.length_most, Kind.length_least, Kind.length_any)


def years_of(tagged: Tagged, forget) -> tuple[int | None, int | None]:
    """The year range: the decades named ("the 70s or 80s": 1970 to 1989), "before"/"after" a year
    (negated: "not before 1990"), or a year."""
    year_min = year_max = None
    # "not from the 80s": one range cannot say it
    decades = [int(d.value) for d in tagged.of(Kind.decade) if not (d.inside(forget) or d.negated)]
    if decades:
        year_min, year_max = min(decades), max(decades) + 9
    if before := tagged.first(Kind.year_before, outside=forget):
        if before.negated:  # "not before 1990": from 1990 on
            year_min = int(before.value)
        else:
            year_max = int(before.value) - 1
    if after := tagged.first(Kind.year_after, outside=forget):
        if after.negated:  # "not (from) after 1960": up to 1960
            year_max = int(after.value)
        else:
            year_min = int(after.value) + 1
    if not (decades or before or after) and (single := tagged.first(Kind.year_in, outside=forget)):
        year_min = year_max = int(single.value)
    return year_min, year_max


def length_of(tagged: Tagged, forget: list[tuple[int, int]]) -> dict:
    """The request's length fields: `minutes_min`, `minutes_max` (None: not said), `drop_length`
    and `than` ("shorter", "longer": than the last list); a bound inside what the user forgets
    is dropped, not asked."""
    said = [s for s in tagged.spans if s.kind in LENGTHS[:2]]
    least, most = length.bound([s for s in said if not s.inside(forget)])
    forgotten = any(s.inside(forget) for s in said) or any(names_length(tagged, *f) for f in forget)
    dropped = bool(tagged.of(Kind.length_any)) or forgotten
    than = next((s.value for s in tagged.of(Kind.length_any) if s.value), None)  # "longer"
    return {"minutes_min": least, "minutes_max": most, "drop_length": dropped, "than": than}


def names_length(tagged: Tagged, start: int, end: int) -> bool:
    """Whether the text from `start` to `end` (a "forget ..." clause) names a length ("forget
    under 90 minutes") or the word for it ("forget the length")."""
    said = any(start <= s.start < end for s in tagged.spans if s.kind in LENGTHS)
    named = length.phrases("names").spans(tagged.tokens)
    return said or any(start <= s < end for s, _ in named)
