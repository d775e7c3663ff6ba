"""The Open Bandit click-model report as a benchmarks section: the models' AUC and log loss with
intervals, the honest verdict, calibration, the off-policy value and the reliability plot; and
writing it (and the JSON) in place.
"""

from __future__ import annotations

import json
from pathlib import Path


def _fmt(value: float, low_high: list[float], digits: int = 3) -> str:
    return f"{value:.{digits}f} [{low_high[0]:.{digits}f}, {low_high[1]:.{digits}f}]"


def markdown(report: dict, command: str, plot: str) -> str:
    """The benchmarks section: the table, the honest verdict, calibration, off-policy value, the
    plot."""
    split = report["split"]
    lines = [
        "## Sponsored recommendations: click model on real clicks (Open Bandit)",
        "",
        f"Produced by `{command}` (results in `benchmarks/results/ads-obp.json`). "
        f"{report['data']}; time-ordered split: fit {split['fit']['impressions']:,} impressions "
        f"({split['fit']['clicks']} clicks), calibrate {split['calibrate']['impressions']:,} "
        f"({split['calibrate']['clicks']}), test {split['test']['impressions']:,} "
        f"({split['test']['clicks']} clicks). Intervals: 95 % bootstrap over the test rows "
        f"({report['bootstrap_samples']:,} paired resamples). These are the only click numbers in "
        "recassist; the MovieLens demo ads are synthetic and have no clicks of their own.",
        "",
        "| model | AUC [95 %] | AUC minus prior [95 %] | log loss [95 %] "
        "| log loss Platt / isotonic | ECE raw / Platt / isotonic |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, m in report["models"].items():
        c = report["calibration"][name]
        diff = m.get("auc_minus_prior_95")
        diff_text = f"[{diff[0]:+.3f}, {diff[1]:+.3f}]" if diff else "(baseline)"
        lines.append(
            f"| {name} | {_fmt(m['auc'], m['auc_95'])} | {diff_text} "
            f"| {_fmt(m['log_loss'], m['log_loss_95'], 4)} "
            f"| {c['platt']['log_loss']:.4f} / {c['isotonic']['log_loss']:.4f} "
            f"| {c['raw']['ece']:.4f} / {c['platt']['ece']:.4f} / {c['isotonic']['ece']:.4f} |"
        )
    lines += ["", _verdict(report), "", *_off_policy(report, plot)]
    return "\n".join(lines)


def _verdict(report: dict) -> str:
    """Which models the data separates from the item prior, honestly: none when every interval of
    the AUC difference includes 0."""
    split = report["split"]
    separable = [n for n, ok in report["separable"].items() if ok]
    if separable:
        verdict = (
            f"The data separates {', '.join(separable)} from the item prior (their AUC-difference "
            "interval excludes 0)"
        )
        others = [n for n, ok in report["separable"].items() if not ok]
        verdict += f"; it cannot separate {', '.join(others)} from it." if others else "."
    else:
        verdict = (
            "**The data cannot separate the models:** every AUC-difference interval against the "
            f"item prior includes 0. With {split['test']['clicks']} test clicks, the ranking among "
            "the three is not established; the point estimates are shown for completeness only."
        )
    return verdict


def _off_policy(report: dict, plot: str) -> list[str]:
    """The off-policy value table of the calibrated ranking against the logged policy, whether
    the intervals overlap, and the reliability plot."""
    ope = report["off_policy"]
    lines = [
        f"Off-policy value of ranking by the calibrated {report['policy_model']} (chosen by its "
        f"AUC on the calibration rows, before the test) on the uniform-random policy's "
        f"{ope['rounds']:,} test impressions ({ope['clicks']} clicks; the new policy agrees with "
        f"the logged action in {ope['rounds_matching_new_policy']} of them), obp 0.4.1 estimators "
        "with bootstrap intervals:",
        "",
        "| policy | estimator | click rate per impression [95 %] |",
        "| --- | --- | --- |",
        "| logged (uniform random) | observed "
        f"| {_fmt(ope['logged']['value'], ope['logged']['value_95'], 4)} |",
    ]
    for name in ("ipw", "dr"):
        lines.append(
            f"| ranked by calibrated pCTR | {name.upper()} "
            f"| {_fmt(ope[name]['value'], ope[name]['value_95'], 4)} |"
        )
    overlap = all(ope[n]["value_95"][0] <= ope["logged"]["value_95"][1] for n in ("ipw", "dr"))
    lines += [
        "",
        (
            "The intervals overlap the logged policy's: this sample does not show that the new "
            "ranking gets more clicks."
            if overlap
            else "The new ranking's interval lies above the logged policy's."
        ),
        "",
        f"![Reliability of the Platt-calibrated click models on the test rows]({plot})",
        "",
    ]
    return lines


def write_section(benchmarks: Path, section: str) -> None:
    """Put `section` (its first line is its `## ` heading) at the end of the benchmarks page,
    replacing its previous version if there is one."""
    heading = section.splitlines()[0]
    text = benchmarks.read_text() if benchmarks.is_file() else "# Benchmarks\n"
    start = text.find(heading + "\n")
    if start >= 0:
        following = text.find("\n## ", start + len(heading))
        text = text[:start] + (text[following + 1 :] if following >= 0 else "")
    benchmarks.write_text(text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n")


def save_json(report: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
