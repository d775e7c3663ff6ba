"""The one tagging pass: a message in, frozen typed spans out (`Tagged`), read once per message.

Titles come first: quoted titles, catalogue titles found in the message (`TitleSpans`), "the last
<series> movie" and what follows "like ..." are seeds, and their words are read as nothing else,
so "The Last of the Mohicans", "Seven", "First Knight" or "2001: A Space Odyssey" are never an
ordinal, a count or a year. Then tags (with their negation), then lengths ("under 90 minutes",
`language.length`), then every cue, position, count, decade and year in the text without the
seeds and lengths. A few cues ("forget ...", "start over", "any year",
a negated decade) are also read in the whole text (`Tagged.raw`), since they may name a title.

`read` keeps the last readings (`functools.lru_cache`): the planner asks for the words left unread
and then for the parse of the same message, and both read the same `Tagged`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

from recassist.language import length, numbers, shapes
from recassist.language.forgiving import forgive, phrase_list
from recassist.language.people import surnames
from recassist.language.phrases import PhraseTable, Token, tokenise, tokens_outside
from recassist.language.shapes import series_cues, series_name
from recassist.language.spans import Kind, Span, Tagged
from recassist.language.tags import TagMatcher, clause_end
from recassist.language.words import cue, filler, listed, phrases, word_set

# Catalogue titles named in a text, as (start, end) spans:
# `retrieval.catalogue.Catalogue.title_spans`.
TitleSpans = Callable[[str], list[tuple[int, int]]]

# Cues read in the text without its seeds, in this order.
CUES = (
    "recall",
    "help",
    "thanks",
    "greeting",
    "why",
    "more_like",
    "seen",
    "best",
    "dislike_feedback",
    "like_feedback",
    "that_one",
    "all_shown",
    "first_few",
    "adult",
    "child",
    "allow",
    "reset",
    "forget",
    "any_year",
    "ask",
    "continue",
    "want_head",
    "relative",
    "narrowing",
    "ask_for_picks",
    "older",
    "newer",
)
_RAW_CUES = ("forget", "reset", "any_year")
# How a request is asked or related to the last list says nothing on its own: these cues leave
# their words unread ("something darker": "darker" is the user's own word).
_UNREAD_CUES = ("ask", "continue", "want_head", "relative", "narrowing", "ask_for_picks")
# Cues said first: "find ..." (only spaces before it), "loved the 2nd" (punctuation may come first).
_START_CUES = {"search_start": False, "like_feedback_start": True}


def mask(text: str, spans) -> str:
    """`text` with the `spans` blanked out (same length), so that nothing else is read inside
    them."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def only_reference(text: str) -> bool:
    """Whether `text` is a position in the last list and nothing else ("the 99th one")."""
    tokens = tokenise(text)
    spans = [(s, e) for s, e, _ in numbers.positions(tokens)]
    rest = tokenise(mask(text, spans))
    spans += [(s, e) for s, e, _ in numbers.article_positions(rest)]
    words = word_set("position_words")
    leftover = [
        t
        for t in tokens
        if not any(s <= t.start < e for s, e in spans) and t.low not in words and t.low not in "#."
    ]
    return bool(spans) and not leftover


def _series(text: str, tokens: tuple[Token, ...], spans: list[tuple[int, int]], tags):
    """ "the last Star Wars movie": ('latest' or 'earliest', the span of "the last", the span of the
    name), the name a title among `spans` or a capitalised name before "movie"; None when the
    message has none."""
    earliest = {" ".join(w.split()) for w in listed("series_earliest")}
    for start, word, said, after in series_cues(tokens):
        if any(s <= word < e for s, e in spans):  # "The Last of the Mohicans", "First Knight"
            continue
        end = tokens[after].start
        name = next((span for span in spans if span[0] == end), None)
        named = None if name else series_name(text, tokens, after)
        if (
            named
            and not tags.canonical(text[named[0] : named[1]])
            and not set(text[named[0] : named[1]].lower().split()) <= filler()
        ):
            name = named  # a capitalised name: "Star Trek", not "ONE" in "THE LAST ONE"
        if name is not None:
            return "earliest" if said in earliest else "latest", (start, end), name
    return None


