"""Choosing what part of the network to look at: an entity or a class by name, the entities of some
classes, the neighbourhood of an entity, the network less its hubs, the entities of a query's result.

The functions that take a networkx graph cut a projection already made (:mod:`kgtool.projection`);
:func:`around` and :func:`query_network` ask the graph itself, so that a view of a few entities of a
large graph never projects the whole of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import KgtoolError, QueryError, closest, did_you_mean
from .namespaces import KG, PREFIXES, resource_iri
from .projection import (
    HUB_CLASSES,
    HUB_DEGREE,
    Projector,
    Term,
    ambiguous,
    kept,
    key_of,
    local_name,
    names,
    not_an_entity,
    source_of,
)

if TYPE_CHECKING:
    import networkx as nx

OWL = PREFIXES["owl"]
RDFS = PREFIXES["rdfs"]


def resolve_entity(network: nx.MultiDiGraph, text: str) -> str:
    """The node named by ``text``: an IRI (``<...>`` or bare), a prefixed name (``kgr:llama``), or a
    label or alternative label (any case). An unknown or ambiguous name is a :class:`QueryError`."""
    from .queries import parse_value

    value = parse_value(text)
    if isinstance(value, Term) and value.kind == "uri":
        if value.value in network:
            return value.value
        raise not_an_entity(text)
    found = sorted(
        n for n, data in network.nodes(data=True) if names(data.get("label", ""), data.get("aliases", ()), text)
    )
    if len(found) == 1:
        return found[0]
    if found:
        raise ambiguous(text, found)
    iri = resource_iri(text)
    if iri is not None and iri in network:  # no label: the end of one of the graph's IRIs
        return iri
    close = closest(text, (data.get("label", "") for _, data in network.nodes(data=True)), n=5)
    hint = f"; {did_you_mean(close)}" if close else ""
    raise QueryError(f"no entity is labelled {text!r}{hint}")


def resolve_class(graph, text: str) -> set[str]:
    """The class named by ``text`` (a label, a local name such as ``LanguageModel``, a prefixed name or
    an IRI) and all its subclasses, as IRIs."""
    from .queries import parse_value

    source = source_of(graph)
    schema = source.schema()
    value = parse_value(text)
    if isinstance(value, Term) and value.kind == "uri":
        iri = value.value
        known = iri in schema.declared_classes() or iri in schema.classes()
        matches = {iri} if known else set()
    else:
        classes = schema.classes() | schema.declared_classes()
        wanted = text.strip().lower()
        labels: dict[str, list[str]] = defaultdict(list)
        for row in source.scoped("x", classes, f"SELECT ?x ?l WHERE {{ SCOPE ?x <{RDFS}label> ?l }}"):
            labels[key_of(row["x"])].append(row["l"].value.lower())
        matches = {c for c in classes if local_name(c).lower() == wanted or wanted in labels.get(c, ())}
    if not matches:
        raise QueryError(
            f'no class is named {text!r}; give a label ("language model"), a name (LanguageModel) '
            "or a prefixed name (kg:LanguageModel)"
        )
    if len(matches) > 1 and not isinstance(value, Term):
        matches = {m for m in matches if m.startswith(KG)} or matches
    narrower: dict[str, set[str]] = defaultdict(set)
    for cls, parents in schema.broader.items():
        for parent in parents:
            narrower[parent].add(cls)
    found, todo = set(matches), list(matches)
    while todo:
        for child in narrower.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def resolve_classes(graph, texts: Iterable[str]) -> set[str]:
    """The classes named by ``texts`` (as :func:`resolve_class` reads each) and their subclasses."""
    return set().union(*(resolve_class(graph, text) for text in texts))


def restrict(network: nx.MultiDiGraph, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> nx.MultiDiGraph:
    """The entities of the ``include`` classes (all when empty), minus those of the ``exclude`` classes
    (class IRIs, subclasses already expanded)."""
    include, exclude = set(include), set(exclude)
    keep = [n for n, data in network.nodes(data=True) if kept(data.get("types", frozenset()), include, exclude)]
    return network.subgraph(keep).copy()


def neighbourhood(network: nx.MultiDiGraph, node: str, depth: int = 1) -> nx.MultiDiGraph:
    """``node`` and every entity at most ``depth`` links away, in either direction."""
    if depth < 0:
        raise KgtoolError("--depth must be 0 or more")
    # a walk along links either way; networkx's ego_graph would first copy the whole network undirected
    reached, frontier = {node}, [node]
    for _ in range(depth):
        found = []
        for current in frontier:
            for other in (*network.successors(current), *network.predecessors(current)):
                if other not in reached:
                    reached.add(other)
                    found.append(other)
        frontier = found
    return network.subgraph(reached).copy()


def hubs(
    network: nx.MultiDiGraph, spared: Iterable[str] = (), keep: Iterable[str] = (), degree: int = HUB_DEGREE
) -> set[str]:
    """The hub entities of ``network``: those of :data:`HUB_CLASSES`, and any with more than ``degree``
    neighbours, except entities of a ``spared`` class (IRIs, subclasses expanded) and the ``keep`` nodes."""
    spared, keep = set(spared), set(keep)
    found = set()
    for node, data in network.nodes(data=True):
        types = data.get("types", frozenset())
        if node in keep or types & spared:
            continue
        if types & HUB_CLASSES or len({*network.successors(node), *network.predecessors(node)} - {node}) > degree:
            found.add(node)
    return found


def model_classes(graph) -> set[str]:
    """kg:Model and its subclasses (nothing when the graph has no ontology: nothing is known to be a model)."""
    try:
        return resolve_class(graph, KG + "Model")
    except QueryError:
        return set()


def without_hubs(
    graph, network: nx.MultiDiGraph, include: Iterable[str] = (), keep: Iterable[str] = ()
) -> nx.MultiDiGraph:
    """``network`` minus its hubs; models, the ``include`` classes and the ``keep`` nodes stay."""
    found = hubs(network, model_classes(graph) | set(include), keep)
    return network.subgraph([n for n in network if n not in found]).copy() if found else network


def around(
    projector: Projector,
    focus: str,
    depth: int = 1,
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
    spared: Iterable[str] | None = None,
) -> tuple[str, set[str], int]:
    """The neighbourhood of ``focus`` (a label or an IRI) as :func:`neighbourhood` cuts it from the whole
    network restricted to the ``include`` and ``exclude`` classes, less its hubs (:func:`hubs`: but for
    the ``spared`` classes and the focus; None keeps every hub) -- asked of the graph from the focus
    outwards. Returns the focus node, the nodes within ``depth`` links, and how many hubs within reach
    were left out."""
    if depth < 0:
        raise KgtoolError("--depth must be 0 or more")
    include, exclude = set(include), set(exclude)
    spared = None if spared is None else set(spared)
    node = projector.find_entity(focus, include, exclude)
    if node is None:  # no label matches: the whole network decides (a local name, or names to suggest)
        node = resolve_entity(restrict(projector.network(details=False), include, exclude), focus)
    reached, left_out = projector.around(node, depth, include, exclude, spared)
    if reached is not None:
        return node, reached, left_out
    # a blank node on the way, which no query can name: the same walk, on the whole network
    whole = restrict(projector.network(details=False), include, exclude)
    found = set() if spared is None else hubs(whole, spared, [node])
    hubless = whole.subgraph([n for n in whole if n not in found])
    walked = neighbourhood(hubless, node, depth - 1).nodes if depth else ()
    left_out = len({m for n in walked for m in (*whole.successors(n), *whole.predecessors(n))} & found)
    return node, set(neighbourhood(hubless, node, depth).nodes), left_out


@dataclass
class QueryView:
    network: nx.MultiDiGraph
    kind: str  # "construct" or "select"
    size: int  # triples or rows of the result
    missing: list[str] = field(default_factory=list)  # IRIs of a SELECT that are no entity


def query_network(
    graph,
    query: str,
    params: Mapping[str, str] | None = None,
    *,
    records: bool = False,
    endpoint: str | None = None,
    timeout: float = 30.0,
    credentials=None,
) -> QueryView:
    """The picture of a query result: a CONSTRUCT (or DESCRIBE) result projected as a graph of its own,
    with labels and classes from ``graph``; for a SELECT, the entities among the IRIs it returns and
    the links between them. ``query`` is a named query, a .rq file or SPARQL text; it runs on
    ``graph`` (or on ``endpoint``)."""
    import pyoxigraph as ox

    from .results import to_oxigraph
    from .sparql import run_query

    source = source_of(graph)
    store = getattr(source.engine, "store", None) if endpoint is None else None
    result = run_query(
        query,
        params or {},
        endpoint=endpoint,
        store=store,
        timeout=timeout,
        **({"credentials": credentials} if credentials else {}),
    )
    if result.kind == "ask":
        raise QueryError("an ASK query answers true or false: there is nothing to draw; use a SELECT or a CONSTRUCT")
    if result.kind == "graph":
        constructed = ox.Store()
        constructed.extend([ox.Quad(*(to_oxigraph(t) for t in triple)) for triple in result.triples])
        network = Projector(constructed, records=records, context=source).network()
        return QueryView(network, "construct", len(result))
    return rows_network(source, result.rows, records=records)


def rows_network(graph, rows: list, *, records: bool = False) -> QueryView:
    """The entities among the IRIs of a SELECT's ``rows`` and the links between them in the network of
    ``graph`` (the graph the query ran on), with the rows' scores on the result links."""
    iris = list(dict.fromkeys(term.value for row in rows for term in row.values() if term.kind == "uri"))
    projector = Projector(graph, records=records)
    found = projector.entities(iris)
    drawn = projector.network(found)
    _label_scores(drawn, rows)
    return QueryView(drawn, "select", len(rows), [i for i in iris if i not in found])


def _label_scores(network: nx.MultiDiGraph, rows: list) -> None:
    """Put the numbers of a SELECT's rows on the result links ("evaluated on") between the entities of
    each row, with the row's setting: a leaderboard drawn as a network shows its scores."""
    from .results import _NUMERIC

    scores: dict = defaultdict(list)
    for row in rows:
        iris = [t.value for t in row.values() if t.kind == "uri" and t.value in network]
        numbers = [
            t.value
            for v, t in row.items()
            if t.kind == "literal" and t.datatype in _NUMERIC and v in ("value", "score")
        ]
        if not numbers:
            continue
        setting = row.get("settingLabel") or row.get("setting")
        text = numbers[0] + (f" ({setting.value.rsplit('/', 1)[-1]})" if setting is not None else "")
        for a in iris:
            for b in iris:
                if network.has_edge(a, b, KG + "EvaluationResult") and text not in scores[(a, b)]:
                    scores[(a, b)].append(text)
    for (a, b), texts in scores.items():
        data = network.edges[a, b, KG + "EvaluationResult"]
        data["label"] = ", ".join(texts)
