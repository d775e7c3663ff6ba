"""Grounded explanations: one short sentence per recommendation that cites its evidence, checked for
faithfulness (`grounding.faithfulness`) before the user sees them. It begins with an opening of the
strongest evidence, in rotation (`grounding.evidence.opening`), and the model writes on from it.

`Explainer.stream` streams the model's tokens, holding back the last few words and checking the text
as it grows, so text that fails the check is not released; on failure it regenerates once (told what
was wrong), then falls back to `template_explanation`, which is faithful by construction. Failures
are counted in `Explainer.stats` and logged.

`explain_stage` writes a turn's explanations at once, `parallel` requests together: llama.cpp
decodes its parallel slots in one batch, which on 2 CPU cores gives about twice the tokens per
second of one request at a time (docs/benchmarks.md). Their events interleave, each tagged with its
pick's index.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from typing import Literal

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage

from recassist.assistant.events import ExplanationEvent, ResetEvent, TokenEvent
from recassist.errors import ModelError
from recassist.grounding.evidence import (
    Reason,
    opening,
    prompt_line,
    spoken_title,
    strongest_first,
    template_explanation,
)
from recassist.grounding.faithfulness import WORD, FaithfulnessChecker
from recassist.llm.backend import LLM_ERRORS
from recassist.llm.checked import Checked, Draft, Problem, Reset, checked_stream
from recassist.llm.prompts import load_prompt, quote
from recassist.retrieval.catalogue import Item, display_title, title_year

log = logging.getLogger(__name__)

HOLD_BACK_WORDS = 6  # words kept unreleased while streaming: a title may still be forming there
# A sentence ends at . ! ? before a capital, but not after an initial or a short title ("L.A.
# Confidential", "Mr. Holland's Opus", "Dr. Strangelove"): cutting there would end the explanation
# inside a film's title.
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bJr)(?<!\bvs)[.!?](?=\s+[A-Z\"“])"
)
MAX_SENTENCES = 1  # one short sentence: five of them are written in a few seconds on 2 cores
_NOTHING = "the model returned nothing"  # no more than the opening it was given


# The note each attempt adds to the prompt: none the first time, what not to do the second.
_NOTES = ("", "Name no other title and state no year or genre that is not in the item's data.")


def _problem_kind(problem: str) -> str:
    """The kind of a faithfulness checker's problem, from its words."""
    if problem.startswith(("names", "quotes")):
        return "title"
    if problem.startswith("cites none"):
        return "uncited"
    if problem.startswith("leaves out the count"):
        return "count"
    for kind in ("year", "tag", "relation", "model error"):
        if kind in problem:
            return kind
    return "empty"


def _typed(problems: Sequence[str]) -> tuple[Problem, ...]:
    """The checker's problems, each with its kind."""
    return tuple(Problem(_problem_kind(p), p) for p in problems)


def _shown(reasons: Sequence[Reason], titles: int = 2) -> list[Reason]:
    """The evidence the model reads: every reason about the strongest `titles` labels, strongest
    first. Fewer lines keep a 1.5B model from listing every title it is given; the check still
    accepts any of the item's evidence."""
    ordered = strongest_first(reasons)
    labels = list(dict.fromkeys(r.label for r in ordered))[:titles]
    return [r for r in ordered if r.label in labels]


def _pieces(model: BaseChatModel, messages: list, **kwargs) -> Iterator[str]:
    """The model's streamed text. LangChain's ValueError for a stream that ends without a chunk
    becomes the model error (`ModelError`), which the explainer answers with a retry, then the
    template."""
    with closing(model.stream(messages, **kwargs)) as stream:
        chunks = iter(stream)
        while True:
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            except ValueError as err:
                raise ModelError(f"the model's stream failed: {err}") from err
            yield chunk.content if isinstance(chunk.content, str) else ""


@dataclass(frozen=True)
class Explanation:
    """The explanation shown, where it came from, and what went wrong before it."""

    text: str
    source: Literal["model", "retry", "template"]
    problems: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()  # the texts of failed attempts, for the logs and the benchmark
    first_token_s: float | None = None
    tokens: int = 0
    generation_s: float = 0.0

    @property
    def faithful_first_try(self) -> bool:
        return self.source == "model"

    @classmethod
    def of(cls, checked: Checked) -> Explanation:
        """The explanation a checked text gives: its problems in words, the time to the first
        token of the first attempt that had one, and the tokens and seconds of all attempts."""
        drafts = checked.drafts
        first = next((d.first_token_s for d in drafts if d.first_token_s is not None), None)
        return cls(
            checked.text,
            checked.source,
            tuple(p.text for p in checked.problems),
            checked.rejected,
            first,
            sum(d.tokens for d in drafts),
            sum(d.seconds for d in drafts),
        )


@dataclass
class ExplainStats:
    first_try: int = 0
    retry: int = 0
    fallback: int = 0
    problems: Counter = field(default_factory=Counter)


StreamEvent = str | Reset | Explanation


