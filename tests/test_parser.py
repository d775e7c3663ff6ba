"""The deterministic reading of chat turns, and the session rules it feeds."""

from __future__ import annotations

import pytest

from recassist.assistant.parser import parse, search_text, unread
from recassist.assistant.request import Intent, TurnRequest
from recassist.assistant.session import SessionMemory
from recassist.language.tags import TagMatcher

TAGS = TagMatcher(
    [
        "Action",
        "Animation",
        "Children's",
        "Comedy",
        "Drama",
        "Horror",
        "Romance",
        "Sci-Fi",
        "Western",
    ]
)

CASES = {
    "something like Alien but funnier": dict(
        intent=Intent.recommend, seed_titles=["Alien"], include_tags=["Comedy"]
    ),
    "not horror": dict(intent=Intent.refine, exclude_tags=["Horror"]),
    "nothing scary please": dict(intent=Intent.refine, exclude_tags=["Horror"]),
    "why this one?": dict(intent=Intent.explain, refers_to=None),
    "why the 2nd?": dict(intent=Intent.explain, refers_to=2),
    "more like the second one": dict(intent=Intent.more_like, refers_to=2),
    "I loved the first one": dict(intent=Intent.feedback, refers_to=1, feedback="like"),
    "not interested in the third": dict(intent=Intent.feedback, refers_to=3, feedback="dislike"),
    "give me 3 sci-fi movies from the 90s, no romance": dict(
        intent=Intent.recommend,
        include_tags=["Sci-Fi"],
        exclude_tags=["Romance"],
        year_min=1990,
        year_max=1999,
        count=3,
    ),
    "something like Toy Story but for adults": dict(
        seed_titles=["Toy Story"], exclude_tags=["Children's"]
    ),
    "only westerns before 1970": dict(
        intent=Intent.refine, include_tags=["Western"], year_max=1969
    ),
    "find movies about space": dict(intent=Intent.search),
    'recommend something like "Heat" after 1990': dict(seed_titles=["Heat"], year_min=1991),
    # genre words in other languages are read by the parser, negations too ("drôle" is funny, not
    # drama)
    "quelque chose comme Alien mais plus drôle": dict(include_tags=["Comedy"], exclude_tags=[]),
    "pas d'horreur": dict(exclude_tags=["Horror"]),
    "algo divertido, sin terror": dict(include_tags=["Comedy"], exclude_tags=["Horror"]),
    "algo como Toy Story pero para adultos": dict(exclude_tags=["Children's"]),
    "un film pour adultes": dict(exclude_tags=["Children's"]),
    "etwas Lustiges, aber keine Romantik und kein Drama": dict(
        include_tags=["Comedy"], exclude_tags=["Drama"]
    ),
    # kinds the request says either of will do are no constraint: it asks for neither
    "an angel comes down to earth, funny or serious, both fine": dict(
        include_tags=[], allow_tags=["Comedy"]
    ),
    "a kidnapping film, a thriller or a comedy, either works": dict(include_tags=[]),
    "una comedia o un drama, me da igual": dict(include_tags=[], allow_tags=["Comedy", "Drama"]),
    "une comédie, peu importe": dict(include_tags=[], allow_tags=["Comedy"]),
    "a funny one please": dict(include_tags=["Comedy"], allow_tags=[]),
    # one kid is who a film is for only as someone's: "a gifted kid" is what the film is about
    "a movie about a gifted kid": dict(include_tags=[]),
    "a kid and his dog, not a cartoon": dict(include_tags=[], exclude_tags=["Animation"]),
    "something for my kid": dict(include_tags=["Children's"]),
    "something the kids will like": dict(include_tags=["Children's"]),
    # kids are who it is for only as those it is for: "kids getting pulled into gangs" are what
    # the film is about
    "gang life on the streets - kids getting pulled into crews": dict(include_tags=[]),
    "movies about divorce: custody battles, kids shuttled between two houses": dict(
        include_tags=[]
    ),
    "a movie to watch with my kids": dict(include_tags=["Children's"]),
    "a superhero movie, kids are 8 and 11": dict(include_tags=["Children's"]),
    "funny animated films for kids": dict(include_tags=["Children's"]),
    "a comedy, not for kids": dict(exclude_tags=["Children's"]),
    # a want headed by "something" that names a kind of film is a new topic, as is one "instead"
    "something scary from the 70s": dict(include_tags=["Horror"], year_min=1970, new_topic=True),
    "a comedy instead": dict(intent=Intent.refine, include_tags=["Comedy"], new_topic=True),
    "something darker": dict(new_topic=False),
    "something else instead": dict(new_topic=False),
    # decades in words in other languages
    "películas de terror de los ochenta": dict(
        include_tags=["Horror"], year_min=1980, year_max=1989
    ),
    "Horrorfilme aus den Achtzigern": dict(include_tags=["Horror"], year_min=1980, year_max=1989),
    "film horror anni settanta": dict(include_tags=["Horror"], year_min=1970, year_max=1979),
    "filmes de terror dos anos oitenta": dict(year_min=1980, year_max=1989),
}


@pytest.mark.parametrize("message", CASES, ids=list(CASES))
def test_parse(message: str) -> None:
    request = parse(message, TAGS)
    for field, expected in CASES[message].items():
        assert getattr(request, field) == expected, (field, request)


def test_tags_inside_a_named_title_are_not_constraints() -> None:
    request = parse('something like "Romance in Manhattan"', TAGS)
    assert request.seed_titles == ["Romance in Manhattan"] and request.include_tags == []


def test_session_rules() -> None:
    session = SessionMemory()
    first = session.apply(TurnRequest(include_tags=["Comedy"]))
    assert first.include_tags == {"Comedy"} and not first.exclude_tags
    session.record_shown(["a", "b", "c"])
    refined = session.apply(
        TurnRequest(intent=Intent.refine, exclude_tags=["Horror"], year_min=1990)
    )
    assert (
        refined.include_tags == {"Comedy"}
        and refined.exclude_tags == {"Horror"}
        and refined.year_min == 1990
    )
    kept = session.apply(
        TurnRequest(intent=Intent.recommend)
    )  # a new request without constraints keeps them
    assert kept == refined
    replaced = session.apply(TurnRequest(include_tags=["Drama"], year_min=1980, year_max=1989))
    assert (
        replaced.include_tags == {"Drama"}
        and replaced.exclude_tags == {"Horror"}
        and replaced.year_max == 1989
    )
    assert session.apply(TurnRequest(intent=Intent.refine, drop_years=True)).year_min is None
    lifted = session.apply(TurnRequest(intent=Intent.refine, allow_tags=["Horror"]))
    assert lifted.exclude_tags == frozenset() and lifted.include_tags == {"Drama"}
    assert (
        session.apply(TurnRequest(intent=Intent.refine, drop_tags=["Drama"])).include_tags
        == frozenset()
    )
    session.apply(TurnRequest(exclude_tags=["Horror"], include_tags=["Comedy"], year_min=1990))
    assert session.apply(TurnRequest(intent=Intent.refine, reset=True)) == type(first)()
    assert session.apply(TurnRequest(include_tags=["Horror"])).exclude_tags == frozenset()
    assert (
        session.resolve(2) == "b"
        and session.resolve(-1) == "c"
        and session.resolve(None) == "a"
        and session.resolve(9) is None
    )
    assert session.resolve(0) is None
    session.like("b")
    session.dislike("b")
    assert session.likes == [] and session.dislikes == ["b"]


