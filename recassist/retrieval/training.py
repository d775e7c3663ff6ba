"""Training the serving candidate pipeline: each generator's config chosen on a validation split,
the fusion weights tuned on it, and the chosen configs refitted on more data.

Serving (`retrieval.serving`) and the offline evaluation (`evaluation.protocol`) share these steps,
so they live here, below both.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from recassist.errors import ConfigError, MemoryBudgetError
from recassist.retrieval.fusion import BlendChoice, Fusion, FusionConfig
from recassist.retrieval.generators import (
    GENERATORS,
    ALSConfig,
    EASEConfig,
    Generator,
    GeneratorConfig,
    ItemKNNConfig,
    PopularityConfig,
    SASRecConfig,
    SocialConfig,
    TransitionConfig,
)
from recassist.retrieval.generators.base import Recommendations
from recassist.retrieval.interactions import Interactions, Targets
from recassist.retrieval.metrics import all_metrics
from recassist.settings import MemoryConfig

log = logging.getLogger(__name__)

LIST_LENGTH = 20  # the longest cut-off any metric needs
BATCH_USERS = 1024

DEFAULT_GRIDS: dict[str, tuple[GeneratorConfig, ...]] = {
    "popularity": tuple(PopularityConfig(half_life_days=h) for h in (30.0, 365.0, None)),
    "itemknn": tuple(ItemKNNConfig(neighbours=k) for k in (20, 50, 100, 200)),
    "ease": tuple(EASEConfig(regularization=r) for r in (20.0, 100.0, 500.0, 2000.0)),
    "als": tuple(
        ALSConfig(factors=f, regularization=0.05, alpha=a) for f in (64, 128) for a in (1.0, 4.0)
    ),
    "transition": tuple(
        TransitionConfig(window=w, history=h, history_decay=d)
        for w in (1, 3, 6)
        for h, d in ((1, 1.0), (5, 0.7), (10, 0.8), (20, 0.9))
    ),
    "social": (SocialConfig(),),
    "sasrec": (SASRecConfig(),),
}
# Run only when named: minutes of CPU training per fit, where every other generator takes seconds.
OPT_IN = frozenset({"sasrec"})
# Read the order of a user's events: left out on data without a time order unless named.
ORDER_BASED = frozenset(name for name, cls in GENERATORS.items() if cls.uses_order)


Progress = Callable[[str], None]


def applicable(names: Iterable[str], data: Interactions, *, named: bool = False) -> list[str]:
    """Generator names worth running on `data`: social needs a social graph; without a time order
    the order-based ones are left out, unless `named` (asked for by name: then the random validation
    holdout decides, through the fusion weights, whether they help)."""
    has_graph = data.social is not None and data.social.nnz > 0
    return [
        name
        for name in names
        if (name != "social" or has_graph)
        and (data.time_ordered or named or name not in ORDER_BASED)
    ]


def grids_for(
    data: Interactions, grids: Mapping[str, Sequence[GeneratorConfig]]
) -> dict[str, tuple[GeneratorConfig, ...]]:
    """`grids` as they apply to `data`: without a time order, no recency decay (popularity, social),
    since an event's age would only be its place in the file."""
    out = {name: tuple(grid) for name, grid in grids.items()}
    if data.time_ordered:
        return out
    for name, grid in out.items():
        if any("half_life_days" in type(config).model_fields for config in grid):
            undecayed = (config.model_copy(update={"half_life_days": None}) for config in grid)
            out[name] = tuple(dict.fromkeys(undecayed))
    return out


def rank_all(
    generator: Generator | Fusion, users: np.ndarray, n: int = LIST_LENGTH
) -> tuple[np.ndarray, float]:
    """Top-n item rows for every user in batches (seen excluded), and the seconds it took."""
    start = time.perf_counter()
    blocks: list[Recommendations] = [
        generator.recommend(users[i : i + BATCH_USERS], n)
        for i in range(0, len(users), BATCH_USERS)
    ]
    top = np.concatenate([b.items for b in blocks]) if blocks else np.empty((0, n), np.int64)
    return top, time.perf_counter() - start


Builder = Callable[[GeneratorConfig], Generator]


