"""`recassist serve` in a child process on a free loopback port, ready once `/healthz` answers: for
the suite, the benchmarks and scripts that drive the app from outside, as its users do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path


class ServeError(RuntimeError):
    """`recassist serve` started in the background exited or did not answer in time; the message
    carries the end of its log."""


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_in_background(
    dataset: str,
    log: Path,
    env: Mapping[str, str] | None = None,
    *,
    ready_s: float = 300,
    port: int | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start `recassist serve --dataset <dataset>` with `env` added to this process's environment,
    its output in `log`; return the process and its URL once `/healthz` answers. The caller stops it
    (`stop`)."""
    import httpx

    port = port or free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "recassist", "serve", "--dataset", dataset, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + ready_s
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise ServeError(
                f"recassist serve did not start; the end of {log}:\n{log.read_text()[-3000:]}"
            )
        time.sleep(1)


def stop(process: subprocess.Popen, wait_s: float = 20) -> None:
    """Stop a server started by `serve_in_background`: politely, then by force."""
    process.terminate()
    try:
        process.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        process.kill()
