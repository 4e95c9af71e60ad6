"""The kgtool command: parse arguments, call the library, print, pick the exit code.

Exit codes: 0 success (the data conforms), 1 the check ran and found problems, 2 could not run.
Results go to stdout, messages to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import KgtoolError

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


class _Group(click.Group):
    """Turns the project's errors into one line on stderr and exit code 2 (a traceback only with --debug)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgtoolError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {err}", err=True)
            ctx.exit(EXIT_ERROR)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kgtool")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """A knowledge graph of landmark language and vision-language models (GPT-3, LaMDA, PaLM,
    Flamingo, BLIP-2, LLaMA, GPT-4): validate, query and publish it."""
    ctx.obj = {"debug": debug}


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--bundled/--no-bundled", default=None,
              help="Include the bundled data (default: only when no FILES are given).")
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], bundled: bool | None) -> None:
    """Check the data: parse every file, run the SHACL shapes, run every violation query under
    queries/checks/, and check that every class and property is declared in the ontology.

    FILES are RDF files to validate (Turtle, N-Triples, RDF/XML, JSON-LD...); without them the
    bundled data is validated. Exit 0 conforms, 1 violations found, 2 could not run.
    """
    from .validate import validate as run_validation

    report = run_validation(files, bundled=bundled)
    for error in report.parse_errors:
        click.echo(f"syntax error: {error}", err=True)
    if report.parse_errors:
        click.echo(f"{len(report.parse_errors)} of {len(report.files)} files could not be parsed", err=True)
        ctx.exit(EXIT_ERROR)
    for violation in report.violations:
        click.echo(f"violation: {violation}")
    status = "conforms" if report.conforms else "does not conform"
    click.echo(f"{status}: {report.summary()}")
    ctx.exit(EXIT_OK if report.conforms else EXIT_FAILED)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
