"""The Gradio UI: a streaming chat (as a known demo user, or a new user who describes their tastes)
with recommendation cards and feedback, and an Explore tab for catalogue search.

Each browser tab holds its own `SessionMemory` in `gr.State`, so two tabs are two independent
sessions. The chat handler is a sync generator that Gradio runs in a worker thread: the event loop
stays free while the LLM works. API names are stable for `gradio_client` / `@gradio/client`: `chat`,
`start`, `feedback`, `search`.

Messages queue, never vanish (as in the widget): Send puts the message in the tab's `Inbox` at once
(shown as sent, "queued" while an answer streams) and clears the box; one drain per tab answers the
inbox in order. The streaming answer never writes to the box, so what the user types meanwhile
stays.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd

from recassist.assistant.events import (
    Card,
    ErrorEvent,
    ExplanationEvent,
    MessageEvent,
    NoteEvent,
    PicksEvent,
    ResetEvent,
    SponsoredEvent,
    TokenEvent,
)
from recassist.assistant.session import SessionMemory
from recassist.retrieval.catalogue import Constraints, display_title
from recassist.surfaces.cards import plain, render
from recassist.surfaces.context import AppContext

NEW_USER = "a new user"
TOKEN_REDRAW_S = 0.15  # the least time between two redraws of a streaming answer for its tokens
QUEUED = "(queued: answered next)"


@dataclass
class Inbox:
    """One tab's conversation as shown and the messages waiting for an answer, in the order sent."""

    session: SessionMemory | None = None
    history: list[dict] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    running: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self) -> bool:
        """Become the tab's one drain: false when another runs or nothing waits."""
        with self.lock:
            if self.running or not self.pending:
                return False
            self.running = True
            return True

    def next_message(self) -> str | None:
        """The next waiting message, off the queue; None (and the drain ends) when none waits."""
        with self.lock:
            if self.pending:
                return self.pending.pop(0)
            self.running = False
            return None

    def shown(self) -> list[dict]:
        """The conversation, then each waiting message as sent, marked queued."""
        waiting = [{"role": "user", "content": f"{plain(m)}\n\n{QUEUED}"} for m in self.pending]
        return [*self.history, *waiting]


def enqueue(
    ctx: AppContext,
    message: str,
    history: list[dict],
    session: SessionMemory | None,
    inbox: Inbox | None,
) -> tuple:
    """Take a message at once: into the tab's inbox, shown as sent. A session `start` replaced gets
    a fresh inbox from the chat as shown. Returns (box, chat, session, inbox)."""
    session = session or ctx.assistant.new_session(None)
    inbox = inbox or Inbox()
    with inbox.lock:
        if inbox.session is not session and not inbox.running:
            inbox.session, inbox.history, inbox.pending = session, list(history or []), []
        if (message or "").strip():
            inbox.pending.append(message.strip())
        return "", inbox.shown(), session, inbox


def drain(ctx: AppContext, session: SessionMemory | None, inbox: Inbox | None) -> Iterator[tuple]:
    """Answer the inbox's messages in order, streaming each; does nothing while another drain of the
    tab runs (that one answers the message). Yields (chat, session, feedback choices)."""
    import gradio as gr

    if inbox is None or session is None or not inbox.claim():
        yield gr.skip(), gr.skip(), gr.skip()
        return
    try:
        while (message := inbox.next_message()) is not None:
            for history, session, choices in chat_turn(ctx, message, inbox.history, session):  # noqa: B020
                inbox.history = history
                yield inbox.shown(), session, choices
    finally:
        with inbox.lock:  # a drain stopped midway (the tab closed) lets the next one run
            inbox.running = False


def chat_turn(
    ctx: AppContext, message: str, history: list[dict], session: SessionMemory | None
) -> Iterator[tuple]:
    """Stream one turn: yields (chat history, session, feedback choices)."""
    if session is None:
        session = ctx.assistant.new_session(None)
    message = (message or "").strip()
    if not message:
        yield history, session, _choices(session, ctx)
        return
    history = [
        *history,
        {"role": "user", "content": plain(message)},
        {"role": "assistant", "content": "…"},
    ]
    yield history, session, _choices(session, ctx)  # the message shows at once; the answer follows
    cards: list[Card] = []
    sponsored = None
    texts: dict[int, str] = {}
    text = ""
    shown_at = 0.0
    for event in ctx.assistant.stream(session, message):
        match event:
            case MessageEvent() | ErrorEvent():
                text = event.text if isinstance(event, MessageEvent) else event.message
            case PicksEvent():  # new cards (the turn's replace the preview's): their explanations follow
                cards, texts = list(event.items), {}
            case NoteEvent():
                text = f"{text} ({event.text})"
            case TokenEvent():
                texts[event.index] = texts.get(event.index, "") + event.text
            case ResetEvent():
                texts[event.index] = ""
            case ExplanationEvent():
                texts[event.index] = event.text
            case SponsoredEvent():
                sponsored = event.card
            case _:
                continue
        if isinstance(event, TokenEvent) and time.monotonic() - shown_at < TOKEN_REDRAW_S:
            continue  # five explanations stream at once: redraw the answer at most this often for tokens
        history[-1] = {
            "role": "assistant",
            "content": render(text, cards, texts, sponsored=sponsored),
        }
        shown_at = time.monotonic()
        yield history, session, _choices(session, ctx)
    history[-1] = {
        "role": "assistant",
        "content": render(text, cards, texts, done=True, sponsored=sponsored),
    }
    yield history, session, _choices(session, ctx)


