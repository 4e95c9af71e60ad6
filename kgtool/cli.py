"""The kgtool command: parse arguments, call the library, print, pick the exit code.

Exit codes: 0 success (the data conforms), 1 the check ran and found problems, 2 could not run.
Results go to stdout, messages to stderr.
"""

from __future__ import annotations

import functools
import gc
import math
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__
from .dataset import SEVEN_MODELS
from .errors import KgtoolError

if TYPE_CHECKING:
    from .sparql import Where
    from .store import DataFiles

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


# Commands that need heavy libraries (networkx, pyvis, the web stack) live in their own modules and are
# imported only when run, so `kgtool --help` and `kgtool query` stay fast and light.
LAZY_COMMANDS: dict[str, str] = {
    "export": "kgtool.commands.publish:export_command",
    "build": "kgtool.commands.publish:build_command",
    "push": "kgtool.commands.publish:push_command",
    "pull": "kgtool.commands.publish:pull_command",
    "viz": "kgtool.commands.explore:viz",
    "stats": "kgtool.commands.explore:stats",
    "central": "kgtool.commands.explore:central",
    "path": "kgtool.commands.explore:path",
    "communities": "kgtool.commands.explore:communities",
    "serve": "kgtool.commands.serve:serve",
    "chart": "kgtool.commands.chart:chart",
}


def _quiet_rdflib() -> None:
    """rdflib logs a traceback, or warns, for each literal whose text is no value of its datatype ("abc" as an
    xsd:integer) as it reads it: validate reports them in its words, and no command prints rdflib's. Set by the
    command, not by the library, which leaves a program's logging and warnings as they are."""
    import logging
    import warnings

    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Parsing weird boolean", module="rdflib")


