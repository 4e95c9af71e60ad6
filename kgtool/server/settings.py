"""The endpoint's settings, in a module of their own so that importing them loads no web library."""

from __future__ import annotations

from dataclasses import dataclass

from .. import guard


@dataclass(frozen=True)
class Settings:
    """How the endpoint behaves.

    ``timeout``: seconds per request, waiting for a worker included. ``workers``: how many queries may
    run at once, long ones included; ``reserve``: workers beyond those, kept for short queries;
    ``slow_after``: seconds after which a query counts as long. ``max_result_bytes``: the largest
    answer; ``worker_memory_mb``: each worker's memory ceiling. ``cors_origins``: the origins allowed to
    read answers from a browser (none: no CORS headers at all). Updates need ``allow_update`` and an
    ``update_token``, which clients send as ``Authorization: Bearer``. ``public_url``: where clients
    reach the server (behind a proxy), named in its self-descriptions; by default the address it listens
    on, never the request's Host header. ``client_timeout``: seconds a client has to send a whole
    request, from connecting or from the first byte of the request. ``max_parameters``: the most URL
    (or form) parameters a request may have.
    """

    timeout: float = 10.0
    max_result_bytes: int = 16 * 1024 * 1024
    max_query_bytes: int = guard.MAX_QUERY_BYTES
    max_depth: int = guard.MAX_DEPTH
    workers: int = 2
    reserve: int = 1
    slow_after: float = 0.5
    worker_memory_mb: int | None = None  # None: scaled to the data (see kgtool.server.pool.memory_for)
    cors_origins: tuple[str, ...] = ()
    allow_update: bool = False
    update_token: str | None = None
    public_url: str | None = None
    client_timeout: float = 10.0
    max_parameters: int = 100

    @property
    def max_body_bytes(self) -> int:
        return 4 * self.max_query_bytes  # room for a query that form encoding made up to three times longer

    @property
    def max_url_bytes(self) -> int:
        return 3 * self.max_query_bytes + 4096  # a percent-encoded query of the largest size, and the rest
