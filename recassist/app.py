"""Stage 4, surfaces: one FastAPI application, one process, one port, one configuration.

- `/`            the Gradio UI (chat, explore and the Marketer tab; admin keys);
- `/marketer`    the Marketer tab on its own page (marketer keys);
- `/widget.js`   the embeddable chat widget (one script tag); `/widget` a demo page embedding it;
- `/api/v1`      the REST API (Swagger UI from local files at `/docs`), the marketer's under
  `/api/v1/audiences`;
                 `/healthz` a liveness check; `/readyz` 200 once the model is warm, 503 before;
                 `/healthz/state` each state store's status;
- `/signin`      trades a secret API key for a cookie, so a browser can open `/`, `/marketer` and
  `/docs`.

Every path goes through `surfaces.security.SecurityMiddleware` (host, origin, key and role, rate and
size limits). `create_app` does the work; importing this module does none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from recassist.settings import Settings

log = logging.getLogger(__name__)


def create_app(
    settings: Settings, dataset: str | None = None, progress: Callable[[str], None] = log.info
):
    """The app for `dataset` (default `settings.dataset`): routes, health checks, docs, widget,
    sign-in and Gradio pages behind the security middleware; the model warms in the background."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import RedirectResponse

    from recassist.audiences.charts import load_charting
    from recassist.surfaces.ads_api import build_ads_router
    from recassist.surfaces.api import build_router, validation_error
    from recassist.surfaces.audiences_api import MarketerContext, build_audiences_router
    from recassist.surfaces.cards import CSS
    from recassist.surfaces.context import build_context
    from recassist.surfaces.docs import add_local_docs
    from recassist.surfaces.egress import SanitisedJSONResponse
    from recassist.surfaces.marketer_ui import marketer_blocks
    from recassist.surfaces.security import MARKETER_PAGE, Guard, SecurityMiddleware, add_signin
    from recassist.surfaces.ui import build_ui
    from recassist.surfaces.widget import add_widget

    name = dataset or settings.dataset
    ctx = build_context(settings, name, progress)
    load_charting()  # before the warm-up thread: a first request importing Plotly beside it deadlocked
    # the model loads and takes the explanation prompt into its parallel slots while the app starts
    ctx.assistant.warm_in_background()
    api = FastAPI(
        title="recassist",
        version="0.1.0",
        description="Explained recommendations; see docs/embedding.md",
        docs_url=None,
        redoc_url=None,
        default_response_class=SanitisedJSONResponse,
    )
    guard = Guard(settings.api, settings.state.cache_url)
    api.include_router(build_router(ctx))
    api.add_exception_handler(RequestValidationError, validation_error)
    api.include_router(build_ads_router(settings, ctx.sponsor, ctx.user_for))
    marketing = MarketerContext.from_app(ctx)
    api.include_router(build_audiences_router(marketing, settings.api))
    _add_health(api, ctx, name)
    add_local_docs(api)
    add_widget(api)
    add_signin(api, guard)
    api.state.context = ctx

    @api.get(MARKETER_PAGE, include_in_schema=False)
    def marketer_page() -> RedirectResponse:
        """The page's own address without the slash: the "/" mount would otherwise answer it with
        404."""
        return RedirectResponse(MARKETER_PAGE + "/")

    api = gr.mount_gradio_app(
        api, marketer_blocks(marketing), path=MARKETER_PAGE
    )  # before "/", which takes the rest
    api = gr.mount_gradio_app(api, build_ui(ctx, marketing), path="/", css=CSS)
    api.add_middleware(SecurityMiddleware, guard=guard)
    return api


def _add_health(api, ctx, name: str) -> None:
    """The state-down answer (503, nothing charged or stored) and the health checks: liveness,
    readiness (the model warm) and each state store's status."""
    from fastapi.responses import JSONResponse

    from recassist.errors import StateUnavailableError

    @api.exception_handler(StateUnavailableError)
    async def state_down(_request, err: StateUnavailableError):  # noqa: ANN202 - a JSONResponse
        """Paths that move money, privacy budget or feedback refuse while a state store is down."""
        log.warning("state store down: %s", err)
        detail = "a state store is not answering; nothing was charged or stored; try again shortly"
        return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "5"})

    @api.get("/healthz", tags=["health"])
    def healthz() -> dict:
        """Liveness: 200 while the process serves (the load balancer's check: chat answers while a
        state store is down)."""
        return {"status": "ok", "dataset": name}

    @api.get("/readyz", tags=["health"], response_model=None)
    def readyz():  # a JSONResponse, 503 while warming (unannotated: FastAPI would resolve the name)
        """Ready only when the model is warm; 503 "warming up" before (answers come meanwhile, with
        template explanations and a note that says why)."""
        ready = ctx.assistant.gate.ready
        return JSONResponse(
            {"status": "ready" if ready else "warming up", "dataset": name},
            status_code=200 if ready else 503,
        )

    @api.get("/healthz/state", tags=["health"], response_model=None)
    def state_health():  # noqa: ANN202 - a JSONResponse, named only inside create_app
        """Each state store's status ("ok", "memory", "down: ..."); 503 when one is down."""
        report = ctx.health()
        down = any(value.startswith("down") for value in report.values())
        return JSONResponse(report, status_code=503 if down else 200)
