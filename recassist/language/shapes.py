"""Shapes of a message read over its tokens, each a phrase list of `data/*.toml` plus a rule on the
words around it: "what is ... about", "a ... movie", "the last <name> movie", what follows
"like", a question about one film, a quoted title.

A "word" here is a run of tokens that touch each other ("feel-good", "Alien:"), as the text shows
it; `runs` cuts the tokens into them.
"""

from __future__ import annotations

from collections.abc import Iterator

from recassist.language.phrases import Token, tokenise
from recassist.language.words import cue, cue_words, listed, phrase_table, phrases, word_set

_ABOUT_REACH = 40  # "what is ... about": at most this many characters between the two
TITLE_MARK = "\x00"  # where a title named stood in a message's words (no one types it)


def runs(tokens: tuple[Token, ...], allowed: str) -> list[tuple[int, int, bool]]:
    """The words of `tokens`: runs of touching word tokens and characters `allowed`, as (first,
    after last) token indices and True; any other character is a run of its own, with False."""
    out: list[tuple[int, int, bool]] = []
    joins = False
    for i, token in enumerate(tokens):
        ok = token.low[0].isalnum() or token.low[0] == "_" or token.low in allowed
        if ok and joins and tokens[i - 1].end == token.start:
            out[-1] = (out[-1][0], i + 1, True)
        else:
            out.append((i, i + 1, ok))
        joins = ok
    return out


def about(tokens: tuple[Token, ...]) -> Iterator[tuple[int, int]]:
    """ "what is the second one about?", "tell me more about Fargo": the spans, left to right."""
    asks, tell = cue("about_what"), cue("about_tell")
    starts = {*asks.first_words, *tell.first_words}
    i = 0
    while i < len(tokens):
        if tokens[i].low not in starts:
            i += 1
            continue
        if (end := tell.match_at(tokens, i)) > i:
            yield tokens[i].start, tokens[end - 1].end
            i = end
            continue
        if (end := asks.match_at(tokens, i)) > i:
            reach = tokens[end - 1].end + _ABOUT_REACH
            last = None
            for k in range(end, len(tokens)):
                if tokens[k].end > reach + len("about"):
                    break
                if tokens[k].low == "about" and tokens[k].start <= reach:
                    last = k
            if last is not None:
                yield tokens[i].start, tokens[last].end
                i = last + 1
                continue
        i += 1


def a_movie(tokens: tuple[Token, ...]) -> tuple[int, int] | None:
    """The first "a ... movie" with at most three words between ("a feel-good movie")."""
    if not any(t.low in ("a", "an") for t in tokens):
        return None
    words = runs(tokens, "'-")
    nouns = word_set("film_nouns")
    for n, (first, after, clean) in enumerate(words):
        if not clean or after - first != 1 or tokens[first].low not in ("a", "an"):
            continue
        for first2, after2, clean2 in words[n + 1 : n + 5]:
            if not clean2:
                break
            if after2 - first2 == 1 and tokens[first2].low in nouns:
                return tokens[first].start, tokens[first2].end
    return None


def series_cues(tokens: tuple[Token, ...]) -> Iterator[tuple[int, int, str, int]]:
    """ "the last", "the very first", "most recent": (start of the phrase, start of its last word
    group, the cue, index of the token after it), when a space follows."""
    found = phrases("series_cues")
    leading = {"the", "very"}
    for first, after in found.matches(tokens):
        if after >= len(tokens) or tokens[after].start == tokens[after - 1].end:
            continue
        word = first
        while word < after - 1 and tokens[word].low in leading:
            word += 1
        cue = " ".join(t.low for t in tokens[word:after])
        yield tokens[first].start, tokens[word].start, cue, after


def series_name(text: str, tokens: tuple[Token, ...], at: int) -> tuple[int, int] | None:
    """The capitalised name of up to four words starting at token `at`, followed by "movie",
    "film", ... or by punctuation or the end: "Star Trek" in "the first Star Trek film"."""
    words = [w for w in runs(tokens, "'&:-") if w[0] >= at]
    nouns = word_set("series_nouns")
    for n, (first, after, clean) in enumerate(words[:4]):
        head = tokens[first].low[0]
        shown = text[tokens[first].start]
        if not clean or not (shown.isascii() and (shown.isupper() or n and head.isdigit())):
            return None
        if n and tokens[first].start == tokens[words[n - 1][1] - 1].end:
            return None
        rest = words[n + 1] if n + 1 < len(words) else None
        if rest is None:
            return tokens[words[0][0]].start, tokens[after - 1].end
        noun = text[tokens[rest[0]].start : tokens[rest[1] - 1].end]
        if noun in nouns or noun[:-1] in nouns and noun.endswith("s"):
            return tokens[words[0][0]].start, tokens[after - 1].end
        if tokens[rest[0]].low in (",", ".", ";", "!", "?"):
            return tokens[words[0][0]].start, tokens[after - 1].end
    return None


