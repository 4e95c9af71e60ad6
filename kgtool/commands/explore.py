"""Explore the graph as a network: `kgtool viz`, `stats`, `central`, `path` and `communities`.

The network is the projection of kgtool.projection (entities as nodes, links as edges, literals,
results and sources folded into the entities), read with SPARQL from the graph's store or endpoint;
these commands only parse, call and print.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

import click

from ..cli import (
    EXIT_FAILED,
    FiniteRange,
    GraphSource,
    data_options,
    endpoint_credentials,
    param_option,
    param_values,
    query_option,
)

MAX_NODES = 3000  # entities a page draws at most unless told otherwise


@dataclass(frozen=True)
class NetworkSelection:
    """The network a command works on, as its options say (:func:`network_options`): the graph it is
    read from, whether records are nodes, and the classes to keep or leave out."""

    source: GraphSource
    records: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def graph(self):
        """The graph to project: --store, the bundled graph and --data files, or --endpoint."""
        from ..projection import Source
        from ..sparql import engine_for

        # the engine first: it builds the bundled graph's store, whose record is then its identity
        engine = engine_for(**self.source.reading())
        return Source(engine, identity=self.source.identity())

    def classes(self, graph) -> tuple[set[str], set[str]]:
        """The classes to keep and those to leave out, subclasses included."""
        from ..network_views import resolve_classes

        return resolve_classes(graph, self.include), resolve_classes(graph, self.exclude)

    def network(self):
        """The graph and its projection without tooltips, restricted to the classes asked for."""
        from ..network_views import restrict
        from ..projection import project

        graph = self.graph()
        included, excluded = self.classes(graph)
        network = project(graph, records=self.records, details=False)
        if self.include or self.exclude:
            network = restrict(network, included, excluded)
        return graph, network


def _class_option(name: str, text: str):
    """--include or --exclude: a class, by label, name or IRI (repeatable)."""
    return click.option(name, multiple=True, metavar="CLASS", help=text)


def network_options(command):
    """The options every network command shares: where the graph comes from (--data, --infer,
    --endpoint, --timeout, as for `kgtool query`), whether records are drawn, which classes to keep.
    The command receives them as one ``selection`` argument, a :class:`NetworkSelection`."""

    @data_options
    @click.option(
        "--records",
        is_flag=True,
        help="Draw results, findings, claims and other records as nodes instead of folding "
        "them into the entities they are about.",
    )
    @_class_option("--include", "Keep only the entities of this class and its subclasses (repeatable).")
    @_class_option(
        "--exclude",
        "Leave out the entities of this class and its subclasses: a label "
        '("person"), a name (Person) or kg:Person (repeatable).',
    )
    @functools.wraps(command)
    def with_selection(*args, source, records, include, exclude, **kwargs):
        return command(*args, selection=NetworkSelection(source, records, include, exclude), **kwargs)

    return with_selection


hubs_option = click.option(
    "--hubs",
    is_flag=True,
    help="Keep the hub concepts (modalities, risks, code repositories and "
    "any entity with more than 25 neighbours that is not a model), which are left out by "
    "default.",
)


def _print_table(header: list[str], rows: list[list], numeric: AbstractSet[int] = frozenset()) -> None:
    """Print a table with the one renderer of query results: fitted to the terminal, no control codes."""
    from ..results import terminal_width, text_table

    click.echo(
        text_table(header, [[str(c) for c in row] for row in rows], numeric=numeric, width=terminal_width()), nl=False
    )


@click.command()
@click.option(
    "-o", "--output", default="graph.html", metavar="FILE", help="The HTML file to write (- for standard output)."
)
@click.option(
    "--focus",
    metavar="ENTITY",
    help="Draw this entity's neighbourhood: a label (LLaMA), an IRI (kgr:llama) or its end (llama).",
)
@click.option("--depth", type=click.IntRange(min=0), default=1, help="How many links from the --focus entity to draw.")
@query_option
@param_option
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=MAX_NODES,
    help="Refuse to draw more entities than this: a browser takes minutes to lay out a few thousand more.",
)
@hubs_option
@click.option(
    "--screenshot",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE.png",
    help="Also save a PNG of the page once its layout has come to rest (headless Chromium via Playwright).",
)
@network_options
def viz(
    output: str,
    focus: str | None,
    depth: int,
    query: str | None,
    params: tuple[str, ...],
    max_nodes: int,
    hubs: bool,
    screenshot: Path | None,
    selection: NetworkSelection,
) -> None:
    """Write the graph as one interactive HTML page that works offline: the whole graph, the
    neighbourhood of an entity (--focus, --depth) or a query's result (--query), optionally only some
    classes (--include, --exclude). Hub concepts are left out unless --hubs is given or their class
    is --include'd. Colour and shape follow the class; facts, results and sources are
    in each entity's tooltip; search, and click an entity to highlight its neighbours."""
    from .. import visualize
    from ..files import output_target, temporary_folder
    from ..results import terminal_text

    for target in ([output] if output != "-" else []) + ([screenshot] if screenshot is not None else []):
        output_target(target)  # refused before the work, not after it
    view = visualize.build_view(
        selection.graph(),
        focus=focus,
        depth=depth,
        query=query,
        params=param_values(params),
        include=selection.include,
        exclude=selection.exclude,
        records=selection.records,
        hubs=hubs,
        endpoint=selection.source.endpoint,
        timeout=selection.source.timeout,
        credentials=endpoint_credentials(),
        max_nodes=max_nodes,
    )
    page = visualize.render_view(view)
    size = f"{view.network.number_of_nodes()} entities, {view.network.number_of_edges()} links"
    if output == "-":
        sys.stdout.write(page)
        sys.stdout.flush()
    else:
        visualize.write_html(page, output)
        title = view.title.lower() if view.title.startswith("The ") else view.title
        click.echo(terminal_text(f"wrote {output}: {title}, {size}"), err=True)
    if screenshot is not None:
        if output == "-":
            with temporary_folder("kgtool-screenshot-") as folder:
                html = folder / "view.html"
                html.write_text(page, encoding="utf-8")
                seconds = visualize.screenshot(html, screenshot)
        else:
            seconds = visualize.screenshot(output, screenshot)
        click.echo(f"wrote {screenshot} (the layout came to rest after {seconds:.1f} s)", err=True)


