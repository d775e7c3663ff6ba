"""A message that is a title, whole or nearly, though the reading found none in it: a series named
in lower case ("the last star wars movie"), a title alone ("heat", "star trek", "jurrasic park"),
or one among words of asking ("all the die hard movies"). Kept apart from the other request rules
(`assistant.rules`)."""

from __future__ import annotations

from recassist.assistant.parser import search_text
from recassist.assistant.request import Intent, TurnRequest
from recassist.assistant.seeds import series_name
from recassist.language.forgiving import misspelt
from recassist.language.phrases import tokenise
from recassist.language.shapes import leading, series_cues
from recassist.language.words import filler, listed, negators, word_set
from recassist.retrieval.catalogue import Catalogue
from recassist.retrieval.embedding import english_words
from recassist.retrieval.titles import informal_key, known_series, title_key, without_number

WELL_KNOWN = 0.5  # the least popularity (rank by interactions, 0-1) of a film one word names


def series_title(request: TurnRequest, catalogue: Catalogue, message: str) -> TurnRequest:
    """ "the last star wars movie", "the newest alien film": a series named in lower case, which
    the reading takes only capitalised ("the last Star Wars movie"), when the catalogue has titles
    of that name (`Catalogue.series`); the words of the name say no genre ("star wars": no war
    films) and are not said back as unused."""
    if request.seed_titles or request.series or request.refers_first or request.about:
        return request
    tokens, nouns = tokenise(message), word_set("series_nouns")
    earliest = {" ".join(w.split()) for w in listed("series_earliest")}
    for _, _, which, after in series_cues(tokens):
        words = []
        for token in tokens[after : after + 5]:
            if token.low in nouns or not token.low[0].isalnum():
                break
            words.append(token.low)
        name = " ".join(words)
        counts = {w for w in words if w.isdigit() or w in word_set("count_words")}
        if not 0 < len(words) <= 4 or set(words) <= filler() | counts:  # "the first two"
            continue
        if not catalogue.series(name):
            continue
        said = {*which.split(), *words}
        return request.model_copy(
            update={
                "intent": Intent.recommend,
                "seed_titles": [name],
                "series": "earliest" if which in earliest else "latest",
                "refers_to": None,  # "the last": of the series, no position in a list
                "include_tags": [],
                "all_tags": [],
                "mood": None,
                "unused": [u for u in request.unused if not set(u.lower().split()) & said],
            }
        )
    return request


def bare_title(request: TurnRequest, catalogue: Catalogue, message: str = "") -> TurnRequest:
    """A message that is only a title ("heat", "star trek"): the list's seed, as after "like";
    "toy story 2", which the catalogue lacks, is said to be missing and the list is like Toy
    Story. Only a title the catalogue has exactly, a sequel of one, or a sure match of two words
    or more all in the title, a film TMDb knows ("the matrix": missing, and like it), or the one
    title that holds an uncommon word ("shawshank"): a word a title holds ("war", "christmas")
    or words near one ("set in space", "Lost in Space") are a description. A whole `message` that is a title exactly is one
    whatever its words would say otherwise ("top gun": no "top rated" guns), and so is one that is a
    title and a number ("star wars 5": The Empire Strikes Back; "jaws 5": missing), a series and
    a title of it ("star wars empire strikes back"), or a title misspelt (`_misspelt_whole`: "die
    hard with a vengance", "stars wars")."""
    whole = " ".join(message.split()).strip(" ?!.")
    listing = request.intent in (Intent.recommend, Intent.refine)  # "star wars 5": War, refine
    against = set(whole.lower().split()) & negators()  # "not star wars" is no seed
    trimmed = "" if against else _title_within(whole, catalogue)
    rest = _after_series(whole)  # "star wars empire strikes back"
    if listing and len(request.seed_titles) <= 1 and len(whole) >= 2:  # "Star Wars episode 5"
        forms = (whole, informal_key(whole), without_number(whole) or "", trimmed, rest)
        spelt = not against and _misspelt_whole(whole, catalogue)
        if spelt or any(catalogue.exact_title(form) for form in forms if form):
            seed = trimmed if trimmed and catalogue.exact_title(trimmed) else whole
            seed = rest if rest and catalogue.exact_title(rest) else seed
            seed = whole if series_name(whole) == seed else seed  # "all the die hard movies"
            return request.model_copy(
                update={
                    "intent": Intent.recommend,  # a film alone after comedies: like it, as "titanic"
                    "seed_titles": [seed],
                    "mood": None,
                    "new_topic": False,
                    "best": False,
                    **{f: [] for f in ("include_tags", "all_tags", "exclude_tags", "unused")},
                }
            )
    wants = (request.include_tags, request.all_tags, request.exclude_tags, request.people)
    plain = request.intent is Intent.recommend and not request.seed_titles and not any(wants)
    if not plain or request.best or request.relation or request.year_min or request.year_max:
        return request
    said = search_text(request.mood or "", fallback=False).strip(" ?!.")
    if not said or len(said.split()) > 5:
        return request
    seed = _said_title(said, catalogue)
    if seed is None:
        return request
    return request.model_copy(update={"seed_titles": [seed], "mood": None, "new_topic": False})


