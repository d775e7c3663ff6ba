"""Finding catalogue tags in free text: "not horror", "something funnier", "no sci-fi please".

A tag is recognised by its own name (and plural) and by the everyday words in `TAG_WORDS`; only tags that
exist in the catalogue are ever returned, in the catalogue's spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Everyday words for common catalogue tags (keys are lower-case tag names).
TAG_WORDS: dict[str, tuple[str, ...]] = {
    "comedy": ("comedies", "comedic", "funny", "funnier", "funniest", "humor", "humour", "humorous", "laughs"),
    "horror": ("scary", "scarier", "frightening", "creepy", "slasher"),
    "sci-fi": ("science fiction", "science-fiction", "scifi", "sf"),
    "animation": ("animated", "cartoon", "cartoons", "anime"),
    "children's": ("children", "childrens", "kids", "kid", "family"),
    "romance": ("romantic", "romances", "love story", "love stories", "romcom"),
    "film-noir": ("noir",),
    "documentary": ("documentaries", "docs"),
    "drama": ("dramas", "dramatic"),
    "thriller": ("thrillers", "thrilling", "suspense", "suspenseful"),
    "action": ("action-packed",),
    "adventure": ("adventures", "adventurous"),
    "western": ("westerns", "cowboy", "cowboys"),
    "musical": ("musicals",),
    "mystery": ("mysteries", "whodunit", "whodunnit"),
    "fantasy": ("fantasies", "magical"),
    "war": ("wartime",),
    "crime": ("crimes", "gangster", "gangsters", "heist"),
}

_NEGATORS = ("not", "no", "without", "nothing", "avoid", "except", "excluding", "exclude", "skip", "never",
             "don't", "dont", "hate", "less", "minus", "none")


@dataclass(frozen=True)
class TagMention:
    tag: str
    start: int
    end: int
    negated: bool


class TagMatcher:
    def __init__(self, tags: Iterable[str]) -> None:
        self.tags = sorted(set(tags))
        forms: dict[str, str] = {}
        for tag in self.tags:
            low = tag.lower()
            for form in (low, low + "s", *TAG_WORDS.get(low, ())):
                forms.setdefault(form, tag)
        self._forms = forms
        alternatives = sorted(forms, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in alternatives) + r")(?![\w-])", re.IGNORECASE)
            if alternatives
            else None
        )

    def mentions(self, text: str, *, skip: Iterable[tuple[int, int]] = ()) -> list[TagMention]:
        """Tag mentions in `text`, outside the `skip` spans, each marked negated when one of the three words
        before it (within the same clause) negates it."""
        if self._pattern is None:
            return []
        skip = list(skip)
        out: list[TagMention] = []
        for match in self._pattern.finditer(text):
            if any(s <= match.start() < e for s, e in skip):
                continue
            clause = re.split(r"[,.;!?]|\bbut\b|\band\b", text[: match.start()].lower())[-1]
            before = re.findall(r"[\w']+", clause)[-3:]
            negated = any(word in _NEGATORS for word in before)
            out.append(TagMention(self._forms[match.group(1).lower()], match.start(), match.end(), negated))
        return out

    def canonical(self, name: str) -> str | None:
        """The catalogue tag a name or everyday word stands for, if any."""
        return self._forms.get(name.strip().lower())
