"""Real servers on loopback for the scale-out tests: a process that can be started, killed and
started again.

`chroma run` and llama.cpp's OpenAI-compatible server (tests/scaleout_llm_server.py) each run in a
process of their own on a free 127.0.0.1 port, so a test can SIGKILL one mid-use and bring it back
on the same port with the same data, as an operator's restart would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.background import free_port

READY_WAIT_S = 300  # a bound on the wait for a server to answer, not a performance limit


class ServerProcess:
    """`argv` as a process; ready when `ready()` says so (by default: `health_url` answers 200).

    The one start-and-wait of the test servers: the scale-out servers here and the state servers
    (PostgreSQL, Redis, HAProxy in tests/state_servers.py, ready when their port listens)."""

    wait_s = READY_WAIT_S
    poll_s = 0.2
    new_session = False  # True: its own process group, so a Ctrl-C of the tests does not reach it

    def __init__(
        self,
        argv: list[str],
        health_url: str,
        log: Path,
        env: dict[str, str] | None = None,
        user: str | None = None,
    ) -> None:
        self.argv, self.health_url, self.log, self.env = argv, health_url, log, env
        self.user = user
        self.process: subprocess.Popen | None = None

    def ready(self) -> bool:
        try:
            return httpx.get(self.health_url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                self.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(self.env or {})},
                user=self.user,
                start_new_session=self.new_session,
            )
        deadline = time.monotonic() + self.wait_s
        while not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"{self.argv[:3]} did not start:\n{self.log.read_text()[-3000:]}"
                )
            time.sleep(self.poll_s)

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM kill would end it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def chroma_server(folder: Path) -> tuple[ServerProcess, str]:
    """`chroma run` on a free port, persisting to `folder`; returns the process (not started) and
    its URL."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    argv = [
        str(chroma),
        "run",
        "--path",
        str(folder / "chroma-server"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    url = f"http://127.0.0.1:{port}"
    return ServerProcess(
        argv,
        f"{url}/api/v2/heartbeat",
        folder / "chroma-server.log",
        {"ANONYMIZED_TELEMETRY": "False"},
    ), url


def llm_server(model: Path, folder: Path, threads: int = 2) -> tuple[ServerProcess, str]:
    """llama.cpp's OpenAI-compatible server for `model` on a free port; returns it (not started) and
    its /v1 URL."""
    port = free_port()
    argv = [sys.executable, "-m", "tests.scaleout_llm_server", str(model), str(port), str(threads)]
    url = f"http://127.0.0.1:{port}"
    return ServerProcess(argv, f"{url}/health", folder / "llm-server.log"), f"{url}/v1"
