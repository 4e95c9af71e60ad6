"""Load the graph into a running triple store, and pull a CONSTRUCT result out of one.

A push is atomic from the user's view. The triples go first into a fresh *staging* graph, in batches,
through the SPARQL 1.1 Graph Store HTTP Protocol (``--graph-store``) or, for stores without it, through
SPARQL Update ``INSERT DATA``. The staging graph's triple count is checked, and only then does one
SPARQL Update request replace the target graph (``MOVE``) or add to it (``ADD``). A failure while
loading therefore leaves the target as it was, and the error names the staging graph that may hold a
part of the data. The stores that run each update request in one transaction (Oxigraph, Fuseki,
GraphDB, Neptune) apply the final ``MOVE`` whole or not at all.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .auth import Credentials, Opener
from .dataset import GRAPH_IRI
from .errors import EndpointError, KgtoolError
from .results import Term
from .web import Unreachable, check_url, send

STAGING_PREFIX = "urn:kgtool:staging:"
DEFAULT_BATCH = 5000  # triples per request: about 1 MB of N-Triples
DEFAULT_TIMEOUT = 60.0  # seconds for one request

Progress = Callable[[str], None]


class PushError(KgtoolError):
    """A push failed; the message says at which step, what the target holds and what was left behind."""


@dataclass(frozen=True)
class PushReport:
    target: str
    triples: int  # triples sent
    before: int  # triples in the target before
    after: int  # triples in the target after
    batches: int
    method: str  # "the Graph Store Protocol" or "SPARQL Update"
    seconds: float


def update_endpoint_for(endpoint: str) -> str:
    """The SPARQL Update URL that goes with a query URL: ``.../query`` -> ``.../update`` (Oxigraph,
    Fuseki); other stores take updates at the query URL (Virtuoso, Neptune) unless told otherwise."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.path.endswith("/query"):
        return urllib.parse.urlunsplit(parts._replace(path=parts.path[: -len("query")] + "update"))
    return endpoint


@dataclass(frozen=True)
class Destination:
    """A store's target graph, checked and counted by :func:`connect`: what :func:`push` loads into."""

    store: _Store
    target: str
    before: int  # the target's triples when it was counted


def connect(
    endpoint: str,
    *,
    target: str = GRAPH_IRI,
    update_endpoint: str | None = None,
    graph_store: str | None = None,
    credentials: Credentials = Credentials(),
    timeout: float = DEFAULT_TIMEOUT,
) -> Destination:
    """The named graph ``target`` of the store whose SPARQL query URL is ``endpoint``, ready for :func:`push`.
    The target's IRI is checked and its triples counted here, so that a wrong URL or password is reported
    before any work on the graph."""
    if not _ABSOLUTE_IRI.match(target):
        raise PushError(f"the target graph must be an absolute IRI such as {GRAPH_IRI}, not {target!r}")
    update_endpoint = update_endpoint or update_endpoint_for(check_url(endpoint))
    client = _Client(credentials, timeout, [u for u in (endpoint, update_endpoint, graph_store) if u])
    store = _Store(client, endpoint, update_endpoint, graph_store)
    try:
        before = store.count(target)
    except EndpointError as err:
        raise PushError(f"cannot read the target graph <{target}>, nothing was changed: {err}") from err
    return Destination(store, target, before)


