"""uvicorn's h11 protocol with a deadline for receiving each request.

uvicorn closes a keep-alive connection that stays idle after an answer, but not one that was opened
and never sent a request, nor one that sends its request a byte at a time: enough of those hold every
file descriptor of the server. Here a client has ``client_timeout`` seconds, from connecting (or from
the first byte of its next request), to send the whole request, head and body; then the connection is
closed.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def with_client_timeout(client_timeout: float) -> type[H11Protocol]:
    """The protocol class to give uvicorn (``http=``), closing connections that are slower than that."""

    class ClientTimeoutProtocol(_ClientTimeoutProtocol):
        pass

    ClientTimeoutProtocol.client_timeout = client_timeout
    return ClientTimeoutProtocol


class _ClientTimeoutProtocol(H11Protocol):
    client_timeout: float = 10.0
    _receiving: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._start_clock()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        owes_more = self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing()
        if owes_more:
            if self._receiving is None:  # the first byte of a request: its clock starts
                self._start_clock()
        else:
            self._stop_clock()

    def connection_lost(self, exc) -> None:
        self._stop_clock()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        self._stop_clock()  # the keep-alive timeout of uvicorn takes over until the next request starts
        super().on_response_complete()

    def _start_clock(self) -> None:
        self._stop_clock()
        self._receiving = self.loop.call_later(self.client_timeout, self._too_slow)

    def _stop_clock(self) -> None:
        if self._receiving is not None:
            self._receiving.cancel()
            self._receiving = None

    def _too_slow(self) -> None:
        self._receiving = None
        if not self.transport.is_closing():
            self.transport.close()