@pytest.fixture(scope="module")
def title_spans(ml100k):
    """The real catalogue's title finder on MovieLens-100k (no vector store needed to find titles)."""
    from recassist.retrieval.catalogue import Catalogue

    return Catalogue(ml100k, store=None).title_spans


@pytest.mark.parametrize(
    "message, seed",
    [
        ("something like The Last of the Mohicans", "The Last of the Mohicans"),
        ("I want Seven", "Seven"),
        ("anything like First Knight?", "First Knight"),
        ("more films like The Third Man please", "The Third Man"),
        ("like 2001: A Space Odyssey but newer", "2001: A Space Odyssey"),
    ],
)
def test_numbers_and_ordinals_inside_titles_are_titles(
    message: str, seed: str, title_spans
) -> None:
    request = parse(message, TAGS, title_spans)
    assert request.seed_titles == [seed] and request.refers_to is None and request.year_min is None
    assert "count" not in request.model_fields_set


@pytest.mark.parametrize(
    "message, fields",
    [
        ("why the last one?", dict(intent=Intent.explain, refers_to=-1)),
        (
            "I watched Alien last week, something similar",
            dict(refers_to=None, seed_titles=["Alien"]),
        ),
        ("movies from 3000", dict(year_min=3000, year_max=3000)),
        ("something before 1800", dict(year_max=1799)),
        ("more like number 0", dict(intent=Intent.more_like, refers_to=0)),
        ("more like the 99th one", dict(intent=Intent.more_like, refers_to=99, seed_titles=[])),
        (
            "actually horror is fine",
            dict(intent=Intent.refine, allow_tags=["Horror"], include_tags=[]),
        ),
        ("forget the 90s", dict(intent=Intent.refine, drop_years=True, year_min=None)),
        ("forget comedy", dict(intent=Intent.refine, drop_tags=["Comedy"], include_tags=[])),
        ("let's start over", dict(reset=True)),
    ],
)
def test_messages_that_once_ended_the_turn_give_valid_requests(
    message: str, fields: dict, title_spans
) -> None:
    request = parse(message, TAGS, title_spans)
    for field, expected in fields.items():
        assert getattr(request, field) == expected, (field, request)


def test_many_exclusions_fit_the_request() -> None:
    many = TagMatcher([f"Tag{i}" for i in range(30)])
    request = parse("no " + ", no ".join(f"tag{i}" for i in range(30)), many)
    assert len(request.exclude_tags) == 30


# ---------------------------------------------------------------- what real users type, on ML-100k


@pytest.fixture(scope="module")
def catalogue(ml100k):
    """The real ML-100k catalogue without a vector store (titles, tags and years need none)."""
    from recassist.retrieval.catalogue import Catalogue

    return Catalogue(ml100k, store=None)


@pytest.fixture(scope="module")
def tags(catalogue) -> TagMatcher:
    return TagMatcher(catalogue.tag_names)


def test_an_items_year_is_the_one_in_its_title(ml100k, ml100k_files, catalogue) -> None:
    """ML-100k dates Return of the Jedi (1983) by its 1997 re-release; the title's year is the one
    used, from the conversion on (and for a data set imported before, from the load on)."""
    from recassist.data.sources import SOURCES
    from recassist.retrieval.catalogue import Constraints

    converted = SOURCES["ml-100k"].convert(ml100k_files)["items"].frame.set_index("item_id")
    assert converted.loc["181", "year"] == 1983 and converted.loc["1", "year"] == 1995
    jedi = catalogue.items["181"]
    assert jedi.title == "Return of the Jedi (1983)" and jedi.year == 1983
    assert ml100k.items.set_index("item_id").loc["181", "year"] == 1983
    assert all(
        i.year == int(i.title[-5:-1])
        for i in catalogue.items.values()
        if i.title.endswith(")") and i.title[-5:-1].isdigit()
    )
    nineties = Constraints(year_min=1990, year_max=1999)
    assert not nineties.allows(jedi) and Constraints(year_min=1980, year_max=1989).allows(jedi)


@pytest.mark.parametrize(
    "message, every, include",
    [
        ("a romantic comedy from the 90s", ["Romance", "Comedy"], []),
        ("romantic comedies", ["Romance", "Comedy"], []),
        ("romcom", ["Romance", "Comedy"], []),
        ("any rom-coms?", ["Romance", "Comedy"], []),
        ("an animated comedy", ["Animation", "Comedy"], []),
        ("sci-fi horror", ["Sci-Fi", "Horror"], []),
        ("an action comedy", ["Action", "Comedy"], []),
        ("a horror comedy", ["Horror", "Comedy"], []),
        ("a crime thriller", ["Crime", "Thriller"], []),
        ("a musical comedy", ["Musical", "Comedy"], []),
        ("comedy or romance", [], ["Comedy", "Romance"]),
        ("comedy and romance movies", [], ["Comedy", "Romance"]),
        ("comedies, romances", [], ["Comedy", "Romance"]),
        ("animated movies for kids", ["Animation", "Children's"], []),  # no Akira for kids
        ("a romantic comedy or a western", [], ["Romance", "Comedy", "Western"]),
    ],
)
def test_a_genre_qualifying_another_wants_both(
    message: str, every: list, include: list, tags, catalogue
) -> None:
    request = parse(message, tags, catalogue.title_spans)
    assert (request.all_tags, request.include_tags) == (every, include)


@pytest.mark.parametrize(
    "message, years",
    [
        ("romantic comedies from the nineties", (1990, 1999)),
        ("something from the eighties", (1980, 1989)),
        ("the Seventies please", (1970, 1979)),
        ("a western from the fifties", (1950, 1959)),
        ("the 90's", (1990, 1999)),
        ("a horror movie from the 70s or 80s", (1970, 1989)),  # every decade named
        ("from the seventies, eighties or nineties", (1970, 1999)),
    ],
)
def test_decades_in_words_are_years(message: str, years: tuple, tags, catalogue) -> None:
    from recassist.assistant.parser import unread

    request = parse(message, tags, catalogue.title_spans)
    assert (request.year_min, request.year_max) == years and not unread(
        message, tags, catalogue.title_spans
    )


