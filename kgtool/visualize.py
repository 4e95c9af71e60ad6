"""The network projection as one self-contained, interactive HTML page (vis-network), and its screenshot.

The page works from ``file://`` with no network: vis-network's JavaScript and CSS are read from the
installed ``pyvis`` package and inlined (its CSS holds only ``data:`` images), and nothing else is
linked. Text from the data never becomes markup or code: the network travels as JSON inside a
``<script type="application/json">`` block, with ``<``, ``>``, ``&`` and the line separators U+2028/9
written as ``\\u`` escapes so no value can close the block; the page's script puts text into the page
with ``textContent`` only, and hands tooltips to vis-network as strings, which it sets as ``innerText``.
The heading is escaped by Jinja2. A Content-Security-Policy allows only the page's own two scripts (by
hash) and no requests at all.

Colour and shape follow the class (a legend lists them). The layout runs a fixed budget of physics
iterations, fewer and coarser as the network grows, then switches physics off: even a network of
thousands of entities comes to rest within seconds, and stays there.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import KgtoolError
from .namespaces import KG
from .results import prefixed

if TYPE_CHECKING:
    import networkx as nx

VIS_VERSION = "9.1.2"
EDGE_LABEL_LIMIT = 300  # above this many links, link labels show only around the selected entity

# colour (fill, border) and shape per class, in the order of _CLASS_ORDER, then the other classes by label
PALETTE = [
    ("#4e79a7", "#2f4d6e"),
    ("#f28e2b", "#a95e14"),
    ("#59a14f", "#386832"),
    ("#e15759", "#a13234"),
    ("#b07aa1", "#7a4f6f"),
    ("#76b7b2", "#4a807c"),
    ("#edc948", "#a88b22"),
    ("#ff9da7", "#c5606c"),
    ("#9c755f", "#6b4e3d"),
    ("#8cd17d", "#56934a"),
    ("#bab0ac", "#7d7471"),
    ("#499894", "#2c6562"),
]
SHAPES = ["dot", "square", "diamond", "triangle", "star", "triangleDown", "hexagon"]
_CLASS_ORDER = [
    KG + name
    for name in (
        "LanguageModel",
        "VisionLanguageModel",
        "Model",
        "Organization",
        "Person",
        "Paper",
        "Technique",
        "Architecture",
        "Component",
        "Benchmark",
        "Metric",
        "Dataset",
        "WebPage",
        "CodeRepository",
        "Product",
        "Hardware",
        "Software",
        "Application",
        "Risk",
        "TaskType",
        "Modality",
        "Objective",
        "ImageEncoder",
        "EvaluationResult",
        "Finding",
        "Claim",
        "Limitation",
        "Quote",
        "TrainingRun",
        "DataMixComponent",
        "Influence",
    )
]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@dataclass
class View:
    """A network to draw, with the heading and the line that say what it shows."""

    network: nx.MultiDiGraph
    title: str
    description: str


def build_view(
    graph,
    *,
    focus: str | None = None,
    depth: int = 1,
    query: str | None = None,
    params: Mapping[str, str] | None = None,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    records: bool = False,
    hubs: bool = False,
    endpoint: str | None = None,
    timeout: float = 30.0,
    credentials=None,
    max_nodes: int | None = None,
    projected: nx.MultiDiGraph | None = None,
) -> View:
    """Choose what to draw from ``graph`` (a :class:`kgtool.projection.Source`, an Oxigraph store or an
    rdflib graph): the whole network; a query's result (``query``: a named query, a .rq file or SPARQL
    text, with ``params``, run on ``graph`` or on ``endpoint``); only the entities of the ``include``
    classes and none of the ``exclude`` classes (labels, names or IRIs, subclasses included); and,
    within that, the neighbourhood of ``focus`` (a label or IRI) ``depth`` links deep. Hub concepts
    (:func:`kgtool.network_views.hubs`) are left out of the whole graph and of a neighbourhood unless
    ``hubs`` is true or their class is included; a query's result keeps what it returned. A view of more
    than ``max_nodes`` entities is refused before its tooltips are read. ``projected``: the whole network
    of ``graph`` with its tooltips (:func:`kgtool.projection.project`, ``records`` alike), when the caller
    has it already; the whole graph's view is then cut from it rather than projected again."""
    from . import network_views as views
    from .projection import Projector, source_of

    source = source_of(graph)
    included, excluded = views.resolve_classes(source, include), views.resolve_classes(source, exclude)
    spared = None if hubs else views.model_classes(source) | included
    projector = Projector(source, records=records)
    notes: list[str] = []
    node = None
    left_out = 0
    if query is not None:
        result = views.query_network(
            source, query, params, records=records, endpoint=endpoint, timeout=timeout, credentials=credentials
        )
        network, name = result.network, _query_name(query)
        title = f"Query {name}"
        if result.kind == "construct":
            scope = f"the graph that query {name} constructs ({result.size} triples)"
        else:
            scope = f"the entities that query {name} returns ({result.size} rows) and their links"
            if result.missing:
                notes.append(f"{len(result.missing)} of its IRIs are records or statements, folded into the tooltips")
        if included or excluded:
            network = views.restrict(network, included, excluded)
        if focus is not None:
            node = views.resolve_entity(network, focus)
            network = views.neighbourhood(network, node, depth)
        _check_size(network.number_of_nodes(), max_nodes)
    elif focus is not None:
        node, reached, left_out = views.around(
            projector, focus, depth, include=included, exclude=excluded, spared=spared
        )
        _check_size(len(reached), max_nodes)
        network = projector.network(reached)
        title, scope = "The whole graph", "the whole graph"
    else:
        # the network without its tooltips first: they are read only for a view under the budget
        whole = projector.network(details=False) if projected is None else projected
        bare = views.restrict(whole, included, excluded)
        found = set() if spared is None else views.hubs(bare, spared)
        left_out = len(found)
        _check_size(bare.number_of_nodes() - left_out, max_nodes)
        drawn = [n for n in bare if n not in found]
        # a node's tooltip and links do not depend on which other nodes are drawn
        network = projector.network(drawn) if projected is None else projected.subgraph(drawn).copy()
        title, scope = "The whole graph", "the whole graph"
    notes += (["only " + ", ".join(include)] if include else []) + (
        ["without " + ", ".join(exclude)] if exclude else []
    )
    if left_out:
        notes.append(f"without {left_out} hub concepts (modalities, risks, code repositories, the most linked)")
    if node is not None:
        label = network.nodes[node]["label"]
        title = f"Neighbourhood of {label}"
        scope = f"{label} ({prefixed(node)}) and what lies within {depth} link{'s' if depth != 1 else ''} in {scope}"
    parts = ["The" + scope[3:] if scope.startswith("the ") else scope, *notes]
    counts = f"{network.number_of_nodes()} entities, {network.number_of_edges()} links"
    folding = (
        "records drawn as nodes; literals and sources in the details"
        if records
        else "results, claims, quantities and sources are in each entity's details (click it)"
    )
    description = "; ".join(parts) + f": {counts}; {folding}."
    return View(network, title, description)


