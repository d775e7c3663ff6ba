"""The deterministic reading of a chat turn: the fallback when the LLM's plan fails, and the safety
net for what a user says explicitly ("not horror" must never be lost, whatever the LLM made of it).

The message is tagged once (`recassist.language.reading.read`: titles, tags, negations, positions,
counts, decades, years and cues as frozen spans); `parse` and `unread` both read those spans.
Titles come first, so "The Last of the Mohicans", "Seven" or "2001: A Space Odyssey" are never an
ordinal, a count or a year. "The last Star Wars movie" names the latest title of a series
(`series`), not the last item of the list. A genre word directly qualifying another ("romantic
comedy") asks for items with all those tags (`all_tags`); "comedy or romance" asks for any of
them. A want in the user's own words ("a feel-good movie for a rainy sunday") is a new topic
(`new_topic`); "something darker" or "more please" is about the last list. What the message asks
(`intent`) is the first rule of `data/intents.toml` that holds. Any text gives a valid request:
numbers the request cannot hold (a year 3000, "the 99th one") are kept for the agent to answer.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from recassist.assistant.bounds import LENGTHS, length_of, years_of
from recassist.assistant.kinds import dropped, less_of, mixed_into, tag_fields, tags_of
from recassist.assistant.request import Intent, TurnRequest
from recassist.assistant.topic import new_kind, new_person, new_topic
from recassist.language.forgiving import left_out, unfiltered
from recassist.language.people import people, role, ruled_out
from recassist.language.phrases import Phrases, tokenise, tokens_outside, words_of
from recassist.language.reading import TitleSpans, mask, read
from recassist.language.spans import Kind, Tagged
from recassist.language.tags import TagMatcher, TagMention, against_spans
from recassist.language.words import (
    count_value,
    cue,
    cue_phrases,
    cue_words,
    filler,
    listed,
    word_set,
)

__all__ = ["TitleSpans", "parse", "search_text", "unread", "wanted"]


@dataclass(frozen=True)
class _Rule:
    intent: Intent
    feedback: str | None
    all: frozenset[str]
    any: frozenset[str]
    none: frozenset[str]


@cache
def _rules() -> tuple[_Rule, ...]:
    """The intent rules of `data/intents.toml`, in order."""
    path = resources.files("recassist.assistant").joinpath("data/intents.toml")
    return tuple(
        _Rule(
            Intent(rule["intent"]),
            rule.get("feedback"),
            frozenset(rule.get("all", ())),
            frozenset(rule.get("any", ())),
            frozenset(rule.get("none", ())),
        )
        for rule in tomllib.loads(path.read_text(encoding="utf-8"))["rule"]
    )


def _intent(facts: dict[str, bool]) -> tuple[Intent, str | None]:
    """The intent (and feedback kind) of the first rule whose conditions hold."""
    held = {name for name, value in facts.items() if value}
    for rule in _rules():
        if rule.all <= held and (not rule.any or rule.any & held) and not rule.none & held:
            return rule.intent, rule.feedback
    return Intent.recommend, None


@cache
def _negators() -> Phrases:
    return Phrases([*listed("all_but"), *listed("negators"), *listed("against")])


@cache
def _asking() -> Phrases:
    return Phrases([*cue_words("asking"), *cue_phrases("ask")])


@cache
def _occasions() -> Phrases:
    """When and with whom the user watches ("for movie night", "with friends"): no description."""
    return Phrases(cue_words("asking"))


def wanted(text: str, tags: TagMatcher, mentions: list[TagMention] | None = None) -> str:
    """`text` without what it asks not to have ("not horror", "pas d'horreur"): the user's words as
    the embedder should read them (the request's `mood`), since an embedding of "not horror" lies
    near horror."""
    mentions = tags.mentions(text) if mentions is None else mentions
    negated = [m for m in mentions if m.negated]
    tokens = tokenise(text) if negated else ()
    cuts = [(_negator_start(text, tokens, m.start), m.end) for m in negated]
    return _tidy(mask(text, cuts))


def _negator_start(text: str, tokens, before: int) -> int:
    """Where the negation of a tag starting at `before` starts: the first negator ("not",
    "anything but", "sans") followed by at most 30 characters of words and spaces up to the tag."""
    for i, token in enumerate(tokens):
        if token.start >= before:
            break
        end = _negators().match_at(tokens, i)
        if end > i and tokens[end - 1].end <= before:
            tail = text[tokens[end - 1].end : before]
            if len(tail) <= 30 and all(c.isspace() or c.isalnum() or c in "_'" for c in tail):
                return token.start
    return before


def search_text(mood: str, *, fallback: bool = True) -> str:
    """The mood as the embedder should read it: without the words of asking ("something", "movies",
    "please"), which match titles ("Something to Talk About") rather than tastes; the mood itself
    (or nothing, without `fallback`) when nothing else is left."""
    spans = _asking().spans(tokenise(mood))
    return _tidy(mask(mood, spans)) or (mood if fallback else "")


def _tidy(text: str) -> str:
    """`text` with single spaces, none before punctuation, no punctuation at either end."""
    out: list[str] = []
    for word in text.split():
        if out and word[0] in ",.;!?":
            out[-1] += word
        else:
            out.append(word)
    return " ".join(out).strip(" ,.;:!?")


def unread(message: str, tags: TagMatcher, titles: TitleSpans | None = None) -> list[str]:
    """The words of `message` that the parser reads as nothing: no title, tag, year, count,
    position, intent cue, person or filler (none left: the parser can plan alone)."""
    tagged = read(message, tags, titles)
    named, naming = people(tagged.tokens, tagged.text, tagged.seeds)  # read as people
    naming += ruled_out(tagged.tokens, tagged.text, named)[1]  # "i can't stand ..."
    naming += _asking().spans(tagged.tokens)  # "for movie night", "after work"
    naming += against_spans(tagged.tokens, tagged.negated)  # "i can't stand horror"
    rest = mask(tagged.text, [*tagged.covered, *naming])
    tokens = tokens_outside(tagged.text, tagged.tokens, [*tagged.covered, *naming])
    words = (rest[s:e].lower() for s, e in words_of(tokens, rest))
    return [w for w in words if w not in filler()]


def _chosen(facts: dict[str, bool]) -> bool:
    """ "the second one", "number 2" alone after a list: a choice, answered with more like it."""
    return facts["refers"] and not (facts["like_feedback"] or facts["dislike_feedback"])


def parse(
    message: str,
    tags: TagMatcher,
    titles: TitleSpans | None = None,
    own_words: list[str] | None = None,
) -> TurnRequest:
    """A `TurnRequest` from the words alone (`refers_to` -1: the last list's last item);
    `own_words`: `unread(message, tags, titles)` when the caller has it already."""
    tagged = read(message, tags, titles)
    text = tagged.text
    forget = [s.span for s in tagged.of(Kind.forget, raw=True)]
    own_words = unread(message, tags, titles) if own_words is None else own_words
    unsaid = unfiltered(text, tags, own_words, tagged.tokens, tagged.negated)  # "not too violent"
    niche = [s.span for s in tagged.of(Kind.niche, raw=True)]  # how to rank, not what is wanted
    era, era_spans = _era(tagged)
    named, asked = _asked(tagged)
    mood_words = _mood_words(tagged, tags, [*forget, *unsaid, *niche, *era_spans, *asked])
    forgotten, drop_seeds, drop_years = dropped(tagged, forget)
    seeds = [] if drop_seeds else list(tagged.seed_titles)
    found = tags_of(tagged, tags, forget, forgotten)
    unsaid = less_of(found, bool(seeds), unsaid, text, tags)  # "nothing too scary, a thriller"
    year_min, year_max = years_of(tagged, forget)
    count = tagged.first(Kind.count, outside=forget)
    mix = mixed_into(found, tagged, forget)  # "3 comedies and 2 dramas"
    refers = tagged.first(Kind.ordinal, outside=forget)
    lasts = length_of(tagged, forget)  # "under 90 minutes", "any length"
    many = _shown_many(tagged, forget)  # "seen them all", "loved the first two"
    facts = _facts(tagged, forget, seeds, own_words, found, niche, lasts, named, many)
    facts |= {"years": bool(year_min or year_max), "count": count is not None}
    facts |= {"forgotten": bool(forgotten), "drop_years": drop_years, "drop_seeds": drop_seeds}
    intent, feedback = _intent(facts)
    mood = _mood(intent, tagged, own_words, mood_words)
    return TurnRequest(
        intent=intent,
        seed_titles=[seed[:200] for seed in seeds[:5]],
        **_pointed(refers.value if refers else None, many, intent),
        **tag_fields(found),
        series=tagged.series,
        year_min=year_min,
        year_max=year_max,
        mood=mood[:200] if mood else None,
        feedback=feedback,
        drop_tags=list(dict.fromkeys(m.tag for m in forgotten)),
        drop_years=drop_years,
        new_topic=new_person(facts, refers is None)
        or new_topic(facts, bool(mood and own_words), refers is None)
        or new_kind(intent, facts, refers is None),
        drop_seeds=drop_seeds,
        less_mainstream=bool(niche),
        era=None if facts["years"] else era,
        relation=tagged.relation if seeds else None,
        **named,
        **_wishes(tagged, forget, unsaid, [] if mood else own_words),
        mix=mix,
        **_said_of(intent, facts),
        **lasts,
        **_count(count.value if count else None, mix),
    )


def _wishes(tagged: Tagged, forget, unsaid, own_words: list[str]) -> dict[str, list[str]]:
    """`unused` (the wishes no tag holds and the `own_words` left unread, as written) and
    `milder` (the wishes alone), outside the titles and what is forgotten."""
    masked = mask(tagged.text, [*tagged.hard, *forget])
    return {
        "unused": left_out(masked, unsaid, own_words),
        "milder": left_out(masked, unsaid, [])[:5],
    }


def _pointed(position: int | None, many: int, intent: Intent) -> dict:
    """`refers_to` and `refers_first`: the position said, else the list's first when a thumbs is
    on its first few or all of it ("seen them all": `many`)."""
    first = many if intent is Intent.feedback else 0
    return {"refers_to": 1 if position is None and first else position, "refers_first": first}


def _count(said: int | None, mix: dict[str, int]) -> dict:
    """The list's `count` when the message says one: the sum of a mix ("3 comedies and 2
    dramas"), else the number said; nothing (the default) otherwise."""
    if mix:
        return {"count": min(20, sum(mix.values()))}
    return {"count": said} if said is not None else {}


def _mood(intent: Intent, tagged: Tagged, own_words: list[str], words: str) -> str | None:
    """The user's own words (`words`) as the request's mood: for a request or a search, and for
    a refinement that describes ("a courtroom drama", "a heist movie")."""
    kinds = any(t.low in word_set("kind_words") for t in tagged.tokens)  # "a heist movie"
    described = intent is Intent.refine and (own_words or kinds)
    return words if intent in (Intent.recommend, Intent.search) or described else None


def _asked(tagged: Tagged) -> tuple[dict[str, list[str]], list[tuple[int, int]]]:
    """The people wanted ("starring tom hanks") and ruled out ("without jim carrey"), as the
    request's fields, and the spans that ask for no description: the people, a relation ("who
    directed"), how to rank ("the best", "ever made"), a length ("under 90 minutes")."""
    named, naming = people(tagged.tokens, tagged.text, tagged.seeds)
    out, against = ruled_out(tagged.tokens, tagged.text, named)
    asked = [*tagged.relation_phrases, *(s.span for s in tagged.cues("best")), *naming, *against]
    asked += [s.span for s in tagged.spans if s.kind in LENGTHS]
    wanted = [n for n in named if n not in out]
    said = role(tagged.text, wanted[0]) if wanted else None  # "directed by", "starring"
    return {"people": wanted, "exclude_people": out, "people_role": said}, asked


def _said_of(intent: Intent, facts: dict[str, bool]) -> dict:
    """The request's fields read from the facts alone: reset, best, then_more, small_talk."""
    more = facts["ask_for_picks"] or facts["continue"] or _chosen(facts)
    talk = next((k for k in SMALL_TALK if facts[k]), None)
    return {
        "reset": facts["reset"],
        "best": facts["best"],
        "then_more": intent is Intent.feedback and more,
        "small_talk": talk if intent is Intent.chat else None,
    }


def _shown_many(tagged: Tagged, forget) -> int:
    """ "seen them all": the whole last list (20); "loved the first two": 2; 0 when neither, or
    when a word of its own follows ("the first two alien films" names films)."""
    for name in ("all_shown", "first_few"):
        for span in tagged.cues(name, outside=forget):
            after = next((t for t in tagged.tokens if t.start >= span.end), None)
            if after is not None and after.low[0].isalnum() and after.low not in filler():
                continue
            last = tagged.text[span.start : span.end].split()[-1].lower()
            return 20 if name == "all_shown" else count_value(last)
    return 0


def _era(tagged: Tagged) -> tuple[str | None, list[tuple[int, int]]]:
    """ "older" or "newer" (than the last list) when said, else None; and the spans saying it."""
    for era in ("older", "newer"):
        if spans := cue(era).spans(tagged.tokens):
            return era, spans
    return None, []


def _mood_words(tagged: Tagged, tags: TagMatcher, unwanted: list[tuple[int, int]]) -> str:
    """The user's words as the embedder should read them: without what they drop ("forget ..."),
    reset, rule out ("not from the 80s", "nothing too violent", a negated tag), say about ranking
    ("surprise me") or say of when and with whom they watch ("on a snowy evening", "with
    friends"; "i want" is filler, and stays)."""
    occasions = [
        (s, e)
        for s, e in _occasions().spans(tagged.tokens)
        if set(tagged.text[s:e].lower().split()) - filler()
    ]
    unwanted = [
        *unwanted,
        *occasions,
        *(s.span for s in tagged.cues("reset", raw=True)),
        *(s.span for s in tagged.of(Kind.negated_decade, raw=True)),
    ]
    return wanted(mask(tagged.text, unwanted), tags, list(tagged.mentions))


def _facts(
    tagged: Tagged, forget, seeds, own_words, found, niche, lasts, named, many: int
) -> dict[str, bool]:
    """The facts the intent rules name (see `data/intents.toml`): the cues said outside what is
    forgotten, and what the request holds (`lasts`: its length bound, `length_of`; `named`: the
    people, `_asked`; `many`: the shown films a thumbs is on, `_shown_many`)."""
    said = {s.value for s in tagged.spans if s.kind is Kind.cue and not s.inside(forget)}
    facts = {name: name in said for name in _CUE_FACTS}
    facts["like_feedback"] = bool(said & {"like_feedback", "like_feedback_start"})
    facts["search"] = "search_start" in said
    facts["shown_many"] = many > 0  # "seen them all", "the first two"
    facts["people"] = bool(named["people"])  # "films directed by tarantino"
    facts["refers"] = tagged.first(Kind.ordinal, outside=forget) is not None
    facts |= {"seeds": bool(seeds), "own_words": bool(own_words), "niche": bool(niche)}
    facts |= {name: bool(found[name]) for name in ("include", "every", "exclude", "allow")}
    facts["length"] = bool(lasts["minutes_min"] or lasts["minutes_max"])
    facts["drop_length"] = lasts["drop_length"]
    return facts


# The kinds of small talk, the first said naming the reply: "thanks, what can you do?" asks help,
# "thanks! what did you recommend again?" the last list.
SMALL_TALK = ("recall", "help", "thanks", "greeting")
_CUE_FACTS = (
    *SMALL_TALK,
    "why",
    "best",
    "seen",
    "about",
    "more_like",
    "dislike_feedback",
    "that_one",
    "ask",
    "continue",
    "reset",
    "want_head",
    "relative",
    "narrowing",
    "ask_for_picks",
)
