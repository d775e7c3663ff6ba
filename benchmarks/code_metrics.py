"""Maintainability figures of the package (tests and benchmarks left out), from its source and AST:
non-blank lines, compiled regexes, the longest functions, functions over 50 and 60 lines, files over
400 lines, lines over 100 characters, docstring and comment share. Writes
`benchmarks/results/code_metrics.json`.

    python benchmarks/code_metrics.py [--label NAME]
"""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "code_metrics.json"


def _regexes(tree: ast.AST) -> int:
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "compile"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "re"
    )


def _doc_lines(tree: ast.AST) -> int:
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                count += doc.count("\n") + 1
    return count


def measure(package: Path) -> dict:
    lines = long_lines = comments = docs = regexes = 0
    functions: list[tuple[int, str]] = []
    big_files = []
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rows = [row for row in text.splitlines() if row.strip()]
        lines += len(rows)
        long_lines += sum(len(row) > 100 for row in rows)
        comments += sum(row.lstrip().startswith("#") for row in rows)
        if len(text.splitlines()) > 400:
            big_files.append(f"{path.relative_to(ROOT)} ({len(text.splitlines())})")
        tree = ast.parse(text)
        docs += _doc_lines(tree)
        regexes += _regexes(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                functions.append((size, f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"))
    functions.sort(reverse=True)
    return {
        "non_blank_lines": lines,
        "compiled_regexes": regexes,
        "longest_functions": [f"{name} ({size})" for size, name in functions[:5]],
        "functions_over_50_per_1000_lines": round(
            1000 * sum(s > 50 for s, _ in functions) / lines, 2
        ),
        "functions_over_60": [f"{name} ({size})" for size, name in functions if size > 60],
        "files_over_400_lines": big_files,
        "lines_over_100_chars_pct": round(100 * long_lines / lines, 2),
        "docstring_and_comment_pct": round(100 * (docs + comments) / lines, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="HEAD")
    args = parser.parse_args()
    row = {"label": args.label, **measure(ROOT / "recassist")}
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [r for r in results if r["label"] != args.label] + [row]
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