@pytest.mark.parametrize(
    "message, years",
    [
        ("je veux un film d'action des années 90", (1990, 1999)),
        ("una comedia de los años 80", (1980, 1989)),
        ("películas de terror de los 80", (1980, 1989)),
        ("un film degli anni '70", (1970, 1979)),
        ("um filme dos anos 2000", (2000, 2009)),
        ("ein Krimi aus den 80er Jahren", (1980, 1989)),
        ("Komödien aus den 1990ern", (1990, 1999)),
        ("a 90 minute film", (None, None)),
        ("not from the 80s", (None, None)),
        ("nothing from the eighties", (None, None)),
    ],
)
def test_decades_in_other_languages_are_years(message: str, years: tuple, tags, catalogue) -> None:
    """The model left "des années 90" out of its plan; the parser reads it, and its years hold."""
    request = parse(message, tags, catalogue.title_spans)
    assert (request.year_min, request.year_max) == years


@pytest.mark.parametrize(
    "message, title",
    [
        ("Godfather 2", "Godfather: Part II, The (1974)"),
        ("something like Godfather part 2", "Godfather: Part II, The (1974)"),
        ("The Godfather Part II", "Godfather: Part II, The (1974)"),
        ("like Star Trek 3 but funnier", "Star Trek III: The Search for Spock (1984)"),
        ("Die Hard 2", "Die Hard 2 (1990)"),
        ("more like Alien 3", "Alien 3 (1992)"),
        ("something like Star Trek IV", "Star Trek IV: The Voyage Home (1986)"),
    ],
)
def test_numbered_titles_name_that_item(message: str, title: str, tags, catalogue) -> None:
    request = parse(message, tags, catalogue.title_spans)
    assert len(request.seed_titles) == 1 and "count" not in request.model_fields_set
    assert catalogue.items[catalogue.find_title(request.seed_titles[0])].title == title


def test_a_numbered_title_the_catalogue_lacks_is_missing_and_its_unnumbered_title_stands_in(
    tags, catalogue
) -> None:
    from recassist.assistant.replies import title_notes
    from recassist.assistant.seeds import named_titles

    request = parse("something like Toy Story 2", tags, catalogue.title_spans)
    assert request.seed_titles == ["Toy Story 2"] and catalogue.find_title("Toy Story 2") is None
    [named] = named_titles(catalogue, request)
    assert named.item_id is None and catalogue.items[named.seed].title == "Toy Story (1995)"
    assert title_notes([named], catalogue.items, 5) == [
        'I could not find "Toy Story 2" in the catalogue, so here are picks like Toy Story (1995) instead.'
    ]
    # a number that is a count or a year is still read as one
    counted = parse("2 movies like Alien", tags, catalogue.title_spans)
    assert counted.seed_titles == ["Alien"] and counted.count == 2
    assert parse("give me 3 movies like Toy Story", tags, catalogue.title_spans).count == 3
    dated = parse("like Toy Story from 1995", tags, catalogue.title_spans)
    assert dated.seed_titles == ["Toy Story"] and dated.year_min == 1995


@pytest.mark.parametrize(
    "message, series, title",
    [
        (
            "the last Star Wars movie",
            "latest",
            "Return of the Jedi (1983)",
        ),  # the series as retrieval/data/series.toml lists it: ML-100k has one title with the words
        ("the latest Star Trek movie", "latest", "Star Trek: First Contact (1996)"),
        (
            "something like the first Star Trek film",
            "earliest",
            "Star Trek: The Motion Picture (1979)",
        ),
        ("the newest Alien movie", "latest", "Alien: Resurrection (1997)"),
        ("the original Godfather", "earliest", "Godfather, The (1972)"),
    ],
)
def test_the_last_of_a_series_is_a_catalogue_title_not_a_list_position(
    message: str, series: str, title: str, tags, catalogue
) -> None:
    from recassist.assistant.seeds import named_titles

    request = parse(message, tags, catalogue.title_spans)
    assert request.series == series and request.refers_to is None
    assert catalogue.items[named_titles(catalogue, request)[0].item_id].title == title


@pytest.mark.parametrize(
    "message, intent",
    [
        ("the last one", Intent.feedback),  # a choice from the list
        ("more like the last one", Intent.more_like),
        ("why the last pick?", Intent.explain),
        ("I loved the first one", Intent.feedback),
    ],
)
def test_the_last_one_still_points_into_the_list(
    message: str, intent: Intent, tags, catalogue
) -> None:
    request = parse(message, tags, catalogue.title_spans)
    assert (
        request.intent is intent
        and request.refers_to in (1, -1)
        and request.series is None
        and not request.seed_titles
    )


def test_tags_wanted_together_filter_and_stand() -> None:
    from recassist.assistant.replies import in_force
    from recassist.retrieval.catalogue import Constraints, Item

    both = Constraints(all_tags=frozenset({"Romance", "Comedy"}), year_min=1990)
    assert both.allows(Item("1", "Sleepless in Seattle (1993)", ("Comedy", "Romance"), 1993))
    assert not both.allows(Item("2", "Liar Liar (1997)", ("Comedy",), 1997))
    assert both.where() == {
        "$and": [
            {"year": {"$gte": 1990}},
            {"tags": {"$contains": "Comedy"}},
            {"tags": {"$contains": "Romance"}},
        ]
    }
    assert in_force([], both) == "tagged Comedy and Romance, from 1990 on"
    assert (
        in_force([], Constraints(include_tags=frozenset({"Comedy", "Romance"})))
        == "tagged Comedy or Romance"
    )
    assert in_force(
        [], Constraints(exclude_tags=frozenset({"Horror", "Animation", "Children's"}))
    ) == ("with no Animation, Children's or Horror")

    session = SessionMemory()
    assert session.apply(TurnRequest(all_tags=["Romance", "Comedy"])).all_tags == {
        "Romance",
        "Comedy",
    }
    kept = session.apply(TurnRequest(intent=Intent.refine, exclude_tags=["Drama"]))
    assert kept.all_tags == {"Romance", "Comedy"} and kept.exclude_tags == {"Drama"}
    either = session.apply(
        TurnRequest(include_tags=["Comedy", "Romance"])
    )  # named tags replace them
    assert either.all_tags == frozenset() and either.include_tags == {"Comedy", "Romance"}
    session.apply(TurnRequest(all_tags=["Romance", "Comedy"]))
    alone = session.apply(
        TurnRequest(intent=Intent.refine, drop_tags=["Romance"])
    )  # "forget romance"
    assert alone.all_tags == frozenset() and alone.include_tags == {"Comedy"}
    assert session.apply(TurnRequest(reset=True)).include_tags == frozenset()


def test_a_request_naming_new_titles_starts_a_new_topic_but_keeps_what_was_ruled_out() -> None:
    """ "something like The Godfather but lighter" (Comedy), "from the 70s", "no war", then
    "something like Die Hard 2": the comedy and the decade were for The Godfather; "no war" is the
    user's and stays."""
    from recassist.retrieval.catalogue import Constraints

    session = SessionMemory()
    session.apply(TurnRequest(seed_titles=["The Godfather"], include_tags=["Comedy"]))
    session.apply(TurnRequest(intent=Intent.refine, year_min=1970, year_max=1979))
    session.apply(TurnRequest(intent=Intent.refine, exclude_tags=["War"]))
    new = session.apply(TurnRequest(seed_titles=["Die Hard 2"]))
    assert new == Constraints(exclude_tags=frozenset({"War"}))
    restated = session.apply(TurnRequest(seed_titles=["Heat"], year_min=1980, year_max=1989))
    assert (restated.year_min, restated.year_max, restated.exclude_tags) == (1980, 1989, {"War"})
    more = session.apply(
        TurnRequest(intent=Intent.refine, include_tags=["Action"])
    )  # a refinement keeps the decade
    assert (more.include_tags, more.year_min) == ({"Action"}, 1980)