def likes(tokens: tuple[Token, ...], text: str, cue_name: str = "like") -> list[tuple[int, int]]:
    """What follows "like", "similar to", "I loved", ... (or the `cue_name` list: "I hated"), but
    not after a word of `like_after_sense` ("feels like"), up to "but", "and", "with", ...,
    punctuation or the end, left to right; and each further title of
    a list ("like Heat and Ronin", "I loved Fargo, Heat and Ronin"): a part after "and" or a comma
    that begins with no word of asking and asks for nothing ("and got anything similar?", "and
    more please", ", tu as quelque chose de similaire ?", ", o que mais?" are no titles)."""
    cue = phrases(cue_name)
    out, i, starts = [], 0, set(cue.first_words)
    while i < len(tokens):
        after = cue.match_at(tokens, i) if tokens[i].low in starts else i
        if after > i and i > 0 and tokens[i - 1].low in word_set("like_as_want"):
            ahead = range(after, min(after + 4, len(tokens)))  # "i'd like a movie similar to X"
            after = i if any(cue.match_at(tokens, k) > k for k in ahead) else after
        if after > i and i > 0 and tokens[i - 1].low in word_set("like_after_sense"):
            after = i  # "feels like a warm hug": no title
        if after == i or after >= len(tokens) or tokens[after].start == tokens[after - 1].end:
            i += 1
            continue
        stop = _like_end(tokens, after)
        out.append((tokens[after].start, tokens[stop - 1].end))
        while stop < len(tokens) and tokens[stop].low in _joiners():
            first = stop + 1
            while first < len(tokens) and tokens[first].low in _joiners():
                first += 1  # "Fargo, and Heat"
            if first >= len(tokens) or tokens[first].low in _asking_words():
                break
            if phrases("like_stops").match_at(tokens, first) > first:  # ", o que mais?"
                break
            stop = _like_end(tokens, first)
            if phrases("something").found(tokens[first:stop]):  # ", tu as quelque chose ?"
                break
            out.append((tokens[first].start, tokens[stop - 1].end))
        i = stop
    return out


def related(tokens: tuple[Token, ...], text: str) -> list[tuple[str, int, int, int]]:
    """ "more from the director of Alien", "who directed Fargo?", "the sequel to The Godfather":
    (relation, where its phrase starts, the title's start and end) of each title that follows a
    relation phrase of `[relations]`, up to punctuation or a stop word."""
    out = []
    for relation, start, end in phrase_table("relations").spans(tokens, text):
        after = next((k for k, t in enumerate(tokens) if t.start >= end), None)
        if after is not None and tokens[after].low[0].isalnum():
            stop = _like_end(tokens, after)
            out.append((relation, start, tokens[after].start, tokens[stop - 1].end))
    return out


# what a question about one film asks -> the forms that ask it ("{}" where the title stands)
FILM_QUESTIONS = {
    "director": "director_of_film",
    "writer": "writer_of_film",
    "cast": "cast_of_film",
    "length": "length_of_film",
    "year": "year_of_film",
    "rating": "rating_of_film",
    "awards": "awards_of_film",
    "film": "about_film",
    "have": "have_film",
}


def film_question(text: str) -> tuple[str, str] | None:
    """ "what is fargo about?" ("film": what is known of it), "who directed fargo?", "how long is
    the first one?", "de quoi parle le parrain ?": what the question asks (a key of
    `FILM_QUESTIONS`) and what stands where the title does in one of its forms that the whole of
    `text` fits, lower-cased ("it" for a form with no title: "who's the director?"); None when
    `text` is no such question."""
    said = " ".join(text.lower().split()).strip(" ?!.")
    for asked, forms in FILM_QUESTIONS.items():
        for form in listed(forms):
            if "{}" not in form:  # "who's the director?": of the film shown
                if said == form:
                    return asked, "it"
                continue
            before, _, after = form.partition("{}")
            if said.startswith(before) and said.endswith(after):
                title = said[len(before) : len(said) - len(after)].strip(" ,")
                if title:
                    return asked, title
    return None


def verdicts(tokens: tuple[Token, ...]) -> list[tuple[int, int]]:
    """What a verdict follows: "the godfather was amazing", "titanic was boring": the words from
    the sentence's start up to the verdict, six at most. None where a word that points back
    comes right before ("I watched Alien and it was great": Alien was named already)."""
    verdict, out = phrases("verdict"), []
    starts, pointers = set(verdict.first_words), word_set("pointers")
    for k in range(1, len(tokens)):
        if tokens[k].low not in starts or verdict.match_at(tokens, k) == k:
            continue
        if tokens[k - 1].low in pointers:
            continue
        first = k
        while first > 0 and tokens[first - 1].low[0].isalnum() and k - first < 6:
            first -= 1
        if first < k and (first == 0 or not tokens[first - 1].low[0].isalnum()):
            out.append((tokens[first].start, tokens[k - 1].end))
    return out


