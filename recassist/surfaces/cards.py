"""Recommendation cards as HTML for the chat: title, tags, year, length, the explanation (growing
while it streams) and a "why?" that opens the evidence. All text is escaped: item text is data,
never markup. Cards use the system font stack (as the widget does): the UI theme's web font has no
bold capitals on an offline machine, which the browser then drew in a smaller fallback."""

from __future__ import annotations

import re
from html import escape

from recassist.assistant.events import Card, SponsoredCard
from recassist.trust.sanitise import sanitise

CSS = """
.rec-cards { display: flex; flex-direction: column; gap: 8px; margin-top: 6px; }
.rec-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
.rec-card .rec-title { font-weight: 600; }
.rec-card .rec-meta { color: #57606a; font-size: 0.85em; }
.rec-card .rec-why summary { cursor: pointer; color: #0969da; font-size: 0.85em; }
.rec-card .rec-id { display: none; }
.rec-card.sponsored { background: #fffdf5; }
.rec-card .rec-label { font-size: 0.75em; font-weight: 700; text-transform: uppercase; color: #7d4e00; }
"""


def _text(value: str) -> str:
    """Shown text: through the one sanitiser (recassist.trust.sanitise), then escaped."""
    return escape(sanitise(value))


def render(
    message: str,
    cards: list[Card],
    texts: dict[int, str],
    *,
    done: bool = False,
    sponsored: SponsoredCard | None = None,
) -> str:
    """The assistant's chat message: its summary line and one card per pick (`texts`: explanations
    so far). `done` marks the finished answer (class `done`, else `streaming`), which pages and
    tests can wait for. (Gradio's sanitizer drops data attributes, so state and ids travel as
    classes and hidden spans.)"""
    html = []
    for index, item in enumerate(cards):
        length = f"{item.minutes} min" if item.minutes else ""  # the film's own, where known
        year = str(item.year) if item.year else ""
        meta = " · ".join(x for x in (", ".join(item.tags), year, length) if x)
        evidence = "".join(
            f"<li>{_text(r.kind.replace('_', ' '))}: {_text(r.label)}</li>" for r in item.evidence
        )
        html.append(
            f'<div class="rec-card"><span class="rec-id">{escape(item.item_id)}</span>'
            f'<div class="rec-title">{index + 1}. {_text(item.display_title)}</div>'
            f'<div class="rec-meta">{_text(meta)}</div>'
            f'<div class="rec-explanation">{_text(texts.get(index, "…"))}</div>'
            f'<details class="rec-why"><summary>why?</summary><ul>{evidence or "<li>your history as a whole</li>"}</ul></details>'
            "</div>"
        )
    if sponsored is not None:
        label = sponsored.label + (" · synthetic demo ad" if sponsored.synthetic else "")
        html.append(
            f'<div class="rec-card sponsored"><span class="rec-label">{_text(label)}</span>'
            f'<div class="rec-title">{_text(sponsored.title)}</div>'
            f'<div class="rec-meta">{_text(sponsored.advertiser)} · {_text(", ".join(sponsored.tags))}</div>'
            f'<div class="rec-explanation">{_text(sponsored.text)}</div>'
            f'<details class="rec-why"><summary>why this ad?</summary>{_text(sponsored.why)}</details></div>'
        )
    state = "done" if done else "streaming"
    return f'<p>{_text(message)}</p><div class="rec-cards {state}">{"".join(html)}</div>'


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def plain(text: str) -> str:
    """A user's own message as the chat shows it: literal text, so that markdown images and links in
    it are neither rendered nor fetched, and HTML in it is just characters."""
    return escape(_MARKDOWN.sub(r"\\\1", text), quote=False)
