"""Grounded explanations: one or two sentences per recommendation that cite its evidence, checked for
faithfulness before the user sees them.

- `Item` is a catalogue item (title, tags, year); `Reason` is one piece of evidence in plain words (a
  history item, someone followed, similar users, popularity). `reasons_from_evidence` turns the candidate
  generators' `Evidence` into reasons.
- `FaithfulnessChecker.check(text, item, reasons)` lists the problems of an explanation: a catalogue title
  that is neither the item nor in its evidence, a quoted title that matches nothing allowed, a year or a
  tag that the item and its evidence do not have, and (once complete) citing none of its evidence.
- `Explainer.stream` streams the model's tokens, holding back the last few words and checking the text
  as it grows, so text that fails the check is not released; on failure it regenerates once (told what
  was wrong), then falls back to `template_explanation`, which is faithful by construction. Failures are
  counted in `Explainer.stats` and logged.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from contextlib import closing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.llm import LLM_ERRORS
from assistant.prompts import load_prompt, quote
from retrieval.generators.base import Evidence, EvidenceKind

log = logging.getLogger(__name__)

HOLD_BACK_WORDS = 6  # words kept unreleased while streaming: a title may still be forming there
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_TITLE_YEAR = re.compile(r"\s*\((\d{4})\)\s*$")
_ARTICLE = re.compile(r"^(.*), (The|A|An|Les|La|Le|Il|Das|Der|Die|El)$")
_LEADING_ARTICLE = re.compile(r"^(the|a|an) ")
_POSSESSIVE = re.compile(r"['’]s$")
_QUOTED = re.compile(r"[\"“”*]([A-Z0-9][^\"“”*\n]{1,80})[\"“”*]")
_WORD = re.compile(r"[\w'’:&.-]+")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\"“])")
MAX_SENTENCES = 2
# Surface forms of common catalogue tags beyond the tag itself and its plural.
TAG_ALIASES: dict[str, tuple[str, ...]] = {
    "sci-fi": ("science fiction", "science-fiction", "scifi"),
    "animation": ("animated",),
    "comedy": ("comedies", "comedic"),
    "romance": ("romantic",),
    "film-noir": ("noir",),
    "documentary": ("documentaries",),
    "drama": ("dramas", "dramatic"),
    "children's": ("children", "kids"),
    "musical": ("musicals",),
    "mystery": ("mysteries",),
    "fantasy": ("fantasies",),
}


@dataclass(frozen=True)
class Item:
    """A catalogue item as explanations need it; its description is not needed: see `Explainer._messages`."""

    item_id: str
    title: str
    tags: tuple[str, ...] = ()
    year: int | None = None


@dataclass(frozen=True)
class Reason:
    """One piece of evidence in plain words; `item` is set when it is a catalogue item (a history item)."""

    kind: EvidenceKind
    label: str
    item: Item | None = None


def reasons_from_evidence(
    evidence: Sequence[Evidence], items: Mapping[str, Item], *, user_names: Mapping[str, str] | None = None, limit: int = 3
) -> list[Reason]:
    """The generators' evidence for one recommended item as at most `limit` reasons, strongest first.

    `items` maps item ids to catalogue items (for history evidence); `user_names` maps user ids to display
    names (followed users; a pseudonym is shown otherwise). Neighbour users are summarised in one reason.
    """
    reasons: list[Reason] = []
    neighbours = 0
    for ev in sorted(evidence, key=lambda e: -e.contribution):
        if ev.kind in ("history_item", "similar_text") and ev.source in items:
            reasons.append(Reason(ev.kind, items[ev.source].title, items[ev.source]))
        elif ev.kind == "followed_user":
            reasons.append(Reason(ev.kind, (user_names or {}).get(ev.source, f"user {ev.source}")))
        elif ev.kind == "neighbour_user":
            neighbours += 1
        elif ev.kind == "popular":
            reasons.append(Reason(ev.kind, "it is popular with other users right now"))
    unique = list(dict.fromkeys(reasons))[:limit]
    if neighbours and len(unique) < limit:
        unique.append(Reason("neighbour_user", f"{neighbours} users with tastes like yours"))
    return unique


def _base_title(title: str) -> str:
    """'Godfather, The (1972)' -> 'the godfather': the form a sentence uses, lower case."""
    base = _TITLE_YEAR.sub("", title).strip()
    match = _ARTICLE.match(base)
    if match:
        base = f"{match.group(2)} {match.group(1)}"
    return " ".join(base.lower().split())


def _title_forms(title: str) -> set[str]:
    """The normalised title, and without its leading article ('the godfather' and 'godfather'); an
    asterisk counts as a space ('m a s h' for 'M*A*S*H'), as it does in the text checked."""
    base = " ".join(_base_title(title).replace("*", " ").split())
    short = _LEADING_ARTICLE.sub("", base)
    return {base, short} if short else {base}


def display_title(title: str) -> str:
    """'Godfather, The (1972)' -> 'The Godfather (1972)': the catalogue's sorting form as people say it."""
    year = _TITLE_YEAR.search(title)
    base = _TITLE_YEAR.sub("", title).strip()
    match = _ARTICLE.match(base)
    if match:
        base = f"{match.group(2)} {match.group(1)}"
    return f"{base} ({year.group(1)})" if year else base


