"""The pages for people, beside the endpoint: the home page (the model families as cards, a search over
every label), the resource index, the query page, the charts, the graph view, and what the entity
pages of models add (an infobox). Every query runs in the worker pool like any other; what depends
only on the data (the label index, the cards, the network) is computed once per version of the data.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from ..charts import unit_label
from ..errors import KgtoolError
from ..namespaces import KG, KGR, PREFIXES, sparql_prologue
from ..results import QueryResult, Term, short
from . import pages

_PROLOGUE = sparql_prologue("rdf", "rdfs", "kg")

# every labelled resource with its classes: the search, the index and the "did you mean" of a 404
LABELS = (
    _PROLOGUE
    + """
SELECT ?entity ?label ?class ?classLabel WHERE {
  ?entity rdfs:label ?label . FILTER (isIRI(?entity))
  OPTIONAL { ?entity a ?class . OPTIONAL { ?class rdfs:label ?classLabel } }
}"""
)

# The model families the graph is about: families (they have sizes, and are no size themselves) with a
# release date and the paper that introduced them.
FAMILIES = (
    _PROLOGUE
    + """
SELECT ?model ?label ?date ?paper ?paperLabel ?org ?orgLabel WHERE {
  ?model kg:releaseDate ?date ; kg:introducedIn ?paper ; rdfs:label ?label .
  FILTER EXISTS { ?size kg:variantOf ?model }
  FILTER NOT EXISTS { ?model kg:variantOf ?family }
  ?paper rdfs:label ?paperLabel .
  OPTIONAL { ?model kg:developedBy ?org . ?org rdfs:label ?orgLabel }
} ORDER BY ?date ?label"""
)

MODALITIES = (
    _PROLOGUE
    + """
SELECT ?model ?modality ?modalityLabel WHERE {
  ?model kg:inputModality ?modality . ?modality rdfs:label ?modalityLabel
} ORDER BY ?modalityLabel"""
)

CLAIMS = (
    _PROLOGUE
    + """
SELECT ?claim ?claimLabel ?status ?statusLabel WHERE {
  ?claim a kg:Claim ; kg:about ?entity ; rdfs:label ?claimLabel ; kg:status ?status .
  OPTIONAL { ?status rdfs:label ?statusLabel }
} ORDER BY ?statusLabel ?claimLabel"""
)

# the instances of a class and of its subclasses, for the parameter fields of the query page
INSTANCES = (
    _PROLOGUE
    + """