def _choices(session: SessionMemory, ctx: AppContext):
    import gradio as gr

    choices = [
        (f"{i}. {display_title(ctx.assistant.items[x].title)}", x)
        for i, x in enumerate(session.last_shown, 1)
    ]
    return gr.update(choices=choices, value=choices[0][1] if choices else None)


def feedback(ctx: AppContext, item_id: str | None, kind: str, session: SessionMemory | None):
    if session is None or not item_id:
        return session, "Pick an item first."
    ctx.record_feedback(session, item_id, kind)
    title = display_title(ctx.assistant.items[item_id].title)
    words = {"like": "Liked", "dislike": "Thumbs down for", "not_interested": "Not interested in"}[
        kind
    ]
    return session, f"{words} {title}: the next answers take it into account."


def start(ctx: AppContext, who: str, tastes: str):
    """A fresh session as a demo user (their history and the items nearest their profile shown) or
    as a new user."""
    user = None if who == NEW_USER else who
    session = ctx.assistant.new_session(user, tastes.strip() or None)
    history = (
        ctx.catalogue.history(user, n=10)
        if user
        else pd.DataFrame(columns=["title", "tags", "event", "time"])
    )
    hits = ctx.catalogue.nearest_items(user, k=8) if user else []
    nearest = pd.DataFrame(
        {
            "title": [h.metadata.get("title", "") for h in hits],
            "similarity": [round(1 - h.distance, 3) for h in hits],
        }
    )
    greeting = (
        f"Hi! I know your history ({len(ctx.catalogue.history_ids(user))} items). Ask me for something."
        if user
        else "Hi! Tell me what you like, e.g. 'something like Toy Story but for adults'."
    )
    shown = history[
        ["title", "tags", "event", "time"]
    ].assign(  # narrow enough for the side column
        tags=history["tags"].astype(str).str.replace("|", ", ", regex=False),
        time=history["time"].astype(str).str[:10],
    )
    return session, [{"role": "assistant", "content": greeting}], shown, nearest


def chat_panel(ctx: AppContext, *, compact: bool = False):
    """The chat with its feedback controls; returns (chatbot, textbox, session state)."""
    import gradio as gr

    session = gr.State(None)
    inbox = gr.State(None)
    # no label: the floating "recassist" tag sat over the first card (the page heading names the
    # app)
    chatbot = gr.Chatbot(
        label="recassist",
        show_label=False,
        height=420 if compact else 560,
        sanitize_html=True,
        elem_id="rec-chat",
    )
    with gr.Row():
        box = gr.Textbox(
            placeholder="Ask for recommendations: 'something like Alien but funnier', 'not horror', 'why the second?'",
            show_label=False,
            scale=5,
            elem_id="rec-message",
        )
        send = gr.Button("Send", variant="primary", scale=1, elem_id="rec-send")
    with gr.Row():
        item = gr.Dropdown(label="Item", choices=[], scale=3, elem_id="rec-item")
        up = gr.Button("Like", scale=1, elem_id="rec-like")
        down = gr.Button("Dislike", scale=1, elem_id="rec-dislike")
        skip = gr.Button("Not interested", scale=1, elem_id="rec-not-interested")
    status = gr.Markdown(elem_id="rec-status")

    def turn(message, history, state):
        for out in chat_turn(ctx, message, history or [], state):
            yield ("", *out)

    def answer(state, waiting):
        yield from drain(ctx, state, waiting)

    for trigger in (box.submit, send.click):
        trigger(
            lambda m, h, s, i: enqueue(ctx, m, h, s, i),
            [box, chatbot, session, inbox],
            [box, chatbot, session, inbox],
            queue=False,
            api_name=False,
            trigger_mode="multiple",
        ).then(answer, [session, inbox], [chatbot, session, item], api_name=False)
    # one whole turn for API clients (`gradio_client`): a message in; the box, chat, choices out
    api_turn = gr.Button(visible=False)
    api_turn.click(turn, [box, chatbot, session], [box, chatbot, session, item], api_name="chat")
    for button, kind in ((up, "like"), (down, "dislike"), (skip, "not_interested")):
        button.click(
            lambda i, s, k=kind: feedback(ctx, i, k, s),
            [item, session],
            [session, status],
            api_name="feedback" if kind == "like" else False,
        )
    return chatbot, box, session


