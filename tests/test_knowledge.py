"""Item knowledge: the ML-100k knowledge graph (fetched, checked, read), the knowledge generator's
contract, titles as people write them, and "like X" from behaviour, never from title words."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from recassist.data.knowledge import ItemGraph, graph_files, graph_signature, load_graph, read_graph
from recassist.errors import InputFileError
from recassist.retrieval.generators import Evidence, NotFittedError
from recassist.retrieval.generators.knowledge import Knowledge, KnowledgeConfig, graph_arrays
from recassist.retrieval.interactions import Interactions
from recassist.retrieval.vocabulary import Vocabulary

KG_HEADER = "head_id:token\trelation_id:token\ttail_id:token\n"
LINK_HEADER = "item_id:token\tentity_id:token\n"


# ---------------------------------------------------------------- the graph file


@pytest.fixture(scope="module")
def graph(ml100k, settings) -> ItemGraph:
    """The real graph, fetched beside ML-100k by `fetch` (the `ml100k` fixture)."""
    loaded = load_graph(settings.data_dir, "ml-100k")
    assert loaded is not None, "fetching ml-100k fetches its knowledge graph"
    return loaded


def test_the_fetched_graph_describes_the_catalogue(graph: ItemGraph, ml100k) -> None:
    # RecBole links 1,598 MovieLens-1M ids; the crosswalk finds 1,495 of those films in ML-100k
    assert graph.facts["item_id"].nunique() == 1495
    assert set(graph.facts["item_id"]) <= set(ml100k.items["item_id"])
    item = {t: i for i, t in zip(ml100k.items["item_id"], ml100k.items["title"])}
    # The Godfather's sequel is The Godfather: Part II, both ways round
    pairs = set(zip(graph.series["item_id"], graph.series["relation"], graph.series["other_id"]))
    first, second = item["Godfather, The (1972)"], item["Godfather: Part II, The (1974)"]
    assert (first, "sequel", second) in pairs and (second, "prequel", first) in pairs
    # one director: The Godfather and Apocalypse Now (Coppola); the .link's ids read as ML-100k ids
    # would give The Godfather someone else's
    directed = graph.facts[graph.facts["relation"] == "film.film.directed_by"]
    director = directed.groupby("item_id")["entity"].apply(set)
    assert director[first] & director[item["Apocalypse Now (1979)"]]


def _write(folder: Path, kg: str, link: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "g.kg").write_text(kg)
    (folder / "g.link").write_text(link)
    return folder / "g.kg", folder / "g.link"


@pytest.mark.parametrize(
    "kg, link, where",
    [
        (
            KG_HEADER + "m.1\tfilm.film.directed_by\t\n",
            LINK_HEADER + "1\tm.1\n",
            ("g.kg", "row 1", "field 'tail_id'"),
        ),
        (
            KG_HEADER + "m.1\tfilm.film.actor\tm.9\nm.1\tfilm.film.actor\n",
            LINK_HEADER + "1\tm.1\n",
            ("g.kg", "row 2"),
        ),
        ("head\trelation\ttail\n", LINK_HEADER, ("g.kg", "line 1")),
        (KG_HEADER, LINK_HEADER + "1\tm.1\n2\tm.1\n", ("g.link", "row 2", "field 'entity_id'")),
    ],
)
def test_a_bad_graph_file_names_its_file_row_and_field(
    tmp_path: Path, kg: str, link: str, where: tuple
) -> None:
    kg_path, link_path = _write(tmp_path, kg, link)
    with pytest.raises(InputFileError) as caught:
        read_graph(kg_path, link_path)
    assert all(part in str(caught.value) for part in where), str(caught.value)


def test_no_graph_is_none(tmp_path: Path, graph, settings) -> None:
    assert load_graph(tmp_path, "ml-100k") is None and graph_signature(tmp_path, "ml-100k") is None
    assert graph_files(tmp_path, "x")[0].name == "knowledge.kg"
    # the serving model's signature follows the graph's files and crosswalk
    assert graph_signature(settings.data_dir, "ml-100k") is not None


# ---------------------------------------------------------------- the generator


@pytest.fixture(scope="module")
def tiny() -> tuple[Interactions, ItemGraph]:
    """Users 0-3 watch a, b; user 4 watches a; user 5 watches d, e. Item c shares a's director and
    b's writer; f (never rated) is the sequel of a and shares its cast; d and e share only a
    country.
    For user 4 the graph's right answers are f (sequel), then c (same director)."""
    events = [(u, i) for u in range(4) for i in "ab"] + [(4, "a"), (5, "d"), (5, "e")]
    users, items = Vocabulary(str(u) for u in range(6)), Vocabulary(list("abcdef"))
    data = Interactions.from_arrays(
        users,
        items,
        np.array([u for u, _ in events]),
        items.rows([i for _, i in events]),
        np.arange(len(events)),
        np.ones(len(events), np.float32),
    )
    facts = pd.DataFrame(
        [
            ("a", "film.film.directed_by", "dir1"),
            ("c", "film.film.directed_by", "dir1"),
            ("b", "film.film.written_by", "wri1"),
            ("c", "film.film.written_by", "wri1"),
            ("a", "film.film.actor", "act1"),
            ("f", "film.film.actor", "act1"),
            ("a", "film.film.actor", "act2"),
            ("f", "film.film.actor", "act2"),
            ("d", "film.film.country", "usa"),
            ("e", "film.film.country", "usa"),
            ("b", "film.film.country", "fr"),
        ],
        columns=["item_id", "relation", "entity"],
    )
    series = pd.DataFrame(
        [("a", "sequel", "f"), ("f", "prequel", "a")], columns=["item_id", "relation", "other_id"]
    )
    return data, ItemGraph(facts, series)


