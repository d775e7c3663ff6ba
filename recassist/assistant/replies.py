"""The assistant's own sentences: the line above a list (which states every constraint in force),
and the questions it asks back when a message points at nothing it can resolve."""

from __future__ import annotations

from collections.abc import Sequence

from recassist.assistant.seeds import NamedTitle
from recassist.llm.prompts import quote
from recassist.retrieval.catalogue import Constraints, Item, display_title
from recassist.retrieval.synopses import Synopsis, quoted_part
from recassist.retrieval.wording import spoken_list

STORE_DOWN = (
    "The catalogue search is unavailable right now, so these picks come from your history and what"
    " is popular."
)
# what a message that spoke to the assistant's own instructions is answered first
DECLINED = "I don't show or change my instructions."
# "start over": what the reply says first, so the user sees it was heard
RESET = "Starting over: the kinds of film, years and titles you asked for before no longer hold."
_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", -1: "last"}


def position(refers_to: int) -> str:
    """1 -> 'first', 22 -> '22nd', -1 -> 'last'."""
    if refers_to in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[refers_to]
    suffix = (
        "th"
        if 10 <= refers_to % 100 <= 20
        else {1: "st", 2: "nd", 3: "rd"}.get(refers_to % 10, "th")
    )
    return f"{refers_to}{suffix}"


def unresolved(refers_to: int | None, shown: int) -> str:
    """The question back for a reference to a list position that does not exist."""
    if not shown:
        return (
            "I have not shown you a list yet, so I can't tell which one you mean."
            " What would you like?"
        )
    which = (
        f"the {position(refers_to)} one" if refers_to is not None and refers_to != 0 else "that one"
    )
    picks = f"{shown} pick{'s' if shown != 1 else ''}"
    return f"I can't find {which}: my last list had {picks}. Which do you mean (1 to {shown})?"


def wanted_tags(constraints: Constraints, but: frozenset[str] = frozenset()) -> str:
    """The wanted tags in words, less those `but`: 'Comedy and Romance' (all of them), 'Drama or
    Romance' (any of them)."""
    wanted = [
        " and ".join(sorted(constraints.all_tags - but)),
        " or ".join(sorted(constraints.include_tags)),
    ]
    return ", and ".join(w for w in wanted if w)


def in_force(seeds: list[Item], constraints: Constraints) -> str:
    """The constraints in force, in words: 'like Alien (1979), for children, tagged Comedy, with
    no Horror, from 1990 to 1999, at most 90 minutes long'; tags that must all be there are joined
    by 'and' ('tagged Comedy and Romance'), any-of tags by 'or', and so are the excluded ('with no
    Horror or Romance'). Who the films are for (`Constraints.audience`) is said as such."""
    parts = []
    if seeds:
        parts.append("like " + spoken_list([display_title(s.title) for s in seeds]))
    if constraints.audience:  # "I'm 12": said as who the films are for, on every list
        parts.append("for children")
    if wanted := wanted_tags(constraints, but=constraints.audience):
        parts.append("tagged " + wanted)
    if constraints.exclude_tags:
        excluded = sorted(constraints.exclude_tags)
        parts.append("with no " + spoken_list(excluded, "or", most=len(excluded)))
    if people := sorted(constraints.exclude_people):
        parts.append("nothing with " + spoken_list(people, "or", most=len(people)))
    low, high = constraints.year_min, constraints.year_max
    if low is not None and low == high:
        parts.append(f"from {low}")
    elif low is not None and high is None:
        parts.append(f"from {low} on")
    elif low is None and high is not None:
        parts.append(f"up to {high}")
    elif low is not None:
        parts.append(f"from {low} to {high}")
    if length := length_in_words(constraints.minutes_min, constraints.minutes_max):
        parts.append(length)
    if constraints.less_mainstream:
        parts.append("less mainstream")
    return ", ".join(parts)


def length_in_words(least: int | None, most: int | None) -> str:
    """A length bound in words: 'at most 90 minutes long', 'at least 150 minutes long', '60 to
    120 minutes long' ('' without one)."""
    if least is not None and most is not None:
        return f"{least} to {most} minutes long"
    if most is not None:
        return f"at most {most} minutes long"
    return f"at least {least} minutes long" if least is not None else ""


