"""Finding catalogue tags in free text: "not horror", "something funnier", "no sci-fi please".

A tag is recognised by its own name (and plural), by the everyday words in `TAG_WORDS`, and by the
words in `COMPOUND_WORDS` that name several tags at once ("romcom"); only tags that exist in the
catalogue are ever returned, in the catalogue's spelling. A genre word directly qualifying another
("romantic comedy", "sci-fi horror", "crime thriller") is a compound: `compounds` finds them, and an
item must have all its tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from recassist.grounding.tag_aliases import tag_aliases

# Everyday words for common catalogue tags (keys are lower-case tag names), in English, then the
# words French, Spanish, German, Italian and Portuguese speakers use for them, so that "plus drôle",
# "sin terror" or "etwas Lustiges" are read without the LLM (which took "drôle" for drama).
TAG_WORDS: dict[str, tuple[str, ...]] = {
    "comedy": (
        "comedies",
        "comedic",
        "funny",
        "funnier",
        "funniest",
        "humor",
        "humour",
        "humorous",
        "laughs",
        "comédie",
        "comédies",
        "drôle",
        "drôles",
        "marrant",
        "marrants",
        "amusant",
        "comique",
        "comedia",
        "comedias",
        "divertida",
        "divertido",
        "gracioso",
        "graciosa",
        "cómica",
        "cómico",
        "komödie",
        "komödien",
        "lustig",
        "lustiger",
        "lustiges",
        "witzig",
        "witziger",
        "commedia",
        "commedie",
        "divertente",
        "comédia",
        "engraçado",
        "engraçada",
    ),
    "horror": (
        "scary",
        "scarier",
        "frightening",
        "creepy",
        "slasher",
        "horreur",
        "épouvante",
        "terror",
        "miedo",
        "gruselig",
        "orrore",
        "terrore",
    ),
    "sci-fi": (
        "science fiction",
        "science-fiction",
        "scifi",
        "sci fi",
        "sf",
        "ciencia ficción",
        "ciencia ficcion",
        "fantascienza",
        "ficção científica",
    ),
    "animation": (
        "animated",
        "cartoon",
        "cartoons",
        "anime",
        "dessin animé",
        "dessins animés",
        "animación",
        "animados",
        "zeichentrick",
        "zeichentrickfilm",
        "animazione",
        "animação",
    ),
    "children's": (
        "children",
        "childrens",
        "kids",
        "kid",
        "family",
        "enfants",
        "enfant",
        "niños",
        "infantil",
        "infantiles",
        "kinder",
        "kinderfilm",
        "bambini",
        "crianças",
    ),
    "romance": (
        "romantic",
        "romances",
        "love story",
        "love stories",
        "romantique",
        "romántica",
        "romántico",
        "romantica",
        "romantico",
        "romantisch",
        "liebesfilm",
        "romântico",
    ),
    "film-noir": ("noir",),
    "documentary": (
        "documentaries",
        "docs",
        "documentaire",
        "documentaires",
        "documental",
        "documentales",
        "dokumentarfilm",
        "doku",
        "documentario",
    ),
    "drama": (
        "dramas",
        "dramatic",
        "drame",
        "drames",
        "dramatique",
        "dramático",
        "dramática",
        "dramma",
    ),
    "thriller": ("thrillers", "thrilling", "suspense", "suspenseful"),
    "action": ("action-packed", "acción", "azione", "ação"),
    "adventure": (
        "adventures",
        "adventurous",
        "aventure",
        "aventures",
        "aventura",
        "aventuras",
        "abenteuer",
        "avventura",
    ),
    "western": ("westerns", "cowboy", "cowboys"),
    "musical": ("musicals", "comédie musicale", "comédies musicales", "musicales", "musicale"),
    "mystery": ("mysteries", "whodunit", "whodunnit", "mystère", "misterio", "mistero", "mistério"),
    "fantasy": ("fantasies", "magical", "fantastique", "fantasía", "fantasia", "fantastico"),
    "war": ("wartime", "guerre", "guerra", "krieg", "kriegsfilm"),
    "crime": (
        "crimes",
        "gangster",
        "gangsters",
        "heist",
        "policier",
        "policiers",
        "policíaco",
        "policiaca",
        "krimi",
        "krimis",
        "poliziesco",
    ),
}

# Words that name several tags at once; each must be there (keys are lower-case words, values tag
# names).
COMPOUND_WORDS: dict[str, tuple[str, ...]] = {
    form: ("romance", "comedy")
    for form in ("romcom", "romcoms", "rom-com", "rom-coms", "rom com", "rom coms")
} | {"dramedy": ("drama", "comedy"), "dramedies": ("drama", "comedy")}
_JOINED = re.compile(
    r"[\s-]*"
)  # what may stand between the words of a compound: nothing but spaces or a hyphen

NEGATORS = (
    "not",
    "no",
    "without",
    "nothing",
    "avoid",
    "except",
    "excluding",
    "exclude",
    "skip",
    "never",
    "don't",
    "dont",
    "hate",
    "less",
    "minus",
    "none",
    "pas",
    "sans",
    "ni",
    "jamais",
    "aucun",
    "sin",
    "nada",
    "nunca",
    "ohne",
    "kein",
    "keine",
    "keinen",
    "nicht",
    "senza",
    "non",
    "niente",
    "sem",
    "não",
    "nenhum",
    "sauf",
    "excepto",
    "menos",
    "außer",
    "tranne",
    "exceto",
)
# "anything but horror": this "but" negates what follows instead of ending the clause
_ALL_BUT = re.compile(r"\b(anything|everything|all|whatever)\s+but\b")
# Words that end a clause, so that a negation (or the parser's "forget") before them does not reach
# past them.
CLAUSE_BREAK = re.compile(r"[,.;!?]|\b(?:but|and|mais|et|pero|y|aber|und|ma|e|mas)\b", re.I)


@dataclass(frozen=True)
class TagMention:
    tag: str
    start: int
    end: int
    negated: bool


class TagMatcher:
    def __init__(self, tags: Iterable[str]) -> None:
        self.tags = sorted(set(tags))
        forms: dict[str, tuple[str, ...]] = {}
        for tag in self.tags:
            low = tag.lower()
            for form in (low, low + "s", *tag_aliases().get(low, ()), *TAG_WORDS.get(low, ())):
                forms.setdefault(form, (tag,))
        by_lower = {t.lower(): t for t in self.tags}
        for form, names in COMPOUND_WORDS.items():
            if all(name in by_lower for name in names):
                forms.setdefault(form, tuple(by_lower[name] for name in names))
        self._forms = forms
        alternatives = sorted(forms, key=len, reverse=True)
        self._pattern = (
            re.compile(
                r"(?<![\w-])(" + "|".join(re.escape(f) for f in alternatives) + r")(?![\w-])",
                re.IGNORECASE,
            )
            if alternatives
            else None
        )

    def mentions(self, text: str, *, skip: Iterable[tuple[int, int]] = ()) -> list[TagMention]:
        """Tag mentions in `text`, outside the `skip` spans, each marked negated when one of the
        three words before it (within the same clause) negates it."""
        if self._pattern is None:
            return []
        skip = list(skip)
        out: list[TagMention] = []
        for match in self._pattern.finditer(text):
            if any(s <= match.start() < e for s, e in skip):
                continue
            clause = CLAUSE_BREAK.split(_ALL_BUT.sub(r"\1 except", text[: match.start()].lower()))[
                -1
            ]
            before = re.findall(r"[\w']+", clause)[-3:]
            negated = any(word in NEGATORS for word in before)
            out += [
                TagMention(tag, match.start(), match.end(), negated)
                for tag in self._forms[match.group(1).lower()]
            ]
        return out

    def forms(self) -> dict[str, tuple[str, ...]]:
        """Every word or phrase read as a tag (lower case), with the tags it names."""
        return self._forms

    @staticmethod
    def niche(text: str) -> list[tuple[int, int]]:
        """The spans of `text` that ask for less mainstream picks ("surprise me", "hidden gems"): a
        cue to rank, not a tag; the phrases are data (`data/cues.json`)."""
        return [match.span() for match in _cue("less_mainstream").finditer(text)]

    def canonical(self, name: str) -> str | None:
        """The catalogue tag a name or everyday word stands for, if any (the first, for "romcom")."""
        return self._forms.get(name.strip().lower(), (None,))[0]

    @staticmethod
    def compounds(text: str, mentions: list[TagMention]) -> list[list[str]]:
        """The tag groups of `mentions` (in `text`) that qualify each other: wanted tags with
        nothing but a space or hyphen between them ("romantic comedy", "sci-fi horror", "romcom"),
        each group of two or more distinct tags. "comedy or romance" and "comedy and romance" are no
        compound."""
        groups: list[list[TagMention]] = []
        for mention in sorted(
            (m for m in mentions if not m.negated), key=lambda m: (m.start, m.end)
        ):
            last = groups[-1][-1] if groups else None
            if last is not None and (
                mention.start <= last.end or _JOINED.fullmatch(text[last.end : mention.start])
            ):
                groups[-1].append(mention)
            else:
                groups.append([mention])
        tags = [list(dict.fromkeys(m.tag for m in group)) for group in groups]
        return [group for group in tags if len(group) > 1]


@cache
def _cue(name: str) -> re.Pattern[str]:
    """Every language's phrases for the cue `name` in `data/cues.json`, longest first, as whole
    words. Read on first use, not at import."""
    path = resources.files("recassist.assistant").joinpath("data/cues.json")
    by_language = json.loads(path.read_text(encoding="utf-8"))[name]
    phrases = sorted({p for words in by_language.values() for p in words}, key=len, reverse=True)
    alternatives = "|".join(re.escape(p) for p in phrases)
    return re.compile(r"(?<![\w-])(?:" + alternatives + r")(?![\w-])", re.I)