def build_ui(ctx: AppContext, marketing=None):
    """The app's tabs; with a `surfaces.audiences_api.MarketerContext`, a Marketer tab too."""
    import gradio as gr

    with gr.Blocks(title="recassist") as ui:
        gr.Markdown(
            f"# recassist\nExplained recommendations from **{ctx.dataset.name}**, on this machine."
        )
        with gr.Tab("Chat"):
            _chat_tab(ctx, ui)
        with gr.Tab("Explore"):
            _explore_tab(ctx)
        if marketing is not None:
            from recassist.surfaces.marketer_ui import marketer_tab

            with gr.Tab("Marketer"):
                marketer_tab(marketing)
    return ui


def _demo_users(ctx: AppContext, most: int = 200) -> tuple[dict[str, int], str]:
    """Up to `most` demo users across the whole range of activity, most active first, each with
    the size of their history; and the one chosen at first, the most typical (the listed median):
    the most active has rated so much (737 of ML-100k's 1,682 films) that a request for horror
    from the 70s finds nothing they have not rated."""
    everyone = ctx.catalogue.users()
    step = max(1, -(-len(everyone) // most))  # rounded up: the least active are listed too
    listed = {u: len(ctx.catalogue.history_ids(u)) for u in everyone[::step]}
    sizes = sorted(listed.values())
    middle = sizes[len(sizes) // 2] if sizes else 0
    return listed, min(listed, key=lambda u: abs(listed[u] - middle), default=NEW_USER)


def _chat_tab(ctx: AppContext, ui) -> None:
    """Who to chat as (a demo user or a new one with tastes), their history and nearest items,
    and the chat panel; a new conversation starts on load and on the button."""
    import gradio as gr

    listed, first = _demo_users(ctx)
    demo_users = [(f"user {u[:9]}… · {n} items", u) for u, n in listed.items()]
    with gr.Row():
        with gr.Column(scale=1):
            who = gr.Dropdown(
                choices=[(NEW_USER, NEW_USER), *demo_users], value=first, label="Chat as"
            )
            tastes = gr.Textbox(label="A new user's tastes (optional)", lines=2)
            begin = gr.Button("Start a new conversation")
            # wrapped, with the title narrower, so the narrow column shows every column
            history = gr.Dataframe(
                label="History",
                interactive=False,
                wrap=True,
                column_widths=["36%", "28%", "14%", "22%"],
            )
            nearest = gr.Dataframe(
                label="Nearest to the profile (vector store)",
                interactive=False,
                wrap=True,
                column_widths=["75%", "25%"],
            )
        with gr.Column(scale=3):
            chatbot, _box, session = chat_panel(ctx)
    begin.click(
        lambda w, t: start(ctx, w, t),
        [who, tastes],
        [session, chatbot, history, nearest],
        api_name="start",
    )
    ui.load(
        lambda w, t: start(ctx, w, t),
        [who, tastes],
        [session, chatbot, history, nearest],
        api_name=False,
    )


def _explore_tab(ctx: AppContext) -> None:
    """Catalogue search: text, tags in and out, years, the most minutes (a film of unknown
    length is left out by it); nearest items within the filters."""
    import gradio as gr

    with gr.Row():
        query = gr.Textbox(label="Search the catalogue", scale=3)
        include = gr.Dropdown(ctx.assistant.tags.tags, multiselect=True, label="With tags", scale=2)
        exclude = gr.Dropdown(
            ctx.assistant.tags.tags, multiselect=True, label="Without tags", scale=2
        )
    with gr.Row():
        year_min = gr.Number(label="From year", precision=0)
        year_max = gr.Number(label="To year", precision=0)
        most = gr.Number(label="At most minutes long", precision=0)
        go = gr.Button("Search", variant="primary")
    results = gr.Dataframe(interactive=False)

    def search(q, inc, exc, lo, hi, minutes):
        tags = frozenset(inc or []), frozenset(exc or [])
        constraints = Constraints(*tags, _year(lo), _year(hi), minutes_max=_year(minutes))
        picks = ctx.assistant.search(q or "", constraints, 30)
        return pd.DataFrame(
            [
                {
                    "title": display_title(p.item.title),
                    "tags": ", ".join(p.item.tags),
                    "year": p.item.year,
                    "minutes": p.item.minutes,
                    "similarity": round(p.score, 3) if q else None,
                }
                for p in picks
            ]
        )

    inputs = [query, include, exclude, year_min, year_max, most]
    go.click(search, inputs, results, api_name="search")
    query.submit(search, inputs, results, api_name=False)


def _year(value) -> int | None:
    """A positive whole number from a number box (a year, minutes), else None."""
    return int(value) if value not in (None, "") and value == value and value > 0 else None
