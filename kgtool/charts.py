"""Charts of the graph: a benchmark's leaderboard, a model's results, the scaling view and the timeline.

The data comes from named queries (run locally, on an endpoint, or in the server's workers: the
caller passes a function that runs one); the charts are Vega-Lite specifications built with altair,
rendered to SVG and PNG by vl-convert (an embedded engine, no browser, no network) and to HTML as one
self-contained page with Vega, Vega-Lite and vega-embed inlined.

Vega-Lite was chosen over plotly because one declarative spec serves the three outputs and the web
page alike, vl-convert renders static images without a browser, and the bundled JavaScript (about
0.9 MB) is a third of plotly's. The page runs Vega with its expression interpreter (``ast``), so no
code is ever generated from strings and a strict Content-Security-Policy holds. Text from the data
reaches the page only inside a JSON block (see :func:`kgtool.visualize.script_json`); Vega draws it as
SVG text and its tooltips escape it.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import KgtoolError, QueryError
from .results import QueryResult, Term, short

if TYPE_CHECKING:
    import altair
    from typing_extensions import Unpack

    from .sparql import Where

KINDS = ("leaderboard", "model", "scaling", "timeline")
FORMATS = ("html", "svg", "png")
VEGA_LITE_VERSION = "6.4"  # the version altair's schema speaks; vl-convert bundles it

# runs a named query with parameters (labels allowed, as for `kgtool query -p`)
Runner = Callable[[str, Mapping[str, str]], QueryResult]


@dataclass
class ChartData:
    """What a chart shows: its rows (plain values), a title and a line that says what it is."""

    kind: str
    rows: list[dict]
    title: str
    description: str


# ---------------------------------------------------------------------------------------------
# data: rows of named queries, as plain values


def _text(term: Term | None) -> str | None:
    return None if term is None else term.value


def _number(term: Term | None) -> float | None:
    try:
        return float(term.value) if term is not None else None
    except ValueError:
        return None


def _label(row: Mapping[str, Term], key: str) -> str:
    return _text(row.get(f"{key}Label")) or short(row[key])


def unit_label(row: Mapping[str, Term]) -> str:
    """A result's unit: its label, else the literal or the IRI's last segment."""
    term = row.get("unit")
    if term is None:
        return ""
    return _text(row.get("unitLabel")) or (term.value if term.kind == "literal" else term.value.rsplit("/", 1)[-1])


def _setting(row: Mapping[str, Term]) -> str:
    setting = _text(row.get("settingLabel")) or short(row["setting"]).split("/")[-1].split(":")[-1]
    shots = _text(row.get("shots"))
    if not shots or setting in ("zero-shot", "one-shot"):
        return setting
    return f"{setting}, {shots} shot{'' if shots == '1' else 's'}"  # PaLM's few-shot columns print one shot too


def _qualified(row: Mapping[str, Term]) -> str:
    """The value as the source states it: with its qualifier (approximate, at most...) and upper bound."""
    value, qualifier, upper = row["value"].value, _text(row.get("qualifier")), _text(row.get("upper"))
    text = f"{value}–{upper}" if upper else value
    return f"{text} ({qualifier})" if qualifier else text


def _result_rows(result: QueryResult, about: str, grouped: Callable[[Mapping[str, Term]], dict]) -> list[dict]:
    """A row per result that has a number: what ``grouped`` says it is drawn by, the value as a number and
    as stated, where it stands and who reports it, and the IRI of its ``about`` entity (the mark's link)."""
    return [
        {
            **grouped(r),
            "value": _number(r["value"]),
            "stated": _qualified(r),
            # a subset of the split (the dirty examples of a contamination check) beside the split it is of
            "split": " ".join(filter(None, (_text(r.get("split")), f"({r['subset'].value})" if "subset" in r else ""))),
            "unit": unit_label(r),
            "origin": _text(r.get("origin")) or "",
            "source": short(r["source"]),
            "locator": _text(r.get("locator")) or "",
            "iri": r[about].value,
        }
        for r in result.rows
        if _number(r.get("value")) is not None
    ]


def leaderboard_data(run: Runner, benchmark: str, **params: str) -> ChartData:
    result = run("leaderboard", {"benchmark": benchmark, **params})
    labels = result.labels() if any("part" in r for r in result.rows) else {}

    def band(r: Mapping[str, Term]) -> str:  # a suite's results stand by model and part
        part = r.get("part")
        return _label(r, "model") + (f" · {labels.get(part.value) or short(part)}" if part is not None else "")

    rows = _result_rows(
        result, "model", lambda r: {"model": band(r), "metric": _label(r, "metric"), "setting": _setting(r)}
    )
    if not rows:
        raise QueryError(f"no results on the benchmark {benchmark!r}: nothing to chart")
    slots: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:  # a panel per metric and unit: one axis never mixes percent with numbers
        row["panel"] = f"{row['metric']} ({row['unit']})" if row["unit"] else row["metric"]
        # the result's place in its model's band, so that a model's results stand side by side
        row["slot"] = slots[row["panel"], row["model"]]
        slots[row["panel"], row["model"]] += 1
    name = _benchmark_name(result)
    return ChartData(
        "leaderboard",
        rows,
        f"Leaderboard: {name}",
        f"{len(rows)} results on {name}, a bar each, by model{' and part' if labels else ''}, a panel per metric "
        "and unit, coloured by setting and shots; hover a bar for the value as stated and who reports it.",
    )


def _benchmark_name(result: QueryResult) -> str:
    """The benchmark's label, however it was named (a label in other letters, an IRI, the end of one)."""
    iri = result.rows[0]["benchmark"]
    return result.labels().get(iri.value) or short(iri)


def model_data(run: Runner, model: str) -> ChartData:
    """The results of a model family (every size and variant) or of one size, across benchmarks."""
    result = run("model-results", {"model": model})
    rows = _result_rows(
        result,
        "benchmark",
        lambda r: {
            "model": _label(r, "evaluated"),
            "benchmark": f"{_label(r, 'benchmark')} · {_label(r, 'metric')}",
            "setting": _setting(r),
            "mode": _setting({"setting": r["setting"]}),
        },
    )
    if not rows:
        raise QueryError(f"no results for the model {model!r}: nothing to chart")
    name = ", ".join(sorted({_label(r, "model") for r in result.rows}))
    return ChartData(
        "model",
        rows,
        f"Results of {name}",
        f"{len(rows)} results of {name} on {len({r['benchmark'] for r in rows})} benchmarks and metrics, "
        "one mark per result; hover a mark for the value as stated and who reports it.",
    )


def scaling_data(run: Runner, model: str = "") -> ChartData:
    result = run("scaling", {"model": model})
    rows = []
    for r in result.rows:
        if "date" not in r:
            continue  # an undated size has no place on a time axis
        base = {
            "model": _label(r, "model"),
            "size": _label(r, "size"),
            "date": r["date"].value,
            "dated by": _text(r.get("dateKind")),
            "iri": r["size"].value,
        }
        rows.append({**base, "measure": "parameters", "value": _number(r["parameterCount"]), "of": "size"})
        if "trainingTokens" in r:
            rows.append(
                {
                    **base,
                    "measure": "training tokens",
                    "value": _number(r["trainingTokens"]),
                    "of": _text(r.get("tokensOf")),
                }
            )
        if "trainingCompute" in r:
            rows.append(
                {**base, "measure": "training compute (FLOPs)", "value": _number(r["trainingCompute"]), "of": "size"}
            )
    # a size with two stated compute figures comes in two answer rows: its other marks are drawn once
    rows = list({(row["measure"], row["iri"], row["value"]): row for row in rows}.values())
    if not rows:
        raise QueryError("no dated sizes with a parameter count: nothing to chart")
    # sizes that share a value and a date share one label (GPT-3's eight sizes saw the same tokens)
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["measure"], row["model"], row["value"], row["date"]), []).append(row)
    for group in groups.values():
        for i, row in enumerate(group):
            row["label"] = "" if i else (row["size"] if len(group) == 1 else f"{row['model']} ({len(group)} sizes)")
    undated = len({r["size"].value for r in result.rows if "date" not in r})
    note = f"; {undated} sizes without a date are left out" if undated else ""
    return ChartData(
        "scaling",
        rows,
        "Scaling: parameters, training tokens and compute over time",
        f"One mark per size and stated value, on log axes; training compute only where a source states it{note}.",
    )


