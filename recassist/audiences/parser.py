"""Marketer questions in words -> a flat plan (`QuestionPlan`), by patterns over the data set's own
vocabulary: titles, tags, occupations, review categories.

Titles are read first and masked, so "Star Wars" is the film, never the tag War. The catalogue's
title matcher finds the titles a question names in full; a title named in part ("who likes Star
Wars?" on ML-1M, whose title is "Star Wars: Episode IV - A New Hope (1977)") is looked up with the
chat's own title lookup (`Catalogue.find_title`, passed in as `find_title`) on the words after
"likes", "fans of", ..."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from recassist.audiences.guide import occupation_column
from recassist.audiences.service import Audiences
from recassist.grounding.tag_aliases import tag_aliases
from recassist.retrieval.catalogue import TitleIndex

QuestionMeasure = Literal[
    "affinity", "size", "sentiment", "trend", "clusters", "lookalike", "segments"
]
PROFILE = (
    "profile"  # breakdown over the small user attributes together (gender, age band, occupation)
)


class QuestionPlan(BaseModel):
    """The flat plan the LLM fills (and the parser makes): easy for a small model to get right."""

    model_config = ConfigDict(extra="ignore")

    measure: QuestionMeasure | None = None
    gender: Literal["female", "male"] | None = None
    age_min: int | None = Field(default=None, ge=0, le=120)
    age_max: int | None = Field(default=None, ge=0, le=120)
    occupation: str | None = Field(default=None, max_length=60)
    interest_tags: list[str] = Field(default_factory=list, max_length=5)
    trend_tag: str | None = Field(default=None, max_length=60)
    category: str | None = Field(default=None, max_length=60)
    by: str | None = Field(default=None, max_length=60)
    period: Literal["week", "month", "quarter"] | None = None
    last_months: int | None = Field(default=None, ge=1, le=120)
    base_gender: Literal["female", "male"] | None = None
    # The catalogue items the question names by title ("who likes Star Wars?"): the parser's alone,
    # never in the LLM's schema (`reconcile` keeps the parser's), so an item id never comes from
    # generated text.
    interest_items: SkipJsonSchema[list[str]] = Field(default_factory=list, max_length=5)


# ---------------------------------------------------------------- the deterministic parser

_FEMALE = re.compile(r"\b(women|woman|female|females|ladies|lady|girls)\b", re.I)
_MALE = re.compile(r"\b(men|man|male|males|guys|boys)\b", re.I)
_RANGE = re.compile(r"\b(\d{1,2})\s*(?:-|–|—|to|and)\s*(\d{1,2})\b")
# Ages are whole years: "over 35" is 36 and up, "35 and over" / "35+" / "at least 35" is 35 and up.
_OVER = re.compile(r"\b(?:over|above|older than|more than)\s+(\d{1,2})\b", re.I)
_FROM = re.compile(
    r"\b(?:at least|aged)\s+(\d{1,2})\b|\b(\d{1,2})(?:\s*\+|\s+(?:and|or) (?:over|up|older|above))",
    re.I,
)
_UNDER = re.compile(r"\b(?:under|below|younger than|less than)\s+(\d{1,2})\b", re.I)
_UNTIL = re.compile(
    r"\b(?:at most|up to)\s+(\d{1,2})\b|\b(\d{1,2})\s+(?:and|or) (?:under|younger|below)\b", re.I
)
_OLDER = re.compile(r"\b(older|seniors?|elderly|retirees)\b", re.I)
_YOUNGER = re.compile(r"\b(younger|young people|youth|teens?|teenagers)\b", re.I)
_COMPARE = re.compile(r"\b(?:compared (?:to|with)|versus|vs\.?|relative to|than)\b", re.I)
_TOTAL = re.compile(r"\b(in total|altogether)\b", re.I)
_EVERYONE = re.compile(r"\b(everyone|everybody|all|average|overall|the rest|others)\b", re.I)
_MEASURES: tuple[tuple[QuestionMeasure, re.Pattern[str]], ...] = (
    ("segments", re.compile(r"\b(segments|attributes|what can (?:i|you) ask)\b", re.I)),
    (
        "lookalike",
        re.compile(
            r"\b(lookalikes?|look-alikes?|resembl\w*|similar (?:people|users|customers))\b", re.I
        ),
    ),
    (
        "clusters",
        re.compile(
            r"\b(clusters?|groups? of (?:users|customers|people|behaviou?r)|"
            r"kinds of (?:users|customers|people)|types of (?:users|customers|people))\b",
            re.I,
        ),
    ),
    (
        "trend",
        re.compile(
            r"\b(chang\w*|trends?|over time|grow\w*|grew|declin\w*|rose|fell|monthly|weekly|"
            r"per month|per week|this year|last year)\b",
            re.I,
        ),
    ),
    (
        "sentiment",
        re.compile(
            r"\b(feel\w*|sentiment|happy|satisf\w*|opinions?|think (?:of|about)|reviews?)\b", re.I
        ),
    ),
    ("size", re.compile(r"\bhow many\b", re.I)),
)
# Places a question may name but no segment may use: zip codes narrow people down to a few.
_PLACE = re.compile(
    r"\b(zip(?:\s*codes?)?|post(?:al)?\s*codes?|postcodes?|cit(?:y|ies)|countr(?:y|ies)|"
    r"neighbou?rhoods?|(?:live|living|located) in|locations?)\b",
    re.I,
)
# The words after these name what a person likes: a title named in part is looked up on them.
_LIKES = re.compile(
    r"\b(?:likes?|liked|loves?|loved|watched|fans? of)\s+(.+?)(?=\s+(?:compared|versus|vs\.?|than|"
    r"and|or)\b|[?.!,]|$)",
    re.I,
)
_WHO = re.compile(r"\b(who|which people|what kind of people|respond)\b", re.I)
OLDER_FROM, YOUNGER_UNTIL = 55, 34


def _tag_pattern(tag: str) -> re.Pattern[str]:
    forms = {tag.lower(), tag.lower() + "s", *tag_aliases().get(tag.lower(), ())}
    return re.compile(
        r"(?<![\w-])("
        + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        + r")(?![\w-])",
        re.I,
    )


class QuestionParser:
    """Reads a question with patterns over the data set's own vocabulary (titles, tags, occupations,
    categories). Titles are read first, with the catalogue's title matcher, and masked: "Star Wars"
    is the film, never the tag War, and "Dead Man Walking" names no men."""

    def __init__(
        self, audiences: Audiences, find_title: Callable[[str], str | None] | None = None
    ) -> None:
        p = audiences.population
        self.find_title = find_title
        self.titles = TitleIndex(zip(map(str, p.item_ids), map(str, p.titles), strict=True))
        self.tags = {t: _tag_pattern(t) for t in p.tags}
        self.attributes = list(p.attributes.columns)
        self.occupation_column = occupation_column(p.attributes)
        occupations = (
            p.attributes[self.occupation_column].astype(str).unique()
            if self.occupation_column
            else []
        )
        self.occupations = {}
        for occupation in sorted(
            (o for o in occupations if o and o not in ("other", "none")), key=str.lower
        ):
            words = [w.rstrip("s") for w in re.split(r"[/ ]", occupation) if len(w) > 3]
            if words:
                self.occupations[occupation] = re.compile(
                    r"\b(" + "|".join(map(re.escape, words)) + r")s?\b", re.I
                )
        categories = (
            p.interactions["department"].astype(str).unique()
            if "department" in p.interactions
            else []
        )
        self.categories = {
            c: re.compile(r"\b" + re.escape(c.lower().rstrip("s")) + r"s?\b", re.I)
            for c in categories
            if c
        }

    def without_titles(
        self, question: str, named: list[tuple[int, int, str | None]] | None = None
    ) -> str:
        """The question with the titles it names blanked (same length: positions still hold)."""
        for start, end, _ in self.named(question) if named is None else named:
            question = question[:start] + " " * (end - start) + question[end:]
        return question

    def named(self, question: str) -> list[tuple[int, int, str | None]]:
        """The titles the question names: in full (`TitleIndex.named`), else the words after "likes"
        when the chat's title lookup finds a title in them and they name no tag."""
        named = self.titles.named(question)
        if named or self.find_title is None or not (found := _LIKES.search(question)):
            return named
        words = found.group(1).strip()
        if any(pattern.fullmatch(words) for pattern in self.tags.values()) or not any(
            w[:1].isupper() for w in words.split()
        ):
            return named
        item = self.find_title(words)
        return [(found.start(1), found.start(1) + len(words), item)] if item is not None else named

    def parse(self, question: str) -> tuple[QuestionPlan, set[str]]:
        """The plan and the fields the words stated explicitly."""
        named = self.named(question)
        # every other pattern reads the question without the titles
        question = self.without_titles(question, named)
        parts = _COMPARE.split(question, maxsplit=1)
        who, against = parts[0], parts[1] if len(parts) > 1 else ""
        if not who.strip(" ,") and "," in against:  # "compared to everyone, what do women like?"
            against, who = against.split(",", 1)
        plan, stated = QuestionPlan(), set()

        def put(field: str, value) -> None:
            setattr(plan, field, value)
            stated.add(field)

        if measure := next((m for m, pattern in _MEASURES if pattern.search(question)), None):
            put("measure", measure)
        if _FEMALE.search(who):
            put("gender", "female")
        elif _MALE.search(who):
            put("gender", "male")
        if against and not _EVERYONE.search(against):
            if _FEMALE.search(against):
                put("base_gender", "female")
            elif _MALE.search(against):
                put("base_gender", "male")
        _ages(who, put, stated)
        for occupation, pattern in self.occupations.items():
            if pattern.search(who):
                put("occupation", occupation)
                break
        for category, pattern in self.categories.items():
            if pattern.search(question):
                put("category", category)
                break
        tags = [
            t
            for t, pattern in self.tags.items()
            if pattern.search(question)
            and not (plan.measure == "sentiment" and t.lower() == (plan.category or "").lower())
        ]
        if plan.measure == "trend" and tags:
            put("trend_tag", tags[0])
            tags = tags[1:]
        if tags:
            put("interest_tags", tags)
        items = list(
            dict.fromkeys(item for start, _, item in named if item is not None and start < len(who))
        )
        if items:  # titles after "compared to" are no base a plan can hold: the segment's only
            put("interest_items", items[:5])
        if plan.measure in (None, "affinity") and (tags or items) and _WHO.search(question):
            put("by", PROFILE)
        for period in ("week", "quarter", "month"):
            if re.search(rf"\b{period}(ly|s)?\b", question, re.I) and plan.measure == "trend":
                put("period", period)
                break
        if re.search(r"\b(this|last|past) year\b", question, re.I):
            put("last_months", 12)
        return plan, stated


