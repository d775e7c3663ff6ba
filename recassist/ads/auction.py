"""The eCPM auction: which ads may run for a user, in which order, at which price per click.

An ad is eligible when it is among the candidates nearest the user, its targeting matches the
user's traits, its bid reaches the reserve and it carries none of the tags the user ruled out.
Eligible ads are ranked by eCPM = pCTR x bid; each pays second-price style, the eCPM of the ad
ranked below it divided by its own pCTR, at least `ads.reserve_cpc` and at most its bid.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from recassist.ads.catalogue import Ad
from recassist.ads.ledger import Offer
from recassist.ads.targeting import TargetingMatch, UserTraits, match
from recassist.retrieval.vector_store import Hit


@dataclass(frozen=True)
class Eligible:
    """An ad that may run for this user: its similarity to them and the targeting it matched."""

    ad: Ad
    similarity: float
    matched: TargetingMatch


def eligible_ads(
    hits: Sequence[Hit],
    ads: Mapping[str, Ad],
    traits: UserTraits,
    *,
    reserve: float,
    excluded_tags: Collection[str] = (),
) -> list[Eligible]:
    """The candidate `hits` (nearest first) whose ad exists, matches `traits`, bids at least
    `reserve` and carries none of `excluded_tags`."""
    ruled_out = set(excluded_tags)
    out = []
    for hit in hits:
        ad = ads.get(hit.id)
        matched = None if ad is None else match(ad.targeting, traits)
        if ad is None or matched is None:
            continue
        if ad.bid >= reserve and not ruled_out.intersection(ad.tags):
            out.append(Eligible(ad, 1.0 - hit.distance, matched))
    return out


def second_prices(
    ecpm: np.ndarray, pctr: np.ndarray, bids: np.ndarray, reserve: float
) -> np.ndarray:
    """Charge per click of each ad in eCPM order: the next ad's eCPM over its own pCTR, within
    [reserve, bid]."""
    following = np.append(ecpm[1:], 0.0)
    return np.minimum(bids, np.maximum(reserve, following / np.maximum(pctr, 1e-12)))


def ranked_offers(eligible: Sequence[Eligible], pctr: np.ndarray, reserve: float) -> list[Offer]:
    """The `eligible` ads as offers in eCPM order (stable), each at its second price."""
    bids = np.array([e.ad.bid for e in eligible])
    ecpm = pctr * bids
    order = np.argsort(-ecpm, kind="stable")
    prices = second_prices(ecpm[order], pctr[order], bids[order], reserve)
    return [
        Offer(
            eligible[i].ad.ad_id,
            eligible[i].ad.advertiser,
            eligible[i].ad.daily_budget,
            float(price),
            float(pctr[i]),
            float(eligible[i].similarity),
        )
        for i, price in zip(order, prices)
    ]
