"""Models side by side: one row per property and one per benchmark they share, every value with
its source.

A family is compared through its sizes: a value stated for one size (LLaMA-65B's 1.4T training
tokens) appears in the family's column with the size it belongs to. A benchmark row holds the best
value of each model in one setting (the highest, or the lowest where lower is better), with the
size and the number of shots. Baseline systems that papers report (a fine-tuned state of the art,
a human reference) are not models here and stay out, and so do numbers on a subset of a split (the
dirty examples of a contamination check, one group of prompts): they are no score on the benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeGuard

from .errors import QueryError
from .namespaces import PREFIXES, sparql_prologue
from .queries import NamedQuery, Param, parse_value
from .results import UNIT_SYMBOLS, XSD, Term, plain_text, python_value, short, text_table

KG, KGR = PREFIXES["kg"], PREFIXES["kgr"]
SEVEN = KGR + "collection/seven-models"

# (row name, properties whose values fill it), in the order a reader asks about a model
PROPERTY_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("organization", ("developedBy",)),
    ("release date", ("releaseDate",)),
    ("announcement date", ("announcementDate",)),
    ("paper", ("introducedIn",)),
    ("paper date", ()),  # the publication date of the paper, filled below
    ("parameters", ("parameterCount",)),
    ("trainable parameters", ("trainableParameterCount",)),
    ("training tokens", ("trainingTokens",)),
    ("context length", ("contextLength",)),
    ("vocabulary", ("vocabularySize",)),
    ("architecture", ("hasArchitecture",)),
    ("components", ("hasComponent",)),
    ("frozen parts", ("usesFrozenModel",)),
    ("techniques", ("usesTechnique",)),
    ("training hardware", ("trainedOn",)),
    ("training runs", ()),  # the training runs' chips and days, filled below
    ("training compute (FLOPs)", ("trainingCompute",)),
    ("weights released", ("weightsReleased",)),
    ("access and licence", ("accessPolicy",)),
    ("input modalities", ("inputModality",)),
    ("output modalities", ("outputModality",)),
    ("products", ("powers", "availableThrough")),
)
FORMATS = ("table", "csv", "markdown", "json", "html")


@dataclass(frozen=True)
class Source:
    iri: str
    label: str
    locator: str | None = None
    url: str | None = None


@dataclass
class Value:
    """One value in a cell: the term, what a person reads, the size it belongs to (None for the
    model itself) and, in a benchmark row, the setting's shots; always its sources."""

    term: Term
    text: str
    sources: list[Source]
    size: str | None = None
    shots: int | None = None
    qualifier: str | None = None  # the source's qualifier of the value, a concept such as qualifier/approximate

    def to_dict(self) -> dict:
        """JSON-ready: a number or boolean as such, a date or text as its lexical form, an IRI as ``iri``."""
        value = python_value(self.term)
        if isinstance(value, Decimal):
            value = float(value)
        elif not isinstance(value, (bool, int, float)):
            value = self.term.value
        return {
            "value": value,
            "datatype": self.term.datatype,
            "text": self.text,
            "iri": self.term.value if self.term.kind == "uri" else None,
            "size": self.size,
            "shots": self.shots,
            "qualifier": self.qualifier,
            "sources": [{"iri": s.iri, "label": s.label, "locator": s.locator, "url": s.url} for s in self.sources],
        }


@dataclass
class Row:
    """A property row (``kind`` property) or a benchmark row (``kind`` benchmark: one benchmark,
    metric and setting); ``cells`` has one list of values per model, in the models' order."""

    kind: str
    name: str
    cells: list[list[Value]]
    benchmark: str | None = None
    metric: str | None = None
    setting: str | None = None
    unit: str | None = None
    lower_is_better: bool = False
    detail: str = ""  # the end of a benchmark row's name (setting, metric, unit), which a narrow table keeps


@dataclass
class Model:
    iri: str
    label: str