def timeline_data(run: Runner) -> ChartData:
    rows = []
    for r in run("timeline", {}).rows:
        rows.append(
            {
                "date": r["date"].value,
                "event": _text(r["event"]),
                "entity": _label(r, "entity"),
                "kind": short(r["type"]).split(":")[-1],
                "source": short(r["source"]),
                "locator": _text(r.get("locator")) or "",
                "iri": r["entity"].value,
            }
        )
    seen = set()
    for r in run("papers", {}).rows:
        if "publicationDate" not in r or r["paper"].value in seen:
            continue
        seen.add(r["paper"].value)
        rows.append(
            {
                "date": r["publicationDate"].value,
                "event": "paper",
                "entity": _label(r, "paper"),
                "kind": "Paper",
                "source": short(r["paper"]),
                "locator": _text(r.get("arxivId")) or "",
                "iri": r["paper"].value,
            }
        )
    if not rows:
        raise QueryError("no dated papers, releases or products: nothing to chart")
    rows.sort(key=lambda r: (r["date"], r["entity"]))
    return ChartData(
        "timeline",
        rows,
        "Timeline: papers, releases and products",
        f"{len(rows)} dated events: papers (publication), models and products (release, announcement).",
    )


# control characters: invalid in SVG (vl-convert aborts on them) and, printed, terminal commands
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _printable(value):
    return _CONTROL.sub("\ufffd", value) if isinstance(value, str) else value


