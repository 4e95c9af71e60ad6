"""Results tables: one row per number a paper prints, compiled into ``kg:EvaluationResult`` nodes.

A table is a CSV file (or TSV) whose header names its columns, in any order:

- required: ``model benchmark metric setting value unit origin source locator``
- optional: ``split subset shots qualifier upper cites note``, and ``id`` (keeps an already published result IRI),
  ``evidence`` (``secondary`` when checked only through a reproduction), ``compared_to`` (the model a
  relative result is measured against), ``sample_size`` (how many items the value was computed over).

Slugs name resources (``gpt-3-175b`` is ``kgr:gpt-3-175b``); ``setting``, ``unit``, ``qualifier``,
``origin`` and ``evidence`` take the ``skos:notation`` of a concept of their closed scheme in
ontology/schemes.ttl. ``source`` may name several documents, separated by spaces.

A ``subset`` is the part of the split a number is on where it is not the whole (the clean or dirty examples of a
contamination check, a group of prompts or of people, a section of an exam): such a number is no score on the
benchmark, and comparisons leave it out.

A row's result IRI is ``result/{model}/{benchmark}[@{part}]/{setting}[-{shots}]/{metric}/{source}/{place}``
(the part is the split and the subset joined by ``-``, either of them absent or both; the first source; the
place is the table, figure or section the locator names first, see :func:`place_of`), unless ``id`` gives
one. A paper may print the same number twice (a table and its text, two tables), and each is a row of its
own. Every cell is a checked slug or code, so two rows get the same IRI only when they state the same number
twice in one place; that is an error naming both lines. Every error names the file, line and column of the
cell at fault.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from .errors import DataError, KgtoolError
from .namespaces import KG, KGR, PREFIXES
from .results import rdf_bytes

TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
REQUIRED = ("model", "benchmark", "metric", "setting", "value", "unit", "origin", "source", "locator")
OPTIONAL = (
    "split",
    "subset",
    "shots",
    "qualifier",
    "upper",
    "cites",
    "note",
    "id",
    "evidence",
    "compared_to",
    "sample_size",
)

# which closed scheme each coded column takes its codes from
SCHEMES = {
    "setting": "evaluation-settings",
    "unit": "units",
    "qualifier": "value-qualifiers",
    "origin": "result-origins",
    "evidence": "evidence",
}

_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
_DOCUMENT = re.compile(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*\Z")  # web/..., github/owner/repo
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
_COUNT = re.compile(r"[0-9]+\Z")
_RESULT_ID = re.compile(r"result/[a-z0-9][a-z0-9._@-]*(/[a-z0-9][a-z0-9._@-]*)+\Z")
_SHOTS_OF_SETTING = {"zero-shot": 0, "one-shot": 1}  # settings whose name fixes the number of shots
_NUMBER = r"([A-Za-z]?[0-9]+(?:\.[0-9]+)*)"
_PLACES = (
    ("table", re.compile(r"\bTable\s+" + _NUMBER)),
    ("figure", re.compile(r"\b(?:Figure|Fig\.)\s*" + _NUMBER)),
    ("appendix", re.compile(r"\bAppendix\s+([A-Z](?:\.[0-9]+)*)\b")),
    ("section", re.compile(r"§\s*" + _NUMBER)),
)


def place_of(locator: str) -> str:
    """The place a locator names, as an IRI segment: its first table (``table-3.2``), else its first
    figure, appendix or section (``section-6.1``), else the locator itself as a slug (``system-card``)."""
    for kind, pattern in _PLACES:
        match = pattern.search(locator)
        if match:
            return f"{kind}-{match.group(1).lower()}"
    from .provenance import literal_key

    return literal_key(locator)[:40].strip("-.") or "unplaced"


_PLACE_NAMES = {"table": "Table ", "figure": "Figure ", "appendix": "Appendix ", "section": "§"}


# a table as a reader names it, with an appendix's tables numbered by letter (Table C.1): place_of leaves
# those to the appendix, whose segment is in published IRIs
_TABLE_NAME = re.compile(r"\bTable\s+([A-Z]\.[0-9]+(?:\.[0-9]+)*|" + _NUMBER[1:])


def place_name(locator: str) -> str:
    """The place a locator names, as a reader names it: its first table (``Table 3.2``, ``Table C.1``),
    else its first figure, appendix or section (``§6.1``), else the locator up to its first comma
    (``blog post``)."""
    table = _TABLE_NAME.search(locator)
    if table:
        return "Table " + table.group(1)
    for kind, pattern in _PLACES[1:]:  # after the table, read above
        match = pattern.search(locator)
        if match:
            return _PLACE_NAMES[kind] + match.group(1)
    return locator.split(",")[0].strip()


def is_table(path: str | Path) -> bool:
    return Path(path).suffix.lower() in TABLE_SUFFIXES


class TableError(DataError):
    """A results table has errors; ``errors`` holds each one (file:line:column: what is wrong)."""

    def __init__(self, errors: list[DataError]):
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first.path, first.message + more, first.line, first.column)


@dataclass
class CompiledTable:
    """The triples of a table, and where each result came from (for messages that name the row)."""

    path: str
    triples: list = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # result IRI -> line

    def ntriples(self) -> bytes:
        import pyoxigraph as ox

        return rdf_bytes(self.triples, ox.RdfFormat.N_TRIPLES)


@lru_cache(maxsize=1)
def closed_codes() -> dict[str, dict[str, str]]:
    """For each coded column, its codes (skos:notation) and the concept IRIs they stand for."""
    import pyoxigraph as ox

    from . import resources

    skos = PREFIXES["skos"]
    in_scheme, notation = {}, {}
    for triple in ox.parse(path=str(resources.ontology_dir() / "schemes.ttl"), format=ox.RdfFormat.TURTLE):
        if triple.predicate.value == skos + "inScheme":
            in_scheme[triple.subject.value] = triple.object.value
        elif triple.predicate.value == skos + "notation":
            notation[triple.subject.value] = triple.object.value
    codes: dict[str, dict[str, str]] = {column: {} for column in SCHEMES}
    for column, scheme in SCHEMES.items():
        for concept, code in notation.items():
            if in_scheme.get(concept) == f"{KGR}scheme/{scheme}":
                codes[column][code] = concept
    return codes


@lru_cache(maxsize=1)
def bundled_labels() -> dict[str, str]:
    """The label of each resource of the bundled Turtle, by slug (English or untagged first): a result's
    label names its model, benchmark, metric and source as people read them. A slug the bundled graph
    does not label (a user's own model) stands for itself."""
    import pyoxigraph as ox

    from . import resources

    label = PREFIXES["rdfs"] + "label"
    found: dict[str, tuple[bool, str]] = {}
    for path in resources.data_files():
        if path.suffix != ".ttl":
            continue
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            subject = triple.subject
            if (
                triple.predicate.value != label
                or not isinstance(subject, ox.NamedNode)
                or not subject.value.startswith(KGR)
            ):
                continue
            text = triple.object
            rank = (text.language or "en") != "en", text.value  # English first, then a stable order
            slug = subject.value[len(KGR) :]
            if slug not in found or rank < found[slug]:
                found[slug] = rank
    return {slug: text for slug, (_, text) in found.items()}


def ntriples_file(path: str | Path) -> Path:
    """The compiled table as an N-Triples file in the user's cache, for tools that read only RDF (the
    oxigraph command, plain rdflib). Keyed by the table's content, the closed schemes' codes, the
    bundled labels and the compiler, so an edit to any of them compiles afresh; a bad table raises
    :class:`TableError` as :func:`compile_table` does."""
    from . import __version__, resources
    from .cache import cached_file

    path = Path(path)
    if not path.is_file():
        raise KgtoolError(f"{path}: no such file")
    # the compiler's own code is an input too: a change to the minting rule must not meet a stale file;
    # so are the bundled labels, which the results' labels are made of
    labels = "\n".join(f"{slug}\t{text}" for slug, text in sorted(bundled_labels().items())).encode()
    inputs = (
        Path(__file__).read_bytes(),
        (resources.ontology_dir() / "schemes.ttl").read_bytes(),
        labels,
        path.read_bytes(),
    )
    return cached_file(f"table kgtool-{__version__}", inputs, lambda: compile_table(path).ntriples())


def compile_table(path: str | Path) -> CompiledTable:
    """The results of one table as triples. Raises :class:`TableError` listing every bad cell."""
    path = Path(path)
    if not path.is_file():
        raise KgtoolError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(str(path), f"not UTF-8 text ({err.reason} at byte {err.start})") from err
    return _Compiler(str(path), TABLE_SUFFIXES.get(path.suffix.lower(), ",")).run(text)


class _Compiler:
    def __init__(self, path: str, delimiter: str):
        import pyoxigraph as ox

        self.ox = ox
        self.path, self.delimiter = path, delimiter
        self.codes = closed_codes()
        self.errors: list[DataError] = []
        self.out = CompiledTable(path)
        self.ids: dict[str, int] = {}
        # each label given, with where its triple is and the locator that can tell it apart
        self.labels: dict[str, list[tuple[int, str, str]]] = {}

    # -- reading

    def run(self, text: str) -> CompiledTable:
        lines = text.splitlines(keepends=True)
        consumed = iter(lines)
        reader = csv.reader(consumed, delimiter=self.delimiter, strict=True)
        header: dict[str, int] | None = None
        done = 0
        while True:
            first_line = done + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                self.errors.append(DataError(self.path, f"not valid CSV: {err}", reader.line_num))
                break
            raw, done = "".join(lines[done : reader.line_num]), reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank line
            places = _field_places(raw, self.delimiter, first_line)
            if header is None:
                header = self._header(record, places)
                if header is None:
                    break
                continue
            if len(record) > len(header):
                line, column = places[min(len(header), len(places) - 1)]
                self.errors.append(
                    DataError(self.path, f"{len(record)} cells, but the header has {len(header)}", line, column)
                )
                continue
            cells = {
                name: (record[i].strip() if i < len(record) else "", places[i] if i < len(places) else places[-1])
                for name, i in header.items()
            }
            self._row(cells, first_line)
        if header is None and not self.errors:
            self.errors.append(
                DataError(self.path, "empty table: the first line must be the header " + ",".join(REQUIRED + OPTIONAL))
            )
        if self.errors:
            raise TableError(self.errors)
        self._tell_labels_apart()
        return self.out

    def _tell_labels_apart(self) -> None:
        """Two numbers of one place (maj1@k beside the plain score) would share a label: each names its
        whole locator instead of the place."""
        for given in self.labels.values():
            if len(given) > 1:
                for index, stem, locator in given:
                    old = self.out.triples[index]
                    label = self.ox.Literal(f"{stem}, {locator}", language="en")
                    self.out.triples[index] = self.ox.Triple(old.subject, old.predicate, label)

    def _header(self, record: list[str], places: list[tuple[int, int]]) -> dict[str, int] | None:
        header: dict[str, int] = {}
        for i, name in enumerate(record):
            name = name.strip()
            line, column = places[i]
            if name not in REQUIRED + OPTIONAL:
                self.errors.append(
                    DataError(
                        self.path,
                        f"unknown column {name!r}; the columns are " + ", ".join(REQUIRED + OPTIONAL),
                        line,
                        column,
                    )
                )
            elif name in header:
                self.errors.append(DataError(self.path, f"column {name!r} appears twice", line, column))
            else:
                header[name] = i
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            self.errors.append(
                DataError(
                    self.path,
                    "the header lacks the required column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing),
                    places[0][0],
                )
            )
        return None if self.errors else header

    # -- one row

    def _error(self, cells, column: str, message: str) -> None:
        line, col = cells[column][1]
        self.errors.append(DataError(self.path, f"{column}: {message}", line, col))

    def _row(self, cells: dict, line: int) -> None:
        before = len(self.errors)
        row = {name: value for name, (value, _) in cells.items()}  # the required columns are always present
        get = row.get
        for name in REQUIRED:
            if not get(name):
                self._error(cells, name, "required, but empty")
        for name in ("model", "benchmark", "metric", "compared_to", "split", "subset"):
            value = get(name)
            if value and not _SLUG.match(value):
                self._error(cells, name, f"{value!r} is not a slug (lowercase letters, digits, '.', '-', '_')")
        sources = (get("source") or "").split()
        for name, values in (("source", sources), ("cites", (get("cites") or "").split())):
            for value in values:
                if not _DOCUMENT.match(value):
                    self._error(cells, name, f"{value!r} is not a document slug such as arxiv-2005.14165")
        coded = {}
        for name in SCHEMES:
            value = get(name)
            if value:
                coded[name] = self.codes[name].get(value)
                if coded[name] is None:
                    self._error(cells, name, f"{value!r} is not one of " + ", ".join(sorted(self.codes[name])))
        value, upper, shots, sample_size = get("value"), get("upper"), get("shots"), get("sample_size")
        if value and not _DECIMAL.match(value):
            self._error(cells, "value", f"{value!r} is not a plain decimal number (no %, no thousands separators)")
        if upper and not _DECIMAL.match(upper):
            self._error(cells, "upper", f"{upper!r} is not a plain decimal number")
        if shots and not _COUNT.match(shots):
            self._error(cells, "shots", f"{shots!r} is not a whole number of in-context examples")
        if sample_size and not (_COUNT.match(sample_size) and int(sample_size) > 0):
            self._error(cells, "sample_size", f"{sample_size!r} is not a positive whole number")
        self._consistency(cells, get)
        id_ = get("id")
        if id_:
            id_ = id_.removeprefix(KGR).removeprefix("kgr:")
            if not _RESULT_ID.match(id_):
                self._error(
                    cells, "id", f"{get('id')!r} is not a result IRI such as result/gpt-3-175b/coqa/few-shot/f1"
                )
        if len(self.errors) > before:
            return
        # the split and the subset name the part together, as the split alone did before subsets had a column
        part = "-".join(name for name in (get("split"), get("subset")) if name)
        iri = KGR + (
            id_
            or "/".join(
                (
                    "result",
                    row["model"],
                    row["benchmark"] + (f"@{part}" if part else ""),
                    row["setting"] + (f"-{int(shots)}" if shots else ""),
                    row["metric"],
                    sources[0],
                    place_of(row["locator"]),
                )
            )
        )
        if iri in self.ids:
            self._error(
                cells,
                "id" if id_ else "model",
                f"the same result as line {self.ids[iri]} (<{iri}>): model, benchmark, split, subset, metric, "
                "setting, shots, source and the place in it are all equal"
                if not id_
                else f"the result IRI <{iri}> is already used on line {self.ids[iri]}",
            )
            return
        self.ids[iri] = line
        self.out.rows[iri] = line
        self._triples(iri, get, coded, sources)

    def _consistency(self, cells, get) -> None:
        setting, shots, qualifier, upper = get("setting"), get("shots"), get("qualifier"), get("upper")
        if setting in self.codes["setting"] and shots and _COUNT.match(shots):  # a bad setting is reported once
            expected = _SHOTS_OF_SETTING.get(setting)
            if expected is not None and int(shots) != expected:
                self._error(cells, "shots", f"{shots} shots contradict the setting {setting}")
            elif setting == "few-shot" and int(shots) < 1:
                self._error(cells, "shots", "few-shot needs at least one example")
            elif setting not in ("zero-shot", "one-shot", "few-shot"):
                self._error(cells, "shots", f"shots are given only for zero-, one- and few-shot results, not {setting}")
        if qualifier == "range":
            value = get("value") or ""
            if not upper:
                self._error(cells, "qualifier", "a range needs its upper end in the upper column")
            elif _DECIMAL.match(upper) and _DECIMAL.match(value) and Decimal(upper) <= Decimal(value):
                self._error(cells, "upper", f"{upper} is not above the value {value}")
        elif upper:
            self._error(cells, "upper", "an upper end is given only with the qualifier range")
        if get("cites") and get("origin") != "cited":
            self._error(cells, "cites", "only a cited number names the paper it is cited from")

    def _triples(self, iri: str, get, coded: dict, sources: list[str]) -> None:
        ox = self.ox
        subject = ox.NamedNode(iri)
        add = self.out.triples.append

        def node(slug: str):
            return ox.NamedNode(KGR + slug)

        def p(name: str):
            return ox.NamedNode(KG + name)

        def literal(text: str, datatype: str):
            return ox.Literal(text, datatype=ox.NamedNode(PREFIXES["xsd"] + datatype))

        setting, shots, split, subset = get("setting"), get("shots"), get("split"), get("subset")
        how = (
            f"{int(shots)}-shot"
            if setting == "few-shot" and shots
            else ("setting unknown" if setting == "unknown" else setting)
        )
        names = bundled_labels()
        model, benchmark = names.get(get("model"), get("model")), names.get(get("benchmark"), get("benchmark"))
        # a prior system named for its benchmark ("Fine-tuned state of the art on CoQA") names it once
        evaluated = model if model.endswith(f" on {benchmark}") else f"{model} on {benchmark}"
        label = (
            f"{evaluated}{' ' + split if split else ''}{f' ({subset})' if subset else ''}, {how}, "
            f"{names.get(get('metric'), get('metric'))}"
            f" — {names.get(sources[0], sources[0])}"
        )
        add(ox.Triple(subject, ox.NamedNode(PREFIXES["rdf"] + "type"), p("EvaluationResult")))
        # the place in the source tells apart the same number printed in two tables
        located = f"{label}, {place_name(get('locator'))}"
        self.labels.setdefault(located, []).append((len(self.out.triples), label, get("locator")))
        add(ox.Triple(subject, ox.NamedNode(PREFIXES["rdfs"] + "label"), ox.Literal(located, language="en")))
        add(ox.Triple(subject, p("evaluatedModel"), node(get("model"))))
        add(ox.Triple(subject, p("benchmark"), node(get("benchmark"))))
        add(ox.Triple(subject, p("metric"), node(get("metric"))))
        if split:
            add(ox.Triple(subject, p("split"), ox.Literal(split)))
        if subset:
            add(ox.Triple(subject, p("subset"), ox.Literal(subset)))
        if shots:
            add(ox.Triple(subject, p("shots"), literal(str(int(shots)), "integer")))
        add(ox.Triple(subject, p("value"), literal(get("value"), "decimal")))
        if get("upper"):
            add(ox.Triple(subject, p("upperValue"), literal(get("upper"), "decimal")))
        for column, property_ in (
            ("setting", "setting"),
            ("unit", "unit"),
            ("qualifier", "qualifier"),
            ("origin", "origin"),
            ("evidence", "evidence"),
        ):
            if coded.get(column):
                add(ox.Triple(subject, p(property_), ox.NamedNode(coded[column])))
        for cited in (get("cites") or "").split():
            add(ox.Triple(subject, p("citedFrom"), node(cited)))
        if get("compared_to"):
            add(ox.Triple(subject, p("comparedTo"), node(get("compared_to"))))
        if get("sample_size"):
            add(ox.Triple(subject, p("sampleSize"), literal(str(int(get("sample_size"))), "integer")))
        for source in sources:
            add(ox.Triple(subject, p("source"), node(source)))
        add(ox.Triple(subject, p("locator"), ox.Literal(get("locator"))))
        if get("note"):
            add(ox.Triple(subject, p("note"), ox.Literal(get("note"), language="en")))


def _field_places(raw: str, delimiter: str, first_line: int) -> list[tuple[int, int]]:
    """The (line, column) where each field of one CSV record starts; a quoted field may span lines."""
    places = [(first_line, 1)]
    line, column, quoted, field_start = first_line, 1, False, True
    i = 0
    while i < len(raw):
        char = raw[i]
        if quoted:
            if char == '"':
                if raw[i + 1 : i + 2] == '"':
                    i += 1
                    column += 1
                else:
                    quoted = False
        elif char == '"' and field_start:
            quoted = True
        elif char == delimiter:
            places.append((line, column + 1))
            field_start = True
            i += 1
            column += 1
            continue
        if char == "\n":
            line, column = line + 1, 0
        field_start = False
        i += 1
        column += 1
    return places