def _ages(who: str, put, stated: set[str]) -> None:
    """The age range the words before any "compared to" state: whole years, so "over 35" is 36 and
    up, "35+" 35 and up; "older" and "younger" when no number is given."""
    if found := _RANGE.search(who):
        low, high = sorted((int(found.group(1)), int(found.group(2))))
        if 10 <= low and high <= 99:
            put("age_min", low)
            put("age_max", high)
    if "age_min" not in stated and (found := _FROM.search(who)):
        put("age_min", int(found.group(1) or found.group(2)))
    elif "age_min" not in stated and (found := _OVER.search(who)):
        put("age_min", int(found.group(1)) + 1)
    if "age_max" not in stated and (found := _UNTIL.search(who)):
        put("age_max", int(found.group(1) or found.group(2)))
    elif "age_max" not in stated and (found := _UNDER.search(who)):
        put("age_max", int(found.group(1)) - 1)
    if not stated & {"age_min", "age_max"}:
        if _OLDER.search(who):
            put("age_min", OLDER_FROM)
        elif _YOUNGER.search(who):
            put("age_max", YOUNGER_UNTIL)


def reconcile(planned: QuestionPlan, parsed: QuestionPlan, stated: set[str]) -> QuestionPlan:
    """The model's plan with every field the words stated explicitly taken from the parser. The
    items named by title are the parser's alone, and so are the tags when it found a title: the
    model, which reads "Star Wars" unmasked, may take it for the tag War."""
    merged = planned.model_dump()
    merged.update({field: getattr(parsed, field) for field in stated})
    merged["interest_items"] = parsed.interest_items
    if parsed.interest_items:
        merged["interest_tags"] = parsed.interest_tags
    return QuestionPlan.model_validate(merged)