def chart_data(kind: str, run: Runner, target: str | None = None, params: Mapping[str, str] | None = None) -> ChartData:
    """The data of chart ``kind``; ``target`` is the benchmark (leaderboard) or the model (model,
    optionally scaling). Control characters in the data's text are replaced by U+FFFD."""
    data = _chart_data(kind, run, target, dict(params or {}))
    return ChartData(
        data.kind,
        [{k: _printable(v) for k, v in row.items()} for row in data.rows],
        _printable(data.title),
        _printable(data.description),
    )


def _chart_data(kind: str, run: Runner, target: str | None, params: dict) -> ChartData:
    # what a chart does not use is refused, not dropped: the chart would not be the one asked for
    if params and kind != "leaderboard":
        raise QueryError(f"only a leaderboard takes -p parameters; a {kind} chart takes none")
    if target and kind == "timeline":
        raise QueryError(f"a timeline shows every dated paper, release and product; it takes no {target!r}")
    if kind == "leaderboard":
        if not target:
            raise QueryError("a leaderboard needs a benchmark, such as CoQA")  # on the command line and the web alike
        return leaderboard_data(run, target, **params)
    if kind == "model":
        if not target:
            raise QueryError("a model chart needs a model, such as LLaMA")
        return model_data(run, target)
    if kind == "scaling":
        return scaling_data(run, target or "")
    if kind == "timeline":
        return timeline_data(run)
    raise QueryError(f"no chart {kind!r}; the charts are {', '.join(KINDS)}")


# ---------------------------------------------------------------------------------------------
# the charts, as Vega-Lite through altair

# 1e9 reads "1B", not "1G"; only the powers of ten are labelled on a log axis
# a label at each power of ten: 100M, 10B, 1T as people say sizes; from 10^15 up (FLOPs) 1e24 as papers print it
_LOG_LABELS = (
    "(log(datum.value) / log(10)) % 1 < 1e-6 || (log(datum.value) / log(10)) % 1 > 1 - 1e-6 "
    "? (datum.value >= 1e15 ? replace(format(datum.value, '.0e'), '+', '') "
    ": replace(format(datum.value, '~s'), 'G', 'B')) : ''"
)


def _value_title(rows: list[dict]) -> str:
    units = sorted({row["unit"] for row in rows if row.get("unit")})
    return f"value ({units[0]})" if len(units) == 1 else "value (" + ", ".join(units) + ")" if units else "value"


