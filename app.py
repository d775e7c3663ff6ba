"""Stage 4, surfaces: one FastAPI application, one process, one port, one configuration.

- `/`        the Gradio UI (chat and explore);
- `/chat/`   the compact chat that other sites embed; `/widget` a demo page embedding it;
- `/api/v1`  the REST API (OpenAPI schema at `/docs`), the marketer's under `/api/v1/audiences`;
  `/healthz` a liveness check.

`create_app` does the work; importing this module does none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from recassist.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, dataset: str | None = None, progress: Callable[[str], None] = log.info):
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    from surfaces.api import build_router
    from surfaces.audiences_api import MarketerContext, build_audiences_router
    from surfaces.cards import CSS
    from surfaces.context import build_context
    from surfaces.security import LimitsMiddleware
    from surfaces.ui import build_ui
    from surfaces.widget import CHAT_PATH, add_widget_page, build_widget

    name = dataset or settings.dataset
    ctx = build_context(settings, name, progress)
    api = FastAPI(title="recassist", version="0.1.0", description="Explained recommendations; see docs/embedding.md")
    if settings.api.cors_origins:
        api.add_middleware(
            CORSMiddleware, allow_origins=settings.api.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-API-Key"],
        )
    api.add_middleware(LimitsMiddleware, config=settings.api)
    api.include_router(build_router(ctx))
    marketing = MarketerContext.from_app(ctx)
    api.include_router(build_audiences_router(marketing, settings.api))

    @api.get("/healthz", tags=["health"])
    def healthz() -> dict:
        return {"status": "ok", "dataset": name}

    add_widget_page(api)
    api.state.context = ctx
    api = gr.mount_gradio_app(api, build_widget(ctx), path=CHAT_PATH, css=CSS)
    return gr.mount_gradio_app(api, build_ui(ctx, marketing), path="/", css=CSS)
