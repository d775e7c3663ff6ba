"""Everything the surfaces share in one process, built once by `build_context`: the data set, the
catalogue, the assistant (with its one chat model), chat sessions and the feedback log. Nothing here is a
module-level global; two apps in one process get two contexts.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from recassist.data.item_profiles import ProfileStore
from recassist.assistant.agent import Assistant
from recassist.assistant.request import FeedbackKind
from recassist.assistant.session import SessionMemory
from recassist.errors import RecassistError
from recassist.settings import Settings
from recassist.retrieval.catalogue import Catalogue
from recassist.data.pseudonym import Pseudonymizer
from recassist.data.store import Dataset, DatasetStore
from recassist.retrieval.embedding import Embedder
from recassist.retrieval.serving import load_serving_model
from recassist.retrieval.vector_store import VectorStore, connect
from recassist.surfaces.feedback import FeedbackLog
from recassist.surfaces.sponsor import Sponsor

log = logging.getLogger(__name__)


class SessionRegistry:
    """Chat sessions by id, the least recently used dropped past `capacity`. Thread-safe."""

    def __init__(self, capacity: int, factory: Callable[[str | None], SessionMemory]) -> None:
        self.capacity, self.factory = capacity, factory
        self._sessions: OrderedDict[str, SessionMemory] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_create(self, session_id: str | None, user_id: str | None = None) -> tuple[str, SessionMemory]:
        with self._lock:
            if session_id and session_id in self._sessions:
                self._sessions.move_to_end(session_id)
                return session_id, self._sessions[session_id]
            session_id = secrets.token_urlsafe(12)
            session = self.factory(user_id)
            self._sessions[session_id] = session
            while len(self._sessions) > self.capacity:
                self._sessions.popitem(last=False)
            return session_id, session

    def get(self, session_id: str) -> SessionMemory | None:
        with self._lock:
            return self._sessions.get(session_id)


@dataclass
class AppContext:
    settings: Settings
    dataset: Dataset
    catalogue: Catalogue
    assistant: Assistant
    sessions: SessionRegistry
    feedback: FeedbackLog
    pseudonyms: Pseudonymizer
    sponsor: Sponsor

    def user_for(self, raw_or_pseudonym: str | None) -> str | None:
        """A known user's pseudonym from the id an app sends (raw, as in its own files) or a pseudonym."""
        if not raw_or_pseudonym:
            return None
        if self.catalogue.knows(raw_or_pseudonym):
            return raw_or_pseudonym
        hashed = self.pseudonyms.user_id(raw_or_pseudonym)
        return hashed if self.catalogue.knows(hashed) else None

    def record_feedback(self, session: SessionMemory, item_id: str, feedback: FeedbackKind) -> None:
        """Fold a thumbs up / down into the session at once and log it for the next index build."""
        self.assistant.record_feedback(session, item_id, feedback)
        self.feedback.append(session.user_id, item_id, feedback)


def build_context(settings: Settings, dataset_name: str, progress: Callable[[str], None] = log.info) -> AppContext:
    """Load the data set, its index and fitted generators, and the chat model (which degrades to the
    parser and template explanations when it cannot be had)."""
    from recassist.llm.backend import chat_model

    dataset = DatasetStore(settings.data_dir).load(dataset_name)
    store = VectorStore(connect(settings.chroma, settings.data_dir), dataset_name, settings.chroma)
    use_profiles = settings.embedding.item_profiles
    profiles = ProfileStore(settings.data_dir, dataset_name).profiles() if use_profiles else None
    catalogue = Catalogue(dataset, store, Embedder(settings.embedding), profiles)
    catalogue.store.count("items")
    serving = load_serving_model(settings, dataset, progress)
    try:
        model = chat_model(settings.llm, settings.data_dir)
    except RecassistError as err:
        log.warning("no chat model (%s): plans come from the parser, explanations from templates", err)
        model = None
    sponsor = Sponsor(settings, catalogue)
    assistant = Assistant(catalogue, serving, model, settings.agent, sponsor=sponsor if settings.ads.sponsored_rate > 0 else None)
    sessions = SessionRegistry(settings.api.max_sessions, lambda user_id: assistant.new_session(user_id))
    return AppContext(
        settings, dataset, catalogue, assistant, sessions, FeedbackLog(settings.data_dir, dataset_name),
        Pseudonymizer.for_data_dir(settings.data_dir), sponsor,
    )
