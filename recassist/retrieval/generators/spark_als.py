"""ALS for implicit feedback on Spark MLlib: the same model as `als`, fitted where the data is too
big for one machine.

`pyspark.ml.recommendation.ALS` with `implicitPrefs=True` fits on the Spark master named by
`SparkALSConfig.master` (`local[2]` here; `spark://host:7077` or `yarn` on a cluster, see
docs/deploy.md). Rows are the ids Spark sees (our user and item rows), so nothing is mapped twice.
After the fit the factors are collected into numpy, and scoring and evidence are exactly those of
`als`: a fitted generator needs no Spark and is kept by the model store like any other.

Spark scales `regParam` by each user's and item's number of interactions (ALS-WR), so the same
`regularization` is not the same penalty as in `implicit`; the validation grid, not the number,
decides. The SparkSession is Spark's own process-wide one (`getOrCreate`); it is left running after
a fit, because starting a JVM takes seconds and other fits in the process may share it.

Opt-in: listed in `OPT_IN_GENERATORS`, not in `GENERATORS`, so the default fusion never starts a
JVM. It needs a Java runtime (`make test` installs one when `java` is missing).
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from recassist.retrieval.generators.als import ALS, ALSConfig
from recassist.retrieval.interactions import Interactions


class SparkALSConfig(ALSConfig):
    master: str = Field(
        default="local[2]", description="Spark master URL: local[N], spark://host:7077, yarn"
    )
    driver_memory: str = "2g"
    partitions: int = Field(
        default=4, ge=1, description="blocks of users and of items (numUserBlocks/numItemBlocks)"
    )


def spark_session(master: str, driver_memory: str = "2g"):
    """Spark's session for `master` (created on first use, then shared by the process, as Spark
    does)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("recassist")
        .config("spark.driver.memory", driver_memory)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )


class SparkALS(ALS):
    name = "spark_als"
    config_type = SparkALSConfig
    config: SparkALSConfig

    def _fit(self, train: Interactions) -> None:
        import pandas as pd
        from pyspark.ml.recommendation import ALS as SparkALSModel

        matrix = (train.binary if self.config.binary else train.matrix).astype(np.float32).tocoo()
        frame = pd.DataFrame(
            {
                "user": matrix.row.astype(np.int32),
                "item": matrix.col.astype(np.int32),
                "strength": matrix.data.astype(np.float32),
            }
        )
        spark = spark_session(self.config.master, self.config.driver_memory)
        model = SparkALSModel(
            rank=self.config.factors,
            maxIter=self.config.iterations,
            regParam=self.config.regularization,
            alpha=self.config.alpha,
            implicitPrefs=True,
            seed=self.config.seed,
            userCol="user",
            itemCol="item",
            ratingCol="strength",
            numUserBlocks=self.config.partitions,
            numItemBlocks=self.config.partitions,
        ).fit(spark.createDataFrame(frame))
        self.user_factors = _dense(model.userFactors.toPandas(), train.n_users, self.config.factors)
        self.item_factors = _dense(model.itemFactors.toPandas(), train.n_items, self.config.factors)
        self._input = matrix.tocsr()


def _dense(factors, rows: int, rank: int) -> np.ndarray:
    """Spark's (id, features) rows as a dense matrix; ids Spark never saw (no interactions) stay
    zero."""
    out = np.zeros((rows, rank), np.float32)
    if len(factors):
        out[factors["id"].to_numpy()] = np.stack(factors["features"].to_numpy()).astype(np.float32)
    return out
