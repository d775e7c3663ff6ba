"""The public vocabulary of one data set as the marketer side sees it: the attributes a segment may
name with their values, the tags, the titles, the months, the review categories and readable field
names.

It holds no count and nothing about any one person: the answers layer (`audiences.answers`) gets
this and the noisy releases, never the data. Attribute values come from the data set's schema
(ML-1M's codes, the age bands of `data/fields.json`); an attribute with more than
`max_attribute_values` values (zip codes) or in a sensitive category is not a segment attribute, and
a code column whose words are in another column (ML-1M's `occupation` beside `occupation_name`)
gives way to that column."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from recassist.audiences.population import Population
from recassist.settings import AudienceConfig


@cache
def field_data() -> dict:
    """`data/fields.json`: readable field names, readable values, code columns, age bands."""
    return json.loads(
        resources.files("recassist.audiences").joinpath("data/fields.json").read_text()
    )


def readable(name: str) -> str:
    """A field as a marketer says it ("occupation_name" -> "occupation")."""
    return field_data()["readable"].get(name, name.replace("_", " "))


def readable_value(name: str, value: str) -> str:
    return field_data()["values"].get(name, {}).get(value, value)


def band_range(label: str) -> tuple[float, float]:
    """The ages of an age band: "25-34" -> (25, 34), "56+" -> (56, 200), "under 18" -> (0, 17)."""
    if label.startswith("under "):
        return 0.0, float(label.split()[1]) - 1
    if label.endswith("+"):
        return float(label[:-1]), 200.0
    low, high = re.findall(r"\d+", label)[:2]
    return float(low), float(high)


def age_bands(ages: pd.Series) -> pd.Series:
    """Whole-year ages as the bands of `data/fields.json` ("" where unknown)."""
    numbers = pd.to_numeric(ages, errors="coerce")
    out = pd.Series("", index=ages.index, dtype=object)
    for low, high, label in field_data()["age_bands"]:
        out[(numbers >= low) & (numbers <= high)] = label
    return out


@dataclass(frozen=True)
class Vocabulary:
    """What a question may name on one data set; public, so free to show."""

    dataset: str
    snapshot: str  # the data's fingerprint: a new snapshot gets new releases
    attributes: dict[str, list[str]]  # segment attribute -> its values, in a fixed order
    fields: list[str]  # every user field the data set has, for "names the fields it has"
    tags: list[str]
    item_ids: list[str]
    titles: list[str]
    months: list[str]  # "2000-04" ... the months the data covers
    categories: list[str] = field(default_factory=list)  # review categories (department), if any

    @property
    def rows(self) -> list[tuple[str, str] | None]:
        """The rows of the per-attribute releases: everyone (None), then each (attribute, value)."""
        return [None, *((a, v) for a, values in self.attributes.items() for v in values)]

    @property
    def cells(self) -> int:
        return int(np.prod([len(v) for v in self.attributes.values()], dtype=np.int64))


def _values(column: pd.Series) -> list[str]:
    return sorted(
        {str(v) for v in column.dropna() if str(v) not in ("", "nan", "<NA>")}, key=str.lower
    )


def segment_columns(
    population: Population, config: AudienceConfig, sensitive
) -> dict[str, pd.Series]:
    """The user attributes a segment may name, as strings per user ("" unknown), age in bands."""
    attributes, codes = population.attributes, field_data()["code_columns"]
    out: dict[str, pd.Series] = {}
    for name in attributes.columns:
        if codes.get(name) in attributes.columns or sensitive(name):
            continue
        column = attributes[name]
        if name == "age" and pd.to_numeric(column, errors="coerce").notna().any():
            out["age_band"] = age_bands(column)
            continue
        values = column.astype(str).where(column.notna(), "")
        if 0 < len(_values(values)) <= config.max_attribute_values:
            out[name] = values
    return out


def build_vocabulary(population: Population, config: AudienceConfig, sensitive) -> Vocabulary:
    """The vocabulary of `population`; `sensitive(text)` says whether a field is in a sensitive
    category."""
    columns = segment_columns(population, config, sensitive)
    stamps = population.interactions["timestamp"]
    months = [
        str(m)
        for m in pd.period_range(
            pd.Timestamp(int(stamps.min()), unit="s"),
            pd.Timestamp(int(stamps.max()), unit="s"),
            freq="M",
        )
    ]
    frame = population.interactions
    categories = (
        _values(frame["department"]) if {"department", "text"} <= set(frame.columns) else []
    )
    return Vocabulary(
        dataset=population.dataset,
        snapshot=population.fingerprint,
        attributes={
            name: sorted(_values(values), key=band_range) if name == "age_band" else _values(values)
            for name, values in columns.items()
        },
        fields=[c for c in population.attributes.columns],
        tags=list(population.tags),
        item_ids=[str(i) for i in population.item_ids],
        titles=[str(t) for t in population.titles],
        months=months,
        categories=categories,
    )
