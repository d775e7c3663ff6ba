"""The planning stage: one chat message -> a typed `TurnRequest`.

The deterministic parser reads the message first; when it understands every word of it (titles,
tags, years, counts, positions, intent cues and filler: `assistant.parser.unread`), its request is
the plan and the turn does not wait for the LLM. Otherwise the LLM writes the request under its JSON
schema (constrained decoding, `llm.structured`) and pydantic validates it, and what the parser
found in so many words
(a "why", an ordinal, "not horror") always holds over the model's reading. When the LLM's plan
fails, the parser's request is the plan. A standing exclusion is lifted only by the user's own
words.

The model's reading is trusted only where the message bears it out: a seed title it gives must be
named in the message (or, for a message in another script, be a catalogue title exactly, a
translation, and none of the items shown last, whose titles the prompt lists), so the prompt's own
examples never become seeds, and must be no description ("romantic comedies from the nineties" is
tags and years, not a title the catalogue lacks); more than three wanted tags that the user did not
name are dropped as a guess, and so is a year no number in the message names (`named_years`: the
model read "the 1970s" into "something like The Godfather but lighter"), and so is a list position
where the message has no number or the intent points at no shown item (the model pointed "forget the
90s, something uplifting" at the 4th item shown). In an English message the model's mood keeps only
the message's own words (`language.detect`): "comedy" read into "a movie about con artists" would
be cited as asked for; in another language the mood is the model's translation. What the parser alone reads (tags that must all be
there, "the last ... movie", a count) comes from the parser. The model's schema is short
(`request_schema`): every field it writes costs the plan time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from langchain_core.language_models.chat_models import BaseChatModel

from recassist.assistant.admission import ModelGate
from recassist.assistant.events import Planner as PlannerName
from recassist.assistant.parser import parse, unread, wanted
from recassist.assistant.request import (
    GUESSED_TAGS_FROM,
    PARSER_ONLY,
    POINTING,
    Intent,
    TurnRequest,
    request_schema,
)
from recassist.assistant.session import SessionMemory
from recassist.language.detect import language_of
from recassist.language.tags import TagMatcher
from recassist.llm.prompts import load_prompt, quote
from recassist.llm.structured import SchemaPlanner
from recassist.retrieval.catalogue import Catalogue, title_key
from recassist.retrieval.wording import tokens, word_forms

log = logging.getLogger(__name__)
PLAN_WAIT_S = (
    0.3  # the longest a plan waits for the model: the first card must not wait behind other turns
)
ENGLISH = 0.9  # how sure the language detector must be that a message is English


@dataclass(frozen=True)
class Plan:
    request: TurnRequest
    planner: PlannerName


_NUMBER = re.compile(r"(?<!\d)(\d{4}|\d{2})(?!\d)")


def named_years(message: str) -> list[tuple[int, int]]:
    """The years a message's numbers can name, as ranges: "1970" is 1969-1971 (a year before or
    after it: "before 1970" ends in 1969), "80" or "1980" a decade (1979-1990, "des années 80"). "a
    10 year old" names 1909-1920 and 2009-2020, so a model that turns it into the 1980s is not borne
    out."""
    ranges = []
    for match in _NUMBER.finditer(message):
        number = int(match.group())
        bases = (
            [number]
            if number >= 1000
            else [1900 + number, *([2000 + number] if number < 30 else [])]
        )
        for base in bases:
            ranges.append((base - 1, base + 10) if base % 10 == 0 else (base - 1, base + 1))
    return ranges


class Planner:
    def __init__(
        self,
        catalogue: Catalogue,
        tags: TagMatcher,
        model: BaseChatModel | None,
        gate: ModelGate,
        *,
        use_llm: bool = True,
    ) -> None:
        self.catalogue, self.tags, self.gate = catalogue, tags, gate
        self.model = model if use_llm else None
        self._prompt = load_prompt("plan")
        # the model's schema is short (`request_schema`): every field it writes costs the plan time
        self._schema = (
            SchemaPlanner(self.model, TurnRequest, "turn_request", 200, request_schema())
            if self.model is not None
            else None
        )

    def read(self, message: str) -> tuple[TurnRequest, list[str]]:
        """The parser's request, and the words of the message it read as nothing (`unread`): with
        some, the model should plan too (`asks_model`)."""
        own_words = unread(message, self.tags, self.catalogue.title_spans)
        return parse(message, self.tags, self.catalogue.title_spans, own_words), own_words

    def asks_model(self, own_words: list[str]) -> bool:
        """Whether a message with these unread words is for the model to plan too."""
        return self.model is not None and bool(own_words)

    def plan(self, session: SessionMemory, message: str) -> Plan:
        """The plan of one message: the parser's when it read every word or the model is not free
        within `PLAN_WAIT_S`, else the model's (`plan_with_model`)."""
        parsed, own_words = self.read(message)
        if not self.asks_model(own_words):
            return Plan(
                parsed, "parser"
            )  # no model, or the parser understood every word: no LLM wait
        with self.gate.slot(PLAN_WAIT_S) as admitted:
            return (
                self.plan_with_model(session, message, parsed)
                if admitted
                else Plan(parsed, "parser")
            )

    def plan_with_model(self, session: SessionMemory, message: str, parsed: TurnRequest) -> Plan:
        """The model's plan reconciled with the parser's `parsed`; `parsed` itself when the model's
        plan fails. The caller holds the model's admission slot (`ModelGate`)."""
        assert self._schema is not None, "plan_with_model needs a model"
        items = self.catalogue.items
        shown = (
            "; ".join(
                f"{i}. {quote(items[x].title, 80)}" for i, x in enumerate(session.last_shown, 1)
            )
            or "none"
        )
        messages = self._prompt.format_messages(
            tags=", ".join(self.tags.tags[:60]), shown=shown, message=quote(message, 500)
        )
        shown_ids = set(session.last_shown)
        planned = self._schema.plan(
            messages,
            parsed,
            lambda plan: self.reconcile(self._grounded(plan, message, parsed, shown_ids), parsed),
        )
        if planned.planner != "llm":
            return Plan(parsed, "parser")
        request = planned.plan
        lifted = [
            t
            for t in request.include_tags
            if t in session.excluded and t not in parsed.include_tags
        ]
        if lifted:
            request = request.model_copy(
                update={"include_tags": [t for t in request.include_tags if t not in lifted]}
            )
        return Plan(request, "llm")

    def _grounded(
        self, planned: TurnRequest, message: str, parsed: TurnRequest, shown: set[str] = frozenset()
    ) -> TurnRequest:
        """The model's plan without what the message does not bear out (see the module docstring). A
        translated title is taken only when it is none of the `shown` items, whose titles the prompt
        lists."""
        words = f" {title_key(message)} "
        foreign = bool(re.search(r"[^\x00-\x7f]", message))
        translated = lambda title: (
            (item := self.catalogue.exact_title(title)) is not None and item not in shown
        )  # noqa: E731
        seeds = [
            t
            for t in planned.seed_titles
            if (key := title_key(t))
            and (f" {key} " in words or (foreign and translated(t)))
            and not self._description(t, message, parsed)
        ]
        include = planned.include_tags if len(planned.include_tags) < GUESSED_TAGS_FROM else []
        borne = self._borne_tags(message)
        include = [t for t in include if borne is None or self.tags.canonical(t) in borne]
        exclude = [
            t for t in planned.exclude_tags if borne is None or self.tags.canonical(t) in borne
        ]
        named = named_years(message)
        stated = lambda year: (
            year if year is not None and any(low <= year <= high for low, high in named) else None
        )  # noqa: E731
        return planned.model_copy(
            update={
                "seed_titles": seeds,
                "include_tags": include,
                "exclude_tags": exclude,
                "year_min": stated(planned.year_min),
                "year_max": stated(planned.year_max),
                "mood": _said(planned.mood, message),
                # a position the parser did not read: only where one matters, and a number in the
                # message says it
                "refers_to": planned.refers_to
                if planned.intent in POINTING and re.search(r"\d", message)
                else None,
            }
        )

    def _borne_tags(self, message: str) -> set[str] | None:
        """The tags a guess of the model's may name for an English message: those of which a kind
        of film its words name (the catalogue's concepts, by words or meaning) is mostly made
        ("spaceships" names science fiction). Any other is a guess ("french films" is no film noir,
        "not too scary" no drama), and a guessed tag would filter the list. None (any tag) without
        concepts to check against, or in a message surely in another language, where the model's
        reading is the translation."""
        concepts = self.catalogue.concepts
        code, probability = language_of(message)
        if concepts is None or (code != "en" and probability >= ENGLISH):
            return None
        items, borne = self.catalogue.items, set()
        for match in concepts.match(message):
            members = [items[i] for i in match.concept.members if i in items]
            tags = {t for i in members for t in i.tags}
            borne |= {t for t in tags if sum(t in i.tags for i in members) >= 0.5 * len(members)}
        return borne

    def _description(self, seed: str, message: str, parsed: TurnRequest) -> bool:
        """Whether a seed the model gave is no title but a description of what is wanted: not a
        catalogue title, and either nothing but words the parser reads (tags, years, lengths, counts, filler:
        "romantic comedies from the nineties"), or the whole message when the parser read tags or
        years in it, or words the user wrote in lower case ("a feel-good movie for a rainy sunday"
        names no "Rainy Sunday")."""
        if self.catalogue.exact_title(seed):
            return False
        if not unread(seed, self.tags):
            return True
        described = (
            parsed.include_tags
            or parsed.all_tags
            or parsed.exclude_tags
            or parsed.year_min
            or parsed.year_max
            or parsed.minutes_min
            or parsed.minutes_max
        )
        if described and title_key(seed) == title_key(message):
            return True
        # a title the catalogue lacks is one the user wrote as a name ("Inception"), not "a rainy
        # sunday"
        written = re.search(re.escape(seed), message, re.IGNORECASE)
        # ("dry British humour" starts in lower case: a description, whatever its proper nouns)
        lower = written is not None and not any(c.isupper() for c in written.group())
        return lower or (written is not None and written.group()[:1].islower())

    def reconcile(self, planned: TurnRequest, parsed: TurnRequest) -> TurnRequest:
        """The LLM's plan, with the explicit cues the parser found taking precedence."""
        intent = (
            parsed.intent
            if parsed.intent in POINTING or planned.intent in POINTING
            else planned.intent
        )
        if (
            parsed.intent is Intent.refine
            and planned.intent is Intent.recommend
            and not planned.seed_titles
        ):
            intent = Intent.refine
        canon = lambda tags: [c for t in tags if (c := self.tags.canonical(t))]  # noqa: E731
        exclude = list(
            dict.fromkeys(
                parsed.exclude_tags
                + [t for t in canon(planned.exclude_tags) if t not in parsed.include_tags]
            )
        )
        named = (
            parsed.include_tags or parsed.all_tags
        )  # "a romantic comedy": the parser's reading holds
        include = [
            t
            for t in dict.fromkeys(parsed.include_tags if named else canon(planned.include_tags))
            if t not in exclude
        ]
        return TurnRequest(
            intent=intent,
            seed_titles=parsed.seed_titles or planned.seed_titles,
            refers_to=parsed.refers_to if parsed.refers_to is not None else planned.refers_to,
            include_tags=include,
            all_tags=[t for t in parsed.all_tags if t not in exclude],
            **parsed.model_dump(
                include=set(PARSER_ONLY) - {"all_tags"}
            ),  # what the user lifts or drops
            exclude_tags=exclude,
            year_min=parsed.year_min if parsed.year_min is not None else planned.year_min,
            year_max=parsed.year_max if parsed.year_max is not None else planned.year_max,
            mood=_both(_against(planned.mood, parsed.milder, self.tags), parsed.mood),
            feedback=parsed.feedback or planned.feedback if intent is Intent.feedback else None,
            **{  # the last source that set a count wins (the parser's)
                "count": source.count  # noqa: B035
                for source in (planned, parsed)
                if "count" in source.model_fields_set
            },
        )


