"""llama.cpp's own OpenAI-compatible HTTP server (shipped in xllamacpp) on loopback, as a process to
kill.

`python -m tests.scaleout_llm_server MODEL.gguf PORT [THREADS]` serves `/v1/chat/completions` and
`/health` on 127.0.0.1:PORT until it is terminated. The integration tests start it in a second
process so they can kill it mid-turn and start it again.
"""

from __future__ import annotations

import signal
import sys
import threading


def main(model: str, port: int, threads: int = 2) -> None:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = 2048
    params.n_parallel = 1
    params.cache_ram_mib = (
        256  # llama.cpp's default (8 GiB of saved prompt caches) is far too much here
    )
    params.endpoint_slots = True  # GET /slots: whether the model is generating, and how far it got
    params.verbosity = -1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    server = xllamacpp.Server(params)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sys.stdout.write(f"listening on {server.listening_address}\n")
    sys.stdout.flush()
    stop.wait()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 2)
