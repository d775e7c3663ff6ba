"""The films of a person the user names ("anything by spielberg"): the model proposes, the graph
confirms.

The item knowledge graph links films to their directors and cast by id only, so no name can be
looked up in it. The local model knows some filmographies by name, but a small one mixes in other
famous films ("Spielberg: Jaws, E.T., The Terminator, The Matrix"). So the model only proposes:
two of its first four films that the catalogue has must share a director (or a cast member with
its first one) in the graph, and that shared person is the one the list goes by, as "more from
the director of Jaws (1975)" does. The reply says which two films it went by, so a wrong guess shows. When the
model is busy, proposes fewer than two catalogue films, or none of them share anyone, the request
is left as it was and the reply says people cannot be looked up by name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field

from recassist.assistant.request import TurnRequest
from recassist.language.people import role
from recassist.language.words import table
from recassist.llm.prompts import load_prompt, quote
from recassist.llm.structured import PLAN_ERRORS, json_reply, response_format
from recassist.retrieval.catalogue import Catalogue

log = logging.getLogger(__name__)
PROPOSED_READ = 4  # the model's first films the graph is asked about
MAX_TOKENS = 120  # five titles under the schema

# (first item id, second item id, relation) -> whether the graph says they share it
Shares = Callable[[str, str, str], bool]


class Proposed(BaseModel):
    """The model's films of a person, best known first."""

    model_config = ConfigDict(extra="forbid")
    films: list[str] = Field(default_factory=list, max_length=5)


def _schema() -> dict:
    title = {"type": "string", "maxLength": 80}
    films = {"type": "array", "items": title, "maxItems": 5}
    return {"type": "object", "properties": {"films": films}, "required": ["films"]}


class Filmography:
    """Resolves the person a request names to a film of theirs and the relation to it."""

    def __init__(self, model: BaseChatModel, catalogue: Catalogue, shares: Shares) -> None:
        self.model, self.catalogue, self.shares = model, catalogue, shares
        self._prompt = load_prompt("person_films")
        self._format = response_format("person_films", _schema())

    def resolve(self, request: TurnRequest, message: str = "") -> TurnRequest:
        """`request` going by the first person it names, as "more from the director of X"
        (`seed_titles`, `relation`, `people_by`); unchanged when the graph does not confirm the
        model's films, or the model fails. The `message` may say whether they direct or act."""
        if not request.people or request.seed_titles:
            return request
        person = request.people[0]
        kind = role(message, person)
        try:
            films = self._proposed(person)
        except PLAN_ERRORS as err:
            log.info("no films proposed for %r: %s: %s", person, type(err).__name__, err)
            return request
        pair = self.confirmed(films[:PROPOSED_READ], kind)
        if pair is None:
            return request
        first, second, relation = pair
        items = self.catalogue.items
        return request.model_copy(
            update={
                "seed_titles": [items[first].title],
                "relation": relation,
                "people_by": [items[first].title, items[second].title],
            }
        )

    def confirmed(self, films: list[str], kind: str | None) -> tuple[str, str, str] | None:
        """Two of `films` (in the model's order) and the relation the graph says they share, as
        the person's `kind` says ("director", "actor", None for either): a director between any
        two, a cast member between the first and another, whose place the model is surest of
        (famous films it names for anyone share a cast now and then). An actor's two films often
        share a director too (The Terminator and its sequel), so an actor goes by the cast."""
        if kind != "actor":
            pairs = [(a, b) for i, a in enumerate(films) for b in films[i + 1 :]]
            for first, second in pairs:
                if self.shares(first, second, "same_director"):
                    return first, second, "same_director"
        if kind != "director":
            for second in films[1:]:
                if self.shares(films[0], second, "shared_cast"):
                    return films[0], second, "shared_cast"
        return None

    def _proposed(self, person: str) -> list[str]:
        """The catalogue items of the model's films of `person`, in its order, once each."""
        before = (self.catalogue.years[1] if self.catalogue.years else 2000) + 1
        name = table("full_names").get(person.lower(), person)  # "spielberg": Steven Spielberg
        messages = self._prompt.format_messages(person=quote(name, 80).title(), before=before)
        proposed = json_reply(self.model, messages, Proposed, self._format, MAX_TOKENS)
        found: list[str] = []
        for title in proposed.films:
            match = self.catalogue.match_title(title)
            if match is not None and match.sure and match.item_id not in found:
                found.append(match.item_id)
        return found
