"""Explanations that vary in form and cite the strongest evidence with its count: the openings
table, the checker's demand for the count, and the real 0.5B model writing on from an opening."""

from __future__ import annotations

import pytest

from recassist.assistant.explain import Explainer, explain_stage
from recassist.grounding.evidence import Reason, opening, template_explanation, wordings
from recassist.grounding.faithfulness import FaithfulnessChecker
from recassist.llm.backend import LocalGGUFChat
from recassist.retrieval.catalogue import Item

FORREST = Item("1", "Forrest Gump (1994)", ("Comedy", "Romance", "War"), 1994)
ET = Item("2", "E.T. the Extra-Terrestrial (1982)", ("Children's", "Drama", "Fantasy"), 1982)
TERMINATOR = Item("3", "Terminator, The (1984)", ("Action", "Sci-Fi", "Thriller"), 1984)
POETS = Item("4", "Dead Poets Society (1989)", ("Drama",), 1989)
JEDI = Item("5", "Return of the Jedi (1983)", ("Action", "Adventure", "Sci-Fi", "War"), 1983)
APOLLO = Item("6", "Apollo 13 (1995)", ("Action", "Drama", "Thriller"), 1995)
FARGO = Item("7", "Fargo (1996)", ("Crime", "Drama", "Thriller"), 1996)
ITEMS = [FORREST, ET, TERMINATOR, POETS, JEDI, APOLLO, FARGO]
TAGS = sorted({t for i in ITEMS for t in i.tags} | {"Horror", "Western", "Musical"})


def _co_liked(source: Item, count: int) -> list[Reason]:
    return [
        Reason("co_liked", source.title, source, count=count),
        Reason("history_item", source.title, source),
    ]


PICKS = [
    (POETS, _co_liked(FORREST, 118)),
    (JEDI, _co_liked(TERMINATOR, 87)),
    (APOLLO, _co_liked(ET, 64)),
    (FARGO, _co_liked(FORREST, 52)),
]


@pytest.fixture(scope="module")
def checker() -> FaithfulnessChecker:
    return FaithfulnessChecker([i.title for i in ITEMS], TAGS)


def test_openings_rotate_and_carry_the_strongest_evidence_with_its_count(
    checker: FaithfulnessChecker,
) -> None:
    """Every co-liked opening states the count and the title (without its year), the cards of a
    list get different ones, and each passes the check as the start of an explanation."""
    reasons = _co_liked(FORREST, 118)
    n = len(wordings()["co_liked"].openings)
    starts = [opening(POETS, reasons, which) for which in range(n)]
    assert len(set(starts)) == n >= 4
    assert len({s.split()[0] for s in starts}) >= 3, starts  # not one first word in disguise
    for start in starts:
        assert "118" in start and "Forrest Gump" in start and "1994" not in start, start
        assert "?" not in start and "!" not in start  # one sentence is kept: it must not end
        assert checker.check(start, POETS, reasons, complete=False) == [], start
    assert opening(POETS, reasons, n) == starts[0]  # in rotation
    assert opening(POETS, [], 0) == ""


def test_every_kind_opens_by_naming_its_evidence() -> None:
    """Each kind's openings name the evidence ({label}), and those of a kind with a count name the
    count and the item, so that the model's sentence cites them by construction and cannot pin the
    count on another title ("54 of them also liked <the second evidence title>")."""
    for kind, wording in wordings().items():
        assert wording.openings, kind
        for form in wording.openings:
            assert "{label}" in form or kind in ("described", "popular"), (kind, form)
            if kind in ("co_liked", "shared_cast"):
                assert "{count}" in form and "{item}" in form, (kind, form)


def test_the_check_demands_the_strongest_evidences_count(checker: FaithfulnessChecker) -> None:
    reasons = _co_liked(FORREST, 118)
    problems = checker.check("People who liked Forrest Gump also liked it.", POETS, reasons)
    assert any("leaves out the count 118" in p for p in problems), problems
    assert checker.check("118 people who liked Forrest Gump also liked it.", POETS, reasons) == []
    # a weaker reason's count is not demanded; neither is a count while the text still streams
    plain = [Reason("history_item", FORREST.title, FORREST), Reason("neighbour_user", "3 users")]
    assert checker.check("You liked Forrest Gump: try it.", POETS, plain) == []
    assert checker.check("People who liked Forrest", POETS, reasons, complete=False) == []
    for which in range(4):  # the fallback states it too
        assert checker.check(template_explanation(POETS, reasons, which), POETS, reasons) == []


def _form(text: str, item: Item, source: Item) -> str:
    """The first three words with the titles and numbers blanked: the sentence's form."""
    said = text.replace(item.title.split(" (")[0], "ITEM")
    said = said.replace(source.title.split(" (")[0].removesuffix(", The"), "TITLE")
    return " ".join("N" if w.isdigit() else w for w in said.split()[:3])


def test_a_lists_explanations_begin_differently_and_state_their_counts(
    small_model: LocalGGUFChat, checker: FaithfulnessChecker
) -> None:
    """Four co-liked picks explained by the real 0.5B model: four different opening forms (the
    model copying one example would give one), each explanation states its own count and passes
    the check."""
    stage = explain_stage(Explainer(small_model, checker, max_tokens=24), PICKS, parallel=1)
    while True:
        try:
            next(stage)
        except StopIteration as end:
            explained = end.value
            break
    forms = set()
    for explanation, (item, reasons) in zip(explained, PICKS):
        text = explanation.text
        assert str(reasons[0].count) in text.split() or f"{reasons[0].count}" in text, text
        assert checker.check(text, item, reasons) == [], text
        forms.add(_form(text, item, reasons[0].item))
    assert len(forms) == len(PICKS), [e.text for e in explained]
    assert sum(e.source != "template" for e in explained) >= 3, [e.problems for e in explained]