@pytest.mark.parametrize(
    "message, seeds, kept",
    [
        ("romantic comedies from the nineties", ["romantic comedies from the nineties"], []),
        (
            "a romcom from the 90s with a happy ending",
            ["a romcom from the 90s with a happy ending"],
            [],
        ),
        ("something like Inception", ["Inception"], ["Inception"]),
        ("Inception", ["Inception"], ["Inception"]),
        (
            "romantic comedies like When Harry Met Sally",
            ["When Harry Met Sally"],
            ["When Harry Met Sally"],
        ),
        # the model capitalised words the user wrote as a description: no film "Rainy Sunday" is missing
        ("a feel-good movie for a rainy sunday", ["Rainy Sunday"], []),
        ("something uplifting for a long flight", ["something uplifting for a long flight"], []),
    ],
)
def test_a_planned_seed_that_is_a_description_is_dropped(
    message: str, seeds: list, kept: list, tags, catalogue
) -> None:
    from recassist.assistant.admission import ModelGate
    from recassist.assistant.planner import Planner
    from recassist.settings import AgentConfig

    planner = Planner(catalogue, tags, None, ModelGate(AgentConfig()))
    parsed = parse(message, tags, catalogue.title_spans)
    planned = planner._grounded(TurnRequest(seed_titles=seeds), message, parsed)
    assert planned.seed_titles == kept


@pytest.mark.parametrize(
    ("message", "planned", "kept"),
    [
        (
            "what would a 10 year old enjoy",
            {"year_min": 1980, "year_max": 1986},
            {"year_min": None, "year_max": None},
        ),
        (
            "something like The Godfather but lighter",
            {"year_min": 1970, "year_max": 1979},
            {"year_min": None, "year_max": None},
        ),
        (
            "je veux un film triste des années 80",
            {"year_min": 1980, "year_max": 1989},
            {"year_min": 1980, "year_max": 1989},
        ),
        ("un western d'avant 1970", {"year_max": 1969}, {"year_max": 1969}),
        (
            "quelque chose de 1995",
            {"year_min": 1995, "year_max": 1999},
            {"year_min": 1995, "year_max": None},
        ),
        (
            "what would a 10 year old enjoy",
            {"include_tags": ["Action", "Adventure", "Animation", "Children's"]},
            {"include_tags": []},
        ),
        (
            "what would a 10 year old enjoy",
            {"include_tags": ["Children's"]},
            {"include_tags": ["Children's"]},
        ),
        ("a feel-good movie for a rainy sunday", {"refers_to": 4}, {"refers_to": None}),
        ("forget the 90s, something uplifting", {"refers_to": 4}, {"refers_to": None}),
        ("más como el número 3", {"intent": "more_like", "refers_to": 3}, {"refers_to": 3}),
        # a mood the model read into an English message is held to its words; in another
        # language the model's mood is the translation, and kept
        ("a movie about con artists pulling off a scam", {"mood": "comedy"}, {"mood": None}),
        (
            "a feel-good movie for a rainy sunday",
            {"mood": "feel-good comedy"},
            {"mood": "feel-good"},
        ),
        ("clever heist movies please", {"mood": "heists crime"}, {"mood": "heists"}),
        ("un film qui fait vraiment peur", {"mood": "scary"}, {"mood": "scary"}),
    ],
)
def test_a_planned_year_no_number_names_or_a_recited_tag_list_is_dropped(
    message: str, planned: dict, kept: dict, tags, catalogue
) -> None:
    from recassist.assistant.admission import ModelGate
    from recassist.assistant.planner import Planner
    from recassist.settings import AgentConfig

    planner = Planner(catalogue, tags, None, ModelGate(AgentConfig()))
    grounded = planner._grounded(
        TurnRequest(**planned), message, parse(message, tags, catalogue.title_spans)
    )
    assert grounded.model_dump(include=set(kept)) == kept


def test_the_model_s_schema_is_short_and_bounded() -> None:
    """Every field the model writes costs the plan time, and a list in the schema cannot run on."""
    from recassist.assistant.request import request_schema

    schema = request_schema()
    fields = schema["properties"]
    assert "count" not in fields and "all_tags" not in fields and "reset" not in fields
    assert fields["include_tags"]["maxItems"] == 4 and fields["seed_titles"]["maxItems"] == 3
    assert {"maxLength": 60, "type": "string"} in fields["mood"]["anyOf"]
    TurnRequest.model_validate(
        {"intent": "recommend", "include_tags": ["Comedy"]}
    )  # what the model writes fits


@pytest.mark.parametrize(
    ("message", "mood"),
    [
        ("not horror, something like Star Wars", "something like Star Wars"),
        ("something scary but no romance please", "something scary but please"),
        ("find movies about space without sci-fi", "find movies about space"),
        ("something like Alien but funnier", "something like Alien but funnier"),
        ("forget Alien, I want something cozy for tonight", "I want something cozy for tonight"),
        ("start over: something cozy", "something cozy"),
        ("anything but horror, something cozy", "something cozy"),
        ("something cozy, not from the 80s", "something cozy"),
    ],
)
def test_the_mood_leaves_out_what_the_user_does_not_want(message: str, mood: str) -> None:
    """The mood is embedded to find items near the user's words: "not horror" in it would pull
    horror in."""
    assert parse(message, TAGS).mood == mood


def test_the_embedder_reads_the_mood_without_the_words_of_asking() -> None:
    """Embedded whole, "something funny" finds "Something to Talk About"; "funny" finds comedies."""
    assert search_text("something funny") == "funny"
    assert search_text("I want something with dinosaurs please") == "with dinosaurs"
    assert search_text("movies") == "movies"  # nothing else left: the words as they were


@pytest.mark.parametrize(
    ("message", "intent", "refers_to", "feedback"),
    [
        ("j'adore le deuxième", Intent.feedback, 2, "like"),
        ("ich liebe den zweiten Film", Intent.feedback, 2, "like"),
        ("no me gusta el tercero", Intent.feedback, 3, "dislike"),
        ("gefällt mir nicht, der dritte", Intent.feedback, 3, "dislike"),
        ("je n'aime pas le dernier", Intent.feedback, -1, "dislike"),
        ("pourquoi le premier ?", Intent.explain, 1, None),
        ("warum der erste?", Intent.explain, 1, None),
        ("perché il secondo?", Intent.explain, 2, None),
        ("más como el segundo", Intent.more_like, 2, None),
    ],
)
def test_positions_likes_and_why_in_other_languages_need_no_model(
    message, intent, refers_to, feedback, tags, catalogue
) -> None:
    """Read whole by the parser (nothing left for the model), so "j'adore le deuxième" is a like of
    the second card at once, not a 5-second guess."""
    request = parse(message, tags, catalogue.title_spans)
    assert (request.intent, request.refers_to, request.feedback) == (intent, refers_to, feedback)
    assert unread(message, tags, catalogue.title_spans) == []


