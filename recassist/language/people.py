"""People named in a message ("starring Tom Hanks", "directed by spielberg", "anything with meryl
streep"): the item knowledge graph links films to people by id only, so no person can be looked
up by name, and the reply must say so rather than search titles for the name.

A person is the words after a phrase of `people` in `data/en.toml` (three at most, up to a filler
word or the end of the clause), a given name of `given_names` and the word after it, or one of the
`director_names` or `actor_names` that name a film person on their own ("spielberg"). Titles ("Jerry Maguire", "Annie Hall")
are left alone: the caller passes their spans.
"""

from __future__ import annotations

from itertools import takewhile

from recassist.language.phrases import Token
from recassist.language.tags import against_before, clause_end, negator_before
from recassist.language.words import filler, listed, negators, phrases, word_set


def people(
    tokens: tuple[Token, ...], text: str, titles: list[tuple[int, int]]
) -> tuple[list[str], list[tuple[int, int]]]:
    """The people `text` names, as written, outside the `titles` spans; and the spans that name
    them, with the words before them ("starring tom hanks")."""
    spans: list[tuple[int, int]] = []
    said: list[tuple[int, int]] = []
    names, skip = word_set("given_names"), filler()
    ends = skip | negators() | {p for p in word_set("not_this") if " " not in p}
    for start, end in phrases("people").spans(tokens):
        stop = clause_end(tokens, end)
        words = [t for t in tokens if end <= t.start < (len(text) if stop is None else stop)]
        name = list(takewhile(lambda t: t.low.isalpha() and t.low not in ends, words))[:3]
        if name:  # "directed by steven spielberg from the 80s" (asking), "... except jaws"
            spans.append((name[0].start, name[-1].end))
            said.append((start, name[-1].end))
    for first, after in zip(tokens, tokens[1:]):
        if first.low in names and after.low.isalpha() and after.low not in skip:
            spans.append((first.start, after.end))
            said.append((first.start, after.end))
    known = surnames()
    for k, token in enumerate(tokens):  # "anything by spielberg": a surname on its own
        if token.low in known and not (k and tokens[k - 1].low in names):
            spans.append((token.start, token.end))
            said.append((token.start, token.end))

    def free(span: tuple[int, int]) -> bool:
        return not any(a < span[1] and span[0] < b for a, b in titles)

    named = [text[s:e].strip() for s, e in sorted(set(spans)) if free((s, e))]
    return list(dict.fromkeys(named)), [span for span in said if free(span)]


def ruled_out(
    tokens: tuple[Token, ...], text: str, named: list[str]
) -> tuple[list[str], list[tuple[int, int]]]:
    """Of the people `named` (as `people` found them in `text`), those a word before them rules
    out ("comedies without jim carrey", "no tom cruise", "nothing with arnold schwarzenegger",
    "i can't stand adam sandler": `against`): their films are not wanted, and the person
    is no wish. Also the spans of the `against` words that did so (no description)."""
    starts = {token.start: k for k, token in enumerate(tokens)}
    out, spans = [], []
    for name in named:
        k = starts.get(text.find(name))
        if k is None:
            continue
        before = against_before(tokens, k)
        if before or negator_before(tokens, k):
            out.append(name)
        if before:
            spans.append((tokens[before[0]].start, tokens[before[1] - 1].end))
    return out, spans


def surnames() -> frozenset[str]:
    """Names that are a film person on their own ("spielberg", "hitchcock")."""
    return word_set("director_names") | word_set("actor_names")


def role(message: str, person: str) -> str | None:
    """ "director", "actor" or "writer": what the message says the person is ("directed by",
    "starring", "written by"), else what the names lists know of them, else a weaker word ("by",
    "with"); None when nothing says."""
    words = {w.strip(".,!?\"'") for w in message.lower().split()}
    if words & set(listed("writer_words")):  # no names list knows writers
        return "writer"
    named = set(person.lower().split())
    checks = [(words, "director_words", "actor_words"), (named, "director_names", "actor_names")]
    checks.append((words, "director_weak", "actor_weak"))
    for said, director, actor in checks:
        for kind, name in (("director", director), ("actor", actor)):
            if said & set(listed(name)):
                return kind
    return None
