"""The app served for real on loopback, asked over HTTP and through gradio_client from this process."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from tests.conftest import SLICE


@pytest.fixture(scope="module")
def server(settings, indexed_slice):
    import uvicorn

    from app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(settings, SLICE), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not instance.started:
        assert time.time() < deadline, "the app did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def test_health_and_page(server) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok", "dataset": SLICE}
    page = httpx.get(f"{server}/")
    assert page.status_code == 200 and "gradio" in page.text


def test_profile_through_gradio_client(server, settings, indexed_slice) -> None:
    from gradio_client import Client

    from retrieval.data.store import DatasetStore

    ds = DatasetStore(settings.data_dir).load(SLICE)
    user = ds.interactions["user_id"].value_counts().index[0]
    history, nearest = Client(server, verbose=False).predict(user, api_name="/profile")
    titles = {row[1] for row in history["data"]}
    assert len(history["data"]) == 15 and titles <= set(ds.items["title"])
    seen = set(ds.interactions.loc[ds.interactions["user_id"] == user, "item_id"])
    shown = [row[0] for row in nearest["data"]]
    assert len(shown) == 10 and not seen & set(shown)
