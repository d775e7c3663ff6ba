"""`/docs`: Swagger UI for the REST API from local files (the `swagger-ui-bundle` package), never a CDN,
so the page works offline and under a strict Content-Security-Policy."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def add_local_docs(api: FastAPI) -> None:
    """Mount Swagger UI's files under /docs/assets and serve /docs from them (create the app with
    `docs_url=None, redoc_url=None`)."""
    import swagger_ui_bundle

    api.mount(ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger-ui")

    @api.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=api.openapi_url or "/openapi.json", title=f"{api.title} · API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