def test_a_foreign_last_before_a_name_is_a_series_not_a_position(tags, catalogue) -> None:
    for message in ("la última película de Star Wars", "le dernier film de Star Wars"):
        assert parse(message, tags, catalogue.title_spans).refers_to is None


def test_a_foreign_message_does_not_make_a_shown_title_a_seed(tags, catalogue) -> None:
    """ "películas de miedo pero no muy sangrientas" after a list with Contact: the model copied
    "Contact" from the shown items its prompt lists. A translated title that is not on that list
    still counts."""
    from recassist.assistant.admission import ModelGate
    from recassist.assistant.planner import Planner
    from recassist.settings import AgentConfig

    planner = Planner(catalogue, tags, None, ModelGate(AgentConfig()))
    message = "películas de miedo pero no muy sangrientas"
    contact = catalogue.exact_title("Contact (1997)")
    planned = TurnRequest(seed_titles=["Contact"], include_tags=["Horror"])
    parsed = parse(message, tags, catalogue.title_spans)
    assert planner._grounded(planned, message, parsed, {contact}).seed_titles == []
    assert planner._grounded(planned, message, parsed, set()).seed_titles == ["Contact"]


@pytest.mark.parametrize(
    ("message", "new_topic", "intent"),
    [
        ("a feel-good movie for a rainy sunday", True, Intent.recommend),
        ("something for a date night", True, Intent.recommend),
        ("movies about space", True, Intent.recommend),
        ("find films about dinosaurs", True, Intent.search),
        ("something darker", False, Intent.recommend),  # a change to the last list
        # "i need ..." heads a want as "movies" does (it narrowed a list like Fargo to comedies)
        ("i need a good cry tonight", True, Intent.recommend),
        ("i want something darker", False, Intent.recommend),
        ("quelque chose de plus léger", False, Intent.recommend),
        # when the user watches is no description: "another one" again
        ("another one for a rainy sunday", False, Intent.refine),
        (
            "something like Alien but cozier",
            False,
            Intent.recommend,
        ),  # a new topic by its title, not by this rule
        ("more please", False, Intent.refine),  # the last request again
        ("show me 3 more", False, Intent.refine),
        ("give me two more", False, Intent.refine),
        ("not horror", False, Intent.refine),
    ],
)
def test_a_want_in_the_users_own_words_is_a_new_topic(
    message: str, new_topic: bool, intent: Intent
) -> None:
    request = parse(message, TAGS)
    assert (request.new_topic, request.intent) == (new_topic, intent)


def test_a_new_topic_keeps_only_what_the_user_ruled_out() -> None:
    session = SessionMemory()
    for message in ("a comedy from the 90s", "no horror"):
        session.apply(parse(message, TAGS))
    constraints = session.apply(parse("a feel-good movie for a rainy sunday", TAGS))
    assert (constraints.include_tags, constraints.year_min, constraints.exclude_tags) == (
        frozenset(),
        None,
        frozenset({"Horror"}),
    )
    assert session.apply(parse("more please", TAGS)) == constraints  # and a continuation keeps it


def test_the_models_plan_keeps_what_the_user_lifts_drops_or_starts_anew() -> None:
    """The parser alone reads "forget Alien", "start over", "actually horror is fine", "forget the
    90s" and a new topic; a plan the model writes for the rest of the message must not lose them."""
    from recassist.assistant.admission import ModelGate
    from recassist.assistant.planner import Planner
    from recassist.settings import AgentConfig

    planner = Planner(None, TAGS, None, ModelGate(AgentConfig()))
    for message, kept in [
        (
            "forget Alien, I want something cozy for tonight",
            {"drop_seeds": True, "new_topic": True},
        ),
        ("start over: something cozy", {"reset": True}),
        ("actually horror is fine, something spooky for halloween", {"allow_tags": ["Horror"]}),
        ("forget the 90s, something uplifting", {"drop_years": True}),
    ]:
        planned = planner.reconcile(TurnRequest(mood="cozy"), parse(message, TAGS))
        assert planned.model_dump(include=set(kept)) == kept, message


def test_a_mood_of_the_users_own_words_keeps_their_order() -> None:
    """The model wrote "down feeling" for "feeling down today, something to watch?", which no
    longer read as a feeling: the reply said 'I didn't use "down"'. A mood of nothing but the
    user's words is theirs, in their order; a model's mood with words of its own keeps them first."""
    from recassist.assistant.admission import ModelGate
    from recassist.assistant.planner import Planner
    from recassist.settings import AgentConfig

    planner = Planner(None, TAGS, None, ModelGate(AgentConfig()))
    message = "feeling down today, something to watch?"
    planned = planner.reconcile(TurnRequest(mood="down feeling"), parse(message, TAGS))
    assert planned.mood.startswith("feeling down today")
    translated = planner.reconcile(TurnRequest(mood="heist"), parse("un film de casse", TAGS))
    assert translated.mood.startswith("heist")


@pytest.mark.parametrize(
    ("message", "seeds", "include", "exclude", "whole"),
    [
        ("quelque chose comme Alien mais plus drôle", ["Alien"], ["Comedy"], [], True),
        ("algo como Toy Story pero para adultos", ["Toy Story"], [], ["Children's"], True),
        ("je veux un film d'action des années 90", [], ["Action"], [], True),
        (
            "pas d'horreur s'il vous plaît",
            [],
            [],
            ["Horror"],
            False,
        ),  # "d'horreur s'" is no quoted title
    ],
)
def test_the_parser_reads_whole_messages_in_other_languages(
    message: str, seeds: list, include: list, exclude: list, whole: bool, tags, catalogue
) -> None:
    """Their little words (de, comme, pero, für ...) are read as filler, as "of", "like" and "but"
    are, so a message the parser understands does not wait for the model's plan."""
    request = parse(message, tags, catalogue.title_spans)
    assert (request.seed_titles, request.include_tags, request.exclude_tags) == (
        seeds,
        include,
        exclude,
    )
    assert not unread(message, tags, catalogue.title_spans) == whole


@pytest.mark.parametrize(
    ("message", "exclude"),
    [
        ("anything but horror", ["Horror"]),
        ("everything but westerns please", ["Western"]),
        ("tout sauf de l'horreur", ["Horror"]),
        ("todo menos terror", ["Horror"]),
        ("alles außer Horror", ["Horror"]),
    ],
)
def test_anything_but_a_genre_rules_it_out(message: str, exclude: list) -> None:
    request = parse(message, TAGS)
    assert (request.exclude_tags, request.include_tags) == (exclude, [])