def fit_timed(generator: Generator, train: Interactions) -> tuple[Generator, float]:
    start = time.perf_counter()
    generator.fit(train)
    return generator, time.perf_counter() - start


def tune(
    name: str,
    grid: Sequence[GeneratorConfig],
    train: Interactions,
    validation: Targets,
    progress: Progress,
    build: Builder,
    memory: MemoryConfig | None = None,
) -> tuple[Generator, float]:
    """The grid's best generator on validation NDCG@10 (fitted on train, within the `memory` budget)
    and that score; `MemoryBudgetError` when even its smallest form does not fit."""
    best: tuple[Generator, float] | None = None
    for config in grid:
        generator = build(config)
        if memory is not None:
            generator.memory = memory
        generator, fit_s = fit_timed(generator, train)
        top, _ = rank_all(generator, validation.users)
        ndcg = all_metrics(top, validation.items, train.n_items)["ndcg@10"]
        progress(f"  {name} {config.model_dump()} validation NDCG@10 {ndcg:.4f} (fit {fit_s:.1f}s)")
        if best is None or ndcg > best[1]:
            best = (generator, ndcg)
    assert best is not None, f"empty grid for {name}"
    return best


@dataclass
class Tuned:
    """A fusion of generators fitted on a training set, each config and the weights chosen on
    validation."""

    fusion: Fusion
    validation_ndcg: dict[str, float]
    choice: BlendChoice | None = None  # the tuned blend or the best single generator alone, and why
    left_out: dict[str, str] = field(
        default_factory=dict
    )  # generators over the memory budget, and why


def tune_all(
    train: Interactions,
    validation: Targets,
    *,
    names: Sequence[str] | None = None,
    grids: Mapping[str, Sequence[GeneratorConfig]] | None = None,
    fusion: FusionConfig | None = None,
    builders: Mapping[str, Builder] | None = None,
    progress: Progress = log.info,
    memory: MemoryConfig | None = None,
) -> Tuned:
    """Steps 2-3 of the protocol: each generator's best config, then the fusion weights, all on
    `validation`.

    `builders` adds generators that need more than a config (e.g. content, which needs item
    vectors), by name; their grids come in `grids`. A generator that cannot fit within `memory`
    (even in its scalable form) is left out, with a log line, and named in `Tuned.left_out`.
    """
    grids = grids_for(train, dict(DEFAULT_GRIDS, **(grids or {})))
    builders = {**GENERATORS, **(builders or {})}
    unknown = sorted(set(names or ()) - set(grids) - set(builders))
    if unknown:
        raise ConfigError(
            f"unknown generator(s) {unknown}; choose from {sorted(set(grids) & set(builders))}"
        )
    names = applicable(
        names or [name for name in grids if name not in OPT_IN], train, named=bool(names)
    )
    tuned: dict[str, Generator] = {}
    validation_ndcg: dict[str, float] = {}
    left_out: dict[str, str] = {}
    for name in names:
        try:
            tuned[name], validation_ndcg[name] = tune(
                name, grids[name], train, validation, progress, builders[name], memory
            )
        except MemoryBudgetError as err:
            log.warning("%s left out: %s", name, err)
            left_out[name] = str(err)
    if not tuned:
        raise MemoryBudgetError(f"no generator fits the memory budget: {left_out}")
    blender = Fusion(tuned, fusion)
    blender.tune(validation.users, validation.items)
    top, _ = rank_all(blender, validation.users)
    validation_ndcg["fusion"] = all_metrics(top, validation.items, train.n_items)["ndcg@10"]
    progress(
        f"  fusion weights {blender.config.weights} validation NDCG@10 {validation_ndcg['fusion']:.4f}"
        f" ({blender.choice.describe()})"
    )
    return Tuned(blender, validation_ndcg, blender.choice, left_out)


def refit(fusion: Fusion, data: Interactions) -> tuple[Fusion, dict[str, float]]:
    """The same configs and weights fitted again on `data`; also each generator's fit seconds."""
    generators, fit_s = {}, {}
    for name, generator in fusion.generators.items():
        generators[name], fit_s[name] = fit_timed(generator.fresh(), data)
    return Fusion(generators, fusion.config), fit_s