def push(
    triples: list,
    destination: Destination,
    *,
    add: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    advance: Callable[[int], None] | None = None,
) -> PushReport:
    """Load ``triples`` (as :func:`kgtool.export.select_triples` gives them) into ``destination``: replace
    its content (``add=False``) or add to it, in batches of ``batch_size`` triples. See the module's
    documentation for the steps. ``progress`` receives a message per step; ``advance``, when given, the
    triples of each batch sent (for a progress bar, which then replaces the message per batch)."""
    say = progress or (lambda message: None)
    if not triples:
        raise PushError("nothing to push: the graph is empty")
    if batch_size < 1:
        raise PushError("the batch size must be at least 1")
    store, target, before = destination.store, destination.target, destination.before
    started = time.monotonic()
    expected = len(triples)
    staging = STAGING_PREFIX + uuid.uuid4().hex
    batches = _batches(triples, batch_size)
    method = "the Graph Store Protocol" if store.graph_store else "SPARQL Update"
    say(
        f"pushing {expected:,} triples to <{target}> ({before:,} there now) in {len(batches)} "
        f"batch{'es' if len(batches) != 1 else ''} through {method}, staged in <{staging}>"
    )

    sent = 0
    for number, (count, batch) in enumerate(batches, 1):
        try:
            store.load(staging, batch, first=number == 1)
        except EndpointError as err:
            raise _failed(
                store,
                staging,
                target,
                f"loading batch {number} of {len(batches)} into the staging graph failed "
                f"after {sent:,} of {expected:,} triples",
                err,
            ) from err
        sent += count
        if advance is not None:
            advance(count)
        else:
            say(f"staged {sent:,} of {expected:,} triples (batch {number} of {len(batches)})")

    try:
        staged = store.count(staging)
    except EndpointError as err:
        raise _failed(store, staging, target, "counting the staged triples failed", err) from err
    if staged != expected:
        raise _failed(store, staging, target, f"the staging graph holds {staged:,} triples instead of {expected:,}")
    say(f"verified the staging graph: {staged:,} triples; {'adding them to' if add else 'replacing'} <{target}>")

    verb = "ADD" if add else "MOVE"
    operation = f"{verb} {_iri(staging)} TO {_iri(target)}"
    try:
        store.update(operation)
    except Unreachable as err:
        raise _failed(store, staging, target, f"the {verb} request could not be sent", err) from err
    except EndpointError as err:
        raise PushError(
            f"the final {verb} into <{target}> did not complete as far as kgtool can tell: {err}. Stores that run "
            f"each update in one transaction (Oxigraph, Fuseki, GraphDB, Neptune) applied it whole or not at all: "
            f"if the target does not hold the new data, it is still in the staging graph <{staging}>; run "
            f"`{operation}` yourself, or remove it with `DROP SILENT GRAPH <{staging}>`. A store that is only slow "
            f"gets longer with --request-timeout (now {store.client.timeout:g} s)"
        ) from err
    try:
        if add:
            missing = store.count_missing(staging, target)
            if missing:
                raise PushError(
                    f"after the ADD, {missing:,} staged triples are missing from <{target}>; "
                    f"the staging graph <{staging}> was kept for inspection"
                )
            store.update(f"DROP SILENT GRAPH {_iri(staging)}")
        after = store.count(target)
    except EndpointError as err:
        raise PushError(
            f"the data was {'added to' if add else 'moved into'} <{target}>, but checking it failed: {err}"
        ) from err
    if not add and after != expected:
        raise PushError(f"after the MOVE, <{target}> holds {after:,} triples instead of {expected:,}")
    say(f"verified <{target}>: {after:,} triples")
    return PushReport(target, expected, before, after, len(batches), method, time.monotonic() - started)


_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def _iri(value: str) -> str:
    """An IRI in SPARQL syntax, escaped so that it cannot end early and become query text."""
    return Term("uri", value).n3()


def _failed(store: _Store, staging: str, target: str, what: str, cause: Exception | None = None) -> PushError:
    """The error for a failure before the target was touched: says so, and cleans up the staging graph
    when the store still answers (or says how to, when it does not)."""
    message = f"push failed: {what}" + (f": {cause}" if cause else "")
    message += f". The target graph <{target}> was not changed."
    try:
        store.update(f"DROP SILENT GRAPH {_iri(staging)}")
        message += f" The staging graph <{staging}> was removed."
    except EndpointError:
        message += (
            f" The staging graph <{staging}> may hold part of the data; once the store answers again, "
            f"remove it with: DROP SILENT GRAPH <{staging}>"
        )
    return PushError(message)


