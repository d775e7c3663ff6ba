"""`recassist ads ...`: import an ads catalogue, make the synthetic demo one, measure the click
model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recassist.cli.commands.common import load_settings, user_errors

app = typer.Typer(
    help="Sponsored recommendations: ads catalogue and click model.", no_args_is_help=True
)


@app.command("import")
def import_catalogue(
    ctx: typer.Context,
    dataset: Annotated[
        str, typer.Argument(help="The data set the ads are served with, e.g. 'ml-100k'.")
    ],
    file: Annotated[
        Path,
        typer.Argument(help="ad_id, advertiser, title, text, tags, bid, daily_budget, targeting"),
    ],
) -> None:
    """Import an ads file (CSV, Parquet or JSON Lines) for a data set. The first bad row fails it;
    sensitive targeting (health, religion, politics, sexuality, ethnicity) is refused."""
    from recassist.ads.catalogue import import_ads

    settings = load_settings(ctx)
    with user_errors():
        catalogue = import_ads(dataset, file, settings)
    typer.echo(f"imported {len(catalogue.ads):,} ads for '{dataset}'")


@app.command()
def demo(
    ctx: typer.Context,
    dataset: Annotated[
        str | None, typer.Option(help="Data set (default: settings.dataset).")
    ] = None,
) -> None:
    """Generate and import the SYNTHETIC demo ads catalogue for a MovieLens data set."""
    from recassist.ads.demo import build_demo_catalogue
    from recassist.data.store import DatasetStore

    settings = load_settings(ctx)
    name = dataset or settings.dataset
    with user_errors():
        catalogue = build_demo_catalogue(DatasetStore(settings.data_dir).load(name), settings)
    typer.echo(
        f"imported {len(catalogue.ads):,} synthetic demo ads for '{name}' (labelled synthetic everywhere)"
    )


@app.command("eval")
def evaluate(
    ctx: typer.Context,
    json_out: Annotated[Path, typer.Option("--json", help="Report file.")] = Path(
        "benchmarks/results/ads-obp.json"
    ),
    plot: Annotated[Path, typer.Option(help="Reliability plot (PNG).")] = Path(
        "docs/images/ads-reliability.png"
    ),
    benchmarks: Annotated[Path, typer.Option(help="Markdown page the table is written to.")] = Path(
        "docs/benchmarks.md"
    ),
) -> None:
    """Click models on the Open Bandit sample (real clicks): AUC and log loss with bootstrap
    intervals, calibration, reliability plot, off-policy value (obp IPW, DR); writes the table to
    docs/benchmarks.md. Paths are relative to the working directory (run it from the repository's
    root)."""
    from recassist.ads.obp_eval import evaluate as run
    from recassist.ads.obp_report import markdown, save_json, write_section
    from recassist.data.sources import fetch

    settings = load_settings(ctx)
    with user_errors():
        fetch("obp", settings)
        report = run(settings, plot)
    save_json(report, json_out)
    try:
        shown = plot.resolve().relative_to(benchmarks.resolve().parent)
    except ValueError:
        shown = plot.resolve()
    write_section(benchmarks, markdown(report, "recassist ads eval", str(shown)))
    for name, m in report["models"].items():
        typer.echo(
            f"{name}: AUC {m['auc']:.3f} [{m['auc_95'][0]:.3f}, {m['auc_95'][1]:.3f}], log loss {m['log_loss']:.4f}"
        )
    typer.echo(f"wrote {json_out}, {plot} and a section of {benchmarks}")
