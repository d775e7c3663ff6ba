"""Everything the surfaces share in one process, built once by `build_context`: the data set, the
catalogue, the assistant (with its one chat model), chat sessions, the feedback store and the state
stores behind them (recassist/state/). Nothing here is a
module-level global; two apps in one process get two contexts.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import redis
from sqlalchemy import Engine

from recassist.assistant.agent import Assistant
from recassist.assistant.request import FeedbackKind
from recassist.assistant.session import SessionMemory
from recassist.data.film_keywords import load_keywords
from recassist.data.film_people import load_people
from recassist.data.item_profiles import ProfileStore
from recassist.data.knowledge import load_graph
from recassist.data.pseudonym import Pseudonymizer
from recassist.data.store import Dataset, DatasetStore
from recassist.errors import RecassistError
from recassist.retrieval.catalogue import Catalogue
from recassist.retrieval.concept_graph import (
    load_concepts,
    load_credits,
    load_lengths,
    load_outside,
    load_synopses,
)
from recassist.retrieval.embedding import Embedder, EmbeddingCache
from recassist.retrieval.serving import load_serving_model
from recassist.retrieval.vector_store import VectorStore, connect
from recassist.settings import Settings
from recassist.state.cache import ExpiringStore, redis_client
from recassist.state.database import engine as state_engine
from recassist.state.feedback import stored_likes
from recassist.state.health import cache_status, database_status
from recassist.surfaces.feedback import FeedbackStore
from recassist.surfaces.sponsor import Sponsor

log = logging.getLogger(__name__)


class SessionRegistry:
    """Chat sessions by id in an `ExpiringStore`: process memory (the least recently used dropped
    past `api.max_sessions`) or Redis (`state.cache_url`, shared by every replica), expiring
    `state.session_ttl_s` after the last turn. A turn loads its session, changes it, and `save`s it
    once at the end, so the next turn may land on any replica. With Redis down, `get` and `save`
    raise `StateUnavailableError`."""

    def __init__(
        self, store: ExpiringStore, factory: Callable[[str | None], SessionMemory]
    ) -> None:
        self.store, self.factory = store, factory

    def get_or_create(
        self, session_id: str | None, user_id: str | None = None
    ) -> tuple[str, SessionMemory]:
        found = self.get(session_id) if session_id else None
        if found is not None and session_id:
            return session_id, found
        session_id = secrets.token_urlsafe(12)
        session = self.factory(user_id)
        self.save(session_id, session)
        return session_id, session

    def get(self, session_id: str) -> SessionMemory | None:
        return self.store.get(session_id)

    def save(self, session_id: str, session: SessionMemory) -> None:
        self.store.put(session_id, session)


@dataclass
class AppContext:
    settings: Settings
    dataset: Dataset
    catalogue: Catalogue
    assistant: Assistant
    sessions: SessionRegistry
    feedback: FeedbackStore
    pseudonyms: Pseudonymizer
    sponsor: Sponsor
    state: Engine
    cache: redis.Redis | None = None

    def user_for(self, raw_or_pseudonym: str | None) -> str | None:
        """A known user's pseudonym from the id an app sends (raw, as in its own files) or a
        pseudonym."""
        if not raw_or_pseudonym:
            return None
        if self.catalogue.knows(raw_or_pseudonym):
            return raw_or_pseudonym
        hashed = self.pseudonyms.user_id(raw_or_pseudonym)
        return hashed if self.catalogue.knows(hashed) else None

    def record_feedback(
        self, session: SessionMemory, item_id: str, feedback: FeedbackKind, key: str | None = None
    ) -> bool:
        """Fold a thumbs up / down into the session at once and store it for the next index build;
        False when an event with the idempotency `key` was stored before (the session is still
        updated: the user's view of the list must not depend on which replica saw it first)."""
        self.assistant.record_feedback(session, item_id, feedback)
        return self.feedback.record(session.user_id, item_id, feedback, key)

    def health(self) -> dict[str, str]:
        """Each state store's status: "ok", "memory" (embedded cache) or "down: <why>"."""
        return {"database": database_status(self.state), "cache": cache_status(self.cache)}


def build_context(
    settings: Settings, dataset_name: str, progress: Callable[[str], None] = log.info
) -> AppContext:
    """Load the data set, its index and fitted generators, and the chat model (which degrades to the
    parser and template explanations when it cannot be had)."""
    from recassist.llm.backend import chat_model

    state = state_engine(settings.state, settings.data_dir)
    dataset = DatasetStore(settings.data_dir).load(dataset_name, stored_likes(state, dataset_name))
    store = VectorStore(connect(settings.chroma, settings.data_dir), dataset_name, settings.chroma)
    use_profiles = settings.embedding.item_profiles
    profiles = ProfileStore(settings.data_dir, dataset_name).profiles() if use_profiles else None
    embedder = Embedder(settings.embedding)
    graph = load_graph(settings.data_dir, dataset_name)
    keywords = load_keywords(settings.data_dir, dataset_name)
    people = load_people(settings.data_dir, dataset_name)
    concepts = load_concepts(graph, dataset, embedder.encode, keywords, people)
    cached = EmbeddingCache(settings.data_dir / "cache", embedder)  # the index build's vectors
    synopses = load_synopses(
        concepts, dataset, embedder.encode, keywords, lambda texts: cached.encode(texts)[0]
    )
    outside = load_outside(dataset, keywords)
    lengths = load_lengths(dataset, people, keywords)
    credits = load_credits(dataset, people)
    catalogue = Catalogue(
        dataset, store, embedder, profiles, concepts, synopses, outside, lengths, credits
    )
    catalogue.store.count("items")
    serving = load_serving_model(settings, dataset, progress)
    try:
        model = chat_model(settings.llm, settings.data_dir)
    except RecassistError as err:
        log.warning(
            "no chat model (%s): plans come from the parser, explanations from templates", err
        )
        model = None
    cache = redis_client(settings.state)
    sponsor = Sponsor(settings, catalogue, state)
    assistant = Assistant(
        catalogue,
        serving,
        model,
        settings.agent,
        sponsor=sponsor if settings.ads.sponsored_rate > 0 else None,
    )
    ttl, capacity = settings.state.session_ttl_s, settings.api.max_sessions
    store = ExpiringStore("recassist:session:", ttl, capacity, cache)
    sessions = SessionRegistry(store, lambda user_id: assistant.new_session(user_id))
    return AppContext(
        settings,
        dataset,
        catalogue,
        assistant,
        sessions,
        FeedbackStore(state, dataset_name, settings.state.retries),
        Pseudonymizer.for_data_dir(settings.data_dir),
        sponsor,
        state,
        cache,
    )