class _Group(click.Group):
    """Turns the project's errors into one line on stderr and exit code 2 (after the tracebacks of the error
    and its causes with --debug), and loads the commands of LAZY_COMMANDS on first use."""

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx, name):
        if name in LAZY_COMMANDS:
            import importlib

            module, _, attribute = LAZY_COMMANDS[name].partition(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        _quiet_rdflib()
        try:
            return super().invoke(ctx)
        except KgtoolError as err:
            from .results import terminal_text

            if ctx.obj and ctx.obj.get("debug"):
                import traceback

                # the error's traceback, and those of the errors beneath it (urllib's, a parser's...)
                click.echo(terminal_text("".join(traceback.format_exception(err))), err=True, nl=False)
            click.echo(terminal_text(f"error: {err}"), err=True)
            ctx.exit(EXIT_ERROR)


@click.group(
    cls=_Group,
    # every option that has a default shows it in --help
    context_settings={"help_option_names": ["-h", "--help"], "show_default": True},
    help=f"A knowledge graph of landmark language and vision-language models ({', '.join(SEVEN_MODELS)}): "
    "validate, query and publish it.",
)
@click.version_option(__version__, prog_name="kgtool")
@click.option(
    "--debug",
    is_flag=True,
    envvar="KGTOOL_DEBUG",
    help="Before an error's one line, show its traceback and the errors that caused it (or the KGTOOL_DEBUG variable).",
)
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    # the help, naming the seven models, is made from kgtool.dataset.SEVEN_MODELS above
    ctx.obj = {"debug": debug}
    # a command builds graphs of a few million small objects (terms, tuples, dicts) that live until it
    # exits; at CPython's default thresholds (700, 10, 10) the cycle collector walks them hundreds of
    # times, 15 % of `validate`. Fewer, larger collections free the same cycles, a little later
    gc.set_threshold(50_000, 20, 20)


# ---------------------------------------------------------------------------------------------
# options shared by the commands: each is declared once, here, so that its name, help and default are
# the same in every command that has it (tests/test_cli_options.py checks that they stay so)


class RenamedOption(click.Option):
    """An option whose former names (``former=``) are still accepted but no longer shown in --help."""

    def __init__(self, param_decls, *, former: tuple[str, ...] = (), **kwargs):
        super().__init__([*param_decls, *former], **kwargs)
        self.former = tuple(former)

    def get_help_record(self, ctx):
        opts, self.opts = self.opts, [name for name in self.opts if name not in self.former]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = opts


class FormatChoice(click.Choice):
    """A choice of formats that also takes their other common spellings (jsonld, ttl, ntriples...: see
    :mod:`kgtool.formats`) and passes on the one name."""

    def convert(self, value, param, ctx):
        from .formats import format_name

        if isinstance(value, str) and format_name(value) in self.choices:
            value = format_name(value)
        return super().convert(value, param, ctx)


class FiniteRange(click.FloatRange):
    """click's FloatRange, less nan and inf, which it lets through (an answer of inf megabytes, a nan
    resolution): a usage error before any work."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value} is not a finite number", param, ctx)
        return number


class Seconds(click.FloatRange):
    """A time limit in seconds, the type of every --timeout, --request-timeout, --query-timeout and
    --client-timeout: a finite number greater than 0 (or at least ``minimum``). A value that cannot be a
    deadline (-1, 0, inf, nan) is refused as a usage error before any work."""

    def __init__(self, minimum: float | None = None):
        super().__init__(min=0.0 if minimum is None else minimum, min_open=minimum is None)
        self.minimum = minimum
        # the metavar --help shows stays what it was (FLOAT, or FLOAT RANGE where a minimum is set)
        self.name = "float" if minimum is None else "float range"

    def convert(self, value, param, ctx):
        seconds = click.FLOAT.convert(value, param, ctx)
        if math.isfinite(seconds) and (seconds > 0 if self.minimum is None else seconds >= self.minimum):
            return seconds
        wanted = (
            "a positive, finite number of seconds"
            if self.minimum is None
            else f"a finite number of seconds, at least {self.minimum:g}"
        )
        self.fail(f"{value} is not {wanted}", param, ctx)


class AbsoluteIri(click.ParamType):
    """An absolute IRI, with a scheme (http://example.org/data/): the type of --base, checked before any
    file is read, so that a bad one is a usage error rather than a parser's traceback or a silent
    fallback to the file's own path."""

    name = "iri"

    def convert(self, value, param, ctx):
        from .queries import iri_error

        why = iri_error(value)
        if why is not None:
            self.fail(
                f"{value!r} is not an absolute IRI ({why}): give one with a scheme, such as http://example.org/data/",
                param,
                ctx,
            )
        return value


class DataFile(click.Path):
    """A data file to read (--data FILE, or FILES): a folder is refused by name; a file that does not
    exist is reported when it is read."""

    def __init__(self):
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        if os.path.isdir(value):
            self.fail(f"{value} is a folder, not a file: give the data files in it one by one", param, ctx)
        return super().convert(value, param, ctx)


# --data FILE (repeatable), given to the command as ``extra``
data_file_option = click.option(
    "--data",
    "extra",
    multiple=True,
    type=DataFile(),
    metavar="FILE",
    help="An RDF file or results table (.csv) to read, with the bundled graph unless the "
    "command says otherwise (repeatable).",
)


# --bundled/--no-bundled, None when neither is given: the command says what that means
bundled_option = click.option(
    "--bundled/--no-bundled",
    default=None,
    help="Read the bundled graph with the files, or the files alone (default: with it; "
    "`validate` checks files alone unless one is a results table).",
)


infer_option = click.option(
    "--infer", is_flag=True, help="Add RDFS/OWL-RL entailments (owlrl) to the local graph first."
)


@dataclass(frozen=True)
class GraphSource:
    """Where a command reads the graph, as its options say: the bundled graph with the --data files
    (and their entailments with --infer), the store of --store, or --endpoint within --timeout."""

    extra: DataFiles
    infer: bool = False
    endpoint: str | None = None
    timeout: float = 30.0

    def store(self):
        """The read-only store of --store, or None (see :func:`given_store`)."""
        return given_store(self.extra, self.infer, self.endpoint)

    def identity(self) -> bytes | None:
        """What tells the graph read from any other, when it cannot change: the record of --store's
        store, or of the bundled graph's cached store (:func:`kgtool.persistent.store_identity`). None
        for --data files, --infer and --endpoint."""
        from .persistent import bundled_location, store_identity

        store_dir = given_store_dir(self.extra, self.infer, self.endpoint)
        if store_dir is not None:
            return store_identity(store_dir)
        if self.endpoint or self.infer or len(self.extra):
            return None
        return store_identity(bundled_location())

    def reading(self) -> Where:
        """The keyword arguments with which the library reads this graph (run_query, engine_for,
        select_triples and charts.local_runner all take them)."""
        return {
            "extra": self.extra,
            "infer": self.infer,
            "endpoint": self.endpoint,
            "timeout": self.timeout,
            "credentials": endpoint_credentials(),
            "store": self.store(),
        }


def data_options(command):
    """Where the graph comes from: the bundled files and more (:func:`local_data_options`), a store
    (:func:`store_option`) or an endpoint (:func:`endpoint_options`), given to the command as one
    ``source`` argument, a :class:`GraphSource`."""

    function = command

    @functools.wraps(function)
    def with_endpoint(*args, source: GraphSource, endpoint, timeout, **kwargs):
        return function(*args, source=replace(source, endpoint=endpoint, timeout=timeout), **kwargs)

    return endpoint_options(store_option(local_data_options(with_endpoint)))


base_option = click.option(
    "--base",
    type=AbsoluteIri(),
    metavar="IRI",
    help="The base IRI that relative IRIs in the --data files resolve against "
    "(without it, a relative IRI is an error).",
)


def local_data_options(command):
    """--data, --base, --allow-remote-context and --infer. The command receives them as one ``source``
    argument, a :class:`GraphSource` of the bundled graph and the data files (a
    :class:`kgtool.store.DataFiles` that knows how to read them)."""

    function = command

    @functools.wraps(function)
    def with_source(*args, extra, base, allow_remote_context, infer, **kwargs):
        from .store import DataFiles

        files = DataFiles(tuple(extra), base, allow_remote_context)
        return function(*args, source=GraphSource(files, infer), **kwargs)

    command = base_option(data_file_option(with_source))
    command = click.option(
        "--allow-remote-context",
        is_flag=True,
        help="Let a JSON-LD --data file load its @context from a URL or a file "
        "(by default nothing but the data files is read).",
    )(command)
    return infer_option(command)


def endpoint_options(command):
    """--endpoint and --timeout, with the endpoint's credentials (:func:`credential_options`)."""
    command = click.option(
        "--endpoint", metavar="URL", help="Query this SPARQL 1.1 endpoint instead of the bundled graph."
    )(command)
    command = click.option(
        "--timeout", type=Seconds(), default=30.0, help="Seconds allowed for a whole answer from an endpoint."
    )(command)
    return credential_options(command)


# -p NAME=VALUE (repeatable), read with :func:`param_values`
param_option = click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter: an IRI, a prefixed name, a literal, a label or the end of an IRI of the graph "
    "(repeatable); "
    "NAME= (empty) leaves it unbound.",
)


query_option = click.option(
    "--query",
    metavar="NAME|FILE",
    help="Take this query's result instead of the whole graph: a named query (see `kgtool "
    "queries`), a .rq file or SPARQL text.",
)


quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")


def store_option(command):
    """--store DIR (or KGTOOL_STORE); the command opens it with :func:`given_store`."""

    def keep(ctx: click.Context, param: click.Parameter, value):
        ctx.meta["kgtool.store"] = (value, ctx.get_parameter_source(param.name))

    return click.option(
        "--store",
        envvar="KGTOOL_STORE",
        type=click.Path(file_okay=False, path_type=Path),
        expose_value=False,
        callback=keep,
        help="Read the graph from this store, built by `kgtool load` (or the KGTOOL_STORE "
        "variable), instead of parsing files.",
    )(command)


def given_store_dir(extra=(), infer: bool = False, endpoint: str | None = None) -> Path | None:
    """The folder of --store (or KGTOOL_STORE), or None. With --endpoint the variable is set aside (the
    graph comes from the endpoint); --data and --infer do not go with a store."""
    store_dir, source = click.get_current_context().meta.get("kgtool.store", (None, None))
    if store_dir is None or (endpoint and source == click.core.ParameterSource.ENVIRONMENT):
        return None
    if extra or infer or endpoint:
        raise click.UsageError(
            "--store holds the whole graph: load extra files into it with `kgtool load`, and "
            "leave out --data, --infer and --endpoint"
        )
    return store_dir


def given_store(extra=(), infer: bool = False, endpoint: str | None = None):
    """The read-only store of --store (or KGTOOL_STORE), or None (see :func:`given_store_dir`)."""
    store_dir = given_store_dir(extra, infer, endpoint)
    if store_dir is None:
        return None
    from .persistent import open_store

    return open_store(store_dir)


def credential_options(command):
    """--user, --password and --token for the endpoint (or KGTOOL_USER, KGTOOL_PASSWORD, KGTOOL_TOKEN); the
    command reads them with :func:`endpoint_credentials`."""

    def keep(ctx: click.Context, param: click.Parameter, value):
        ctx.meta.setdefault("kgtool.credentials", {})[param.name] = value

    for name, variable, text in (
        (
            "--user",
            "KGTOOL_USER",
            "User name for HTTP Basic or Digest authentication at the endpoint (or the KGTOOL_USER variable).",
        ),
        ("--password", "KGTOOL_PASSWORD", "Password (better: the KGTOOL_PASSWORD variable)."),
        ("--token", "KGTOOL_TOKEN", "A bearer token for the endpoint (or the KGTOOL_TOKEN variable)."),
    ):
        command = click.option(name, envvar=variable, expose_value=False, callback=keep, help=text)(command)
    return command


def endpoint_credentials():
    """The credentials given to the running command (see :func:`credential_options`)."""
    from .auth import Credentials

    given = click.get_current_context().meta.get("kgtool.credentials", {})
    user, password, token = given.get("user"), given.get("password"), given.get("token")
    if token and user:
        raise click.UsageError("give --user/--password or --token, not both")
    return Credentials(user, password, token)


def param_values(items: tuple[str, ...]) -> dict[str, str]:
    """The -p NAME=VALUE options as a dict (the values are bound later, never pasted into query text)."""
    from .errors import QueryError

    values: dict[str, str] = {}
    for item in items:
        name, eq, value = item.partition("=")
        name = name.strip()
        if not eq or not name:
            raise QueryError(f"-p {item!r}: write parameters as NAME=VALUE")
        if name in values:
            raise QueryError(f"-p {name} is given twice ({values[name]!r} and {value!r}); give it once")
        values[name] = value
    return values


def announce_defaults(result) -> None:
    """Say on stderr which parameters took their default, so that an answer for GPT-3 is not
    mistaken for an answer about every model."""
    from .results import short

    if not result.defaults:
        return
    labels = result.labeller([t.value for t in result.defaults.values() if t.kind == "uri"]) if result.labeller else {}
    for name, term in result.defaults.items():
        shown = labels.get(term.value) or short(term)
        click.echo(f"{name}: {shown} (default; -p {name}= for every {name})", err=True)


# --iris, for the commands that print the label-first table
table_options = click.option(
    "--iris", is_flag=True, help="Show entities by IRI (prefixed name) instead of label, and every column."
)


def format_option(command):
    from .results import GRAPH_FORMATS, SELECT_FORMATS

    return click.option(
        "-f",
        "--format",
        "fmt",
        default="table",
        type=FormatChoice(SELECT_FORMATS + GRAPH_FORMATS),
        help="table, csv, tsv, json, xml or markdown for SELECT; turtle, nt or json-ld for CONSTRUCT and DESCRIBE.",
    )(command)


@main.command()
@click.argument("files", nargs=-1, type=DataFile())
@data_file_option
@bundled_option
@click.option("--fresh", is_flag=True, help="Run every check even when the inputs are unchanged since a saved report.")
@base_option
@store_option
@click.pass_context
def validate(
    ctx: click.Context,
    files: tuple[Path, ...],
    extra: tuple[Path, ...],
    bundled: bool | None,
    fresh: bool,
    base: str | None,
) -> None:
    """Check the data: parse every file, run the SHACL shapes, run every violation query under
    queries/checks/, and check that every class and property is declared in the ontology and that every
    literal's text is a value of its datatype.

    FILES (or --data FILE) are RDF files (Turtle, N-Triples, RDF/XML, JSON-LD...) or results tables (.csv,
    .tsv) to validate, alone unless --bundled is given (against the ontology and the shapes, reporting what
    is wrong with the resources they describe); without them the bundled data is validated, and a results
    table is validated together with it (its slugs name the bundled models, benchmarks and metrics). With
    --store, what the store holds. Exit 0 conforms, 1 violations found, 2 could not run. The report of
    unchanged inputs is read from the cache (`--fresh` runs it again).
    """
    from .validation import validate as run_validation

    files = (*files, *extra)
    store_dir = given_store_dir()
    if store_dir is not None and (files or bundled is not None):
        raise click.UsageError("--store is validated as it is: leave out the files and --bundled/--no-bundled")
    report = run_validation(files, bundled=bundled, fresh=fresh, store=store_dir, base=base)
    from .results import plain_text  # one line each: a label may hold a newline

    for error in report.parse_errors:
        click.echo(plain_text(f"syntax error: {error}"), err=True)
    if report.parse_errors:
        click.echo(report.summary(), err=True)
        ctx.exit(EXIT_ERROR)
    for violation in report.violations:
        click.echo(plain_text(f"violation: {violation}"))
    status = "conforms" if report.conforms else "does not conform"
    if report.saved:
        click.echo(
            "the files, shapes and checks are unchanged since a saved report, which follows "
            "(--fresh runs every check again)",
            err=True,
        )
    click.echo(f"{status}: {report.summary()}")
    ctx.exit(EXIT_OK if report.conforms else EXIT_FAILED)


@main.command("queries")
@click.option("--all", "show_all", is_flag=True, help="Also list the violation checks under queries/checks/.")
def list_queries(show_all: bool) -> None:
    """List the named queries: name, title and parameters."""
    from .queries import catalogue

    queries = [q for q in catalogue().values() if show_all or not q.name.startswith("checks/")]
    width = max(len(q.name) for q in queries)
    for q in queries:
        params = " ".join(f"-p {p}" for p in q.params)
        click.echo(f"{q.name.ljust(width)}  {q.title}" + (f"  [{params}]" if params else ""))


@main.command()
@click.argument("query", required=False)
@click.option("-e", "--expression", metavar="SPARQL", help="Run this SPARQL text.")
@param_option
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Show at most N rows (or triples); a note on stderr says when more exist.",
)
@format_option
@table_options
@data_options
def query(
    query: str | None,
    expression: str | None,
    params: tuple[str, ...],
    fmt: str,
    limit: int | None,
    iris: bool,
    source: GraphSource,
) -> None:
    """Run QUERY: a named query (see `kgtool queries`), a .rq file, or - for standard input;
    or the SPARQL given with -e. An ASK query prints true or false and exits 0 or 1.

    The table shows entities by label and fits the terminal ($COLUMNS); csv, tsv, json and xml
    carry every value exactly."""
    from .errors import QueryError
    from .queries import NamedQuery

    if (query is None) == (expression is None):
        raise QueryError("give one query: a name, a .rq file, - for standard input, or -e 'SPARQL'")
    target: NamedQuery | str
    if expression is not None:
        target = NamedQuery.parse(expression, "(-e)")
    elif query == "-":
        try:
            text = sys.stdin.buffer.read().decode("utf-8-sig")  # a byte order mark, which editors write, is skipped
        except UnicodeDecodeError as err:
            raise QueryError(
                f"standard input is not UTF-8 text (byte {err.start + 1} is not): give the query as text"
            ) from err
        target = NamedQuery.parse(text, "(stdin)")
    else:
        assert query is not None  # exactly one of the two is given, checked above
        target = query
    _run_and_print(target, params, fmt, limit, iris, source)


