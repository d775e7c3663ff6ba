"""The click model measured on real clicks: the Open Bandit Dataset sample (ZOZOTOWN, `recassist
data fetch obp`), both logging policies, 20,000 impressions and 80 clicks.

Features per impression: the four hashed user features, the shown item's context (its four features
and its id), the position (1-3), and the user's affinity to the shown item (the log's
`user-item_affinity_<id>` column). The split is by time: the first 70 % of impressions train (the
first 80 % of those fit the models, the last 20 % fit the calibrators), the last 30 % test. Models:
the item click-rate prior, logistic regression and LightGBM. On the test rows: AUC and log loss with
95 % bootstrap intervals (paired resamples, so the differences between models get intervals too),
log loss and expected calibration error before and after Platt and isotonic calibration, and a
reliability plot. Then the off-policy value of ranking by the calibrated model against the logged
(uniform random) policy on the random policy's test rows, with obp's IPW and DR estimators and their
bootstrap intervals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from recassist.ads.click_model import Calibrator, ItemPrior, LightGBMClickModel, LogisticClickModel
from recassist.errors import DatasetNotFoundError
from recassist.settings import Settings

log = logging.getLogger(__name__)

USER_FEATURES = [f"user_feature_{i}" for i in range(4)]
ITEM_FEATURES = [f"item_feature_{i}" for i in range(4)]
N_POSITIONS = 3
TRAIN_SHARE, FIT_SHARE = 0.7, 0.8


@dataclass(frozen=True)
class ObpData:
    log: pd.DataFrame  # both policies' impressions, oldest first, with a `policy` column
    items: pd.DataFrame  # item_id and item_feature_0..3


def load_obp(data_dir: Path) -> ObpData:
    """The raw logs that `recassist data fetch obp` unpacked (they keep the affinity columns)."""
    folder = data_dir / "raw" / "obp"
    files = {key: folder / f"{key}.csv" for key in ("random_log", "bts_log", "items")}
    if not all(f.is_file() for f in files.values()):
        raise DatasetNotFoundError(
            f"the Open Bandit sample is not in {folder}; run `recassist data fetch obp`"
        )
    logs = [pd.read_csv(files[f"{p}_log"], index_col=0).assign(policy=p) for p in ("random", "bts")]
    frame = pd.concat(logs, ignore_index=True)
    frame["ts"] = pd.to_datetime(frame["timestamp"], utc=True)
    frame = frame.sort_values("ts", kind="stable").reset_index(drop=True)
    return ObpData(frame, pd.read_csv(files["items"], index_col=0))


def features(
    frame: pd.DataFrame,
    items: pd.DataFrame,
    item_ids: np.ndarray,
    positions: np.ndarray,
    rows: np.ndarray | None = None,
) -> pd.DataFrame:
    """Model inputs for showing `item_ids[j]` at `positions[j]` to the user of `frame`'s row
    `rows[j]` (default: row j)."""
    rows = np.arange(len(frame)) if rows is None else rows
    context = items.set_index("item_id").loc[item_ids]
    affinity = frame[[f"user-item_affinity_{i}" for i in range(len(items))]].to_numpy()
    out = pd.DataFrame({c: frame[c].astype(str).to_numpy()[rows] for c in USER_FEATURES})
    out["item_id"] = item_ids.astype(str)
    out["item_feature_0"] = context["item_feature_0"].to_numpy(dtype=float)
    for c in ITEM_FEATURES[1:]:
        out[c] = context[c].astype(str).to_numpy()
    out["position"] = positions.astype(str)
    out["affinity"] = np.log1p(affinity[rows, item_ids])
    return out


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve by ranks (ties share their rank); NaN when one class is missing."""
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = rankdata(p)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def ece(y: np.ndarray, p: np.ndarray, bins: int = 5) -> float:
    """Expected calibration error over equal-count bins of the prediction."""
    order = np.argsort(p, kind="stable")
    total = 0.0
    for chunk in np.array_split(order, bins):
        total += len(chunk) * abs(p[chunk].mean() - y[chunk].mean())
    return float(total / len(y))


