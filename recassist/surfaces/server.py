"""The HTTP server around the app: uvicorn, configured to shed slow and spoofed clients.

- **Header timeout**: a connection must send a request's complete headers within
  `api.header_timeout_s` of opening (or of its previous response); else it is closed. uvicorn has no
  such limit of its own (its keep-alive timer stops at the first byte), so `SlowHeadersProtocol`
  adds one to its h11 protocol.
- **Body timeout**: each body chunk within `api.body_timeout_s`, else 408
  (`security.SecurityMiddleware`).
- **Concurrency**: at most `api.max_connections` connections and tasks at once; past that uvicorn
  answers 503 (`limit_concurrency`). Headers are at most `api.max_header_bytes` (h11's limit).
- **Proxies**: `X-Forwarded-For` / `-Proto` are read only from `api.trusted_proxies` (none by
  default, where uvicorn would trust 127.0.0.1), so a client cannot choose the address its rate
  bucket is keyed on.
"""

from __future__ import annotations

import asyncio

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from recassist.settings import ApiConfig


class SlowHeadersProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request headers are late."""

    header_timeout_s = 10.0  # set per server by `protocol_for`

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        cycle = self.cycle  # a request whose headers arrive makes a new cycle
        self.loop.call_later(self.header_timeout_s, self._headers_late, cycle)

    def _headers_late(self, cycle) -> None:
        waiting = self.cycle is cycle and self.conn.their_state is h11.IDLE
        if waiting and not self.transport.is_closing():
            self.transport.close()


def protocol_for(config: ApiConfig) -> type[SlowHeadersProtocol]:
    """`SlowHeadersProtocol` with this app's header timeout."""
    return type(
        "AppHttpProtocol", (SlowHeadersProtocol,), {"header_timeout_s": config.header_timeout_s}
    )


def server_config(app, config: ApiConfig, host: str, port: int, **more) -> uvicorn.Config:
    """The uvicorn configuration `recassist serve` runs `app` with (and the tests start)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_for(config),
        timeout_keep_alive=config.keep_alive_s,
        limit_concurrency=config.max_connections,
        h11_max_incomplete_event_size=config.max_header_bytes,
        proxy_headers=bool(config.trusted_proxies),
        forwarded_allow_ips=list(config.trusted_proxies),
        **more,
    )
