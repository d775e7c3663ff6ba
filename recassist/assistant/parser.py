"""The deterministic reading of a chat turn: the fallback when the LLM's plan fails, and the safety
net for what a user says explicitly ("not horror" must never be lost, whatever the LLM made of it).

Titles come first: quoted titles, catalogue titles found in the message (`TitleSpans`), and what
follows "like ..." are seeds, and their words are read as nothing else, so "The Last of the
Mohicans", "Seven", "First Knight" or "2001: A Space Odyssey" are never an ordinal, a count or a
year, and a number right after a title ("Toy Story 2", "Godfather part 2") is part of it. "The last
Star Wars movie" names the latest title of a series (`series`), not the last item of the list; "the
last one" is still a position. A genre word directly qualifying another ("romantic comedy", "sci-fi
horror") asks for items with all those tags (`all_tags`); "comedy or romance" asks for any of them.
A want in the user's own words ("a feel-good movie for a rainy sunday") is a new topic
(`new_topic`); "something darker" or "more please" is about the last list. Any text gives a valid
request: numbers the request cannot hold (a year 3000, "the 99th one") are kept for the agent to
answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from recassist.assistant.forgiving import asks_for_picks, forgive, left_out, unfiltered
from recassist.assistant.request import Intent, TurnRequest
from recassist.assistant.tags import CLAUSE_BREAK, NEGATORS, TagMatcher, TagMention

_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
}
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a couple": 2,
    "a few": 3,
}
_TIME_WORDS = r"(?:week|weekend|night|year|month|time|summer|winter|spring|autumn|fall|season|friday|saturday|sunday)"
_ORDINAL = re.compile(
    r"\b(?:the\s+)?("
    + "|".join(_ORDINALS)
    + r")\b(?!\s+"
    + _TIME_WORDS
    + r")(?:\s+(?:one|movie|film|item|pick))?"
    r"|(?:#|\bnumber\s+|\bno\.\s*)(\d{1,3})\b|\b(\d{1,3})(?:st|nd|rd|th)\b",
    re.I | re.ASCII,
)
# The same positions in French, Spanish, Portuguese, Italian and German, after an article ("le
# deuxième", "el último", "den zweiten Film"), and not before "de"/"von" ("la última película de
# Star Wars" is a series).
_FOREIGN_ORDINALS = {
    **dict.fromkeys(
        (
            "premier",
            "première",
            "primer",
            "primero",
            "primera",
            "primeiro",
            "primeira",
            "primo",
            "prima",
            "erste",
            "ersten",
            "erster",
            "erstes",
        ),
        1,
    ),
    **dict.fromkeys(
        (
            "deuxième",
            "second",
            "seconde",
            "segundo",
            "segunda",
            "secondo",
            "seconda",
            "zweite",
            "zweiten",
            "zweiter",
            "zweites",
        ),
        2,
    ),
    **dict.fromkeys(
        (
            "troisième",
            "tercer",
            "tercero",
            "tercera",
            "terceiro",
            "terceira",
            "terzo",
            "terza",
            "dritte",
            "dritten",
            "dritter",
            "drittes",
        ),
        3,
    ),
    **dict.fromkeys(
        ("quatrième", "cuarto", "cuarta", "quarto", "quarta", "vierte", "vierten", "vierter"), 4
    ),
    **dict.fromkeys(("cinquième", "quinto", "quinta", "fünfte", "fünften", "fünfter"), 5),
    **dict.fromkeys(
        (
            "dernier",
            "dernière",
            "último",
            "última",
            "ultimo",
            "ultima",
            "letzte",
            "letzten",
            "letzter",
            "letztes",
        ),
        -1,
    ),
}
_FOREIGN_FILM = r"(?:film|filme|filmes|película|pelicula)"
_FOREIGN_ORDINAL = re.compile(
    r"\b(?:le|la|el|lo|il|o|a|der|die|das|den|dem)\s+(" + "|".join(_FOREIGN_ORDINALS) + r")(?!\w)"
    r"(?!(?:\s+"
    + _FOREIGN_FILM
    + r")?\s+(?:de|del|des|du|di|da|do|von|vom|aus)\b)(?:\s+"
    + _FOREIGN_FILM
    + r")?",
    re.I,
)
_COUNT = re.compile(
    r"\b(\d{1,2}|"
    + "|".join(_NUMBERS)
    + r")\s+(?:more\s+)?(?:[\w'-]+\s+){0,2}?(?:movies|films|items|recommendations|picks|suggestions|titles|ones|things)\b|\b(?:top|give me|show me|recommend|suggest|need|want)\s+(\d{1,2}|"
    + "|".join(_NUMBERS)
    + r")\b(?!\s*(?:st|nd|rd|th)\b)|^\W*(\d{1,2}|"
    + "|".join(_NUMBERS)
    + r")\s+more\b",
    re.I,
)
_DECADE = re.compile(
    r"\b(?:the\s+)?(?:(?:(19|20)?(\d)0)'?s|(twen|thir|for|fif|six|seven|eigh|nine)ties)\b"
    r"|\b(?:années|años|anos|anni|los)\s+'?(19|20)?(\d)0\b"  # des années 90, los (años) 80, anni '70
    r"|\b(19|20)?(\d)0ern?\b(?:\s*jahren?\b)?",  # die 80er Jahre, aus den 1990ern
    re.ASCII | re.I,
)
_DECADE_WORDS = {
    "twen": "2",
    "thir": "3",
    "for": "4",
    "fif": "5",
    "six": "6",
    "seven": "7",
    "eigh": "8",
    "nine": "9",
}
# "the last Star Wars movie", "the first Star Trek film": the latest or earliest title of a series,
# not a position in the list (`_SERIES` right before a title, or before a capitalised name and
# "movie").
_SERIES = re.compile(
    r"\b(?:the\s+)?(?:very\s+)?(last|latest|newest|most\s+recent|first|original|earliest|oldest)\s+",
    re.I,
)
_SERIES_NAME = re.compile(
    r"([A-Z][\w'&:-]*(?:\s+[A-Z0-9][\w'&:-]*){0,3}?)\s*(?:\b(?:movie|film|one|title|installment|instalment|entry)s?\b|(?=[,.;!?]|$))"
)
_EARLIEST = ("first", "original", "earliest", "oldest")
_BEFORE = re.compile(r"\b(?:before|older than|earlier than|pre)[\s-]+(\d{4})\b", re.I | re.ASCII)
_AFTER = re.compile(r"\b(?:after|since|newer than|later than|post)[\s-]+(\d{4})\b", re.I | re.ASCII)
_NOT = re.compile(r"\b(?:not|nothing|no)\b(?:\s+from)?\s*$", re.I)
_IN_YEAR = re.compile(r"\b(?:in|from)\s+(\d{4})\b", re.I | re.ASCII)
# a quoted title; a single quote only where no letter touches it from outside ("d'horreur s'il"
# quotes nothing)
_QUOTED = re.compile(r"(?:[\"“]|(?<!\w)')([^\"”']{2,80})(?:[\"”]|'(?!\w))")
_LIKE = re.compile(
    r"\b(?:like|similar to|such as|as good as|in the vein of|reminds? me of)\s+(.+?)(?=\s+(?:but|and|with|without|only|except|though|that|from|in the|not)\b|[,.;!?]|$)",
    re.I,
)
_WHY = re.compile(
    r"\bwhy\b|\bexplain\b|\bwhat makes\b|\bhow come\b|\bpourquoi\b|\bpor\s?qu[eé]\b(?!\s+no\b)|\bwarum\b|\bperch[eé]\b",
    re.I,
)
# "what is the second one about?", "tell me more about Fargo": a "why" when it points at an item
_ABOUT = re.compile(r"\bwhat(?:'s| is)\b.{0,40}\babout\b|\btell me (?:more )?about\b", re.I)
_MORE_LIKE = re.compile(
    r"\bmore\s+(?:like|of)\s+(?:the\s+|that|this|it|number\b|#|no\.|\d)"
    r"|\b(?:plus|encore)\s+(?:comme|dans le genre d)|\bm[aá]s\s+como\b|\bmais\s+como\b|\bmehr\s+wie\b|\b(?:altri|ancora)\s+come\b",
    re.I,
)
_POINTERS = frozenset(
    {"this", "that", "it", "them", "these", "those", "me", "you", "what", "which", "one", "ones"}
)
_FILLER = re.compile(r"\b(?:the|one|ones|movie|film|item|pick)\b|[\s#.]", re.I)
_LIKE_FEEDBACK = re.compile(
    r"\bi\s+(?:really\s+)?(?:loved?|liked?|enjoyed|adore[d]?)\b|\bthumbs up\b|\bgreat pick\b"
    r"|^\W*(?:really\s+)?(?:loved|liked|enjoyed)\b"  # "loved the 2nd"
    r"|\b(?:was|is|looks|sounds|seems)\s+(?:really\s+|so\s+)?(?:great|good|amazing|awesome|excellent|fantastic|brilliant|perfect)\b"
    r"|\bj'(?:adore|aime)\b|\bme\s+(?:encanta|encantó|gusta|gustó)\b|\bich\s+(?:liebe|mag)\b|\bgefällt\s+mir\b"
    r"|\bmi\s+(?:piace|è piaciuto)\b|\b(?:eu\s+)?(?:adoro|amo|gosto)\b",
    re.I,
)
# checked before the likes: "no me gusta" holds "me gusta", "gefällt mir nicht" "gefällt mir"
_DISLIKE_FEEDBACK = re.compile(
    r"\bnot interested\b|\bi\s+(?:hated?|disliked?|didn'?t like|don'?t like)\b|\bthumbs down\b|\bseen it\b|\bno thanks\b"
    r"|\b(?:i'?ve|i have)\s+(?:already\s+)?seen\b|\balready seen\b"
    r"|\bje\s+n'aime\s+pas\b|\bje\s+déteste\b|\bpas\s+intéressée?\b|\bno\s+me\s+(?:gusta|gustó|interesa)\b|\bodio\b"
    r"|\bich\s+hasse\b|\bgefällt\s+mir\s+nicht\b|\bmag\s+ich\s+nicht\b|\bkein\s+interesse\b|\bnon\s+mi\s+piace\b"
    r"|\bnão\s+gosto\b",
    re.I,
)
_SEARCH = re.compile(
    r"^\s*(?:find|search|look up|look for|show me (?:movies|films|items) (?:about|with))\b", re.I
)
_THAT_ONE = re.compile(r"\b(?:that|this|it)(?:\s+one)?\b", re.I)
_ADULT = re.compile(
    r"\bfor (?:adults|grown[- ]ups)\b|\bgrown[- ]up\b|\bnot for kids\b|\bmature\b"
    r"|\bpour (?:les )?adultes\b|\bpara (?:los )?adultos\b|\bfür erwachsene\b|\bper adulti\b|\bpara adultos\b",
    re.I,
)
_FORGET = re.compile(r"\b(?:forget|drop|never\s?mind|ignore|remove|clear|scrap|no longer)\b", re.I)
_RESET = re.compile(
    r"\b(?:start(?:ing)? (?:over|again|afresh)|reset|from scratch|clean slate|something (?:completely|totally|entirely) different)\b",
    re.I,
)
_ANY_YEAR = re.compile(r"\bany (?:year|decade|time|era|period)\b", re.I)
_ALLOW = re.compile(
    r"\b(?:is|are)\s+(?:fine|ok|okay|alright|all right|good)\b|\bdon'?t mind\b|\ballow\b|\bbring back\b|\bafter all\b",
    re.I,
)
# Words that relate a request to the last list ("something darker", "another one", "plus léger"): no
# new topic
_RELATIVE = re.compile(
    r"\b(?:more|less|fewer|else|another|other|instead|same|similar|also|again|darker|lighter|funnier|scarier|"
    r"sadder|happier|shorter|longer|older|newer|softer|gentler|grittier|weirder|sillier|smarter|deeper|calmer|"
    r"quieter|slower|faster|better|worse|bigger|smaller|brighter|heavier|wilder|milder|plus|moins|más|menos|"
    r"più|meno|mehr|weniger|autre|otro|otra|altro|altra|outro|outra|andere[nrs]?|mejor|meilleur|besser|migliore|melhor)\b",
    re.I,
)
# What a whole new want is said with: "something ...", "a feel-good movie ...", "movies about ...",
# and the same in the other languages read here; "with a happy ending" or "nothing too violent"
# qualify the last list
_SOMETHING = r"something|anything|quelque chose|algo|etwas|qualcosa|alguma coisa"
_WANT_HEAD = re.compile(
    rf"\b(?:{_SOMETHING}|movies|films|(?:a|an)\s+(?:[\w'-]+\s+){{0,3}}?(?:movie|film)|un film|una película|"
    r"una pelicula|un filme|um filme|einen? film)\b",
    re.I,
)
_CONTINUE = re.compile(r"\b(?:more|another|again|others)\b", re.I)
_ASK_WORDS = (
    rf"recommend|suggest|{_SOMETHING}|give me|show me|want|looking for|in the mood|je veux|je voudrais|"
    r"j'aimerais|quiero|busco|ich möchte|ich will|ich suche|voglio|vorrei|cerco|quero|procuro"
)
_ASK = re.compile(rf"\b(?:{_ASK_WORDS})\b", re.I)


# Catalogue titles named in a text, as (start, end) spans:
# `retrieval.catalogue.Catalogue.title_spans`.
TitleSpans = Callable[[str], list[tuple[int, int]]]


def _series(
    text: str, spans: list[tuple[int, int]], tags: TagMatcher
) -> tuple[str, tuple[int, int], tuple[int, int]] | None:
    """ "the last Star Wars movie": ('latest' or 'earliest', the span of "the last", the span of the
    name), the name a title among `spans` or a capitalised name before "movie"; None when the
    message has none."""
    for match in _SERIES.finditer(text):
        if any(
            s <= match.start(1) < e for s, e in spans
        ):  # "The Last of the Mohicans", "First Knight"
            continue
        name = next((span for span in spans if span[0] == match.end()), None)
        named = None if name else _SERIES_NAME.match(text, match.end())
        if (
            named
            and not tags.canonical(named.group(1))
            and not set(named.group(1).lower().split()) <= _FILLER_WORDS
        ):
            name = named.span(1)  # a capitalised name: "Star Trek", not "ONE" in "THE LAST ONE"
        if name is not None:
            order = "earliest" if match.group(1).lower() in _EARLIEST else "latest"
            return order, match.span(), name
    return None


def _ordinal(text: str) -> int | None:
    if match := _ORDINAL.search(text):
        return (
            _ORDINALS[match.group(1).lower()]
            if match.group(1)
            else int(match.group(2) or match.group(3))
        )
    if match := _FOREIGN_ORDINAL.search(text):
        return _FOREIGN_ORDINALS[match.group(1).lower()]
    return None


def _only_reference(text: str) -> bool:
    """Whether `text` is a position in the last list and nothing else ("the 99th one", "number 2")."""
    rest = _FOREIGN_ORDINAL.sub("", _ORDINAL.sub("", text))
    return _ordinal(text) is not None and not _FILLER.sub("", rest)


# How people ask, which says nothing about what they want: embedded, "something funny" finds
# "Something to Talk About"
_ASKING = re.compile(rf"\b(?:i want|i'?d like|{_ASK_WORDS}|some|movies?|films?|please)\b", re.I)
_NEGATED_TAIL = re.compile(
    r"\b(?:(?:anything|everything|all|whatever)\s+but|"
    + "|".join(re.escape(w) for w in NEGATORS)
    + r")\b[\s\w']{0,30}$",
    re.I,
)


def wanted(text: str, tags: TagMatcher, mentions: list[TagMention] | None = None) -> str:
    """`text` without what it asks not to have ("not horror", "pas d'horreur"): the user's words as
    the embedder should read them (the request's `mood`), since an embedding of "not horror" lies
    near horror."""
    cuts = []
    mentions = tags.mentions(text) if mentions is None else mentions
    for mention in mentions:
        if mention.negated:
            negator = _NEGATED_TAIL.search(text[: mention.start])
            cuts.append((negator.start() if negator else mention.start, mention.end))
    return _tidy(_mask(text, cuts))


def search_text(mood: str, *, fallback: bool = True) -> str:
    """The mood as the embedder should read it: without the words of asking ("something", "movies",
    "please"), which match titles ("Something to Talk About") rather than tastes; the mood itself
    when nothing else is left."""
    return _tidy(_ASKING.sub(" ", mood)) or (
        mood if fallback else ""
    )  # or nothing, without `fallback`


def _tidy(text: str) -> str:
    return " ".join(re.sub(r"\s+([,.;!?])", r"\1", text).split()).strip(" ,.;:!?")


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the `spans` blanked out (same length), so that nothing else is read inside a
    title."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# Words that carry no request of their own ("please give me some good movies").
_FILLER_WORDS = frozenset(
    """
a an the some any me my i i'd i'm id im we us you your it its this that these those one ones please pls thanks
thank ok okay hi hello hey so just only also too really very maybe then now again else more other another
of to for from with without in on at by about and or but not no nothing as is are be was were do does did
can could would will should shall might may let's lets let give show get find recommend suggest want need
like love liked loved enjoy enjoyed watch watched see seen something anything stuff things thing movie movies
film films item items pick picks title titles recommendation recommendations suggestion suggestions kind
sort type good great nice best new old older newer what which how why rather instead actually prefer
either neither all yes yeah sure have has having got get
de des du d' la le les l' un une et ou pour avec sans en au aux je j' me m' moi s' il vous svp plaît quelque
chose veux voudrais aimerais cherche comme mais plus film films
el los las unos unas una y o para con sin del al por favor quiero busco algo como pero más película películas
pelicula peliculas
der die das den dem ein eine einen einem und oder für mit ohne im bitte ich mir mich möchte will suche etwas
wie aber mehr filme
lo gli uno e per senza di della dei delle voglio vorrei cerco qualcosa come ma più
os as um uma com sem do da dos das em quero procuro alguma coisa mas mais filme filmes
""".split()
)
_READ = (
    _ORDINAL,
    _FOREIGN_ORDINAL,
    _COUNT,
    _DECADE,
    _BEFORE,
    _AFTER,
    _NOT,
    _IN_YEAR,
    _WHY,
    _ABOUT,
    _MORE_LIKE,
    _DISLIKE_FEEDBACK,
    _LIKE_FEEDBACK,
    _SEARCH,
    _THAT_ONE,
    _ADULT,
    _FORGET,
    _RESET,
    _ANY_YEAR,
    _ALLOW,
)


def unread(message: str, tags: TagMatcher, titles: TitleSpans | None = None) -> list[str]:
    """The words of `message` that the parser reads as nothing: no title, tag, year, count,
    position, intent cue or filler. None left means the parser understood the whole message and can
    plan alone."""
    text = forgive(message.strip()[:2000], tags, titles, _FILLER_WORDS)
    spans = [m.span(1) for m in _QUOTED.finditer(text)]
    spans += titles(_mask(text, spans)) if titles else []
    if series := _series(text, spans, tags):
        spans += [series[1], series[2]]
    if not spans:  # as in `parse`: "like ..." names a seed only when no title was found
        spans += [m.span(1) for m in _LIKE.finditer(text)]
    spans += [(m.start, m.end) for m in tags.mentions(text, skip=spans)] + tags.niche(text)
    for pattern in _READ:
        spans += [m.span() for m in pattern.finditer(_mask(text, spans))]
    return [
        w
        for w in re.findall(r"[^\W\d_][\w'-]*", _mask(text, spans).lower())
        if w not in _FILLER_WORDS
    ]


def parse(
    message: str,
    tags: TagMatcher,
    titles: TitleSpans | None = None,
    own_words: list[str] | None = None,
) -> TurnRequest:
    """A `TurnRequest` from the words alone. `refers_to` -1 means the last item of the last list.
    `own_words` is `unread(message, tags, titles)` when the caller has it already."""
    text = forgive(message.strip()[:2000], tags, titles, _FILLER_WORDS)
    seeds = [m.group(1).strip() for m in _QUOTED.finditer(text)]
    seed_spans = [m.span(1) for m in _QUOTED.finditer(text)]
    for start, end in titles(_mask(text, seed_spans)) if titles else []:
        if not tags.canonical(text[start:end]):
            seeds.append(text[start:end])
            seed_spans.append((start, end))
    series = _series(text, seed_spans, tags)
    if series:  # the series' name is the first seed (`TurnRequest.series` is about it)
        named = text[series[2][0] : series[2][1]]
        seeds = [named, *(seed for seed in seeds if seed != named)]
        seed_spans.append(series[2])
    if not seeds:
        for match in _LIKE.finditer(text):
            candidate = match.group(1).strip()
            if candidate and not _only_reference(candidate) and not _THAT_ONE.fullmatch(candidate):
                if not tags.canonical(candidate) and candidate.split()[0].lower() not in _POINTERS:
                    seeds.append(candidate)
                    seed_spans.append(match.span(1))
    seeds = list(dict.fromkeys(seeds))
    mentions = tags.mentions(text, skip=seed_spans)
    forget = _forget_spans(text)
    # what the user drops, resets or rules out ("forget Alien", "not from the 80s") is not what they
    # want
    own_words = unread(message, tags, titles) if own_words is None else own_words
    unsaid = unfiltered(text, tags, own_words)  # no tag says "nothing too violent": the reply does
    niche = tags.niche(text)  # "surprise me": how to rank, no part of what is wanted
    unwanted = [
        *forget,
        *(m.span() for m in _RESET.finditer(text)),
        *_negated_decades(text),
        *unsaid,
        *niche,
    ]
    mood_words = wanted(_mask(text, unwanted), tags, mentions)
    forgotten = [m for m in mentions if any(s <= m.start < e for s, e in forget)]
    drop_seeds = any(any(s <= a < e for s, e in forget) for a, _ in seed_spans) or any(
        not any(s <= m.start < e for m in forgotten) and not _DECADE.search(text[s:e])
        for s, e in forget
    )
    if drop_seeds:
        seeds = []
    drop_years = bool(_ANY_YEAR.search(text)) or any(
        _DECADE.search(text[s:e]) or re.search(r"\b\d{4}\b|\byears?\b|\bdecade\b", text[s:e])
        for s, e in forget
    )
    compounds = tags.compounds(text, [m for m in mentions if m not in forgotten])
    text = _mask(text, [*seed_spans, *forget, *([series[1]] if series else [])])
    mentions = [m for m in mentions if m not in forgotten]
    allow = (
        list(dict.fromkeys(m.tag for m in mentions if not m.negated)) if _ALLOW.search(text) else []
    )
    include = list(dict.fromkeys(m.tag for m in mentions if not m.negated and m.tag not in allow))
    exclude = list(dict.fromkeys(m.tag for m in mentions if m.negated))
    if _ADULT.search(text) and (kids := tags.canonical("kids")):
        exclude.append(kids)
    include = [t for t in include if t not in exclude]
    # "a romantic comedy": Romance and Comedy, each required; one compound only, and not beside an
    # "or" ("a romantic comedy or a western" stays any of them), since a request holds one set of
    # required tags.
    every = [t for t in compounds[0] if t in include] if len(compounds) == 1 else []
    if len(every) < 2 or (set(include) - set(every) and re.search(r"\bor\b", text, re.I)):
        every = []
    include = [t for t in include if t not in every]

    year_min = year_max = None
    decade = _DECADE.search(text)
    if decade and _negated_decades(text[: decade.end()]):
        decade = None  # "not from the 80s": one range cannot say it, and the 80s alone would be the opposite
    if decade:
        number = decade.group(2) or decade.group(5) or decade.group(7)
        digit = number or _DECADE_WORDS[decade.group(3).lower()]
        century = (
            decade.group(1)
            or decade.group(4)
            or decade.group(6)
            or ("20" if number and digit in "012" else "19")
        )
        year_min = int(f"{century}{digit}0")
        year_max = year_min + 9
    if before := _BEFORE.search(text):
        if _NOT.search(text[: before.start()][-12:]):  # "not before 1990": from 1990 on
            year_min = int(before.group(1))
        else:
            year_max = int(before.group(1)) - 1
    if after := _AFTER.search(text):
        if _NOT.search(text[: after.start()][-12:]):  # "not (from) after 1960": up to 1960
            year_max = int(after.group(1))
        else:
            year_min = int(after.group(1)) + 1
    if not (decade or before or after) and (single := _IN_YEAR.search(text)):
        year_min = year_max = int(single.group(1))

    count: dict[
        str, int
    ] = {}  # only when the user gave one, so that a refinement can keep the last count
    if found := _COUNT.search(text):
        word = (found.group(1) or found.group(2) or found.group(3)).lower()
        count["count"] = max(1, min(20, int(word) if word.isdigit() else _NUMBERS[word]))

    refers_to = _ordinal(text)
    reset = bool(_RESET.search(text))
    feedback = None
    if _WHY.search(text):
        intent = Intent.explain
    elif _MORE_LIKE.search(text) and (refers_to is not None or _THAT_ONE.search(text)):
        intent = Intent.more_like
    elif _DISLIKE_FEEDBACK.search(text) and (
        refers_to is not None or _THAT_ONE.search(text) or seeds
    ):
        intent, feedback = Intent.feedback, "dislike"
    elif _LIKE_FEEDBACK.search(text) and (  # "I loved Alien, what else would I like?": picks
        refers_to is not None or _THAT_ONE.search(text) or seeds and not asks_for_picks(text)
    ):
        intent, feedback = Intent.feedback, "like"
    elif _ABOUT.search(text) and (refers_to is not None or _THAT_ONE.search(text) or seeds):
        intent = Intent.explain
    elif refers_to is not None and not (
        own_words or seeds or include or every or exclude or year_min or year_max or count
    ):
        intent, feedback = Intent.feedback, "like"  # "the first one please": a choice from the list
    elif _SEARCH.search(text):
        intent = Intent.search
    elif (
        not seeds
        and not _ASK.search(text)
        and (
            include
            or every
            or exclude
            or year_min
            or year_max
            or allow
            or forgotten
            or drop_years
            or drop_seeds
            or reset
        )
    ):
        intent = Intent.refine
    elif not seeds and refers_to is None and not own_words and (niche or _CONTINUE.search(text)):
        intent = Intent.refine  # "more please", "surprise me": the last request again
    else:
        intent = Intent.recommend
    described = intent is Intent.refine and own_words  # "a courtroom drama": Drama and the words
    mood = mood_words if intent in (Intent.recommend, Intent.search) or described else None
    # a want in the user's own words ("a feel-good movie for a rainy sunday"), not a change to the
    # last list ("something darker", "another one"): a new topic (`SessionMemory.apply`)
    new_topic = (
        bool(mood and own_words)
        and not seeds
        and refers_to is None
        and not reset
        and bool(_WANT_HEAD.search(text))
        and not _RELATIVE.search(text)
    )
    return TurnRequest(
        intent=intent,
        seed_titles=[seed[:200] for seed in seeds[:5]],
        refers_to=refers_to,
        include_tags=include,
        all_tags=every,
        series=series[0] if series else None,
        exclude_tags=exclude,
        year_min=year_min,
        year_max=year_max,
        mood=mood[:200] if mood else None,
        feedback=feedback,
        allow_tags=allow,
        drop_tags=list(dict.fromkeys(m.tag for m in forgotten)),
        drop_years=drop_years,
        new_topic=new_topic,
        drop_seeds=drop_seeds,
        reset=reset,
        less_mainstream=bool(niche),
        unused=left_out(text, unsaid, [] if mood else own_words),
        **count,
    )


def _negated_decades(text: str) -> list[tuple[int, int]]:
    """The spans of decades said not to be wanted, from the negation on: "not from the 80s"."""
    spans = []
    for decade in _DECADE.finditer(text):
        window = text[max(0, decade.start() - 16) : decade.start()]
        if negation := _NOT.search(window):
            spans.append((decade.start() - len(window) + negation.start(), decade.end()))
    return spans


def _forget_spans(text: str) -> list[tuple[int, int]]:
    """The clauses after "forget", "drop", "ignore" ...: what they name is dropped, not asked for."""
    spans = []
    for match in _FORGET.finditer(text):
        end = CLAUSE_BREAK.search(text, match.end())
        spans.append((match.start(), end.start() if end else len(text)))
    return spans