def interval(values: np.ndarray) -> list[float]:
    values = values[np.isfinite(values)]
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def bootstrap(y: np.ndarray, predictions: dict[str, np.ndarray], samples: int, seed: int) -> dict:
    """Point values and 95 % intervals of AUC and log loss per model, and of each model's AUC minus
    the prior's, from the same paired resamples of the test rows."""
    rng = np.random.default_rng(seed)
    draws = {name: {"auc": [], "log_loss": []} for name in predictions}
    for _ in range(samples):
        idx = rng.integers(0, len(y), len(y))
        for name, p in predictions.items():
            draws[name]["auc"].append(auc(y[idx], p[idx]))
            draws[name]["log_loss"].append(log_loss(y[idx], p[idx]))
    baseline = next(iter(predictions))
    out = {}
    for name, p in predictions.items():
        aucs = np.array(draws[name]["auc"])
        out[name] = {
            "auc": auc(y, p),
            "auc_95": interval(aucs),
            "log_loss": log_loss(y, p),
            "log_loss_95": interval(np.array(draws[name]["log_loss"])),
        }
        if name != baseline:
            out[name]["auc_minus_prior_95"] = interval(aucs - np.array(draws[baseline]["auc"]))
    return out


def reliability_plot(
    y: np.ndarray, calibrated: dict[str, np.ndarray], path: Path, bins: int = 5
) -> None:
    """Predicted against observed click rate in equal-count bins, with Wilson 95 % intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4.5), dpi=110)
    top = 0.0
    for name, p in calibrated.items():
        order = np.argsort(p, kind="stable")
        xs, ys, lo, hi = [], [], [], []
        for chunk in np.array_split(order, bins):
            n, k = len(chunk), y[chunk].sum()
            rate, z = k / n, 1.96
            centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
            half = z * np.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / (1 + z * z / n)
            xs.append(p[chunk].mean())
            ys.append(rate)
            lo.append(rate - max(0.0, centre - half))
            hi.append(centre + half - rate)
        ax.errorbar(xs, ys, yerr=[lo, hi], marker="o", capsize=3, label=name)
        top = max(top, max(xs), max(y_ + h for y_, h in zip(ys, hi)))
    ax.plot(
        [0, top], [0, top], color="grey", linestyle="--", linewidth=1, label="perfect calibration"
    )
    ax.set_xlabel("predicted click rate (Platt-calibrated), bin mean")
    ax.set_ylabel("observed click rate, 95 % Wilson interval")
    ax.set_title(
        f"Open Bandit sample, time-ordered test ({len(y):,} impressions, {int(y.sum())} clicks)",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def off_policy(
    data: ObpData, test: pd.DataFrame, model, calibrator: Calibrator, samples: int, seed: int
) -> dict:
    """IPW and DR estimates (obp) of ranking the items by calibrated pCTR, on the random policy's
    test rows, against the logged policy's observed click rate."""
    from obp.ope import DoublyRobust, InverseProbabilityWeighting, OffPolicyEvaluation

    rows = test[test["policy"] == "random"].reset_index(drop=True)
    n, n_items = len(rows), len(data.items)
    q_hat = np.zeros((n, n_items, N_POSITIONS))
    every_row, every_item = np.repeat(np.arange(n), n_items), np.tile(np.arange(n_items), n)
    for position in range(N_POSITIONS):
        X = features(rows, data.items, every_item, np.full(n * n_items, position + 1), every_row)
        q_hat[:, :, position] = calibrator.transform(model.predict(X)).reshape(n, n_items)
    # the new policy: at each position, the item ranked there by the predicted click rate at
    # position 1
    ranking = np.argsort(-q_hat[:, :, 0], axis=1, kind="stable")[:, :N_POSITIONS]
    action_dist = np.zeros_like(q_hat)
    for position in range(N_POSITIONS):
        action_dist[np.arange(n), ranking[:, position], position] = 1.0
    feedback = {
        "n_rounds": n,
        "n_actions": n_items,
        "action": rows["item_id"].to_numpy(),
        "position": rows["position"].to_numpy() - 1,
        "reward": rows["click"].to_numpy(),
        "pscore": rows["propensity_score"].to_numpy(),
    }
    ope = OffPolicyEvaluation(
        bandit_feedback=feedback, ope_estimators=[InverseProbabilityWeighting(), DoublyRobust()]
    )
    intervals = ope.estimate_intervals(
        action_dist=action_dist,
        estimated_rewards_by_reg_model=q_hat,
        n_bootstrap_samples=samples,
        random_state=seed,
    )
    rng = np.random.default_rng(seed)
    reward = feedback["reward"].astype(float)
    logged = np.array([reward[rng.integers(0, n, n)].mean() for _ in range(samples)])
    matched = int((action_dist[np.arange(n), feedback["action"], feedback["position"]] == 1).sum())
    out = {
        "rounds": n,
        "clicks": int(reward.sum()),
        "rounds_matching_new_policy": matched,
        "logged": {"value": float(reward.mean()), "value_95": interval(logged)},
    }
    for name, values in intervals.items():
        out[name] = {
            "value": float(values["mean"]),
            "value_95": [float(values["95.0% CI (lower)"]), float(values["95.0% CI (upper)"])],
        }
    return out


