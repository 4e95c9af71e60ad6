"""The publishing commands: export, build, push and pull."""

from __future__ import annotations

from pathlib import Path

import click

from ..cli import (
    FiniteRange,
    FormatChoice,
    GraphSource,
    RenamedOption,
    Seconds,
    credential_options,
    data_options,
    endpoint_credentials,
    endpoint_options,
    given_store_dir,
    local_data_options,
    param_option,
    param_values,
    query_option,
    quiet_option,
    store_option,
)
from ..dataset import GRAPH_IRI
from ..export import FORMATS

ontology_option = click.option(
    "--no-ontology",
    is_flag=True,
    help="Leave out the triples about the ontology's own terms (classes, properties, concept schemes): the data alone.",
)


def rdf_format_option(formats: list[str]):
    """-f FORMAT, one of ``formats``; without it, the one the -o file name implies (:func:`export.format_for`)."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=FormatChoice(formats),
        help="The format (default: from the -o file name, else turtle).",
    )


def _progress(message: str) -> None:
    click.echo(message, err=True)


@click.command("export")
@rdf_format_option(list(FORMATS))
@click.option(
    "-o",
    "--output",
    default="-",
    metavar="FILE|-",
    help="The file to write (atomically: a failed export leaves the old file as it was); - for standard output.",
)
@ontology_option
@query_option
@param_option
@data_options
def export_command(
    fmt: str | None, output: str, no_ontology: bool, query: str | None, params: tuple[str, ...], source: GraphSource
) -> None:
    """Write the graph in an RDF format, as a network (GraphML, GEXF) or as CSV.

    The output is deterministic (sorted triples, fixed prefixes), so two exports of the same data are
    byte-identical. With --query, the triples of a CONSTRUCT or DESCRIBE query, run on the bundled
    graph or on --endpoint."""
    from .. import export
    from ..files import output_target

    fmt = export.format_for(output, fmt)
    if output != "-":
        output_target(output)  # refused before the work, not after it
    triples = export.select_triples(
        ontology=not no_ontology, query=query, params=param_values(params), **source.reading()
    )
    size = export.write(None, fmt, output, triples)
    if output != "-":
        _progress(f"wrote {len(triples):,} triples to {output} as {fmt} ({size:,} bytes)")


@click.command("build")
@click.option(
    "-o",
    "--output",
    "out_dir",
    default="dist",
    type=click.Path(file_okay=False, path_type=Path),
    help="The release folder.",
)
@quiet_option
@store_option
def build_command(out_dir: Path, quiet: bool) -> None:
    """Build the release folder: the graph in every format, a VoID/DCAT description computed from the
    data, SHA256SUMS, the HTML graph, the ontology's HTML documentation and the changelog entry; of the
    bundled graph, or of what --store holds.

    The data is validated first; the files replace the previous release only once all are built."""
    from ..release import build

    files = build(
        out_dir,
        progress=(lambda message: None) if quiet else lambda message: _progress(f"build: {message}"),
        store=given_store_dir(),
    )
    width = max(len(f"{f.size:,}") for f in files)
    for file in files:
        click.echo(f"{file.size:>{width},}  {out_dir / file.name}")


@click.command("push")
@click.option(
    "--to",
    "to",
    cls=RenamedOption,
    former=("--endpoint",),
    metavar="URL",
    help="The SPARQL 1.1 query endpoint of the store to load into, e.g. http://localhost:7878/query "
    "(--endpoint, its former name, is still accepted).",
)
@click.option(
    "--graph", "target", default=GRAPH_IRI, metavar="IRI", help="The named graph to replace (or add to, with --add)."
)
@click.option(
    "--graph-store",
    metavar="URL",
    help="Load through this SPARQL 1.1 Graph Store Protocol service (e.g. http://localhost:7878/store); "
    "without it, through SPARQL Update INSERT DATA.",
)
@click.option(
    "--update-endpoint",
    metavar="URL",
    help="The SPARQL Update service (default: the --to URL, with a final /query replaced by /update).",
)
@click.option("--add", is_flag=True, help="Add the triples to the graph instead of replacing its content.")
@click.option("--batch-size", type=click.IntRange(min=1), default=5000, help="Triples per request.")
@click.option(
    "--request-timeout",
    cls=RenamedOption,
    former=("--timeout",),
    type=Seconds(),
    default=30.0,
    help="Seconds allowed for each request to the store, the whole exchange (a push "
    "sends several; --timeout, its former name, is still accepted).",
)
@quiet_option
@ontology_option
@query_option
@param_option
@local_data_options
@store_option
@credential_options
def push_command(
    to: str | None,
    target: str,
    graph_store: str | None,
    update_endpoint: str | None,
    add: bool,
    batch_size: int,
    request_timeout: float,
    quiet: bool,
    no_ontology: bool,
    query: str | None,
    params: tuple[str, ...],
    source: GraphSource,
) -> None:
    """Load the graph (or the triples of a CONSTRUCT or DESCRIBE --query) into the store whose SPARQL
    endpoint is --to, as the named graph --graph.

    The triples go into a staging graph first, in batches; once its triple count is verified, one
    SPARQL Update MOVE replaces the target (ADD with --add), and the target's count is checked. If the
    push fails before that, the target is left as it was and the error names the staging graph."""
    import sys

    from ..export import select_triples
    from ..persistent import progress_bar
    from ..push import connect, push

    if not to:
        raise click.UsageError("push needs --to URL, the store's SPARQL query endpoint")
    # the store is asked first: a wrong URL or password comes out before seconds of loading the graph
    destination = connect(
        to,
        target=target,
        update_endpoint=update_endpoint,
        graph_store=graph_store,
        credentials=endpoint_credentials(),
        timeout=request_timeout,
    )
    triples = select_triples(ontology=not no_ontology, query=query, params=param_values(params), **source.reading())
    # on a terminal, a bar counts the triples sent; elsewhere (a log) a line per batch does
    with progress_bar(len(triples), "push", quiet, unit="triples") as bar:
        report = push(
            triples,
            destination,
            add=add,
            batch_size=batch_size,
            progress=None if quiet else _progress,
            advance=bar.update if not quiet and sys.stderr.isatty() else None,
        )
    click.echo(
        f"pushed {report.triples:,} triples to <{report.target}> at {to} through {report.method}: "
        f"{report.before:,} triples before, {report.after:,} after ({report.seconds:.1f} s)"
    )


@click.command("pull")
@click.option("-o", "--output", required=True, metavar="FILE", help="The file to write (atomically).")
@rdf_format_option([n for n, f in FORMATS.items() if f.kind != "network"])
@click.option(
    "--max-size",
    type=FiniteRange(min=0, min_open=True),
    default=64.0,
    metavar="MB",
    help="The largest answer accepted, in megabytes.",
)
@query_option
@param_option
@endpoint_options
def pull_command(
    output: str,
    fmt: str | None,
    max_size: float,
    query: str | None,
    params: tuple[str, ...],
    endpoint: str | None,
    timeout: float,
) -> None:
    """Run a CONSTRUCT or DESCRIBE query (--query) on a remote --endpoint and write its triples to a
    local file, within --timeout seconds in all and --max-size megabytes of answer."""
    from ..push import pull

    if not endpoint or not query:
        raise click.UsageError("pull needs --endpoint URL and --query NAME|FILE")
    report = pull(
        endpoint,
        query,
        output,
        fmt=fmt,
        params=param_values(params),
        timeout=timeout,
        max_bytes=int(max_size * 1024 * 1024),
        credentials=endpoint_credentials(),
    )
    _progress(f"wrote {report.triples:,} triples from {endpoint} to {report.path} ({report.size:,} bytes)")