def _seeds(text: str, tokens, tags: TagMatcher, titles: TitleSpans | None, known, related):
    """The seed titles (in order, once each), their spans, the series and every title found.
    `known`: the titles of `text` when the caller has them. A title after "like" or "I loved"
    counts though the catalogue has no such title ("I loved Heat and Ronin": Ronin too, so that
    the reply can say it is missing), unless it names a tag, points at a list or says when
    (`like_no_title`: "the weather like today")."""
    quoted = shapes.quoted(text)
    spans = list(quoted)
    if known is not None and not spans:
        found = known
    else:
        found = titles(mask(text, spans)) if titles else []
    spans += [(s, e) for s, e in found if not tags.canonical(text[s:e])]
    series = _series(text, tokens, spans, tags)
    taken = [*spans, series[1]] if series else list(spans)
    likes = shapes.likes(tokens, text)
    asked = [(s, e) for _, _, s, e in related]  # "who directed Fargo?"
    named = [*likes, *shapes.likes(tokens, text, "dislike"), *shapes.likes(tokens, text, "seen")]
    named += [*shapes.verdicts(tokens), *asked]
    pointers = word_set("pointers")
    for start, end in named:
        candidate = text[start:end].strip()
        if (
            candidate
            and not any(s < end and start < e for s, e in taken)
            and not only_reference(candidate)
            and " ".join(candidate.lower().split()) not in listed("like_no_title")  # "like today"
            and not cue("that_one").whole(tokenise(candidate))
            and not cue("all_shown").whole(tokenise(candidate))  # "i've seen all of those"
            and not cue("first_few").whole(tokenise(candidate))
            and not tags.canonical(candidate)
            and not _tags_only(candidate, tags)
            and candidate.split()[0].lower() not in pointers
            and not _points_at_a_list(candidate, pointers)
            and candidate.split()[0].lower()
            not in surnames()  # "i love tarantino films": the person
        ):
            spans.append((start, end))
    spans.sort()
    seeds = [text[s:e].strip() for s, e in spans]
    if series:  # the series' name is the first seed (`TurnRequest.series` is about it)
        named = text[series[2][0] : series[2][1]]
        seeds = [named, *(seed for seed in seeds if seed != named)]
        spans.append(series[2])
    return list(dict.fromkeys(seeds)), spans, series, [*found, *quoted], likes


def _points_at_a_list(candidate: str, pointers: frozenset[str]) -> bool:
    """Whether `candidate` is a list pointed at ("the last list", "your list"), not a title that
    ends in a list noun ("schindlers list")."""
    words = candidate.lower().split()
    return words[-1] in word_set("list_nouns") and set(words[:-1]) <= filler() | pointers


def _tags_only(candidate: str, tags: TagMatcher) -> bool:
    """Whether `candidate` names tags and nothing else but filler ("I don't like musicals
    actually": no title "musicals actually")."""
    named = tags.mentions(candidate)
    rest = mask(candidate, [(m.start, m.end) for m in named])
    return bool(named) and set(rest.lower().split()) <= filler()


def _years(text: str, tokens: tuple[Token, ...]) -> list[Span]:
    """ "before 1990", "pre-1990", "since 1990", "in 1990": the year after the cue, negated when
    "not" stands right before the cue ("not before 1990")."""
    out = []
    for kind in (Kind.year_before, Kind.year_after, Kind.year_in):
        for first, i in cue(kind.value).matches(tokens):
            end = tokens[i - 1].end
            while kind is not Kind.year_in and i < len(tokens) and tokens[i].low == "-":
                i += 1  # "pre-1990"
            if i >= len(tokens) or tokens[i].start == end:
                continue
            year = tokens[i]
            if len(year.low) == 4 and year.low.isascii() and year.low.isdigit():
                start = tokens[first].start
                negated = _negation_start(text[:start][-12:]) is not None
                out.append(Span(kind, start, year.end, int(year.low), negated))
    return out


def _decades(text: str, tokens: tuple[Token, ...]) -> list[Span]:
    """The decades of `text` (value: the first year), negated when "not", "nothing" or "no" stands
    in the 16 characters before; a negated one spans from the negation on."""
    out = []
    for start, end, first in numbers.decades(tokens):
        window = text[max(0, start - 16) : start]
        negation = _negation_start(window)
        out.append(Span(Kind.decade, start, end, first, negation is not None))
        if negation is not None:
            out.append(Span(Kind.negated_decade, start - len(window) + negation, end, first, True))
    return out


def _negation_start(window: str) -> int | None:
    """Where in `window` a final "not", "nothing" or "no" (maybe with "from") starts."""
    tokens = tokenise(window)
    words = list(tokens)
    if words and words[-1].low == "from" and len(words) > 1:
        words = words[:-1]
    if words and words[-1].low in word_set("year_negators"):
        return words[-1].start
    return None


@cache
def _table(names: tuple[str, ...]) -> PhraseTable:
    """The cue lists `names` as one table; "ask_for_picks" is the forgiving reading's list, and
    "seen" the words before titles seen."""
    lists = {"ask_for_picks": phrase_list, "seen": phrases}
    return PhraseTable({n: lists.get(n, cue)(n) for n in names})


def _cues(text: str, tokens: tuple[Token, ...]) -> list[Span]:
    """The cues of `text` (see `CUES`), the cues said at its start, "what is ... about" and "a
    ... movie"."""
    out = [Span(Kind.cue, s, e, name) for name, s, e in _table(CUES).spans(tokens)]
    for name, after_punctuation in _START_CUES.items():
        if found := cue(name).at_start(tokens, after_punctuation=after_punctuation):
            out.append(Span(Kind.cue, tokens[found[0]].start, tokens[found[1] - 1].end, name))
    out += [Span(Kind.cue, s, e, "about") for s, e in shapes.about(tokens)]
    if matched := shapes.a_movie(tokens):
        out.append(Span(Kind.cue, *matched, "want_head"))
    return out


