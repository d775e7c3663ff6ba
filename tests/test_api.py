"""The REST API and the Gradio API of a real `recassist serve` running in a second process."""

from __future__ import annotations

import json

import httpx
import pytest

from recassist.data.store import DatasetStore
from tests.conftest import SLICE


@pytest.fixture(scope="module")
def slice_data(settings):
    return DatasetStore(settings.data_dir).load(SLICE)


def test_health_pages_and_openapi(live_server: str) -> None:
    assert httpx.get(f"{live_server}/healthz").json() == {"status": "ok", "dataset": SLICE}
    ready = httpx.get(f"{live_server}/readyz")  # 503 "warming up" until the model is warm
    assert (ready.status_code, ready.json()["status"]) in ((200, "ready"), (503, "warming up"))
    assert "gradio" in httpx.get(f"{live_server}/").text
    assert '<script src="/widget.js"' in httpx.get(f"{live_server}/widget").text
    assert (
        httpx.get(f"{live_server}/widget.js").headers["content-type"].startswith("text/javascript")
    )
    paths = httpx.get(f"{live_server}/openapi.json").json()["paths"]
    assert {"/api/v1/recommend", "/api/v1/chat", "/api/v1/feedback", "/api/v1/items/search"} <= set(
        paths
    )


def test_recommend_for_a_known_user_and_for_tastes(live_server: str, slice_data) -> None:
    user = slice_data.interactions["user_id"].value_counts().index[0]
    seen = set(slice_data.interactions.loc[slice_data.interactions["user_id"] == user, "item_id"])
    body = httpx.post(
        f"{live_server}/api/v1/recommend",
        json={"user_id": user, "k": 5, "exclude_tags": ["drama"]},
        timeout=60,
    ).json()
    assert body["user_known"] and len(body["items"]) == 5
    for item in body["items"]:
        assert item["item_id"] not in seen and "Drama" not in item["tags"]
        assert item["explanation"] and item["explanation_source"] == "template" and item["evidence"]
    cold = httpx.post(
        f"{live_server}/api/v1/recommend",
        json={"tastes": "funny animated films for kids", "k": 3},
        timeout=60,
    ).json()
    assert not cold["user_known"] and len(cold["items"]) == 3
    assert any({"Animation", "Children's", "Comedy"} & set(i["tags"]) for i in cold["items"])


def test_tastes_over_rest_go_by_the_titles_they_name(live_server: str, slice_data) -> None:
    """ "I loved <title>" sent as a new user's tastes is read as the chat reads it: the title is a
    seed, so picks cite it (people who liked it, its sequel, its director) and it is not picked;
    a filter the body sets still holds."""
    seed = slice_data.interactions["item_id"].value_counts().index[0]
    title = slice_data.items.set_index("item_id").loc[seed, "title"]
    body = httpx.post(
        f"{live_server}/api/v1/recommend",
        json={"tastes": f"I loved {title}, what else?", "k": 5, "exclude_tags": ["horror"]},
        timeout=60,
    ).json()
    seeded = {"co_liked", "sequel", "prequel", "same_director", "same_writer", "shared_cast"}
    assert seed not in {i["item_id"] for i in body["items"]}
    assert sum(bool(seeded & {e["kind"] for e in i["evidence"]}) for i in body["items"]) >= 3
    assert all("Horror" not in i["tags"] for i in body["items"])


def test_a_childs_age_in_tastes_over_rest_is_who_the_films_are_for(live_server: str) -> None:
    """ "I'm 12, something funny" as a new user's tastes: the chat gives children's comedies, and
    so does the API (a kind in tastes ranks; who the films are for filters)."""
    body = httpx.post(
        f"{live_server}/api/v1/recommend",
        json={"tastes": "I'm 12, something funny", "k": 5},
        timeout=60,
    ).json()
    assert body["items"] and all("Children's" in i["tags"] for i in body["items"]), body


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"k": 0}, 422, "greater than or equal to 1"),
        ({"tastes": "x", "exclude_tags": ["Horor"]}, 422, "unknown tag 'Horor'"),
        ({"user_id": "nobody-at-all"}, 404, "unknown user_id"),
        ({"tastes": "x", "year_min": 2000, "year_max": 1990}, 422, "year_min is after year_max"),
        ({"tastes": "x", "minutes_min": 120, "minutes_max": 90}, 422, "minutes_min is more than"),
        ({"tastes": "x", "minutes_max": 0}, 422, "greater than or equal to 1"),
        ({"tastes": "x", "minutes_max": 601}, 422, "less than or equal to 600"),
        ({"tastes": "x", "minutes_max": "long"}, 422, "minutes_max"),
        ({"tastes": "x", "colour": "red"}, 422, "colour"),
    ],
)
def test_bad_requests_say_what_to_change(
    live_server: str, body: dict, status: int, fragment: str
) -> None:
    response = httpx.post(f"{live_server}/api/v1/recommend", json=body, timeout=30)
    assert response.status_code == status and fragment in response.text


