"""One result type for local and remote queries, and its renderings.

A :class:`QueryResult` holds SPARQL terms as plain :class:`Term` values (the shape of the W3C
SPARQL 1.1 Query Results JSON format), so formatting, visualisation and export never ask whether
the rows came from the embedded engine or from an endpoint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from .namespaces import PREFIXES

XSD = PREFIXES["xsd"]
_XSD_STRING = XSD + "string"
_NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}

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
    def from_json(cls, data: dict) -> "Term":
        kind = data["type"]
        if kind == "typed-literal":  # SPARQL 1.0 JSON, still sent by some endpoints
            kind = "literal"
        return cls(kind, data["value"], data.get("datatype"), data.get("xml:lang"))


def _escape_string(value: str) -> str:
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


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

    def __len__(self) -> int:
        return len(self.triples) if self.kind == "graph" else len(self.rows)

    def first(self, limit: int | None) -> "QueryResult":
        """The result cut to its first ``limit`` rows (or triples), marked ``truncated`` if that
        left any out; the result itself when ``limit`` is None or nothing is left out."""
        if limit is None or len(self) <= limit:
            return self
        return replace(self, rows=self.rows[:limit], triples=self.triples[:limit], truncated=True)

    def values(self) -> list[tuple[str | None, ...]]:
        """Rows as tuples of plain values (IRIs and lexical forms), in variable order."""
        return [tuple(row[v].value if v in row else None for v in self.variables) for row in self.rows]


# ---------------------------------------------------------------------------------------------
# rendering

def render(result: QueryResult, fmt: str = "table") -> str:
    """The result in one of :data:`SELECT_FORMATS` (SELECT), :data:`GRAPH_FORMATS` (CONSTRUCT,
    DESCRIBE); an ASK result renders as ``true`` or ``false``."""
    if result.kind == "ask":
        return "true\n" if result.boolean else "false\n"
    if result.kind == "graph":
        if fmt == "table":  # Turtle for the terminal: the C1 controls Oxigraph leaves raw written as escapes
            return _C1.sub(lambda match: f"\\u{ord(match.group()):04X}", render_graph(result, "turtle"))
        return render_graph(result, fmt)
    renderers = {"table": _table, "csv": _csv, "tsv": _tsv, "json": _json, "xml": _xml, "markdown": _markdown}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r} for SELECT results; choose one of {', '.join(SELECT_FORMATS)}")
    return renderers[fmt](result)


def short(term: Term | None) -> str:
    """A term as a person reads it: prefixed names, literal values, readable large numbers."""
    if term is None:
        return ""
    if term.kind == "uri":
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri) and term.value != iri:
                return f"{prefix}:{term.value[len(iri):]}"
        return f"<{term.value}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    if term.datatype == XSD + "decimal" and "." not in term.value:
        return _readable_number(term.value) + ".0"  # engines may drop the ".0" of a decimal; show it
    if term.datatype in _NUMERIC:
        return _readable_number(term.value)
    return term.value


def _readable_number(lexical: str) -> str:
    try:
        number = Decimal(lexical)
    except InvalidOperation:
        return lexical
    if number == number.to_integral_value() and "." not in lexical and "e" not in lexical.lower():
        return f"{int(number):,}"
    return lexical


# terminal control codes: whole OSC and CSI sequences (ESC ] ... BEL, ESC [ ... and their 8-bit forms),
# then every other C0 control but tab and newline, DEL and C1
_TERMINAL_CONTROLS = re.compile(r"(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                                r"|(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
                                r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_C1 = re.compile("[\x80-\x9f]")


def terminal_text(text: str) -> str:
    """``text`` safe to print on a terminal: no control codes that could retitle the window, move the
    cursor or rewrite what is shown. For what people read (tables, messages); data formats stay raw."""
    return _TERMINAL_CONTROLS.sub("", text)


TABLE_CELL_WIDTH = 60  # longer values are cut in the table (csv, json... carry them whole)


def _cell(text: str) -> str:
    text = " ".join(terminal_text(text).split())
    return text if len(text) <= TABLE_CELL_WIDTH else text[:TABLE_CELL_WIDTH - 1] + "…"


def _table(result: QueryResult) -> str:
    header = result.variables
    cells = [[_cell(short(row.get(v))) for v in header] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    numeric = [all(row.get(v) is None or row[v].datatype in _NUMERIC for row in result.rows) and result.rows
               for v in header]

    def line(values):
        return "  ".join((val.rjust(w) if num else val.ljust(w)) for val, w, num in zip(values, widths, numeric)).rstrip()

    out = [line(header), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def _markdown(result: QueryResult) -> str:
    def cell(text: str) -> str:
        return terminal_text(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(result.variables) + " |", "|" + "---|" * len(result.variables)]
    for row in result.rows:
        out.append("| " + " | ".join(cell(short(row.get(v))) for v in result.variables) + " |")
    return "\n".join(out) + "\n"


def _csv(result: QueryResult) -> str:
    # W3C SPARQL 1.1 Query Results CSV: IRIs and literals as plain values, CRLF line ends
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if v not in row else (f"_:{row[v].value}" if row[v].kind == "bnode" else row[v].value)
                         for v in result.variables])
    return buffer.getvalue()


def _tsv(result: QueryResult) -> str:
    # W3C SPARQL 1.1 Query Results TSV: terms in Turtle syntax, variables with '?'
    out = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        out.append("\t".join(row[v].n3() if v in row else "" for v in result.variables))
    return "\n".join(out) + "\n"


def _json(result: QueryResult) -> str:
    import json

    document = {"head": {"vars": result.variables},
                "results": {"bindings": [{v: t.to_json() for v, t in row.items()} for row in result.rows]}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _xml(result: QueryResult) -> str:
    from xml.sax.saxutils import escape, quoteattr  # it imports urllib.request: only for this format

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


def render_graph(result: QueryResult, fmt: str) -> str:
    """CONSTRUCT/DESCRIBE triples as Turtle, N-Triples or JSON-LD, written by Oxigraph's serialisers."""
    import pyoxigraph as ox

    formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD}
    if fmt not in formats:
        raise ValueError(f"unknown format {fmt!r} for graph results; choose one of {', '.join(GRAPH_FORMATS)}")
    triples = [ox.Triple(*(to_oxigraph(t) for t in triple)) for triple in result.triples]
    prefixes = PREFIXES if fmt == "turtle" else None
    data = ox.serialize(triples, format=formats[fmt], prefixes=prefixes) if prefixes else \
        ox.serialize(triples, format=formats[fmt])
    return data.decode("utf-8")


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


def rows_from_oxigraph(solutions, variables: list[str]) -> list[dict[str, Term]]:
    """Oxigraph query solutions as rows, read by position (unbound variables left out). Each distinct
    term is converted once: a result repeats the same labels, sources and types on many rows, and a
    lookup costs a fraction of a conversion."""
    converted: dict = {}
    known = converted.get
    rows = []
    for solution in solutions:
        row = {}
        for name, term in zip(variables, solution):
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