@pytest.mark.parametrize(
    ("message", "intent", "refers_to", "feedback"),
    [
        ("the last one was great", Intent.feedback, -1, "like"),
        ("loved the 2nd", Intent.feedback, 2, "like"),
        ("the third one looks good", Intent.feedback, 3, "like"),
        ("I've seen the first one", Intent.feedback, 1, "dislike"),
        ("already seen number 2", Intent.feedback, 2, "dislike"),
        ("the first one please", Intent.feedback, 1, "like"),  # a choice from the list
        ("what is the second one about?", Intent.explain, 2, None),
        ("tell me more about the first one", Intent.explain, 1, None),
        (
            "what's a good movie about space?",
            Intent.recommend,
            None,
            None,
        ),  # points at nothing shown
    ],
)
def test_everyday_praise_choices_and_questions_point_at_the_list(
    message: str, intent: Intent, refers_to, feedback
) -> None:
    request = parse(message, TAGS)
    assert (request.intent, request.refers_to, request.feedback) == (intent, refers_to, feedback)


def test_a_bare_number_more_is_a_count_and_sci_fi_is_a_genre() -> None:
    more = parse("2 more", TAGS)
    assert (more.intent, more.count) == (Intent.refine, 2)
    assert parse("sci fi from the 70s", TAGS).include_tags == ["Sci-Fi"]


@pytest.mark.parametrize(
    "message",
    [
        "something less mainstream",
        "surprise me!",
        "show me some hidden gems",
        "quelque chose de moins connu",
        "sorpréndeme",
        "überrasch mich",
        "anything similar but less known?",
        "something not as famous",
    ],
)
def test_less_mainstream_is_a_cue_to_rank_not_a_description(message: str) -> None:
    """The cue (data: `less_mainstream` in recassist/language/data/*.toml) sets `less_mainstream`,
    is read by the parser (no LLM plan needed) and keeps the last request: no mood, no new topic."""
    request = parse(message, TAGS)
    assert request.less_mainstream and request.intent is Intent.refine, request
    assert request.mood is None and not request.new_topic and unread(message, TAGS) == []


def test_less_mainstream_stands_with_the_other_constraints_until_a_reset() -> None:
    from recassist.assistant.request import request_schema

    assert "less_mainstream" not in request_schema()["properties"]  # the parser's alone
    session = SessionMemory()
    session.apply(parse("comedies from the 90s", TAGS))
    niche = session.apply(parse("something less mainstream", TAGS))
    assert niche.less_mainstream and niche.include_tags == {"Comedy"} and niche.year_min == 1990
    assert session.apply(parse("no horror", TAGS)).less_mainstream
    assert not session.apply(parse("start over", TAGS)).less_mainstream
    described = parse("a feel-good movie for a rainy sunday, nothing too famous", TAGS)
    assert described.less_mainstream and "famous" not in (described.mood or "")


@pytest.mark.parametrize(
    ("message", "seeds"),
    [
        ("i loved heat and ronin, got anything similar?", ["heat", "ronin"]),
        ("I loved Fargo, Heat and Ronin", ["Fargo", "Heat", "Ronin"]),
        ("i enjoyed fargo and the big lebowski, more please", ["fargo", "the big lebowski"]),
        ("something like alien and more please", ["alien"]),  # no title after "and"
        ("I watched Toy Story yesterday and cried, any other", ["Toy Story"]),  # "cried": a deed
        ("I loved Fargo and It's a Wonderful Life", ["Fargo", "It's a Wonderful Life"]),
        ("I loved Heat, got anything similar?", ["Heat"]),
        ("i love comedies", []),  # a genre, not a title
        ("i loved the second one", []),  # a list position
    ],
)
def test_every_title_of_a_list_after_like_or_i_loved_is_a_seed(
    message: str, seeds: list[str], tags, catalogue
) -> None:
    """Praise names titles as "like" does, and a list of them ("X and Y", "X, Y and Z") names each,
    lower case or not and whether or not the catalogue has it: none is dropped silently."""
    assert parse(message, tags, catalogue.title_spans).seed_titles == seeds


def test_a_digit_that_is_no_ascii_digit_ends_the_turn_as_words(tags, catalogue) -> None:
    """ "19²0s": "²" is a digit to `str.isdigit` and no number to `int` (found by the turn fuzzer)."""
    request = parse("3 movies from the 19²0s", tags, catalogue.title_spans)
    assert request.count == 3 and request.year_min is None


@pytest.mark.parametrize(
    ("message", "refers", "feedback", "then_more"),
    [
        ("the second one looks boring", 2, "dislike", False),
        ("not that one, the second one looks boring", 2, "dislike", False),
        ("the third is not for me, anything else?", 3, "dislike", True),
        ("loved the first one! more please", 1, "like", True),
        ("I loved the second one", 2, "like", False),
    ],
)
def test_a_thumbs_in_words_and_whether_it_asks_for_more(
    message: str, refers: int, feedback: str, then_more: bool, tags, catalogue
) -> None:
    request = parse(message, tags, catalogue.title_spans)
    assert (request.intent, request.refers_to, request.feedback, request.then_more) == (
        Intent.feedback,
        refers,
        feedback,
        then_more,
    ), request


def test_a_title_without_its_article_is_named(tags, catalogue) -> None:
    """ "Empire Strikes Back" is "The Empire Strikes Back": the seen film is not shown again."""
    request = parse(
        "I've already seen Star Wars and Empire Strikes Back, something else set in space?",
        tags,
        catalogue.title_spans,
    )
    assert request.seed_titles == ["Star Wars", "Empire Strikes Back"]
    assert "set" not in request.unused


@pytest.mark.parametrize(
    ("message", "intent", "seeds", "feedback"),
    [
        (
            "the godfather was amazing. more like it please",
            Intent.more_like,
            ["the godfather"],
            None,
        ),
        ("i hated titanic. something romantic", Intent.feedback, ["titanic"], "dislike"),
        ("Titanic was boring, anything else?", Intent.feedback, ["Titanic"], "dislike"),
        ("it was great", Intent.feedback, [], "like"),
        ("the second one was great", Intent.feedback, [], "like"),
    ],
)
def test_a_verdict_on_a_film_names_it(message, intent, seeds, feedback, tags, catalogue) -> None:
    """A title before "was amazing" or after "I hated" is named, as one after "like" is; a
    pronoun or a list position is not a title."""
    request = parse(message, tags, catalogue.title_spans)
    assert (request.intent, request.seed_titles, request.feedback) == (intent, seeds, feedback)


@pytest.mark.parametrize(
    ("message", "relation", "seeds"),
    [
        ("who directed fargo?", "same_director", ["fargo"]),
        ("more from the director of alien", "same_director", ["alien"]),
        ("something with the same actors as heat", "shared_cast", ["heat"]),
        ("the sequel to the godfather", "sequel", ["the godfather"]),
        ("a movie about a film director", None, []),
    ],
)
def test_a_relation_asked_by_name_and_its_film(message, relation, seeds, tags, catalogue) -> None:
    """ "who directed fargo?" asks the graph's relation of Fargo; its words are no description."""
    request = parse(message, tags, catalogue.title_spans)
    assert (request.relation, request.seed_titles) == (relation, seeds)
    assert "directed" not in (request.mood or "")


