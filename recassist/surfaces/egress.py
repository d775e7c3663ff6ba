"""Where text leaves the app: JSON responses and server-sent events, each through the one sanitiser.

`SanitisedJSONResponse` is the FastAPI app's default response class, so every route's JSON (the REST
API, the ads and audiences APIs, errors) passes `recassist.trust.sanitise.sanitise_payload`; `sse`
writes a chat event the same way. Identifiers (`sanitise.KEEP`) are sent as they are.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse

from recassist.trust.sanitise import sanitise_payload


class SanitisedJSONResponse(JSONResponse):
    """JSONResponse whose content is sanitised before it is rendered."""

    def render(self, content: Any) -> bytes:
        return super().render(sanitise_payload(content))


def sse(event) -> str:
    """A turn event as a server-sent event: named by its type, its other fields as sanitised
    JSON."""
    return f"event: {event.type}\ndata: {json.dumps(sanitise_payload(event.data()))}\n\n"
