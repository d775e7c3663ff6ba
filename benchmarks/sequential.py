"""The cross-entropy sequential model (SASRec-CE, `windows="last"`) on a data set under the
project's leave-last-out harness: a curve of validation NDCG@10 against training time, the model
alone on test, and the fusion with and without it.

The model is fitted once, on the train split (its own early-stopping holdout is each user's last
train item), within `--budget-s` seconds of training; for test it reads each user's history up to
the validation item without refitting (`SASRec.rebind`), as a served model reads new events. The
other generators (the configs `recassist eval` chose on ML-1M) are fitted on train, the fusion
weights tuned on validation with `Fusion.tune` (the blend kept only when it beats its best member on
held-out folds), then refitted on train + validation for test, as the protocol does.

    timeout 5400 .venv/bin/python benchmarks/sequential.py --dataset ml-1m --budget-s 3600

The load average is sampled every `--sample-s` seconds while the script runs and the process's CPU
seconds are recorded after the fit, so the JSON says how much of the 2 cores the fit really got.
The JSON is rewritten after every stage, so a run cut short by `timeout` still leaves the curve.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import threading
import time
from pathlib import Path

from recassist.data.store import DatasetStore
from recassist.retrieval.fusion import Fusion
from recassist.retrieval.generators import ALSConfig, EASEConfig, SASRecConfig, TransitionConfig
from recassist.retrieval.generators.als import ALS
from recassist.retrieval.generators.ease import EASE
from recassist.retrieval.generators.sasrec import SASRec
from recassist.retrieval.generators.transition import Transition
from recassist.retrieval.interactions import Interactions, Split
from recassist.retrieval.metrics import all_metrics
from recassist.retrieval.training import rank_all
from recassist.settings import Settings

OTHERS = {
    "transition": lambda: Transition(TransitionConfig(window=6, history=5, history_decay=0.7)),
    "ease": lambda: EASE(EASEConfig(regularization=500.0)),
    "als": lambda: ALS(ALSConfig(factors=128, regularization=0.05, alpha=1.0)),
}


class LoadSampler(threading.Thread):
    """Samples `os.getloadavg()` every `every_s` seconds (a daemon thread: it dies with the run)."""

    def __init__(self, every_s: float) -> None:
        super().__init__(daemon=True)
        self.every_s = every_s
        self.started = time.perf_counter()
        self.samples: list[dict[str, float]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            one, five, fifteen = os.getloadavg()
            at = round(time.perf_counter() - self.started, 1)
            self.samples.append({"wall_s": at, "load1": one, "load5": five, "load15": fifteen})
            self.halt.wait(self.every_s)


def cpu_seconds() -> float:
    """User + system CPU seconds this process has had so far (all its threads)."""
    times = os.times()
    return times.user + times.system


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="ml-1m")
    parser.add_argument(
        "--budget-s", type=float, default=2100.0, help="training seconds for the model"
    )
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--max-len", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sample-s", type=float, default=60.0, help="load sampling period")
    parser.add_argument("--out", type=Path)
    return parser.parse_args()


def recipe(args: argparse.Namespace) -> SASRecConfig:
    """The SASRec+ / LRURec recipe: the latest 200 items, lr 1e-3, batch 128, dropout 0.2."""
    return SASRecConfig(
        max_len=args.max_len + 1,
        dim=args.dim,
        layers=2,
        heads=2,
        dropout=0.2,
        learning_rate=1e-3,
        batch_size=128,
        max_epochs=400,
        patience=10,
        windows="last",
        threads=args.threads,
        time_budget_s=args.budget_s,
        progress=False,
    )


def fusions(sasrec: SASRec, split: Split, n_items: int, result: dict, out: Path) -> None:
    """The fusion tuned on validation without and with the model, refitted for test; the model
    alone on test. Each into `result`, saved as it comes."""
    others = {name: build().fit(split.train) for name, build in OTHERS.items()}
    for with_sasrec in (False, True):
        generators = {**others, **({"sasrec": sasrec} if with_sasrec else {})}
        fusion = Fusion(generators)
        fusion.tune(split.validation.users, split.validation.items)
        refitted = {name: OTHERS[name]().fit(split.train_validation) for name in others}
        if with_sasrec:
            refitted["sasrec"] = sasrec.rebind(split.train_validation)
        final = Fusion(refitted, fusion.config)
        top, _ = rank_all(final, split.test.users)
        key = "fusion_with_sasrec" if with_sasrec else "fusion_without_sasrec"
        result[key] = {
            "weights": fusion.config.weights,
            "choice": fusion.choice.to_dict(),
            "test": all_metrics(top, split.test.items, n_items),
        }
        if with_sasrec:
            alone, score_s = rank_all(refitted["sasrec"], split.test.users)
            result["sasrec_test"] = all_metrics(alone, split.test.items, n_items)
            result["sasrec_score_all_s"] = score_s
        save(out, result)


def main() -> None:
    args = arguments()
    out = args.out or Path(f"benchmarks/results/sequential-{args.dataset}.json")
    sampler = LoadSampler(args.sample_s)
    sampler.start()
    settings = Settings()
    data = Interactions.from_dataset(
        DatasetStore(settings.data_dir).load(args.dataset), settings.events
    )
    split = Split.for_data(data, 0)
    config = recipe(args)
    load_at_start = os.getloadavg()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    sasrec = SASRec(config).fit(split.train)
    fit_s = time.perf_counter() - started
    fit_cpu_s = cpu_seconds() - cpu_started
    result: dict = {
        "command": "timeout 5400 .venv/bin/python benchmarks/sequential.py "
        f"--dataset {args.dataset} --budget-s {args.budget_s:g} --dim {args.dim} "
        f"--max-len {args.max_len} --threads {args.threads}",
        "dataset": args.dataset,
        "config": config.model_dump(),
        "fit_s": fit_s,
        "fit_cpu_s": fit_cpu_s,
        "fit_cores_used": fit_cpu_s / fit_s,
        "epochs": len(sasrec.curve),
        "cpu_s_per_epoch": fit_cpu_s / max(len(sasrec.curve), 1),
        "load_average_at_start": load_at_start,
        "load_average_at_end_of_fit": os.getloadavg(),
        "cpu_cores": os.cpu_count(),
        "curve": sasrec.curve,
        "load_samples": sampler.samples,
    }
    save(out, result)
    val_top, _ = rank_all(sasrec, split.validation.users)
    result["sasrec_validation"] = all_metrics(val_top, split.validation.items, data.n_items)
    save(out, result)
    fusions(sasrec, split, data.n_items, result, out)
    sampler.halt.set()
    result["total_wall_s"] = time.perf_counter() - started
    result["total_cpu_s"] = cpu_seconds() - cpu_started
    save(out, result)
    keys = ("sasrec_test", "fusion_with_sasrec", "fusion_without_sasrec")
    print(json.dumps({k: result[k] for k in keys}, indent=1, default=float))


def save(out: Path, result: dict) -> None:
    """Rewrite the JSON with what the run has so far."""
    out.write_text(json.dumps(result, indent=2, default=float) + "\n")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    main()
