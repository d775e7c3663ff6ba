"""The cross-entropy sequential model (SASRec-CE, `windows="last"`) on a data set under the
project's leave-last-out harness: a curve of validation NDCG@10 against training time, the model
alone on test, and the fusion with and without it.

The model is fitted once, on the train split (its own early-stopping holdout is each user's last
train item), within `--budget-s` seconds of training; for test it reads each user's history up to
the validation item without refitting (`SASRec.rebind`), as a served model reads new events. The
other generators (the configs `recassist eval` chose on ML-1M) are fitted on train, the fusion
weights tuned on validation with `Fusion.tune` (the blend kept only when it beats its best member on
held-out folds), then refitted on train + validation for test, as the protocol does.

    nice -n 5 timeout 4500 .venv/bin/python benchmarks/sequential.py --dataset ml-1m --budget-s 3300
"""

from __future__ import annotations

import argparse
import json
import logging
import os
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="ml-1m")
    parser.add_argument(
        "--budget-s", type=float, default=2100.0, help="training seconds for the model"
    )
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--max-len", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    settings = Settings()
    data = Interactions.from_dataset(
        DatasetStore(settings.data_dir).load(args.dataset), settings.events
    )
    split = Split.for_data(data, 0)
    config = SASRecConfig(
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
    started = time.perf_counter()
    sasrec = SASRec(config).fit(split.train)
    fit_s = time.perf_counter() - started
    result: dict = {
        "command": f"nice -n 5 .venv/bin/python benchmarks/sequential.py --dataset {args.dataset} "
        f"--budget-s {args.budget_s:g} --dim {args.dim} --max-len {args.max_len}",
        "dataset": args.dataset,
        "config": config.model_dump(),
        "fit_s": fit_s,
        "load_average_at_start": os.getloadavg(),
        "cpu_cores": os.cpu_count(),
        "curve": sasrec.curve,
    }
    result["load_average_at_end_of_fit"] = os.getloadavg()
    val_top, _ = rank_all(sasrec, split.validation.users)
    result["sasrec_validation"] = all_metrics(val_top, split.validation.items, data.n_items)
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
            "test": all_metrics(top, split.test.items, data.n_items),
        }
        if with_sasrec:
            alone, score_s = rank_all(refitted["sasrec"], split.test.users)
            result["sasrec_test"] = all_metrics(alone, split.test.items, data.n_items)
            result["sasrec_score_all_s"] = score_s
    out = args.out or Path(f"benchmarks/results/sequential-{args.dataset}.json")
    out.write_text(json.dumps(result, indent=2, default=float) + "\n")
    print(
        json.dumps(
            {k: result[k] for k in ("sasrec_test", "fusion_with_sasrec", "fusion_without_sasrec")},
            indent=1,
            default=float,
        )
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    main()
