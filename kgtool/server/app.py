"""The HTTP app: the SPARQL 1.1 Protocol at /sparql, the query page at /query, entity pages at
/resource/<slug>, the ontology at /ontology, the VoID description at /.well-known/void, and the pages
for people of :mod:`.site` (home, search, resource index, charts, graph).

Every query, the server's own included, runs in a worker process of the pool (:mod:`.pool`) under a
deadline; the event loop only reads requests and passes bytes on. The URL is bounded (length and number
of parameters) before anything parses it, and the guard (:mod:`kgtool.guard`) reads a long query text on a
thread, so that no request keeps the loop from answering others (a short one on the loop, which is quicker).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import json
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__, guard
from ..errors import KgtoolError
from ..namespaces import KGR, PREFIXES
from ..results import QueryResult, Term
from ..sparql import Engine
from . import description, media, pages
from .pool import QueryTimeout, ServerBusy, WorkerAnswerError, WorkerDied, WorkerPool
from .settings import Settings
from .site import Site

if TYPE_CHECKING:
    import jinja2

log = logging.getLogger("kgtool.server")

# vis-network, served from the installed pyvis package (never from a CDN)
VIS_FILES = {"vis-network.min.js": "application/javascript", "vis-network.css": "text/css"}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


class Problem(Exception):
    """An answer that is an error: a status, a one-line message, extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def create_app(data, settings: Settings | None = None, on_ready: Callable[[str], None] | None = None) -> Starlette:
    """The app, serving ``data``: a pyoxigraph Store or an rdflib Graph/Dataset, already loaded, or the
    folder of a persistent store (a :class:`~pathlib.Path`), which every worker opens read-only.

    Nothing starts until the app's lifespan begins (uvicorn, or a TestClient used as a context
    manager): the data is then written to a temporary N-Quads file and the worker processes load it;
    then ``on_ready`` is called with what the workers say of their network ("isolated", or why not).
    """
    settings = settings or Settings()
    if settings.allow_update and not settings.update_token:
        raise KgtoolError("updates need a bearer token: none was given")
    endpoint = _Endpoint(data, settings, on_ready)
    site = endpoint.site
    # every address the server answers; the first that matches a request wins (/resource/ before
    # /resource/{slug}, the files under /static/app and /static/vendor before the /static folder)
    addresses = {
        "/": site.home,
        "/search": site.search,
        "/search/terms": site.terms,
        "/compare": site.compare_page,
        "/resource/": site.index,
        "/resource/{slug:path}": endpoint.resource,
        "/ontology": endpoint.ontology,
        "/charts": site.charts_page,
        "/charts/{kind:str}.{fmt:str}": site.chart_file,
        "/graph": site.graph_page,
        "/query": endpoint.query_page,
        "/queries": endpoint.query_list,
        "/queries/{name:str}.rq": endpoint.query_text,
        "/.well-known/void": endpoint.void,
        "/static/app/{name:str}": site.asset,
        "/static/vendor/{name:str}": endpoint.vendor_file,
    }
    routes = [Route(path, answer, methods=["GET"]) for path, answer in addresses.items()] + [
        Route("/sparql", endpoint.sparql, methods=["GET", "POST"]),
        Route("/graph/results", site.results_network, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("kgtool.server", "static")]), name="static"),
    ]
    middleware = [
        Middleware(_SecurityHeaders),
        Middleware(_UrlLimits, max_bytes=settings.max_url_bytes, max_parameters=settings.max_parameters),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type"],
                allow_credentials=False,
            )
        )
    # each handler takes the exception class it is registered for (Starlette's type says Exception)
    handlers: dict[Any, Any] = {Problem: _problem, HTTPException: _http_error, Exception: _internal_error}
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=endpoint.lifespan,
        exception_handlers=handlers,
    )
    app.state.endpoint = endpoint
    return app


# ---------------------------------------------------------------------------------------------
# errors: a status and one line of text, never a traceback