def _title_year(title: str) -> int | None:
    match = _TITLE_YEAR.search(title)
    return int(match.group(1)) if match else None


class FaithfulnessChecker:
    """Checks explanations against the catalogue: its titles (as n-grams of words) and its tag vocabulary."""

    def __init__(self, titles: Iterable[str], tags: Iterable[str]) -> None:
        self._titles = {form for t in titles for form in _title_forms(t)} - {""}
        self._max_words = max((len(t.split()) for t in self._titles), default=1)
        self._tag_forms: dict[str, str] = {}
        for tag in {t.strip().lower() for t in tags if t.strip()}:
            for form in (tag, tag + "s", *TAG_ALIASES.get(tag, ())):
                self._tag_forms[form] = tag

    def _title_spans(self, text: str) -> list[tuple[int, int, str]]:
        """Catalogue titles named in `text` as (start, end, normalised title), longest match first.

        A span must start with a capital letter or a digit; a one-word title at a sentence start is skipped
        (it reads as an ordinary word there)."""
        words = list(_WORD.finditer(text))
        spans, i = [], 0
        while i < len(words):
            found = None
            if words[i].group()[0].isupper() or words[i].group()[0].isdigit():
                for n in range(min(self._max_words, len(words) - i), 0, -1):
                    start, end = words[i].start(), words[i + n - 1].end()
                    candidate = _POSSESSIVE.sub("", " ".join(text[start:end].lower().rstrip(".:,;!?").replace("*", " ").split()))
                    if candidate in self._titles:
                        sentence_start = not text[:start].strip() or text[:start].rstrip()[-1] in ".!?"
                        # a one-word title that is also a tag ("War") is checked as a tag
                        if n > 1 or not (sentence_start or candidate in self._tag_forms):
                            found = (start, end, candidate, n)
                        break
            if found:
                spans.append(found[:3])
                i += found[3]
            else:
                i += 1
        return spans

    def stable_end(self, text: str) -> int:
        """How much of a growing `text` can be checked and released now: all of it, or up to a catalogue
        title that reaches its end, which may be the start of a longer one still being written ("River"
        in "The Bridge on the River" before "Kwai" arrives)."""
        spans = self._title_spans(text)
        if spans and spans[-1][1] >= len(text.rstrip(" .,;:!?'’\"")):
            return spans[-1][0]
        return len(text)

    def check(self, text: str, item: Item, reasons: Sequence[Reason], *, complete: bool = True) -> list[str]:
        """Problems of `text` as an explanation of `item` with `reasons`; empty when it is faithful.

        A `complete` explanation must also cite at least one of its reasons (a title, a name, the similar
        users, popularity, the user's own request); text still being streamed is not held to that yet."""
        cited = [item] + [r.item for r in reasons if r.item is not None]
        allowed_titles = {form for i in cited for form in _title_forms(i.title)}
        allowed_years = {y for i in cited for y in (i.year, _title_year(i.title)) if y is not None}
        allowed_tags = {t.lower() for i in cited for t in i.tags}
        problems = []
        rest = text
        for start, end, title in self._title_spans(text):
            # a span that begins an allowed title is a shortened mention of it ("Terminator" for
            # "Terminator 2: Judgment Day"), not another catalogue item
            shortened = any(a.startswith((title + " ", title + ":")) for a in allowed_titles)
            if title not in allowed_titles and not shortened:
                problems.append(f"names '{text[start:end].rstrip('.:')}', which is neither the item nor in its evidence")
            rest = rest[:start] + " " * (end - start) + rest[end:]
        # allowed titles in any case, and their main part ("Star Wars" for "Star Wars: Episode IV - A New
        # Hope"), are mentions of the evidence: their words are not tags or years the text states
        mentions = allowed_titles | {re.split(r": | - ", t)[0] for t in allowed_titles}
        for form in sorted(mentions, key=len, reverse=True):
            rest = re.sub(rf"(?<!\w){re.escape(form)}(?!\w)", lambda m: " " * len(m.group()), rest, flags=re.IGNORECASE)
        for quoted in _QUOTED.findall(rest):
            if _base_title(quoted) not in allowed_titles and any(c.isalpha() for c in quoted):
                problems.append(f"quotes '{quoted}', which is not a title of the item or its evidence")
        for year in {int(y) for y in _YEAR.findall(rest)} - allowed_years:
            problems.append(f"states the year {year}, which the item and its evidence do not have")
        lowered = rest.lower()
        for form, tag in self._tag_forms.items():
            if tag not in allowed_tags and re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", lowered):
                problems.append(f"states the tag '{form}', which the item and its evidence do not have")
        if complete and reasons and not any(_cites(text, reason) for reason in reasons):
            problems.append("cites none of its evidence")
        return list(dict.fromkeys(problems))