def build(data: ChartData, *, width: int = 640) -> altair.TopLevelMixin:
    import altair as alt

    source = alt.Data(values=data.rows)
    tooltip_source = [alt.Tooltip("source:N", title="source"), alt.Tooltip("locator:N", title="where")]
    if data.kind == "leaderboard":
        # a bar per result, side by side within its model's band: a model's splits, conditions and the
        # papers that report one number each get a bar of their own (never stacked, never drawn over)
        bars = (
            alt.Chart(source, width=width)
            .mark_bar(opacity=0.85)
            .encode(
                y=alt.Y("model:N", sort=alt.EncodingSortField("value", op="max", order="descending"), title=None),
                x=alt.X("value:Q", title="value", stack=None),
                color=alt.Color("setting:N", title="setting"),
                yOffset=alt.YOffset("slot:O", scale=alt.Scale(paddingInner=0.2), title=None),
                tooltip=[
                    "model:N",
                    "setting:N",
                    alt.Tooltip("stated:N", title="value"),
                    "unit:N",
                    "split:N",
                    "metric:N",
                    "origin:N",
                    *tooltip_source,
                ],
            )
            .properties(height={"step": 8, "for": "offset"})  # a bar of 8 pixels, however many a model has
        )
        # the panel's name above it, level: a long metric's name turned on its side overran the next panel
        header = alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start", labelFontWeight="bold")
        chart = bars.facet(row=alt.Row("panel:N", title=None, header=header)).resolve_scale(
            x="independent", y="independent"
        )
    elif data.kind == "model":
        # a dot per result, a row per benchmark and metric: a family has hundreds of results
        colour = "model" if len({r["model"] for r in data.rows}) > 1 else "setting"
        encoding = dict(
            y=alt.Y("benchmark:N", title=None, axis=alt.Axis(labelLimit=260)),
            color=alt.Color(f"{colour}:N", title="size" if colour == "model" else "setting"),
            shape=alt.Shape("mode:N", title="setting") if colour == "model" else alt.Undefined,
            tooltip=[
                "model:N",
                "benchmark:N",
                "setting:N",
                alt.Tooltip("stated:N", title="value"),
                "unit:N",
                "split:N",
                "origin:N",
                *tooltip_source,
            ],
        )
        # one panel per unit, each with its own axis: a perplexity of 20 or an exam score of 298 of 400
        # is not a percentage, and a fraction of 0.57 would sit at the left edge of a percent axis
        panels = []
        for unit in sorted({r["unit"] for r in data.rows}):
            of_unit = [r for r in data.rows if r["unit"] == unit]
            height = max(60, 16 * len({r["benchmark"] for r in of_unit}))
            panels.append(
                alt.Chart(alt.Data(values=of_unit), width=width, height=height)
                .mark_point(filled=True, size=55, opacity=0.8)
                .encode(x=alt.X("value:Q", title=_value_title(of_unit)), **encoding)
            )
        chart = panels[0] if len(panels) == 1 else alt.vconcat(*panels).resolve_scale(x="independent")
    elif data.kind == "scaling":
        base = alt.Chart(source, width=width // 2, height=360).encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
            y=alt.Y(
                "value:Q",
                scale=alt.Scale(type="log"),
                title=None,
                axis=alt.Axis(labelExpr=_LOG_LABELS, tickCount=6, grid=True),
            ),
            color=alt.Color("model:N", title="model"),
            tooltip=["size:N", "measure:N", alt.Tooltip("value:Q", format=","), "date:T", "dated by:N", "of:N"],
        )
        layered = alt.layer(
            base.mark_point(filled=True, size=70),
            base.mark_text(align="left", dx=6, fontSize=10).encode(text="label:N"),
        )
        chart = layered.facet(column=alt.Column("measure:N", title=None)).resolve_scale(y="independent")
    elif data.kind == "timeline":
        chart = (
            alt.Chart(source, width=width)
            .mark_point(filled=True, size=80)
            .encode(
                x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y")),
                y=alt.Y("entity:N", sort=alt.SortField("date"), title=None),
                color=alt.Color("event:N", title="event"),
                shape=alt.Shape("event:N"),
                tooltip=["entity:N", "event:N", "date:T", "kind:N", *tooltip_source],
            )
        )
    else:
        raise QueryError(f"no chart {data.kind!r}; the charts are {', '.join(KINDS)}")
    return chart.properties(title=alt.TitleParams(data.title, subtitle=data.description, anchor="start"))


def spec(data: ChartData, **options) -> dict:
    """The Vega-Lite specification of a chart, as JSON-ready data."""
    return build(data, **options).to_dict(validate=True)


# ---------------------------------------------------------------------------------------------
# output: SVG and PNG through vl-convert, HTML as one offline page


def to_svg(vega_lite: dict) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(vega_lite, vl_version=VEGA_LITE_VERSION)


