"""The grounding package: one tag-alias table read alike by the faithfulness check, the chat's tag
matcher and the marketer questions, and a checker that ads and the assistant share."""

from __future__ import annotations

import subprocess
import sys

import pytest

from recassist.audiences.parser import names_tag
from recassist.grounding.evidence import Reason
from recassist.grounding.faithfulness import FaithfulnessChecker
from recassist.grounding.tag_aliases import tag_aliases
from recassist.language.tags import TagMatcher
from recassist.language.words import listed
from recassist.retrieval.catalogue import Item

ALIASES = sorted((tag, form) for tag, forms in tag_aliases().items() for form in forms)


def test_the_table_is_read_from_package_data() -> None:
    assert tag_aliases()["sci-fi"][0] == "science fiction"
    assert all(forms for forms in tag_aliases().values())


@pytest.mark.parametrize(("tag", "form"), ALIASES)
def test_every_reader_reads_an_alias_as_its_tag(tag: str, form: str) -> None:
    """The chat reads the alias as the tag, the marketer questions find the tag by it, and the
    checker flags it when the item does not carry the tag: the three never disagree."""
    matcher = TagMatcher([tag, "western"])
    alone = form not in listed("audience_only")  # "kids" only as those it is for: "for kids"
    assert matcher.canonical(form if alone else f"for {form}") == tag
    assert names_tag(tag, f"people who like {form} a lot")
    checker = FaithfulnessChecker(["Heat (1995)", "Alien (1979)"], [tag, "western"])
    item = Item("1", "Heat (1995)", ("western",), 1995)
    reasons = [Reason("history", "Alien (1979)", Item("2", "Alien (1979)", ("western",), 1979))]
    problems = checker.check(f"Like Alien, it is {form} fare.", item, reasons)
    assert any(f"'{form}'" in p for p in problems), problems
    allowed = Item("1", "Heat (1995)", (tag,), 1995)
    assert not checker.check(f"Like Alien, it is {form} fare.", allowed, reasons)


def test_importing_the_ads_and_grounding_packages_loads_no_model() -> None:
    """No work at import time: importing ads (and the grounding it uses) builds no sensitive check
    and loads no embedder."""
    code = (
        "import sys, recassist.ads.serving, recassist.grounding.faithfulness;"
        "print('sentence_transformers' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_number_of_the_items_own_title_is_no_count() -> None:
    """ "20,000 Leagues Under the Sea is tagged "submarine" on TMDb" failed twice ("states the
    number 20"): checked as it streamed, "20,000 Leagues" was no title yet. A number the item's
    title holds is its name, not a count; any other still fails."""
    title = "20,000 Leagues Under the Sea (1954)"
    checker = FaithfulnessChecker([title], ["adventure"])
    item = Item("141", title, ("adventure",), 1954)
    reasons = [Reason("concept", 'tagged "submarine" on TMDb')]
    assert not checker.check(f'{title[:-7]} is tagged "submarine" on TMDb.', item, reasons)
    assert not checker.check("20,000 Leagues", item, reasons, complete=False)  # as it streams
    assert checker.check('Tagged "submarine" on TMDb, 41 people loved it.', item, reasons)
