"""The embeddable widget: `/widget.js` and `/widget.css` (plain JS and CSS in
`recassist/surfaces/static/`, no build step, no outside request), and `/widget`, a demo page that
embeds it with the one script tag a site uses:

    <script src="https://HOST/widget.js" data-key="pk_..." async></script>

The script draws a floating button and a compact chat panel in a shadow DOM, streams cards from
`POST /api/v1/chat` and sends thumbs up / down / not interested to `POST /api/v1/feedback`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response

STATIC = Path(__file__).parent / "static"
ASSETS = {"widget.js": "text/javascript; charset=utf-8", "widget.css": "text/css; charset=utf-8"}

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>recassist widget demo</title>
  <style>
    body { font-family: Georgia, serif; margin: 0; background: #faf7f2; color: #2b2118; }
    header { background: #2b2118; color: #faf7f2; padding: 1rem 2rem; }
    main { max-width: 760px; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }
  </style>
</head>
<body>
  <header><strong>Corner Video</strong> · films since 1987</header>
  <main>
    <h1>Tonight's picks</h1>
    <p>This page stands for any site. The chat button in the corner is recassist's widget, added with one
    script tag; its panel lives in a shadow DOM, so this page's styles do not reach it.</p>
  </main>
  <script src="/widget.js" data-title="Film finder" data-greeting="Hi! Tell me what you feel like watching." async></script>
</body>
</html>
"""


def add_widget(api: FastAPI) -> None:
    """Serve the widget's files (cached by browsers for 5 minutes, loadable from any page) and the
    demo."""
    files = {name: (STATIC / name).read_bytes() for name in ASSETS}
    headers = {
        "Cache-Control": "public, max-age=300",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }

    def asset(name: str):
        def serve() -> Response:
            return Response(files[name], media_type=ASSETS[name], headers=headers)

        return serve

    for name in ASSETS:
        api.add_api_route(f"/{name}", asset(name), methods=["GET"], include_in_schema=False)

    @api.get("/widget", response_class=HTMLResponse, include_in_schema=False)
    def widget_page() -> str:
        return PAGE
