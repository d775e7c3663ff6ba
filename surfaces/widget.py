"""The embeddable chat: a compact Gradio app at `/chat/`, and `/widget`, a plain HTML page that embeds it
twice, as an iframe and as Gradio's `<gradio-app>` web component. Everything is served by recassist
itself (the web component's script comes from the installed gradio package), so it works offline."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from surfaces.context import AppContext

CHAT_PATH = "/chat"
ASSETS_PATH = "/gradio-frontend"

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>recassist widget demo</title>
  <script type="module" src="{assets}/gradio.js"></script>
  <style>
    body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 980px; color: #1f2328; }}
    .frame {{ width: 100%; height: 760px; border: 1px solid #d0d7de; border-radius: 8px; }}
  </style>
</head>
<body>
  <h1>A shop page that embeds recassist</h1>
  <p>The chat below is recassist's widget in an <code>&lt;iframe&gt;</code>, served by the recassist process.</p>
  <iframe id="recassist-iframe" class="frame" src="{chat}/" title="recassist chat"></iframe>
  <h2>As a web component</h2>
  <p>The same chat as Gradio's <code>&lt;gradio-app&gt;</code> element, its script served locally.</p>
  <gradio-app src="{base}{chat}/"></gradio-app>
</body>
</html>
"""


def build_widget(ctx: AppContext):
    import gradio as gr

    from surfaces.ui import chat_panel

    with gr.Blocks(title="recassist chat") as widget:
        chat_panel(ctx, compact=True)
    return widget


def add_widget_page(api: FastAPI) -> None:
    import gradio

    frontend = Path(gradio.__file__).parent / "templates" / "frontend"
    api.mount(ASSETS_PATH, StaticFiles(directory=frontend), name="gradio-frontend")

    @api.get("/widget", response_class=HTMLResponse, include_in_schema=False)
    def widget_page(request: Request) -> str:
        base = str(request.base_url).rstrip("/")
        return PAGE.format(assets=ASSETS_PATH, chat=CHAT_PATH, base=base)
