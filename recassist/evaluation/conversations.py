"""Scripted multi-turn conversations whose constraints can be checked, turn by turn.

Each script (`recassist/evaluation/data/conversations.json`) is a list of turns: what the user says
and what must hold after it: the standing constraints (`include`: any of these tags, `all`: every
one of them, as "a romantic comedy" asks, `exclude`, `years` as [from, to] with null for open), the
seed the list is "like" (`seed`: a title the reply names; when the catalogue lacks it, the first
reply must say it was not found; `seed_from_list`: the item at that position of the previous list;
`no_seed`), a dislike (`dislike`: that position of the previous list) that must never be shown again
(`disliked_absent`), or a `why` / feedback turn (`explain`, `feedback`). A turn is satisfied when
the session's standing constraints are exactly the expected ones and every pick shown obeys them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources

from recassist.assistant.agent import Assistant
from recassist.assistant.request import Intent


@dataclass
class TurnCheck:
    conversation: str
    turn: int
    message: str
    reply: str
    problems: list[str] = field(default_factory=list)

    @property
    def satisfied(self) -> bool:
        return not self.problems


def load_conversations() -> list[dict]:
    return json.loads(
        resources.files("recassist.evaluation")
        .joinpath("data/conversations.json")
        .read_text(encoding="utf-8")
    )


def run_conversation(
    assistant: Assistant, script: dict, user_id: str | None = None
) -> list[TurnCheck]:
    """Play `script` in a fresh session and check every turn."""
    session = assistant.new_session(user_id)
    checks, previous, disliked = [], [], set()
    for number, turn in enumerate(script["turns"], 1):
        expect = turn["expect"]
        result = assistant.turn(session, turn["say"])
        check = TurnCheck(script["name"], number, turn["say"], result.message)
        problem = check.problems.append
        picks = [p.item for p in result.picks]
        if result.error:
            problem(f"the turn failed: {result.error}")
        if expect.get("explain"):
            if result.request.intent is not Intent.explain or len(picks) != 1:
                problem("not answered as a why-question about one item")
        else:
            if (
                expect.get("feedback") or "dislike" in expect
            ) and result.request.intent is not Intent.feedback:
                problem("not read as feedback")
            _check_constraints(session.constraints, expect, picks, problem)
            seeds = [assistant.items[s].title for s in session.seeds]
            # an unknown title only counts on a first turn that does not say it could not find it
            strict = "could not find" not in check.reply and number == 1
            _check_seeds(seeds, expect, assistant.items, previous, strict, problem)
            if "dislike" in expect and len(previous) >= expect["dislike"]:
                disliked.add(previous[expect["dislike"] - 1])
        if expect.get("disliked_absent") and disliked & {p.item_id for p in picks}:
            problem("shows an item the user said they were not interested in")
        checks.append(check)
        if picks and not expect.get("explain") and result.request.intent is not Intent.feedback:
            previous = [p.item_id for p in picks]
    return checks


def _check_constraints(constraints, expect: dict, picks: list, problem: Callable) -> None:
    """The session's tags, years and length are the expected ones, and every pick keeps them (a
    pick of unknown length breaks a length bound)."""
    include, exclude = set(expect.get("include", [])), set(expect.get("exclude", []))
    every = set(expect.get("all", []))
    years = tuple(expect.get("years") or (None, None))
    if set(constraints.include_tags) != include:
        problem(f"wanted tags {sorted(constraints.include_tags)}, expected {sorted(include)}")
    if set(constraints.all_tags) != every:
        problem(f"tags wanted together {sorted(constraints.all_tags)}, expected {sorted(every)}")
    if set(constraints.exclude_tags) != exclude:
        problem(f"excluded tags {sorted(constraints.exclude_tags)}, expected {sorted(exclude)}")
    if (constraints.year_min, constraints.year_max) != years:
        found = f"{constraints.year_min}-{constraints.year_max}"
        problem(f"years {found}, expected {years[0]}-{years[1]}")
    minutes = tuple(expect.get("minutes") or (None, None))  # "under 90 minutes": [null, 90]
    if (constraints.minutes_min, constraints.minutes_max) != minutes:
        found = f"{constraints.minutes_min}-{constraints.minutes_max}"
        problem(f"length {found} minutes, expected {minutes[0]}-{minutes[1]}")
    for item in picks:
        if include and not include & set(item.tags):
            problem(f"shows {item.title} without any of {sorted(include)}")
        if not every <= set(item.tags):
            problem(f"shows {item.title} without all of {sorted(every)}")
        if exclude & set(item.tags):
            problem(f"shows {item.title}, tagged {sorted(exclude & set(item.tags))}")
        if (years[0] and (item.year or 0) < years[0]) or (
            years[1] and (item.year or 9999) > years[1]
        ):
            problem(f"shows {item.title} ({item.year}) outside the years")
        if any(minutes) and not constraints.allows_length(item):
            problem(f"shows {item.title} ({item.minutes} minutes) outside the length")


def _check_seeds(
    seeds: list[str],
    expect: dict,
    items: Mapping,
    previous: list[str],
    strict: bool,
    problem: Callable,
) -> None:
    """The list is like the expected title (a title the catalogue lacks only counts when
    `strict`), like the previous list's expected item, or like nothing."""
    if "seed" in expect and not any(expect["seed"].lower() in t.lower() for t in seeds):
        known = any(expect["seed"].lower() in i.title.lower() for i in items.values())
        if known or strict:
            problem(f"the list is like {seeds}, expected {expect['seed']}")
    wanted = expect.get("seed_from_list")
    if wanted is not None and (
        len(previous) < wanted or seeds != [items[previous[wanted - 1]].title]
    ):
        problem(f"the list is like {seeds}, expected the previous list's item {wanted}")
    if expect.get("no_seed") and seeds:
        problem(f"the list is still like {seeds}")