def _said_title(said: str, catalogue: Catalogue) -> str | None:
    """The seed a short message that asks nothing else names (`bare_title`), as it is written, or
    the title of the one film whose title holds its one uncommon word ("shawshank",
    "lebowski"); None when it names no film."""
    base = without_number(said)
    titled = catalogue.exact_title(said) or (base and catalogue.exact_title(base))
    plain_words = set(said.lower().split()) <= filler()  # "what did you recommend"
    # "movies about dogs" names a kind of film, not The Truth About Cats & Dogs
    kinds = catalogue.concepts.match(said) if catalogue.concepts is not None else []
    plain_words = plain_words or any(m.score >= 1.0 for m in kinds)
    if not plain_words:  # "godfather": The Godfather
        titled = titled or catalogue.titles.without_article(title_key(said))
    if len(said.split()) >= 2 and not plain_words:  # "star trek", "jurrasic park"
        titled = titled or _surely_spelt(said, catalogue)
    written = said[0].isupper() or said.lower().split()[0] in word_set("articles")
    if len(said.split()) >= 2 and (written or not plain_words):  # "The Dark Knight", no "dark"
        titled = titled or _outside(said, catalogue, found=not plain_words)
    if titled:
        return said
    one = None if plain_words else _only_title_with(said, catalogue)
    return catalogue.items[one].title if one else None


def _only_title_with(word: str, catalogue: Catalogue) -> str | None:
    """The one item whose title holds `word`, a word of five letters or more that is no English
    word ("shawshank", "lebowski"; "heat" and "matrix" are words); None when none or several do."""
    low = word.lower()
    if " " in low or len(low) < 5 or low in english_words():
        return None
    held = [i for i, item in catalogue.items.items() if low in title_key(item.title).split()]
    return held[0] if len(held) == 1 else None


def either_title(request: TurnRequest, catalogue: Catalogue) -> TurnRequest:
    """ "like fargo or pulp fiction", "algo como Titanic o Fargo": a seed that is no title whole,
    whose parts either side of an `either` word ("or", "o", "oder") are each a film's title, is
    those films; "like funerals or a dead body" stays as read (a description)."""
    either, seeds = word_set("either"), []
    for title in request.seed_titles:
        parts, part = [], []
        for word in title.split():
            if word.lower() in either:
                parts, part = [*parts, " ".join(part)], []
            else:
                part.append(word)
        parts.append(" ".join(part))
        whole = catalogue.exact_title(title) or len(parts) < 2
        seeds += [title] if whole or not all(_names_title(p, catalogue) for p in parts) else parts
    return (
        request.model_copy(update={"seed_titles": seeds[:5]})
        if len(seeds) > len(request.seed_titles)
        else request
    )


def _names_title(said: str, catalogue: Catalogue) -> bool:
    """Whether `said` is a film's title: exactly, informally, without its article, surely spelt
    in two words or more, or exactly one TMDb knows."""
    if not said:
        return False
    found = catalogue.exact_title(said) or catalogue.exact_title(informal_key(said))
    found = found or catalogue.titles.without_article(title_key(said))
    found = found or (len(said.split()) > 1 and _surely_spelt(said, catalogue))
    return bool(found) or _outside(said, catalogue, found=False)


def lead_title(message: str, catalogue: Catalogue) -> str:
    """ "fargo but funnier", "the matrix but less violent", "jaws meets jurassic park": a message
    that begins with a film's title and goes on as a list after "like" would (`like_stops`: "but",
    "without", "for kids", "under 2 hours", "meets"), as if "like" came first; else `message` as
    it is. A title alone is `bare_title`'s; one word that names a kind of film stays a description
    ("aliens but funny": about aliens)."""
    tokens = tokenise(message)
    end = leading(tokens)
    if not 0 < end < len(tokens) or _surely_spelt(message, catalogue):  # "die hard with a ..."
        return message
    said = message[tokens[0].start : tokens[end - 1].end]
    return f"{listed('like')[0]} {message}" if _names_film(said, catalogue) else message