async def _problem(request: Request, exc: Problem) -> Response:
    return PlainTextResponse(exc.message + "\n", exc.status, headers=exc.headers)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    return PlainTextResponse(f"{exc.detail}\n", exc.status_code, headers=exc.headers)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("error while answering %s %s", request.method, request.url.path, exc_info=exc)
    return PlainTextResponse("internal error: the server could not answer this request\n", 500)


def _as_problem(err: KgtoolError) -> Problem:
    if isinstance(err, guard.QueryTooLarge):
        return Problem(413, str(err))
    if isinstance(err, guard.ForbiddenOperation):
        return Problem(403, str(err))
    if isinstance(err, ServerBusy):
        return Problem(503, str(err), {"Retry-After": "5"})
    if isinstance(err, QueryTimeout):
        return Problem(504, str(err))
    if isinstance(err, WorkerDied):
        return Problem(422, str(err))
    if isinstance(err, WorkerAnswerError) and err.kind == "too-large":
        return Problem(422, str(err))
    return Problem(400, str(err))  # a syntax error, a failed evaluation, a bad parameter...


class _SecurityHeaders:
    """Adds headers that keep browsers from sniffing types, framing the pages or running foreign scripts."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _UrlLimits:
    """Refuses a URL longer than ``max_bytes`` (414) or with more than ``max_parameters`` parameters (400)
    before anything parses it: both checks are linear in the URL's length."""

    def __init__(self, app, max_bytes: int, max_parameters: int):
        self.app, self.max_bytes, self.max_parameters = app, max_bytes, max_parameters

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            query = scope.get("query_string", b"")
            size = len(scope.get("raw_path") or scope["path"].encode()) + len(query) + (1 if query else 0)
            parameters = query.count(b"&") + 1 if query else 0
            refusal = None
            if size > self.max_bytes:
                refusal = PlainTextResponse(
                    f"the URL is {size:,} bytes long; the limit is {self.max_bytes:,} bytes "
                    "(send a long query with POST)\n",
                    414,
                )
            elif parameters > self.max_parameters:
                refusal = PlainTextResponse(
                    f"the URL has {parameters:,} parameters; the limit is {self.max_parameters:,}\n", 400
                )
            if refusal is not None:
                return await refusal(scope, receive, send)
        await self.app(scope, receive, send)


# ---------------------------------------------------------------------------------------------