def test_knowledge_keeps_the_generator_contract(tiny) -> None:
    data, graph = tiny
    features, groups, series = graph_arrays(graph, data.items)
    generator = Knowledge(KnowledgeConfig(), features=features, groups=groups, series=series)
    with pytest.raises(NotFittedError):
        generator.recommend(np.array([4]), 3)
    assert generator.fit(data) is generator
    recs = generator.recommend(np.array([4]), 3)
    assert list(data.items.ids(recs.items[0, :2])) == [
        "f",
        "c",
    ]  # the sequel, then the same director
    assert data.items.row("a") not in recs.items[0], "seen items are excluded"
    restricted = generator.recommend(np.array([4]), 2, items=data.items.rows(["c", "d"]))
    assert restricted.items[0, 0] == data.items.row("c")
    evidence = generator.evidence(4, data.items.rows(["f", "c"]))
    kinds = {(data.items.id(e.item), e.kind, e.source) for e in evidence}
    assert kinds == {("f", "sequel", "a"), ("c", "same_director", "a")}
    assert all(isinstance(e, Evidence) for e in evidence)
    cast = generator.relation(data.items.row("f"), data.items.row("a"))
    assert cast == ("prequel", 1)
    generator.series = sp.csr_matrix(
        series.shape
    )  # without the series link: two cast members shared
    assert generator.relation(data.items.row("a"), data.items.row("f")) == ("shared_cast", 2)
    again = KnowledgeConfig.model_validate_json(generator.config.model_dump_json())
    assert again == generator.config and hash(again) == hash(generator.config)
    assert generator.fresh().features.shape == features.shape


def test_knowledge_on_real_data_reaches_items_few_people_rated(
    graph: ItemGraph, ml100k, settings
) -> None:
    data = Interactions.from_dataset(ml100k, settings.events)
    features, groups, series = graph_arrays(graph, data.items)
    generator = Knowledge(features=features, groups=groups, series=series).fit(data)
    popularity = np.asarray(data.binary.sum(axis=0)).ravel()
    rare = np.flatnonzero((popularity <= 5) & (features.getnnz(axis=1) > 0))
    top = generator.recommend(np.arange(50), 20).items
    assert np.isin(top, rare).any(), "the graph proposes items with five ratings or fewer"


# ---------------------------------------------------------------- titles as people write them


@pytest.fixture(scope="module")
def catalogue(ml100k):
    from recassist.retrieval.catalogue import Catalogue

    return Catalogue(ml100k, store=None)


