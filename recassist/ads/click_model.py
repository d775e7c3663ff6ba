"""Click models with one small contract, `fit(X, y) -> self` and `predict(X) -> P(click)`, and the
calibrators that map their scores to click rates.

- `ItemPrior`: the item's click rate in training, shrunk to the overall rate (a Beta prior worth
  `strength` impressions); uses only the `item_id` column. The baseline every model must beat.
- `LogisticClickModel`: logistic regression on one-hot categorical columns and standardised numbers.
- `LightGBMClickModel`: gradient-boosted trees (LightGBM), categorical columns as categories.
- `Calibrator`: Platt (a logistic fit on the score's log-odds) or isotonic regression, fitted on
  held-out rows, so that predicted rates match observed ones (a bid is multiplied by them).
- `ServingClickModel`: what the ad server predicts with, fitted on the ledger's logged impressions:
  the ad prior alone until there are `ads.min_clicks_to_fit` clicks, then the logistic model on the
  similarity to the user, the position and that prior, Platt-calibrated on the newest 20 %.

`X` is a DataFrame; text and category columns count as categorical.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from recassist.settings import AdsConfig

_EPS = 1e-6


class ClickModel(Protocol):
    name: str

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> ClickModel: ...

    def predict(self, X: pd.DataFrame) -> np.ndarray: ...


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def _categorical(X: pd.DataFrame) -> list[str]:
    return [
        c
        for c in X.columns
        if pd.api.types.is_string_dtype(X[c]) or isinstance(X[c].dtype, pd.CategoricalDtype)
    ]


@dataclass
class ItemPrior:
    """Beta-smoothed click rate per item: (clicks + strength x rate) / (impressions + strength)."""

    strength: float = 200.0
    column: str = "item_id"
    name: str = "item CTR prior"
    rates: dict[str, float] = field(default_factory=dict)
    overall: float = 0.0

    def fit(self, X: pd.DataFrame, y: np.ndarray, *, base: float | None = None) -> ItemPrior:
        """`base`: the rate to shrink towards (default: the overall rate in `y`)."""
        y = np.asarray(y, dtype=float)
        self.overall = float(y.mean()) if base is None else base
        grouped = pd.DataFrame({"item": X[self.column].astype(str).to_numpy(), "y": y}).groupby(
            "item"
        )["y"]
        clicks, shown = grouped.sum(), grouped.size()
        self.rates = ((clicks + self.strength * self.overall) / (shown + self.strength)).to_dict()
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return X[self.column].astype(str).map(self.rates).fillna(self.overall).to_numpy(dtype=float)


@dataclass
class LogisticClickModel:
    C: float = 0.1
    seed: int = 0
    name: str = "logistic regression"

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> LogisticClickModel:
        from sklearn.compose import ColumnTransformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        categorical = _categorical(X)
        numeric = [c for c in X.columns if c not in categorical]
        columns = ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=5), categorical),
                ("num", StandardScaler(), numeric),
            ]
        )
        self._pipeline = make_pipeline(
            columns, LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed)
        )
        self._pipeline.fit(X, np.asarray(y, dtype=int))
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self._pipeline.predict_proba(X)[:, 1]


@dataclass
class LightGBMClickModel:
    n_estimators: int = 200
    learning_rate: float = 0.03
    num_leaves: int = 7
    min_child_samples: int = 100
    seed: int = 0
    name: str = "LightGBM"

    def _frame(self, X: pd.DataFrame) -> pd.DataFrame:
        out = X.copy()
        for column in self._categorical:
            out[column] = pd.Categorical(
                out[column].astype(str), categories=self._categories[column]
            )
        return out

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> LightGBMClickModel:
        import lightgbm

        self._categorical = _categorical(X)
        self._categories = {c: sorted(X[c].astype(str).unique()) for c in self._categorical}
        self._model = lightgbm.LGBMClassifier(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            reg_lambda=1.0,
            random_state=self.seed,
            n_jobs=1,
            verbose=-1,
        )
        self._model.fit(
            self._frame(X),
            np.asarray(y, dtype=int),
            categorical_feature=self._categorical or "auto",
        )
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self._model.predict_proba(self._frame(X))[:, 1]


@dataclass
class Calibrator:
    """Maps raw scores to calibrated click probabilities; fitted on rows the model did not train on."""

    method: Literal["platt", "isotonic"] = "platt"

    def fit(self, scores: np.ndarray, y: np.ndarray) -> Calibrator:
        y = np.asarray(y, dtype=int)
        if self.method == "platt":
            from sklearn.linear_model import LogisticRegression

            self._model = LogisticRegression(C=1e6, max_iter=1000).fit(logit(scores)[:, None], y)
        else:
            from sklearn.isotonic import IsotonicRegression

            self._model = IsotonicRegression(y_min=_EPS, y_max=1 - _EPS, out_of_bounds="clip").fit(
                scores, y
            )
        return self

    def transform(self, scores: np.ndarray) -> np.ndarray:
        if self.method == "platt":
            return self._model.predict_proba(logit(scores)[:, None])[:, 1]
        return np.clip(self._model.predict(np.asarray(scores, dtype=float)), _EPS, 1 - _EPS)


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