def to_png(vega_lite: dict, scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(vega_lite, vl_version=VEGA_LITE_VERSION, scale=scale)


def javascript_bundle() -> str:
    """vega-embed, Vega-Lite and Vega as one script (from vl-convert; nothing is fetched). Building it
    takes seconds, so it is kept in the user's cache folder, per vl-convert version."""
    import vl_convert as vlc

    from .cache import cached_file

    kind = f"vega-bundle vl-convert {getattr(vlc, '__version__', '0')} vega-lite {VEGA_LITE_VERSION}"
    try:
        return cached_file(kind, [], lambda: _fresh_bundle().encode("utf-8"), suffix=".js").read_text(encoding="utf-8")
    except OSError:
        return _fresh_bundle()  # a read-only home: build it again next time


@lru_cache(maxsize=1)
def _fresh_bundle() -> str:
    import vl_convert as vlc

    # the stub marks snippet as required; at run time it defaults to the snippet that puts vega on window
    bundle = vlc.javascript_bundle(vl_version=VEGA_LITE_VERSION)  # type: ignore[call-arg]
    if re.search(r"</script|<!--", bundle, re.I):
        raise KgtoolError("the Vega bundle of vl-convert cannot be inlined in a page safely")
    return bundle


def bundle_digest() -> str:
    """A short hash of the bundle, for cache-busting URLs."""
    return hashlib.sha256(javascript_bundle().encode("utf-8")).hexdigest()[:12]


def html_page(vega_lite: dict, title: str) -> str:
    """One self-contained page: the chart's spec as JSON, the Vega bundle and the page's script
    inlined, and a Content-Security-Policy that allows these two scripts (by hash) and nothing else."""
    import jinja2
    from markupsafe import Markup

    from . import __version__
    from .visualize import _asset, _digest, script_json

    bundle, script = javascript_bundle(), _asset("chart.js")
    template = jinja2.Environment(autoescape=True, loader=jinja2.FunctionLoader(_asset)).get_template("chart.html")
    return template.render(
        title=title,
        version=__version__,
        spec=Markup(script_json(vega_lite)),
        vega_js=Markup(bundle),
        page_js=Markup(script),
        page_css=Markup(_asset("chart.css")),
        script_hashes=Markup(" ".join(f"'sha256-{_digest(s)}'" for s in (bundle, script))),
    )


def output_format(path: str | Path, fmt: str | None = None) -> str:
    """The format of the chart written to ``path``: ``fmt``, else the file's suffix (HTML on standard output)."""
    from .files import is_standard_output

    fmt = fmt or ("html" if is_standard_output(path) else Path(path).suffix.lower().lstrip("."))
    if fmt not in FORMATS:
        raise QueryError(f"{path}: a chart is written as .html, .svg or .png (or say it with -f)")
    return fmt


def write(data: ChartData, path: str | Path, fmt: str | None = None) -> None:
    """Write the chart to ``path`` as HTML, SVG or PNG (by its suffix, or ``fmt``), atomically; ``-`` is
    standard output (:func:`kgtool.files.write_output`)."""
    from .files import write_output

    fmt = output_format(path, fmt)
    vega_lite = spec(data)
    if fmt == "html":
        body = html_page(vega_lite, data.title).encode("utf-8")
    elif fmt == "svg":
        body = to_svg(vega_lite).encode("utf-8")
    else:
        body = to_png(vega_lite)
    write_output(path, body)


def local_runner(**where: Unpack[Where]) -> Runner:
    """A runner of named queries on the graph ``where`` names (the keywords of
    :func:`kgtool.sparql.engine_for`): an endpoint, a given store, or the bundled graph, loaded once."""
    from .sparql import run_query

    if not where.get("endpoint") and where.get("store") is None:
        from .store import load_store

        # the store holds the extra files and the entailments: the runs read it alone
        where["store"] = load_store(where.pop("extra", ()), infer=where.pop("infer", False), read_only=True)

    def run(name: str, params: Mapping[str, str]) -> QueryResult:
        return run_query(name, params, **where)

    return run


def chart(
    kind: str,
    target: str | None = None,
    *,
    output: str | Path | None = None,
    store=None,
    endpoint: str | None = None,
    timeout: float = 30.0,
    **params: str,
) -> altair.TopLevelMixin:
    """A chart as an altair object (a notebook shows it), written to ``output`` (.html, offline;
    .svg; .png) when given::

        kgtool.chart("leaderboard", "CoQA", output="coqa.svg")
        kgtool.chart("model", "GPT-3")
        kgtool.chart("scaling", output="scaling.html")
        kgtool.chart("timeline")
    """
    data = chart_data(kind, local_runner(store=store, endpoint=endpoint, timeout=timeout), target, params)
    if output is not None:
        write(data, output)
    return build(data)