@pytest.mark.parametrize(
    "written, title",
    [
        ("termnator", "Terminator, The (1984)"),
        ("the godfather part two", "Godfather: Part II, The (1974)"),
        ("star wars 5", "Empire Strikes Back, The (1980)"),
        ("raiders of the lost arc", "Raiders of the Lost Ark (1981)"),
        ("lebowski", "Big Lebowski, The (1998)"),
        ("termintor 2", "Terminator 2: Judgment Day (1991)"),
        ("indy and the last crusade", "Indiana Jones and the Last Crusade (1989)"),
        ("alien three", "Alien 3 (1992)"),
        ("die hrd", "Die Hard (1988)"),
        ("terminator", "Terminator, The (1984)"),  # no "the": not Terminator 2, which begins so
        ("godfather", "Godfather, The (1972)"),
    ],
)
def test_misspelt_informal_and_shortened_titles_find_the_film(
    written: str, title: str, catalogue
) -> None:
    assert catalogue.items[catalogue.find_title(written)].title == title


def test_an_unsure_title_asks_and_a_film_not_in_the_catalogue_is_missing(catalogue) -> None:
    from recassist.assistant.replies import title_notes
    from recassist.assistant.seeds import name

    unsure = name(catalogue, "gromit")  # one of two words of a title: asked, not assumed
    assert (
        unsure.item_id is None
        and unsure.suggestion is not None
        and unsure.seed == unsure.suggestion
    )
    [note] = title_notes([unsure], catalogue.items, 5)
    assert "did you mean" in note and "Wallace & Gromit" in note
    scream = name(
        catalogue, "scream 3"
    )  # never Scream 2: missing, with the unnumbered title standing in
    assert scream.item_id is None and catalogue.items[scream.seed].title == "Scream (1996)"
    for absent in ("Inception", "the matrix", "a rainy sunday"):
        named = name(catalogue, absent)
        assert named.seed is None, f"{absent} names {named}"
        assert title_notes([named], catalogue.items, 5) == [
            f'I could not find "{absent}" in the catalogue.'
        ]
        assert title_notes([named], catalogue.items, 5, catalogue.years) == [
            f'I could not find "{absent}" in the catalogue, whose films are from 1922 to 1998.'
        ]


# ---------------------------------------------------------------- "like X"


@pytest.fixture(scope="module")
def like_assistant(settings, indexed_slice, slice_serving, embedder):
    """The assistant on the slice without a model: the parser plans, explanations are templates."""
    from recassist.assistant.agent import Assistant
    from recassist.data.store import DatasetStore
    from recassist.retrieval.catalogue import Catalogue
    from recassist.retrieval.vector_store import VectorStore
    from tests.conftest import SLICE

    builder, _ = indexed_slice
    catalogue = Catalogue(
        DatasetStore(settings.data_dir).load(SLICE), VectorStore(builder.client, SLICE), embedder
    )
    config = settings.agent.model_copy(update={"llm_planner": False, "explain_with_llm": False})
    return Assistant(catalogue, slice_serving, None, config)


def test_like_x_brings_co_liked_items_never_title_word_neighbours(like_assistant) -> None:
    from recassist.retrieval.catalogue import display_title, title_key
    from recassist.retrieval.neighbours import co_liked, liked_matrix

    items, data = like_assistant.items, like_assistant.serving.data
    liked = liked_matrix(data)
    popular = data.items.ids(np.argsort(-np.asarray(liked.sum(axis=0)).ravel(), kind="stable")[:8])
    filler = {"the", "a", "an", "of", "and", "in"}
    shared, picks = 0, 0
    for seed in map(str, popular):
        result = like_assistant.turn(
            like_assistant.new_session(None), f"something like {display_title(items[seed].title)}"
        )
        assert result.picks, f"no picks like {items[seed].title}"
        co = co_liked(liked, data.items.rows([seed]))
        near = set(map(str, data.items.ids(np.argsort(-co.scores)[:100])))
        assert sum(p.item.item_id in near for p in result.picks) >= len(result.picks) * 0.6
        seed_words = set(title_key(items[seed].title).split()) - filler
        shared += sum(bool(seed_words & set(title_key(p.item.title).split())) for p in result.picks)
        picks += len(result.picks)
        assert any(r.kind == "co_liked" and r.count >= 2 for p in result.picks for r in p.reasons)
    assert shared <= 0.05 * picks