@pytest.mark.parametrize(
    ("message", "seeds"),
    [
        ("quelque chose comme toy story", ["toy story"]),
        ("j'ai adoré fargo, tu as quelque chose de similaire ?", ["fargo"]),
        ("me encantó titanic, algo parecido?", ["titanic"]),
        ("algo como jurassic park pero más divertido", ["jurassic park"]),
        ("ich mochte heat und fargo, etwas ähnliches?", ["heat", "fargo"]),
        ("qualcosa tipo alien ma più divertente", ["alien"]),
        ("adorei toy story, algo parecido?", ["toy story"]),
        ("ich mag Krimis", []),  # a genre, not a title
    ],
)
def test_like_and_praise_in_other_languages_name_titles(message, seeds, tags, catalogue) -> None:
    """The `like` lists of the six languages: a lower-case title after "comme", "me encantó",
    "ich mochte" is a title, as after "like" and "I loved"; a genre is not."""
    assert parse(message, tags, catalogue.title_spans).seed_titles == seeds


@pytest.mark.parametrize(
    ("message", "people", "mood_has"),
    [
        ("movies with tom hanks", ["tom hanks"], None),
        ("comedies starring jim carrey", ["jim carrey"], None),
        ("anything directed by spielberg from the 80s", ["spielberg"], None),
        ("anything by spielberg", ["spielberg"], None),  # a surname on its own
        ("a hitchcock film", ["hitchcock"], None),
        ("I loved Jerry Maguire, what else?", [], None),  # a title, no person
        ("something that will make me laugh", [], "laugh"),
        ("films with robots and lasers", [], "robots"),
    ],
)
def test_people_named_are_read_as_people(message, people, mood_has, tags, catalogue) -> None:
    """A person after "starring" or "directed by", or a given name and the word after it, is read
    as a person (the reply says none can be looked up) and is no description; a title holding a
    given name, or words of wanting, are not."""
    request = parse(message, tags, catalogue.title_spans)
    assert request.people == people
    for name in people:
        assert name not in (request.mood or "").lower()
    assert mood_has is None or mood_has in (request.mood or "")


@pytest.mark.parametrize(
    ("message", "intent", "seeds", "best"),
    [
        (
            "I've already seen Titanic and Braveheart, something epic?",
            "recommend",
            ["Titanic", "Braveheart"],
            False,
        ),
        ("seen it", "feedback", [], False),
        ("what's the best movie ever made?", "recommend", [], True),
        ("top rated westerns", "refine", [], True),
        ("a good comedy", "refine", [], False),
    ],
)
def test_films_seen_and_the_best(message, intent, seeds, best, tags, catalogue) -> None:
    """Titles "already seen" are what to go by, not thumbs down; "the best", "top rated", "ever
    made" rank by how well liked (`best`) and are no description; "good" is only asking."""
    request = parse(message, tags, catalogue.title_spans)
    assert (request.intent.value, request.seed_titles, request.best) == (intent, seeds, best)
    assert "ever made" not in (request.mood or "")


@pytest.mark.parametrize(
    ("message", "count"),
    [
        ("3 comedies", 3),
        ("two thrillers from the 80s", 2),
        ("just one movie please, a thriller", 1),
        ("one of the comedies", None),  # points into a list, counts nothing
        ("give me 4", 4),
    ],
)
def test_a_count_of_a_kind_of_film_is_a_count(message, count, tags, catalogue) -> None:
    """A number before a tag word counts films as one before "movies" does."""
    request = parse(message, tags, catalogue.title_spans)
    assert (request.count if "count" in request.model_fields_set else None) == count


def test_a_common_word_is_not_put_right_to_a_tag_word(tags, catalogue) -> None:
    """ "dogs" is one edit from "docs" (documentaries) and stays dogs."""
    request = parse("any movies about dogs?", tags, catalogue.title_spans)
    assert "Documentary" not in request.include_tags and "dogs" in (request.mood or "")


@pytest.mark.parametrize(
    ("message", "include", "exclude", "unused"),
    [
        ("not too scary please", [], [], ["not too scary"]),
        ("nothing too scary, maybe a thriller", ["Thriller"], ["Horror"], []),
        ("no horror", [], ["Horror"], []),
        ("a comedy, not too silly", ["Comedy"], [], ["not too silly"]),
    ],
)
def test_less_of_a_kind_is_no_exclusion_unless_another_is_wanted(
    message, include, exclude, unused, tags, catalogue
) -> None:
    """ "not too scary" asks for less horror, which no tag says: alone (after a horror list) it
    is said back as unused and horror stays; beside another want it rules horror out, the nearest
    a filter comes."""
    request = parse(message, tags, catalogue.title_spans)
    assert (request.include_tags, request.exclude_tags) == (include, exclude)
    assert request.unused == unused


def test_a_tag_word_that_names_a_narrower_kind_keeps_its_words(tags, catalogue) -> None:
    """ "a heist movie" is a crime film, and its words stay for the heist films the graph names;
    "a crime movie" says nothing beyond its tag."""
    heist = parse("a heist movie", tags, catalogue.title_spans)
    assert heist.include_tags == ["Crime"] and "heist" in (heist.mood or "")
    assert parse("a crime movie", tags, catalogue.title_spans).mood is None


@pytest.mark.parametrize(
    ("message", "era", "refers", "intent"),
    [
        ("for older kids maybe", None, None, None),  # older children, not older films
        ("something older", "older", None, None),
        ("plus récent", "newer", None, None),
        ("¿y algo más reciente?", "newer", None, None),
        ("etwas Älteres?", "older", None, None),
        ("qualcosa di più vecchio", "older", None, None),
        ("algo mais recente", "newer", None, None),
        ("I didnt like the last list. something totally different", None, None, "recommend"),
        ("none of these, try again", None, None, "refine"),
    ],
)
def test_words_about_the_list_or_the_audience_are_no_era_title_or_position(
    message, era, refers, intent, tags, catalogue
) -> None:
    """ "older kids" are no older films, "the last list" is no position and no title, and "none
    of these, try again" asks the last request again."""
    request = parse(message, tags, catalogue.title_spans)
    assert (request.era, request.refers_to, request.seed_titles) == (era, refers, [])
    assert intent is None or request.intent.value == intent
    assert era is None or not unread(message, tags, catalogue.title_spans)  # all of it was read


@pytest.mark.parametrize(
    ("message", "include"),
    [
        ("Horrorfilme aus den 90ern", ["Horror"]),
        ("film comici", ["Comedy"]),
        ("películas bélicas", ["War"]),
        ("filmes de comédia", ["Comedy"]),
        ("des films d'animation", ["Animation"]),
        ("un polar", ["Crime"]),
    ],
)
def test_kinds_of_film_in_other_languages_are_tags(message: str, include: list, tags) -> None:
    """The everyday words for a genre in each language, plural and compound forms included: a
    German or Italian user's kind of film is no description the catalogue cannot read."""
    assert parse(message, tags).include_tags == include