@dataclass
class Comparison:
    models: list[Model]
    rows: list[Row] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain data (the json format): models, and rows of cells of values with their sources."""
        return {
            "models": [{"iri": m.iri, "label": m.label} for m in self.models],
            "rows": [
                {
                    "kind": r.kind,
                    "name": r.name,
                    "benchmark": r.benchmark,
                    "metric": r.metric,
                    "setting": r.setting,
                    "unit": r.unit,
                    "lowerIsBetter": r.lower_is_better,
                    "cells": {
                        m.label: [v.to_dict() for v in cell] for m, cell in zip(self.models, r.cells, strict=True)
                    },
                }
                for r in self.rows
            ],
        }

    def to_pandas(self):
        """One row per comparison row, one column per model, each cell the text a person reads."""
        try:
            import pandas as pd
        except ImportError as err:
            raise ImportError("Comparison.to_pandas needs pandas: pip install 'kgtool[notebook]'") from err
        return pd.DataFrame(
            [[cell_text(c, setting=r.setting) for c in r.cells] for r in self.rows],
            index=[r.name for r in self.rows],
            columns=[m.label for m in self.models],
        )

    def _repr_html_(self) -> str:
        return _html_table(self)


def compare(
    models: Sequence[str] | str = (),
    *,
    properties: bool = True,
    benchmarks: bool = True,
    benchmark: Sequence[str] | str = (),
    endpoint: str | None = None,
    extra: Iterable[str | Path] = (),
    infer: bool = False,
    store=None,
    timeout: float = 30.0,
    engine=None,
) -> Comparison:
    """Compare ``models`` (labels or IRIs, two or more; the seven models of the source article when
    none are given): property rows, and a row per benchmark, metric and setting that at least two
    of them share (any number of them with ``benchmark``, which names benchmarks to keep).
    ``engine`` is one already open (the server's); otherwise one is opened as :func:`kgtool.run_query` would."""
    if engine is None:
        from .sparql import engine_for

        engine = engine_for(endpoint=endpoint, extra=extra, infer=infer, store=store, timeout=timeout)
    chosen = _resolve_models(engine, [models] if isinstance(models, str) else models)
    if len(chosen) < 2:
        raise QueryError("compare needs two models or more (none given compares the seven)")
    wanted = [benchmark] if isinstance(benchmark, str) else list(benchmark)
    only = {_resolve(engine, name, "benchmark", "kgr:coqa").value for name in wanted}
    comparison = Comparison(chosen)
    if properties and not only:
        comparison.rows += _property_rows(engine, chosen)
    if benchmarks or only:
        comparison.rows += _benchmark_rows(engine, chosen, only)
    return comparison


# ---------------------------------------------------------------------------------------------
# reading the graph


def _resolve(engine, text: str, param: str, default: str) -> Term:
    term = parse_value(text)
    if isinstance(term, Term):
        if term.kind != "uri":
            raise QueryError(f"{text!r} is not a {param}: give a label or an IRI")
        return term
    return engine.resolve_label(term, param, Param(param, default=default))


def _resolve_models(engine, names: Sequence[str]) -> list[Model]:
    if names:
        iris = list(dict.fromkeys(_resolve(engine, name, "model", "kgr:gpt-3").value for name in names))
    else:
        rows = _select(
            engine,
            f"""
            SELECT ?model WHERE {{ <{SEVEN}> skos:member ?model . OPTIONAL {{ ?model kg:releaseDate ?date }} }}
            ORDER BY ?date ?model""",
        )
        iris = [row["model"].value for row in rows]
    labels = engine.labels(iris)
    names = [labels.get(iri) or short(Term("uri", iri)) for iri in iris]
    # models are told apart by their names (columns, keys of to_dict): a name two models share gets the IRI
    shared = {name for name in names if names.count(name) > 1}
    return [
        Model(iri, f"{name} ({short(Term('uri', iri))})" if name in shared else name)
        for iri, name in zip(iris, names, strict=True)
    ]


def _select(engine, text: str) -> list[dict[str, Term]]:
    return engine.run(NamedQuery.parse(sparql_prologue() + text, "(compare)"), {}).rows


def _values_block(name: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{name} {{ " + " ".join(Term("uri", iri).n3() for iri in iris) + " }"


def _property_rows(engine, models: list[Model]) -> list[Row]:
    properties = [KG + p for _, ps in PROPERTY_ROWS for p in ps]
    rows = _select(
        engine,
        f"""
        SELECT ?model ?subject ?property ?value ?qualifier ?source ?locator ?sizeName ?count WHERE {{
          {_values_block("model", [m.iri for m in models])}
          {_values_block("property", properties)}
          ?subject kg:variantOf? ?model .
          ?subject ?property ?value .
          OPTIONAL {{ ?statement a kg:Statement ; rdf:subject ?subject ; rdf:predicate ?property ;
                        rdf:object ?value ; kg:source ?source ; kg:locator ?locator .
                     OPTIONAL {{ ?statement kg:qualifier ?qualifier }} }}
          OPTIONAL {{ ?subject kg:sizeLabel ?sizeName }}
          OPTIONAL {{ ?subject kg:parameterCount ?count }}
        }} ORDER BY ?model ?property ?count ?subject ?value ?source""",
    )
    papers = _select(
        engine,
        f"""
        SELECT ?model ?value ?source WHERE {{
          {_values_block("model", [m.iri for m in models])}
          ?model kg:introducedIn ?source . ?source kg:publicationDate ?value .
        }} ORDER BY ?model ?value""",
    )
    runs = _select(
        engine,
        f"""
        SELECT ?model ?subject ?run ?hardware ?chips ?days ?source ?locator ?sizeName ?count WHERE {{
          {_values_block("model", [m.iri for m in models])}
          ?subject kg:variantOf? ?model .
          ?run a kg:TrainingRun ; kg:trainedModel ?subject ; kg:source ?source ; kg:locator ?locator .
          OPTIONAL {{ ?run kg:hardware ?hardware }}
          OPTIONAL {{ ?run kg:chipCount ?chips }}
          OPTIONAL {{ ?run kg:durationDays ?days }}
          OPTIONAL {{ ?subject kg:sizeLabel ?sizeName }}
          OPTIONAL {{ ?subject kg:parameterCount ?count }}
        }} ORDER BY ?model ?count ?subject ?run ?source""",
    )
    terms = {t.value for found in (rows, papers, runs) for row in found for t in row.values() if t.kind == "uri"}
    labels = engine.labels(sorted(terms))
    urls = _urls(engine, {row["source"].value for found in (rows, papers, runs) for row in found if "source" in row})
    index = {m.iri: i for i, m in enumerate(models)}

    def source(row) -> list[Source]:
        if "source" not in row:
            return []
        iri = row["source"].value
        locator = row["locator"].value if "locator" in row else None
        return [Source(iri, labels.get(iri) or short(row["source"]), locator, urls.get(iri))]

    def size(row) -> str | None:
        if row["subject"] == row["model"]:
            return None
        return row["sizeName"].value if "sizeName" in row else labels.get(row["subject"].value) or short(row["subject"])

    # (row name, model) -> value key -> Value; a value stated by several statements gathers their sources
    cells: dict[tuple[str, int], dict[tuple, Value]] = defaultdict(dict)
    row_of = {KG + p: name for name, ps in PROPERTY_ROWS for p in ps}
    for row in rows:
        key = (row_of[row["property"].value], index[row["model"].value])
        qualifier = row["qualifier"].value if "qualifier" in row else None
        _add(
            cells[key],
            (row["subject"].value, row["value"], qualifier),
            Value(
                row["value"],
                _qualified(_value_text(row["value"], labels), qualifier),
                [],
                size(row),
                qualifier=qualifier,
            ),
            source(row),
        )
    for row in papers:
        paper = row["source"].value
        _add(
            cells[("paper date", index[row["model"].value])],
            (paper, row["value"]),
            Value(row["value"], row["value"].value, []),
            [Source(paper, labels.get(paper) or short(row["source"]), "the paper's first version", urls.get(paper))],
        )
    for row in runs:
        parts = []
        if "chips" in row:
            parts.append(f"{int(row['chips'].value):,} ×")
        if "hardware" in row:
            parts.append(labels.get(row["hardware"].value) or short(row["hardware"]))
        if "days" in row:
            parts.append(f"{_compact(row['days'].value)} days")
        _add(
            cells[("training runs", index[row["model"].value])],
            (row["run"].value,),
            Value(row["run"], " ".join(parts).replace("× ", "× ") or short(row["run"]), [], size(row)),
            source(row),
        )
    out = []
    for name, _ in PROPERTY_ROWS:
        row_cells = [list(cells.get((name, i), {}).values()) for i in range(len(models))]
        if any(row_cells):
            out.append(Row("property", name, row_cells))
    return out


def _add(cell: dict[tuple, Value], key: tuple, value: Value, sources: list[Source]) -> None:
    """``value`` under ``key`` unless one is there already, gathering the ``sources`` onto the one kept."""
    kept = cell.setdefault(key, value)
    kept.sources += [s for s in sources if s not in kept.sources]


def _urls(engine, documents: set[str]) -> dict[str, str]:
    """Where each document can be read: its kg:url (papers' arXiv pages included)."""
    if not documents:
        return {}
    rows = _select(engine, f"SELECT ?d ?url WHERE {{ {_values_block('d', sorted(documents))} ?d kg:url ?url }}")
    return {row["d"].value: row["url"].value for row in rows}


def _benchmark_rows(engine, models: list[Model], only: set[str]) -> list[Row]:
    rows = _select(
        engine,
        f"""
        SELECT ?model ?subject ?benchmark ?metric ?setting ?shots ?value ?unit ?lower ?source ?locator ?sizeName
        WHERE {{
          {_values_block("model", [m.iri for m in models])}
          {_values_block("benchmark", sorted(only)) if only else ""}
          ?subject kg:variantOf? ?model .
          ?result a kg:EvaluationResult ; kg:evaluatedModel ?subject ; kg:benchmark ?benchmark ;
              kg:metric ?metric ; kg:setting ?setting ; kg:value ?value ; kg:source ?source ; kg:locator ?locator .
          FILTER NOT EXISTS {{ ?result kg:isBaseline true }}
          FILTER NOT EXISTS {{ ?result kg:subset ?subset }}
          OPTIONAL {{ ?result kg:shots ?shots }}
          OPTIONAL {{ ?result kg:unit ?unit }}
          OPTIONAL {{ ?result kg:lowerIsBetter ?resultLower }}
          OPTIONAL {{ ?metric kg:lowerIsBetter ?metricLower }}
          BIND (COALESCE(?resultLower, ?metricLower, false) AS ?lower)
          OPTIONAL {{ ?subject kg:sizeLabel ?sizeName }}
        }} ORDER BY ?benchmark ?metric ?setting ?model ?subject ?shots ?result ?source""",
    )
    terms = {t.value for row in rows for t in row.values() if t.kind == "uri"}
    labels = engine.labels(sorted(terms))
    urls = _urls(engine, {row["source"].value for row in rows})
    index = {m.iri: i for i, m in enumerate(models)}
    # (benchmark, metric, setting) -> model index -> the best result's Value
    best: dict[tuple[str, str, str], dict[int, Value]] = defaultdict(dict)
    lower: dict[tuple[str, str, str], bool] = {}
    units: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        key = (row["benchmark"].value, row["metric"].value, row["setting"].value)
        lower[key] = python_value(row["lower"]) is True
        units[key].add(_label(row.get("unit"), labels))
        size = (
            None
            if row["subject"] == row["model"]
            else (
                row["sizeName"].value
                if "sizeName" in row
                else labels.get(row["subject"].value) or short(row["subject"])
            )
        )
        shots = int(row["shots"].value) if "shots" in row else None
        src = Source(
            row["source"].value,
            labels.get(row["source"].value) or short(row["source"]),
            row["locator"].value,
            urls.get(row["source"].value),
        )
        candidate = Value(row["value"], short(row["value"]), [src], size, shots)
        i = index[row["model"].value]
        held = best[key].get(i)
        if held is None or _better(candidate, held, lower[key]):
            best[key][i] = candidate
        elif held.term.value == candidate.term.value and held.size == size and held.shots == shots:
            held.sources += [src] if src not in held.sources else []  # the same value from another source
    # a benchmark (and metric) the models share: at least two of them have a result on it
    shared: dict[tuple[str, str], set[int]] = defaultdict(set)
    for (bench, metric, _), by_model in best.items():
        shared[(bench, metric)] |= set(by_model)
    out = []
    for key in sorted(best, key=lambda k: tuple(labels.get(x, x).casefold() for x in k)):
        bench, metric, setting = key
        if len(shared[(bench, metric)]) < 2 and not only:
            continue
        unit = " / ".join(sorted(UNIT_SYMBOLS.get(u, u) for u in units[key] if u)) or None
        # the benchmark and setting first: a narrow terminal cuts the end of a row name
        detail = (
            f" {labels.get(setting, short(Term('uri', setting)))}, "
            f"{labels.get(metric, short(Term('uri', metric)))}" + (f" ({unit})" if unit else "")
        )
        name = labels.get(bench, short(Term("uri", bench))) + detail
        out.append(
            Row(
                "benchmark",
                name,
                [[best[key][i]] if i in best[key] else [] for i in range(len(models))],
                benchmark=bench,
                metric=metric,
                setting=setting,
                unit=unit,
                lower_is_better=lower[key],
                detail=detail,
            )
        )
    return out


def _better(candidate: Value, held: Value, lower_is_better: bool) -> bool:
    a, b = Decimal(candidate.term.value), Decimal(held.term.value)
    return a < b if lower_is_better else a > b


def _label(term: Term | None, labels: dict[str, str]) -> str:
    if term is None:
        return ""
    return labels.get(term.value, short(term)) if term.kind == "uri" else term.value


def _value_text(term: Term, labels: dict[str, str]) -> str:
    if term.kind == "uri":
        return labels.get(term.value) or short(term)
    if term.datatype in (XSD + "integer", XSD + "decimal", XSD + "double") and abs(Decimal(term.value)) >= 10**6:
        return _compact(term.value)
    return short(term)


# how a cell shows a value its source qualifies (the closed scheme of value qualifiers)
_QUALIFIED = {
    KGR + "qualifier/approximate": "≈{}",
    KGR + "qualifier/at-most": "≤{}",
    KGR + "qualifier/at-least": "≥{}",
    KGR + "qualifier/nominal": "{} nominal",
}


def _qualified(text: str, qualifier: str | None) -> str:
    return _QUALIFIED.get(qualifier or "", "{}").format(text)


def _compact(lexical: str) -> str:
    """A large number as a person says it: 175000000000 -> 175B, 1400000000000 -> 1.4T, and from
    10^15 up (FLOPs) as papers print it: 314000000000000000000000 -> 3.14e23."""
    number = Decimal(lexical)
    if abs(number) >= 10**15:
        mantissa, exponent = f"{number:e}".split("e")
        return f"{Decimal(mantissa).normalize():f}e{int(exponent)}"
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M")):
        if abs(number) >= size:
            return f"{(number / size).quantize(Decimal('0.01')).normalize():f}{suffix}"
    return f"{number.normalize():f}"


# ---------------------------------------------------------------------------------------------
# rendering

# shots a setting's name already gives
_SAID_BY_SETTING: dict[str | None, int] = {KGR + "zero-shot": 0, KGR + "one-shot": 1}


def cell_text(values: list[Value], marks: dict[str, int] | None = None, setting: str | None = None) -> str:
    """A cell as one line: equal values once, with the sizes they belong to; in a benchmark row the
    shots (unless the ``setting`` says them); footnote numbers of the sources when ``marks`` numbers them."""
    groups: dict[str, list[Value]] = {}
    for value in values:
        groups.setdefault(value.text, []).append(value)
    parts = []
    for text, group in groups.items():
        details = [v.size for v in group if v.size and v.size != text]
        shots = [f"{v.shots}-shot" for v in group if v.shots is not None and v.shots != _SAID_BY_SETTING.get(setting)]
        extra = ", ".join(dict.fromkeys(details + shots))
        part = f"{text} ({extra})" if extra else text
        if marks is not None:
            part += _superscript(sorted({marks[s.iri] for v in group for s in v.sources}))
        parts.append(part)
    return "; ".join(parts)


_SUPERSCRIPT = str.maketrans("0123456789,", "⁰¹²³⁴⁵⁶⁷⁸⁹˒")


def _superscript(numbers: list[int]) -> str:
    return ",".join(str(n) for n in numbers).translate(_SUPERSCRIPT)


def _footnotes(comparison: Comparison) -> tuple[dict[str, int], list[Source]]:
    """Each source document gets a number, in order of first use."""
    marks: dict[str, int] = {}
    documents: list[Source] = []
    for row in comparison.rows:
        for cell in row.cells:
            for value in cell:
                for s in value.sources:
                    if s.iri not in marks:
                        marks[s.iri] = len(marks) + 1
                        documents.append(s)
    return marks, documents


def render(comparison: Comparison, fmt: str = "table", *, width: int | None = None) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} for a comparison; choose one of {', '.join(FORMATS)}")
    return {"table": lambda c: _table(c, width), "csv": _csv, "markdown": _markdown, "json": _json, "html": _html}[fmt](
        comparison
    )


ROW_NAME_WIDTH = 36  # the row names shrink last, and not below this (a benchmark row's setting and metric)
NAME_LEAST_WIDTH = 12  # in a terminal narrower than this plus a model's column, the models are hidden
MODEL_WIDTH = 16  # below this a terminal shows the models in more than one block


def _table(comparison: Comparison, width: int | None) -> str:
    """The text table; where the terminal is too narrow for every model at MODEL_WIDTH, the models
    come in blocks, one under the other, each with the row names (values cut less)."""
    marks, documents = _footnotes(comparison)
    names = [row.name for row in comparison.rows]
    cells = [[cell_text(cell, marks, row.setting) for cell in row.cells] for row in comparison.rows]
    count = len(comparison.models)
    per_block, name_floor = count, ROW_NAME_WIDTH
    if width:
        name_width = min(max(map(len, names), default=0), ROW_NAME_WIDTH)
        per_block = max(1, min(count, (width - name_width) // (MODEL_WIDTH + 2)))
        # the row names keep what the models' columns leave them: with few models, whole names
        name_floor = max(ROW_NAME_WIDTH, width - per_block * (MODEL_WIDTH + 6))
        # but never so wide that no model's column fits beside the names
        widest = max(NAME_LEAST_WIDTH, width - MODEL_WIDTH - 2)
        name_floor = min(name_floor, widest)
        # a benchmark's name is cut before its setting and metric, which tell its rows apart
        names, name_floor = _told_apart(comparison.rows, name_floor, widest)
        per_block = max(1, min(per_block, (width - name_floor) // (MODEL_WIDTH + 2)))
    blocks = [list(range(start, min(start + per_block, count))) for start in range(0, count, per_block)]
    parts = []
    for block in blocks:
        kept = [r for r, row in enumerate(cells) if any(row[i] for i in block)]  # rows with a value in this block
        header = [""] + [comparison.models[i].label for i in block]
        rows = [[names[r]] + [cells[r][i] for i in block] for r in kept]
        parts.append(text_table(header, rows, width=width, floors={0: name_floor}))
    notes = ["sources (-f html, json or csv give each value's locator):"]
    notes += [plain_text(f"{_superscript([marks[d.iri]])} {d.label}") for d in documents]
    if width:
        notes = [n if len(n) <= width else n[: width - 1] + "…" for n in notes]
    return "\n".join(parts) + ("\n" + "\n".join(notes) + "\n" if documents else "")


def _told_apart(rows: list[Row], width: int, widest: int) -> tuple[list[str], int]:
    """The rows' names in ``width`` characters, or in as few more as keep apart the names that differ
    (MMLU's subjects, cut at the same place, would all read "MMLU (Colleg…"), but not more than
    ``widest``; and that width."""
    distinct = len({row.name for row in rows})
    longest = min(max((len(row.name) for row in rows), default=0), widest)
    for fitted in range(width, max(width, longest) + 1):
        names = [_clip_before(row.name, row.detail, fitted) for row in rows]
        if len(set(names)) == distinct:
            break
    return names, fitted


def _clip_before(name: str, detail: str, width: int) -> str:
    """``name`` in ``width`` characters: a benchmark row's name is cut before its ending ``detail`` (the
    setting and metric, which tell its rows apart), or in the detail, keeping its end, when that is long."""
    if len(name) <= width or not detail:
        return name
    head = max(width - len(detail) - 1, min(12, width // 3))
    return name[:head] + "…" + name[len(name) - (width - head - 1) :]


def _csv(comparison: Comparison) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "kind",
            "row",
            "benchmark",
            "metric",
            "setting",
            "model",
            "model_iri",
            "value",
            "value_text",
            "size",
            "shots",
            "source",
            "source_label",
            "locator",
        ]
    )
    for row in comparison.rows:
        for model, cell in zip(comparison.models, row.cells, strict=True):
            for value in cell:
                for s in value.sources or [Source("", "")]:
                    writer.writerow(
                        [
                            row.kind,
                            row.name,
                            row.benchmark or "",
                            row.metric or "",
                            row.setting or "",
                            model.label,
                            model.iri,
                            value.term.value,
                            value.text,
                            value.size or "",
                            "" if value.shots is None else value.shots,
                            s.iri,
                            s.label,
                            s.locator or "",
                        ]
                    )
    return buffer.getvalue()


def _json(comparison: Comparison) -> str:
    import json

    return json.dumps(comparison.to_dict(), ensure_ascii=False, indent=1) + "\n"


def _markdown(comparison: Comparison) -> str:
    marks, documents = _footnotes(comparison)

    def cell(text: str) -> str:
        return plain_text(text).replace("\\", "\\\\").replace("|", "\\|")

    out = [
        "| | " + " | ".join(cell(m.label) for m in comparison.models) + " |",
        "|---|" + "---|" * len(comparison.models),
    ]
    for row in comparison.rows:
        texts = [cell(cell_text(c, marks, row.setting)) for c in row.cells]
        out.append(f"| {cell(row.name)} | " + " | ".join(texts) + " |")
    out += ["", "Sources:", ""]
    out += [
        f"{marks[d.iri]}. " + (f"[{cell(d.label)}](<{d.url}>)" if _is_web(d.url) else cell(d.label)) for d in documents
    ]
    return "\n".join(out) + "\n"


def _html_table(comparison: Comparison) -> str:
    """The comparison as an HTML table: every value escaped, each source a link (the locator in
    its title), so that a value leads to the page that states it."""
    from html import escape

    marks, _ = _footnotes(comparison)
    head = "<th></th>" + "".join(
        f'<th><span title="{escape(m.iri)}">{escape(m.label)}</span></th>' for m in comparison.models
    )
    body = []
    for row in comparison.rows:
        cells = []
        for cell in row.cells:
            items = []
            for value in cell:
                shots = f"{value.shots}-shot" if value.shots is not None else None
                detail = ", ".join(x for x in (value.size, shots) if x)
                links = " ".join(_source_link(s, marks[s.iri]) for s in value.sources)
                title = escape(value.term.value)
                items.append(
                    f'<span title="{title}">{escape(value.text)}</span>'
                    + (f" <small>({escape(detail)})</small>" if detail else "")
                    + f" {links}"
                )
            cells.append("<td>" + "<br>".join(items) + "</td>")
        body.append(f'<tr class="{row.kind}"><th>{escape(row.name)}</th>{"".join(cells)}</tr>')
    return f'<table class="kgtool-compare"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _is_web(url: str | None) -> TypeGuard[str]:
    """Only a web address becomes a link (a javascript: or file: URL from the data never does)."""
    return url is not None and url.startswith(("https://", "http://")) and not any(c in url for c in '<> "')


def _source_link(source: Source, number: int) -> str:
    from html import escape

    title = escape(source.label + (f", {source.locator}" if source.locator else ""))
    href = source.url if _is_web(source.url) else None
    if href:
        return f'<a href="{escape(href)}" title="{title}" rel="noopener noreferrer">[{number}]</a>'
    return f'<span title="{title}">[{number}]</span>'


def _html(comparison: Comparison) -> str:
    from html import escape

    marks, documents = _footnotes(comparison)
    names = ", ".join(m.label for m in comparison.models)
    sources = "".join(
        f'<li value="{marks[d.iri]}">'
        + (
            f'<a href="{escape(d.url)}" rel="noopener noreferrer">{escape(d.label)}</a>'
            if _is_web(d.url)
            else escape(d.label)
        )
        + "</li>"
        for d in documents
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{escape(names)}: a comparison</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; text-align: left; }}
thead th {{ position: sticky; top: 0; background: #f4f4f4; }}
tbody th {{ font-weight: normal; background: #fafafa; white-space: nowrap; }}
tr.benchmark td {{ font-variant-numeric: tabular-nums; }}
small {{ color: #555; }}
a {{ color: #0645ad; text-decoration: none; }}
</style>
</head>
<body>
<h1>{escape(names)}</h1>
<p>One row per property and per benchmark the models share (best value per setting, with the size and shots;
a number on a subset of a split, such as the clean examples of a contamination check, is left out).
Each number in brackets is a source: hover for the section or table, follow it to read the source.</p>
{_html_table(comparison)}
<h2>Sources</h2>
<ol>{sources}</ol>
</body>
</html>
"""