def _numbers(tokens: tuple[Token, ...], tags: TagMatcher) -> list[Span]:
    """Positions (English ones first, then "le deuxième" ones) and counts ("3 comedies": a tag
    word counts things too)."""
    kinds = frozenset(f for f in tags.forms() if " " not in f)
    return [
        *(Span(Kind.ordinal, *found) for found in numbers.positions(tokens)),
        *(Span(Kind.ordinal, *found) for found in numbers.article_positions(tokens)),
        *(Span(Kind.count, *found) for found in numbers.counts(tokens, kinds)),
    ]


@lru_cache(maxsize=64)
def read(message: str, tags: TagMatcher, titles: TitleSpans | None = None) -> Tagged:
    """Every span of `message` (see the module docstring)."""
    said = message.strip()[:2000]
    said_titles = titles(said) if titles else []
    said_tokens = tokenise(said)
    text = forgive(said, tags, (lambda _: said_titles) if titles else None, filler(), said_tokens)
    tokens = said_tokens if text == said else tokenise(text)
    known = said_titles if text == said else None  # no title is read twice
    related = shapes.related(tokens, text)  # "who directed Fargo?": the phrase is read too
    seeds, seed_spans, series, found, likes = _seeds(text, tokens, tags, titles, known, related)
    hard = [*seed_spans, *([series[1]] if series else [])]
    lengths = length.spans(tokens_outside(text, tokens, hard))  # "more than 2 hours": no "more"
    masked = mask(text, [*hard, *(s.span for s in lengths)])
    masked_tokens = tokens_outside(text, tokens, [*hard, *(s.span for s in lengths)])
    every = tags.mentions(text, tokens=tokens)
    mentions = [m for m in every if not any(s <= m.start < e for s, e in seed_spans)]
    niche = [Span(Kind.niche, s, e) for s, e in tags.niche(text, tokens)]
    spans = [
        *(Span(Kind.seed, s, e, None) for s, e in seed_spans),
        *([Span(Kind.series_cue, *series[1])] if series else []),
        *_numbers(masked_tokens, tags),
        *_decades(masked, masked_tokens),
        *_years(masked, masked_tokens),
        *_cues(masked, masked_tokens),
        *lengths,
    ]
    unlengthed = tokens_outside(text, tokens, [s.span for s in lengths])  # "no longer than 2h"
    raw = [*_decades(text, tokens), *_cues_raw(text, unlengthed), *niche]
    read_first = [
        *found,
        *(likes if not (found or series) else []),
        *hard,
        *((m.start, m.end) for m in mentions),
        *(s.span for s in niche),
        *length.phrases("names").spans(tokens),  # "forget the length"
    ]
    read_first += [(phrase, title) for _, phrase, title, _ in related]
    covered = _covered(text, tokens, read_first, spans)
    return Tagged(
        text=text,
        tokens=tokens,
        seed_titles=tuple(seeds),
        series=series[0] if series else None,
        spans=tuple(spans),
        raw=tuple(raw),
        mentions=tuple(mentions),
        negated=tuple((m.start, m.end) for m in every if m.negated),
        covered=tuple(covered),
        relation=next((r for r, _, s, e in related if text[s:e].strip() in seeds), None),
        relation_phrases=tuple((phrase, title) for _, phrase, title, _ in related),
    )


def _covered(text: str, tokens, read_first: list, spans: list[Span]) -> list[tuple[int, int]]:
    """Everything read as something, for `unread`: titles, tags, then positions, counts, years and
    cues; "find ..." counts as said first when only what was read before stands before it
    ("2nd: find ..."), and a "not" ending what is left as said."""
    later = ("that_one", "adult", "child", "allow", "reset", "forget", "any_year", "search_start")
    covered = [*read_first]
    covered += (s.span for s in spans if s.kind is not Kind.cue or s.value not in _UNREAD_CUES)
    early = [
        *read_first,
        *(
            s.span
            for s in spans
            if s.kind is not Kind.cue or s.value not in (*_UNREAD_CUES, *later)
        ),
    ]
    if any(t.low in word_set("year_negators") for t in tokens):
        early += _trailing_not(mask(text, early))
    covered += early[len(read_first) :]
    rest = tokens_outside(text, tokens, early)
    if found := cue("search_start").at_start(rest):
        covered.append((rest[found[0]].start, rest[found[1] - 1].end))
    return covered


def _cues_raw(text: str, tokens: tuple[Token, ...]) -> list[Span]:
    out = [Span(Kind.cue, s, e, name) for name, s, e in _table(_RAW_CUES).spans(tokens)]
    for span in [s for s in out if s.value == "forget"]:
        end = clause_end(tokens, span.end)
        out.append(Span(Kind.forget, span.start, len(text) if end is None else end))
    return out


def _trailing_not(text: str) -> list[tuple[int, int]]:
    """A "not" / "no" (from) ending what is left of the message, read as said."""
    start = _negation_start(text.rstrip())
    return [(start, len(text))] if start is not None else []
