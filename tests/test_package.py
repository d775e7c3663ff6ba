"""The project as an installed package: a wheel built from the tree, installed without `-e` into a
fresh venv, serves its command line and reads every prompt from the installed copy, not from the
source tree."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the built wheel; the test venv's dependencies are on its path (no
    `.pth` processing there, so the editable install of the source tree stays out)."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(work),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = work.glob("recassist-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = next((venv / "lib").glob("python3*/site-packages"))
    (target / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return venv


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    return subprocess.run(
        [str(venv / "bin" / "python"), *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_installed_wheel_serves_the_command_line(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, "-m", "recassist", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in ("data", "index", "serve", "eval", "recommend", "chat"):
        assert command in result.stdout


def test_installed_wheel_reads_every_prompt_from_its_own_copy(
    installed: Path, tmp_path: Path
) -> None:
    names = sorted(p.stem for p in (ROOT / "recassist" / "llm" / "prompts").glob("*.txt"))
    assert names, "no prompt files in the tree"
    code = (
        "import recassist.llm.prompts as p\n"
        f"names = {names!r}\n"
        "for n in names: p.load_prompt(n)\n"
        "print(p.__file__)\n"
    )
    result = _run(installed, "-c", code, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    location = Path(result.stdout.strip())
    assert installed in location.parents, (
        f"prompts loaded from {location}, not from the installed wheel"
    )


def test_installed_wheel_holds_one_top_level_package(installed: Path) -> None:
    """The wheel installs `recassist` and nothing else at the top level: no `app`, `surfaces` or
    `evaluation` to collide with other packages, and no test harness."""
    target = next((installed / "lib").glob("python3*/site-packages"))
    tops = {
        p.name
        for p in target.iterdir()
        if not p.name.endswith((".dist-info", ".pth")) and p.name not in ("__pycache__", "bin")
    }
    assert tops == {"recassist"}, tops
