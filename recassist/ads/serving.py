"""Serving sponsored picks: candidates, targeting, the eCPM auction, caps and pacing, "why this ad".

`AdServer.select(user_id, history_item_ids, k)` runs these stages:

1. candidates: the `ads.candidates` ads nearest the user's profile vector in Chroma
   (`<dataset>-ads`), or nearest the mean of their history items' vectors (then of the items the
   conversation showed them) for a user without a stored profile;
2. targeting: only ads whose targeting the user's traits match (`ads.targeting`, `ads.auction`);
3. ranking (`ads.auction`): eCPM = calibrated pCTR x bid; each ad's charge per click is second-price style, the eCPM
   of the ad ranked below it divided by its own pCTR, at least `ads.reserve_cpc` and at most its
   bid;
4. caps and pacing: the ledger records the first `k` ranked ads that pass the user's frequency cap
   and their advertiser's paced budget, in one transaction (`ads.ledger`);
5. "why this ad" (`ads.why`): the targeting matched and the user's own history items nearest the ad ("you
   watched"; items only shown in the conversation are "you were shown", never "watched"), as a
   template explanation checked by the recommendations' faithfulness check; one that fails gets a
   minimal explanation from the targeting alone.

pCTR comes from `ServingClickModel` (`ads.click_model`), fitted on the logged impressions and clicks when the server is
built and again every `ads.refit_every` impressions (or on `refit`): with fewer than
`ads.min_clicks_to_fit` clicks it is each ad's click rate shrunk to `ads.prior_ctr` (the rate
measured on the Open Bandit sample); with enough, a Platt-calibrated logistic regression on the
similarity to the user, the position and that prior.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recassist.ads.auction import Eligible, eligible_ads, ranked_offers
from recassist.ads.catalogue import AdsCatalogue, load_ads
from recassist.ads.click_model import ServingClickModel
from recassist.ads.ledger import ClickResult, Ledger, Served
from recassist.ads.targeting import UserTraits, traits_from_row
from recassist.ads.why import KIND, AdExplainer, WhyThisAd
from recassist.data.pseudonym import Pseudonymizer
from recassist.data.schema import TAG_SEPARATOR
from recassist.data.store import Dataset
from recassist.grounding.faithfulness import FaithfulnessChecker
from recassist.retrieval.catalogue import Item
from recassist.retrieval.embedding import Embedder
from recassist.retrieval.index import item_text
from recassist.retrieval.profiles import latest_first
from recassist.retrieval.vector_store import VectorStore
from recassist.settings import Settings
from recassist.state.database import engine as state_engine

__all__ = ["AdServer", "SponsoredPick", "WhyThisAd", "sponsored_due"]

LABEL = "Sponsored"
_HISTORY_LOOKED_AT = 50


@dataclass(frozen=True)
class SponsoredPick:
    """One sponsored slot, always shown with its `label` ("Sponsored") and its "why this ad"."""

    impression_id: str
    ad_id: str
    advertiser: str
    title: str
    text: str
    tags: tuple[str, ...]
    position: int
    pctr: float
    pctr_source: str  # "prior" or "model"
    bid: float
    price: float  # charged per click, second-price style
    ecpm: float
    synthetic: bool
    why: WhyThisAd
    label: str = LABEL


def sponsored_due(turn: int, rate: float) -> bool:
    """Whether chat answer number `turn` (1-based) carries a sponsored slot, so that over any run of
    turns the share that do is `rate` (`ads.sponsored_rate`), spread evenly: 0.34 -> turns 3, 6, 9,
    ..."""
    return int(turn * rate + 1e-9) > int((turn - 1) * rate + 1e-9)


class AdServer:
    """Sponsored picks for one data set. Build one per app (it holds no per-user state in memory);
    the ledger keeps spend, caps and events in the state database, so several processes may share
    it."""

    def __init__(
        self,
        settings: Settings,
        dataset: Dataset,
        store: VectorStore,
        embedder: Embedder,
        *,
        catalogue: AdsCatalogue | None = None,
        ledger: Ledger | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = settings.ads
        self.dataset, self.store, self.embedder = dataset, store, embedder
        self.catalogue = catalogue or load_ads(dataset.name, settings)
        self.ledger = ledger or Ledger(
            state_engine(settings.state, settings.data_dir),
            dataset.name,
            clock=clock,
            retries=settings.state.retries,
        )
        self.pseudonyms = Pseudonymizer.for_data_dir(settings.data_dir)
        self.items = {
            row.item_id: Item(
                row.item_id,
                row.title,
                tuple(t for t in row.tags.split(TAG_SEPARATOR) if t),
                None if "year" not in dataset.items.columns or pd.isna(row.year) else int(row.year),
            )
            for row in dataset.items.itertuples(index=False)
        }
        self.users = dataset.users.set_index("user_id")
        self._history = latest_first(dataset.interactions).groupby("user_id", sort=False)["item_id"]
        tags = {t for item in self.items.values() for t in item.tags} | {
            t for ad in self.catalogue.ads.values() for t in ad.tags
        }
        checker = FaithfulnessChecker([i.title for i in self.items.values()], tags)
        self.explainer = AdExplainer(self.items, store, checker)
        self._index_ads()
        self._served_since_fit = 0
        self._fit_lock = threading.Lock()
        self.click_model = ServingClickModel(self.config).fit(self.ledger.events())

    # ------------------------------------------------------------------ setup

    def _index_ads(self) -> None:
        """Embed new or changed ads into `<dataset>-ads`, drop removed ones."""
        texts = {
            ad.ad_id: item_text(ad.title, TAG_SEPARATOR.join(ad.tags), ad.text)
            for ad in self.catalogue.ads.values()
        }
        hashes = {i: hashlib.sha256(t.encode()).hexdigest()[:16] for i, t in texts.items()}
        stored = self.store.stored_hashes(KIND)
        changed = [i for i in texts if stored.get(i) != hashes[i]]
        if changed:
            vectors = self.embedder.encode([texts[i] for i in changed])
            metas = [
                {
                    "title": self.catalogue.ads[i].title,
                    "advertiser": self.catalogue.ads[i].advertiser,
                    "hash": hashes[i],
                    "synthetic": self.catalogue.synthetic,
                }
                for i in changed
            ]
            self.store.upsert(KIND, changed, vectors, metas)
        self.store.delete(KIND, [i for i in stored if i not in texts])

    def refit(self) -> str:
        """Fold the logged impressions and clicks into the click model; returns its source. Runs by
        itself every `ads.refit_every` impressions this server records."""
        model = ServingClickModel(self.config).fit(self.ledger.events())
        self.click_model = (
            model  # one assignment: requests in flight keep the model they started with
        )
        return model.source

    def _count_served(self, n: int) -> None:
        with self._fit_lock:
            self._served_since_fit += n
            due = self._served_since_fit >= self.config.refit_every
            if due:
                self._served_since_fit = 0
        if due:
            self.refit()

    # ------------------------------------------------------------------ serving

    def user_key(self, user_id: str) -> str:
        """The ledger's id for a user (or a session): a keyed hash, never the id itself."""
        return self.pseudonyms.user_id("ads:" + user_id)

    def history(self, user_id: str | None, history_item_ids: Sequence[str]) -> list[str]:
        """The given history (newest first), then the data set's for a known user; known items only."""
        ids = list(history_item_ids)
        if user_id is not None:
            try:
                ids += self._history.get_group(user_id).head(_HISTORY_LOOKED_AT).tolist()
            except KeyError:
                pass
        return [i for i in dict.fromkeys(ids) if i in self.items][:_HISTORY_LOOKED_AT]

    def traits(self, user_id: str | None, history: Sequence[str]) -> UserTraits:
        row = (
            self.users.loc[user_id] if user_id is not None and user_id in self.users.index else None
        )
        return traits_from_row(row, (self.items[i].tags for i in history))

    def _profile(self, user_id: str | None, history: Sequence[str]) -> np.ndarray | None:
        if user_id is not None:
            stored = self.store.vectors("users", [user_id])
            if user_id in stored:
                return stored[user_id]
        if not history:
            return None
        vectors = self.store.vectors("items", list(history))
        if not vectors:
            return None
        mean = np.mean(list(vectors.values()), axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)

    def select(
        self,
        user_id: str,
        history_item_ids: Sequence[str] = (),
        k: int = 1,
        *,
        shown_item_ids: Sequence[str] = (),
        excluded_tags: Collection[str] = (),
    ) -> list[SponsoredPick]:
        """Up to `k` sponsored picks for the user (a data set user id, or a session id for a new
        user, which is only hashed for caps), each recorded as an impression. Empty when nothing is
        eligible.

        `history_item_ids` is what the user did (their likes; the data set's history is added for a
        known user): the "why" says they watched it. `shown_item_ids` is what the user was only
        shown (the recommendations of this conversation): it informs the targeting like the page an
        ad sits on, and the "why" says it was shown, never watched. An ad tagged with one of
        `excluded_tags` (what the user ruled out in the chat: "not animated") is not eligible."""
        known = user_id if user_id in self.users.index else None
        history = self.history(known, history_item_ids)
        shown = [i for i in dict.fromkeys(shown_item_ids) if i in self.items and i not in history][
            :_HISTORY_LOOKED_AT
        ]
        vector = self._profile(known, [*history, *shown])
        if vector is None:
            return []
        hits = self.store.query(KIND, vector, self.config.candidates)
        eligible = eligible_ads(
            hits,
            self.catalogue.ads,
            self.traits(known, [*history, *shown]),
            reserve=self.config.reserve_cpc,
            excluded_tags=excluded_tags,
        )
        if not eligible:
            return []
        model = self.click_model
        pctr = model.predict(
            [e.ad.ad_id for e in eligible],
            np.array([e.similarity for e in eligible]),
            np.ones(len(eligible), dtype=int),
        )
        served = self.ledger.serve(
            self.user_key(user_id),
            ranked_offers(eligible, pctr, self.config.reserve_cpc),
            k,
            frequency_cap=self.config.frequency_cap,
            pacing=self.config.pacing,
            slack=self.config.pacing_slack,
        )
        self._count_served(len(served))
        by_id = {e.ad.ad_id: e for e in eligible}
        return [self._pick(s, by_id[s.offer.ad_id], model.source, history, shown) for s in served]

    def _pick(
        self,
        served: Served,
        chosen: Eligible,
        pctr_source: str,
        history: Sequence[str],
        shown: Sequence[str],
    ) -> SponsoredPick:
        """The served offer as a sponsored pick, with its checked "why this ad"."""
        ad = chosen.ad
        return SponsoredPick(
            impression_id=served.impression_id,
            ad_id=ad.ad_id,
            advertiser=ad.advertiser,
            title=ad.title,
            text=ad.text,
            tags=ad.tags,
            position=served.position,
            pctr=served.offer.pctr,
            pctr_source=pctr_source,
            bid=ad.bid,
            price=served.offer.price,
            ecpm=served.offer.pctr * ad.bid,
            synthetic=ad.synthetic,
            why=self.explainer.explain(ad, chosen.matched, history, shown),
        )

    def click(self, user_id: str, impression_id: str) -> ClickResult:
        """Log a click on a shown sponsored pick; bills it if the advertiser's paced budget has
        room."""
        return self.ledger.click(
            impression_id,
            self.user_key(user_id),
            pacing=self.config.pacing,
            slack=self.config.pacing_slack,
        )
