"""Filter, rank and rerank: the candidate stage's fused scores -> the picks shown.

Filtering drops what the user must not see again (dislikes, items already shown or in their history,
the items the request was built around) and what the constraints rule out; ranking is by fused
score, ties by item id. The rerank stage, when on (`agent.rerank_weight` > 0), lets the LLM reorder
a longer list than is shown and blends its order with the fused one (`assistant.rerank`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from recassist.assistant.events import Card, EvidenceOut
from recassist.assistant.explain import Explanation
from recassist.assistant.rerank import Candidate, Reranker
from recassist.grounding.evidence import Reason
from recassist.retrieval.catalogue import Catalogue, Constraints, Item, display_title


@dataclass(frozen=True)
class Pick:
    """An item chosen for this turn, its fused score, its evidence and, once written, its
    explanation. A value: the stages that add evidence or an explanation make a new pick
    (`with_reasons`, `explained`), so no stage changes what another one holds."""

    item: Item
    score: float
    reasons: tuple[Reason, ...] = ()
    explanation: Explanation | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "reasons", tuple(self.reasons))  # a list given becomes a value

    def with_reasons(self, reasons: Sequence[Reason]) -> Pick:
        """This pick with its evidence."""
        return replace(self, reasons=tuple(reasons))

    def explained(self, explanation: Explanation) -> Pick:
        """This pick with its explanation written."""
        return replace(self, explanation=explanation)

    def card(self) -> Card:
        explanation = self.explanation
        return Card(
            item_id=self.item.item_id,
            title=self.item.title,
            display_title=display_title(self.item.title),
            tags=list(self.item.tags),
            year=self.item.year,
            minutes=self.item.minutes,
            score=round(self.score, 6),
            explanation=explanation.text if explanation else None,
            explanation_source=explanation.source if explanation else None,
            evidence=[EvidenceOut(kind=r.kind, label=r.spoken) for r in self.reasons],
        )


def rank(
    catalogue: Catalogue,
    scores: dict[str, float],
    constraints: Constraints,
    blocked: set[str],
    keep: int,
) -> list[Pick]:
    """The `keep` best-scored catalogue items the constraints allow, none of them `blocked` and no
    two of one title: a data set may list a film twice (ML-100k has 18 such titles, Money Talks
    among them), and the second copy of a film shown, liked or asked about is the same film."""
    items = catalogue.items
    titles = {items[i].title for i in blocked if i in items}
    ranked = sorted(
        (
            (score, item_id)
            for item_id, score in scores.items()
            if item_id in items and item_id not in blocked and constraints.allows(items[item_id])
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    picks: list[Pick] = []
    for score, item_id in ranked:
        if len(picks) >= keep:
            break
        if items[item_id].title not in titles:
            titles.add(items[item_id].title)
            picks.append(Pick(items[item_id], score))
    return picks


class RerankStage:
    """The LLM's reordering of the ranked list; `shortlist` is how many picks it should be given."""

    def __init__(self, reranker: Reranker | None) -> None:
        self.reranker = reranker

    def shortlist(self, count: int) -> int:
        return max(count, self.reranker.config.max_candidates) if self.reranker else count

    def __call__(self, picks: list[Pick], history: Iterable[Item], count: int) -> list[Pick]:
        if self.reranker is not None and len(picks) > 1:
            titles = [item.title for item in history]
            candidates = [
                Candidate(p.item.item_id, p.item.title, p.score, ", ".join(p.item.tags))
                for p in picks
            ]
            by_id = {p.item.item_id: p for p in picks}
            picks = [by_id[i] for i in self.reranker.rerank(titles, candidates).item_ids]
        return picks[:count]
