"""Read one CSV, Parquet or JSON Lines file into a DataFrame, or fail naming the file, row and
field.

Every frame that comes out has a `_row` column: the 1-based data row in the file (the header is not
counted), so that later checks can name the row they reject.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from recassist.errors import InputFileError

ROW = "_row"
_CSV = {".csv", ".tsv", ".txt"}
_PARQUET = {".parquet", ".pq"}
_JSONL = {".jsonl", ".ndjson", ".json"}
CSV_CHUNK_ROWS = 500_000
_PANDAS_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def read_table(path: Path, *, label: str | None = None) -> pd.DataFrame:
    """Read `path` by its suffix. `label` is how errors name the file (default: the path)."""
    name = label or str(path)
    if not path.is_file():
        raise InputFileError(name, "no such file")
    if path.stat().st_size == 0:
        raise InputFileError(name, "the file is empty")
    # The last known suffix decides, so that 'x.parquet.brotli' reads as Parquet.
    known = [sfx.lower() for sfx in path.suffixes if sfx.lower() in _CSV | _PARQUET | _JSONL]
    suffix = known[-1] if known else path.suffix
    if suffix in _CSV:
        frame = _read_csv(path, name, sep="\t" if suffix == ".tsv" else ",")
    elif suffix in _PARQUET:
        frame = _read_parquet(path, name)
    elif suffix in _JSONL:
        frame = _read_jsonl(path, name)
    else:
        raise InputFileError(
            name, f"unknown file type '{path.suffix}'; use .csv, .tsv, .parquet or .jsonl"
        )
    if frame.empty:
        raise InputFileError(name, "the file has no data rows")
    frame.insert(0, ROW, range(1, len(frame) + 1))
    return frame


def _decode(path: Path, name: str) -> str:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputFileError(
            name,
            f"not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start}); save the file as UTF-8",
            row=line - 1 if line > 1 else None,
            line=line,
        ) from None
    if not text.strip():
        raise InputFileError(name, "the file is empty")
    return text


def _read_csv(path: Path, name: str, sep: str) -> pd.DataFrame:
    """Parse the file in chunks straight from disk: the peak is the frame plus one chunk, not the
    frame plus the whole text (which `io.StringIO` would hold at 4 bytes a character). Only a file
    that fails to decode is read whole, to name the line of the first bad byte."""
    try:
        chunks = pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            engine="c",
            encoding="utf-8-sig",
            chunksize=CSV_CHUNK_ROWS,
        )
        frame = pd.concat(list(chunks), ignore_index=True)
    except UnicodeDecodeError:
        _decode(path, name)  # raises with the line of the first bad byte
        raise
    except pd.errors.ParserError as err:
        match = _PANDAS_LINE.search(str(err))
        if match:
            expected, line, saw = (int(g) for g in match.groups())
            raise InputFileError(
                name,
                f"expected {expected} fields like the header, saw {saw} (an unquoted '{sep}' or quote?)",
                row=line - 1,
                line=line,
            ) from None
        raise InputFileError(name, f"not readable as CSV: {err}") from None
    except pd.errors.EmptyDataError:
        raise InputFileError(name, "the file is empty") from None
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed:") or str(c).strip() == ""]
    if unnamed:
        raise InputFileError(name, f"the header has {len(unnamed)} empty column name(s)", line=1)
    return frame


def _read_parquet(path: Path, name: str) -> pd.DataFrame:
    try:
        return pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as err:
        raise InputFileError(name, f"not a readable Parquet file: {err}") from None


def _read_jsonl(path: Path, name: str) -> pd.DataFrame:
    text = _decode(path, name)
    records = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputFileError(
                name, f"not valid JSON: {err.msg}", row=len(records) + 1, line=line_no
            ) from None
        if not isinstance(record, dict):
            raise InputFileError(
                name, "each line must be a JSON object", row=len(records) + 1, line=line_no
            )
        records.append(record)
    return pd.DataFrame.from_records(records)