def leading(tokens: tuple[Token, ...]) -> int:
    """The index after the last token of the part a message begins with, read as what follows
    "like" would be ("fargo but funnier": "fargo"); 0 when it begins with no word."""
    return _like_end(tokens, 0) if tokens and tokens[0].low[0].isalnum() else 0


def _like_end(tokens: tuple[Token, ...], first: int) -> int:
    """The index after the last token of a "like" part that begins at `first`: before
    punctuation or a stop word ("but", "and", "with", ...)."""
    stops = phrases("like_stops")
    for k in range(first + 1, len(tokens)):
        if tokens[k].low in (",", ".", ";", "!", "?"):
            return k
        if tokens[k].start > tokens[k - 1].end and stops.match_at(tokens, k) > k:
            return k
    return len(tokens)


def _joiners() -> frozenset[str]:
    """Words between two titles of a list: "and", a comma."""
    return word_set("like_joiners")


def _asking_words() -> frozenset[str]:
    """Words that begin no title after a joiner: the filler of asking ("got", "more", "please"),
    articles aside ("and the Big Lebowski"), what the user did or felt ("and cried"), and asking
    for more (", others?")."""
    more = {w for w in cue_words("continue") if " " not in w}
    return (word_set("filler") - word_set("articles")) | word_set("reactions") | more


_OPENING, _CLOSING, _NOT_INSIDE = '"“', '"”', "\"”'"


def _wordy(char: str) -> bool:
    return char.isalnum() or char == "_"


def quoted(text: str) -> list[tuple[int, int]]:
    """The quoted titles of `text` (2 to 80 characters between the quotes), as spans inside the
    quotes; a single quote only where no letter touches it from outside ("d'horreur s'il" quotes
    nothing)."""
    out, i = [], 0
    if not any(quote in text for quote in "\"“'"):
        return out
    while i < len(text):
        opens = text[i] in _OPENING or text[i] == "'" and not (i and _wordy(text[i - 1]))
        end = i + 1
        while opens and end < len(text) and text[end] not in _NOT_INSIDE and end - i <= 80:
            end += 1
        closes = end < len(text) and (
            text[end] in _CLOSING
            or text[end] == "'"
            and not (end + 1 < len(text) and _wordy(text[end + 1]))
        )
        if opens and 2 <= end - i - 1 <= 80 and closes:
            out.append((i + 1, end))
            i = end + 1
        else:
            i += 1
    return out


def unmarked(text: str) -> str:
    """`text` without its `TITLE_MARK`s and a way of liking in any language right before one
    ("me gustó", "j'ai adoré", "similar to"): what a message says beyond the films it named.
    "qué me recomiendas si me gustó Titanic" says nothing more, where "gustó" found films whose
    descriptions say "spanish"."""
    tokens = tokenise(text)
    liking = [
        (start, end)
        for start, end in phrases("like").spans(tokens, text)
        if text[end:].lstrip().startswith(TITLE_MARK)
    ]
    for start, end in reversed(liking):
        text = text[:start] + text[end:]
    return text.replace(TITLE_MARK, " ")


def best_of_shown(text: str) -> bool:
    """Whether `text` asks which of the last list is best ("which is the best?", "which one
    would you pick?", "¿cuál me recomiendas?"): a `best_of_shown` phrase and, beside it, only
    filler ("which is the best comedy?" asks for comedies)."""
    return _only_phrase("best_of_shown", text)


def most_of_shown(text: str) -> str | None:
    """Which of the last list `text` asks for by its length or year ("which one is the
    longest?": "longest"; "¿cuál es la más antigua?": "oldest"), a `shown_<key>` phrase with only
    filler beside it; None when it asks none."""
    return next((key for key in SHOWN_MOST if _only_phrase(f"shown_{key}", text)), None)


def _only_phrase(name: str, text: str) -> bool:
    """Whether `text` holds a phrase of list `name` and, beside it, only filler."""
    tokens = tokenise(text)
    found = phrases(name).matches(tokens, text)
    inside = {k for first, after in found for k in range(first, after)}
    outside = (t.low for k, t in enumerate(tokens) if k not in inside and t.low[0].isalnum())
    return bool(found) and all(w in word_set("filler") for w in outside)


# what "which one is the longest?" may ask of the last list (`most_of_shown`)
SHOWN_MOST = ("longest", "shortest", "newest", "oldest")


def asked_of_it(text: str) -> str | None:
    """What a question about a film shown asks it to be, after the `is_it` phrase the message
    begins with ("is it scary?": "scary", "is the second one too violent?": "too violent");
    None when it begins with none or asks nothing after it."""
    tokens = tokenise(text)
    at = phrases("is_it").at_start(tokens, after_punctuation=True)
    if at is None or at[1] >= len(tokens):
        return None
    return text[tokens[at[1]].start :].strip(" ?!.¿") or None