class Explainer:
    """Explains recommendations with a chat model; see the module docstring for the protocol."""

    def __init__(
        self, model: BaseChatModel, checker: FaithfulnessChecker, *, max_tokens: int = 40
    ) -> None:
        self.model = model
        self.checker = checker
        self.max_tokens = max_tokens
        self.stats = ExplainStats()
        self._stats_lock = (
            threading.Lock()
        )  # explanations of one turn are written in parallel threads
        self._prompt = load_prompt("explain")
        self._forms = 0  # the next opening form: cards take them in rotation

    def next_forms(self, cards: int = 1) -> int:
        """The first of `cards` consecutive opening forms, taken in rotation: a list's cards begin
        differently, and so do the same item's explanations in later turns."""
        with self._stats_lock:
            first, self._forms = self._forms, self._forms + cards
        return first

    def warm(self, parallel: int) -> None:
        """Put the fixed instructions into each of the model's `parallel` slots at once (llama.cpp
        caches a prompt per slot), so that no turn's explanations wait for them; a failure only
        costs that wait."""
        messages = self._prompt.format_messages(
            evidence="- you liked: a title", item="a title", opening="A title"
        )
        with ThreadPoolExecutor(parallel, thread_name_prefix="explain-warm") as pool:
            for future in [
                pool.submit(self.model.invoke, messages, max_tokens=1) for _ in range(parallel)
            ]:
                try:
                    future.result()
                except LLM_ERRORS as err:
                    log.warning("warming the explanation prompt failed: %s", err)

    def _messages(self, item: Item, reasons: Sequence[Reason], note: str, start: str = "") -> list:
        """The prompt for one item: the stable instructions first (llama.cpp reuses them from its
        cache), then a short per-item part, so that the time to the first token stays low; it ends
        with the answer's first words, `start`, which the model writes on from (llama.cpp continues
        a final assistant message).

        The item's description is left out: an explanation cites evidence, not the catalogue's
        blurb, and a description is where injected instructions hide (the 0.5B model follows "reply
        only ..." there whatever the delimiters say)."""
        facts = quote(display_title(item.title))
        if item.year is not None and title_year(item.title) is None:
            facts += f" ({item.year})"
        if item.tags:
            facts += f"; tags: {quote(', '.join(item.tags))}"
        lines = [f"- {quote(prompt_line(reason))}" for reason in _shown(reasons)]
        evidence = "\n".join(lines) or "- your history as a whole"
        messages = self._prompt.format_messages(item=facts, evidence=evidence, opening=start)
        if note:
            messages[-1].content += f"\n{note}"
        return [*messages, AIMessage(content=start)] if start else messages

    def _release(
        self, text: str, released: int, item: Item, reasons: Sequence[Reason]
    ) -> tuple[int, list[str]]:
        """How far growing `text` can be shown now (all but the last few words, where a title may
        still be forming), and the problems of that part if it fails the check."""
        words = list(WORD.finditer(text))
        if len(words) <= HOLD_BACK_WORDS:
            return released, []
        cut = self.checker.stable_end(text[: words[-HOLD_BACK_WORDS].start()])
        if cut <= released:
            return released, []
        return cut, self.checker.check(text[:cut], item, reasons, complete=False)

    def _attempt(
        self, item: Item, reasons: Sequence[Reason], note: str, temperature: float, begin: str
    ) -> Generator[str, None, Draft]:
        """Checked text as it is released, from the opening `begin` on; returns the attempt's draft
        (its text, problems and cost)."""
        text, released, tokens, first = begin, 0, 0, None
        start = time.perf_counter()
        problems: list[str] = []
        messages = self._messages(item, reasons, note, begin)
        cut, problems = self._release(text, released, item, reasons)
        if problems:  # an opening that fails the check (a hostile title): no model, the template
            return Draft(text, _typed(problems), None, 0, time.perf_counter() - start)
        if cut > released:  # the opening is shown before the model starts
            yield text[released:cut]
            released = cut
        options = {"max_tokens": self.max_tokens, "temperature": temperature, "stop": ["\n"]}
        # closing() ends the model's generation as soon as this loop stops reading
        with closing(_pieces(self.model, messages, **options)) as stream:
            for piece in stream:
                if not piece:
                    continue
                if first is None:
                    first = time.perf_counter() - start
                tokens += 1
                text += piece
                ends = list(_SENTENCE_END.finditer(text))
                if len(ends) >= MAX_SENTENCES:  # a further sentence has begun: keep the first ones
                    text = text[: ends[MAX_SENTENCES - 1].end()]
                    break
                cut, problems = self._release(text, released, item, reasons)
                if problems:
                    break
                if cut > released:
                    yield text[released:cut]
                    released = cut
        text = text.strip()
        if not problems:  # the opening alone ("Near what TMDb says of X, Heat") says nothing
            said = text.rstrip(" .,;:") != begin.strip().rstrip(" .,;:")
            problems = self.checker.check(text, item, reasons) if said else [_NOTHING]
            if not problems and len(text) > released:
                yield text[released:]
        return Draft(text, _typed(problems), first, tokens, time.perf_counter() - start)

    def stream(
        self,
        item: Item,
        reasons: Sequence[Reason],
        temperature: float = 0.2,
        form: int | None = None,
    ) -> Iterator[StreamEvent]:
        """Text chunks as they pass the check, `Reset` when an attempt fails after some text was
        released, and finally the `Explanation` shown (`llm.checked`: the model, once more told
        what not to do, else the template). Both begin in the card's `form` (default: the next in
        rotation): the model writes on from that opening of the strongest evidence.
        """
        which = self.next_forms() if form is None else form
        begin = quote(opening(item, reasons, which))
        if not begin or self.checker.check(begin, item, reasons, complete=False):
            begin = quote(spoken_title(item.title))  # evidence that fails the check opens nothing

        def attempt(number: int, _before: Sequence[Problem]) -> Generator[str, None, Draft]:
            heat = temperature if number == 0 else 0.7
            return self._attempt(item, reasons, _NOTES[number], heat, begin)

        checked = yield from checked_stream(
            attempt, lambda: template_explanation(item, reasons, which), len(_NOTES)
        )
        with self._stats_lock:
            self.stats.first_try += checked.source == "model"
            self.stats.retry += checked.source == "retry"
            self.stats.fallback += checked.source == "template"
            self.stats.problems.update(p.kind for p in checked.problems)
        for draft in checked.drafts:
            if draft.problems:
                log.warning(
                    "explanation of %s failed the faithfulness check: %s",
                    item.item_id,
                    "; ".join(p.text for p in draft.problems),
                )
        yield Explanation.of(checked)

    def explain(
        self,
        item: Item,
        reasons: Sequence[Reason],
        temperature: float = 0.2,
        form: int | None = None,
    ) -> Explanation:
        """The final explanation, without streaming it."""
        for event in self.stream(item, reasons, temperature, form):
            if isinstance(event, Explanation):
                return event
        raise AssertionError("Explainer.stream ended without an Explanation")