def _cites(text: str, reason: Reason) -> bool:
    """Whether `text` mentions `reason` in a recognisable way."""
    lowered = " ".join(text.lower().replace("*", " ").split())

    def said(phrase: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered) is not None

    if reason.item is not None:
        forms = _title_forms(reason.item.title)
        return any(said(form) for form in forms | {re.split(r": | - ", form)[0] for form in forms})
    if reason.kind == "followed_user":
        return said(reason.label.lower())
    if reason.kind == "neighbour_user":
        count = re.match(r"\d+", reason.label)
        return said(count.group()) if count else said("users")
    if reason.kind == "popular":
        return "popular" in lowered
    words = re.findall(r"\w{4,}", reason.label.lower())
    return any(said(w) for w in [*words, "asked", "described"])


def template_explanation(item: Item, reasons: Sequence[Reason]) -> str:
    """A plain explanation from the evidence alone; names only the item and evidence titles."""
    liked = [display_title(r.label) for r in reasons if r.kind in ("history_item", "similar_text")]
    parts = []
    if liked:
        parts.append("you liked " + " and ".join(liked[:2]))
    parts += [f"{r.label}, whom you follow, enjoyed it" for r in reasons if r.kind == "followed_user"][:1]
    parts += [f"{r.label} enjoyed it" for r in reasons if r.kind == "neighbour_user"][:1]
    parts += [r.label for r in reasons if r.kind == "popular"][:1]
    asked = [display_title(r.label) for r in reasons if r.kind == "requested"]
    if asked:
        parts.insert(0, "it is like " + " and ".join(asked[:2]) + ", which you asked about")
    if any(r.kind == "described" for r in reasons):
        parts.append("it matches what you described")
    if not parts:
        return f"{display_title(item.title)} is recommended from your history as a whole."
    return f"{display_title(item.title)} is recommended because " + "; ".join(parts) + "."


def _problem_kind(problem: str) -> str:
    if problem.startswith(("names", "quotes")):
        return "title"
    if problem.startswith("cites none"):
        return "uncited"
    for kind in ("year", "tag", "model error"):
        if kind in problem:
            return kind
    return "empty"


class Reset:
    """Stream event: drop the text streamed so far (its attempt failed the check); a new attempt follows."""


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


@dataclass
class ExplainStats:
    first_try: int = 0
    retry: int = 0
    fallback: int = 0
    problems: Counter = field(default_factory=Counter)


StreamEvent = str | Reset | Explanation