def evaluate(settings: Settings, plot_path: Path) -> dict:
    """Fit, calibrate and measure the three click models; write the reliability plot; return the
    report."""
    config = settings.ads
    data = load_obp(settings.data_dir)
    frame = data.log
    y_all = frame["click"].to_numpy(dtype=int)
    X_all = features(frame, data.items, frame["item_id"].to_numpy(), frame["position"].to_numpy())
    cut = int(len(frame) * TRAIN_SHARE)
    fit_cut = int(cut * FIT_SHARE)
    parts = {
        "fit": slice(0, fit_cut),
        "calibrate": slice(fit_cut, cut),
        "test": slice(cut, len(frame)),
    }
    y = {k: y_all[s] for k, s in parts.items()}
    X = {k: X_all.iloc[s].reset_index(drop=True) for k, s in parts.items()}
    models = [
        ItemPrior(strength=config.prior_strength),
        LogisticClickModel(seed=config.seed),
        LightGBMClickModel(seed=config.seed),
    ]
    raw, calibrated, calibration, fitted = _fit_and_calibrate(models, X, y)
    metrics = bootstrap(y["test"], raw, config.bootstrap_samples, config.seed)
    reliability_plot(y["test"], calibrated, plot_path)
    # the serving policy ranks by the model with the best calibration-part AUC (chosen before the
    # test)
    chosen = max(
        fitted, key=lambda name: auc(y["calibrate"], fitted[name][0].predict(X["calibrate"]))
    )
    ope = off_policy(
        data, frame.iloc[parts["test"]], *fitted[chosen], config.bootstrap_samples, config.seed
    )
    return {
        "data": "Open Bandit Dataset sample (obp==0.4.1): random/all + bts/all, 20,000 impressions",
        "split": {k: {"impressions": int(len(v)), "clicks": int(v.sum())} for k, v in y.items()},
        "test_period": [str(frame["ts"].iloc[cut]), str(frame["ts"].iloc[-1])],
        "bootstrap_samples": config.bootstrap_samples,
        "models": metrics,
        "calibration": calibration,
        "policy_model": chosen,
        "off_policy": ope,
        "separable": {
            name: not (m["auc_minus_prior_95"][0] <= 0 <= m["auc_minus_prior_95"][1])
            for name, m in metrics.items()
            if "auc_minus_prior_95" in m
        },
    }


def _fit_and_calibrate(models: list, X: dict, y: dict) -> tuple[dict, dict, dict, dict]:
    """Each model fitted on the fit part, calibrated (Platt and isotonic) on the calibrate part
    and scored on the test part: its raw and Platt-calibrated test scores, the log loss and ECE
    of each, and the fitted (model, Platt calibrator)."""
    raw, calibrated, calibration, fitted = {}, {}, {}, {}
    for model in models:
        model.fit(X["fit"], y["fit"])
        calib_scores, test_scores = model.predict(X["calibrate"]), model.predict(X["test"])
        raw[model.name] = test_scores
        calibration[model.name] = {
            "raw": {
                "log_loss": log_loss(y["test"], test_scores),
                "ece": ece(y["test"], test_scores),
            }
        }
        for method in ("platt", "isotonic"):
            calibrator = Calibrator(method).fit(calib_scores, y["calibrate"])
            p = calibrator.transform(test_scores)
            calibration[model.name][method] = {
                "log_loss": log_loss(y["test"], p),
                "ece": ece(y["test"], p),
            }
            if method == "platt":
                calibrated[model.name] = p
                fitted[model.name] = (model, calibrator)
    return raw, calibrated, calibration, fitted