def test_among_films_liked_alike_those_of_the_seed_s_kind_come_first(like_assistant) -> None:
    """ "Like Toy Story": every popular film is liked by many who liked it, so by the damped
    cosine alone the popular films of any kind lead; raised by the genres they share with the
    seed, the picks share more of them, and stay among the seed's nearest by behaviour."""
    from recassist.retrieval.neighbours import co_liked, kind_matrix, liked_matrix

    items, data = like_assistant.items, like_assistant.serving.data
    liked = liked_matrix(data)
    ids = [str(i) for i in data.items.ids(np.arange(len(data.items)))]
    kinds = kind_matrix(data, like_assistant.catalogue.genres)
    popular = np.argsort(-np.asarray(liked.sum(axis=0)).ravel(), kind="stable")[:8]

    def overlap(seed: int, picks: np.ndarray) -> float:
        mine = set(items[ids[seed]].tags)
        return float(
            np.mean(
                [
                    len(mine & set(items[ids[p]].tags)) / len(mine | set(items[ids[p]].tags))
                    for p in picks
                ]
            )
        )

    plain, raised, near = [], [], 0
    for seed in popular:
        alone = co_liked(liked, np.array([seed])).scores
        kind = co_liked(liked, np.array([seed]), kinds, 1.0).scores
        plain.append(overlap(seed, np.argsort(-alone)[:5]))
        raised.append(overlap(seed, np.argsort(-kind)[:5]))
        near += len(set(np.argsort(-kind)[:5]) & set(np.argsort(-alone)[:100]))
    assert np.mean(raised) > np.mean(plain) + 0.1, (plain, raised)
    assert near >= 0.9 * 5 * len(popular)


def test_like_x_needs_no_title_text(like_assistant, monkeypatch) -> None:
    """With the vector store down on purpose, "like X" still answers from what people liked."""
    from recassist.errors import VectorStoreUnavailableError

    def down(*args, **kwargs):
        raise VectorStoreUnavailableError("down on purpose")

    monkeypatch.setattr(like_assistant.catalogue.store, "query", down)
    monkeypatch.setattr(like_assistant.catalogue.store, "vectors", down)
    result = like_assistant.turn(like_assistant.new_session(None), "something like Star Wars")
    assert len(result.picks) >= 3 and "Star Wars" not in {p.item.title for p in result.picks}


def test_graph_and_co_liked_evidence_is_said_and_passes_the_check(catalogue) -> None:
    from recassist.grounding.evidence import Reason, phrase, template_explanation
    from recassist.grounding.faithfulness import FaithfulnessChecker

    by_title = {item.title: item for item in catalogue.items.values()}
    item, godfather = by_title["Apocalypse Now (1979)"], by_title["Godfather, The (1972)"]
    director = Reason("same_director", godfather.title, godfather)
    co_liked = Reason("co_liked", godfather.title, godfather, 12)
    checker = FaithfulnessChecker(by_title, catalogue.tag_names)
    text = template_explanation(item, [director, co_liked])
    assert (
        "the same director as The Godfather (1972)" in text
        and checker.check(text, item, [director]) == []
    )
    said = phrase(co_liked)
    assert said == "12 people who liked The Godfather (1972) also liked it"
    assert checker.check(f"{said}.", item, [co_liked]) == []
    assert any("other people" in p for p in checker.check(f"{said}.", item, [director]))
    assert phrase(Reason("shared_cast", godfather.title, godfather, 3)) == (
        "it shares cast with The Godfather (1972) (3 in common)"
    )


@pytest.mark.parametrize(
    "words, left",
    [
        ("something like Star Wars (1977)", ""),
        ("More like The Big Lebowski please", ""),
        ("something like star wars but funnier", "something but funnier"),
    ],
)
def test_a_seeds_own_title_is_no_description(words: str, left: str) -> None:
    """The words of "like X" are not searched as text: they would find The Big One for The Big
    Lebowski."""
    from recassist.assistant.described import beside_titles

    assert beside_titles(words, ["Star Wars (1977)", "Big Lebowski, The (1998)"]) == left


