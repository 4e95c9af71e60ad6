"""One result type for local and remote queries, and its renderings.

A :class:`QueryResult` holds SPARQL terms as plain :class:`Term` values (the shape of the W3C
SPARQL 1.1 Query Results JSON format), so formatting, visualisation and export never ask whether
the rows came from the embedded engine or from an endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from .errors import KgtoolError, QueryError
from .formats import format_name
from .namespaces import PREFIXES

XSD = PREFIXES["xsd"]
_XSD_STRING = XSD + "string"
_INTEGERS = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
_NUMERIC = _INTEGERS | {XSD + t for t in ("decimal", "double", "float")}
_FLOATS = {XSD + "double", XSD + "float"}
# rdflib's lexical form of a non-finite xsd:double or xsd:float (Python's), and the XSD one
_NON_FINITE = {"inf": "INF", "-inf": "-INF", "nan": "NaN"}

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml", "markdown")
GRAPH_FORMATS = ("turtle", "nt", "json-ld")


class Term(NamedTuple):
    """An RDF term: ``kind`` is ``uri``, ``literal`` or ``bnode``. Immutable; a named tuple because a
    result holds one per distinct value, and a tuple is built in a third of a dataclass's time."""

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    def n3(self) -> str:
        """The term in SPARQL/Turtle syntax, escaped so that it can never end the literal or IRI early."""
        if self.kind == "uri":
            return f"<{_escape_iri(self.value)}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = '"' + _escape_string(self.value) + '"'
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype and self.datatype != _XSD_STRING:
            return f"{text}^^<{_escape_iri(self.datatype)}>"
        return text

    def to_json(self) -> dict:
        out = {"type": self.kind, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype and self.kind == "literal":
            out["datatype"] = self.datatype
        return out

    @classmethod
    def from_json(cls, data: dict) -> Term:
        kind = data["type"]
        if kind == "typed-literal":  # SPARQL 1.0 JSON, still sent by some endpoints
            kind = "literal"
        return cls(kind, data["value"], data.get("datatype"), data.get("xml:lang"))


def _escape_string(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


_IRI_UNSAFE = re.compile(r'[<>"{}|^`\\ \x00-\x1f]')  # may not appear raw in an IRIREF


def _escape_iri(value: str) -> str:
    return _IRI_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04X}", value)


@dataclass
class QueryResult:
    """``kind`` is ``select``, ``ask`` or ``graph`` (CONSTRUCT and DESCRIBE)."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    truncated: bool = False  # a limit cut the answer: there are more rows (or triples) than these
    defaults: dict[str, Term] = field(default_factory=dict)  # parameters bound to their declared default
    # the engine that answered, asked for the labels of the answer's IRIs only when a person reads it
    labeller: Callable[[list[str]], dict[str, str]] | None = field(default=None, repr=False, compare=False)
    _labels: dict[str, str] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.triples) if self.kind == "graph" else len(self.rows)

    def __bool__(self) -> bool:
        """An ASK result is its answer; any other is true when it holds rows (or triples)."""
        return bool(self.boolean) if self.kind == "ask" else len(self) > 0

    def __iter__(self) -> Iterator[dict[str, Term]]:
        """The rows, as :attr:`rows` holds them."""
        return iter(self._select_rows())

    def __str__(self) -> str:
        """The table ``kgtool query`` prints (``true`` or ``false`` for an ASK)."""
        return render(self).rstrip("\n")

    def __repr__(self) -> str:
        if self.kind == "ask":
            return f"<QueryResult ask: {self.boolean}>"
        count = len(self)
        unit = "triple" if self.kind == "graph" else "row"
        columns = f" ({', '.join(self.variables)})" if self.kind == "select" else ""
        more = ", more exist" if self.truncated else ""
        return f"<QueryResult {self.kind}{columns}: {count} {unit}{'s' if count != 1 else ''}{more}>"

    def _select_rows(self) -> list[dict[str, Term]]:
        """The rows, refused for an ASK or graph result: its empty row list is not its answer."""
        if self.kind == "ask":
            raise QueryError("an ASK result has no rows: read its .boolean")
        if self.kind == "graph":
            raise QueryError("a CONSTRUCT or DESCRIBE result has triples, not rows: read its .triples or to_pandas()")
        return self.rows

    def first(self, limit: int | None) -> QueryResult:
        """The result cut to its first ``limit`` rows (or triples), marked ``truncated`` if that
        left any out; the result itself when ``limit`` is None or nothing is left out."""
        if limit is None or len(self) <= limit:
            return self
        return replace(self, rows=self.rows[:limit], triples=self.triples[:limit], truncated=True)

    def values(self) -> list[tuple[str | None, ...]]:
        """Rows as tuples of plain values (IRIs and lexical forms), in variable order."""
        return [tuple(row[v].value if v in row else None for v in self.variables) for row in self._select_rows()]

    def labels(self) -> dict[str, str]:
        """The label of each IRI in the answer that has one (asked from the engine once)."""
        if self._labels is None:
            iris = sorted(
                {t.value for row in self.rows for t in row.values() if t.kind == "uri"}
                | {t.value for triple in self.triples for t in triple if t.kind == "uri"}
            )
            self._labels = self.labeller(iris) if self.labeller and iris else {}
        return self._labels

    def to_records(self) -> list[tuple]:
        """Rows as tuples of Python values (:func:`python_value`), in variable order."""
        return [tuple(python_value(row.get(v)) for v in self.variables) for row in self._select_rows()]

    def to_dicts(self) -> list[dict]:
        """Rows as dicts of Python values (:func:`python_value`); an unbound variable is None."""
        return [{v: python_value(row.get(v)) for v in self.variables} for row in self._select_rows()]

    def to_pandas(self):
        """The rows as a pandas DataFrame with typed columns: whole numbers Int64 (Python ints in an
        object column where one does not fit Int64, so that every digit stays), other numbers float64,
        dates and times datetime64, booleans boolean; IRIs as strings with a ``<name>Label`` column
        beside each (unless the query already has one). A column is typed only when every value in it
        converts as it is: one that mixes types or offsets (a day and a time, times at two offsets, a
        number and an ill-typed literal) is an object column of the values :meth:`to_dicts` gives. An
        ASK gives one column ``boolean``; a graph, subject/predicate/object."""
        try:
            import pandas as pd
        except ImportError as err:
            raise ImportError("QueryResult.to_pandas needs pandas: pip install 'kgtool[notebook]'") from err
        if self.kind == "ask":
            return pd.DataFrame({"boolean": [bool(self.boolean)]})
        if self.kind == "graph":
            return pd.DataFrame(
                [[t.value for t in triple] for triple in self.triples], columns=["subject", "predicate", "object"]
            )
        labels = self.labels()
        columns = {}
        for v in self.variables:
            terms = [row.get(v) for row in self.rows]
            columns[v] = _pandas_column(pd, terms)
            if any(t is not None and t.kind == "uri" for t in terms) and f"{v}Label" not in self.variables:
                columns[f"{v}Label"] = pd.Series(
                    [labels.get(t.value) if t is not None and t.kind == "uri" else None for t in terms], dtype="object"
                )
        return pd.DataFrame(columns, index=pd.RangeIndex(len(self.rows)))

    def _repr_html_(self) -> str:
        """A label-first HTML table, so that a notebook cell shows the answer (every value escaped)."""
        return html_table(self)


# ---------------------------------------------------------------------------------------------
# rendering


def render(result: QueryResult, fmt: str = "table", *, width: int | None = None, iris: bool = False) -> str:
    """The result in one of :data:`SELECT_FORMATS` (SELECT), :data:`GRAPH_FORMATS` (CONSTRUCT,
    DESCRIBE). An ASK renders as ``true`` or ``false``, and in json and xml as the SPARQL 1.1 results
    document; a graph's json is JSON-LD. The table is label-first and fits ``width`` columns
    (unlimited when None); ``iris`` shows prefixed names instead of labels. ``fmt`` may be an alias
    (:mod:`kgtool.formats`)."""
    fmt = format_name(fmt)
    if result.kind == "ask":
        return _ask(result.boolean, fmt)
    if result.kind == "graph" and fmt in ("table", "markdown"):
        result = as_statements(result)  # a person reads triples as a table too
    elif result.kind == "graph":
        return render_graph(result, "json-ld" if fmt == "json" else fmt)
    if fmt == "table":
        return _table(result, width, iris)
    if fmt == "markdown":
        return _markdown(result, iris)
    renderers = {"csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r} for SELECT results; choose one of {', '.join(SELECT_FORMATS)}")
    return renderers[fmt](result)


def as_statements(result: QueryResult) -> QueryResult:
    """A graph result as a SELECT result of subject, predicate and object rows (labels shared)."""
    rows = [{"subject": s, "predicate": p, "object": o} for s, p, o in result.triples]
    return replace(result, kind="select", variables=["subject", "predicate", "object"], rows=rows, triples=[])


def _ask(boolean: bool | None, fmt: str) -> str:
    word = "true" if boolean else "false"
    if fmt == "json":  # SPARQL 1.1 Query Results JSON
        return f'{{"head": {{}}, "boolean": {word}}}\n'
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"  <head/>\n  <boolean>{word}</boolean>\n</sparql>\n"
        )
    return word + "\n"


def short(term: Term | None) -> str:
    """A term as a person reads it: prefixed names, literal values, readable large numbers."""
    if term is None:
        return ""
    if term.kind == "uri":
        return prefixed(term.value)
    if term.kind == "bnode":
        return f"_:{term.value}"
    if term.datatype == XSD + "decimal" and "." not in term.value:
        return _readable_number(term.value) + ".0"  # engines may drop the ".0" of a decimal; show it
    if term.datatype in _NUMERIC:
        return _readable_number(term.value)
    return term.value


def prefixed(iri: str) -> str:
    """An IRI as a prefixed name (kgr:llama) where a project prefix covers it, else <iri>."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _readable_number(lexical: str) -> str:
    """Thousands separators in the whole part; the digits as the source gives them."""
    try:
        number = Decimal(lexical)
    except InvalidOperation:
        return lexical
    if "e" in lexical.lower() or not number.is_finite():
        return lexical
    whole, dot, fraction = lexical.lstrip("+").partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{int(whole.lstrip('-') or 0):,}{dot}{fraction}"


def python_value(term: Term | None):
    """A term as a Python value: int, Decimal, float, bool, datetime.date or datetime for the XSD
    types, the IRI or lexical form (a string) otherwise; None for an unbound variable."""
    if term is None:
        return None
    if term.kind != "literal" or term.datatype is None:
        return term.value
    convert = _PYTHON.get(term.datatype)
    if convert is None:
        return term.value
    try:
        return convert(term.value.strip())
    except (ValueError, InvalidOperation, KeyError):
        return term.value  # an ill-typed literal stays as written


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _datetime(text: str):
    import datetime

    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _date(text: str):
    import datetime

    return datetime.date.fromisoformat(text[:10])


_PYTHON: dict[str, Callable[[str], object]] = {
    **{t: int for t in _INTEGERS},
    XSD + "decimal": Decimal,
    XSD + "double": float,
    XSD + "float": float,
    XSD + "boolean": lambda text: _BOOLEANS[text],
    XSD + "date": _date,
    XSD + "dateTime": _datetime,
}


_INT64 = range(-(2**63), 2**63)  # the whole numbers a pandas Int64 column holds


def _pandas_column(pd, terms: list[Term | None]):
    """One result column as a pandas Series: typed when its literals share a type and every value
    converts to it, else the Python values in an object column (no value becomes NaN or NaT)."""
    values = [python_value(t) for t in terms]
    typed = _typed_column(pd, terms, values)
    return pd.Series(values, dtype="object") if typed is None else typed


def _typed_column(pd, terms: list[Term | None], values: list):
    """The typed Series of a column, or None when some value would be lost (an ill-typed literal
    stays a string, which no typed column takes)."""
    import datetime

    present = [v for v in values if v is not None]
    types = {t.datatype for t in terms if t is not None and t.kind == "literal"}
    if not present or {t.kind for t in terms if t is not None} != {"literal"}:
        return None
    if types <= _INTEGERS and all(type(v) is int for v in present):
        if all(v in _INT64 for v in present):
            return pd.Series(values, dtype="Int64")  # whole numbers stay whole where some are missing
        return None  # too large for Int64: Python ints keep every digit
    if types <= _NUMERIC and all(isinstance(v, (int, Decimal, float)) for v in present):
        try:
            return pd.Series([None if v is None else float(v) for v in values], dtype="float64")
        except OverflowError:  # a whole number beyond any float
            return None
    if types == {XSD + "boolean"} and all(type(v) is bool for v in present):
        return pd.Series(values, dtype="boolean")
    if types == {XSD + "date"} and all(type(v) is datetime.date for v in present):
        return _datetimes(pd, values)
    if types == {XSD + "dateTime"} and all(type(v) is datetime.datetime for v in present):
        if len({v.utcoffset() for v in present}) > 1:
            return None  # one column keeps one offset: converting times to another would lose theirs
        return _datetimes(pd, values)
    return None


def _datetimes(pd, values: list):
    """Python dates or datetimes (of one offset) as a datetime64 Series; None where pandas cannot hold
    one (a year beyond its range)."""
    try:
        return pd.to_datetime(pd.Series(values, dtype="object"))
    except (ValueError, OverflowError):  # pandas' OutOfBoundsDatetime is a ValueError
        return None


# ---------------------------------------------------------------------------------------------
# the label-first table (terminal, markdown, HTML)


# terminal control codes: whole OSC and CSI sequences (ESC ] ... BEL, ESC [ ... and their 8-bit forms),
# then every other C0 control but tab and newline, DEL and C1
_TERMINAL_CONTROLS = re.compile(
    r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
_C1 = re.compile("[\x80-\x9f]")


def terminal_text(text: str) -> str:
    """``text`` safe to print on a terminal: no control codes that could retitle the window, move the
    cursor or rewrite what is shown. For what people read (tables, messages); data formats stay raw."""
    return _TERMINAL_CONTROLS.sub("", text)


TABLE_CELL_WIDTH = 60  # longer values are cut in a table of no set width (csv, json... carry them whole)
_GAP = "  "
_MIN_WIDTH = 16  # a column is not shrunk below this, and numbers never are: a cut number misleads
_NUMBER_TEXT = re.compile(r"[+-]?[\d,]+(\.\d+)?(%| [^\s(]\S*)?")  # a qualifier in brackets may be cut
# controls, and the invisible format characters of Unicode (category Cf): bidirectional marks and overrides
# (U+061C, U+200E, U+202A-U+202E, U+2066-U+2069), zero-width ones, U+FEFF, and the tag characters that can
# carry hidden text; none shows anything, and some reorder or hide what is printed after them
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def terminal_width() -> int | None:
    """$COLUMNS, else the width of the terminal on stdout; None when stdout is no terminal (a file
    or a pipe gets the whole table)."""
    import os
    import sys

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout is not None and sys.stdout.isatty():
        import shutil  # only for a terminal: output to a pipe or a file does not load it

        return shutil.get_terminal_size().columns
    return None


def plain_text(text: str) -> str:
    """One line of printable text: whitespace runs become one space, control codes (which could
    move the cursor or recolour the terminal) are dropped."""
    return _CONTROL.sub("", " ".join(terminal_text(text).split()))


def text_table(
    header: list[str],
    rows: list[list[str]],
    *,
    numeric=(),
    width: int | None = None,
    footer: Sequence[str] = (),
    floors: dict[int, int] | None = None,
) -> str:
    """The one text table: left-aligned columns, ``numeric`` ones (indexes) right-aligned, two spaces
    apart. When ``width`` is given, the widest columns shrink with an ellipsis until the table fits
    (never below ``floors``, column index -> width, where given); columns that still do not fit are
    left out from the right, and a last line says which."""
    header = [plain_text(h) for h in header]
    cells = [[plain_text(str(c)) for c in row] for row in rows]
    numeric = set(numeric)
    widths = [max([text_width(h)] + [text_width(r[i]) for r in cells]) for i, h in enumerate(header)]
    shown = list(range(len(header)))
    if width is not None:
        # a number among words is not cut either
        number_widths = [
            max([text_width(r[i]) for r in cells if _NUMBER_TEXT.fullmatch(r[i])], default=0)
            for i in range(len(header))
        ]
        for i, floor in (floors or {}).items():
            number_widths[i] = max(number_widths[i], min(floor, widths[i]))
        widths, shown = _fit(widths, numeric, number_widths, width)

    def line(values):
        parts = []
        for i in shown:
            text = _clip(values[i], widths[i])
            room = " " * (widths[i] - text_width(text))  # padded by the columns it takes, not its characters
            parts.append(room + text if i in numeric else text + room)
        return _GAP.join(parts).rstrip()

    out = [line(header), line(["-" * w for w in widths]), *(line(r) for r in cells), *footer]
    hidden = [header[i] for i in range(len(header)) if i not in shown]
    if hidden and width is not None:  # only a width hides columns
        out.append(_hidden_line(hidden, width))
    return "\n".join(out) + "\n"


_MARKS = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹˒]+$")  # footnote numbers at the end of a cell


def _clip(text: str, width: int) -> str:
    """The text cut to ``width`` columns with an ellipsis; footnote numbers at its end survive the cut."""
    if text_width(text) <= width:
        return text
    marks = _MARKS.search(text)
    tail = marks.group() if marks and len(marks.group()) < width - 1 else ""
    room, kept = max(width - 1 - len(tail), 0), 0
    for end, character in enumerate(text):
        kept += _character_width(character)
        if kept > room:
            return text[:end] + "…" + tail
    return text  # not reached: the text is wider than the room


def text_width(text: str) -> int:
    """The columns ``text`` takes on a terminal: two for a wide character (CJK, most emoji), none for a
    combining mark."""
    if text.isascii():
        return len(text)
    return sum(_character_width(c) for c in text)


def _character_width(character: str) -> int:
    import unicodedata

    if unicodedata.combining(character):
        return 0
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


def _hidden_line(hidden: list[str], width: int) -> str:
    """The line that says which columns a table left out, as much of it as ``width`` holds: their
    names first, then the advice in full, short or not at all."""
    count = f"{len(hidden)} column{'s' if len(hidden) != 1 else ''} hidden"
    names = ", ".join(hidden)
    for advice in ("; -f csv shows every column", "; -f csv", ""):
        room = width - len(count) - len(" ()") - len(advice)
        if room >= min(text_width(names), 10):
            return f"{count} ({_clip(names, room)}){advice}"
    return count


def _fit(widths: list[int], numeric: set[int], number_widths: list[int], width: int) -> tuple[list[int], list[int]]:
    """Column widths that fit ``width``: the widest shrinks first, down to its floor; then columns
    are dropped from the right, the numbers last (a leaderboard's value outlasts the words beside it)
    and the first column never. Returns the widths and the indexes of the columns shown."""
    natural, widths = widths, list(widths)
    floors = [w if i in numeric else max(min(w, _MIN_WIDTH), number_widths[i]) for i, w in enumerate(widths)]
    shown = list(range(len(widths)))

    def total():
        return sum(widths[i] for i in shown) + len(_GAP) * (len(shown) - 1)

    while total() > width:
        shrinkable = [i for i in shown if widths[i] > floors[i]]
        if shrinkable:
            widest = max(shrinkable, key=lambda i: (widths[i], i))
            widths[widest] -= 1
        elif len(shown) > 1:
            words = [i for i in shown[1:] if i not in numeric]
            shown.remove(words[-1] if words else shown[-1])
            widths = list(natural)  # the columns left share the room again
        else:
            break
    return widths, shown


@dataclass
class _Column:
    name: str
    cells: list[str]
    numeric: bool
    links: list[str | None]  # the IRI behind each cell, for HTML


def table_columns(result: QueryResult, iris: bool = False, cut: bool = True) -> list[_Column]:
    """The columns a person reads: an entity by its label (its prefixed name where it has none,
    or always with ``iris``), a variable that only repeats another's label left out, numbers with
    thousands separators and, where the answer gives one beside them, their unit; values longer
    than TABLE_CELL_WIDTH cut unless ``cut`` is false."""
    labels = {} if iris else result.labels()
    variables = list(result.variables)
    if not iris:
        variables = [v for v in variables if not _repeats_a_label(result, v, labels)]
    units = {} if iris else _units(result, variables)
    columns = []
    for v in variables:
        if v in units.values():
            continue
        terms = [row.get(v) for row in result.rows]
        cells = [_display(t, labels) for t in terms]
        if v in units:
            unit_terms = [row.get(units[v]) for row in result.rows]
            cells = [_with_unit(c, _display(u, labels)) for c, u in zip(cells, unit_terms, strict=True)]
        numeric = bool(result.rows) and all(t is None or t.datatype in _NUMERIC for t in terms)
        links = [t.value if t is not None and t.kind == "uri" else None for t in terms]
        columns.append(_Column(v, [_cell(c) if cut else plain_text(c) for c in cells], numeric, links))
    return columns


def _display(term: Term | None, labels: dict[str, str]) -> str:
    if term is not None and term.kind == "uri" and term.value in labels:
        return labels[term.value]
    return short(term)


UNIT_SYMBOLS = {"percent": "%"}  # how a table writes a unit the scheme names in words


def _with_unit(value: str, unit: str) -> str:
    if not value or not unit:
        return value
    unit = UNIT_SYMBOLS.get(unit, unit)
    return value + unit if unit == "%" else f"{value} {unit}"


def _repeats_a_label(result: QueryResult, name: str, labels: dict[str, str]) -> bool:
    """Whether every value of ``name`` is the label of another variable's IRI in the same row."""
    rows = [row for row in result.rows if name in row]
    if not rows or any(row[name].kind != "literal" for row in rows):
        return False
    for other in result.variables:
        if other != name and all(
            other in row and row[other].kind == "uri" and labels.get(row[other].value) == row[name].value
            for row in rows
        ):
            return True
    return False


def _units(result: QueryResult, variables: list[str]) -> dict[str, str]:
    """Numeric variables and the variable that gives their unit: ``unit`` for ``value``, ``xUnit`` for ``x``."""
    found = {}
    for v in variables:
        unit = "unit" if v == "value" else f"{v}Unit"
        if unit in variables and all(
            t.datatype in _NUMERIC for row in result.rows for t in [row.get(v)] if t is not None
        ):
            found[v] = unit
    return found


def _cell(text: str) -> str:
    text = plain_text(text)
    return text if len(text) <= TABLE_CELL_WIDTH else text[: TABLE_CELL_WIDTH - 1] + "…"


def _table(result: QueryResult, width: int | None = None, iris: bool = False) -> str:
    columns = table_columns(result, iris, cut=width is None)  # a terminal's width cuts only what does not fit
    above = ""
    if width is not None and len(result.rows) > 1 and _natural_width(columns) > width:
        columns, above = _fold_uniform(columns, width)
    rows = [[c.cells[i] for c in columns] for i in range(len(result.rows))]
    count = len(result.rows)
    table = text_table(
        [c.name for c in columns],
        rows,
        numeric=[i for i, c in enumerate(columns) if c.numeric],
        width=width,
        footer=[f"({count} row{'s' if count != 1 else ''})"],
    )
    return above + table


def _natural_width(columns: list[_Column]) -> int:
    return sum(max([len(c.name)] + [len(cell) for cell in c.cells]) for c in columns) + len(_GAP) * (len(columns) - 1)


def _fold_uniform(columns: list[_Column], width: int) -> tuple[list[_Column], str]:
    """For a table too wide for the terminal: the columns that say the same on every row move into
    one line above it ("benchmark: MMLU · metric: accuracy · empty: upper"), so that the columns
    that tell the rows apart (the source among them) are cut or hidden last."""
    kept, same, empty = [], [], []
    for column in columns:
        values = set(column.cells)
        if values == {""}:
            empty.append(column.name)
        elif len(values) == 1:
            same.append(f"{plain_text(column.name)}: {plain_text(column.cells[0])}")
        else:
            kept.append(column)
    if not kept:
        return columns, ""
    parts = same + ([f"empty: {', '.join(plain_text(n) for n in empty)}"] if empty else [])
    return kept, (_clip(" · ".join(parts), width) + "\n" if parts else "")


def _markdown(result: QueryResult, iris: bool = False) -> str:
    def cell(text: str) -> str:
        return terminal_text(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    columns = table_columns(result, iris)
    out = [
        "| " + " | ".join(c.name for c in columns) + " |",
        "|" + "".join("---:|" if c.numeric else "---|" for c in columns),
    ]
    for i in range(len(result.rows)):
        out.append("| " + " | ".join(cell(c.cells[i]) for c in columns) + " |")
    return "\n".join(out) + "\n"


def html_table(result: QueryResult) -> str:
    """The label-first table as HTML: every value escaped, an entity's IRI in its cell's title."""
    from html import escape

    if result.kind == "ask":
        return f"<p><b>{'true' if result.boolean else 'false'}</b></p>"
    if result.kind == "graph":
        return f"<pre>{escape(render_graph(result, 'turtle'))}</pre>"
    columns = table_columns(result)
    head = "".join(f"<th>{escape(c.name)}</th>" for c in columns)
    body = []
    for i in range(len(result.rows)):
        cells = []
        for c in columns:
            style = ' style="text-align:right"' if c.numeric else ""
            link = c.links[i]
            title = f' title="{escape(link)}"' if link else ""
            cells.append(f"<td{style}{title}>{escape(c.cells[i])}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    count = len(result.rows)
    return (
        f'<table class="kgtool-result"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        f"<p>({count} row{'s' if count != 1 else ''}{', more exist' if result.truncated else ''})</p>"
    )


def _csv(result: QueryResult) -> str:
    # W3C SPARQL 1.1 Query Results CSV: IRIs and literals as plain values, CRLF line ends
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(
            [
                "" if v not in row else (f"_:{row[v].value}" if row[v].kind == "bnode" else row[v].value)
                for v in result.variables
            ]
        )
    return buffer.getvalue()


def _tsv(result: QueryResult) -> str:
    # W3C SPARQL 1.1 Query Results TSV: terms in Turtle syntax, variables with '?'
    out = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        out.append("\t".join(row[v].n3() if v in row else "" for v in result.variables))
    return "\n".join(out) + "\n"


def _json(result: QueryResult) -> str:
    import json

    document = {
        "head": {"vars": result.variables},
        "results": {"bindings": [{v: t.to_json() for v, t in row.items()} for row in result.rows]},
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _xml(result: QueryResult) -> str:
    from xml.sax.saxutils import escape, quoteattr  # it imports urllib.request: only for this format

    check_xml_text(
        (
            (term.kind, text)
            for row in result.rows
            for term in row.values()
            for text in (term.value, term.datatype, term.lang)
            if text
        ),
        "JSON, CSV or TSV (-f json)",
    )
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "  <head>"]
    out += [f"    <variable name={quoteattr(v)}/>" for v in result.variables]
    out += ["  </head>", "  <results>"]
    for row in result.rows:
        out.append("    <result>")
        for name, term in row.items():
            if term.kind == "uri":
                inner = f"<uri>{escape(term.value)}</uri>"
            elif term.kind == "bnode":
                inner = f"<bnode>{escape(term.value)}</bnode>"
            elif term.lang:
                inner = f"<literal xml:lang={quoteattr(term.lang)}>{escape(term.value)}</literal>"
            elif term.datatype:
                inner = f"<literal datatype={quoteattr(term.datatype)}>{escape(term.value)}</literal>"
            else:
                inner = f"<literal>{escape(term.value)}</literal>"
            out.append(f"      <binding name={quoteattr(name)}>{inner}</binding>")
        out.append("    </result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out) + "\n"


# the characters XML 1.0 cannot hold, not even as character references (&#27; is not well-formed either): the
# C0 controls but tab, newline and carriage return, the surrogates (a Python string can hold a lone one) and
# U+FFFE, U+FFFF
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_KIND_NAMES = {"uri": "IRI", "bnode": "blank node", "literal": "literal"}


class NotXmlText(KgtoolError, ValueError):
    """A term holds a character that XML 1.0 cannot represent, so no XML output can carry it. A
    :class:`ValueError` too, so that the server's query workers answer it as a failed query, in one line."""


def check_xml_text(texts: Iterable[tuple[str, str]], instead: str) -> None:
    """Refuse (:class:`NotXmlText`) the first text that holds a character XML 1.0 cannot represent.
    ``texts``: (kind, text) pairs, kind a :class:`Term` kind; ``instead`` names formats that can hold it.
    The one check of every XML output: SPARQL XML results (:func:`render`) and RDF/XML (:func:`rdf_bytes`)."""
    search = _NOT_XML.search
    for kind, text in texts:
        found = search(text)
        if found is not None:
            start, end = max(found.start() - 20, 0), found.end() + 20
            shown = ("…" if start else "") + ascii(text[start:end]) + ("…" if end < len(text) else "")
            raise NotXmlText(
                f"cannot write the {_KIND_NAMES.get(kind, kind)} {shown} as XML: it holds U+{ord(found.group()):04X}, "
                f"a character XML 1.0 cannot represent, even escaped; write it as {instead} instead"
            )


def render_graph(result: QueryResult, fmt: str) -> str:
    """CONSTRUCT/DESCRIBE triples as Turtle, N-Triples or JSON-LD, written by Oxigraph's serialisers."""
    import pyoxigraph as ox

    formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD}
    fmt = format_name(fmt)
    if fmt not in formats:
        raise ValueError(f"unknown format {fmt!r} for graph results; choose one of {', '.join(GRAPH_FORMATS)}")
    triples = [ox.Triple(*(to_oxigraph(t) for t in triple)) for triple in result.triples]
    return rdf_bytes(triples, formats[fmt], PREFIXES if fmt == "turtle" else None).decode("utf-8")


# ---------------------------------------------------------------------------------------------
# conversions from the engines' own term types


def from_oxigraph(term) -> Term:
    """One Oxigraph term as a :class:`Term`."""
    if not _NODE_KINDS:
        import pyoxigraph as ox  # when first needed, not with this module

        _NODE_KINDS.update({ox.NamedNode: "uri", ox.BlankNode: "bnode"})
    kind = _NODE_KINDS.get(type(term))
    if kind:
        return _new_term(Term, (kind, term.value, None, None))
    language = term.language
    if language:
        return _new_term(Term, ("literal", term.value, None, language))
    datatype = term.datatype.value
    return _new_term(Term, ("literal", term.value, None if datatype == _XSD_STRING else datatype, None))


_NODE_KINDS: dict[type, str] = {}  # pyoxigraph's node classes and the kind of Term each becomes
_new_term = tuple.__new__  # the tuple's own constructor: no argument parsing


def select_rows(store, query: str) -> list[dict[str, Term]]:
    """The rows of the SELECT ``query`` run on ``store``, a pyoxigraph Store."""
    solutions = store.query(query)
    return rows_from_oxigraph(solutions, [v.value for v in solutions.variables])


def rows_from_oxigraph(solutions, variables: list[str]) -> list[dict[str, Term]]:
    """Oxigraph query solutions as rows, read by position (unbound variables left out). Each distinct
    term is converted once: a result repeats the same labels, sources and types on many rows, and a
    lookup costs a fraction of a conversion."""
    converted: dict = {}
    known = converted.get
    rows = []
    for solution in solutions:
        row = {}
        for name, term in zip(variables, solution, strict=True):
            if term is not None:
                value = known(term)
                if value is None:
                    value = converted[term] = from_oxigraph(term)
                row[name] = value
        rows.append(row)
    return rows


def triples_from_oxigraph(triples) -> list[tuple[Term, Term, Term]]:
    converted: dict = {}

    def term(t) -> Term:
        value = converted.get(t)
        if value is None:
            value = converted[t] = from_oxigraph(t)
        return value

    return [(term(t.subject), term(t.predicate), term(t.object)) for t in triples]


def to_oxigraph(term: Term):
    import pyoxigraph as ox

    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    if term.datatype:
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype))
    return ox.Literal(term.value)


def rdf_bytes(
    triples: Iterable, rdf_format, prefixes: dict[str, str] | None = None, base_iri: str | None = None
) -> bytes:
    """Oxigraph triples (or quads) in ``rdf_format`` (a ``pyoxigraph.RdfFormat``), written by Oxigraph's serialiser."""
    import pyoxigraph as ox

    if rdf_format == ox.RdfFormat.RDF_XML:  # Oxigraph writes every character as it is
        triples = list(triples)
        literal = ox.Literal  # IRIs, blank node labels and language tags never hold one: Oxigraph checks them
        check_xml_text(
            (("literal", t.object.value) for t in triples if type(t.object) is literal), "N-Triples, Turtle or JSON-LD"
        )
    data = ox.serialize(triples, format=rdf_format, prefixes=prefixes, base_iri=base_iri)
    assert data is not None  # given no output, serialize returns the bytes (its stub says bytes | None)
    return data


def from_rdflib(node) -> Term:
    """One rdflib term as a :class:`Term`."""
    from rdflib import BNode, URIRef

    if isinstance(node, URIRef):
        return Term("uri", str(node))
    if isinstance(node, BNode):
        return Term("bnode", str(node))
    datatype = str(node.datatype) if node.datatype is not None and not node.language else None
    value = double_lexical(str(node)) if datatype in _FLOATS else str(node)  # rdflib holds "INF" as "inf"
    return Term("literal", value, None if datatype == _XSD_STRING else datatype, node.language)


def double_lexical(value: float | str) -> str:
    """The lexical form of an xsd:double or xsd:float (its value, or its lexical form as rdflib gives it) as
    :func:`from_rdflib` gives it: rdflib's (Python's), but INF, -INF and NaN as XSD spells them."""
    text = str(value)
    return _NON_FINITE.get(text, text)


def to_rdflib(term: Term):
    """A :class:`Term` as an rdflib term."""
    from rdflib import BNode, Literal, URIRef

    if term.kind == "uri":
        return URIRef(term.value)
    if term.kind == "bnode":
        return BNode(term.value)
    if term.lang:
        return Literal(term.value, lang=term.lang)
    return Literal(term.value, datatype=URIRef(term.datatype) if term.datatype else None)
