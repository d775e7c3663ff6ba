"""The words of messages as the concepts read them (`retrieval.concepts`): lower-cased words and
clause marks, light singulars (not a stemmer: "animated" and "animal" stay apart), the forms a
hyphenated word counts as, and whether a misspelt name is spelt like a person's word by word;
and a list of names as a sentence says it, every layer's replies alike (`spoken_list`)."""

from __future__ import annotations

from rapidfuzz import fuzz

_JOINERS = "'-"  # inside a word: "don't", "sci-fi"
_STOPS = ",;.!?"  # between clauses


def tokens(text: str) -> list[str]:
    """`text` lower-cased as words (letters and digits, joined by an apostrophe or a hyphen) and
    the clause marks between them; everything else separates words."""
    out, word = [], ""
    for char in f"{text.lower()} ":
        if char.isalnum() or (char in _JOINERS and word):
            word += char
            continue
        if word:
            out.append(word.strip(_JOINERS))
            word = ""
        if char in _STOPS:
            out.append(char)
    return [t for t in out if t]


def at(words: list[str], i: int, phrase: tuple[str, ...]) -> bool:
    """Whether `phrase` begins at `words[i]`."""
    return tuple(words[i : i + len(phrase)]) == phrase


def singular(word: str) -> str:
    """`word` lower-cased without a plural or possessive ending ("heists", "comedies", "kids'"):
    light enough that "animated" and "animal" stay apart, as a stemmer would not keep them."""
    word = word.lower().removesuffix("'s").removesuffix("'")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def word_forms(token: str) -> list[str]:
    """The singular forms a word of a message is matched by: a word of two joined by a hyphen
    also counts whole ("sci-fi" is "sci", "fi" and "scifi")."""
    parts = [p for p in token.split("-") if p]
    whole = [singular("".join(parts))] if len(parts) > 1 else []
    return [*map(singular, parts), *whole]


def spelt_alike(typed: str, name: str) -> bool:
    """Whether each word of `typed` may be a misspelling of the same word of `name`: the same
    first letter and half its letters ("tom hanx" is Tom Hanks; "audie murphy" is not Eddie
    Murphy, "roy rogers" not Reg Rogers); written in another number of words, the same letters
    ("robert deniro" is Robert De Niro)."""
    said, wanted = typed.lower().split(), name.lower().split()
    if len(said) != len(wanted):
        return "".join(said) == "".join(wanted)
    return all(a[0] == b[0] and fuzz.ratio(a, b) >= 50 for a, b in zip(said, wanted))


def spoken_list(names: list[str], joiner: str = "and", most: int = 3) -> str:
    """ "A", "A and B", "A, B and C", "A, B, C and 2 more": every name is said, none dropped."""
    shown = names[:most] if len(names) <= most else names[:most] + [f"{len(names) - most} more"]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} {joiner} {shown[-1]}"