def test_related_films_are_those_sharing_the_relation_asked_for(tiny) -> None:
    """ "more from the director of a": c; "the sequel to a": f; "same cast as a": f, with the two
    actors they share; a has no writer, so no film shares one."""
    data, graph = tiny
    features, groups, series = graph_arrays(graph, data.items)
    generator = Knowledge(KnowledgeConfig(), features=features, groups=groups, series=series)
    row = data.items.rows(["a"])

    def related(kind: str, source=row) -> dict[str, int]:
        counts = generator.related(source, kind)
        return {str(data.items.id(i)): int(counts[i]) for i in np.flatnonzero(counts)}

    assert related("same_director") == {"c": 1}
    assert related("sequel") == {"f": 1}
    assert related("shared_cast") == {"f": 2}
    assert related("same_writer") == {}
    assert related("prequel", data.items.rows(["f"])) == {"a": 1}
    assert related("prequel") == {}  # a is the first of its series


def test_related_on_the_real_graph(graph: ItemGraph, ml100k, settings) -> None:
    """On ML-100k's graph: Fargo's director made Raising Arizona and The Hudsucker Proxy; the
    sequel of The Godfather is The Godfather: Part II."""
    data = Interactions.from_dataset(ml100k, settings.events)
    features, groups, series = graph_arrays(graph, data.items)
    generator = Knowledge(features=features, groups=groups, series=series)
    titles = dict(zip(ml100k.items["item_id"].astype(str), ml100k.items["title"]))
    by_title = {t: i for i, t in titles.items()}

    def related(title: str, kind: str) -> set[str]:
        counts = generator.related(data.items.rows([by_title[title]]), kind)
        return {titles[str(data.items.id(i))] for i in np.flatnonzero(counts)}

    assert {"Raising Arizona (1987)", "Hudsucker Proxy, The (1994)"} <= related(
        "Fargo (1996)", "same_director"
    )
    assert related("Godfather, The (1972)", "sequel") == {"Godfather: Part II, The (1974)"}


@pytest.fixture(scope="module")
def filmography(graph: ItemGraph, ml100k, settings):
    """The filmography stage over ML-100k's real graph; its model is asked for nothing here."""
    from recassist.assistant.filmography import Filmography

    data = Interactions.from_dataset(ml100k, settings.events)
    features, groups, series = graph_arrays(graph, data.items)
    generator = Knowledge(features=features, groups=groups, series=series)

    def shares(first: str, second: str, kind: str) -> bool:
        rows = data.items.rows([first, second])
        return bool(generator.related(rows[:1], kind)[rows[1]] > 0)

    return Filmography(None, SimpleNamespace(), shares)


@pytest.mark.parametrize(
    ("films", "kind", "relation"),
    [
        (["Psycho (1960)", "Birds, The (1963)"], "director", "same_director"),
        (
            ["Shining, The (1980)", "Godfather, The (1972)", "Psycho (1960)", "Birds, The (1963)"],
            None,
            "same_director",
        ),  # any two of the first four
        (["Terminator, The (1984)", "Terminator 2: Judgment Day (1991)"], "actor", "shared_cast"),
        (
            ["Forrest Gump (1994)", "Godfather, The (1972)", "Shawshank Redemption, The (1994)"],
            "actor",
            None,
        ),  # famous films a small model names for anyone share no one
        (
            [
                "Godfather, The (1972)",
                "Shawshank Redemption, The (1994)",
                "Silence of the Lambs, The (1991)",
            ],
            None,
            None,
        ),
    ],
)
def test_a_person_s_films_count_only_when_the_graph_says_two_share_them(
    filmography, ml100k, films, kind, relation
) -> None:
    """The model only proposes a person's films: two of them must share a director (an actor: a
    cast member with the first) in the graph, or the person is not found."""
    by_title = dict(zip(ml100k.items["title"], ml100k.items["item_id"].astype(str)))
    found = filmography.confirmed([by_title[t] for t in films], kind)
    assert (found[2] if found else None) == relation, found


def test_a_person_named_stays_unfound_when_the_model_fails(filmography) -> None:
    """A model that fails (here on purpose) leaves the request as it was: the reply then says
    people cannot be looked up by name."""
    from recassist.assistant.request import TurnRequest
    from recassist.errors import ModelError

    class Failing:
        def invoke(self, *args, **kwargs):
            raise ModelError("the model is down")

    filmography.model = Failing()
    filmography.catalogue = SimpleNamespace(years=(1922, 1998))
    request = TurnRequest(people=["spielberg"])
    assert filmography.resolve(request, "anything by spielberg") == request
