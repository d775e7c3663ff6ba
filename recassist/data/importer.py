"""The one import path: raw tables -> cleaned -> pseudonymised -> stored, for fetched and user files
alike."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from recassist.data.cleaning import (
    RawTable,
    TableReport,
    clean_interactions,
    clean_items,
    clean_social,
    clean_users,
)
from recassist.data.pseudonym import Pseudonymizer
from recassist.data.readers import read_table
from recassist.data.schema import USER_ID_COLUMNS
from recassist.data.store import DatasetStore, check_name
from recassist.data.timeorder import TimeOrder, measure
from recassist.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    name: str
    path: Path
    counts: dict[str, int]
    reports: dict[str, TableReport]
    time_order: TimeOrder | None = None

    def summary(self) -> str:
        lines = [f"imported '{self.name}' into {self.path}"]
        for table, report in self.reports.items():
            lost = sum(report.rejected.values())
            lines.append(
                f"  {table}: {report.rows_kept:,} kept of {report.rows_read:,} read"
                f" ({report.exact_duplicates:,} exact duplicates dropped, {lost:,} rejected)"
            )
            lines.extend(
                f"    rejected {n:,}: {reason}" for reason, n in report.rejected.most_common()
            )
            lines.extend(f"    e.g. {example}" for example in report.examples[:5])
        if self.time_order is not None:
            lines.append(f"  time: {self.time_order.describe()}")
        return "\n".join(lines)


def read_files(
    items: Path, interactions: Path, users: Path | None = None, social: Path | None = None
) -> dict[str, RawTable]:
    paths = {"items": items, "interactions": interactions, "users": users, "social": social}
    return {
        table: RawTable(read_table(path), str(path))
        for table, path in paths.items()
        if path is not None
    }


def import_tables(
    name: str, raw: dict[str, RawTable], settings: Settings, *, source: str, strict: bool = False
) -> ImportResult:
    """Clean, pseudonymise and store `raw` as data set `name`; on any error nothing stored changes."""
    check_name(name)
    config = settings.imports
    reports: dict[str, TableReport] = {}
    items, reports["items"] = clean_items(raw["items"], config, strict)
    users = None
    if "users" in raw:
        users, reports["users"] = clean_users(raw["users"], config, strict)
    interactions, reports["interactions"] = clean_interactions(
        raw["interactions"],
        config,
        strict,
        events=settings.events,
        item_ids=set(items["item_id"]),
        user_ids=None if users is None else set(users["user_id"]),
    )
    if users is None:
        users = pd.DataFrame({"user_id": pd.unique(interactions["user_id"])})
    if "social" in raw:
        social, reports["social"] = clean_social(
            raw["social"], config, strict, user_ids=set(users["user_id"])
        )
    else:
        social = pd.DataFrame(
            {
                "src_user_id": pd.Series(dtype=str),
                "dst_user_id": pd.Series(dtype=str),
                "kind": pd.Series(dtype=str),
                "timestamp": pd.Series(dtype="Int64"),
            }
        )
    frames = {"items": items, "users": users, "interactions": interactions, "social": social}
    pseudonymizer = Pseudonymizer.for_data_dir(settings.data_dir)
    for table, columns in USER_ID_COLUMNS.items():
        for column in columns:
            frames[table][column] = pseudonymizer.user_ids(frames[table][column])
    counts = {table: len(frame) for table, frame in frames.items()}
    time_order = measure(interactions, missing="timestamp" not in raw["interactions"].frame.columns)
    manifest = {
        "source": source,
        "counts": counts,
        "report": {t: r.to_dict() for t, r in reports.items()},
        "time_order": time_order.to_dict(),
    }
    path = DatasetStore(settings.data_dir).save(name, frames, manifest)
    log.info("imported %s: %s", name, counts)
    return ImportResult(name=name, path=path, counts=counts, reports=reports, time_order=time_order)