SELECT DISTINCT ?label WHERE {
  ?entity a/rdfs:subClassOf* ?class ; rdfs:label ?label .
} ORDER BY ?label"""
)

RANGES = _PROLOGUE + "SELECT ?property ?range WHERE { ?property rdfs:range ?range FILTER (isIRI(?range)) }"

MODEL_CLASS = KG + "Model"
SUGGESTIONS = 10


@dataclass
class Entry:
    iri: str
    label: str
    classes: list[str] = field(default_factory=list)


class Site:
    def __init__(self, endpoint):
        self.endpoint = endpoint
        self._cache: dict[str, tuple[int, object]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    # -- computed once per version of the data -------------------------------------------------------

    async def cached(self, key: str, compute):
        generation = self.endpoint.pool.generation
        found = self._cache.get(key)
        if found and found[0] == generation:
            return found[1]
        async with self._locks.setdefault(key, asyncio.Lock()):
            found = self._cache.get(key)
            if found and found[0] == generation:
                return found[1]
            value = await compute()
            self._cache[key] = (generation, value)
            return value

    async def entries(self) -> list[Entry]:
        async def compute():
            found: dict[str, Entry] = {}
            best: dict[str, tuple[bool, str]] = {}  # an English or untagged label first, then any, in a stable order
            for row in await self.endpoint.select(LABELS):
                label = row["label"]
                order = (label.lang not in (None, "", "en"), label.value)
                entry = found.setdefault(row["entity"].value, Entry(row["entity"].value, label.value))
                if order < best.setdefault(entry.iri, order):
                    best[entry.iri], entry.label = order, label.value
                if "class" in row:
                    name = row["classLabel"].value if "classLabel" in row else short(row["class"])
                    if name not in entry.classes:
                        entry.classes.append(name)
            return sorted(found.values(), key=lambda e: (e.label.lower(), e.iri))

        return await self.cached("entries", compute)

    def runner(self, loop: asyncio.AbstractEventLoop) -> Callable[[str, Mapping[str, str]], QueryResult]:
        """Runs a named query in the pool, from a thread (the charts module calls it synchronously)."""
        from ..queries import catalogue
        from ..sparql import bind_parameters
        from .app import _PoolEngine

        engine = _PoolEngine(self.endpoint, loop)

        def run(name: str, params: Mapping[str, str]) -> QueryResult:
            named = catalogue()[name]
            return engine.run(named, bind_parameters(named, params, engine))

        return run

    async def chart(self, kind: str, target: str | None, params: Mapping[str, str] | None = None, **options):
        from .. import charts

        run = self.runner(asyncio.get_running_loop())
        data = await run_in_threadpool(charts.chart_data, kind, run, target, params or {})
        return data, charts.spec(data, **options)

    # -- search ------------------------------------------------------------------------------------

    async def search(self, request: Request) -> Response:
        text = request.query_params.get("q", "")
        root = _root(request)
        found = rank(await self.entries(), text)[:SUGGESTIONS]
        return JSONResponse(
            [{"label": e.label, "iri": e.iri, "classes": e.classes, "href": pages.href_for(e.iri, root)} for e in found]
        )

    async def terms(self, request: Request) -> Response:
        """The graph's terms as prefixed names (kg:Benchmark, kgr:llama), for the editor's completion."""
        from ..results import prefixed

        entries = await self.entries()
        names = sorted({prefixed(e.iri) for e in entries} - {e.iri for e in entries})
        return JSONResponse(names)

    async def closest(self, slug: str) -> list[Entry]:
        """The resources whose slug or label is closest to ``slug``: the suggestions of a 404 page."""
        entries = [e for e in await self.entries() if e.iri.startswith(KGR)]
        wanted = slug.strip("/").lower()
        names: dict[str, Entry] = {}
        for e in entries:
            names.setdefault(e.iri[len(KGR) :].lower(), e)
            names.setdefault(e.label.lower(), e)
        close = difflib.get_close_matches(wanted, list(names), n=8, cutoff=0.5)
        ranked = list(dict.fromkeys(names[c].iri for c in close))
        starts = [e.iri for e in rank(entries, wanted)[:5]]
        by_iri = {e.iri: e for e in entries}
        return [by_iri[i] for i in dict.fromkeys(starts + ranked)][:8]

    # -- pages -------------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        cards = await self.cached("cards", self._cards)
        root = _root(request)
        return self.endpoint.render(
            "home.html", request, cards=[_card_view(c, root) for c in cards], count=len(await self.entries())
        )

    async def _cards(self) -> list[dict]:
        from ..queries import catalogue

        families = await self.endpoint.select(FAMILIES)
        sizes = await self.endpoint.select(catalogue()["model-sizes"].text)
        modalities = await self.endpoint.select(MODALITIES)
        results = await self.endpoint.select(catalogue()["results-with-settings"].text)
        cards: dict[str, dict] = {}
        for row in families:
            card = cards.setdefault(
                row["model"].value,
                {
                    "iri": row["model"].value,
                    "label": row["label"].value,
                    "date": row["date"].value,
                    "paper": (row["paper"].value, row["paperLabel"].value),
                    "orgs": {},
                    "sizes": {},
                    "modalities": {},
                    "results": [],
                },
            )
            if "org" in row:
                card["orgs"][row["org"].value] = row["orgLabel"].value
        family_of = {}
        for row in sizes:
            if row["model"].value in cards:
                family_of[row["size"].value] = row["model"].value
                count = row.get("parameterCount")
                cards[row["model"].value]["sizes"].setdefault(
                    row["size"].value,
                    (row.get("sizeName", row["sizeLabel"]).value, int(count.value) if count else None),
                )
        for row in modalities:
            if row["model"].value in cards:
                cards[row["model"].value]["modalities"][row["modality"].value] = row["modalityLabel"].value
        for row in results:
            family = family_of.get(row["model"].value, row["model"].value)
            if family in cards and row.get("isBaseline", Term("literal", "false")).value != "true":
                cards[family]["results"].append(
                    {
                        "benchmark": row["benchmarkLabel"].value,
                        "benchmarkIri": row["benchmark"].value,
                        "model": row["modelLabel"].value,
                        "value": row["value"].value,
                        "unit": unit_label(row),
                        "setting": short(row["setting"]).rsplit("/", 1)[-1].split(":")[-1],
                    }
                )
        return list(cards.values())

    async def index(self, request: Request) -> Response:
        root = _root(request)
        by_class: dict[str, list[Entry]] = {}
        for e in await self.entries():
            if e.iri.startswith(KGR):
                for name in e.classes or ["without a class"]:
                    by_class.setdefault(name, []).append(e)
        groups = [
            (name, [pages.Link(e.label, pages.href_for(e.iri, root), e.iri) for e in members])
            for name, members in sorted(by_class.items(), key=lambda item: (-len(item[1]), item[0]))
        ]
        wanted = request.query_params.get("q", "").strip()  # the search form, sent without its script
        matches = (
            [pages.Link(e.label, pages.href_for(e.iri, root), e.iri) for e in rank(await self.entries(), wanted)[:50]]
            if wanted
            else []
        )
        return self.endpoint.render("index.html", request, groups=groups, wanted=wanted, matches=matches)

    async def compare_page(self, request: Request) -> Response:
        """The HTML of `kgtool compare`: ``?model=LLaMA&model=GPT-3`` (two or more), the seven by default."""
        from .. import comparison
        from .app import Problem, _PoolEngine

        models = [m for m in request.query_params.getlist("model") if m.strip()]
        engine = _PoolEngine(self.endpoint, asyncio.get_running_loop())
        try:
            compared = await run_in_threadpool(comparison.compare, models, engine=engine)
        except KgtoolError as err:
            raise Problem(400, str(err)) from err
        return HTMLResponse(comparison.render(compared, "html"))

    async def charts_page(self, request: Request) -> Response:
        from .. import charts

        kind = request.query_params.get("kind", "leaderboard")
        target = request.query_params.get("target", "").strip() or None
        if kind not in charts.KINDS:
            kind = "leaderboard"
        if kind == "leaderboard" and not target:  # the leaderboard query's own default benchmark
            from ..queries import catalogue

            default = next(p.default or "" for p in catalogue()["leaderboard"].params if p.name == "benchmark")
            iri = PREFIXES.get(default.partition(":")[0], "") + default.partition(":")[2]
            target = next((e.label for e in await self.entries() if e.iri == iri), default)
        benchmarks = await self.instances(KG + "Benchmark")
        models = await self.instances(KG + "Model")
        error, spec, title = None, None, ""
        try:
            data, spec = await self.chart(kind, target)
            title = data.title
        except KgtoolError as err:
            error = str(err)
        query = {"kind": kind, **({"target": target} if target else {})}
        return self.endpoint.render(
            "charts.html",
            request,
            404 if error else 200,
            kinds=charts.KINDS,
            kind=kind,
            target=target or "",
            spec=spec,
            title=title,
            error=error,
            benchmarks=benchmarks,
            models=models,
            query=query,
        )

    async def chart_file(self, request: Request) -> Response:
        from .. import charts
        from .app import Problem

        kind, fmt = request.path_params["kind"], request.path_params["fmt"]
        if kind not in charts.KINDS or fmt not in ("svg", "png", "html", "json"):
            raise Problem(
                404, f"no chart {kind}.{fmt}: the charts are {', '.join(charts.KINDS)}, as .svg, .png, .html or .json"
            )
        target = request.query_params.get("target", "").strip() or None
        try:
            data, spec = await self.chart(kind, target)
        except KgtoolError as err:
            raise Problem(404, str(err)) from err
        if fmt == "json":
            return JSONResponse(spec)
        if fmt == "svg":
            return Response(await run_in_threadpool(charts.to_svg, spec), media_type="image/svg+xml")
        if fmt == "png":
            return Response(await run_in_threadpool(charts.to_png, spec), media_type="image/png")
        page = await run_in_threadpool(charts.html_page, spec, data.title)
        # the downloaded page carries its own policy (its inline scripts, by hash)
        return Response(
            page,
            media_type="text/html; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{kind}.html"'},
        )

    async def graph_page(self, request: Request) -> Response:
        from .. import visualize

        focus = request.query_params.get("focus", "").strip() or None
        try:
            depth = max(0, min(3, int(request.query_params.get("depth", "1"))))
        except ValueError:
            depth = 1
        hubs = request.query_params.get("hubs") == "1"
        graph = await self.cached("store", self._store)
        root = _root(request)
        error = None
        try:
            view = await run_in_threadpool(visualize.build_view, graph, focus=focus, depth=depth, hubs=hubs)
        except KgtoolError as err:
            error, view = str(err), await run_in_threadpool(visualize.build_view, graph, hubs=hubs)
        data = await run_in_threadpool(visualize.network_data, view.network, href=lambda iri: pages.href_for(iri, root))
        return self.endpoint.render(
            "graph.html",
            request,
            404 if error else 200,
            view=view,
            data=data,
            focus=focus or "",
            depth=depth,
            hubs=hubs,
            error=error,
        )

    async def results_network(self, request: Request) -> Response:
        """The network of a query's results (the query is the body, as application/sparql-query), as
        `kgtool viz --query` draws it (records folded into the entities, scores on the result links), for
        the query page's graph. The query is checked and run like any other, in a worker of the pool."""
        from .. import guard, network_views, projection, visualize
        from .app import Problem, _as_problem, _checked, _read_body

        body = await _read_body(request, self.endpoint.settings.max_body_bytes)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise Problem(400, f"the query is not UTF-8 (byte {err.start})") from err
        try:
            await _checked(guard.check_query, text, self.endpoint.policy)
        except guard.QueryRefused as err:
            raise _as_problem(err) from err
        header, body = await self.endpoint.run(text, solutions="json", graph="nt")
        graph = await self.cached("store", self._store)
        if header["kind"] == "graph":
            result = await run_in_threadpool(_parse_ntriples, body)
            network = await run_in_threadpool(projection.project, result, context=graph)
        elif header["kind"] == "solutions":
            bindings = json.loads(body)
            rows = [
                {v: Term.from_json(t) for v, t in b.items()} for b in bindings.get("results", {}).get("bindings", [])
            ]
            network = (await run_in_threadpool(network_views.rows_network, graph, rows)).network
        else:
            raise Problem(400, "an ASK query answers true or false: there is nothing to draw")
        root = _root(request)
        data = await run_in_threadpool(visualize.network_data, network, href=lambda iri: pages.href_for(iri, root))
        return JSONResponse(data)

    async def _store(self):
        """The served graph in this process, for the pictures of the network: what the workers serve, opened
        as they open it (not copied through one of them, where a client's size cap would stop it)."""
        from .worker import open_served

        with self.endpoint.running_pool().reading() as data:
            return await run_in_threadpool(open_served, data)

    async def asset(self, request: Request) -> Response:
        from .app import Problem

        name = request.path_params["name"]
        if name not in ASSETS:
            raise Problem(404, f"no file {name!r}")
        body = await run_in_threadpool(ASSETS[name][1])
        return Response(body, media_type=ASSETS[name][0], headers={"Cache-Control": "public, max-age=3600"})

    # -- the query page's parameter fields, and the infobox of a model's page ------------------------

    async def instances(self, cls: str) -> list[str]:
        from ..sparql import with_values

        async def compute():
            rows = await self.endpoint.select(with_values(INSTANCES, {"class": Term("uri", cls)}))
            return list(dict.fromkeys(r["label"].value for r in rows))

        return await self.cached(f"instances {cls}", compute)

    async def parameter_choices(self, catalogue: list[dict]) -> dict[str, list[str]]:
        """For each parameter of each named query (``query/param``), the labels of the resources of the
        type its query expects: the range of the property the parameter is the value of."""
        from ..queries import catalogue as named_queries

        ranges = await self.cached("ranges", lambda: self._ranges())
        choices = {}
        for query in catalogue:
            text = named_queries()[query["name"]].text
            for param in query["params"]:
                types = [ranges[p] for p in parameter_properties(text, param["name"]) if p in ranges]
                if types:
                    choices[f"{query['name']}/{param['name']}"] = await self.instances(types[0])
        return choices

    async def _ranges(self) -> dict[str, str]:
        return {r["property"].value: r["range"].value for r in await self.endpoint.select(RANGES)}

    async def infobox(self, iri: str, page: pages.EntityPage, root: str) -> dict | None:
        """Sizes, dates, organization, results (a small chart) and claims of a model; None for others."""
        from ..queries import catalogue
        from ..sparql import with_values

        model_classes = set(await self.cached("model classes", self._model_classes))
        if not {t.iri for t in page.types} & model_classes:
            return None
        bound = {"entity": Term("uri", iri)}
        facts = {g.property.iri: g.values for g in page.facts}
        sizes = await self.endpoint.select(with_values(catalogue()["model-sizes"].text, {"model": Term("uri", iri)}))
        claims = await self.endpoint.select(with_values(CLAIMS, bound))
        spec = None
        try:
            _, spec = await self.chart("model", iri, width=300)
            spec.pop("title", None)
            spec.setdefault("config", {})["legend"] = {"orient": "bottom"}  # narrow: the legend goes below
        except KgtoolError:
            pass  # a model without results: no chart
        return {
            "sizes": [
                (pages.link(r["size"], r.get("sizeLabel"), root), _count(r.get("parameterCount"))) for r in sizes
            ],
            "dates": [
                (g.property.text, g.values)
                for g in page.facts
                if g.property.iri in (KG + "releaseDate", KG + "announcementDate")
            ],
            "organizations": facts.get(KG + "developedBy", []),
            "papers": facts.get(KG + "introducedIn", []),
            "claims": [
                (
                    pages.link(r["claim"], r.get("claimLabel"), root),
                    r["statusLabel"].value if "statusLabel" in r else short(r["status"]),
                )
                for r in claims
            ],
            "chart": spec,
        }

    async def _model_classes(self) -> list[str]:
        rows = await self.endpoint.select(_PROLOGUE + f"SELECT ?c WHERE {{ ?c rdfs:subClassOf* <{MODEL_CLASS}> }}")
        return [r["c"].value for r in rows]