def test_oversized_body_is_refused(live_server: str) -> None:
    response = httpx.post(
        f"{live_server}/api/v1/chat",
        content=b"{" + b" " * 70_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413 and "over the limit" in response.json()["detail"]


def _events(response: httpx.Response) -> list[tuple[str, dict]]:
    events = []
    for block in response.text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_chat_streams_events_and_feedback_changes_the_next_answer(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=300) as client:
        first = _events(client.post("/api/v1/chat", json={"message": "recommend 3 comedies"}))
        kinds = [k for k, _ in first]
        assert kinds[0] == "session" and kinds[1] == "plan" and kinds[-1] == "done"
        assert "picks" in kinds and kinds.count("explanation") == 3 and "token" in kinds
        session_id = first[0][1]["session_id"]
        items = first[-1][1]["items"]
        assert len(items) == 3 and all("Comedy" in i["tags"] for i in items)
        disliked = items[0]["item_id"]
        ok = client.post(
            "/api/v1/feedback",
            json={"session_id": session_id, "item_id": disliked, "feedback": "dislike"},
        )
        assert ok.json() == {
            "recorded": True,
            "duplicate": False,
            "session_id": session_id,
            "note": None,
        }
        second = _events(
            client.post(
                "/api/v1/chat", json={"session_id": session_id, "message": "more comedies please"}
            )
        )
        assert second[0][1]["session_id"] == session_id
        assert disliked not in [i["item_id"] for i in second[-1][1]["items"]]
        expired = client.post(
            "/api/v1/feedback", json={"session_id": "nope", "item_id": disliked, "feedback": "like"}
        )
        assert expired.status_code == 200 and "expired" in expired.json()["note"]
        assert expired.json()["session_id"] not in ("nope", session_id)


def test_search(live_server: str) -> None:
    params = {"q": "space", "exclude_tags": ["Comedy"], "k": 5}
    items = httpx.get(f"{live_server}/api/v1/items/search", params=params, timeout=30).json()[
        "items"
    ]
    assert len(items) == 5 and all("Comedy" not in i["tags"] for i in items)


def test_search_by_length(live_server: str) -> None:
    """A length bound over REST: the served slice knows no film's length (its sources are
    ML-100k's), so none is shown, never a film that may break the bound; a bound no film can
    meet is refused."""
    url = f"{live_server}/api/v1/items/search"
    assert httpx.get(url, params={"minutes_max": 120}, timeout=30).json()["items"] == []
    refused = httpx.get(url, params={"minutes_min": 120, "minutes_max": 90}, timeout=30)
    assert refused.status_code == 422 and "minutes_min is more than" in refused.text


def test_gradio_client_from_another_process(live_server: str) -> None:
    from gradio_client import Client

    client = Client(f"{live_server}/", verbose=False)
    _box, history, _choices = client.predict(
        "recommend 2 westerns or comedies", [], api_name="/chat"
    )
    content = history[-1]["content"]
    reply = (
        content if isinstance(content, str) else "".join(part.get("text", "") for part in content)
    )
    assert "rec-card" in reply and reply.count('class="rec-card"') == 2


def test_main_ui_starts_as_a_demo_user_with_history_and_nearest_items(
    live_server: str, slice_data
) -> None:
    from gradio_client import Client

    user = slice_data.interactions["user_id"].value_counts().index[0]
    _chat, recent, nearest = Client(f"{live_server}/", verbose=False).predict(
        user, "", api_name="/start"
    )
    titles = set(slice_data.items["title"])
    assert len(recent["data"]) == 10 and {row[0] for row in recent["data"]} <= titles
    seen = set(
        slice_data.items.set_index("item_id").loc[
            slice_data.interactions.loc[slice_data.interactions["user_id"] == user, "item_id"],
            "title",
        ]
    )
    assert len(nearest["data"]) == 8 and not {row[0] for row in nearest["data"]} & seen


def test_a_new_users_first_chat_message_over_rest_is_their_tastes(live_server: str) -> None:
    """The widget's surface gets the assistant's rule too: a new user's first words are tastes."""
    with httpx.Client(base_url=live_server, timeout=300) as client:
        first = {"message": "I like space adventures with robots"}
        events = _events(client.post("/api/v1/chat", json=first))
    done = events[-1][1]
    assert events[-1][0] == "done" and done["items"], events[-1]
    assert "have not shown you a list" not in done["message"]
    assert done["request"]["intent"] == "recommend"
