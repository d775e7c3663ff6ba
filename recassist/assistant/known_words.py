"""Whether a message says anything the assistant could know: a word of English, of a title, of a
kind of film, of a film's description or keywords, or of the word lists of its six languages.
A message of none of these ("asdfghjkl", "xkcd qwop", "lorem ipsum dolor sit amet") is no
description: the nearest films "by title and genre" would be noise, so the reply says it knows
none of the words, and what can be asked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from recassist.assistant.request import Intent, TurnRequest
from recassist.data.knowledge import entity_names
from recassist.language.words import LANGUAGES, filler, language
from recassist.retrieval.catalogue import Catalogue
from recassist.retrieval.embedding import english_words

_WORD = re.compile(r"[^\W\d_]+")  # letters only, in any script
# the fields of a request that say nothing more than its words: a request of only these (and
# its mood) is a description
_DESCRIPTION_ONLY = {"intent", "mood", "new_topic"}


def unknown(request: TurnRequest, catalogue: Catalogue) -> TurnRequest:
    """A request that is only words (`TurnRequest.mood`) none of which anything knows, as the
    small talk that says so ("unknown", the words kept as its mood); else the request."""
    said = set(request.model_dump(exclude_defaults=True))
    if request.intent is not Intent.recommend or not request.mood or said - _DESCRIPTION_ONLY:
        return request
    words = [w for w in _words(request.mood) if len(w) > 2 and w not in filler()]
    known = _known(catalogue)
    if not words or any(_knows(w, known) for w in words):
        return request
    return TurnRequest(intent=Intent.chat, small_talk="unknown", mood=request.mood)


def _knows(word: str, known: frozenset[str]) -> bool:
    """Whether `word` is known, as it is, without a plural "s", or as a known word of five letters
    or more with an ending ("tarantinoesque", "kubrickian")."""
    if word in known or word.rstrip("s") in known:
        return True
    return any(word[:k] in known for k in range(5, len(word)))


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@lru_cache(maxsize=4)
def _known(catalogue: Catalogue) -> frozenset[str]:
    """Every word the assistant could read, built once per catalogue at the first message that
    needs it (about a second): English (the embedder's whole words), the titles, the concepts,
    the films' descriptions and keywords (TMDb's, of films in and out of the catalogue), the six
    languages' word lists and the translations of the names."""
    texts: list[str] = [item.title for item in catalogue.items.values()]
    if catalogue.concepts is not None:
        texts += [w for c in catalogue.concepts.concepts for w in (*c.names, *c.words)]
    if catalogue.synopses is not None:
        texts += [s.text for s in catalogue.synopses.synopses.values()]
    if catalogue.outside is not None:
        texts += [" ".join((f.title, f.overview, *f.keywords)) for f in catalogue.outside.films]
    texts += [w for code in LANGUAGES for w in _strings(language(code))]
    texts += list(entity_names()[1].get("translations", {}))
    return frozenset(english_words()) | {w for text in texts for w in _words(text)}


def _strings(value: object) -> Iterable[str]:
    """Every string in a word-list table, however nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield str(key)
            yield from _strings(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _strings(inner)
