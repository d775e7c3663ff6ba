"""PostgreSQL, Redis and HAProxy from Debian's packages on loopback, for the multi-replica tests and
the replicas benchmark: each a process that can be started, crashed and started again on the same
port with the same data, as an operator's restart would. Nothing is assumed to be running; each
server lives in a temp folder and is stopped by its owner.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.background import free_port
from tests.scaleout_servers import ServerProcess

READY_WAIT_S = 60  # a bound on the wait for a server to listen, not a performance limit
PG_BIN = Path("/usr/lib/postgresql")


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _pg_bin(name: str) -> str:
    """A PostgreSQL server program: on PATH, else Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(PG_BIN.glob(f"*/bin/{name}"))
    if not versions:
        raise RuntimeError(f"{name} not found: apt-get install postgresql (make test does)")
    return str(versions[-1])


class LocalServer(ServerProcess):
    """`argv` as one process (run as `user` when given), ready when its port accepts connections;
    started, stopped and killed as `ServerProcess` does."""

    wait_s = READY_WAIT_S
    poll_s = 0.1
    new_session = True

    def __init__(self, argv: list[str], port: int, log: Path, user: str | None = None) -> None:
        super().__init__(argv, f"tcp://127.0.0.1:{port}", log, user=user)
        self.port = port

    def ready(self) -> bool:
        return _listening(self.port)

    def crash(self, sig: int = signal.SIGKILL) -> None:
        """End it abruptly (`sig`), and wait until its port is free."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=READY_WAIT_S)
        deadline = time.monotonic() + READY_WAIT_S
        while _listening(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)


class Postgres(LocalServer):
    """A PostgreSQL cluster made by `initdb` in a temp folder, owned by the `postgres` user when
    this runs as root (initdb refuses root). `url` is its SQLAlchemy URL; `crash` is an immediate
    shutdown (SIGQUIT: no checkpoint, WAL replay at the next start, as after a crash)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="recassist-pg-"))
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            shutil.chown(self.folder, user)
        data, port = self.folder / "data", free_port()
        subprocess.run(
            [_pg_bin("initdb"), "-D", str(data), "-U", "recassist", "--auth=trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
            user=user,
        )
        argv = [
            _pg_bin("postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(self.folder),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "max_connections=200",
            "-c",
            "fsync=on",
        ]
        super().__init__(argv, port, self.folder / "postgres.log", user)
        self.url = f"postgresql+psycopg://recassist@127.0.0.1:{port}/postgres"

    def crash(self, sig: int = signal.SIGQUIT) -> None:
        super().crash(sig)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def redis_server(folder: Path) -> LocalServer:
    """Redis on a free loopback port, nothing saved to disk; `url` via `redis_url`."""
    port = free_port()
    argv = [
        shutil.which("redis-server") or "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
    ]
    return LocalServer(argv, port, folder / "redis.log")


def redis_url(server: LocalServer) -> str:
    return f"redis://127.0.0.1:{server.port}/0"


DEPLOY_CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "haproxy.cfg"


def haproxy(folder: Path, backends: list[int]) -> LocalServer:
    """HAProxy with deploy/haproxy.cfg (round-robin, no stickiness, health-checked on /healthz; each
    response names its replica in `X-Replica`), bound to a free loopback port over `backends`."""
    port = free_port()
    lines = [
        line
        for line in DEPLOY_CONFIG.read_text().splitlines()
        if not line.strip().startswith("server ")
    ]
    lines = [
        f"    bind 127.0.0.1:{port}" if line.strip().startswith("bind ") else line for line in lines
    ]
    lines += [
        f"    server r{i + 1} 127.0.0.1:{p} check inter 1s fall 3 rise 1"
        for i, p in enumerate(backends)
    ]
    path = folder / "haproxy.cfg"
    path.write_text("\n".join(lines).replace("hdr Host localhost", "hdr Host 127.0.0.1") + "\n")
    argv = [shutil.which("haproxy") or "haproxy", "-db", "-f", str(path)]
    return LocalServer(argv, port, folder / "haproxy.log")
