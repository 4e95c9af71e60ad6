"""The analytics of the network (:mod:`kgtool.projection`): statistics, centrality, paths, communities.

Path, centrality and community analytics treat the network as undirected: the direction of an RDF
property is a naming choice (``developedBy`` could as well be ``develops``), and paths print each
link with its true direction.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

    from .projection import Outline


@dataclass
class Stats:
    nodes: int
    edges: int
    classes: list[tuple[str, int]]  # class label, entities
    properties: list[tuple[str, int]]  # property label, links
    degrees: list[tuple[str, int]]  # degree bin ("0", "1", "2", "3-4"...), entities
    degree_summary: dict[str, float]  # min, median, mean, max
    components: list[int]  # sizes of the connected components, largest first

    @property
    def isolated(self) -> int:
        return sum(1 for size in self.components if size == 1)


def stats(network: nx.MultiDiGraph | Outline) -> Stats:
    """Counts per class and per property, the degree distribution and the connected components, of a
    projection or of its outline (:func:`kgtool.projection.outline`, which spares the networkx graph)."""
    import statistics

    from .projection import Outline

    if isinstance(network, Outline):
        nodes = network.classes
        links = [(a, b, label) for a, b, _, label in network.edges]
    else:
        nodes = dict(network.nodes(data="class_label", default="resource"))
        links = [(a, b, data.get("label", key)) for a, b, key, data in network.edges(keys=True, data=True)]
    degree = dict.fromkeys(nodes, 0)
    for a, b, _ in links:
        degree[a] += 1
        degree[b] += 1
    degrees = list(degree.values())
    bins: Counter = Counter(_degree_bin(d) for d in degrees)
    order = sorted(bins, key=lambda b: int(b.split("-")[0]))
    summary: dict[str, float] = (
        {
            "min": min(degrees),
            "median": statistics.median(degrees),
            "mean": statistics.fmean(degrees),
            "max": max(degrees),
        }
        if degrees
        else {"min": 0, "median": 0, "mean": 0, "max": 0}
    )
    return Stats(
        len(nodes),
        len(links),
        _by_count(Counter(nodes.values())),
        _by_count(Counter(label for _, _, label in links)),
        [(b, bins[b]) for b in order],
        summary,
        _component_sizes(nodes, links),
    )


def _component_sizes(nodes, links) -> list[int]:
    """The sizes of the connected components (links taken either way), largest first: union-find."""
    parent = {n: n for n in nodes}

    def root(n):
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b, _ in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    return sorted(Counter(root(n) for n in nodes).values(), reverse=True)


def _by_count(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0].lower()))


def _degree_bin(degree: int) -> str:
    """0, 1, 2, 3-4, 5-8, 9-16...: powers of two, so a long tail stays readable."""
    if degree <= 2:
        return str(degree)
    low = 2
    while low * 2 < degree:
        low *= 2
    return f"{low + 1}-{low * 2}"


def undirected(network: nx.MultiDiGraph) -> nx.Graph:
    """The simple undirected graph of the network; parallel links add up to the edge's ``weight``."""
    import networkx as nx

    simple = nx.Graph()
    simple.add_nodes_from(network.nodes)
    for a, b in network.edges():
        if a == b:
            continue
        if simple.has_edge(a, b):
            simple[a][b]["weight"] += 1
        else:
            simple.add_edge(a, b, weight=1)
    return simple


@dataclass(frozen=True)
class Ranked:
    node: str
    label: str
    class_label: str
    score: float


BETWEENNESS_SAMPLE = 1000  # above this many nodes, betweenness is estimated from this many sources


