"""Finding catalogue tags in free text: "not horror", "something funnier", "no sci-fi please".

A tag is recognised by its own name (and plural), by the everyday words of the `[tags]` tables of
the language files (`data/*.toml`), and by the `[compounds]` words that name several tags at once
("romcom"); only tags that exist in the catalogue are ever returned, in the catalogue's spelling. A
genre word directly qualifying another ("romantic comedy", "sci-fi horror", "crime thriller") is a
compound: `compounds` finds them, and an item must have all its tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from recassist.grounding.tag_aliases import tag_aliases
from recassist.language.phrases import Phrases, Token, tokenise
from recassist.language.words import (
    LANGUAGES,
    cue_words,
    language,
    listed,
    negators,
    phrases,
    table,
    word_set,
)

_PUNCTUATION_BREAKS = frozenset(",.;!?")


@dataclass(frozen=True)
class TagMention:
    tag: str
    start: int
    end: int
    negated: bool


@cache
def tag_words() -> dict[str, tuple[str, ...]]:
    """Every language's everyday words for a tag (keys are lower-case tag names)."""
    out: dict[str, list[str]] = {}
    for code in LANGUAGES:
        for tag, words in language(code).get("tags", {}).items():
            out.setdefault(tag, []).extend(words)
    return {tag: tuple(words) for tag, words in out.items()}


@cache
def _breaks() -> frozenset[str]:
    return frozenset(w for w in listed("clause_breaks") if w not in _PUNCTUATION_BREAKS)


def clause_end(tokens: tuple[Token, ...], start: int) -> int | None:
    """Where the clause that goes on at character `start` ends: the start of the next comma, full
    stop, "but", "and", "mais", ... in `tokens`; None when it runs to the end."""
    for token in tokens:
        if token.start >= start and _breaks_clause(token):
            return token.start
    return None


def negator_before(tokens: tuple[Token, ...], index: int) -> str | None:
    """The word among the three before token `index`, in its clause, that negates what follows;
    "anything but" negates ("anything but horror", read as "except") instead of ending the
    clause; None when none does."""
    words: list[str] = []
    i = index - 1
    while i >= 0 and len(words) < 4:
        token = tokens[i]
        if token.low in _PUNCTUATION_BREAKS:
            break
        if token.low in _breaks():
            if (
                token.low == "but"
                and i
                and tokens[i - 1].low in ("anything", "everything", "all", "whatever")
            ):
                words.append("except")
                i -= 1
                continue
            break
        if token.low[0].isalnum() or token.low[0] == "_":
            word = token.low
            while i > 1 and tokens[i - 1].low == "'" and tokens[i - 1].end == token.start:
                if tokens[i - 2].end != tokens[i - 1].start or not tokens[i - 2].low[0].isalnum():
                    break
                word = tokens[i - 2].low + "'" + word  # "don't", "n'aime"
                i -= 2
            words.append(word)
        i -= 1
    negator = next((word for word in words[:3] if word in negators()), None)
    against = against_before(tokens, index)
    return negator or (against and " ".join(t.low for t in tokens[against[0] : against[1]]))


def against_before(tokens: tuple[Token, ...], index: int) -> tuple[int, int] | None:
    """The words against what follows token `index` ("can't stand", "not a fan of", "sick of":
    `against`, data), ending right before it or at most two words before, in its clause, as
    (first, after last) token indices; None when none do."""
    for first, end in phrases("against").matches(tokens[:index]):
        between = tokens[end:index]
        if len(between) <= 2 and not any(_breaks_clause(t) for t in between):
            return first, end
    return None