def _check_size(entities: int, max_nodes: int | None) -> None:
    if max_nodes is not None and entities > max_nodes:
        raise KgtoolError(
            f"the view would draw {entities:,} entities, more than --max-nodes {max_nodes:,}: "
            "draw a part with --focus ENTITY (and --depth), --include CLASS or --query NAME, "
            "or raise --max-nodes"
        )


def _query_name(query: str) -> str:
    from .sparql import as_named_query

    try:
        return as_named_query(query).name
    except KgtoolError:
        return query


def render_html(graph, **view_options) -> str:
    """The page for a graph: the whole graph by default; ``view_options`` as for :func:`build_view`."""
    return render_view(build_view(graph, **view_options))


def render_view(view: View, *, edge_labels: bool | None = None) -> str:
    """The self-contained HTML page of a view (see the module docstring for what makes it safe)."""
    return render_network(view.network, view.title, view.description, edge_labels=edge_labels)


def render_network(network: nx.MultiDiGraph, title: str, description: str, *, edge_labels: bool | None = None) -> str:
    """The page for a projected network (:func:`kgtool.projection.project`)."""
    import jinja2
    from markupsafe import Markup

    from . import __version__

    payload = network_data(network, edge_labels=edge_labels)
    vis_js, vis_css = vis_assets()
    page_js = _asset("view.js")
    template = jinja2.Environment(autoescape=True, loader=jinja2.FunctionLoader(_asset)).get_template("view.html")
    return template.render(
        title=title,
        description=description,
        version=__version__,
        data=Markup(script_json(payload)),
        vis_js=Markup(vis_js),
        vis_css=Markup(vis_css),
        page_css=Markup(_asset("view.css") + _asset("panel.css")),
        page_js=Markup(page_js),
        script_hashes=Markup(" ".join(f"'sha256-{_digest(script)}'" for script in (vis_js, page_js))),
    )


