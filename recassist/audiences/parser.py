"""Marketer questions in words -> a flat plan (`QuestionPlan`), by word lists over the data set's
own vocabulary (titles, tags, occupations, review categories) and the question words of
`data/question_words.toml`, read with the language pass's tokens and phrase lookups.

Titles are read first and masked, so "Star Wars" is the film, never the tag War. The catalogue's
title matcher finds the titles a question names in full; a title named in part ("who likes Star
Wars?" on ML-1M, whose title is "Star Wars: Episode IV - A New Hope (1977)") is looked up with the
chat's own title lookup (`Catalogue.find_title`, passed in as `find_title`) on the words after
"likes", "fans of", ..."""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from recassist.audiences.guide import occupation_column
from recassist.audiences.service import Audiences
from recassist.grounding.tag_aliases import tag_aliases
from recassist.language.phrases import Phrases, PhraseTable, Token, tokenise
from recassist.retrieval.catalogue import TitleIndex

QuestionMeasure = Literal[
    "affinity", "size", "sentiment", "trend", "clusters", "lookalike", "segments"
]
# a breakdown over the small user attributes together (gender, age band, occupation)
PROFILE = "profile"


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
    base_occupation: str | None = Field(default=None, max_length=60)
    # The catalogue items the question names by title ("who likes Star Wars?"): the parser's alone,
    # never in the LLM's schema (`reconcile` keeps the parser's), so an item id never comes from
    # generated text.
    interest_items: SkipJsonSchema[list[str]] = Field(default_factory=list, max_length=5)


# ---------------------------------------------------------------- the deterministic parser

OLDER_FROM, YOUNGER_UNTIL, TEENS = 55, 34, (13, 19)


