"""Marketer questions in words -> a typed query -> a checked answer (table, chart, summary).

`MarketerAssistant.answer(question, principal)` is the one entry point (the Marketer tab calls it,
the chat agent can route a marketer intent to it):

1. The question is scrubbed of identifiers (`audiences.privacy`), then read twice: the local LLM
   fills a flat JSON plan under a JSON schema (`QuestionPlan`), and a deterministic parser reads the
   same words. What the parser finds in so many words (a gender, an age range, a tag, a measure
   keyword) wins over the model's reading; the model only fills what the parser left open. With no
   model, the parser plans. Titles the question names ("who likes Star Wars?") are read first, with
   the catalogue's title matcher, and become the items the segment interacted with; only the parser
   names items.
2. The plan becomes a typed `MarketerQuery` (segment, base, measure, breakdown, period) over the
   data set's real attributes and tags, and runs through `Audiences`, so every number is a
   privacy-protected release.
3. The summary: the LLM's two sentences, accepted only when every number in them is a number of the
   table (or of the question) and every tag it names is in the table; otherwise a template summary
   built from the table. The same idea as the explanation check in `assistant.faithfulness`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from recassist.audiences.charts import figure_json
from recassist.audiences.guide import EXAMPLES, help_table, segment_guide
from recassist.audiences.parser import (
    PROFILE,
    QuestionMeasure,
    QuestionParser,
    QuestionPlan,
    gender_values,
    names_everyone,
    place_named,
    reconcile,
    split_compare,
)
from recassist.audiences.segments import EVERYONE, And, Attribute, Item, Segment, Tag
from recassist.audiences.service import Audiences
from recassist.audiences.summaries import (
    check_summary,
    noise_only,
    table_text,
    template_summary,
)
from recassist.audiences.tables import AudienceTable
from recassist.errors import SensitiveCategoryError
from recassist.llm.checked import Problem, checked_text
from recassist.llm.prompts import load_prompt, quote
from recassist.llm.structured import SchemaPlanner
from recassist.settings import AudienceConfig

log = logging.getLogger(__name__)


class MarketerQuery(BaseModel):
    """A typed marketer query: who (segment, against base), what (measure, breakdown), when
    (period)."""

    model_config = ConfigDict(extra="forbid")

    measure: QuestionMeasure = "affinity"
    segment: Segment = EVERYONE
    base: Segment = EVERYONE
    by: str = "tag"
    tag: str | None = None
    category: str | None = None
    period: Literal["week", "month", "quarter"] = "month"
    last_months: int | None = None


class MarketerAnswer(BaseModel):
    question: str
    query: MarketerQuery | None = Field(
        description="None when the question named no segment or measure: the "
        "table is then a guide (measure 'help' or 'segments') and nothing was charged"
    )
    planned_by: Literal["llm", "parser"]
    table: AudienceTable
    chart: dict = Field(description="a Plotly figure as JSON")
    summary: str
    summary_source: Literal["model", "template"]


# ---------------------------------------------------------------- the assistant


class MarketerAssistant:
    """Question in words -> checked answer, over one `Audiences`; the model is optional."""

    def __init__(
        self,
        audiences: Audiences,
        model=None,
        config: AudienceConfig | None = None,
        find_title: Callable[[str], str | None] | None = None,
    ) -> None:
        self.audiences, self.model = audiences, model
        self.config = config or audiences.config
        self.parser = QuestionParser(audiences, find_title)
        self._plan_prompt = load_prompt("marketer_plan")
        self._summary_prompt = load_prompt("marketer_summary")

    def plan(self, question: str) -> tuple[QuestionPlan, str]:
        parsed, stated = self.parser.parse(question)
        if self.model is None or not self.config.llm_questions:
            return parsed, "parser"
        p = self.audiences.population
        messages = self._plan_prompt.format_messages(
            tags=", ".join(p.tags[:60]),
            attributes=", ".join(self.parser.attributes[:20]),
            question=quote(question, 500),
        )
        planner = SchemaPlanner(self.model, QuestionPlan, "marketer_query", 160)
        planned = planner.plan(messages, parsed, lambda plan: reconcile(plan, parsed, stated))
        return planned.plan, planned.planner

    def to_query(self, plan: QuestionPlan) -> tuple[MarketerQuery, list[str]]:
        """The typed query for `plan` over this data set's attributes and tags, and notes on what
        was dropped."""
        p = self.audiences.population
        notes: list[str] = []
        tag_names = {t.lower(): t for t in p.tags}
        measure = plan.measure or "affinity"
        segment = self._segment(
            notes,
            gender=plan.gender,
            ages=(plan.age_min, plan.age_max),
            occupation=plan.occupation,
            tags=[tag_names[t.lower()] for t in plan.interest_tags if t.lower() in tag_names],
            items=plan.interest_items,
        )
        base = EVERYONE
        if plan.base_gender or plan.base_occupation:  # "... compared to men", "to programmers"
            base = self._segment(notes, gender=plan.base_gender, occupation=plan.base_occupation)
        columns = {*p.attributes.columns, *self.audiences.vocabulary.attributes}  # "age_band"
        by = plan.by if plan.by in (PROFILE, "tag", "item", *columns) else "tag"
        tag = tag_names.get((plan.trend_tag or "").lower())  # none: which interests rose
        query = MarketerQuery(
            measure=measure,
            segment=segment,
            base=base,
            by=by,
            tag=tag,
            category=plan.category,
            period=plan.period or "month",
            last_months=plan.last_months,
        )
        return query, notes

    def _segment(
        self,
        notes: list[str],
        *,
        gender: str | None = None,
        ages: tuple[int | None, int | None] = (None, None),
        occupation: str | None = None,
        tags: Sequence[str] = (),
        items: Sequence[str] = (),
    ) -> Segment:
        """The segment of people with all these traits; a trait the data set cannot hold is left
        out with a note."""
        p = self.audiences.population
        columns, parts = set(p.attributes.columns), []
        if gender and "gender" not in columns:
            notes.append(
                f"'{p.dataset}' has no gender attribute: the gender in the question was not applied"
            )
        elif gender:
            forms = set(gender_values()[gender])
            values = {v for v in p.attributes["gender"].astype(str).unique() if v.lower() in forms}
            parts.append(Attribute(field="gender", values=sorted(values) or [gender]))
        if ages != (None, None) and "age" not in columns:
            notes.append(f"'{p.dataset}' has no age attribute: the age range was not applied")
        elif ages != (None, None):
            parts.append(Attribute(field="age", min=ages[0], max=ages[1]))
        if occupation and self.parser.occupation_column:
            parts.append(Attribute(field=self.parser.occupation_column, values=[occupation]))
        parts += [Tag(tag=t) for t in tags] + [Item(item_id=i) for i in items]
        if not parts:
            return EVERYONE
        return parts[0] if len(parts) == 1 else And(parts=parts)

    def run(self, query: MarketerQuery, principal: str) -> AudienceTable:
        a = self.audiences
        if query.measure == "size":
            return a.size(principal, query.segment)
        if query.measure == "trend" and not query.tag:  # "which genres are trending?"
            return a.rising(principal, query.segment, query.last_months)
        if query.measure == "trend":
            return a.trend(
                principal, query.segment, query.tag or "", query.period, query.last_months
            )
        if query.measure == "sentiment":
            return a.sentiment(principal, query.segment, query.base, query.category)
        if query.measure == "clusters":
            return a.clusters(principal, query.segment)
        if query.measure == "lookalike":
            return a.lookalike(principal, query.segment)
        by = query.by
        if by == PROFILE:
            held = (
                a.vocabulary.attributes
            )  # the released attributes: age in bands on every data set
            by = next(
                (c for c in ("age_band", "gender", self.parser.occupation_column) if c in held),
                "tag",
            )
        return a.affinity(principal, query.segment, query.base, by)

    def summarise(self, question: str, table: AudienceTable) -> tuple[str, str]:
        """The table in words: the model's summary when it passes its check (one attempt), else the
        template's; and which of the two it is."""
        if self.model is None or not self.config.llm_summaries or not table.rows:
            return template_summary(table), "template"
        if noise_only(table):  # nothing to report but the noise: the template says that
            return template_summary(table), "template"
        messages = self._summary_prompt.format_messages(
            question=quote(question, 300), table=quote_table(table)
        )
        tags = self.audiences.population.tags

        def write(number: int, before: Sequence[Problem]) -> str:
            return str(self.model.invoke(messages, max_tokens=90, temperature=0.0).content)

        def check(text: str) -> list[Problem]:
            return [Problem("summary", p) for p in check_summary(text, table, question, tags)]

        done = checked_text(write, check, lambda: template_summary(table), attempts=1)
        return done.text, "model" if done.source != "template" else "template"

    def refuse_sensitive(self, question: str) -> None:
        """Refuse a question that names a sensitive category, before it is planned: answering it for
        a broader segment (the term dropped) would answer a different question without saying so."""
        term = self.audiences.guard.sensitive_term(question)
        if term is not None:
            raise SensitiveCategoryError(
                f"the question touches a sensitive category ({term}): health, religion, politics, "
                "sexuality and "
                "ethnicity are never a segment or an interest, so it is not answered, not even "
                "for a broader "
                f"segment; ask about other attributes, e.g. '{EXAMPLES[0]}'"
            )

    def guide(self, question: str, plan: QuestionPlan, principal: str) -> AudienceTable | None:
        """A table that releases nothing (free) when the plan is not a query: the segments asked
        for, or help when the question names a place or no segment, interest or analysis at all."""
        a = self.audiences
        question = self.parser.without_titles(question)  # "City Hall" is a film, not a place
        if plan.measure == "segments":
            return segment_guide(a.population, self.config, a.guard.remaining(principal))
        if found := place_named(question):
            reason = (
                f"'{found}': places and zip codes are not a segment a question can name (they "
                "narrow "
                "people down to a few)"
            )
        elif not _names_something(plan, split_compare(question)[0]):
            reason = (
                "the question names no segment, interest or analysis this data set has, so there "
                "is no query to run"
            )
        else:
            return None
        return help_table(reason, a.guard.remaining(principal))

    def answer(self, question: str, principal: str) -> MarketerAnswer:
        """Plan, run through the privacy gate, chart, summarise and check. Refusals
        (`PrivacyRefusal`: a sensitive category in the question included) and unanswerable questions
        (`QueryError`) propagate with their reason; a question that is not a query gets a free guide
        table (`guide`)."""
        question = self.audiences.guard.scrub(question.strip())[:500]
        self.refuse_sensitive(question)
        plan, planned_by = self.plan(question)
        guide = self.guide(question, plan, principal)
        if guide is not None:
            return MarketerAnswer(
                question=question,
                query=None,
                planned_by=planned_by,
                table=guide,
                chart=figure_json(guide),
                summary=template_summary(guide),
                summary_source="template",
            )
        query, notes = self.to_query(plan)
        table = self.run(query, principal)
        if notes:
            table = table.model_copy(update={"notes": [*table.notes, *notes]})
        summary, source = self.summarise(question, table)
        return MarketerAnswer(
            question=question,
            query=query,
            planned_by=planned_by,
            table=table,
            chart=figure_json(table),
            summary=summary,
            summary_source=source,
        )


_CRITERIA = (
    "gender",
    "age_min",
    "age_max",
    "occupation",
    "trend_tag",
    "category",
    "base_gender",
    "base_occupation",
)


def _names_something(plan: QuestionPlan, who: str) -> bool:
    """Whether the plan holds a segment criterion, an interest or an analysis that needs none, or
    the question's subject (`who`, the words before any "compared to") is everyone in so many words.
    """
    return (
        any(getattr(plan, field) is not None for field in _CRITERIA)
        or bool(plan.interest_tags or plan.interest_items)
        or plan.measure in ("trend", "sentiment", "clusters", "lookalike")
        or names_everyone(who)
    )


def quote_table(table: AudienceTable) -> str:
    """The table's first rows as tab-separated lines, each line quoted as data."""
    return "\n".join(quote(line, 300) for line in table_text(table).splitlines())