def network_data(network: nx.MultiDiGraph, *, edge_labels: bool | None = None, href=None) -> dict:
    """The network as the page (assets/view.js) reads it: classes (label, colour, shape, count),
    property labels, sources as ``[label, link]``, nodes as ``[label, class index, details, source
    indices, page]`` and edges as ``[from, to, property index, details]``. ``href`` maps an IRI to the
    page that shows it (the server's entity pages); without it nodes link nowhere."""
    nodes = sorted(network.nodes(data=True), key=lambda item: item[0])
    index = {node: i for i, (node, _) in enumerate(nodes)}
    class_keys = {(data.get("cls", ""), data.get("class_label", "resource")) for _, data in nodes}
    styles = class_styles(class_keys)
    counts: dict = {}
    node_rows = []
    sources: dict[tuple[str, str], int] = {}
    for node, data in nodes:
        key = (data.get("cls", ""), data.get("class_label", "resource"))
        counts[key] = counts.get(key, 0) + 1
        cited = [sources.setdefault((label, link), len(sources)) for label, link in data.get("sources", ())]
        node_rows.append(
            [data.get("label", ""), styles[key][0], data.get("details", ""), cited, href(node) if href else None]
        )
    properties: dict[str, int] = {}
    edge_rows = []
    edges = sorted(network.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], str(e[2])))
    for a, b, key, data in edges:
        label = data.get("label", str(key))
        edge_rows.append([index[a], index[b], properties.setdefault(label, len(properties)), data.get("details", "")])
    classes: list[dict | None] = [None] * len(styles)  # each class at its style's index
    for key, (i, colour, border, shape) in styles.items():
        classes[i] = {"label": key[1], "color": colour, "border": border, "shape": shape, "count": counts.get(key, 0)}
    return {
        "classes": classes,
        "properties": list(properties),
        "nodes": node_rows,
        "edges": edge_rows,
        "sources": [list(source) for source in sources],
        "edgeLabels": len(edge_rows) <= EDGE_LABEL_LIMIT if edge_labels is None else edge_labels,
    }


def class_styles(classes: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str, str, str]]:
    """(class IRI, label) -> (index, fill, border, shape): the project's main classes always get the same
    style, the others follow by label; colour and shape cycle with different periods, so that no two of
    the first 84 classes look alike."""
    rank = {iri: i for i, iri in enumerate(_CLASS_ORDER)}
    ordered = sorted(set(classes), key=lambda c: (rank.get(c[0], len(rank)), c[1].lower(), c[0]))
    styles = {}
    for i, key in enumerate(ordered):
        slot = rank.get(key[0], len(rank) + i)
        fill, border = PALETTE[slot % len(PALETTE)]
        styles[key] = (i, fill, border, SHAPES[slot % len(SHAPES)])
    return styles