# ---------------------------------------------------------------------------------------------


def rank(entries: list[Entry], text: str) -> list[Entry]:
    """The entries whose label matches ``text``: the same label, then labels that start with it, then
    labels with a word that starts with it, then labels that contain it, then labels like it."""
    wanted = " ".join(text.split()).lower()
    if not wanted:
        return []
    tiers: list[list[Entry]] = [[], [], [], []]
    for e in entries:
        label = e.label.lower()
        if label == wanted:
            tiers[0].append(e)
        elif label.startswith(wanted):
            tiers[1].append(e)
        elif re.search(r"[\s(/-]" + re.escape(wanted), label):
            tiers[2].append(e)
        elif wanted in label:
            tiers[3].append(e)
    found = [e for tier in tiers for e in sorted(tier, key=lambda e: (len(e.label), e.label.lower()))]
    if len(found) < SUGGESTIONS:
        labels = {e.label.lower(): e for e in entries}
        close = difflib.get_close_matches(wanted, list(labels), n=SUGGESTIONS, cutoff=0.6)
        found += [labels[c] for c in close if labels[c] not in found]
    return found


def parameter_properties(text: str, param: str) -> list[str]:
    """The properties (IRIs) whose value the variable ``param`` is in the query ``text``:
    ``kg:benchmark ?benchmark`` names kg:benchmark."""
    prefixes = dict(re.findall(r"PREFIX\s+(\w*):\s*<([^>]*)>", text, re.I))
    found = []
    for prefix, local in re.findall(r"\b(\w*):(\w+)\s+\?" + re.escape(param) + r"\b", text):
        if prefix in prefixes:
            found.append(prefixes[prefix] + local)
    return found


