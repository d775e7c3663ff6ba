""" "Why this ad": the targeting an ad matched and the user's own items nearest it, in words.

The explanation is a template built from real evidence only: the targeting facts that matched, the
user's history items nearest the ad ("you watched") and, when none of those carries a matched tag,
the items the conversation only showed them ("you were shown ... here", never "watched"). It is
checked by the recommendations' faithfulness check (`grounding.faithfulness`); one that fails gets
a minimal explanation from the targeting alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from recassist.ads.catalogue import Ad
from recassist.ads.targeting import TargetingMatch
from recassist.grounding.evidence import Reason
from recassist.grounding.faithfulness import FaithfulnessChecker
from recassist.retrieval.catalogue import Item, display_title
from recassist.retrieval.vector_store import VectorStore

log = logging.getLogger(__name__)

KIND = "ads"  # the Chroma collection `<dataset>-ads`


@dataclass(frozen=True)
class WhyThisAd:
    text: str
    targeting: tuple[str, ...]  # the targeting facts that matched
    history: tuple[Item, ...]  # the user's own history items cited ("you watched")
    source: str  # "template" (checked) or "targeting" (the template failed the check)
    problems: tuple[str, ...] = ()
    shown: tuple[Item, ...] = ()  # items only shown to the user in this conversation


class AdExplainer:
    """Writes and checks "why this ad" against the data set's items and the ads' vectors."""

    def __init__(
        self, items: Mapping[str, Item], store: VectorStore, checker: FaithfulnessChecker
    ) -> None:
        self.items, self.store, self.checker = items, store, checker

    def cited(
        self, ad: Ad, matched: TargetingMatch, history: Sequence[str], limit: int = 2
    ) -> list[Item]:
        """The items of `history` nearest the ad, among those carrying a matched targeting tag."""
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

    def explain(
        self, ad: Ad, matched: TargetingMatch, history: Sequence[str], shown: Sequence[str] = ()
    ) -> WhyThisAd:
        """The explanation from real evidence, checked; a failed one falls back to the targeting
        alone. Items of `history` are ones the user watched; items of `shown` were only shown, and
        are cited only when no history item is, as what they were shown."""
        cited = self.cited(ad, matched, history)
        cited_shown = [] if cited else self.cited(ad, matched, shown)
        facts = matched.facts()
        text = _wording(ad, matched, facts, cited, cited_shown, watched=bool(history))
        reasons = [Reason("history_item", i.title, i) for i in (*cited, *cited_shown)]
        problems = self.checker.check(text, Item(ad.ad_id, ad.title, ad.tags), reasons)
        if not problems:
            return WhyThisAd(text, tuple(facts), tuple(cited), "template", shown=tuple(cited_shown))
        log.info("why-this-ad for %s failed the check: %s", ad.ad_id, problems)
        fallback = (
            f"Sponsored by {ad.advertiser}: shown because its targeting matched your profile."
        )
        return WhyThisAd(fallback, tuple(facts), (), "targeting", tuple(problems))


def _wording(
    ad: Ad,
    matched: TargetingMatch,
    facts: Sequence[str],
    cited: Sequence[Item],
    cited_shown: Sequence[Item],
    *,
    watched: bool,
) -> str:
    """The template: the matched interests, the cited items, the other targeting facts."""
    parts = []
    if matched.tags:
        parts.append("it targets an interest in " + " and ".join(matched.tags[:2]))
    if cited:
        parts.append("you watched " + " and ".join(display_title(i.title) for i in cited))
    if cited_shown:
        titles = " and ".join(display_title(i.title) for i in cited_shown)
        parts.append(f"you were shown {titles} here")
    extra = [f for f in facts if not f.startswith("interest")]
    if extra:
        parts.append("it targets your " + " and ".join(extra))
    if not parts:
        parts.append(
            "it is near the films you watched"
            if watched
            else "it is near the films you were shown here"
        )
    return f"Sponsored by {ad.advertiser}: shown because " + "; ".join(parts) + "."
