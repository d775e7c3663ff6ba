"""Sponsored picks served from the SYNTHETIC MovieLens demo catalogue: latency of one request, and a
concurrent load in which every impression is clicked (the worst case for budgets), with the caps and
pacing checked afterwards.

The data set must be indexed (`recassist index build`). The ledger is a fresh file in a temporary
folder, and the clock is fixed at 06:00 UTC, so that even pacing allows 25 % + `ads.pacing_slack` of
each budget.

    PYTHONPATH=. python benchmarks/ads_serving.py --data-dir /tmp/rd --dataset ml-100k \\
        --out benchmarks/results/ads-serving.json --benchmarks docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

QUARTER_DAY = 1_789_948_800 + 6 * 3600  # 06:00 UTC


def main() -> None:
    from recassist.ads.catalogue import load_ads
    from recassist.ads.demo import build_demo_catalogue
    from recassist.ads.ledger import MICROS, Ledger, day_of
    from recassist.ads.obp_report import write_section
    from recassist.ads.serving import AdServer
    from recassist.data.store import DatasetStore
    from recassist.errors import AdsNotReadyError
    from recassist.retrieval.embedding import Embedder
    from recassist.retrieval.vector_store import VectorStore, connect
    from recassist.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--dataset", default="ml-100k")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--benchmarks", type=Path, default=None, help="append the table to this Markdown page"
    )
    args = parser.parse_args()

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    dataset = DatasetStore(settings.data_dir).load(args.dataset)
    try:
        catalogue = load_ads(dataset.name, settings)
    except AdsNotReadyError:
        catalogue = build_demo_catalogue(dataset, settings)
    store = VectorStore(connect(settings.chroma, settings.data_dir), dataset.name)
    clock = lambda: QUARTER_DAY  # noqa: E731
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(Path(folder) / "ledger.sqlite", clock=clock)
        server = AdServer(
            settings,
            dataset,
            store,
            Embedder(settings.embedding),
            catalogue=catalogue,
            ledger=ledger,
        )
        users = dataset.interactions["user_id"].value_counts().index.tolist()
        rng = np.random.default_rng(0)
        sample = [users[i] for i in rng.permutation(len(users))[: args.requests]]
        for user in sample[:10]:  # warm up: lazy imports, the embedder, Chroma's caches
            server.select(user, (), k=2)
        seconds = []
        for user in sample:
            start = time.perf_counter()
            server.select(user, (), k=2)
            seconds.append(time.perf_counter() - start)
        ms = np.array(seconds) * 1000

        load = [u for u in sample for _ in range(4)]
        clicks = Counter()
        lock = threading.Lock()

        def request(user: str) -> None:
            for pick in server.select(user, (), k=2):
                result = server.click(user, pick.impression_id)
                with lock:
                    clicks[result.billed] += 1

        served_before = len(ledger.events())
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(request, load))
        wall = time.perf_counter() - start
        events = ledger.events()
        day = day_of(QUARTER_DAY)
        spend = {a: ledger.spend(a, day) for a in events["advertiser"].unique()}
        budgets = {ad.advertiser: ad.daily_budget for ad in catalogue.ads.values()}
        allowance = {
            a: Ledger.allowance(
                budgets[a], QUARTER_DAY, settings.ads.pacing, settings.ads.pacing_slack
            )
            / MICROS
            for a in spend
        }
        result = {
            "dataset": args.dataset,
            "catalogue": "synthetic demo" if catalogue.synthetic else catalogue.source,
            "ads": len(catalogue.ads),
            "advertisers": len(budgets),
            "single_requests": args.requests,
            "k": 2,
            "p50_ms": float(np.percentile(ms, 50)),
            "p95_ms": float(np.percentile(ms, 95)),
            "concurrent_requests": len(load),
            "threads": args.threads,
            "concurrent_wall_s": wall,
            "requests_per_s": len(load) / wall,
            "impressions_concurrent": int(len(events)) - served_before,
            "clicks_billed": clicks[True],
            "clicks_not_billed": clicks[False],
            "max_spend_over_allowance": max(spend[a] / allowance[a] for a in spend),
            "max_spend_over_budget": max(spend[a] / budgets[a] for a in spend),
            "max_impressions_per_user_and_ad": int(
                Counter(zip(events["user_key"], events["ad_id"])).most_common(1)[0][1]
            ),
            "frequency_cap": settings.ads.frequency_cap,
            "cpu_cores": os.cpu_count(),
            "measured_under_shared_load": True,
        }
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.benchmarks:
        write_section(args.benchmarks, markdown(result))


def markdown(r: dict) -> str:
    return "\n".join(
        [
            "## Sponsored recommendations: serving, caps and pacing (synthetic demo ads)",
            "",
            f"Produced by `PYTHONPATH=. python benchmarks/ads_serving.py --dataset {r['dataset']} --out "
            "benchmarks/results/ads-serving.json --benchmarks docs/benchmarks.md`. The ads are the **synthetic** "
            f"demo catalogue ({r['ads']} ads, {r['advertisers']} advertisers); the clock is fixed at 06:00 UTC, so even "
            "pacing allows 30 % of each daily budget. Timings measured under shared load on "
            f"{r['cpu_cores']} cores (other developers' jobs running).",
            "",
            "| measure | value |",
            "| --- | --- |",
            f"| one request, k = 2 (Chroma candidates, targeting, eCPM auction, ledger transaction, why-this-ad) | "
            f"p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms over {r['single_requests']} users |",
            f"| concurrent load: {r['concurrent_requests']:,} requests on {r['threads']} threads, every impression clicked | "
            f"{r['requests_per_s']:.0f} requests/s |",
            f"| under that load: impressions / clicks billed / clicks over the pace, not billed | "
            f"{r['impressions_concurrent']:,} / {r['clicks_billed']:,} / {r['clicks_not_billed']:,} |",
            f"| highest spend / paced allowance, any advertiser | {r['max_spend_over_allowance']:.3f} (at most 1 by construction) |",
            f"| highest spend / daily budget, any advertiser | {r['max_spend_over_budget']:.3f} |",
            f"| most impressions of one ad to one user, both phases | {r['max_impressions_per_user_and_ad']} (cap {r['frequency_cap']}) |",
            "",
        ]
    )


if __name__ == "__main__":
    main()
