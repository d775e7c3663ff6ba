"""Candidate generators, one contract for all (see `base`). `GENERATORS` names every generator class."""

from __future__ import annotations

from retrieval.generators.als import ALS, ALSConfig
from retrieval.generators.base import Evidence, Generator, GeneratorConfig, NotFittedError, Recommendations
from retrieval.generators.ease import EASE, EASEConfig
from retrieval.generators.itemknn import ItemKNN, ItemKNNConfig
from retrieval.generators.popularity import Popularity, PopularityConfig
from retrieval.generators.sasrec import SASRec, SASRecConfig
from retrieval.generators.social import Social, SocialConfig
from retrieval.generators.transition import Transition, TransitionConfig

GENERATORS: dict[str, type[Generator]] = {
    cls.name: cls for cls in (Popularity, ItemKNN, EASE, ALS, Transition, SASRec, Social)
}

__all__ = [
    "ALS", "ALSConfig", "EASE", "EASEConfig", "Evidence", "GENERATORS", "Generator", "GeneratorConfig",
    "ItemKNN", "ItemKNNConfig", "NotFittedError", "Popularity", "PopularityConfig", "Recommendations",
    "SASRec", "SASRecConfig", "Social", "SocialConfig", "Transition", "TransitionConfig",
]
