"""The user's own words as a description: without the titles they name, once each, and only when
they say something beyond asking. The candidate stage embeds what is left ("a feel-good movie"),
and the reply quotes it back; words that say nothing ("what's good", "something to watch
tonight") would find only the titles that hold them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from recassist.assistant.parser import search_text
from recassist.language.phrases import tokenise
from recassist.language.shapes import TITLE_MARK, unmarked
from recassist.language.words import filler
from recassist.retrieval.catalogue import Catalogue, base_title, display_title
from recassist.retrieval.wording import singular

ONE_WORD_SERIES_MOST = 6  # a one-word series has at most this many titles ("godfather", not "war")


def once(texts: Iterable[str]) -> list[str]:
    """`texts` without those another one already says word for word: a new user's first message
    is both the tastes and the mood ("got anything similar?", "got anything similar"), and a
    description quoted back must not say it twice."""
    by_words = {" ".join(t.low for t in tokenise(x) if t.low[0].isalnum()): x for x in texts}
    said = [f" {k} " for k in by_words]
    return [x for k, x in zip(said, by_words.values()) if not any(k in o and o != k for o in said)]


def without_titles(
    catalogue: Catalogue, words: str, said: Sequence[str], seeds: Sequence[str]
) -> str:
    """`words` without the titles a request named (`said`, as written) and the `seeds`' titles: a
    seed's own title is no description (its words find title-word neighbours), unless it names a
    kind ("space adventures"); a film TMDb knows is a title ("the dark knight" is no knight)."""
    if not (seeds or said):
        return words
    titles = [catalogue.items[s].title for s in seeds if s in catalogue.items]
    index, outside = catalogue.concepts, catalogue.outside
    named = [
        t
        for t in said
        if (index is not None and not index.match(t)) or (outside is not None and outside.find(t))
    ]
    return beside_titles(words, titles, named)


def read_in(catalogue: Catalogue, words: str, text: str) -> bool:
    """Whether `text` (a word the parser could not use) is of what `words` describe (without
    what they wish away: `ConceptIndex.wanted`), which the synopses were matched against: it was
    read, by meaning ("stalked" in "thrillers about being stalked")."""
    index = catalogue.concepts
    wanted = f" {index.wanted(words) if index is not None else words} ".replace(",", " ")
    return f" {' '.join(text.lower().split())} " in wanted


def beside_titles(words: str, titles: Sequence[str], said: Sequence[str] = ()) -> str:
    """`words` without the `titles` (as displayed or said, with a way of liking before: `unmarked`) and the
    titles as the user wrote them (`said`: "the matrix", which the catalogue lacks), "" when only
    words of asking are left: "something like Star Wars (1977)" describes nothing beyond Star
    Wars, and "movies like the matrix" nothing at all."""
    forms = [f for title in titles for f in (display_title(title), base_title(title))]
    for form in [*forms, *said]:
        words = re.sub(
            rf"(?:\b(?:more\s+)?like\s+)?{re.escape(form)}",
            f" {TITLE_MARK} ",
            words,
            flags=re.IGNORECASE,
        )
    words = unmarked(words)
    return search_text(words, fallback=False) and " ".join(words.split())


def says_something(words: str) -> bool:
    """Whether `words` describe anything beyond asking ("hey! can you recommend me something to
    watch tonight?", "what's good from the 70s?"): a word of three letters or more that is no
    filler, number or year. Words that say nothing find only titles that hold them ("Good
    Morning" for "what's good"), so they are no description."""
    text = search_text(words, fallback=False)
    return any(t.low.isalpha() and len(t.low) > 2 and t.low not in filler() for t in tokenise(text))


def series_named(words: str, catalogue: Catalogue, single: bool = False) -> list[str]:
    """The films of a series the words name ("what's the best star trek movie": the Star Trek
    films), by the longest run of words that no filler holds and that at least two titles contain;
    [] when none. One word (`single`, when nothing else names a kind of film) only for a few
    titles: "godfather" is a series, "war" is in too many titles to be one."""
    said = [t.low for t in tokenise(words) if t.low[0].isalnum()]
    for n in (3, 2, 1) if single else (3, 2):
        for i in range(len(said) - n + 1):
            run = said[i : i + n]
            if any(w in filler() or len(w) < 3 for w in run):
                continue
            items = catalogue.series(" ".join(run))
            if 2 <= len(items) and (n > 1 or len(items) <= ONE_WORD_SERIES_MOST):
                return items
    return []


def without_wishes(words: str, wishes: Iterable[str]) -> str:
    """`words` without the wishes for less of a quality ("nothing too violent" describes no film
    to look for, and its words would find titles near "violent")."""
    for wish in wishes:
        words = re.sub(re.escape(wish), " , ", words, flags=re.IGNORECASE)
    return words.strip(" ,")


def unread_parts(clause: str, own: set[str]) -> list[str]:
    """The parts of a clause that no concept named which hold words read as nothing (`own`), as
    written: the whole clause ("a happy ending", "lots of fight scenes"), filler off its end,
    unless the parser read a word of it as something (a tag, a year). Then only the runs between
    such words, filler off their ends: "lisbonne" in "un film romantique qui se passe à
    lisbonne", where "romantique" was the tag, so that a reply never says a word it used was
    unused."""
    words = clause.split()
    while words and words[-1] in filler():  # "tieren sehen": "sehen" (watch) asks
        words.pop()
    read = [w not in own and w not in filler() for w in (singular(x) for x in words)]
    if not any(read):
        return [" ".join(words)] if own & {singular(w) for w in words} else []
    parts, run = [], []
    for word, was_read in [*zip(words, read), ("", True)]:
        if not was_read:
            run.append(word)
            continue
        while run and run[0] in filler():
            run.pop(0)
        while run and run[-1] in filler():
            run.pop()
        if own & {singular(w) for w in run}:
            parts.append(" ".join(run))
        run = []
    return parts