class Explainer:
    """Explains recommendations with a chat model; see the module docstring for the protocol."""

    def __init__(self, model: BaseChatModel, checker: FaithfulnessChecker, *, max_tokens: int = 80) -> None:
        self.model = model
        self.checker = checker
        self.max_tokens = max_tokens
        self.stats = ExplainStats()
        self._prompt = load_prompt("explain")

    def _messages(self, item: Item, reasons: Sequence[Reason], note: str) -> list:
        """The prompt for one item: the stable instructions first (llama.cpp reuses them from its cache),
        then a short per-item part, so that the time to the first token stays low.

        The item's description is left out: an explanation cites evidence, not the catalogue's blurb, and
        a description is where injected instructions hide (the 0.5B model follows "reply only ..." there
        whatever the delimiters say)."""
        facts = quote(display_title(item.title))
        if item.year is not None and _title_year(item.title) is None:
            facts += f" ({item.year})"
        if item.tags:
            facts += f"; tags: {quote(', '.join(item.tags))}"
        lines = []
        for reason in reasons:
            what = {
                "history_item": "you liked",
                "similar_text": "you liked the similar title",
                "followed_user": "enjoyed by someone you follow",
                "neighbour_user": "enjoyed by",
                "popular": "also",
                "requested": "you asked for something like",
                "described": "you asked for, in your words",
            }[reason.kind]
            label = display_title(reason.label) if reason.item is not None else reason.label
            lines.append(f"- {what}: {quote(label)}")
        evidence = "\n".join(lines) or "- your history as a whole"
        messages = self._prompt.format_messages(item=facts, evidence=evidence)
        if note:
            messages[-1].content += f"\n{note}"
        return messages

    def _attempt(self, item: Item, reasons: Sequence[Reason], note: str, temperature: float) -> Iterator[str | tuple]:
        """Checked text as it is released; at the end a (text, problems, first_token_s, tokens, seconds) tuple."""
        text, released, tokens, first = "", 0, 0, None
        start = time.perf_counter()
        problems: list[str] = []
        messages = self._messages(item, reasons, note)
        # closing() ends the model's generation as soon as this loop stops reading
        with closing(self.model.stream(messages, max_tokens=self.max_tokens, temperature=temperature)) as stream:
            for chunk in stream:
                piece = chunk.content if isinstance(chunk.content, str) else ""
                if not piece:
                    continue
                if first is None:
                    first = time.perf_counter() - start
                tokens += 1
                text += piece
                ends = list(_SENTENCE_END.finditer(text))
                if len(ends) >= MAX_SENTENCES:  # a third sentence has begun: keep the first two
                    text = text[: ends[MAX_SENTENCES - 1].end()]
                    break
                words = list(_WORD.finditer(text))
                if len(words) > HOLD_BACK_WORDS:
                    cut = self.checker.stable_end(text[: words[-HOLD_BACK_WORDS].start()])
                    if cut > released:
                        problems = self.checker.check(text[:cut], item, reasons, complete=False)
                        if problems:
                            break
                        yield text[released:cut]
                        released = cut
        text = text.strip()
        if not problems:
            problems = self.checker.check(text, item, reasons) if text else ["the model returned nothing"]
            if not problems and len(text) > released:
                yield text[released:]
        yield (text, problems, first, tokens, time.perf_counter() - start)

    def stream(self, item: Item, reasons: Sequence[Reason], temperature: float = 0.2) -> Iterator[StreamEvent]:
        """Text chunks as they pass the check, `Reset` when an attempt fails after some text was released,
        and finally the `Explanation` shown."""
        notes = ["", "Name no other title and state no year or genre that is not in the item's data."]
        all_problems: list[str] = []
        rejected: list[str] = []
        first_token_s, tokens, seconds = None, 0, 0.0
        for attempt, note in enumerate(notes):
            shown = False
            try:
                for event in self._attempt(item, reasons, note, temperature if attempt == 0 else 0.7):
                    if isinstance(event, str):
                        shown = True
                        yield event
                        continue
                    text, problems, first, n, s = event
            except LLM_ERRORS as err:
                text, problems, first, n, s = "", [f"model error: {err}"], None, 0, 0.0
            if first_token_s is None:
                first_token_s = first
            tokens, seconds = tokens + n, seconds + s
            if not problems:
                source = "model" if attempt == 0 else "retry"
                self.stats.first_try += attempt == 0
                self.stats.retry += attempt == 1
                yield Explanation(text, source, tuple(all_problems), tuple(rejected), first_token_s, tokens, seconds)
                return
            log.warning("explanation of %s failed the faithfulness check: %s", item.item_id, "; ".join(problems))
            self.stats.problems.update(_problem_kind(p) for p in problems)
            all_problems += problems
            rejected.append(text)
            if shown:
                yield Reset()
        self.stats.fallback += 1
        text = template_explanation(item, reasons)
        yield text
        yield Explanation(text, "template", tuple(all_problems), tuple(rejected), first_token_s, tokens, seconds)

    def explain(self, item: Item, reasons: Sequence[Reason], temperature: float = 0.2) -> Explanation:
        """The final explanation, without streaming it."""
        for event in self.stream(item, reasons, temperature):
            if isinstance(event, Explanation):
                return event
        raise AssertionError("Explainer.stream ended without an Explanation")