@cache
def _words() -> dict:
    """The question words of `data/question_words.toml`, read once at first use."""
    path = resources.files("recassist.audiences").joinpath("data/question_words.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


@cache
def phrases(name: str) -> Phrases:
    """The phrase lookup of question word list `name`."""
    return Phrases(_words()[name])


@cache
def _table(name: str) -> PhraseTable:
    """The named phrase lists of table `name` ("measures", "periods") as one lookup."""
    return PhraseTable({key: Phrases(words) for key, words in _words()[name].items()})


def gender_values() -> dict[str, list[str]]:
    """How a data set may write each gender in its attribute column ("F", "female", ...)."""
    return _words()["gender_values"]


def tag_phrases(tag: str) -> Phrases:
    """How a question names `tag`: its name, plural and aliases, not touching a hyphen."""
    forms = {tag.lower(), tag.lower() + "s", *tag_aliases().get(tag.lower(), ())}
    return Phrases(forms, hyphen_bound=True)


def names_tag(tag: str, text: str) -> bool:
    """Whether `text` names `tag` (`tag_phrases`)."""
    return tag_phrases(tag).found(tokenise(text), text)


def split_compare(question: str) -> tuple[str, str]:
    """The words before the first "compared to", "versus", "than", ... and those after ("" when
    there is none)."""
    found = phrases("compare").spans(tokenise(question))
    if not found:
        return question, ""
    start, end = found[0]
    return question[:start], question[end:]


def place_named(question: str) -> str | None:
    """The first place the question names ("zip code", "live in"), which no segment may use."""
    found = phrases("place").spans(tokenise(question))
    return question[found[0][0] : found[0][1]] if found else None


def names_everyone(who: str) -> bool:
    """Whether the question's subject is everyone in so many words ("everyone", "in total")."""
    tokens = tokenise(who)
    return phrases("everyone").found(tokens) or phrases("total").found(tokens)


def _likes(question: str) -> tuple[int, int] | None:
    """The span of the words after the first "likes", "fans of", ... up to a comma, a full stop,
    "compared", "and", "or" or the end: where a title named in part may be."""
    tokens = tokenise(question)
    ends = set(_words()["likes_end"])
    for _, after in phrases("likes").matches(tokens):
        if after >= len(tokens) or tokens[after].start == tokens[after - 1].end:
            continue
        stop = next(
            (
                k
                for k in range(after + 1, len(tokens))
                if tokens[k].low in ("?", ".", "!", ",")
                or tokens[k].low in ends
                and tokens[k].start > tokens[k - 1].end
            ),
            len(tokens),
        )
        return tokens[after].start, tokens[stop - 1].end
    return None


class QuestionParser:
    """Reads a question with the language pass's tokens and phrase lookups over the data set's own
    vocabulary (titles, tags, occupations, categories) and the question words of
    `data/question_words.toml`. Titles are read first, with the catalogue's title matcher, and
    masked: "Star Wars" is the film, never the tag War, and "Dead Man Walking" names no men."""

    def __init__(
        self, audiences: Audiences, find_title: Callable[[str], str | None] | None = None
    ) -> None:
        p = audiences.population
        self.find_title = find_title
        self.titles = TitleIndex(zip(map(str, p.item_ids), map(str, p.titles), strict=True))
        self.tags = {t: tag_phrases(t) for t in p.tags}
        self._tags = PhraseTable(self.tags)
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
            words = [w.rstrip("s") for w in occupation.replace("/", " ").split(" ") if len(w) > 3]
            other = _words()["occupation_words"]  # "retirees" are "retired"
            if words:
                said = [f"{w}|{w}s" for w in words]
                self.occupations[occupation] = Phrases(
                    [*said, *(o for w in words for o in other.get(w.lower(), ()))]
                )
        categories = (
            p.interactions["department"].astype(str).unique()
            if "department" in p.interactions
            else []
        )
        self.categories = {
            c: Phrases([c.lower().rstrip("s"), c.lower().rstrip("s") + "s"])
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
        if named or self.find_title is None or not (found := _likes(question)):
            return named
        words = question[found[0] : found[1]].strip()
        tokens = tokenise(words)
        if any(p.whole(tokens) for p in self.tags.values()) or not any(
            w[:1].isupper() for w in words.split()
        ):
            return named
        item = self.find_title(words)
        return [(found[0], found[0] + len(words), item)] if item is not None else named

    def parse(self, question: str) -> tuple[QuestionPlan, set[str]]:
        """The plan and the fields the words stated explicitly."""
        named = self.named(question)
        # every other lookup reads the question without the titles
        question = self.without_titles(question, named)
        who, against = split_compare(question)
        if not who.strip(" ,") and "," in against:  # "compared to everyone, what do women like?"
            against, who = against.split(",", 1)
        plan, stated = QuestionPlan(), set()

        def put(field: str, value) -> None:
            setattr(plan, field, value)
            stated.add(field)

        tokens, who_tokens = tokenise(question), tokenise(who)
        found = {name for name, _, _ in _table("measures").spans(tokens)}
        if measure := next((m for m in _words()["measures"] if m in found), None):
            put("measure", measure)
        _people(who_tokens, tokenise(against), put)
        _ages(who_tokens, put, stated)
        self._vocabulary(question, tokens, who_tokens, plan, put)
        self._base_and_breakdown(tokenise(against), tokens, put)
        items = list(
            dict.fromkeys(item for start, _, item in named if item is not None and start < len(who))
        )
        if items:  # titles after "compared to" are no base a plan can hold: the segment's only
            put("interest_items", items[:5])
        tags = plan.interest_tags
        asked_by = plan.by == "gender"  # "who likes horror more, men or women?": by gender
        if (
            plan.measure in (None, "affinity")
            and (tags or items)
            and not asked_by
            and phrases("who").found(tokens)
        ):
            put("by", PROFILE)
        periods = {name for name, _, _ in _table("periods").spans(tokens)}
        if plan.measure == "trend" and (
            period := next((p for p in _words()["periods"] if p in periods), None)
        ):
            put("period", period)
        if phrases("last_year").found(tokens):
            put("last_months", 12)
        return plan, stated

    def _base_and_breakdown(self, against: tuple[Token, ...], tokens, put) -> None:
        """The occupation the segment is compared with ("... compared to programmers"), and the
        attribute the question asks by ("which age group ...": `breakdowns`)."""
        base = next((o for o, found in self.occupations.items() if found.found(against)), None)
        if base is not None:
            put("base_occupation", base)
        asked = {name for name, _, _ in _table("breakdowns").spans(tokens)}
        if by := next((b for b in _words()["breakdowns"] if b in asked), None):
            put("by", self.occupation_column if by == "occupation" else by)

    def _vocabulary(self, question: str, tokens, who_tokens, plan: QuestionPlan, put) -> None:
        """The data set's own words: an occupation (in the subject), a category, the tags."""
        for occupation, found in self.occupations.items():
            if found.found(who_tokens):
                put("occupation", occupation)
                break
        for category, found in self.categories.items():
            if found.found(tokens):
                put("category", category)
                break
        named = {name for name, _, _ in self._tags.spans(tokens, question)}
        tags = [
            t
            for t in self.tags
            if t in named
            and not (plan.measure == "sentiment" and t.lower() == (plan.category or "").lower())
        ]
        if plan.measure == "trend" and tags:
            put("trend_tag", tags[0])
            tags = tags[1:]
        if tags:
            put("interest_tags", tags)


def _people(who: tuple[Token, ...], against: tuple[Token, ...], put) -> None:
    """The gender of the subject, and of the base when the base names one (not "everyone"); both
    named ("are comedies more popular with men or women?") ask by gender, of no one gender."""
    female, male = phrases("female").found(who), phrases("male").found(who)
    if female and male:
        put("by", "gender")
    elif female:
        put("gender", "female")
    elif male:
        put("gender", "male")
    if against and not phrases("everyone").found(against):
        if phrases("female").found(against):
            put("base_gender", "female")
        elif phrases("male").found(against):
            put("base_gender", "male")


def _number_after(name: str, tokens: tuple[Token, ...]) -> tuple[int, int] | None:
    """(where, number): the first phrase of list `name` with a one- or two-digit number right
    after it ("over 35")."""
    for first, after in phrases(name).matches(tokens):
        if after < len(tokens) and _age(tokens[after]):
            if tokens[after].start > tokens[after - 1].end:
                return tokens[first].start, int(tokens[after].low)
    return None


def _number_before(name: str, tokens: tuple[Token, ...]) -> tuple[int, int] | None:
    """(where, number): the first one- or two-digit number right before a phrase of list `name`
    ("35 and over")."""
    for first, _ in phrases(name).matches(tokens):
        number = tokens[first - 1] if first else None
        if number and _age(number) and number.end < tokens[first].start:
            return number.start, int(number.low)
    return None


def _plus(tokens: tuple[Token, ...]) -> tuple[int, int] | None:
    """(where, number) of the first "35+"."""
    return next(
        ((a.start, int(a.low)) for a, b in itertools.pairwise(tokens) if _age(a) and b.low == "+"),
        None,
    )


def _leftmost(*found: tuple[int, int] | None) -> int | None:
    """The number of the leftmost find, as one pattern with alternatives would read it."""
    return min((f for f in found if f is not None), default=(0, None))[1]


def _decade_of_life(tokens: tuple[Token, ...]) -> int | None:
    """The first decade of life named: "in their 30s", "in their thirties", "thirtysomethings",
    "30-somethings" (20 to 70)."""
    named = _words()["decades_of_life"]
    for i, token in enumerate(tokens):
        decade = named.get(token.low)
        if decade is None and re.fullmatch(r"[2-7]0s", token.low):
            after_their = any(e == i for _, e in phrases("in_their").matches(tokens))
            after_their |= i + 2 < len(tokens) and tokens[i + 2].low in _words()["somethings"]
            decade = int(token.low[0]) * 10 if after_their else None
        elif decade is None and re.fullmatch(r"[2-7]0", token.low):  # "30-somethings"
            follows = i + 2 < len(tokens) and tokens[i + 1].low == "-"
            decade = (
                int(token.low) if follows and tokens[i + 2].low in _words()["somethings"] else None
            )
        if decade is not None:
            return decade
    return None


def _age(token: Token) -> bool:
    return len(token.low) <= 2 and token.low.isdigit()


def _ages(who: tuple[Token, ...], put, stated: set[str]) -> None:
    """The age range the words before any "compared to" state: whole years, so "over 35" is 36 and
    up, "35+" 35 and up; "older" and "younger" when no number is given."""
    if (decade := _decade_of_life(who)) is not None:  # "women in their 30s"
        put("age_min", decade)
        put("age_max", decade + 9)
    separators = set(_words()["age_range"])
    for a, sep, b in zip(who, who[1:], who[2:], strict=False):
        if _age(a) and _age(b) and sep.low in separators:
            low, high = sorted((int(a.low), int(b.low)))
            if 10 <= low and high <= 99:
                put("age_min", low)
                put("age_max", high)
            break
    at_least = _leftmost(
        _number_after("at_least", who), _plus(who), _number_before("and_over", who)
    )
    at_most = _leftmost(_number_after("at_most", who), _number_before("and_under", who))
    over, under = _leftmost(_number_after("over", who)), _leftmost(_number_after("under", who))
    if "age_min" not in stated and at_least is not None:
        put("age_min", at_least)
    elif "age_min" not in stated and over is not None:
        put("age_min", over + 1)
    if "age_max" not in stated and at_most is not None:
        put("age_max", at_most)
    elif "age_max" not in stated and under is not None:
        put("age_max", under - 1)
    if not stated & {"age_min", "age_max"}:
        if phrases("teens").found(who):
            put("age_min", TEENS[0])
            put("age_max", TEENS[1])
        elif phrases("older").found(who):
            put("age_min", OLDER_FROM)
        elif phrases("younger").found(who):
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
