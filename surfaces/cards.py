"""Recommendation cards as HTML for the chat: title, tags, year, the explanation (growing while it
streams) and a "why?" that opens the evidence. All text is escaped: item text is data, never markup."""

from __future__ import annotations

from html import escape

from assistant.agent import Pick

CSS = """
.rec-cards { display: flex; flex-direction: column; gap: 8px; margin-top: 6px; }
.rec-card { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px; }
.rec-card .rec-title { font-weight: 600; }
.rec-card .rec-meta { color: #57606a; font-size: 0.85em; }
.rec-card .rec-why summary { cursor: pointer; color: #0969da; font-size: 0.85em; }
"""


def render(message: str, picks: list[Pick], texts: dict[int, str]) -> str:
    """The assistant's chat message: its summary line and one card per pick (`texts`: explanations so far)."""
    cards = []
    for index, pick in enumerate(picks):
        item = pick.item
        meta = " · ".join(x for x in (", ".join(item.tags), str(item.year) if item.year else "") if x)
        evidence = "".join(f"<li>{escape(r.kind.replace('_', ' '))}: {escape(r.label)}</li>" for r in pick.reasons)
        cards.append(
            f'<div class="rec-card" data-item-id="{escape(item.item_id)}">'
            f'<div class="rec-title">{index + 1}. {escape(item.title)}</div>'
            f'<div class="rec-meta">{escape(meta)}</div>'
            f'<div class="rec-explanation">{escape(texts.get(index, "…"))}</div>'
            f'<details class="rec-why"><summary>why?</summary><ul>{evidence or "<li>your history as a whole</li>"}</ul></details>'
            "</div>"
        )
    return f"<p>{escape(message)}</p>" + (f'<div class="rec-cards">{"".join(cards)}</div>' if cards else "")