def _run_and_print(target, params, fmt, limit, iris, source: GraphSource) -> None:
    from .errors import QueryError
    from .results import render, terminal_width
    from .sparql import run_query

    result = run_query(target, param_values(params), limit=limit, **source.reading())
    announce_defaults(result)
    try:
        text = render(result, fmt, width=terminal_width(), iris=iris)
    except ValueError as err:
        raise QueryError(str(err)) from err
    click.echo(text, nl=False)
    if result.truncated:
        click.echo(
            f"note: showing the first {limit:,} row{'s' if limit != 1 else ''}; more exist (raise or drop --limit)",
            err=True,
        )
    if result.kind == "ask":
        sys.exit(EXIT_OK if result.boolean else EXIT_FAILED)


@main.command()
@click.argument("files", nargs=-1, type=DataFile())
@data_file_option
@click.option(
    "--store",
    "store_dir",
    envvar="KGTOOL_STORE",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The store folder to build (or the KGTOOL_STORE variable); a store there is replaced.",
)
@bundled_option
@base_option
@quiet_option
def load(
    files: tuple[Path, ...],
    extra: tuple[Path, ...],
    store_dir: Path,
    bundled: bool | None,
    base: str | None,
    quiet: bool,
) -> None:
    """Build a persistent store from the bundled graph and FILES (or --data FILE): bulk load, then
    optimise. Every command that reads the graph opens it with --store DIR (or KGTOOL_STORE) instead of
    parsing files again.

    The store records its files and their checksums, and is refused once one of them changes. An
    interrupted load leaves the previous store as it was."""
    from .persistent import build
    from .store import bundled_files

    sources = (bundled_files() if bundled is not False else []) + [*files, *extra]
    if not sources:
        raise click.UsageError("nothing to load: give files, or leave out --no-bundled")
    record = build(sources, store_dir, base=base, quiet=quiet)
    click.echo(
        f"loaded {record.triples:,} triples from {len(record.files)} files into {store_dir} ({record.seconds:.1f} s)",
        err=True,
    )