def length_note(unknown: int) -> list[str]:
    """What a length bound left out besides the films too long or too short: those that fit
    every other constraint and would have ranked among the picks, but whose length no source
    gives."""
    if not unknown:
        return []
    films = "film" if unknown == 1 else "films"
    return [f"Left out: {unknown} {films} that would have ranked here, whose length I do not know."]


def popularity_note(shown: float, usual: float) -> str:
    """What "less mainstream" did, in numbers: the mean share of users who watched the picks shown,
    and that of the picks the usual ranking would have shown."""
    return (
        f"Less mainstream: these picks were watched by {shown:.1%} of users on average; "
        f"the usual picks, by {usual:.1%}."
    )


def small_talk(kind: str | None, films: int, years: tuple[int, int] | None, said: str = "") -> str:
    """The word back to a message of only small talk: thanks get a welcome; a greeting or a
    question about what the assistant does gets what it can be asked, by example; words nothing
    knows (`said`) are said back first."""
    if kind == "thanks":
        return "You're welcome! Ask for more, or for something else, whenever you like."
    if kind == "unknown":  # "asdfghjkl": no word of it is known
        known = "no film, kind of film or word of what I know of the films says"
        return f'I don\'t know "{quote(said, 60)}": {known} it. {small_talk("help", films, years)}'
    if kind == "instructions":  # what a user writes is a request for films, never instructions
        return f"{DECLINED} {small_talk('help', films, years)}"
    span = f", from {years[0]} to {years[1]}" if years else ""
    hello = "Hi! " if kind == "greeting" else ""
    return (
        f"{hello}I recommend films from a catalogue of {films:,} films{span}, and say why. Tell me one "
        'you liked ("something like Fargo"), a kind of film ("a feel-good comedy from the 80s"), '
        'or say "surprise me". Then ask "why the second one?", "not horror" or "more like the '
        'first".'
    )


def recall(titles: list[str]) -> str:
    """The last list again, in words ("what did you recommend earlier?"), numbered as shown so
    that "why the second one?" points where the user reads it."""
    if not titles:
        return "I have not shown you a list yet. Tell me what you are in the mood for."
    listed = "; ".join(f"{n}. {title}" for n, title in enumerate(titles, 1))
    return f'My last list was: {listed}. Ask "why the second one?" or for more like any of them.'


def people_note(named: list[str], by: list[str] = (), relation: str | None = None) -> list[str]:
    """What the reply says of people named ("starring tom hanks"): the two films the first was
    found by (`by`, the graph's `relation` between them), else that they are not known by name
    (Wikidata's credits, from 1940 on, and the famous before), and that a film of theirs
    can be gone by."""
    if not named:
        return []
    if by:
        role = "the director" if relation == "same_director" else "in the cast"
        films = " and ".join(display_title(t) for t in by)
        return [f'I took "{named[0]}" to be {role} of {films}: here are more of their films.']
    quoted = " or ".join(f'"{n}"' for n in named[:3])
    return [
        f"I don't know the people in them by name ({quoted}): I know who directed, wrote and "
        "acted in the catalogue's films from 1940 on, and the best-known before. Name a film of "
        'theirs ("more with the cast of Forrest Gump") and I will go by it.'
    ]


def noted(liked: bool, titles: Sequence[str]) -> str:
    """How a reply says a thumbs was taken: "Noted: you liked Fargo (1996).", "Noted: not ...";
    every title is said ("Noted: you liked Fargo (1996) and Heat (1995).")."""
    said = spoken_list(list(titles), "and" if liked else "or", most=len(titles))
    return f"Noted: you liked {said}." if liked else f"Noted: not {said}."


