"""Scale benchmark: what each stage costs as the catalogue and the log grow, on synthetic data.

A seeded generator writes a SYNTHETIC data set in the generic schema (items.csv, interactions.csv):
power-law item popularity (Zipf, exponent 1.0 over a shuffled catalogue) and user activity (Pareto,
shape 1.2, at least 1 and at most 5,000 events a user), timestamps over two years, 1-3 tags a item
from a Zipf-distributed vocabulary of 40, short titles and texts from word lists, a mix of events
(view, click, like, purchase). It measures cost, not accuracy.

For one size it records wall time and peak resident memory (VmHWM, reset before each stage through
/proc/self/clear_refs; both the stage's own peak and its growth over the RSS at its start) of:
import (read, clean, pseudonymise, store) -> load (data set + interaction matrices) -> embedding and
Chroma writes (every item, or a random sample of `--embed-sample` items, with the measured items/s)
-> each generator's fit at its default config under the memory budget (`--budget-mib`: EASE and
ItemKNN switch to their scalable forms above it) -> the fusion (weights tuned on up to 500 users'
last items, as many as the budget allows one dense block; a cost measure only) -> single-user
recommend of the fusion (50 items, 200 random users, p50/p95) -> one chat turn of the assistant
without an LLM (deterministic parser plan, template explanations).

    PYTHONPATH=. nice -n 10 python benchmarks/scale.py --size 10k
    PYTHONPATH=. nice -n 10 python benchmarks/scale.py --size 100k --budget-mib 3072
    PYTHONPATH=. nice -n 10 python benchmarks/scale.py --size 1m --budget-mib 3072 --embed-sample 20000

Writes `benchmarks/results/scale-<size>.json`; `--plot` draws docs/images/scale.png from every
result file.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PLOT = ROOT / "docs" / "images" / "scale.png"
SIZES = {
    "10k": (10_000, 10_000, 100_000),
    "100k": (100_000, 100_000, 1_000_000),
    "1m": (1_000_000, 1_000_000, 10_000_000),
}
GENERATOR_NAMES = ("popularity", "itemknn", "ease", "als", "transition", "content")
MIB = 2**20

WORDS = (
    "amber river quiet storm silver garden hidden city night winter summer echo stone glass paper golden "
    "broken little wild lost last first second dark bright northern southern ocean forest desert mountain "
    "velvet iron crimson blue green hollow secret falling rising empty open distant electric lonely"
).split()
TAGS = (
    "drama comedy action thriller romance horror documentary family animation crime fantasy science-fiction "
    "mystery adventure music history war western sport biography kitchen garden outdoor fitness beauty "
    "electronics books toys fashion shoes home office travel pets games audio camera phone tools health"
).split()
EVENTS = np.array(["view", "click", "like", "purchase"])
EVENT_SHARES = np.array([0.70, 0.18, 0.08, 0.04])
START = 1_640_995_200  # 2022-01-01
SPAN = 2 * 365 * 86_400


# ----------------------------------------------------------------------------------------------
# data


def synthetic(
    n_items: int, n_users: int, n_events: int, folder: Path, seed: int = 0
) -> dict[str, Path]:
    """Write items.csv and interactions.csv (generic schema, synthetic) into `folder`; returns their
    paths."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    words = np.array(WORDS)
    ids = np.char.add("i", np.arange(n_items).astype(str))
    title_words = rng.integers(0, len(words), (n_items, 3))
    titles = np.char.add(
        np.char.add(np.char.add(words[title_words[:, 0]], " "), words[title_words[:, 1]]), " "
    )
    titles = np.char.add(
        np.char.add(titles, words[title_words[:, 2]]),
        np.char.add(" ", np.arange(n_items).astype(str)),
    )
    tag_p = 1.0 / np.arange(1, len(TAGS) + 1)
    tag_p /= tag_p.sum()
    first = rng.choice(len(TAGS), n_items, p=tag_p)
    second = rng.choice(len(TAGS), n_items, p=tag_p)
    n_tags = rng.integers(1, 3, n_items)
    tags = np.where(
        (n_tags > 1) & (second != first),
        np.char.add(np.char.add(np.array(TAGS)[first], "|"), np.array(TAGS)[second]),
        np.array(TAGS)[first],
    )
    text_words = words[rng.integers(0, len(words), (n_items, 12))]
    texts = text_words[:, 0]
    for j in range(1, text_words.shape[1]):
        texts = np.char.add(np.char.add(texts, " "), text_words[:, j])
    years = rng.integers(1960, 2025, n_items)
    items = pa.table({"item_id": ids, "title": titles, "tags": tags, "text": texts, "year": years})
    pacsv.write_csv(items, folder / "items.csv")
    del items, titles, texts, text_words, tags

    # power-law popularity over a shuffled catalogue, power-law activity with every user active at
    # least once
    popularity = 1.0 / np.arange(1, n_items + 1)
    cumulative = np.cumsum(popularity[rng.permutation(n_items)])
    cumulative /= cumulative[-1]
    activity = np.minimum(rng.pareto(1.2, n_users) + 1.0, 5_000.0)
    counts = np.maximum(1, np.floor(activity / activity.sum() * n_events)).astype(np.int64)
    short = n_events - counts.sum()
    if short > 0:  # give the remainder to random users, in proportion to activity
        counts += np.bincount(
            rng.choice(n_users, short, p=activity / activity.sum()), minlength=n_users
        )
    elif short < 0:  # trim the heaviest users
        heaviest = np.argsort(-counts)
        counts[heaviest[:-short]] -= 1
    user_ids = np.char.add("u", np.arange(n_users).astype(str))
    path = folder / "interactions.csv"
    chunk_users = max(1, n_users // 20)
    with pacsv.CSVWriter(
        path,
        pa.schema(
            [
                ("user_id", pa.string()),
                ("item_id", pa.string()),
                ("event", pa.string()),
                ("timestamp", pa.int64()),
            ]
        ),
    ) as writer:
        for start in range(0, n_users, chunk_users):
            block = counts[start : start + chunk_users]
            users = np.repeat(np.arange(start, start + len(block)), block)
            item_rows = np.minimum(np.searchsorted(cumulative, rng.random(len(users))), n_items - 1)
            first_seen = rng.integers(START, START + SPAN, len(block))
            stamps = np.repeat(first_seen, block) + rng.integers(0, 30 * 86_400, len(users))
            order = np.lexsort((stamps, users))
            writer.write_table(
                pa.table(
                    {
                        "user_id": user_ids[users[order]],
                        "item_id": ids[item_rows[order]],
                        "event": EVENTS[rng.choice(len(EVENTS), len(users), p=EVENT_SHARES)],
                        "timestamp": stamps[order],
                    }
                )
            )
    return {"items": folder / "items.csv", "interactions": path}


# ----------------------------------------------------------------------------------------------
# measuring


def rss_mib(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Stages:
    """Wall time and peak RSS per stage; the kernel's high-water mark is reset before each one."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}

    @contextmanager
    def stage(self, name: str, **extra):
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        before = rss_mib()
        started = time.perf_counter()
        row = {"seconds": None, **extra}
        self.rows[name] = row
        yield row
        row["seconds"] = round(time.perf_counter() - started, 3)
        row["peak_rss_mib"] = round(rss_mib("VmHWM"), 1)
        row["peak_growth_mib"] = round(row["peak_rss_mib"] - before, 1)
        print(f"{name:>28}: {row}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="10k")
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="folder for the data files and data dir (default: temp)",
    )
    parser.add_argument(
        "--budget-mib", type=int, default=None, help="memory.budget_mib (default: 40 %% of RAM)"
    )
    parser.add_argument(
        "--embed-sample", type=int, default=None, help="embed this many random items only"
    )
    parser.add_argument(
        "--users", type=int, default=200, help="users timed for single-user recommend"
    )
    parser.add_argument(
        "--generators", default=",".join(GENERATOR_NAMES), help="comma-separated, in fit order"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the files and data set already in --work (no import)",
    )
    parser.add_argument(
        "--fits-only", action="store_true", help="stop after the generators' fits (no embedding)"
    )
    parser.add_argument(
        "--plot", action="store_true", help="only draw docs/images/scale.png from the results"
    )
    parser.add_argument(
        "--table", action="store_true", help="only print the Markdown table of the results"
    )
    args = parser.parse_args()
    if args.plot:
        plot()
        return
    if args.table:
        print(table())
        return
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    work = args.work or Path(tempfile.mkdtemp(prefix=f"recassist-scale-{args.size}-"))
    try:
        result = run(args, work)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"scale-{args.size}{'-fits' if args.fits_only else ''}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


def run(args: argparse.Namespace, work: Path) -> dict:
    from recassist.data.importer import import_tables, read_files
    from recassist.data.store import Dataset, DatasetStore
    from recassist.errors import MemoryBudgetError
    from recassist.retrieval.embedding import Embedder
    from recassist.retrieval.fusion import Fusion, FusionConfig
    from recassist.retrieval.generators import GENERATORS
    from recassist.retrieval.generators.content import Content
    from recassist.retrieval.index import IndexBuilder, IndexReport
    from recassist.retrieval.interactions import Interactions
    from recassist.retrieval.serving import ServingModel
    from recassist.retrieval.vector_store import VectorStore
    from recassist.settings import AgentConfig, MemoryConfig, Settings

    n_items, n_users, n_events = SIZES[args.size]
    settings = Settings(data_dir=work / "data")
    memory = MemoryConfig(budget_mib=args.budget_mib) if args.budget_mib else MemoryConfig()
    stages = Stages()
    name = f"scale-{args.size}"

    started = time.perf_counter()
    if not args.reuse:
        files = synthetic(n_items, n_users, n_events, work / "files")
    generate_s = time.perf_counter() - started

    if not args.reuse:
        with stages.stage("import", rows=n_events):
            result = import_tables(
                name,
                read_files(files["items"], files["interactions"]),
                settings,
                source="synthetic",
            )
            del result
    with stages.stage("load"):
        dataset = DatasetStore(settings.data_dir).load(name)
        data = Interactions.from_dataset(dataset, settings.events)
        data.binary  # noqa: B018 - build the cached matrices here, not inside the first fit

    if args.fits_only:
        for generator_name in args.generators.split(","):
            with stages.stage(f"fit {generator_name}") as row:
                generator = GENERATORS[generator_name](memory=memory)
                row["estimate_mib"] = round(generator.estimate(data) / MIB, 1)
                row["form"] = generator.fit(data).form
                del generator
        return {
            "size": args.size,
            "synthetic": True,
            "memory_budget_mib": memory.budget_mib,
            "stages": stages.rows,
            "command": " ".join(["python", "benchmarks/scale.py", *sys.argv[1:]]),
        }

    embedder = Embedder(settings.embedding)
    embedder.encode(["warm up the model"])
    builder = IndexBuilder(settings, embedder=embedder)
    store = VectorStore(builder.client, name)
    sampled_ids = None
    sample = args.embed_sample if args.embed_sample and args.embed_sample < n_items else None
    with stages.stage("embed + chroma", items=sample or n_items, sampled=sample is not None) as row:
        if sample is None:
            report = builder.build(name, progress=False)
            row["users_written"] = report.users_written
        else:
            rng = np.random.default_rng(1)
            subset = dataset.items.iloc[np.sort(rng.choice(n_items, sample, replace=False))]
            part = Dataset(
                name,
                subset,
                dataset.users.iloc[:0],
                dataset.interactions.iloc[:0],
                dataset.social,
                dataset.manifest,
            )
            builder.index_items(part, store, IndexReport(name), progress=False)
            row["users_written"] = 0
            sampled_ids = subset["item_id"].tolist()
    embed = stages.rows["embed + chroma"]
    embed["items_per_s"] = round(embed["items"] / embed["seconds"], 1)
    if sample is not None:
        embed["full_estimate_s"] = round(n_items / embed["items_per_s"], 0)

    generators, forms = {}, {}
    for generator_name in args.generators.split(","):
        with stages.stage(f"fit {generator_name}") as row:
            if generator_name == "content":
                generator = Content(
                    item_vectors=item_vectors(store, data, sampled_ids), memory=memory
                )
            else:
                generator = GENERATORS[generator_name](memory=memory)
            row["estimate_mib"] = round(generator.estimate(data) / MIB, 1)
            try:
                generators[generator_name] = generator.fit(data)
                row["form"] = generator.form
            except (
                MemoryBudgetError
            ) as err:  # the fusion leaves it out, as the serving model should
                row["form"] = f"left out: {err}"
            forms[generator_name] = row["form"]
            del generator

    for generator_name in sorted(
        set(GENERATOR_NAMES) - set(args.generators.split(",")) - {"content"}
    ):
        skipped = GENERATORS[generator_name](memory=memory)
        forms[generator_name] = "not fitted in this run"
        stages.rows[f"fit {generator_name}"] = {
            "seconds": None,
            "estimate_mib": round(skipped.estimate(data) / MIB, 1),
            "form": "not fitted in this run",
        }

    rng = np.random.default_rng(2)
    # the fusion scores its users in one dense users x items block per generator (about 24 bytes an
    # entry with the copies that ranking makes), so at a million items it gets as many users as the
    # budget allows
    n_tune = int(max(20, min(500, memory.budget_bytes // (n_items * 24))))
    tune_users = rng.choice(np.flatnonzero(np.diff(data.indptr) >= 2), n_tune, replace=False)
    fusion = Fusion(generators, FusionConfig())
    with stages.stage("fusion tune", users=len(tune_users)):
        targets = data.item_rows[data.indptr[tune_users + 1] - 1]
        fusion.tune(tune_users, targets)

    timed_users = rng.choice(n_users, args.users, replace=False)
    fusion.recommend(timed_users[:3], 50)  # warm-up
    latencies, cpu = [], []
    with stages.stage("recommend", users=len(timed_users)) as row:
        for user in timed_users:
            begun, begun_cpu = time.perf_counter(), time.process_time()
            fusion.recommend(np.array([user]), 50)
            latencies.append(time.perf_counter() - begun)
            cpu.append(time.process_time() - begun_cpu)
        row.update(percentiles(latencies))
        row.update(percentiles(cpu, "cpu_"))
        # where the time goes: each generator's own top-`depth` list for the same users
        for generator_name, generator in generators.items():
            spent = []
            for user in timed_users[:50]:
                begun = time.process_time()
                generator.recommend(np.array([user]), fusion.config.depth)
                spent.append(time.process_time() - begun)
            row[f"cpu_{generator_name}_p50_ms"] = percentiles(spent)["p50_ms"]

    from recassist.assistant.agent import Assistant
    from recassist.retrieval.catalogue import Catalogue

    with stages.stage("assistant setup"):
        serving = ServingModel(data, fusion, "scale-benchmark")
        assistant = Assistant(
            Catalogue(dataset, store, embedder),
            serving,
            model=None,
            config=AgentConfig(llm_planner=False, explain_with_llm=False),
        )
    user_id = str(data.users.id(int(timed_users[0])))
    with stages.stage("chat turn", message="something new for me") as row:
        turn = assistant.turn(assistant.new_session(user_id), "something new for me")
        row["picks"] = len(turn.picks)

    return {
        "size": args.size,
        "synthetic": True,
        "items": n_items,
        "users": n_users,
        "interactions": n_events,
        "imported_interactions": len(data),
        "generate_s": round(generate_s, 1),
        "memory_budget_mib": memory.budget_mib,
        "forms": forms,
        "stages": stages.rows,
        "peak_rss_mib": round(max(r.get("peak_rss_mib", 0) for r in stages.rows.values()), 1),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, shared with other developers (measured under shared load)",
        "command": " ".join(["python", "benchmarks/scale.py", *sys.argv[1:]]),
    }


def percentiles(seconds: list[float], prefix: str = "") -> dict[str, float]:
    return {f"{prefix}p{q}_ms": round(float(np.percentile(seconds, q)) * 1000, 2) for q in (50, 95)}


def item_vectors(store, data, sampled_ids: list[str] | None) -> np.ndarray:
    """Item vectors aligned to the item rows: every item's from the store, or only the sample's (the
    rest stay zero, which the content generator never scores), without asking Chroma for a million
    ids."""
    from recassist.retrieval.generators.content import item_vectors_from_store
    from recassist.retrieval.vocabulary import Vocabulary

    if sampled_ids is None:
        return item_vectors_from_store(store, data.items)
    found = item_vectors_from_store(store, Vocabulary(sampled_ids))
    vectors = np.zeros((data.n_items, found.shape[1]), np.float32)  # untouched pages cost no memory
    vectors[data.items.rows(sampled_ids)] = found
    return vectors


def _runs(results: Path = RESULTS) -> list[dict]:
    runs = sorted(
        (
            json.loads(p.read_text())
            for p in results.glob("scale-*.json")
            if not p.stem.endswith("-fits")
        ),
        key=lambda r: r["items"],
    )
    if not runs:
        raise SystemExit("no benchmarks/results/scale-*.json yet: run a size first")
    return runs


def table(results: Path = RESULTS) -> str:
    """One row per stage, one column per size: seconds and peak RSS (MiB), recommend as p50 / p95
    ms."""
    runs = _runs(results)
    header = (
        "| stage | "
        + " | ".join(f"{r['items']:,} items, {r['interactions']:,} events" for r in runs)
        + " |"
    )
    lines = [header, "|---|" + "---:|" * len(runs)]
    names = list(dict.fromkeys(n for r in runs for n in r["stages"]))
    for name in names:
        cells = []
        for r in runs:
            stage = r["stages"].get(name)
            if stage is None:
                cells.append("-")
            elif name == "recommend":
                cpu = (
                    f" (CPU p50 {stage['cpu_p50_ms']:.0f} / p95 {stage['cpu_p95_ms']:.0f} ms)"
                    if "cpu_p50_ms" in stage
                    else ""
                )
                cells.append(f"p50 {stage['p50_ms']:.0f} ms / p95 {stage['p95_ms']:.0f} ms{cpu}")
            elif stage["seconds"] is None:
                cells.append("not run")
            elif "left out" in str(stage.get("form", "")):
                cells.append(f"left out (estimate {stage['estimate_mib']:,.0f} MiB)")
            else:
                form = stage.get("form", "full")
                note = "" if form == "full" else f" ({form})"
                if stage.get("sampled"):
                    note = f" (a sample of {stage['items']:,} items, {stage['items_per_s']:,.1f} items/s)"
                elif "items_per_s" in stage:
                    note = f" (all items and users, {stage['items_per_s']:,.1f} items/s)"
                cells.append(f"{stage['seconds']:,.1f} s, {stage['peak_rss_mib']:,.0f} MiB{note}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(results: Path = RESULTS, out: Path = PLOT) -> None:
    """Log-log: seconds per stage against catalogue size, one line per stage, from every
    scale-*.json."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = _runs(results)
    names = [n for n in runs[-1]["stages"] if n != "assistant setup"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    colours = plt.get_cmap("tab20").colors
    for n, stage in enumerate(names):
        style = {"color": colours[n % len(colours)], "marker": "os^Dv"[n % 5]}
        points = [
            (r["items"], r["stages"][stage])
            for r in runs
            if "peak_rss_mib" in r["stages"].get(stage, {})
        ]
        if not points:
            continue
        seconds = [
            (x, s["p95_ms"] / 1000 if stage == "recommend" else s["seconds"]) for x, s in points
        ]
        label = {
            "recommend": "recommend p95 (one user)",
            "embed + chroma": "embed + chroma (a sample above 10k)",
        }.get(stage, stage)
        left.plot(*zip(*seconds), label=label, **style)
        right.plot(
            [x for x, _ in points], [s["peak_rss_mib"] for _, s in points], label=stage, **style
        )
    for axis, ylabel in ((left, "seconds"), (right, "peak RSS of the process, MiB")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("items (users = items, interactions = 10 x items)")
        axis.set_ylabel(ylabel)
        axis.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=7)
    figure.suptitle("recassist on synthetic data, 2 shared CPU cores (measured under shared load)")
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