@main.command()
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Show at most N models.")
@format_option
@table_options
@data_options
def models(fmt: str, limit: int | None, iris: bool, source: GraphSource) -> None:
    """List the seven models of the source article (the named query `models`): organization, release
    date, sizes, modalities, paper and their most specific classes."""
    _run_and_print("models", (), fmt, limit, iris, source)


@main.command()
@click.argument("models", nargs=-1, metavar="[MODEL]...")
@click.option(
    "-f",
    "--format",
    "fmt",
    default="table",
    type=FormatChoice(["table", "csv", "markdown", "json", "html"]),
    help="table (fits the terminal), csv (one line per value and source), markdown, json, or one "
    "offline HTML page with the sources as links.",
)
@click.option("-o", "--output", default="-", metavar="FILE", help="Where to write (- for standard output).")
@click.option("--benchmarks-only", is_flag=True, help="Only the benchmark rows.")
@click.option("--properties-only", is_flag=True, help="Only the property rows.")
@click.option(
    "--benchmark",
    "benchmark",
    multiple=True,
    metavar="NAME",
    help="Only this benchmark, by label or IRI, even where one model alone has results (repeatable).",
)
@data_options
def compare(
    models: tuple[str, ...],
    fmt: str,
    output: str,
    benchmarks_only: bool,
    properties_only: bool,
    benchmark: tuple[str, ...],
    source: GraphSource,
) -> None:
    """Compare MODELs side by side (two or more, by label or IRI; the seven models of the source
    article when none are given): one row per property (organization, dates, sizes, training,
    architecture, techniques, hardware, weights, modalities, products) and one per benchmark they
    share, the best value per setting with its size and shots (a number on a subset of a split, such as
    a contamination check's clean examples, is no score on the benchmark and stays out). Every value
    keeps its source."""
    from . import comparison as comparing
    from .errors import QueryError
    from .results import terminal_width
    from .sparql import engine_for

    if benchmarks_only and properties_only:
        raise QueryError("--benchmarks-only and --properties-only exclude each other")
    engine = engine_for(**source.reading())
    found = comparing.compare(
        models, properties=not benchmarks_only, benchmarks=not properties_only, benchmark=benchmark, engine=engine
    )
    if not found.rows:
        click.echo("note: nothing to compare: no row has a value for these models", err=True)
        if fmt == "table":
            return
    text = comparing.render(found, fmt, width=terminal_width() if output == "-" else None)
    if output == "-":
        click.echo(text, nl=False)
    else:
        from .files import atomic_output

        with atomic_output(output) as handle:
            handle.write(text.encode("utf-8"))
        click.echo(f"wrote {output}: {len(found.models)} models, {len(found.rows)} rows", err=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
