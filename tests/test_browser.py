"""A real browser (Debian's headless Chromium, driven by Playwright) on the Gradio UI's chat."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOT = Path(__file__).resolve().parents[1] / ".recassist" / "screenshots" / "ui.png"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
]


def _cards(frame) -> list[dict]:
    """Title, item id and explanation of each card in the latest answer."""
    return (
        frame.locator(".bot-row")
        .last.locator(".rec-card")
        .evaluate_all(
            """cards => cards.map(c => ({id: c.querySelector('.rec-id').textContent,
                                    title: c.querySelector('.rec-title').innerText,
                                    explanation: c.querySelector('.rec-explanation').innerText}))"""
        )
    )


def _ask(frame, text: str) -> None:
    before = frame.locator(".bot-row").count()
    frame.locator("#rec-message textarea").wait_for(timeout=60_000)
    frame.locator("#rec-send").wait_for(timeout=60_000)
    frame.locator("#rec-message textarea").fill(text)
    frame.locator("#rec-send").click()
    frame.locator(".bot-row").nth(before).wait_for(timeout=60_000)


def _wait_explained(frame, timeout_s: int = 600) -> list[dict]:
    """Wait until the latest answer is finished, then return its cards (each must have an
    explanation)."""
    frame.locator(".bot-row").last.locator(".rec-cards.done").wait_for(timeout=timeout_s * 1000)
    cards = _cards(frame)
    assert cards and all(c["explanation"] and c["explanation"] != "…" for c in cards), cards
    return cards


def _wait_ready(url: str, timeout_s: float = 600) -> None:
    """Wait until /readyz says the model is warm (200)."""
    import time

    import httpx

    deadline = time.monotonic() + timeout_s
    while httpx.get(f"{url}/readyz", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "the model did not warm up in time"
        time.sleep(2)


@pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"
)
def test_ui_chat_streams_explained_cards_and_thumbs_down_removes_the_item(live_server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto(f"{live_server}/")
            frame = page
            frame.locator(".bot-row").first.wait_for(timeout=120_000)  # the demo user's greeting
            # as a new user: the slice's most active demo user has seen nearly all of its 150 items
            page.get_by_label("Chat as").click()
            page.get_by_role("option", name="a new user").click()
            page.get_by_role("button", name="Start a new conversation").click()
            frame.locator(".bot-row").get_by_text("Tell me what you like").wait_for(timeout=120_000)
            _wait_ready(live_server)  # while the model warms up, answers are instant templates
            _ask(frame, "something like Toy Story but for adults")
            frame.locator(".rec-card").first.wait_for(timeout=600_000)
            streaming = frame.locator(".bot-row").last.locator(".rec-cards.streaming").count()
            cards = _wait_explained(frame)
            assert (
                len(cards) >= 3 and streaming == 1
            )  # cards were on screen before the answer was finished
            assert not any("Children" in c["title"] for c in cards)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT))

            first = cards[0]
            frame.locator("#rec-dislike").click()  # the item selector starts on the first card
            frame.locator("#rec-status").get_by_text("Thumbs down for").wait_for(timeout=30_000)
            _ask(frame, "more like these please")
            frame.locator(".bot-row").last.locator(".rec-card").first.wait_for(timeout=120_000)
            after = _wait_explained(frame)
            assert first["id"] not in [c["id"] for c in after]
        finally:
            browser.close()


QUEUE_SCREENSHOT = SCREENSHOT.with_name("ui-queued.png")


NO_CHROMIUM = "Debian's chromium is not installed (make test installs it)"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=NO_CHROMIUM)
def test_a_message_sent_while_an_answer_streams_is_queued_and_answered_next(
    live_server: str,
) -> None:
    """As in the widget: the second message shows as sent (queued) while the first answer streams,
    the box is not erased under the user's typing, and the second is answered after the first."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 1400})
            page.goto(f"{live_server}/")
            page.locator(".bot-row").first.wait_for(timeout=120_000)
            page.get_by_label("Chat as").click()
            page.get_by_role("option", name="a new user").click()
            page.get_by_role("button", name="Start a new conversation").click()
            page.locator(".bot-row").get_by_text("Tell me what you like").wait_for(timeout=120_000)
            box = page.locator("#rec-message textarea")
            box.fill("recommend 3 comedies")
            page.locator("#rec-send").click()
            page.locator(".rec-card").first.wait_for(timeout=600_000)  # explanations still to come
            box.fill("now 2 dramas")
            page.locator("#rec-send").click()
            page.get_by_text("queued: answered next").wait_for(timeout=30_000)
            page.screenshot(path=str(QUEUE_SCREENSHOT))
            box.fill("half-typed")  # the streaming answer must not erase what is being typed
            page.locator(".bot-row").nth(2).locator(".rec-cards.done").wait_for(timeout=600_000)
            assert page.get_by_text("queued: answered next").count() == 0
            users = page.locator(".user-row").all_inner_texts()
            assert [u.strip() for u in users[-2:]] == ["recommend 3 comedies", "now 2 dramas"]
            assert box.input_value() == "half-typed"
            tags = page.locator(".bot-row").nth(2).locator(".rec-card").all_inner_texts()
            assert tags and all("Drama" in t for t in tags), tags
        finally:
            browser.close()
