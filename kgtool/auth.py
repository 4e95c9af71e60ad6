"""HTTP credentials for remote stores, shared by the commands that write (push) and read (query, pull, viz...).

``--user``/``--password`` are sent as HTTP Basic with the first request, so a large body is not sent
twice; when the store refuses them and asks for Digest (Virtuoso's ``/sparql-auth``), the request is
answered again with Digest, and Digest is used from then on. ``--token`` is a bearer token. The
variables KGTOOL_USER, KGTOOL_PASSWORD and KGTOOL_TOKEN keep them off the command line.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import urllib.request


@dataclass(frozen=True)
class Credentials:
    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __bool__(self) -> bool:
        return self.user is not None or self.token is not None


@functools.cache
def _digest_handler() -> type:
    """urllib's Digest handler class, made on first use: every command imports this module for its
    credentials, and a local query should not load the HTTP libraries."""
    import urllib.request

    class Digest(urllib.request.HTTPDigestAuthHandler):
        """urllib's Digest handler, which also remembers the store's last challenge: later requests carry
        their answer up front. A store that closes the connection on a 401 (Virtuoso) would otherwise
        break off a large request body before the challenge could be answered."""

        challenge: str | None = None

        def retry_http_digest_auth(self, req, auth):
            self.challenge = auth
            return super().retry_http_digest_auth(req, auth)

        def answer(self, request: urllib.request.Request) -> str | None:
            if self.challenge is None:
                return None
            parts = urllib.request.parse_http_list(self.challenge.split(" ", 1)[1])
            fields = urllib.request.parse_keqv_list([part for part in parts if part])
            answer = self.get_authorization(request, fields)
            return f"Digest {answer}" if answer else None

    return Digest


class Opener:
    """Sends requests with the credentials: Basic up front, Digest when the store asks for it, or a bearer
    token. ``send(request, handlers)`` does the exchange itself (:func:`kgtool.web.exchange`), with the
    urllib handlers given."""

    def __init__(self, credentials: Credentials, urls: list[str]):
        self.credentials = credentials
        self.basic: str | None = None
        self.digest = None  # the Digest handler (see _digest_handler), once there is a user
        if credentials.user is not None:
            import base64
            import urllib.request

            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, urls, credentials.user, credentials.password or "")
            self.digest = _digest_handler()(passwords)
            token = f"{credentials.user}:{credentials.password or ''}".encode()
            self.basic = "Basic " + base64.b64encode(token).decode("ascii")

    def send(self, request: urllib.request.Request, send):
        import urllib.error

        if self.credentials.token:
            request.add_unredirected_header("Authorization", f"Bearer {self.credentials.token}")
            return send(request, ())
        if self.digest is None:
            return send(request, ())
        header = self.basic or self.digest.answer(request)
        if header:
            request.add_unredirected_header("Authorization", header)
        try:
            return send(request, (self.digest,))
        except urllib.error.HTTPError as err:
            # Virtuoso answers a Basic header it does not take with a bare 401 and no challenge:
            # asked again without it, it sends its Digest challenge, which the Digest handler answers
            if err.code != 401 or self.basic is None:
                raise
            err.close()
            self.basic = None
            request.unredirected_hdrs.pop("Authorization", None)
            return send(request, (self.digest,))