@click.command()
@network_options
def stats(selection: NetworkSelection) -> None:
    """Count the network: entities per class, links per property, the degree distribution and the
    connected components."""
    from .. import analytics
    from ..projection import outline

    graph = selection.graph()
    included, excluded = selection.classes(graph)
    counted = outline(graph, records=selection.records)
    if selection.include or selection.exclude:
        counted = counted.restricted(included, excluded)
    s = analytics.stats(counted)
    d = s.degree_summary
    largest = s.components[0] if s.components else 0
    click.echo(f"entities    {s.nodes}")
    click.echo(f"links       {s.edges}")
    click.echo(
        f"components  {len(s.components)} (the largest has {largest} entities; {s.isolated} entities have no link)"
    )
    click.echo(f"degree      min {d['min']}, median {d['median']:g}, mean {d['mean']:.2f}, max {d['max']}")
    click.echo()
    _print_table(["class", "entities"], [list(r) for r in s.classes], {1})
    click.echo()
    _print_table(["property", "links"], [list(r) for r in s.properties], {1})
    click.echo()
    _print_table(["degree", "entities"], [list(r) for r in s.degrees], {0, 1})


@click.command()
@click.option("-n", "--top", type=click.IntRange(min=1), default=10, help="How many entities to list.")
@network_options
def central(top: int, selection: NetworkSelection) -> None:
    """The most central entities: the top N by PageRank and by betweenness centrality (links taken
    in both directions)."""
    from .. import analytics
    from ..results import prefixed

    _, network = selection.network()
    ranking = analytics.centrality(network, top)
    for title, key, digits in (("PageRank", "pagerank", 4), ("betweenness", "betweenness", 4)):
        click.echo(title)
        rows = [
            [i, f"{r.score:.{digits}f}", r.label, r.class_label, prefixed(r.node)]
            for i, r in enumerate(ranking[key], 1)
        ]
        _print_table(["rank", "score", "entity", "class", "IRI"], rows, {0, 1})
        if key == "pagerank":
            click.echo()


@click.command(
    short_help="The shortest paths between two entities (labels or IRIs), printed as statements; "
    "exit 1 when there is none."
)
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--limit", type=click.IntRange(min=1), default=10, help="How many paths to print at most.")
@hubs_option
@network_options
@click.pass_context
def path(ctx: click.Context, a: str, b: str, limit: int, hubs: bool, selection: NetworkSelection) -> None:
    """How is A connected to B? The shortest paths between two entities (labels or IRIs), links
    followed in either direction, printed as statements:

    \b
      BLIP-2 -uses frozen model-> OPT -developed by-> Meta AI <-developed by- LLaMA

    Exit 1 when there is no path."""
    from .. import analytics
    from ..network_views import resolve_classes, resolve_entity, without_hubs
    from ..results import terminal_text

    graph, network = selection.network()
    source, target = resolve_entity(network, a), resolve_entity(network, b)
    if not hubs:
        network = without_hubs(graph, network, resolve_classes(graph, selection.include), keep=[source, target])
    paths, total = analytics.shortest_paths(network, source, target, limit)
    names = terminal_text(f"{network.nodes[source]['label']} and {network.nodes[target]['label']}")
    if not paths:
        click.echo(f"no path between {names}", err=True)
        ctx.exit(EXIT_FAILED)
    for found in paths:
        click.echo(terminal_text(analytics.path_statement(network, source, found)))
    links = len(paths[0])
    summary = (
        f"{total} shortest path{'s' if total != 1 else ''} of {links} link{'s' if links != 1 else ''} between {names}"
    )
    if total > len(paths):
        summary += f" ({len(paths)} shown; --limit shows more)"
    click.echo(summary, err=True)


@click.command()
@click.option(
    "--members",
    type=click.IntRange(min=1),
    default=8,
    help="How many members of each community to name (the best connected first).",
)
@click.option(
    "--resolution",
    type=FiniteRange(min=0, min_open=True),
    default=1.0,
    help="Above 1, more and smaller communities; below 1, fewer and larger.",
)
@network_options
def communities(members: int, resolution: float, selection: NetworkSelection) -> None:
    """Groups of entities more linked to each other than to the rest (Louvain method, fixed seed)."""
    from .. import analytics

    _, network = selection.network()
    found = analytics.communities(network, resolution=resolution)
    rows = []
    for i, group in enumerate(found.groups, 1):
        named = ", ".join(network.nodes[n]["label"] for n in group[:members])
        rows.append([i, len(group), named + (f" (and {len(group) - members} more)" if len(group) > members else "")])
    _print_table(["community", "entities", "members, best connected first"], rows, {0, 1})
    click.echo(f"{len(found.groups)} communities, modularity {found.modularity:.3f}", err=True)
