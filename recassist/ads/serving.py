"""Serving sponsored picks: candidates, targeting, the eCPM auction, caps and pacing, "why this ad".

`AdServer.select(user_id, history_item_ids, k)` runs these stages:

1. candidates: the `ads.candidates` ads nearest the user's profile vector in Chroma
   (`<dataset>-ads`), or nearest the mean of their history items' vectors (then of the items the
   conversation showed them) for a user without a stored profile;
2. targeting: only ads whose targeting the user's traits match (`ads.targeting`);
3. ranking: eCPM = calibrated pCTR x bid; each ad's charge per click is second-price style, the eCPM
   of the ad ranked below it divided by its own pCTR, at least `ads.reserve_cpc` and at most its
   bid;
4. caps and pacing: the ledger records the first `k` ranked ads that pass the user's frequency cap
   and their advertiser's paced budget, in one transaction (`ads.ledger`);
5. "why this ad": the targeting matched and the user's own history items nearest the ad ("you
   watched"; items only shown in the conversation are "you were shown", never "watched"), as a
   template explanation checked by the recommendations' faithfulness check; one that fails gets a
   minimal explanation from the targeting alone.

pCTR comes from `ServingClickModel`, fitted on the logged impressions and clicks when the server is
built and again every `ads.refit_every` impressions (or on `refit`): with fewer than
`ads.min_clicks_to_fit` clicks it is each ad's click rate shrunk to `ads.prior_ctr` (the rate
measured on the Open Bandit sample); with enough, a Platt-calibrated logistic regression on the
similarity to the user, the position and that prior.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from recassist.ads.catalogue import Ad, AdsCatalogue, load_ads
from recassist.ads.click_model import Calibrator, ItemPrior, LogisticClickModel, logit
from recassist.ads.ledger import ClickResult, Ledger, Offer
from recassist.ads.targeting import TargetingMatch, UserTraits, match, traits_from_row
from recassist.grounding.evidence import Reason
from recassist.grounding.faithfulness import FaithfulnessChecker
from recassist.data.pseudonym import Pseudonymizer
from recassist.data.schema import TAG_SEPARATOR
from recassist.data.store import Dataset
from recassist.retrieval.catalogue import Item, display_title
from recassist.retrieval.embedding import Embedder
from recassist.retrieval.index import item_text
from recassist.retrieval.profiles import latest_first
from recassist.retrieval.vector_store import VectorStore
from recassist.settings import AdsConfig, Settings
from recassist.state.database import engine as state_engine

log = logging.getLogger(__name__)

KIND = "ads"  # the Chroma collection `<dataset>-ads`
LABEL = "Sponsored"
_HISTORY_LOOKED_AT = 50


@dataclass(frozen=True)
class WhyThisAd:
    text: str
    targeting: tuple[str, ...]  # the targeting facts that matched
    history: tuple[Item, ...]  # the user's own history items cited ("you watched")
    source: str  # "template" (checked) or "targeting" (the template failed the check)
    problems: tuple[str, ...] = ()
    shown: tuple[
        Item, ...
    ] = ()  # items only shown to the user in this conversation, cited as shown


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


@dataclass
class ServingClickModel:
    """pCTR for (ad, similarity to the user, position) from the logged ad events."""

    config: AdsConfig
    prior: ItemPrior = field(init=False)
    model: LogisticClickModel | None = field(default=None, init=False)
    calibrator: Calibrator | None = field(default=None, init=False)

    @property
    def source(self) -> str:
        return "prior" if self.model is None else "model"

    def _features(
        self, ad_ids: Sequence[str], similarity: np.ndarray, position: np.ndarray
    ) -> pd.DataFrame:
        frame = pd.DataFrame({"ad_id": list(ad_ids)})
        return pd.DataFrame(
            {
                "similarity": np.asarray(similarity, dtype=float),
                "position": np.asarray(position).astype(str),
                "prior_logit": logit(self.prior.predict(frame)),
            }
        )

    def fit(self, events: pd.DataFrame) -> ServingClickModel:
        """`events`: ad_id, similarity, position, clicked, oldest first (the ledger's impressions).

        With enough clicks in both, the older 80 % fit the ad prior and the regression and the newer
        20 % the Platt calibration, so the calibration sees scores the model was not fitted on."""
        y = events["clicked"].to_numpy(dtype=int) if len(events) else np.zeros(0, dtype=int)
        cut = int(len(y) * 0.8)
        calibrate = (
            y[:cut].sum() >= max(1, self.config.min_clicks_to_fit // 2)
            and y[cut:].sum() >= 2
            and y[:cut].sum() < cut
        )
        fit_rows = slice(0, cut) if calibrate else slice(0, len(y))
        ads = events[["ad_id"]].iloc[fit_rows] if len(events) else pd.DataFrame({"ad_id": []})
        self.prior = ItemPrior(strength=self.config.prior_strength, column="ad_id").fit(
            ads, y[fit_rows], base=self.config.prior_ctr
        )
        self.model = self.calibrator = None
        if y.sum() < self.config.min_clicks_to_fit or y.sum() == len(y):
            return self
        X = self._features(
            events["ad_id"].tolist(), events["similarity"].to_numpy(), events["position"].to_numpy()
        )
        self.model = LogisticClickModel(seed=self.config.seed).fit(X.iloc[fit_rows], y[fit_rows])
        if calibrate:
            self.calibrator = Calibrator("platt").fit(self.model.predict(X.iloc[cut:]), y[cut:])
        return self

    def predict(
        self, ad_ids: Sequence[str], similarity: np.ndarray, position: np.ndarray
    ) -> np.ndarray:
        frame = pd.DataFrame({"ad_id": list(ad_ids)})
        if self.model is None:
            return self.prior.predict(frame)
        p = self.model.predict(self._features(ad_ids, similarity, position))
        return p if self.calibrator is None else self.calibrator.transform(p)


def sponsored_due(turn: int, rate: float) -> bool:
    """Whether chat answer number `turn` (1-based) carries a sponsored slot, so that over any run of
    turns the share that do is `rate` (`ads.sponsored_rate`), spread evenly: 0.34 -> turns 3, 6, 9,
    ..."""
    return int(turn * rate + 1e-9) > int((turn - 1) * rate + 1e-9)


def second_prices(
    ecpm: np.ndarray, pctr: np.ndarray, bids: np.ndarray, reserve: float
) -> np.ndarray:
    """Charge per click of each ad in eCPM order: the next ad's eCPM over its own pCTR, within
    [reserve, bid]."""
    following = np.append(ecpm[1:], 0.0)
    return np.minimum(bids, np.maximum(reserve, following / np.maximum(pctr, 1e-12)))


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
        self.checker = FaithfulnessChecker([i.title for i in self.items.values()], tags)
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
        traits = self.traits(known, [*history, *shown])
        hits = self.store.query(KIND, vector, self.config.candidates)
        eligible: list[tuple[Ad, float, TargetingMatch]] = []
        ruled_out = set(excluded_tags)
        for hit in hits:
            ad = self.catalogue.ads.get(hit.id)
            matched = None if ad is None else match(ad.targeting, traits)
            if (
                ad is not None
                and matched is not None
                and ad.bid >= self.config.reserve_cpc
                and not ruled_out.intersection(ad.tags)
            ):
                eligible.append((ad, 1.0 - hit.distance, matched))
        if not eligible:
            return []
        ids = [ad.ad_id for ad, _, _ in eligible]
        similarity = np.array([s for _, s, _ in eligible])
        model = self.click_model
        pctr = model.predict(ids, similarity, np.ones(len(ids), dtype=int))
        bids = np.array([ad.bid for ad, _, _ in eligible])
        ecpm = pctr * bids
        order = np.argsort(-ecpm, kind="stable")
        prices = second_prices(ecpm[order], pctr[order], bids[order], self.config.reserve_cpc)
        offers = [
            Offer(
                ids[i],
                eligible[i][0].advertiser,
                eligible[i][0].daily_budget,
                float(price),
                float(pctr[i]),
                float(similarity[i]),
            )
            for i, price in zip(order, prices)
        ]
        served = self.ledger.serve(
            self.user_key(user_id),
            offers,
            k,
            frequency_cap=self.config.frequency_cap,
            pacing=self.config.pacing,
            slack=self.config.pacing_slack,
        )
        self._count_served(len(served))
        by_id = {ad.ad_id: (ad, matched) for ad, _, matched in eligible}
        picks = []
        for s in served:
            ad, matched = by_id[s.offer.ad_id]
            picks.append(
                SponsoredPick(
                    impression_id=s.impression_id,
                    ad_id=ad.ad_id,
                    advertiser=ad.advertiser,
                    title=ad.title,
                    text=ad.text,
                    tags=ad.tags,
                    position=s.position,
                    pctr=s.offer.pctr,
                    pctr_source=model.source,
                    bid=ad.bid,
                    price=s.offer.price,
                    ecpm=s.offer.pctr * ad.bid,
                    synthetic=ad.synthetic,
                    why=self.why(ad, matched, history, shown),
                )
            )
        return picks

    def click(self, user_id: str, impression_id: str) -> ClickResult:
        """Log a click on a shown sponsored pick; bills it if the advertiser's paced budget has
        room."""
        return self.ledger.click(
            impression_id,
            self.user_key(user_id),
            pacing=self.config.pacing,
            slack=self.config.pacing_slack,
        )

    # ------------------------------------------------------------------ why this ad

    def _cited_history(
        self, ad: Ad, matched: TargetingMatch, history: Sequence[str], limit: int = 2
    ) -> list[Item]:
        """The user's history items nearest the ad, among those carrying a matched targeting tag."""
        wanted = {t.lower() for t in matched.tags}
        pool = [
            i for i in history if not wanted or wanted & {t.lower() for t in self.items[i].tags}
        ]
        if not pool:
            return []
        ad_vector = self.store.vectors(KIND, [ad.ad_id]).get(ad.ad_id)
        vectors = self.store.vectors("items", pool)
        if ad_vector is None:
            return [self.items[i] for i in pool[:limit]]
        ranked = sorted(pool, key=lambda i: -float(vectors[i] @ ad_vector) if i in vectors else 0.0)
        return [self.items[i] for i in ranked[:limit]]

    def why(
        self, ad: Ad, matched: TargetingMatch, history: Sequence[str], shown: Sequence[str] = ()
    ) -> WhyThisAd:
        """The explanation from real evidence, checked; a failed one falls back to the targeting
        alone. Items of `history` are ones the user watched; items of `shown` were only shown, and
        are cited only when no history item is, as what they were shown."""
        cited = self._cited_history(ad, matched, history)
        cited_shown = [] if cited else self._cited_history(ad, matched, shown)
        facts = matched.facts()
        parts = []
        if matched.tags:
            parts.append("it targets an interest in " + " and ".join(matched.tags[:2]))
        if cited:
            parts.append("you watched " + " and ".join(display_title(i.title) for i in cited))
        if cited_shown:
            parts.append(
                "you were shown "
                + " and ".join(display_title(i.title) for i in cited_shown)
                + " here"
            )
        extra = [f for f in facts if not f.startswith("interest")]
        if extra:
            parts.append("it targets your " + " and ".join(extra))
        if not parts:
            parts.append(
                "it is near the films you watched"
                if history
                else "it is near the films you were shown here"
            )
        text = f"Sponsored by {ad.advertiser}: shown because " + "; ".join(parts) + "."
        reasons = [Reason("history_item", i.title, i) for i in (*cited, *cited_shown)]
        problems = self.checker.check(text, Item(ad.ad_id, ad.title, ad.tags), reasons)
        if not problems:
            return WhyThisAd(text, tuple(facts), tuple(cited), "template", shown=tuple(cited_shown))
        log.info("why-this-ad for %s failed the check: %s", ad.ad_id, problems)
        fallback = (
            f"Sponsored by {ad.advertiser}: shown because its targeting matched your profile."
        )
        return WhyThisAd(fallback, tuple(facts), (), "targeting", tuple(problems))