def title_notes(
    named: list[NamedTitle],
    items: dict[str, Item],
    count: int,
    years: tuple[int, int] | None = None,
) -> list[str]:
    """What the reply must say about the titles named: those the catalogue does not have (and the
    title the list is built around instead, or the catalogue's `years`: "like the matrix" asks
    for a film newer than any it has), and the title chosen for "the last Star Wars movie"."""
    notes, any_sure = [], any(n.suggestion is None and n.seed for n in named)
    for title in named:
        if title.series in ("latest", "earliest") and title.item_id:
            which = "latest" if title.series == "latest" else "earliest"
            notes.append(
                f'The {which} "{title.title}" title in the catalogue is '
                f"{display_title(items[title.item_id].title)}."
            )
        elif title.item_id is None and title.stand_in:
            instead = "here are picks" if count else "I looked for picks"
            notes.append(
                f'I could not find "{title.title}" in the catalogue, so {instead} like '
                f"{display_title(items[title.stand_in].title)} instead."
            )
        elif title.suggestion and any_sure:  # the list is built around the sure titles
            meant = display_title(items[title.suggestion].title)
            notes.append(
                f'I could not find "{title.title}" in the catalogue (did you mean {meant}?).'
            )
        elif title.item_id is None and title.suggestion:
            instead = "here are picks" if count else "I looked for picks"
            meant = display_title(items[title.suggestion].title)
            notes.append(
                f'I took "{title.title}" to mean {meant} (did you mean another film?), so '
                f"{instead} like it."
            )
        elif title.item_id is None:
            span = f", whose films are from {years[0]} to {years[1]}" if years else ""
            notes.append(f'I could not find "{title.title}" in the catalogue{span}.')
            if title.outside is not None:  # "like the matrix": what TMDb says of it, used
                film, instead = title.outside, "here are" if count else "I looked for"
                notes[-1] = notes[-1][:-1] + (
                    f"; TMDb knows {film.named} ({film.about()}), so {instead} the films "
                    "whose descriptions come nearest it."
                )
    return notes


def nearest_note(words: str) -> str:
    """What the reply says when nothing the catalogue knows of its films (genres, the graph's
    kinds and subjects) matched the words: the picks are only near them, and the user should know
    ("a movie about con artists" finds Con Air by its title)."""
    return (
        f'Nothing I know of these films says "{words}" in so many words, so these are only the '
        "nearest to it by title and genre."
    )


def synopsis_note(words: Sequence[str]) -> str:
    """What the reply says of words that no kind of film the catalogue knows names, when films'
    synopses were near them ("films about painters"): read by meaning, not dropped."""
    quoted = " or ".join(f'"{w}"' for w in dict.fromkeys(words[:4]))
    return (
        f"No kind of film I know is named {quoted}, so I looked for it in the films' descriptions."
    )


def none_within_note(kinds: Sequence[str]) -> str:
    """What the reply says when no film the words named fits the other constraints in force
    ("coming of age in the 60s": the graph knows none from the sixties), so that the picks are
    not taken for what was named."""
    named = spoken_list(list(kinds), "or")
    return f"Nothing I know that is {named} fits the rest of what you asked; these fit the rest."


def few_within_note(person: str, films: int, held: bool) -> str:
    """What the reply says when fewer of a person's films fit than the list holds ("tom hanks,
    not a comedy"): how many of the picks are theirs (`person`: "with Tom Hanks"), all there are
    (that fit the rest, when constraints are `held`); each card's evidence says what the others
    are."""
    which = "the only one" if films == 1 else "the only ones"
    are = f"is a film {person}" if films == 1 else f"are films {person}"
    fit = f" that {'fits' if films == 1 else 'fit'} the rest of what you asked" if held else ""
    return f"Only {films} of these {are}: {which} I know{fit}."


def no_more_note(person: str) -> str:
    """What the reply says when every film of a person asked for was shown ("more" after all of
    Tom Cruise's): none of the picks is theirs, and each card says what it is liked beside."""
    return (
        f"I know no more films {person} than those I showed; these are films that people who "
        "liked them also liked."
    )


def milder_note(wishes: Sequence[str], kinds: Sequence[str], all_of: bool = False) -> str:
    """What a wish for less of a quality did: 'For "nothing too violent", war films, slashers
    and gangster films come last.' Nothing is ruled out, and the user should know that; nor that
    every pick is still one of them (`all_of`: after "I liked Se7en", "something less dark")."""
    note = f"For {_quoted(wishes)}, {_kinds(kinds, 'and')} come last"
    return (
        f"{note}, but every film I found near what you asked is one of them."
        if all_of
        else f"{note}."
    )


def mild_note(wishes: Sequence[str], kinds: Sequence[str]) -> str:
    """Why a pick answers a wish for less of a quality: it is none of the kinds that come last
    ('It is no slasher film, war film or gangster film, for "nothing too violent".')."""
    return f"It is no {_kinds(kinds, 'or', plural=False)}, for {_quoted(wishes)}."