def _batches(triples: list, size: int) -> list[tuple[int, bytes]]:
    """The triples (sorted, each once) as N-Triples, in batches of ``size`` (count, text): the same batches
    every time. The triples with blank nodes all go in the first batch: a blank node label names the same
    node only within one request."""
    import pyoxigraph as ox

    blank = ox.BlankNode
    with_blank: list[str] = []
    plain: list[str] = []
    for t in triples:
        (with_blank if type(t.subject) is blank or type(t.object) is blank else plain).append(f"{t} .\n")
    groups = ([with_blank] if with_blank else []) + [plain[i : i + size] for i in range(0, len(plain), size)]
    return [(len(group), "".join(group).encode("utf-8")) for group in groups]


# ---------------------------------------------------------------------------------------------
# the store's three services


class _Store:
    def __init__(self, client: _Client, endpoint: str, update_endpoint: str, graph_store: str | None):
        self.client, self.endpoint = client, endpoint
        self.update_endpoint, self.graph_store = update_endpoint, graph_store

    def count(self, graph: str) -> int:
        return self._number(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}")

    def count_missing(self, staging: str, target: str) -> int:
        return self._number(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_iri(staging)} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH {_iri(target)} {{ ?s ?p ?o }} }} }}"
        )

    def _number(self, query: str) -> int:
        body = self.client.request(
            "POST",
            self.endpoint,
            urllib.parse.urlencode({"query": query}).encode(),
            "application/x-www-form-urlencoded",
            accept="application/sparql-results+json",
        )
        try:
            bindings = json.loads(body)["results"]["bindings"]
            return int(bindings[0]["n"]["value"]) if bindings else 0
        except (ValueError, KeyError, IndexError, TypeError) as err:
            preview = body[:80].decode("utf-8", errors="replace")
            raise EndpointError(
                f"{self.endpoint} did not answer a COUNT query with SPARQL JSON results: {preview!r}"
            ) from err

    def update(self, operation: str) -> None:
        self.client.request(
            "POST",
            self.update_endpoint,
            urllib.parse.urlencode({"update": operation}).encode(),
            "application/x-www-form-urlencoded",
        )

    def load(self, graph: str, ntriples: bytes, first: bool) -> None:
        if self.graph_store:
            # PUT creates the staging graph (replacing any leftover of the same name), POST adds to it
            separator = "&" if "?" in self.graph_store else "?"
            url = f"{self.graph_store}{separator}{urllib.parse.urlencode({'graph': graph})}"
            self.client.request("PUT" if first else "POST", url, ntriples, "application/n-triples")
        else:
            self.update(f"INSERT DATA {{ GRAPH {_iri(graph)} {{\n{ntriples.decode('utf-8')}}} }}")


class _Client:
    """HTTP within a total deadline per request, with the credentials (:func:`kgtool.web.send`)."""

    def __init__(self, credentials: Credentials, timeout: float, urls: list[str]):
        for url in urls:
            check_url(url)
        self.timeout = timeout
        self.auth = Opener(credentials, urls)

    def request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> bytes:
        request = urllib.request.Request(url, data=body, method=method)
        if content_type:
            request.add_header("Content-Type", content_type)
        if accept:
            request.add_header("Accept", accept)
        return send(request, self.auth, timeout=self.timeout)[0]


# ---------------------------------------------------------------------------------------------
# pull


@dataclass(frozen=True)
class PullReport:
    triples: int
    size: int
    path: str


def pull(
    endpoint: str,
    query: str,
    out: str | Path,
    *,
    fmt: str | None = None,
    params: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    max_bytes: int = 64 * 1024 * 1024,
    credentials: Credentials = Credentials(),
) -> PullReport:
    """Run the CONSTRUCT or DESCRIBE ``query`` (a name, a .rq file or SPARQL text) on ``endpoint``,
    within ``timeout`` seconds in all and ``max_bytes`` of answer, and write the triples to ``out``
    (atomically) in ``fmt`` (by default the one the file name implies)."""
    from . import export
    from .files import output_target

    fmt = export.format_for(out, fmt)
    output_target(out)  # refused before the query is sent, not after
    where = {"endpoint": endpoint, "timeout": timeout, "max_bytes": max_bytes, "credentials": credentials}
    triples = export.construct_triples(query, params, **where)
    return PullReport(len(triples), export.write(None, fmt, out, triples), str(out))
