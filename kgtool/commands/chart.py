"""`kgtool chart`: a benchmark's leaderboard, a model's results, the scaling view or the timeline, as an
offline HTML page, an SVG or a PNG (kgtool.charts does the work)."""

from __future__ import annotations

import time

import click

from ..cli import FormatChoice, GraphSource, data_options, param_option, param_values


@click.command(
    short_help="A chart as an offline HTML page, SVG or PNG: a benchmark's leaderboard, a model's "
    "results, model sizes against time (scaling), or the timeline of papers and releases."
)
@click.argument("kind", type=click.Choice(["leaderboard", "model", "scaling", "timeline"]))
@click.argument("target", required=False, metavar="[BENCHMARK|MODEL]")
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="The file to write: .html, .svg or .png, or - for standard output [default: KIND.html].",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=FormatChoice(["html", "svg", "png"]),
    help="The output format, when the file name does not say it.",
)
@param_option
@data_options
def chart(
    kind: str, target: str | None, output: str | None, fmt: str | None, params: tuple[str, ...], source: GraphSource
) -> None:
    """Draw a chart of the graph's data:

    \b
      kgtool chart leaderboard CoQA          a benchmark's results, by model, setting and shots
      kgtool chart model GPT-3 -o gpt-3.svg  a model's results across benchmarks (every size)
      kgtool chart scaling -o scaling.png    parameters and training tokens against date, log axes
      kgtool chart timeline                  papers, releases and products in date order

    A leaderboard takes the further parameters of the leaderboard query with -p (-p setting=few-shot,
    -p metric=F1).

    The HTML page works offline (Vega inlined); SVG and PNG are rendered without a browser."""
    from .. import charts
    from ..files import is_standard_output, output_target

    output = output or f"{kind}.{fmt or 'html'}"
    charts.output_format(output, fmt)  # a file name that says no format is refused before the work
    if not is_standard_output(output):
        output_target(output)  # and so is a place that cannot be written
    started = time.perf_counter()
    run = charts.local_runner(**source.reading())
    data = charts.chart_data(kind, run, target, param_values(params))
    charts.write(data, output, fmt)
    elapsed = time.perf_counter() - started
    if not is_standard_output(output):
        click.echo(f"wrote {output}: {data.title} ({len(data.rows)} marks) in {elapsed:.1f} s", err=True)