def _count(term: Term | None) -> str | None:
    if term is None:
        return None
    try:
        return f"{int(term.value):,}"
    except ValueError:
        return term.value


def _card_view(card: dict, root: str) -> dict:
    sizes = sorted(card["sizes"].values(), key=lambda s: (s[1] is None, s[1] or 0))
    # headline results: one per benchmark, of the largest number the model reports there
    best: dict[str, dict] = {}
    for r in card["results"]:
        if r["benchmark"] not in best or float(r["value"]) > float(best[r["benchmark"]]["value"]):
            best[r["benchmark"]] = r
    headline = sorted(best.values(), key=lambda r: r["benchmark"].lower())[:3]
    return {
        "label": card["label"],
        "href": pages.href_for(card["iri"], root),
        "date": card["date"],
        "paper": pages.Link(card["paper"][1], pages.href_for(card["paper"][0], root), card["paper"][0]),
        "orgs": [pages.Link(label, pages.href_for(iri, root), iri) for iri, label in sorted(card["orgs"].items())],
        "sizes": [name for name, _ in sizes],
        "largest": max((n for _, n in sizes if n), default=None),
        "modalities": sorted(card["modalities"].values()),
        "results": [
            pages.Link(
                f"{r['benchmark']}: {r['value']} {r['unit']} ({r['setting']}, {r['model']})",
                pages.href_for(r["benchmarkIri"], root),
            )
            for r in headline
        ],
        "result_count": len(card["results"]),
        "chart": f"{root}/charts?kind=model&target={quote(card['iri'], safe='')}",
    }


def _parse_ntriples(body: bytes):
    import pyoxigraph as ox

    store = ox.Store()
    store.load(body, format=ox.RdfFormat.N_TRIPLES)
    return store


def _root(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


def _static_asset(name: str) -> Callable[[], bytes]:
    def read() -> bytes:
        from ..visualize import _asset

        return _asset(name).encode("utf-8")

    return read


def _vega_bundle() -> bytes:
    from ..charts import javascript_bundle

    return javascript_bundle().encode("utf-8")


# the scripts and styles the pages share with `kgtool viz` and `kgtool chart` (kgtool/assets), and Vega
ASSETS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "view.js": ("application/javascript", _static_asset("view.js")),
    "panel.css": ("text/css", _static_asset("panel.css")),
    "chart.css": ("text/css", _static_asset("chart.css")),
    "chart.js": ("application/javascript", _static_asset("chart.js")),
    "vega.js": ("application/javascript", _vega_bundle),
}