class _Endpoint:
    def __init__(self, data, settings: Settings, on_ready: Callable[[str], None] | None = None):
        self.settings, self.on_ready = settings, on_ready
        self._data = data  # handed to the workers at start-up, then dropped
        self.pool: WorkerPool | None = None
        self.policy = guard.Policy(
            max_bytes=settings.max_query_bytes, max_depth=settings.max_depth, allow_update=settings.allow_update
        )
        self.directory: Path | None = None
        self._stats: tuple[int, description.DatasetStats] | None = None
        self._templates: jinja2.Environment | None = None
        self.site = Site(self)

    @contextlib.asynccontextmanager
    async def lifespan(self, app):
        with tempfile.TemporaryDirectory(prefix="kgtool-serve-") as directory:
            self.directory = Path(directory)
            if isinstance(self._data, Path):  # a persistent store: the workers share its files
                dump = self._data
                graphs = await run_in_threadpool(_store_graphs, dump)
            else:
                dump = self.directory / "data.nq"
                graphs = await run_in_threadpool(_write_nquads, self._data, dump)
            self._data = None
            self.policy = dataclasses.replace(self.policy, graphs=frozenset(graphs))
            self.pool = WorkerPool(
                dump,
                workers=self.settings.workers,
                reserve=self.settings.reserve,
                slow_after=self.settings.slow_after,
                memory_mb=self.settings.worker_memory_mb,
            )
            await self.pool.start()
            if self.on_ready is not None:
                self.on_ready(self.pool.network)
            try:
                yield
            finally:
                await self.pool.close()

    # -- running queries -------------------------------------------------------------------------

    async def run(
        self,
        text: str,
        *,
        solutions: str | None = "json",
        graph: str | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        capped: bool = True,
    ) -> tuple[dict, bytes]:
        """Run a query in a worker; ``solutions`` and ``graph`` are the format keys acceptable for each
        kind of answer; ``capped``: held to the largest answer a client may get (the server's own queries
        for its pages are not). Errors are raised as :class:`Problem`."""
        request = {
            "op": "query",
            "text": text,
            "max_bytes": self.settings.max_result_bytes if capped else None,
            "solutions_format": media.SOLUTION_FORMATS[solutions][1] if solutions else None,
            "graph_format": media.GRAPH_FORMATS[graph][1] if graph else None,
            "default_graphs": default_graphs or None,
            "named_graphs": named_graphs or None,
        }
        try:
            return await self.running_pool().run(request, self.settings.timeout)
        except WorkerAnswerError as err:
            if err.kind == "not-acceptable":
                offered = media.SOLUTION_FORMATS if err.header.get("kind") != "graph" else media.GRAPH_FORMATS
                raise Problem(
                    406,
                    "the Accept header allows none of the formats this answer can be sent in: "
                    + ", ".join(t.split(";")[0] for t, _ in offered.values()),
                ) from err
            raise _as_problem(err) from err
        except KgtoolError as err:
            raise _as_problem(err) from err

    async def select(self, text: str) -> list[dict[str, Term]]:
        """The rows of one of the server's own queries (labels, a page's facts), whatever their size."""
        _, body = await self.run(text, capped=False)
        document = json.loads(body)
        return [{v: Term.from_json(t) for v, t in b.items()} for b in document["results"]["bindings"]]

    def running_pool(self) -> WorkerPool:
        assert self.pool is not None, "the pool is started with the app (its lifespan)"
        return self.pool

    async def stats(self) -> description.DatasetStats:
        generation = self.running_pool().generation
        if self._stats is None or self._stats[0] != generation:
            self._stats = (generation, await description.dataset_stats(self.select))
        return self._stats[1]

    # -- /sparql ---------------------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        fields = await self._protocol_fields(request)
        queries, updates = fields.get("query", []), fields.get("update", [])
        if len(queries) + len(updates) > 1:
            raise Problem(400, "give one query (or one update) per request")
        if updates:
            if request.method != "POST":
                raise Problem(400, "send updates with POST (application/sparql-update, or update=... as a form)")
            return await self._update(request, updates[0], fields)
        if not queries:
            if request.method == "POST":
                raise Problem(400, "no query: send it as the `query` form field or as an application/sparql-query body")
            return await self._service_description(request)
        text = queries[0]
        default_graphs, named_graphs = fields.get("default-graph-uri", []), fields.get("named-graph-uri", [])
        try:
            await _checked(
                guard.check_query, text, self.policy, default_graphs=default_graphs, named_graphs=named_graphs
            )
        except guard.QueryRefused as err:
            raise _as_problem(err) from err
        solutions, graph = media.from_format_parameter(fields.get("format", []) + fields.get("output", []))
        accept = request.headers.get("accept")
        solutions = solutions or media.negotiate(accept, media.SOLUTION_TYPES)
        graph = graph or media.negotiate(accept, media.GRAPH_TYPES)
        header, body = await self.run(
            text, solutions=solutions, graph=graph, default_graphs=default_graphs, named_graphs=named_graphs
        )
        key = graph if header["kind"] == "graph" else solutions
        assert key is not None  # a format was agreed on, or the worker refused the query as not acceptable
        media_type = (media.GRAPH_FORMATS if header["kind"] == "graph" else media.SOLUTION_FORMATS)[key][0]
        return Response(body, media_type=media_type, headers={"Vary": "Accept"})

    async def _protocol_fields(self, request: Request) -> dict[str, list[str]]:
        """The protocol's parameters: from the URL, a form body, or a query or update body (in one pass:
        the URL's length and number of parameters are bounded by :class:`_UrlLimits`)."""
        fields: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            fields.setdefault(key, []).append(value)
        if request.method != "POST":
            return fields
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await _read_body(request, self.settings.max_body_bytes)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise Problem(400, f"the request body is not UTF-8 (byte {err.start})") from err
        if content_type == "application/x-www-form-urlencoded":
            try:
                form = parse_qsl(text, keep_blank_values=True, max_num_fields=self.settings.max_parameters)
            except ValueError as err:
                raise Problem(
                    400, f"the form has more than {self.settings.max_parameters:,} fields, the limit of this endpoint"
                ) from err
            for key, value in form:
                fields.setdefault(key, []).append(value)
        elif content_type in ("application/sparql-query", "application/sparql-update"):
            # the body is the query or the update: one in the URL too is a second, not one to drop
            fields.setdefault("query" if content_type.endswith("query") else "update", []).append(text)
        else:
            raise Problem(
                415,
                "send a query as application/x-www-form-urlencoded (query=...), "
                "application/sparql-query or application/sparql-update",
            )
        return fields

    async def _update(self, request: Request, text: str, fields: dict[str, list[str]]) -> Response:
        if not self.settings.allow_update:
            raise Problem(403, "this endpoint is read-only: updates are not accepted")
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(
                401, "updates need an Authorization: Bearer token", {"WWW-Authenticate": 'Bearer realm="kgtool"'}
            )
        if not hmac.compare_digest(token.strip().encode(), (self.settings.update_token or "").encode()):
            raise Problem(
                401,
                "the bearer token is not valid",
                {"WWW-Authenticate": 'Bearer realm="kgtool", error="invalid_token"'},
            )
        try:
            await _checked(
                guard.check_update,
                text,
                self.policy,
                using_graphs=fields.get("using-graph-uri", []),
                using_named_graphs=fields.get("using-named-graph-uri", []),
            )
            assert self.directory is not None  # the folder of the store's dump, made at start-up
            header = await self.running_pool().update(
                {"text": text, "max_bytes": 0}, self.settings.timeout, self.directory
            )
        except KgtoolError as err:
            raise _as_problem(err) from err
        self.policy = dataclasses.replace(self.policy, graphs=frozenset(header.get("graphs", [])))
        return Response(status_code=204)

    async def _service_description(self, request: Request) -> Response:
        key = media.negotiate(request.headers.get("accept"), media.PAGE_TYPES)
        if key == "html":
            return RedirectResponse(f"{_root(request)}/", 303)
        key = key or "turtle"
        triples = description.service_description(
            await self.stats(),
            f"{self.public_url(request)}/sparql",
            update=self.settings.allow_update,
            dataset=_dataset_iri(),
        )
        return _rdf_response(description.serialize(triples, media.GRAPH_FORMATS[key][1]), key)

    # -- named queries ---------------------------------------------------------------------------

    async def query_list(self, request: Request) -> Response:
        return Response(json.dumps(_catalogue(), ensure_ascii=False, indent=1), media_type="application/json")

    async def query_text(self, request: Request) -> Response:
        """A named query with the request's parameters bound (labels resolved), ready to send to /sparql."""
        from ..queries import catalogue
        from ..sparql import bind_parameters, with_values

        named = catalogue().get(request.path_params["name"])
        if named is None or named.name.startswith("checks/"):
            raise Problem(404, f"no query named {request.path_params['name']!r}; GET /queries lists them")
        given = {k: v for k, v in request.query_params.items() if v.strip()}
        engine = _PoolEngine(self, asyncio.get_running_loop())
        try:
            bindings = await run_in_threadpool(bind_parameters, named, given, engine)
        except KgtoolError as err:
            raise _as_problem(err) from err
        return Response(with_values(named.text, bindings), media_type="application/sparql-query; charset=utf-8")

    def public_url(self, request: Request) -> str:
        """The server's URL in its self-descriptions: the configured public URL, else the address the
        connection came in on (from the socket: the request's Host header is the client's to choose)."""
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/")
        host, port = request.scope.get("server") or ("127.0.0.1", None)
        scheme = request.scope.get("scheme", "http")
        shown = f"[{host}]" if ":" in host else host
        default_port = {"http": 80, "https": 443}.get(scheme)
        return f"{scheme}://{shown}{'' if port in (None, default_port) else f':{port}'}{_root(request)}"

    # -- pages -----------------------------------------------------------------------------------

    def render(self, template: str, request: Request, status: int = 200, **context) -> HTMLResponse:
        if self._templates is None:
            self._templates = pages.templates()
        html = self._templates.get_template(template).render(
            root=_root(request), request_path=request.url.path, version=__version__, **context
        )
        return HTMLResponse(html, status, headers={"Vary": "Accept"})

    async def query_page(self, request: Request) -> Response:
        catalogue = _catalogue()
        return self.render(
            "query.html",
            request,
            catalogue=catalogue,
            prefixes=PREFIXES,
            choices=await self.site.parameter_choices(catalogue),
            max_query_bytes=self.settings.max_query_bytes,
            timeout=self.settings.timeout,
        )

    async def resource(self, request: Request) -> Response:
        from ..queries import iri_error
        from ..sparql import with_values

        slug = request.path_params["slug"]
        iri = KGR + slug
        key = _choose(request, media.PAGE_TYPES)
        if key is None:
            raise Problem(
                406,
                "this resource is available as text/html, text/turtle, application/ld+json, "
                "application/n-triples and application/rdf+xml",
            )
        if not slug or iri_error(iri) is not None:  # a slug no IRI can end with names nothing (nor reaches a query)
            raise Problem(404, f"no resource {slug!r} in this graph")
        bound = {"entity": Term("uri", iri)}
        if not await self.select(with_values(pages.ENTITY_EXISTS, bound)):
            if key == "html":
                suggestions = [
                    pages.Link(e.label, pages.href_for(e.iri, _root(request)), e.iri)
                    for e in await self.site.closest(slug)
                ]
                return self.render("missing.html", request, 404, iri=iri, suggestions=suggestions)
            raise Problem(404, f"no resource <{iri}> in this graph")
        if key != "html":
            _, body = await self.run(with_values(pages.ENTITY_RDF, bound), solutions=None, graph=key)
            return _rdf_response(body, key)
        facts = await self.select(with_values(pages.ENTITY_FACTS, bound))
        incoming = await self.select(with_values(pages.ENTITY_INCOMING, bound))
        sources = await self.select(with_values(pages.ENTITY_SOURCES, bound))
        page = pages.entity_page(iri, facts, sources, incoming, _root(request))
        infobox = await self.site.infobox(iri, page, _root(request))
        return self.render("resource.html", request, page=page, infobox=infobox)

    async def ontology(self, request: Request) -> Response:
        key = _choose(request, media.PAGE_TYPES)
        if key is None:
            raise Problem(
                406,
                "the ontology is available as text/html, text/turtle, application/ld+json, "
                "application/n-triples and application/rdf+xml",
            )
        if key != "html":
            _, body = await self.run(pages.ONTOLOGY_RDF, solutions=None, graph=key)
            return _rdf_response(body, key)
        header = await self.select(pages.ONTOLOGY_HEADER)
        terms = await self.select(pages.ONTOLOGY_TERMS)
        return self.render("ontology.html", request, page=pages.ontology_page(header, terms, _root(request)))

    async def void(self, request: Request) -> Response:
        key = _choose(request, media.GRAPH_TYPES) or "turtle"
        triples = description.void_triples(await self.stats(), f"{self.public_url(request)}/sparql", _dataset_iri())
        return _rdf_response(description.serialize(triples, media.GRAPH_FORMATS[key][1]), key)

    async def vendor_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in VIS_FILES:
            raise Problem(404, f"no file {name!r}")
        return Response(_vis_file(name), media_type=VIS_FILES[name], headers={"Cache-Control": "public, max-age=86400"})