def explanation_events(
    explainer: Explainer | None,
    index: int,
    item: Item,
    reasons: Sequence[Reason],
    form: int | None = None,
) -> Generator[TokenEvent | ResetEvent | ExplanationEvent, None, Explanation]:
    """The explain stage for the pick at `index`: its streamed tokens, resets and final explanation
    as turn events, in opening `form` (default: the card's index); the template (instant,
    faithful by construction) when there is no explainer."""
    form = index if form is None else form
    if explainer is None:
        text = template_explanation(item, reasons, form)
        yield TokenEvent(index=index, text=text)
        explanation = Explanation(text, "template")
    else:
        explanation = None
        for event in explainer.stream(item, reasons, form=form):
            if isinstance(event, Explanation):
                explanation = event
            elif isinstance(event, Reset):
                yield ResetEvent(index=index)
            else:
                yield TokenEvent(index=index, text=event)
        assert explanation is not None, "Explainer.stream always ends with an Explanation"
    yield ExplanationEvent(index=index, text=explanation.text, source=explanation.source)
    return explanation


ExplainEvents = Generator[TokenEvent | ResetEvent | ExplanationEvent, None, list[Explanation]]
_FINISHED = object()


def explain_stage(
    explainer: Explainer | None, picks: Sequence[tuple[Item, Sequence[Reason]]], parallel: int
) -> ExplainEvents:
    """The explain stage for a turn's picks, `parallel` of them written at once; returns the
    explanations in pick order. Closing the generator early (a client that left) stops every
    explanation still being written, at its next token.

    The cards take consecutive opening forms (`Explainer.next_forms`): they begin differently."""
    offset = explainer.next_forms(len(picks)) if explainer is not None else 0
    if explainer is None or parallel <= 1 or len(picks) <= 1:
        explained = []
        for index, (item, reasons) in enumerate(picks):
            steps = explanation_events(explainer, index, item, reasons, offset + index)
            explained.append((yield from steps))
        return explained
    events: queue.Queue = queue.Queue()
    stop = threading.Event()
    explained: dict[int, Explanation] = {}

    def write(index: int, item: Item, reasons: Sequence[Reason]) -> None:
        steps = explanation_events(explainer, index, item, reasons, offset + index)
        try:
            while not stop.is_set():
                try:
                    events.put(next(steps))
                except StopIteration as end:
                    explained[index] = end.value
                    return
        finally:
            steps.close()
            events.put((_FINISHED, index))

    with ThreadPoolExecutor(min(parallel, len(picks)), thread_name_prefix="explain") as pool:
        writers = [pool.submit(write, i, item, reasons) for i, (item, reasons) in enumerate(picks)]
        finished = 0
        try:
            while finished < len(picks):
                event = events.get()
                if isinstance(event, tuple):  # a writer ended: a bug in it is raised in the turn
                    finished += 1
                    writers[event[1]].result()
                else:
                    yield event
        finally:
            stop.set()
    return [explained[index] for index in range(len(picks))]
