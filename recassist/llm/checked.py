"""The checked-or-template pattern: the model writes, a checker returns typed problems, the model
tries again (told what was wrong), and a template is used when no attempt passes; every problem is
reported with the text that was shown.

`checked_stream` is the streaming form: each attempt yields the text it has checked so far (so a
reader sees words as they pass), a `Reset` drops what a failed attempt had shown, and the
generator returns the `Checked` result. `checked_text` is the same for a writer that returns its
text whole (a summary, an ad's wording). A model error is a problem like any other
(`Problem.kind` "model error"), so the template is always the last resort, never an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Literal

from recassist.llm.backend import LLM_ERRORS

log = logging.getLogger(__name__)
MODEL_ERROR = "model error"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a text: its `kind` (a short name to count by: "title", "year", "tag",
    "uncited", "empty", "model error", ...) and what was wrong, in words."""

    kind: str
    text: str


@dataclass(frozen=True)
class Draft:
    """One attempt: its text, its problems (none: it passed), and what it cost."""

    text: str
    problems: tuple[Problem, ...] = ()
    first_token_s: float | None = None
    tokens: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Checked:
    """The text shown, where it came from, and every attempt before it (the failed ones carry the
    problems that are reported)."""

    text: str
    source: Literal["model", "retry", "template"]
    drafts: tuple[Draft, ...] = ()

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for d in self.drafts for p in d.problems)

    @property
    def rejected(self) -> tuple[str, ...]:
        """The texts of the attempts that failed the check."""
        return tuple(d.text for d in self.drafts if d.problems)


class Reset:
    """Stream event: drop the text streamed so far (its attempt failed the check); a new attempt
    or the template follows."""


# One attempt, by its number (0: the first; later ones are told what was wrong before): its checked
# text as it is released, returning the finished draft.
Attempt = Callable[[int, Sequence[Problem]], Generator[str, None, Draft]]


def checked_stream(
    attempt: Attempt, template: Callable[[], str], attempts: int = 2
) -> Generator[str | Reset, None, Checked]:
    """Up to `attempts` attempts, streamed; the first that passes is the text ("model" for the
    first, else "retry"), else the `template` (faithful by construction)."""
    drafts: list[Draft] = []
    for number in range(attempts):
        shown = False
        steps = attempt(number, tuple(p for d in drafts for p in d.problems))
        try:
            while True:
                chunk = next(steps)
                shown = True
                yield chunk
        except StopIteration as end:
            draft = end.value
        except LLM_ERRORS as err:
            draft = Draft("", (Problem(MODEL_ERROR, f"{MODEL_ERROR}: {err}"),))
        finally:
            steps.close()
        drafts.append(draft)
        if not draft.problems:
            return Checked(draft.text, "model" if number == 0 else "retry", tuple(drafts))
        log.info("attempt %d failed the check: %s", number + 1, [p.text for p in draft.problems])
        if shown:
            yield Reset()
    text = template()
    yield text
    return Checked(text, "template", tuple(drafts))


def checked_text(
    write: Callable[[int, Sequence[Problem]], str],
    check: Callable[[str], Sequence[Problem]],
    template: Callable[[], str],
    attempts: int = 2,
) -> Checked:
    """`checked_stream` for a writer that returns its text whole: `write(number, problems so far)`,
    then `check(text)`; an empty text is a problem ("empty")."""

    def attempt(number: int, before: Sequence[Problem]) -> Generator[str, None, Draft]:
        text = write(number, before).strip()
        problems = tuple(check(text)) if text else (Problem("empty", "the model wrote nothing"),)
        if not problems:
            yield text
        return Draft(text, problems)

    steps = checked_stream(attempt, template, attempts)
    while True:
        try:
            next(steps)
        except StopIteration as end:
            return end.value