def _names_film(said: str, catalogue: Catalogue) -> bool:
    """Whether `said` is a film's title: the catalogue's exactly, or informally ("indy 3"), and in
    one word written in lower case only a film of the better known half ("heat", not "heavy"); else,
    when it names no kind of film ("aliens" is one), surely by spelling ("se7en", "jurrasic park")
    or, in two words or more, one TMDb knows and the catalogue lacks ("the matrix"); never words
    of asking or a negation."""
    words = set(said.lower().split())
    if words <= filler() or words & negators():
        return False
    kinds = catalogue.concepts.match(said) if catalogue.concepts is not None else []
    if any(m.score >= 1.0 for m in kinds):
        return len(words) > 1 and bool(catalogue.exact_title(said))  # "aliens", not Aliens
    item = catalogue.exact_title(said) or catalogue.exact_title(informal_key(said))
    item = item or _surely_spelt(said, catalogue)  # "se7en", "jurrasic park"
    if item is None:
        return len(words) > 1 and _outside(said, catalogue, found=True)
    known = catalogue.concepts.popularity if catalogue.concepts is not None else {}
    return len(words) > 1 or said[0].isupper() or known.get(item, 1.0) >= WELL_KNOWN


def _outside(said: str, catalogue: Catalogue, found: bool) -> bool:
    """Whether `said` names a film TMDb knows and the catalogue lacks: a film to be like, said
    missing, not words to find in descriptions ("the matrix"; in two words or more only). Words
    that name a kind of film must be its whole title, with or without its article ("The Dark
    Knight"); others may be as `OutsideFilms.find` finds them (`found`: "lord of the rings")."""
    film = catalogue.outside.find(said) if catalogue.outside is not None else None
    key, article = title_key(said), title_key(film.title) if film is not None else ""
    return film is not None and (found or key in (article, article.partition(" ")[2]))


def _surely_spelt(said: str, catalogue: Catalogue) -> str | None:
    """The item `said` surely names, each of its words a word of the title or that word misspelt
    (`_spelt_within`); else None. What a title alone and a title first are both checked by."""
    match = catalogue.match_title(said)
    if match is None or not match.sure:
        return None
    return match.item_id if _spelt_within(said, catalogue.items[match.item_id].title) else None


def _spelt_within(said: str, title: str) -> bool:
    """Whether each word of `said` is a word of `title`, or that word misspelt (one edit, two from
    eight letters): "jurrasic park" is Jurassic Park; "set in space" is no Lost in Space."""
    words = title_key(title).split()
    return all(any(misspelt(w, t) for t in words) for w in title_key(said).split())


def _misspelt_whole(whole: str, catalogue: Catalogue) -> bool:
    """Whether `whole` is a title misspelt: in three words or more surely (`_surely_spelt`: "die
    hard with a vengance"), in two only as the whole of a two-word title and no filler ("stars
    wars", whose "wars" would otherwise be the kind War)."""
    words = whole.lower().split()
    if len(words) < 2 or (len(words) == 2 and set(words) & filler()):
        return False
    item = _surely_spelt(whole, catalogue)
    title = catalogue.items[item].title if item else ""
    return bool(item) and (len(words) > 2 or len(title_key(title).split()) == 2)


def _after_series(whole: str) -> str:
    """What follows the name of a series whose titles do not all hold it (`known_series`) at
    the start of `whole` ("star wars empire strikes back": "empire strikes back"); "" if none."""
    key = title_key(whole)
    name = next((n for n in known_series() if key.startswith(f"{n} ")), None)
    return key[len(name) :].strip() if name else ""


def _title_within(whole: str, catalogue: Catalogue) -> str:
    """The longest title of two words or more that `whole` is, less filler words at either end
    ("the star wars films": Star Wars); filler words may start or end the title ("all the die
    hard movies": "die" is German filler; "stand by me movies"); "" when none is."""
    words = whole.split()
    kept = [i for i, w in enumerate(words) if w.lower() not in filler()]
    if not kept:
        return ""
    for length in range(len(words), 1, -1):  # the longest first: "stand by me movies"
        for start in range(0, min(kept[0], len(words) - length) + 1):
            span = " ".join(words[start : start + length])
            if start + length > kept[-1] and catalogue.exact_title(span):
                return span
    return ""
