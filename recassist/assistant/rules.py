"""Conversation rules that hold on every surface (the Gradio page, the terminal, the REST API and so
the widget), applied by the assistant itself so that no surface has its own copy.

- A new user's first message, before anything was shown, is their tastes when it says something of
  its own (a title, or words beyond tags and list positions): it is kept as the session's tastes,
  and a plan that reads it as feedback or a question about a list ("I like space adventures with
  robots") becomes a recommendation, since there is no list to point at yet. "why the third one?"
  still gets "I have not shown you a list yet"; "comedy or romance" is its tags alone. A thumbs
  down on a film named ("I hated Titanic, something romantic?") stays one: the film is no seed.
- "and the fourth?" after "more like the second one" is more like the fourth, after "why the
  first one?" or a list why the fourth, after a thumbs the same thumbs.
- A message that is only a title ("heat", "toy story 2", "star trek") is the list's seed.
"""

from __future__ import annotations

from collections.abc import Sequence

from recassist.assistant.parser import search_text
from recassist.assistant.request import POINTING, Intent, TurnRequest
from recassist.assistant.session import SessionMemory, SessionUpdate
from recassist.language.phrases import tokenise
from recassist.language.words import cue
from recassist.retrieval.catalogue import Catalogue
from recassist.retrieval.titles import title_key, without_number

TASTES_MAX_CHARS = 500


def is_first_message(session: SessionMemory) -> bool:
    """Whether a message now is a new user's first words: no history, no tastes, nothing shown."""
    return session.user_id is None and not session.tastes and not session.shown


def keep_tastes(session: SessionMemory, message: str, titles: Sequence[str] = ()) -> SessionUpdate:
    """A new user's first message kept as their tastes, as the turn's update, without the `titles`
    it named: "i loved heat, got anything similar?" describes nothing beyond Heat, whose own
    neighbours the list already has, and its words would find title neighbours for as long as the
    tastes stand. An empty update when it is no first message (`is_first_message`) or says
    nothing."""
    if not is_first_message(session) or not message.strip():
        return SessionUpdate()
    for title in titles:
        at = message.lower().find(title.lower())
        if title and at >= 0:
            message = message[:at] + message[at + len(title) :]
    return SessionUpdate(tastes=(" ".join(message.split())[:TASTES_MAX_CHARS],))


def as_tastes(request: TurnRequest, message: str) -> TurnRequest:
    """A first message's plan as a recommendation when it points at a list that was never shown: its
    titles stay seeds, its words the mood."""
    if request.intent not in POINTING:
        return request
    if request.feedback == "dislike" and request.seed_titles:  # "I hated Titanic": no seed
        return request
    return request.model_copy(
        update={
            "intent": Intent.recommend,
            "refers_to": None,
            "feedback": None,
            "mood": request.mood or message.strip()[:200],
        }
    )


def follow_on(request: TurnRequest, session: SessionMemory, message: str) -> TurnRequest:
    """ "and the fourth?" after "more like the second one": more like the fourth, and after "why
    the first one?", why the fourth; after a thumbs, the same thumbs; right after a list, why the
    fourth (asking about an item is no praise of it). A message that begins "and" or "what about"
    and says no more than a position asks the last turn's question of that item."""
    choice = request.intent is Intent.feedback and request.feedback == "like"
    if not (choice and request.refers_to is not None):
        return request
    if not cue("follow_on").at_start(tokenise(message)):
        return request
    if session.last_intent is Intent.feedback:  # "I didn't like the first one" "and the second?"
        return request.model_copy(update={"feedback": session.last_feedback or "like"})
    last = session.last_request
    if session.last_intent is Intent.more_like and last is not None:
        return request.model_copy(update={"intent": Intent.more_like, "feedback": None})
    return request.model_copy(update={"intent": Intent.explain, "feedback": None})


def bare_title(request: TurnRequest, catalogue: Catalogue, message: str = "") -> TurnRequest:
    """A message that is only a title ("heat", "star trek"): the list's seed, as after "like";
    "toy story 2", which the catalogue lacks, is said to be missing and the list is like Toy
    Story. Only a title the catalogue has exactly, a sequel of one, or a sure match of two words
    or more all in the title: a word a title holds ("war", "christmas") or words near one ("set in
    space", "Lost in Space") are a description. A whole `message` that is a title exactly is one
    whatever its words would say otherwise ("top gun": no "top rated" guns)."""
    whole = " ".join(message.split()).strip(" ?!.")
    if request.intent is Intent.recommend and not request.seed_titles and len(whole) > 2:
        if catalogue.exact_title(whole):
            return request.model_copy(
                update={"seed_titles": [whole], "mood": None, "new_topic": False, "best": False}
            )
    wants = (request.include_tags, request.all_tags, request.exclude_tags, request.people)
    plain = request.intent is Intent.recommend and not request.seed_titles and not any(wants)
    if not plain or request.best or request.relation or request.year_min or request.year_max:
        return request
    said = search_text(request.mood or "", fallback=False).strip(" ?!.")
    if not said or len(said.split()) > 5:
        return request
    base = without_number(said)
    match = catalogue.match_title(said)
    titled = catalogue.exact_title(said) or (base and catalogue.exact_title(base))
    if match and match.sure and len(said.split()) >= 2:  # "star trek", not "set in space"
        titled = titled or set(title_key(said).split()) <= set(
            title_key(catalogue.items[match.item_id].title).split()
        )
    if not titled:
        return request
    return request.model_copy(update={"seed_titles": [said], "mood": None, "new_topic": False})