def centrality(network: nx.MultiDiGraph, top: int = 10) -> dict[str, list[Ranked]]:
    """The ``top`` entities by PageRank and by betweenness centrality (undirected; ties by label).
    Above :data:`BETWEENNESS_SAMPLE` nodes betweenness is estimated from a fixed random sample of
    sources (seeded, so the answer is repeatable)."""
    import networkx as nx

    simple = undirected(network)
    if simple.number_of_nodes() == 0:
        return {"pagerank": [], "betweenness": []}
    pagerank = nx.pagerank(simple, weight="weight")
    n = simple.number_of_nodes()
    k = BETWEENNESS_SAMPLE if n > BETWEENNESS_SAMPLE else None
    betweenness = nx.betweenness_centrality(simple, k=k, seed=42 if k else None, normalized=True)

    def ranked(scores: dict[str, float]) -> list[Ranked]:
        order = sorted(scores, key=lambda node: (-scores[node], network.nodes[node].get("label", node).lower(), node))
        return [
            Ranked(
                node, network.nodes[node].get("label", node), network.nodes[node].get("class_label", ""), scores[node]
            )
            for node in order[:top]
        ]

    return {"pagerank": ranked(pagerank), "betweenness": ranked(betweenness)}


@dataclass(frozen=True)
class Step:
    """One link of a path: from ``source`` to ``target`` along ``label``, ``forward`` when the triple
    runs that way (source -label-> target), backward otherwise."""

    source: str
    target: str
    label: str
    forward: bool


def shortest_paths(network: nx.MultiDiGraph, a: str, b: str, limit: int = 10) -> tuple[list[list[Step]], int]:
    """The shortest paths between two entities, links followed in either direction; parallel links
    make distinct paths. Returns at most ``limit`` paths (in a stable order) and how many there are."""
    import networkx as nx

    simple = undirected(network)
    try:
        node_paths = list(nx.all_shortest_paths(simple, a, b))
    except nx.NetworkXNoPath:
        return [], 0
    paths: list[list[Step]] = []
    total = 0
    for nodes in node_paths:
        hops = [_links(network, x, y) for x, y in itertools.pairwise(nodes)]
        count = 1
        for hop in hops:
            count *= len(hop)
        total += count
        if len(paths) < limit:
            for combination in _product(hops, limit - len(paths)):
                paths.append(list(combination))
    label = lambda node: network.nodes[node].get("label", node).lower()  # noqa: E731
    paths.sort(key=lambda p: [(label(s.target), s.label, not s.forward) for s in p])
    return paths[:limit], total


def _links(network, x: str, y: str) -> list[Step]:
    steps = [Step(x, y, data.get("label", key), True) for key, data in (network.get_edge_data(x, y) or {}).items()]
    steps += [Step(x, y, data.get("label", key), False) for key, data in (network.get_edge_data(y, x) or {}).items()]
    return sorted(steps, key=lambda s: (s.label, not s.forward))


def _product(hops: list[list[Step]], limit: int):
    return itertools.islice(itertools.product(*hops), limit)


def path_statement(network: nx.MultiDiGraph, start: str, path: list[Step]) -> str:
    """``BLIP-2 -uses frozen model-> OPT -developed by-> Meta AI <-developed by- LLaMA``; a path of no
    link (from an entity to itself) is the entity alone."""
    label = lambda node: network.nodes[node].get("label", node)  # noqa: E731
    out = [label(start)]
    for step in path:
        out.append(f"-{step.label}->" if step.forward else f"<-{step.label}-")
        out.append(label(step.target))
    return " ".join(out)


@dataclass
class Communities:
    groups: list[list[str]]  # nodes of each community, largest first, each by degree then label
    modularity: float


def communities(network: nx.MultiDiGraph, *, resolution: float = 1.0, seed: int = 42) -> Communities:
    """Communities by the Louvain method on the undirected network (parallel links as weight), with a
    fixed seed so that the answer is repeatable."""
    import networkx as nx

    simple = undirected(network)
    if simple.number_of_edges() == 0:
        return Communities([[n] for n in simple.nodes], 0.0)
    found = nx.community.louvain_communities(simple, weight="weight", resolution=resolution, seed=seed)
    modularity = nx.community.modularity(simple, found, weight="weight", resolution=resolution)
    degree = dict(simple.degree())

    def ordered(group) -> list[str]:
        return sorted(group, key=lambda n: (-degree[n], network.nodes[n].get("label", n).lower(), n))

    groups = sorted((ordered(g) for g in found), key=lambda g: (-len(g), network.nodes[g[0]].get("label", "")))
    return Communities(groups, modularity)
