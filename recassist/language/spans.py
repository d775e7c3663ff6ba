"""The typed result of the one tagging pass (`reading.read`): frozen spans of a message.

A `Span` is a kind, where it stands in the (forgiven) text, and its value: an ordinal's position,
a count, a decade's first year, a cue's name. `Tagged` holds every span of one message; the chat
parser (`assistant.parser.parse`), the words the parser leaves unread (`unread`) and the marketer
question parser read these spans instead of scanning the text again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from recassist.language.phrases import Token
from recassist.language.tags import TagMention


class Kind(StrEnum):
    quoted = "quoted"  # a quoted title
    title = "title"  # a catalogue title found in the text
    seed = "seed"  # a title the request is about (quoted, catalogue, series, "like ...")
    like = "like"  # what follows "like", "similar to", ...
    series_cue = "series_cue"  # "the last" in "the last Star Wars movie"
    ordinal = "ordinal"  # a position in the last list (value: 1.., -1 for the last)
    count = "count"  # how many picks (value: 1..20)
    decade = "decade"  # a decade (value: its first year)
    year_before = "year_before"  # "before 1990" (value: 1990)
    year_after = "year_after"  # "after 1990"
    year_in = "year_in"  # "in 1990"
    negated_decade = "negated_decade"  # "not from the 80s", from the negation to the decade's end
    cue = "cue"  # an intent or filter cue (value: its name in the data files)
    niche = "niche"  # asks for less mainstream picks
    forget = "forget"  # a clause dropped with "forget", "drop", ... (from the word to its end)
    length_most = "length_most"  # "under 90 minutes", "something short" (value: minutes)
    length_least = "length_least"  # "over 2.5 hours", "a long film" (value: minutes)
    length_any = "length_any"  # "any length", "longer" (value: None, "shorter", "longer")


@dataclass(frozen=True, slots=True)
class Span:
    kind: Kind
    start: int
    end: int
    value: str | int | None = None
    negated: bool = False  # "not before 1990"

    def inside(self, spans: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> bool:
        """Whether this span touches any of `spans`."""
        return bool(spans) and any(self.start < e and s < self.end for s, e in spans)

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass(frozen=True)
class Tagged:
    """Every span of one message, read once. `text` is the message as read (trimmed, misspellings
    put right); `raw` spans were read in the whole text, `spans` in the text without its titles
    (the words of a title are read as nothing else)."""

    text: str
    tokens: tuple[Token, ...]
    seed_titles: tuple[str, ...]  # the titles the request is about, in order, once each
    series: str | None  # "latest" or "earliest" for "the last/first <series> movie"
    spans: tuple[Span, ...]
    raw: tuple[Span, ...]
    mentions: tuple[TagMention, ...]  # tags outside the seeds
    negated: tuple[tuple[int, int], ...]  # the spans of every tag ruled out, seeds' words too
    covered: tuple[tuple[int, int], ...]  # everything read as something (for `unread`)
    # "who directed Fargo?": the graph relation asked of the first title ("same_director"), and
    # the spans of the phrases that ask it
    relation: str | None = None
    relation_phrases: tuple[tuple[int, int], ...] = ()

    def of(self, kind: Kind, *, raw: bool = False) -> list[Span]:
        return [s for s in (self.raw if raw else self.spans) if s.kind is kind]

    def cues(self, name: str, *, raw: bool = False, outside=()) -> list[Span]:
        """The spans of cue `name`, those touching `outside` left out."""
        return [
            s
            for s in (self.raw if raw else self.spans)
            if s.kind is Kind.cue and s.value == name and not s.inside(outside)
        ]

    @property
    def hard(self) -> list[tuple[int, int]]:
        """The seeds and the series cue: read as nothing else."""
        return [s.span for s in self.spans if s.kind in (Kind.seed, Kind.series_cue)]

    def first(self, kind: Kind, outside=()) -> Span | None:
        return next((s for s in self.spans if s.kind is kind and not s.inside(outside)), None)

    @property
    def seeds(self) -> list[tuple[int, int]]:
        return [s.span for s in self.of(Kind.seed)]