def against_spans(
    tokens: tuple[Token, ...], negated: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The character spans of the words against a kind of film that rule it out ("can't stand"
    in "i can't stand horror movies"), for the `negated` tag spans: read, not left unread."""
    starts = {t.start: k for k, t in enumerate(tokens)}
    found = [against_before(tokens, starts[s]) for s, _ in negated if s in starts]
    return [(tokens[a].start, tokens[b - 1].end) for a, b in filter(None, found)]


def _breaks_clause(token: Token) -> bool:
    return token.low in _PUNCTUATION_BREAKS or token.low in _breaks()


@cache
def _degree() -> frozenset[str]:
    """Words of degree ("too", "trop") and those that ask for less ("less"), every language's."""
    return frozenset([*listed("degree"), *listed("fewer")])


def _of_degree(tokens: tuple[Token, ...], index: int) -> bool:
    """Whether a word of `_degree` stands among the three words before token `index`: the
    negation before it is of a degree ("not too", "less"), not of the kind named."""
    return any(t.low in _degree() for t in tokens[max(0, index - 3) : index])


def _carried(between: str, negator: str | None) -> bool:
    """Whether a negation goes on to the next tag over the words `between` them: "or" always ("no
    horror or romance"), "and" after an exclusion ("anything but horror and romance")."""
    if negator is None:
        return False
    if between in listed("negation_carries"):
        return True
    return between in listed("exclusion_carries") and negator in listed("exclusions")


class TagMatcher:
    def __init__(self, tags: Iterable[str]) -> None:
        self.tags = sorted(set(tags))
        forms: dict[str, tuple[str, ...]] = {}
        words, alone = tag_words(), set(listed("audience_only"))  # "kids": "for the kids" only
        for tag in self.tags:
            low = tag.lower()
            aliases = [a for a in tag_aliases().get(low, ()) if a not in alone]
            for form in (low, low + "s", *aliases, *words.get(low, ())):
                forms.setdefault(form, (tag,))
        by_lower = {t.lower(): t for t in self.tags}
        for names, compound_words in table("compounds").items():
            wanted = names.split("+")
            if all(name in by_lower for name in wanted):
                for form in compound_words:
                    forms.setdefault(form, tuple(by_lower[name] for name in wanted))
        self._forms = forms
        self._phrases = Phrases(forms, hyphen_bound=True)

    def mentions(
        self,
        text: str,
        *,
        skip: Iterable[tuple[int, int]] = (),
        tokens: tuple[Token, ...] | None = None,
    ) -> list[TagMention]:
        """Tag mentions in `text`, outside the `skip` spans, each marked negated when one of the
        three words before it (within the same clause) negates it; a tag's word used for no kind of
        film (`no_kind`: "the horror of combat") or inside a subject's name (`no_tag`: "cold war")
        is none. A negated tag right after a
        word of degree or "less" ("not too scary", "less horror") is no mention: it asks for
        less, not none; a negation of degree before another word negates that word, not the tag
        after it ("not too gory horror films" wants horror). `tokens` are `text`'s, when the
        caller has them."""
        tokens = tokenise(text) if tokens is None else tokens
        skip = [*skip, *phrases("no_kind").spans(tokens, text)]  # "the horror of combat"
        skip += phrases("no_tag").spans(tokens, text)  # "cold war intrigue"
        out: list[TagMention] = []
        i, last, last_negator = 0, None, None  # the last mention's end token and its negator
        while i < len(tokens):
            end = self._phrases.match_at(tokens, i, text)
            if end == i:
                i += 1
                continue
            start, stop = tokens[i].start, tokens[end - 1].end
            if not any(s <= start < e for s, e in skip):
                negator = negator_before(tokens, i)
                if negator and _of_degree(tokens, i):
                    if tokens[i - 1].low in _degree():
                        i = end  # "not too scary": less of it, which no tag says or rules out
                        continue
                    negator = None  # "not too gory horror films": horror is wanted
                if negator is None and last is not None:  # "anything but horror and romance"
                    between = " ".join(t.low for t in tokens[last:i])
                    negator = last_negator if _carried(between, last_negator) else None
                form = " ".join(text[start:stop].lower().split())
                out += [
                    TagMention(tag, start, stop, negator is not None) for tag in self._forms[form]
                ]
                last, last_negator = end, negator
            i = end
        return out

    def forms(self) -> dict[str, tuple[str, ...]]:
        """Every word or phrase read as a tag (lower case), with the tags it names."""
        return self._forms

    @staticmethod
    def niche(text: str, tokens: tuple[Token, ...] | None = None) -> list[tuple[int, int]]:
        """The spans of `text` that ask for less mainstream picks ("surprise me", "hidden gems"): a
        cue to rank, not a tag; the phrases are data (`less_mainstream` in `data/*.toml`)."""
        return _niche().spans(tokenise(text) if tokens is None else tokens, text)

    def canonical(self, name: str) -> str | None:
        """The catalogue tag a name or everyday word stands for, if any (the first, for
        "romcom")."""
        return self._forms.get(name.strip().lower(), (None,))[0]

    @staticmethod
    def compounds(text: str, mentions: list[TagMention]) -> list[list[str]]:
        """The tag groups of `mentions` (in `text`) that qualify each other: wanted tags with
        nothing but a space or hyphen between them ("romantic comedy", "sci-fi horror", "romcom"),
        each group of two or more distinct tags, and those after a word of mixing ("a mix of action
        and comedy", "both horror and comedy"). "comedy or romance" and "comedy and romance" are
        no compound."""
        groups: list[list[TagMention]] = []
        for mention in sorted(
            (m for m in mentions if not m.negated), key=lambda m: (m.start, m.end)
        ):
            last = groups[-1][-1] if groups else None
            between = text[last.end : mention.start] if last is not None else "x"
            led = last is not None and _mixed(text[: groups[-1][0].start], between)
            if last is not None and (
                mention.start <= last.end or not between.replace("-", " ").strip() or led
            ):
                groups[-1].append(mention)
            else:
                groups.append([mention])
        tags = [list(dict.fromkeys(m.tag for m in group)) for group in groups]
        return [group for group in tags if len(group) > 1]


def _mixed(before: str, between: str) -> bool:
    """Whether two kinds with `between` them ("and") come right after a word of mixing
    (`compound_leads`: "a mix of", "both", "un mélange de") that ends `before`."""
    if between.strip(" ,").lower() not in word_set("like_joiners"):
        return False
    tokens = tokenise(before)
    found = phrases("compound_leads").matches(tokens, before)
    return bool(found) and found[-1][1] == len(tokens)


@cache
def no_kind_cut(text: str) -> str:
    """`text` with the words that use a kind's name for no kind of film (`no_kind`: "the horror
    of combat") cut out, a clause mark in their place, so that what reads kinds of film in it
    ("a war film about the horror of combat" is a war film) finds no horror film there."""
    cut = phrases("no_kind").spans(tokenise(text), text)
    for start, stop in reversed(cut):
        text = f"{text[:start]} , {text[stop:]}"
    return text


def _niche() -> Phrases:
    return Phrases(cue_words("less_mainstream"), hyphen_bound=True)
