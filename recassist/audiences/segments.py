"""Segments: who a marketer's question is about, as a typed tree that evaluates to a mask over
users.

Leaves: user attributes (`attribute`), behaviour (`tag`: the tag is one of the user's interests;
`item`: interacted with the item; `active`: any interaction inside a time window), a description in
words (`words`: the users whose profile vectors are nearest the text's embedding, from Chroma), a
lookalike of another segment (`lookalike`), and `all`. Combined with `and`, `or`, `not`.

The canonical form (`canonical_segment`) sorts the parts of `and` / `or`, so a reordered question is
the same query to the privacy cache.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from recassist.audiences.lookalike import lookalike_rows, lookalike_size
from recassist.audiences.population import Population
from recassist.audiences.vocabulary import readable, readable_value
from recassist.errors import QueryError
from recassist.retrieval.catalogue import display_title
from recassist.trust.allow import refusal

_Strict = ConfigDict(extra="forbid", frozen=True)


class Everyone(BaseModel):
    model_config = _Strict
    kind: Literal["all"] = "all"


class Attribute(BaseModel):
    """A user attribute: one of `values` (case-insensitive), or a number in [`min`, `max`]."""

    model_config = _Strict
    kind: Literal["attribute"] = "attribute"
    field: str = Field(min_length=1, max_length=60)
    values: list[Annotated[str, Field(max_length=80)]] = Field(default_factory=list, max_length=50)
    min: float | None = None
    max: float | None = None


class Tag(BaseModel):
    model_config = _Strict
    kind: Literal["tag"] = "tag"
    tag: str = Field(min_length=1, max_length=80)


class Item(BaseModel):
    model_config = _Strict
    kind: Literal["item"] = "item"
    item_id: str = Field(min_length=1, max_length=500)


class Active(BaseModel):
    """Any interaction in [start, end) (UTC dates)."""

    model_config = _Strict
    kind: Literal["active"] = "active"
    start: date
    end: date


class Words(BaseModel):
    """The `size` users whose profiles are nearest the description."""

    model_config = _Strict
    kind: Literal["words"] = "words"
    text: str = Field(min_length=1, max_length=500)
    size: int = Field(default=500, ge=100, le=100_000)


class Lookalike(BaseModel):
    """The users whose profiles most resemble the seed segment's, seeds excluded, `share` of
    everyone (raised to the smallest audience that may be shown, see `audiences.lookalike`)."""

    model_config = _Strict
    kind: Literal["lookalike"] = "lookalike"
    seed: Segment
    share: float = Field(default=0.05, ge=0.01, le=0.10)


class And(BaseModel):
    model_config = _Strict
    kind: Literal["and"] = "and"
    parts: list[Segment] = Field(min_length=1, max_length=10)


class Or(BaseModel):
    model_config = _Strict
    kind: Literal["or"] = "or"
    parts: list[Segment] = Field(min_length=1, max_length=10)


class Not(BaseModel):
    model_config = _Strict
    kind: Literal["not"] = "not"
    part: Segment


Segment = Annotated[
    Everyone | Attribute | Tag | Item | Active | Words | Lookalike | And | Or | Not,
    Field(discriminator="kind"),
]
for _model in (Lookalike, And, Or, Not):
    _model.model_rebuild()

EVERYONE = Everyone()


def canonical_segment(segment: Segment) -> dict:
    data = segment.model_dump(mode="json")
    if isinstance(segment, And | Or):
        data["parts"] = sorted((canonical_segment(p) for p in segment.parts), key=repr)
    elif isinstance(segment, Not):
        data["part"] = canonical_segment(segment.part)
    elif isinstance(segment, Lookalike):
        data["seed"] = canonical_segment(segment.seed)
    elif isinstance(segment, Attribute):
        data["values"] = sorted(v.lower() for v in segment.values)
    return data


def describe(segment: Segment, titles: Mapping[str, str] | None = None) -> str:
    """Plain words for a segment, for tables and summaries; an item by its title as people say it
    ("Star Wars (1977)") when `titles` (item id -> catalogue title) has it, else by its id."""
    if isinstance(segment, Everyone):
        return "everyone"
    if isinstance(segment, Attribute):
        if (
            segment.field == "gender"
            and segment.values
            and segment.min is None
            and segment.max is None
        ):
            return " or ".join(readable_value("gender", v) for v in segment.values)
        parts = []
        if segment.values:
            parts.append(" or ".join(readable_value(segment.field, v) for v in segment.values))
        if segment.min is not None and segment.max is not None:
            parts.append(f"{segment.min:g}-{segment.max:g}")
        elif segment.min is not None:
            parts.append(f"at least {segment.min:g}")
        elif segment.max is not None:
            parts.append(f"at most {segment.max:g}")
        if readable(segment.field) == "age" and not segment.values:
            return f"aged {' '.join(parts)}"
        return f"{readable(segment.field)} {' '.join(parts)}"
    if isinstance(segment, Tag):
        return f"interested in {segment.tag}"
    if isinstance(segment, Item):
        title = (titles or {}).get(segment.item_id)
        return f"people who liked {display_title(title) if title else segment.item_id}"
    if isinstance(segment, Active):
        return f"active {segment.start} to {segment.end}"
    if isinstance(segment, Words):
        return f"profiles like '{segment.text}'"
    if isinstance(segment, Lookalike):
        return f"lookalike ({segment.share:.0%}) of [{describe(segment.seed, titles)}]"
    if isinstance(segment, And):  # "women aged 25-34 and interested in Sci-Fi"
        people = " ".join(describe(p, titles) for p in segment.parts if isinstance(p, Attribute))
        rest = [describe(p, titles) for p in segment.parts if not isinstance(p, Attribute)]
        return " and ".join([people, *rest] if people else rest)
    if isinstance(segment, Or):
        return "(" + " or ".join(describe(p, titles) for p in segment.parts) + ")"
    return f"not ({describe(segment.part, titles)})"


def texts(segment: Segment) -> list[str]:
    """Every field name, value, tag and description in the segment: what the sensitive-category
    check reads."""
    if isinstance(segment, Attribute):
        return [segment.field, *segment.values]
    if isinstance(segment, Tag):
        return [segment.tag]
    if isinstance(segment, Words):
        return [segment.text]
    if isinstance(segment, Lookalike):
        return texts(segment.seed)
    if isinstance(segment, And | Or):
        return [t for p in segment.parts for t in texts(p)]
    if isinstance(segment, Not):
        return texts(segment.part)
    return []


NearestUsers = Callable[[str, int], list[str]]  # (text, k) -> pseudonyms nearest the text


class SegmentEvaluator:
    """Evaluates segments to boolean masks over `population`'s users."""

    def __init__(
        self,
        population: Population,
        nearest_users: NearestUsers | None = None,
        lookalike_min: int = 0,
    ) -> None:
        self.population = population
        self.nearest_users = nearest_users
        self.lookalike_min = (
            lookalike_min  # the smallest lookalike audience (see audiences.lookalike)
        )
        self.titles = dict(
            zip(map(str, population.item_ids), map(str, population.titles), strict=True)
        )

    def describe(self, segment: Segment) -> str:
        """`describe` with this population's item titles."""
        return describe(segment, self.titles)

    def mask(self, segment: Segment) -> np.ndarray:
        p = self.population
        if isinstance(segment, Everyone):
            return np.ones(p.size, dtype=bool)
        if isinstance(segment, Attribute):
            return self._attribute(segment)
        if isinstance(segment, Tag):
            column = self.tag_column(segment.tag)
            return np.asarray(p.interests[:, column].todense()).ravel() > 0
        if isinstance(segment, Item):
            matches = np.flatnonzero(p.item_ids == segment.item_id)
            if not len(matches):
                raise QueryError(f"unknown item '{segment.item_id}' in data set '{p.dataset}'")
            return self._rows_mask(
                p.interactions.loc[p.interactions["item_row"] == matches[0], "user_row"]
            )
        if isinstance(segment, Active):
            start, end = (
                datetime.combine(d, datetime.min.time(), tzinfo=UTC).timestamp()
                for d in (segment.start, segment.end)
            )
            ts = p.interactions["timestamp"]
            return self._rows_mask(p.interactions.loc[(ts >= start) & (ts < end), "user_row"])
        if isinstance(segment, Words):
            if self.nearest_users is None:
                raise QueryError(
                    f"segments described in words need the vector index of '{p.dataset}'; "
                    f"run `recassist index build --dataset {p.dataset}`"
                )
            return self._rows_mask(p.rows(self.nearest_users(segment.text, segment.size)))
        if isinstance(segment, Lookalike):
            return self._rows_mask(
                lookalike_rows(
                    p, self.mask(segment.seed), lookalike_size(p, segment.share, self.lookalike_min)
                )
            )
        if isinstance(segment, And):
            return np.logical_and.reduce([self.mask(s) for s in segment.parts])
        if isinstance(segment, Or):
            return np.logical_or.reduce([self.mask(s) for s in segment.parts])
        return ~self.mask(segment.part)

    def _rows_mask(self, rows) -> np.ndarray:
        out = np.zeros(self.population.size, dtype=bool)
        out[np.asarray(rows, dtype=np.int64)] = True
        return out

    def tag_column(self, tag: str) -> int:
        lower = {t.lower(): i for i, t in enumerate(self.population.tags)}
        if tag.lower() not in lower:
            raise QueryError(
                f"unknown tag '{tag}'; known tags: {', '.join(self.population.tags[:40])}"
            )
        return lower[tag.lower()]

    def _attribute(self, segment: Attribute) -> np.ndarray:
        attributes = self.population.attributes
        if segment.field not in attributes.columns:
            known = ", ".join(attributes.columns) or "none"
            raise QueryError(
                f"unknown user attribute '{segment.field}' in '{self.population.dataset}' (known: {known})"
            )
        column = attributes[segment.field]
        mask = np.ones(len(column), dtype=bool)
        if segment.values:
            reason = refusal(segment.field, segment.values, column.dropna().astype(str).unique())
            if reason:  # the allow-list: only values the data set holds (recassist.trust.allow)
                raise QueryError(reason)
            wanted = {v.lower() for v in segment.values}
            mask &= column.astype(str).str.lower().isin(wanted).to_numpy()
        if segment.min is not None or segment.max is not None:
            numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
            if np.isnan(numbers).all():
                raise QueryError(
                    f"attribute '{segment.field}' is not numeric: give values, not a range"
                )
            low = -np.inf if segment.min is None else segment.min
            high = np.inf if segment.max is None else segment.max
            mask &= (numbers >= low) & (numbers <= high)
        return mask
