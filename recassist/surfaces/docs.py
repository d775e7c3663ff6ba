"""`/docs`: Swagger UI for the REST API from local files, never a CDN, so the page works offline and
under a strict Content-Security-Policy.

The files come from the `swagger-ui-py` package, which ships Swagger UI 5: FastAPI writes an OpenAPI
3.1 document, and Swagger UI reads 3.1 only from version 5 on (the 4.15 of `swagger-ui-bundle`
showed "Unable to render this definition")."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def swagger_ui_files() -> Path:
    """The folder of Swagger UI's own files (swagger-ui-bundle.js, swagger-ui.css) in
    `swagger-ui-py`."""
    import swagger_ui

    return Path(swagger_ui.__file__).parent / "static"


def add_local_docs(api: FastAPI) -> None:
    """Mount Swagger UI's files under /docs/assets and serve /docs from them (create the app with
    `docs_url=None, redoc_url=None`)."""
    api.mount(ASSETS, StaticFiles(directory=swagger_ui_files()), name="swagger-ui")

    @api.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=api.openapi_url or "/openapi.json",
            title=f"{api.title} · API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