def _said(mood: str | None, message: str, sure: float = ENGLISH) -> str | None:
    """The model's mood, held to the words of an English message: "comedy" read into "a movie
    about con artists" would pick comedies and explain each as what was asked for. In another
    language (or where the language is unsure) the mood is the model's translation, and kept."""
    if not mood:
        return mood
    code, probability = language_of(message)
    if code != "en" or probability < sure:
        return mood
    said = _words(message)
    return " ".join(w for w in mood.split() if _words(w) and _words(w) <= said) or None


def _against(mood: str | None, wishes: list[str], tags: TagMatcher) -> str | None:
    """The model's mood without what the user asked not to have: negated tags ("not horror")
    and the words of wishes against something ("nothing too violent": the model wrote "violent
    a thriller")."""
    if not mood:
        return mood
    against = _words(" ".join(wishes))
    kept = " ".join(w for w in wanted(mood, tags).split() if not _words(w) & against)
    return kept or None


def _words(text: str) -> set[str]:
    """The words of `text` as concepts match them (`retrieval.concepts.word_forms`)."""
    return {w for token in tokens(text) if token[0].isalnum() for w in word_forms(token)}


def _both(planned: str | None, parsed: str | None) -> str | None:
    """The model's short mood, then the user's own words it left out: the model's 60 characters
    never drop a described wish ("dry British humour") silently. A mood of nothing but the user's
    own words is theirs, in their order: the model wrote "down feeling" for "feeling down today",
    which no longer reads as a feeling."""
    if not parsed or not planned:
        return planned or parsed
    if _words(planned) <= _words(parsed):
        return parsed
    own = [w for w in parsed.split() if w.lower() not in planned.lower()]
    return " ".join([planned, *own])[:200] if own else planned
