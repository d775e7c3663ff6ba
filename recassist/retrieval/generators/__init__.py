"""Candidate generators, one contract for all (see `base`). `GENERATORS` names every generator class
of the default fusion; `OPT_IN_GENERATORS` those that must be asked for by name (they need more than
the venv)."""

from __future__ import annotations

from recassist.retrieval.generators.als import ALS, ALSConfig
from recassist.retrieval.generators.base import (
    Evidence,
    Generator,
    GeneratorConfig,
    NotFittedError,
    Recommendations,
)
from recassist.retrieval.generators.ease import EASE, EASEConfig
from recassist.retrieval.generators.itemknn import ItemKNN, ItemKNNConfig
from recassist.retrieval.generators.popularity import Popularity, PopularityConfig
from recassist.retrieval.generators.sasrec import SASRec, SASRecConfig
from recassist.retrieval.generators.social import Social, SocialConfig
from recassist.retrieval.generators.spark_als import SparkALS, SparkALSConfig
from recassist.retrieval.generators.transition import Transition, TransitionConfig

GENERATORS: dict[str, type[Generator]] = {
    cls.name: cls for cls in (Popularity, ItemKNN, EASE, ALS, Transition, SASRec, Social)
}
# Spark ALS needs a Java runtime and starts a JVM: never part of the default fusion.
OPT_IN_GENERATORS: dict[str, type[Generator]] = {cls.name: cls for cls in (SparkALS,)}

__all__ = [
    "ALS",
    "ALSConfig",
    "EASE",
    "EASEConfig",
    "Evidence",
    "GENERATORS",
    "Generator",
    "GeneratorConfig",
    "ItemKNN",
    "ItemKNNConfig",
    "NotFittedError",
    "OPT_IN_GENERATORS",
    "Popularity",
    "PopularityConfig",
    "Recommendations",
    "SASRec",
    "SASRecConfig",
    "Social",
    "SocialConfig",
    "SparkALS",
    "SparkALSConfig",
    "Transition",
    "TransitionConfig",
]