class _PoolEngine(Engine):
    """Runs the label look-ups of :func:`kgtool.sparql.bind_parameters` (called on a thread) in the pool."""

    def __init__(self, endpoint: _Endpoint, loop: asyncio.AbstractEventLoop):
        self.endpoint, self.loop = endpoint, loop

    def run(self, named, bindings, form="SELECT", limit=None) -> QueryResult:
        from ..sparql import with_values

        rows = asyncio.run_coroutine_threadsafe(
            self.endpoint.select(with_values(named.text, bindings)), self.loop
        ).result()
        return QueryResult("select", variables=sorted({v for row in rows for v in row}), rows=rows).first(limit)


# ---------------------------------------------------------------------------------------------

# A text up to this many characters is checked by the guard on the event loop: that takes less than
# handing it to a thread and back, which also leaves the loop waiting for its turn at the interpreter
# (the check holds the GIL either way). Longer texts, up to the endpoint's limit, go to a thread.
INLINE_CHECK_CHARS = 1024


async def _checked(check, text: str, policy: guard.Policy, **graphs) -> None:
    """``check(text, policy, **graphs)`` (a guard check), on the loop for a short text, else on a thread."""
    if len(text) <= INLINE_CHECK_CHARS:
        check(text, policy, **graphs)
    else:
        await run_in_threadpool(check, text, policy, **graphs)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = Problem(413, f"the request body is larger than {limit:,} bytes, the limit of this endpoint")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def _store_graphs(location: Path) -> list[str]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(location))
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def _write_nquads(data, path: Path) -> list[str]:
    """Write ``data`` (a pyoxigraph Store or an rdflib graph) as N-Quads; return its named graphs."""
    if hasattr(data, "named_graphs") and hasattr(data, "dump"):
        import pyoxigraph as ox

        data.dump(str(path), ox.RdfFormat.N_QUADS)
        return sorted(g.value for g in data.named_graphs() if isinstance(g, ox.NamedNode))
    from rdflib import URIRef

    if hasattr(data, "contexts"):
        path.write_bytes(data.serialize(format="nquads", encoding="utf-8"))
        return sorted(
            str(g.identifier)
            for g in data.contexts()
            if isinstance(g.identifier, URIRef) and len(g) and str(g.identifier) != "urn:x-rdflib:default"
        )
    path.write_bytes(data.serialize(format="nt", encoding="utf-8"))
    return []


def _catalogue() -> list[dict]:
    from ..queries import catalogue

    return [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "params": [
                {"name": p.name, "description": p.description, "optional": p.optional, "default": p.default}
                for p in q.params
            ],
        }
        for q in catalogue().values()
        if not q.name.startswith("checks/")
    ]


def _vis_file(name: str) -> bytes:
    from importlib.resources import files

    return (files("pyvis") / "lib" / "vis-9.1.2" / name).read_bytes()


def _rdf_response(body: bytes, key: str) -> Response:
    return Response(body, media_type=media.GRAPH_FORMATS[key][0], headers={"Vary": "Accept"})


def _choose(request: Request, offers: list[tuple[str, str]]) -> str | None:
    """The format of a page or description: a `format` parameter (download links use it), else Accept."""
    requested = request.query_params.getlist("format")
    if "html" in requested and ("text/html", "html") in offers:
        return "html"
    _, graph = media.from_format_parameter(requested)
    return graph or media.negotiate(request.headers.get("accept"), offers)


def _root(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


def _dataset_iri() -> str:
    from ..dataset import DATASET_IRI

    return DATASET_IRI