def script_json(value) -> str:
    """JSON that can sit inside a ``<script>`` element: no ``<``, ``>`` or ``&`` (so no ``</script>`` or
    ``<!--``), and no U+2028/U+2029, which old JavaScript engines take for line ends."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


@cache
def _asset(name: str) -> str:
    """A file of kgtool/assets: the pages' templates, scripts and styles."""
    return (Path(__file__).resolve().parent / "assets" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """vis-network's JavaScript and CSS from the installed pyvis package (found without importing it:
    pyvis imports IPython). Checked to be inlinable: nothing that ends a script or style element, and
    no ``url()`` other than ``data:``."""
    import importlib.util
    import re

    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise KgtoolError("the HTML view needs vis-network, which comes with pyvis: pip install pyvis")
    folder = Path(next(iter(spec.submodule_search_locations))) / "lib" / f"vis-{VIS_VERSION}"
    try:
        js = (folder / "vis-network.min.js").read_text(encoding="utf-8")
        css = (folder / "vis-network.css").read_text(encoding="utf-8")
    except OSError as err:
        raise KgtoolError(f"vis-network {VIS_VERSION} was not found in the pyvis package ({err})") from err
    if re.search(r"</script|<!--", js, re.I) or re.search(r"</style", css, re.I):
        raise KgtoolError(f"{folder}: vis-network's files cannot be inlined safely")
    if any(not url.strip("'\" ").startswith("data:") for url in re.findall(r"url\(([^)]*)\)", css)):
        raise KgtoolError(f"{folder}: vis-network's CSS loads something that is not inline")
    return js, css


def write_html(text: str, path: str | Path) -> None:
    """Write the page to ``path`` through a temporary file in the same folder (never half-written)."""
    from .files import write_file

    write_file(path, text.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# screenshots, in the system's Chromium driven by Playwright


def chromium_path() -> str:
    """The Chromium to drive: $KGTOOL_CHROMIUM, else `chromium` on the PATH, else /usr/bin/chromium."""
    found = os.environ.get("KGTOOL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise KgtoolError(
            f"screenshots need Chromium, and there is none at {found}; install it "
            "(Debian: apt install chromium) or set KGTOOL_CHROMIUM to its path"
        )
    return found


def screenshot(
    html: str | Path, png: str | Path, *, width: int = 1400, height: int = 900, timeout: float = 120.0
) -> float:
    """Open the page in headless Chromium, wait until the layout has stopped, and save a PNG of the
    window to ``png``. Returns the seconds the layout took to come to rest."""
    executable = chromium_path()
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as err:
        raise KgtoolError(
            "screenshots need Playwright: pip install playwright (it drives the system "
            "Chromium; no browser download is needed)"
        ) from err
    from .files import write_file

    try:
        with sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            except PlaywrightError as err:
                reason = str(err).splitlines()[0]
                raise KgtoolError(f"Chromium did not start: {reason}{_temporary_folder_hint()}") from err
            try:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(Path(html).resolve().as_uri())
                # a selector, not wait_for_function: the page's CSP forbids evaluating strings
                page.wait_for_selector("body[data-state=stable]", state="attached", timeout=timeout * 1000)
                page.wait_for_timeout(250)  # let the last frame reach the screen
                seconds = page.evaluate("window.kgView.stableAt / 1000")
                image = page.screenshot()
            finally:
                browser.close()
    except PlaywrightError as err:
        raise KgtoolError(f"screenshot of {html} failed: {str(err).splitlines()[0]}") from err
    write_file(png, image)
    return seconds


# Chromium makes a socket at <temporary folder>/org.chromium.Chromium.XXXXXX/SingletonSocket, and a
# socket's path holds at most 107 bytes: from a longer temporary folder it does not start, and Playwright
# says only that the browser was closed
_CHROMIUM_SOCKET = "/org.chromium.Chromium.XXXXXX/SingletonSocket"
_SOCKET_PATH_MAX = 107


def _temporary_folder_hint() -> str:
    import tempfile

    folder = tempfile.gettempdir()
    if len(os.fsencode(folder + _CHROMIUM_SOCKET)) <= _SOCKET_PATH_MAX:
        return ""
    return (
        f"; the temporary folder {folder} may be too long for it (it starts from one of at most "
        f"{_SOCKET_PATH_MAX - len(_CHROMIUM_SOCKET)} bytes): set TMPDIR to a shorter one, such as /tmp"
    )
