"""What marketer questions can ask on one data set, for the answers that release nothing.

`segment_guide` lists the segments a question can build (user attributes with their values,
interests) and `help_table` says what can be answered, with example questions. Both read only the
data set's public vocabulary (column names, the values of attributes with at most
`max_attribute_values` values, the tag list): no count, so no privacy noise and no charge to the
budget.
"""

from __future__ import annotations

import pandas as pd

from recassist.audiences.population import Population
from recassist.audiences.tables import AudienceTable
from recassist.settings import AudienceConfig

OCCUPATION_COLUMNS = (
    "occupation_name",
    "occupation",
)  # ML-1M keeps words in occupation_name, ML-100k in occupation
EXAMPLES = (
    "what do women 25-34 like compared to everyone?",
    "who would respond to a sci-fi campaign?",
    "how many students are there?",
    "how did interest in horror change this year?",
    "show the behaviour clusters",
    "lookalike audience for sci-fi fans",
    "what do horror fans also watch?",
)
_WORDS = {
    "gender": "women, men",
    "age": "a range in years: 25-34, over 50 (51 and up), 35+ or 35 and over, under 30, older, younger",
    "interest": "a tag: sci-fi fans, people who like westerns",
}


def _is_words(column: pd.Series) -> bool:
    values = column.dropna().astype(str)
    return len(values) > 0 and pd.to_numeric(values, errors="coerce").isna().all()


def occupation_column(attributes: pd.DataFrame) -> str | None:
    """The users' occupation column in words, whichever name the data set gives it (None: there is
    none)."""
    return next(
        (c for c in OCCUPATION_COLUMNS if c in attributes.columns and _is_words(attributes[c])),
        None,
    )


def _values(column: pd.Series) -> list[str]:
    return sorted(
        {v for v in column.dropna().astype(str) if v not in ("", "nan", "<NA>")}, key=str.lower
    )


def segment_rows(population: Population, config: AudienceConfig) -> list[dict[str, str]]:
    """One row per attribute (and one for interests): what it holds and how a question names it."""
    attributes, rows = population.attributes, []
    occupation = occupation_column(attributes)
    for name in attributes.columns:
        if f"{name}_name" in attributes.columns or (
            name in OCCUPATION_COLUMNS and name != occupation
        ):
            continue  # a code column whose words are in another column
        values = _values(attributes[name])
        if name == "age" and not _is_words(attributes[name]):
            rows.append({"segment": name, "values": "whole years", "ask with": _WORDS["age"]})
        elif len(values) > config.max_attribute_values:
            rows.append(
                {
                    "segment": name,
                    "values": f"{len(values)} values",
                    "ask with": "not askable: values this fine-grained narrow people down to a few",
                }
            )
        elif name == "gender":
            rows.append(
                {"segment": name, "values": ", ".join(values), "ask with": _WORDS["gender"]}
            )
        elif name == occupation:
            rows.append(
                {
                    "segment": name,
                    "values": ", ".join(values),
                    "ask with": "the occupation: students, programmers",
                }
            )
        else:
            rows.append(
                {
                    "segment": name,
                    "values": ", ".join(values),
                    "ask with": "by the REST API's attribute segments",
                }
            )
    rows.append(
        {
            "segment": "interest",
            "values": ", ".join(population.tags),
            "ask with": _WORDS["interest"],
        }
    )
    return rows


def _table(
    measure: str, columns: list[str], rows: list[dict], budget_left: float, notes: list[str]
) -> AudienceTable:
    return AudienceTable(
        measure=measure,
        segment="no segment",
        columns=columns,
        rows=rows,
        segment_size=None,
        noise_margin95=0.0,
        epsilon_charged=0.0,
        budget_left=budget_left,
        notes=notes,
    )


def segment_guide(
    population: Population, config: AudienceConfig, budget_left: float
) -> AudienceTable:
    """The segments a question can build on this data set; combine them ("women 25-34 who like
    sci-fi")."""
    return _table(
        "segments",
        ["segment", "values", "ask with"],
        segment_rows(population, config),
        budget_left,
        [
            "a guide to the data set's vocabulary: no count was released and nothing was charged",
            f"segments under {config.min_segment_size} people are refused; health, religion, politics, "
            "sexuality and ethnicity are never a segment",
        ],
    )


def help_table(reason: str, budget_left: float) -> AudienceTable:
    """What a question can ask, with examples; `reason` says why the question was not answered."""
    rows = [
        {"you can ask": "affinity", "example": EXAMPLES[0]},
        {"you can ask": "who over-indexes on an interest", "example": EXAMPLES[1]},
        {"you can ask": "size", "example": EXAMPLES[2]},
        {"you can ask": "trend", "example": EXAMPLES[3]},
        {"you can ask": "clusters", "example": EXAMPLES[4]},
        {"you can ask": "lookalike", "example": EXAMPLES[5]},
        {"you can ask": "what an interest's fans are also into", "example": EXAMPLES[6]},
        {"you can ask": "the segments", "example": "show the audience segments"},
    ]
    return _table(
        "help",
        ["you can ask", "example"],
        rows,
        budget_left,
        [reason, "nothing was released and nothing was charged"],
    )
