"""Finding catalogue tags in free text: "not horror", "something funnier", "no sci-fi please".

A tag is recognised by its own name (and plural) and by the everyday words in `TAG_WORDS`; only tags that
exist in the catalogue are ever returned, in the catalogue's spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Everyday words for common catalogue tags (keys are lower-case tag names), in English, then the words
# French, Spanish, German, Italian and Portuguese speakers use for them, so that "plus drôle", "sin terror"
# or "etwas Lustiges" are read without the LLM (which took "drôle" for drama).
TAG_WORDS: dict[str, tuple[str, ...]] = {
    "comedy": ("comedies", "comedic", "funny", "funnier", "funniest", "humor", "humour", "humorous", "laughs",
               "comédie", "comédies", "drôle", "drôles", "marrant", "marrants", "amusant", "comique",
               "comedia", "comedias", "divertida", "divertido", "gracioso", "graciosa", "cómica", "cómico",
               "komödie", "komödien", "lustig", "lustiger", "lustiges", "witzig", "witziger",
               "commedia", "commedie", "divertente", "comédia", "engraçado", "engraçada"),
    "horror": ("scary", "scarier", "frightening", "creepy", "slasher", "horreur", "épouvante", "terror",
               "miedo", "gruselig", "orrore", "terrore"),
    "sci-fi": ("science fiction", "science-fiction", "scifi", "sf", "ciencia ficción", "ciencia ficcion",
               "fantascienza", "ficção científica"),
    "animation": ("animated", "cartoon", "cartoons", "anime", "dessin animé", "dessins animés", "animación",
                  "animados", "zeichentrick", "zeichentrickfilm", "animazione", "animação"),
    "children's": ("children", "childrens", "kids", "kid", "family", "enfants", "enfant", "niños", "infantil",
                   "infantiles", "kinder", "kinderfilm", "bambini", "crianças"),
    "romance": ("romantic", "romances", "love story", "love stories", "romcom", "romantique", "romántica",
                "romántico", "romantica", "romantico", "romantisch", "liebesfilm", "romântico"),
    "film-noir": ("noir",),
    "documentary": ("documentaries", "docs", "documentaire", "documentaires", "documental", "documentales",
                    "dokumentarfilm", "doku", "documentario"),
    "drama": ("dramas", "dramatic", "drame", "drames", "dramatique", "dramático", "dramática", "dramma"),
    "thriller": ("thrillers", "thrilling", "suspense", "suspenseful"),
    "action": ("action-packed", "acción", "azione", "ação"),
    "adventure": ("adventures", "adventurous", "aventure", "aventures", "aventura", "aventuras", "abenteuer",
                  "avventura"),
    "western": ("westerns", "cowboy", "cowboys"),
    "musical": ("musicals", "comédie musicale", "comédies musicales", "musicales", "musicale"),
    "mystery": ("mysteries", "whodunit", "whodunnit", "mystère", "misterio", "mistero", "mistério"),
    "fantasy": ("fantasies", "magical", "fantastique", "fantasía", "fantasia", "fantastico"),
    "war": ("wartime", "guerre", "guerra", "krieg", "kriegsfilm"),
    "crime": ("crimes", "gangster", "gangsters", "heist", "policier", "policiers", "policíaco", "policiaca",
              "krimi", "krimis", "poliziesco"),
}

_NEGATORS = ("not", "no", "without", "nothing", "avoid", "except", "excluding", "exclude", "skip", "never",
             "don't", "dont", "hate", "less", "minus", "none",
             "pas", "sans", "ni", "jamais", "aucun", "sin", "nada", "nunca", "ohne", "kein", "keine", "keinen",
             "nicht", "senza", "non", "niente", "sem", "não", "nenhum")
# Words that end a clause, so that a negation before them does not reach past them.
_CLAUSE_BREAK = re.compile(r"[,.;!?]|\b(?:but|and|mais|et|pero|y|aber|und|ma|e|mas)\b")


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
            clause = _CLAUSE_BREAK.split(text[: match.start()].lower())[-1]
            before = re.findall(r"[\w']+", clause)[-3:]
            negated = any(word in _NEGATORS for word in before)
            out.append(TagMention(self._forms[match.group(1).lower()], match.start(), match.end(), negated))
        return out

    def canonical(self, name: str) -> str | None:
        """The catalogue tag a name or everyday word stands for, if any."""
        return self._forms.get(name.strip().lower())