def _quoted(wishes: Sequence[str]) -> str:
    return " and ".join(f'"{w}"' for w in wishes[:2])


def _kinds(kinds: Sequence[str], joiner: str, plural: bool = True) -> str:
    """Up to three kinds of film named in a list: "slasher films, war films and gangster films"."""
    one = [k if k.endswith(("film", "movie")) else f"{k} film" for k in kinds[:3]]
    named = [f"{k}s" for k in one] if plural else one
    return ", ".join(named[:-1]) + f" {joiner} {named[-1]}" if len(named) > 1 else named[0]


def unused_note(unused: list[str]) -> list[str]:
    """The reply's word on what the turn could not use ('I didn't use "nothing too violent": ...'),
    so that nothing the user said is dropped silently; none when all was used."""
    if not unused:
        return []
    quoted = " or ".join(f'"{w}"' for w in dict.fromkeys(unused[:4]))
    return [f"I didn't use {quoted}: no tag or filter of the catalogue says it."]


def best_shown(item: Item, shown: int, watched: int, liked: int, score: float) -> str:
    """Which of the `shown` films is best (`item`): the best liked by those who watched it (a
    share pulled towards the mean, so 3 of 3 is not best); where too few watched any, the one
    ranked first, said so."""
    title = display_title(item.title)
    if not score:
        return f"Too few people here rated these {shown} to say; {title} came first for you."
    return (
        f"Of the {shown} I showed, {title} is the best liked: {liked} of the {watched} people "
        f"here who rated it liked it ({liked / watched:.0%})."
    )


def about_note(item: Item, watched: int, liked: int, told: Synopsis | None = None) -> str:
    """What is known of one film asked about: its tags and year, how many people here rated and
    liked it, and what `told` says of it: the first sentence of TMDb's overview, else what it is
    about (the graph's kinds and subjects, TMDb's keywords); where nothing is told, that no plot
    or review is known."""
    kinds = spoken_list(list(item.tags), most=len(item.tags)) if item.tags else "no genre"
    rated = (
        f"{watched} people here rated it and {liked} of them liked it"
        if watched
        else "no one here has rated it yet"
    )
    parts = told.parts() if told is not None else []
    if told is not None and told.overview:
        said = f'TMDb says: "{quoted_part(parts[0])}".'
    elif parts:
        said = f"What I know of it: {spoken_list(parts[:4], most=4)}."
    else:
        said = "I know no plot or review, only who liked what."
    return (
        f"{display_title(item.title)}: {kinds}; {rated}. {said} Here is what people who liked "
        "it also liked."
    )


def list_line(
    count: int,
    seeds: list[Item],
    constraints: Constraints,
    notes: list[str],
    years: tuple[int, int] | None,
    asked: int = 0,
    *,
    shown_fit: bool = False,
    rated_fit: bool = False,
    loosen: Sequence[str] = (),
) -> str:
    """The line above a list of `count` picks (none: why, and what to loosen: "nothing more" once
    films that fit were `shown_fit`, "nothing you have not rated" when the user rated those that
    fit, `rated_fit`, and what to say to find others when letting go of a constraint would,
    `loosen`: 'Say "any year" for more.'; fewer than the `asked`: "I found only 2 picks, ..."),
    after the `notes` (`title_notes`)."""
    terms = in_force(seeds, constraints)
    if not count:
        more = (" more" if shown_fit else "") + (" you have not rated" if rated_fit else "")
        reason = f"I found nothing{more} in the catalogue that fits all of that"
        if years and (
            (constraints.year_min or years[0]) > years[1]
            or (constraints.year_max or years[1]) < years[0]
        ):
            reason += f" (its items are from {years[0]} to {years[1]})"
        said = " or ".join(f'"{s}"' for s in loosen[:3])
        then = f"Say {said} for more." if said else "Try loosening a constraint."
        return " ".join([*notes, f"{reason}{': ' + terms if terms else ''}. {then}"])
    head = f"Here {'is' if count == 1 else 'are'} {count} pick{'s' if count != 1 else ''}"
    if count < asked:
        head = f"I found only {count} pick{'s' if count != 1 else ''}"
    return " ".join([*notes, f"{head}{', ' + terms if terms else ''}:"])
