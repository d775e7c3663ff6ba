"""Sponsored slots in chat answers: the one ad server of the app, built on first use and shared by
the chat agent (as its `sponsor`) and the `/api/v1/ads` routes.

An answer carries a slot at the rate `ads.sponsored_rate` of the lists a session has been shown; a
data set without an ads catalogue (and not a MovieLens demo, which gets the generated, synthetic
one) has no slots, and says so once in the log.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from recassist.ads.catalogue import load_ads
from recassist.ads.demo import build_demo_catalogue
from recassist.ads.ledger import Ledger
from recassist.ads.serving import AdServer, SponsoredPick, sponsored_due
from recassist.assistant.events import SponsoredCard
from recassist.assistant.session import SessionMemory
from recassist.errors import AdsNotReadyError, StateUnavailableError
from recassist.retrieval.catalogue import Catalogue
from recassist.settings import Settings

log = logging.getLogger(__name__)


def shown(pick: SponsoredPick) -> dict:
    """The fields every sponsored pick shows (`assistant.events.Sponsored`), from the ad server's
    pick."""
    return dict(
        label=pick.label,
        synthetic=pick.synthetic,
        impression_id=pick.impression_id,
        ad_id=pick.ad_id,
        advertiser=pick.advertiser,
        title=pick.title,
        text=pick.text,
        tags=list(pick.tags),
    )


def sponsored_card(pick: SponsoredPick) -> SponsoredCard:
    return SponsoredCard(
        **shown(pick),
        why=pick.why.text,
        why_evidence=[
            *pick.why.targeting,
            *(i.title for i in (*pick.why.history, *pick.why.shown)),
        ],
    )


class Sponsor:
    def __init__(
        self, settings: Settings, catalogue: Catalogue, state: Engine | None = None
    ) -> None:
        self.settings, self.catalogue, self.state = settings, catalogue, state
        self._server: AdServer | None = None
        self._missing: AdsNotReadyError | None = None
        self._lock = threading.Lock()

    def server(self) -> AdServer:
        """The ad server; `AdsNotReadyError` when the data set has no ads."""
        with self._lock:
            if self._missing is not None:
                raise self._missing
            if self._server is None:
                dataset = self.catalogue.dataset
                try:
                    ads = load_ads(dataset.name, self.settings)
                except AdsNotReadyError as err:
                    if not dataset.name.startswith("ml-"):
                        log.info("no sponsored slots: %s", err)
                        self._missing = err
                        raise
                    ads = build_demo_catalogue(dataset, self.settings)
                retries = self.settings.state.retries
                ledger = (
                    None
                    if self.state is None
                    else Ledger(self.state, dataset.name, retries=retries)
                )
                self._server = AdServer(
                    self.settings,
                    dataset,
                    self.catalogue.store,
                    self.catalogue.embedder,
                    catalogue=ads,
                    ledger=ledger,
                )
            return self._server

    def __call__(self, session: SessionMemory, shown: list[str]) -> SponsoredCard | None:
        """The sponsored card for the list just shown, on the answers that carry one."""
        if not sponsored_due(session.lists, self.settings.ads.sponsored_rate):
            return None
        try:
            server = self.server()
            # what the user did (their likes) is history; what they were only shown informs
            # targeting, never "watched"
            picks = server.select(
                session.user_id or session.key,
                list(reversed(session.likes)),
                1,
                shown_item_ids=[*shown, *reversed(session.shown)],
                excluded_tags=session.excluded,
            )
        except AdsNotReadyError:
            return None
        except StateUnavailableError as err:  # no slot rather than an impression nobody recorded
            log.warning("no sponsored slot: %s", err)
            return None
        return sponsored_card(picks[0]) if picks else None