@pytest.mark.parametrize(
    ("message", "include"),
    [
        ("a movie about love", ["Romance"]),
        ("a movie about love and war", ["Romance", "War"]),
        ("two strangers fall in love on a train", ["Romance"]),
        ("I'm in love with old westerns", ["Western"]),
        ("i love westerns", ["Western"]),
    ],
)
def test_love_is_a_kind_of_film_only_as_what_it_is_about(message: str, include: list, tags) -> None:
    """ "a movie about love" asks for romances (it was all filler, so popular films came back with
    nothing said unused); "I'm in love with old westerns" and "i love westerns" ask for westerns
    alone."""
    assert sorted(parse(message, tags).include_tags) == include


@pytest.mark.parametrize(
    ("message", "wanted", "out"),
    [
        ("comedies without jim carrey", [], ["jim carrey"]),
        ("action movies, nothing with arnold schwarzenegger", [], ["arnold schwarzenegger"]),
        ("i can't stand adam sandler, what comedies do you have", [], ["adam sandler"]),
        ("not a fan of meg ryan, romantic comedies please", [], ["meg ryan"]),
        ("je ne supporte pas tom cruise, un thriller", [], ["tom cruise"]),
        ("comedies with jim carrey", ["jim carrey"], []),
        ("anything with tom hanks but no meg ryan", ["tom hanks"], ["meg ryan"]),
    ],
)
def test_a_person_after_a_negation_is_ruled_out_not_wanted(
    message: str, wanted: list, out: list
) -> None:
    """ "comedies without jim carrey" listed Ace Ventura, Liar Liar and The Mask: the person was
    read as wanted whatever came before. The words that rule a person out are read too."""
    request = parse(message, TAGS)
    assert (request.people, request.exclude_people) == (wanted, out)
    assert not {"can't", "stand", "fan", "supporte"} & set(unread(message, TAGS))


@pytest.mark.parametrize(
    ("message", "include", "exclude"),
    [
        ("i can't stand horror movies, something funny", ["Comedy"], ["Horror"]),
        ("bored of westerns, what else", [], ["Western"]),
        ("i'm sick of all these comedies", [], ["Comedy"]),
        ("not a fan of musicals, any good dramas?", ["Drama"], ["Musical"]),
        ("i dislike sci-fi, suggest a thriller", ["Thriller"], ["Sci-Fi"]),
        ("not into horror, something romantic", ["Romance"], ["Horror"]),
        ("j'en ai marre des westerns, une comédie", ["Comedy"], ["Western"]),
        ("i can't get enough of horror", ["Horror"], []),
        ("something with tom hanks that isn't a comedy", [], ["Comedy"]),
        ("films that aren't horror", [], ["Horror"]),
        ("horror fans are tired of jump scares, a smart horror film", ["Horror"], []),
    ],
)
def test_a_kind_of_film_after_words_against_it_is_ruled_out(
    message: str, include: list, exclude: list, tags
) -> None:
    """ "i can't stand horror movies, something funny" asked for horror, "i'm sick of comedies"
    for comedies: only single negators ("no", "not") ruled a kind out. The words against a person
    (`against`, data) rule out a kind too, and are no wish left unread ("not into")."""
    request = parse(message, tags)
    assert (sorted(request.include_tags), request.exclude_tags) == (include, exclude)
    assert request.unused == []
    if exclude:  # read, so no model is asked to plan it (it took 16 s)
        assert unread(message, tags) == []


@pytest.mark.parametrize(
    ("message", "kids"),
    [
        ("I'm 12, what should I watch?", True),
        ("something for my 8 year old", True),
        ("a movie for a 10-year-old", True),
        ("my daughter is 7, any ideas", True),
        ("i'm 30, something funny", False),
        ("a film for my 15 year old", False),
    ],
)
def test_a_childs_age_asks_for_childrens_films(message: str, kids: bool, tags) -> None:
    """ "I'm 12, what should I watch?" listed Fargo among the five most popular films."""
    request = parse(message, tags)
    assert ("Children's" in request.include_tags) is kids, request
    assert not kids or not {"12", "8", "10", "7", "year"} & set(unread(message, tags))


@pytest.mark.parametrize(
    ("message", "read"),
    [
        ("give me something random", {"less_mainstream": True}),
        ("what about something from this year?", {"era": "newer"}),
        ("the newest films you have", {"era": "newer"}),
        ("movies for a sleepover with 10 year olds", {"include_tags": ["Children's"]}),
    ],
)
def test_what_people_type_round_three(message: str, read: dict, tags) -> None:
    """ "give me something random" found one film by its description; "something from this
    year" found My Favorite Year by its title; "a sleepover" was said to be no kind of film."""
    request = parse(message, tags)
    assert request.model_dump(include=set(read)) == read, request
    assert not {"random", "year", "newest", "sleepover"} & set(unread(message, tags))


@pytest.mark.parametrize("message", ["a smart political satire", "a film buff's pick"])
def test_an_english_word_near_a_foreign_genre_word_is_not_that_genre(message: str, tags) -> None:
    """Typos are forgiven towards every language's genre words, so none may be one letter from a
    common English word: "political" is not Portuguese "policial" (crime)."""
    assert parse(message, tags).include_tags == []


@pytest.mark.parametrize(
    ("message", "person", "kind"),
    [
        ("anything by spielberg", "spielberg", "director"),
        ("movies with tom hanks", "tom hanks", "actor"),
        ("something directed by clint eastwood", "clint eastwood", "director"),  # said outright
        ("a film with hitchcock", "hitchcock", "director"),  # the list knows him
        ("arnold schwarzenegger movies", "arnold schwarzenegger", "actor"),
        ("films of jane doe", "jane doe", None),
    ],
)
def test_a_person_named_is_a_director_or_an_actor_as_the_words_or_lists_say(
    message: str, person: str, kind
) -> None:
    from recassist.language.people import role

    assert role(message, person) == kind


@pytest.mark.parametrize(
    ("title", "series"),
    [
        ("all the star wars films", "star wars"),
        ("every star trek movie", "star trek"),
        ("the godfather trilogy", "godfather"),
        ("the godfather movie", None),
        ("the godfather", None),
        ("star wars", None),
    ],
)
def test_a_whole_series_is_said_by_a_word_before_or_a_plural_after(title: str, series) -> None:
    """ "all the star wars films" names the whole series; "the godfather movie" one film."""
    from recassist.assistant.seeds import series_name

    assert series_name(title) == series


@pytest.mark.parametrize(
    ("message", "seeds"),
    [
        ("what's the weather like today?", []),
        ("something like tonight", []),
        ("qué tal algo como hoy", []),
        ("something like only you", ["only you"]),
    ],
)
def test_when_after_like_is_no_title(message: str, seeds: list[str]) -> None:
    """ "the weather like today": "today" says when ("I could not find 'today' in the
    catalogue"); a title of such words is still one ("Only You")."""
    assert parse(message, TAGS).seed_titles == seeds
