"""HTTP exchanges with endpoints and stores, each within a total deadline.

urllib's timeout bounds each socket operation, not the exchange: a server that sends one byte a second
never trips it and can hold a request for as long as it likes. Here a timer shuts the connection's
socket down when the deadline passes, so whatever the client is waiting for (the connection, the
headers, the body) ends at once, and the caller gets one :class:`~kgtool.errors.EndpointError`.
"""

from __future__ import annotations

import functools
import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from typing import TYPE_CHECKING

from . import __version__
from .errors import EndpointError

if TYPE_CHECKING:
    from .auth import Opener

USER_AGENT = f"kgtool/{__version__}"
_CHUNK = 64 * 1024


def check_url(url: str) -> str:
    """``url``, if it is an http or https URL with a host; else an :class:`EndpointError` that says why.
    Endpoints and stores are reached over HTTP only: urllib would also open ``file:``, ``data:`` and
    ``ftp:`` URLs, and so read the machine's files."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (reading it checks it: a port that is not a number raises ValueError)
    except ValueError as err:
        raise EndpointError(f"{url}: not a URL ({err})") from err
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"{url}: not an http:// or https:// URL with a host; endpoints are reached over HTTP")
    return url


class _HttpRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects to http and https URLs only (urllib's own also follows one to ftp)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        try:
            check_url(urllib.parse.urljoin(req.full_url, newurl))
        except EndpointError as err:
            raise EndpointError(
                f"{req.full_url}: redirected to {newurl}, which is not followed: endpoints are reached over HTTP"
            ) from err
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Deadline:
    """The sockets of one exchange, shut down together when its time is up."""

    def __init__(self, seconds: float):
        self.seconds, self.ends = seconds, time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return max(self.ends - time.monotonic(), 0.001)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def limit_reads(self, seconds: float) -> None:
        """From now on, wait at most ``seconds`` for any one packet on the watched sockets."""
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.settimeout(seconds)
                except OSError:  # closed: the connection of a redirect
                    pass

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


if TYPE_CHECKING:  # the mixin's base for the type checker: the connection classes it is mixed into
    _ConnectionBase = http.client.HTTPConnection
else:
    _ConnectionBase = object


class _DeadlineConnect(_ConnectionBase):
    """Connects within what is left of the deadline, then has the deadline watch the socket; mixed into
    the plain and the TLS connection alike (for TLS, the watched socket is the wrapped one)."""

    def __init__(self, *args, deadline: _Deadline, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def connect(self):
        self.timeout = min(self.timeout, self.deadline.remaining()) if self.timeout else self.deadline.remaining()
        super().connect()
        # a server may work out its whole answer before it sends a byte of it (Virtuoso does): until the answer
        # begins, the deadline alone bounds the wait; exchange() then limits the wait for each packet of the body
        self.sock.settimeout(self.deadline.remaining())
        self.deadline.watch(self.sock)


class _Connection(_DeadlineConnect, http.client.HTTPConnection):
    pass


class _SecureConnection(_DeadlineConnect, http.client.HTTPSConnection):
    pass


class _Handler(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """http and https, each connection under the exchange's deadline (one handler of both kinds, so that
    urllib adds neither of its own)."""

    def __init__(self, deadline: _Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(functools.partial(_Connection, deadline=self.deadline), req)

    def https_open(self, req):
        # no context given: the connection makes the default one (certificates verified), as urllib's own does
        return self.do_open(functools.partial(_SecureConnection, deadline=self.deadline), req)


def exchange(
    request: urllib.request.Request,
    *,
    timeout: float,
    read_timeout: float | None = None,
    max_bytes: int | None = None,
    handlers: tuple = (),
) -> tuple[bytes, Message]:
    """Send ``request`` and read the whole answer within ``timeout`` seconds in all: its body and headers.

    ``read_timeout``: the longest wait for any single packet of the answer once its headers have come (default:
    ``timeout``; the wait for them is bounded by ``timeout`` alone, as the server may be at work). ``max_bytes``: the
    largest body accepted. ``handlers``: more urllib handlers (authentication). Past the deadline or the
    size, an :class:`EndpointError` naming the URL; other failures raise urllib's own exceptions
    (``HTTPError``, ``URLError``, ``OSError``...), for the caller to explain.
    """
    url = check_url(request.full_url)
    if not request.has_header("User-agent"):
        request.add_header("User-Agent", USER_AGENT)
    deadline = _Deadline(timeout)
    opener = urllib.request.build_opener(_Handler(deadline), _HttpRedirects(), *handlers)
    timer = threading.Timer(timeout, deadline.expire)
    timer.daemon = True
    timer.start()
    try:
        packet_wait = min(read_timeout or timeout, timeout)
        with opener.open(request, timeout=packet_wait) as response:
            deadline.limit_reads(packet_wait)
            chunks, size = [], 0
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise EndpointError(
                        f"{url}: the answer is larger than {max_bytes // (1024 * 1024)} MB; "
                        "narrow the query (LIMIT) or raise the size cap"
                    )
                chunks.append(chunk)
            headers = response.headers
        if deadline.expired:  # an answer without a length ends where the socket was shut: incomplete
            raise _too_slow(url, timeout)
        return b"".join(chunks), headers
    except EndpointError:
        raise
    except (OSError, http.client.HTTPException) as err:
        if deadline.expired:
            raise _too_slow(url, timeout) from err
        raise
    finally:
        timer.cancel()


class Unreachable(EndpointError):
    """The request was never received: no connection could be made."""


def send(
    request: urllib.request.Request,
    opener: Opener,
    *,
    timeout: float,
    read_timeout: float | None = None,
    max_bytes: int | None = None,
    name: str | None = None,
) -> tuple[bytes, Message]:
    """:func:`exchange` with the credentials of ``opener`` (:mod:`kgtool.auth`), every failure explained in
    one :class:`EndpointError` that names ``name`` (the request's URL by default) and keeps urllib's
    exception as its cause; :class:`Unreachable` when no connection could be made. The one HTTP client of
    queries, pulls and pushes."""
    url = name or request.full_url
    wait = min(read_timeout or timeout, timeout)
    try:
        return opener.send(
            request,
            lambda request, handlers: exchange(
                request, timeout=timeout, read_timeout=read_timeout, max_bytes=max_bytes, handlers=handlers
            ),
        )
    except EndpointError:
        raise
    except urllib.error.HTTPError as err:
        detail = " ".join(err.read(300).decode("utf-8", errors="replace").split())
        hint = "; check --user/--password or --token" if err.code in (401, 403) else ""
        raise EndpointError(f"{url}: HTTP {err.code} {err.reason}{hint}" + (f": {detail}" if detail else "")) from err
    except urllib.error.URLError as err:
        if isinstance(err.reason, TimeoutError):
            raise EndpointError(f"{url}: no answer within {wait:g} s") from err
        raise Unreachable(f"{url}: cannot connect ({getattr(err.reason, 'strerror', None) or err.reason})") from err
    except TimeoutError as err:
        raise EndpointError(f"{url}: no data for {wait:g} s") from err
    except (OSError, http.client.HTTPException) as err:
        raise EndpointError(f"{url}: the connection broke off ({type(err).__name__}: {err or 'no response'})") from err


def _too_slow(url: str, timeout: float) -> EndpointError:
    return EndpointError(f"{url}: no complete answer within {timeout:g} s")
