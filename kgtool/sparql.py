"""Run SPARQL: on the embedded Oxigraph engine, or on any SPARQL 1.1 endpoint (the SPARQL 1.1 Protocol).

Both return a :class:`~kgtool.results.QueryResult`. Parameter values are bound, never formatted
into the query's own patterns: locally and remotely alike, through a VALUES block of escaped terms
placed at the start of the query's WHERE group.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from .auth import Credentials, Opener
from .errors import DataError, EndpointError, QueryError, closest, did_you_mean
from .guard import calls_a_service, check_local, query_form, tokenize
from .namespaces import KG, PREFIXES, resource_iri, sparql_prologue
from .queries import NamedQuery, Param, find, iri_error, is_query_file, is_query_name, parse_value
from .results import XSD, QueryResult, Term, prefixed, rows_from_oxigraph, triples_from_oxigraph

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

DEFAULT_TIMEOUT = 30.0  # seconds for a whole remote answer
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds to connect, and for any single read once the answer has begun
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_RESULTS_TYPES = "application/sparql-results+json"
_GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5, application/ld+json;q=0.3"

_SYNTAX = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?:?\s*(.*)", re.S)
_QUERY_KEYWORD = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


class Where(TypedDict, total=False):
    """Where a query runs: the keywords of :func:`engine_for`, which functions that read the graph pass
    on to it (their type lets an editor and mypy check them at each call)."""

    endpoint: str | None
    infer: bool
    extra: Iterable[str | Path]  # a single file is taken too (kgtool.store.data_files)
    store: Any  # an Oxigraph store
    timeout: float
    connect_timeout: float
    max_bytes: int
    credentials: Credentials


def run_query(
    query: str | os.PathLike[str] | NamedQuery,
    params: Mapping[str, str | Term | int] | None = None,
    *,
    limit: int | None = None,
    **where: Unpack[Where],
) -> QueryResult:
    """Run a named query, a .rq file or SPARQL text on the engine that ``where`` names: the keywords of
    :func:`engine_for` (locally the bundled graph plus ``extra`` files, or a given Oxigraph ``store``;
    or an ``endpoint``, with its ``timeout`` and ``credentials``).

    ``query`` is a name of the catalogue, the path of a .rq file (a str ending in .rq or naming a file,
    or a :class:`~pathlib.Path`), or SPARQL text.

    ``params`` maps parameter names to values: :class:`Term` objects, strings in the command-line
    notation (an IRI, a prefixed name, a literal, or a label resolved to its resource), or ints (an
    ``xsd:integer``, as ``"42"`` is; a bool or a float is refused: write ``"true"`` or ``"3.5"``, the
    literal as it is meant). None takes the parameter's default, ``""`` leaves it unbound. Each name
    must be a variable of the query that a VALUES block at the start of its WHERE group can bind (not
    one the query assigns with BIND or AS, nor one used only inside a subquery that does not select it).

    ``limit`` keeps the first rows (or triples) of the answer, in its order; the result's
    ``truncated`` says whether more exist. Locally the rest is never read from the engine, which
    saves converting it (the engine still does the work an ORDER BY needs); from an endpoint the
    whole answer arrives and is cut.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise QueryError(f"limit must be a whole number of rows, 1 or more (not {limit!r})")
    named = as_named_query(query)
    engine = engine_for(**where)
    # the endpoint needs the query's form, and a syntax error should be caught before anything is
    # sent; locally, Oxigraph parses (and reports) the query once, when it runs it
    form = check_syntax(named) if isinstance(engine, RemoteEngine) else "SELECT"
    given = {} if params is None else params
    bindings = bind_parameters(named, given, engine)
    if isinstance(engine, RemoteEngine):  # locally the engine's own parse finds these
        check_bindings(named, bindings)
    result = engine.run(named, bindings, form, limit)
    result.labeller = engine.labels
    result.defaults = {p.name: bindings[p.name] for p in named.params if p.name not in given and p.name in bindings}
    return result


def engine_for(
    *,
    endpoint: str | None = None,
    infer: bool = False,
    extra: Iterable[str | Path] | str | Path = (),
    store=None,
    timeout: float = DEFAULT_TIMEOUT,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    credentials: Credentials = Credentials(),
) -> Engine:
    """The engine that answers: ``endpoint``, else the given Oxigraph ``store``, else the bundled
    graph plus ``extra`` files (with entailments when ``infer``); ``extra`` may be a single file."""
    from .store import data_files

    extra = data_files(extra)  # one file, or a generator read once here (a DataFiles keeps its options)
    if endpoint:
        if infer or len(extra):
            raise QueryError("--infer and extra data files apply to the local graph, not to an endpoint")
        return RemoteEngine(endpoint, timeout, connect_timeout, max_bytes, credentials)
    if store is not None and (infer or len(extra)):
        raise QueryError("infer and extra data files apply to the bundled graph, not to a given store")
    if store is None:
        from .store import load_store

        store = load_store(extra, infer=infer, read_only=True)
    return LocalEngine(store)


def as_named_query(query: str | os.PathLike[str] | NamedQuery) -> NamedQuery:
    """A named query, a .rq path (a str or a :class:`~pathlib.Path`), or SPARQL text (anything else
    with a brace or a query keyword)."""
    if isinstance(query, NamedQuery):
        return query
    if isinstance(query, os.PathLike):
        return find(query)
    if not isinstance(query, str):
        raise QueryError(f"a query is a name, a .rq file or SPARQL text, not {type(query).__name__} {query!r}")
    if is_query_name(query):  # no query is a single word (a name such as ask-the-graph is not ASK)
        return find(query)
    if is_query_file(query):  # before the keywords: a file may be named ask-gpt4.rq or select-models.rq
        return find(query)
    if "{" in query or _QUERY_KEYWORD.search(query):
        return NamedQuery.parse(query, "(inline query)")
    return find(query)


def check_syntax(named: NamedQuery) -> str:
    """Parse the query with Oxigraph (on an empty store) and return its form: ``SELECT``, ``ASK`` or
    ``CONSTRUCT`` (DESCRIBE included). A syntax error names line and column."""
    import pyoxigraph

    if calls_a_service(named.text):
        # Oxigraph answers an ASK as it parses it, and would call the service from here: the form is
        # read from the query's keywords instead, and the endpoint it is sent to judges the rest
        return query_form(named.text)
    try:
        answer = pyoxigraph.Store().query(named.text, prefixes=PREFIXES)
    except SyntaxError as err:
        raise syntax_error(named, err) from err
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return "ASK"
    return "SELECT" if isinstance(answer, pyoxigraph.QuerySolutions) else "CONSTRUCT"


def syntax_error(named: NamedQuery, err: SyntaxError) -> QueryError:
    match = _SYNTAX.match(str(err))
    if match:
        line, column, what = match.groups()
        what = " ".join(what.split())
        if "Prefix not found" in what:
            what = "an undeclared prefix (declare it with PREFIX)"
        elif len(what) > 160:
            what = what[:157] + "..."
        return QueryError(f"query {named.name}: syntax error at line {line}, column {column}: {what}")
    return QueryError(f"query {named.name}: syntax error: {err}")


def bind_parameters(named: NamedQuery, given: Mapping[str, str | Term | int], engine: Engine) -> dict[str, Term]:
    if not isinstance(given, Mapping):
        raise QueryError(
            f"parameters are a mapping of names to values, such as {{'org': 'OpenAI'}}, not a {type(given).__name__}"
        )
    declared = {p.name: p for p in named.params}
    # a query with a header declares its parameters (none is a declaration too); plain SPARQL text
    # may bind any of its variables
    unknown = sorted(map(str, set(given) - set(declared))) if declared or named.title else []
    if unknown:
        known = f"its parameters are {', '.join(str(p) for p in named.params)}" if declared else "it has none"
        raise QueryError(f"query {named.name} has no parameter {', '.join(unknown)}; {known}")
    # a value for a variable the VALUES block cannot reach would change nothing: the answer would
    # look like one for that value
    reachable = bindable_variables(named.text) if given else None  # tokenized only when a value is given
    for name in given:
        if reachable is not None and name not in reachable:
            used = any(t.kind == "var" and t.text[1:] == name for t in tokenize(named.text))
            where = "only inside a subquery that does not select it" if used else "nowhere in the query"
            raise QueryError(f"query {named.name}, parameter {name}: the variable ?{name} is used {where}")
    bindings: dict[str, Term] = {}
    for name in declared or given:
        value, param = given.get(name), declared.get(name)
        if value == "":  # -p NAME= : unbound, so that the query answers for every value
            value = None
        elif value is None and param is not None:
            value = param.default
        if value is None:
            if param is not None and param.required:
                raise QueryError(
                    f"query {named.name} needs the parameter {name!r} ({param.description}); "
                    f"for example: {named.example()}"
                )
            continue
        try:
            term = given_term(value)
        except QueryError as err:
            raise QueryError(f"query {named.name}, parameter {name}: {err}") from err
        if param is not None and param.boolean and term not in _BOOLEANS:
            raise QueryError(f"query {named.name}, parameter {name}: {value!r} is neither true nor false")
        bindings[name] = term if isinstance(term, Term) else engine.resolve_label(term, name, param)
    return bindings


_BOOLEANS = (Term("literal", "true", XSD + "boolean"), Term("literal", "false", XSD + "boolean"))


def given_term(value: object) -> Term | str:
    """A parameter's value as a term (a label, to resolve, as a str): a :class:`Term`, checked as the
    parser would check it; a str in the command-line notation; an int as an ``xsd:integer``."""
    if isinstance(value, Term):
        check_term(value)
        return value
    if isinstance(value, str):
        return parse_value(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_value(str(value))
    raise QueryError(
        f"{value!r} is a {type(value).__name__}: give a str (an IRI, a prefixed name, a literal "
        "such as 3.5 or true, or a label), an int or a Term"
    )


_LANGUAGE_TAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")


def check_term(term: Term) -> None:
    """Raise a :class:`QueryError` if ``term`` is no value a VALUES block can hold."""
    if term.kind == "bnode":
        raise QueryError(
            f"the blank node _:{term.value} cannot be a value: a blank node names nothing outside the "
            "answer it came from (give an IRI)"
        )
    if term.kind == "uri" or (term.kind == "literal" and term.datatype):
        iri = term.value if term.kind == "uri" else str(term.datatype)
        why = iri_error(iri)
        if why is not None:
            raise QueryError(f"{iri!r} is not an IRI ({why})")
    if term.kind == "literal" and term.lang and not _LANGUAGE_TAG.fullmatch(term.lang):
        raise QueryError(f"{term.lang!r} is not a language tag (such as en or en-GB)")
    if term.kind not in ("uri", "literal"):
        raise QueryError(f"a term is of kind uri, literal or bnode, not {term.kind!r}")


def check_bindings(named: NamedQuery, bindings: Mapping[str, Term]) -> None:
    """Raise a :class:`QueryError` naming the parameter whose binding makes the query unparseable: a
    variable the query assigns itself (BIND or AS), which a VALUES block before it must not bind. Each
    binding is parsed alone, so that the error names the right one."""
    import pyoxigraph

    if not bindings or calls_a_service(named.text):  # see check_syntax: such a query is never run here
        return
    for name, term in bindings.items():
        try:
            pyoxigraph.Store().query(with_values(named.text, {name: term}), prefixes=PREFIXES)
        except SyntaxError as err:
            assigned = any(
                token.kind == "word"
                and token.text.upper() == "AS"
                and following.kind == "var"
                and following.text[1:] == name
                for token, following in itertools.pairwise(tokenize(named.text))
            )
            if assigned:
                raise QueryError(
                    f"query {named.name}, parameter {name}: the query assigns ?{name} itself (with AS, "
                    "in BIND or SELECT), so it cannot be given a value"
                ) from err
            raise QueryError(f"query {named.name}, parameter {name}: the query cannot take {term.n3()}") from err


@dataclass
class _Scope:
    """The query, or one of its subqueries, as :func:`bindable_variables` reads it."""

    variables: set[str] = field(default_factory=set)  # those it makes visible around it (a subquery: with *)
    selected: set[str] = field(default_factory=set)  # those a subquery selects
    subquery: bool = False
    braces: int = 0  # the braces open within it
    in_projection: bool = False  # between a subquery's SELECT and its WHERE group
    parentheses: int = 0  # those open within the projection
    star: bool = False


@functools.lru_cache(maxsize=256)  # a program runs the same queries again
def bindable_variables(text: str) -> frozenset[str] | None:
    """The variables a VALUES block at the start of the query's WHERE group can bind: those used
    outside its subqueries, and those a subquery selects (all of its own with SELECT *). None when the
    braces do not balance: the parser says where."""
    tokens = list(tokenize(text))
    scopes = [_Scope()]
    for i, token in enumerate(tokens):
        scope = scopes[-1]
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.text == "{" and after is not None and after.kind == "word" and after.text.upper() == "SELECT":
            scopes.append(_Scope(subquery=True, braces=1, in_projection=True))
        elif scope.in_projection and (token.text == "{" or (token.kind == "word" and token.text.upper() == "WHERE")):
            scope.in_projection = False
            scope.braces += token.text == "{"
        elif token.text == "{":
            scope.braces += 1
        elif token.text == "}":
            scope.braces -= 1
            if scope.braces < 0:
                return None
            if scope.braces == 0 and scope.subquery:
                scopes.pop()
                scopes[-1].variables |= scope.variables if scope.star else scope.selected
        elif scope.in_projection:
            if token.text == "*" and scope.parentheses == 0:
                scope.star = True
            scope.parentheses += {"(": 1, ")": -1}.get(token.text, 0)
            if token.kind == "var":
                name = token.text[1:]
                previous = tokens[i - 1]
                as_name = previous.kind == "word" and previous.text.upper() == "AS"
                (scope.selected if scope.parentheses == 0 or as_name else scope.variables).add(name)
        elif token.kind == "var":
            scope.variables.add(token.text[1:])
    return frozenset(scopes[0].variables) if len(scopes) == 1 else None


_LABEL_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?resource ?label WHERE {
  { ?resource rdfs:label ?label } UNION { ?resource skos:altLabel ?label }
  FILTER (LCASE(STR(?label)) = LCASE(STR(?text)))
}
ORDER BY ?resource
"""


# a resource of the graph's own namespace, named by the end of its IRI (mmlu-abstract-algebra)
_SLUG_QUERY = "SELECT ?resource WHERE { ?resource ?p ?o } LIMIT 1"


_SAME_KIND_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?label WHERE {
  ?like a ?class . ?resource a ?class .
  { ?resource rdfs:label ?label } UNION { ?resource skos:altLabel ?label }
}
"""

# a parameter names a resource of the data, never a class or property of the ontology
_ALL_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?label WHERE {
  { ?resource rdfs:label ?label } UNION { ?resource skos:altLabel ?label }
  FILTER NOT EXISTS {
    VALUES ?vocabulary { owl:Class rdfs:Class rdf:Property owl:ObjectProperty owl:DatatypeProperty
                         owl:AnnotationProperty owl:Ontology }
    ?resource a ?vocabulary
  }
}
"""

_LABELS_OF = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?resource ?label WHERE { VALUES ?resource { VALUES_BLOCK } ?resource rdfs:label ?label }
"""


# the class of the ontology a parameter is named after (taskType: kg:TaskType), if its default is of it
_KIND_QUERY = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?kind ?label WHERE {{
  ?kind a owl:Class .
  FILTER (isIRI(?kind) && LCASE(STR(?kind)) = LCASE(CONCAT("{KG}", STR(?name))))
  FILTER (!BOUND(?default) || EXISTS {{ ?default a/rdfs:subClassOf* ?kind }})
  OPTIONAL {{ ?kind rdfs:label ?label FILTER (LANG(?label) IN ("", "en")) }}
}}
ORDER BY ?kind ?label
"""

_MEMBERS_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?resource WHERE { VALUES ?resource { VALUES_BLOCK } ?resource a/rdfs:subClassOf* ?kind }
"""

_CLASSES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?resource ?class ?label WHERE {
  VALUES ?resource { VALUES_BLOCK }
  ?resource a ?class .
  OPTIONAL { ?class rdfs:label ?label FILTER (LANG(?label) IN ("", "en")) }
}
"""

_KIND_LABELS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?label WHERE {
  ?resource a/rdfs:subClassOf* ?kind .
  { ?resource rdfs:label ?label } UNION { ?resource skos:altLabel ?label }
}
"""


def _with_article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeio' else 'a'} {noun}"  # a unit, an organization


class Engine:
    """Where queries run: the embedded store, a remote endpoint, the server's worker pool. Each engine
    gives :meth:`run`; the label look-ups that bind parameters are built on it, once for all."""

    def run(
        self, named: NamedQuery, bindings: dict[str, Term], form: str = "SELECT", limit: int | None = None
    ) -> QueryResult:
        raise NotImplementedError

    def resolve_label(self, text: str, param: str, declared: Param | None = None) -> Term:
        """The one resource whose label (or alternative label) is ``text``. A label that names no
        resource is an error that offers the closest labels (of the kind of the parameter's default
        first): a mistyped name must not answer "nothing" as if that were the answer.

        A parameter named after a class of the ontology (benchmark, metric, model: its kind, with the
        subclasses) prefers resources of that class: of several resources with the label, the one of
        that kind wins. A label that names only resources of other kinds is an error that says what it
        names (F1 is a metric, not a benchmark), as the answer would otherwise be silently empty; this
        holds when the parameter's default is of that kind, or when it has no default and its header
        does not say it takes any kind (architecture-lineage's takes components too)."""
        found = self.run(NamedQuery.parse(_LABEL_QUERY, "(label lookup)"), {"text": Term("literal", text)})
        resources = sorted({row["resource"].value for row in found.rows})
        iri = resource_iri(text)
        if not resources and iri:  # no label: the end of one of the graph's IRIs?
            slug = {"resource": Term("uri", iri)}
            resources = [
                row["resource"].value for row in self.run(NamedQuery.parse(_SLUG_QUERY, "(label lookup)"), slug).rows
            ]
        default = parse_value(declared.default) if declared is not None and declared.default else None
        like = default if isinstance(default, Term) and default.kind == "uri" else None
        strict = like is not None or (declared is not None and declared.default is None and not declared.any_kind)
        kind = self._kind(param, like) if resources and (len(resources) > 1 or strict) else None
        if kind is not None:
            of_kind = self._members(resources, kind[0])
            if not of_kind and strict:
                other_kinds = self._kinds_of(resources)
                if other_kinds:  # else a resource has no class: its kind is unknown, not wrong
                    raise self._other_kind(text, param, other_kinds, kind[0], kind[1])
            resources = of_kind or resources
        if len(resources) == 1:
            return Term("uri", resources[0])
        if len(resources) > 1:
            raise QueryError(
                f"parameter {param}={text!r} is ambiguous: it is the label of "
                + ", ".join(f"<{r}>" for r in resources)
                + "; give the IRI instead"
            )
        kind_name = param if len(param) > 2 and param.isalpha() else f"resource (parameter {param})"
        close = self._close_labels(text, like)
        hint = did_you_mean(close) if close else f'give an IRI, or "{text}" in quotes for the text itself'
        raise QueryError(f"no {kind_name} is labelled {text!r}; {hint}")

    def _kind(self, param: str, default: Term | None) -> tuple[str, str] | None:
        """The class of the ontology named as ``param`` is (benchmark: kg:Benchmark) and its label, if
        there is one and ``default`` (when given) is of it."""
        bindings = {"name": Term("literal", param)} | ({"default": default} if default else {})
        for row in self.run(NamedQuery.parse(_KIND_QUERY, "(label lookup)"), bindings).rows:
            if "kind" in row:
                return row["kind"].value, row["label"].value if "label" in row else param
        return None

    def _members(self, resources: list[str], kind: str) -> list[str]:
        """Those of ``resources`` of the class ``kind`` (or a subclass of it)."""
        values = " ".join(Term("uri", iri).n3() for iri in resources)
        query = NamedQuery.parse(_MEMBERS_QUERY.replace("VALUES_BLOCK", values), "(label lookup)")
        return sorted({row["resource"].value for row in self.run(query, {"kind": Term("uri", kind)}).rows})

    def _kinds_of(self, resources: list[str]) -> list[str]:
        """The names of the classes of ``resources`` (their labels, else their IRIs); none when one of
        them has no class."""
        values = " ".join(Term("uri", iri).n3() for iri in resources)
        rows = self.run(NamedQuery.parse(_CLASSES_QUERY.replace("VALUES_BLOCK", values), "(label lookup)"), {}).rows
        if {row["resource"].value for row in rows if "class" in row} != set(resources):
            return []
        return sorted({row["label"].value if "label" in row else prefixed(row["class"].value) for row in rows})

    def _other_kind(self, text: str, param: str, other_kinds: list[str], kind: str, kind_name: str) -> QueryError:
        """The error for a label of resources of other kinds than the parameter's: what it names, and
        the closest labels of the right kind."""
        labels = self.run(NamedQuery.parse(_KIND_LABELS, "(label lookup)"), {"kind": Term("uri", kind)}).rows
        close = closest(text, {row["label"].value for row in labels if "label" in row})
        hint = f"; {did_you_mean(close)}" if close else ""
        named = " and ".join(_with_article(name) for name in other_kinds)
        return QueryError(f"parameter {param}: {text!r} names {named}, not {_with_article(kind_name)}{hint}")

    def _close_labels(self, text: str, like: Term | None) -> list[str]:
        """Up to three labels close to ``text``: of resources of the same class as ``like`` when
        any is close enough, else of any resource."""
        for bindings in ([{"like": like}] if like else []) + [{}]:
            query = _SAME_KIND_LABELS if bindings else _ALL_LABELS
            labels = {
                row["label"].value
                for row in self.run(NamedQuery.parse(query, "(label lookup)"), bindings).rows
                if "label" in row
            }
            close = closest(text, labels)
            if close:
                return close
        return []

    def labels(self, iris: list[str]) -> dict[str, str]:
        """The label of each of ``iris`` that has one (English or untagged preferred)."""
        found: dict[str, tuple[int, str]] = {}
        for start in range(0, len(iris), 500):  # a bounded VALUES block per request
            values = " ".join(Term("uri", iri).n3() for iri in iris[start : start + 500])
            text = _LABELS_OF.replace("VALUES_BLOCK", values)
            for row in self.run(NamedQuery.parse(text, "(labels)"), {}).rows:
                if "resource" not in row or "label" not in row:
                    continue
                label = row["label"]
                rank = 0 if label.lang in (None, "en") or (label.lang or "").startswith("en-") else 1
                known = found.get(row["resource"].value)
                if known is None or (rank, label.value) < known:
                    found[row["resource"].value] = (rank, label.value)
        return {iri: label for iri, (_, label) in found.items()}


class LocalEngine(Engine):
    """The embedded Oxigraph store."""

    def __init__(self, store):
        self.store = store

    def run(
        self, named: NamedQuery, bindings: dict[str, Term], form: str = "SELECT", limit: int | None = None
    ) -> QueryResult:
        import pyoxigraph as ox

        # parameters are bound by a VALUES block, exactly as for an endpoint: Oxigraph's planner
        # starts from a VALUES row (its own substitutions are applied after planning, so a bound
        # parameter would not make the plan start from it)
        check_local(named.text)
        try:
            answer = self._query(with_values(named.text, bindings))
        except SyntaxError as err:
            if bindings:
                check_syntax(named)  # an error in the query itself: its own lines and columns
                check_bindings(named, bindings)  # else a value the query cannot take: its parameter
            raise syntax_error(named, err) from err
        except (OSError, RuntimeError) as err:
            raise QueryError(f"query {named.name} failed: {err}") from err
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(answer))
        # with a limit, one more than asked is read: enough to know whether there are more
        page = answer if limit is None else itertools.islice(answer, limit + 1)
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            result = QueryResult("select", variables=variables, rows=rows_from_oxigraph(page, variables))
        else:
            result = QueryResult("graph", triples=triples_from_oxigraph(page))
        return result.first(limit)

    def _query(self, text: str):
        # a query that declares its prefixes (every named query does) is parsed as it is: handing
        # the engine the project's prefixes costs a quarter of a small query's time. A query that
        # fails to parse alone is parsed again with them, and its error, if any, is that parse's.
        try:
            return self.store.query(text)
        except SyntaxError:
            return self.store.query(text, prefixes=PREFIXES)


class RemoteEngine(Engine):
    """Any SPARQL 1.1 Protocol endpoint, within a total deadline for each exchange (connecting, the
    headers, the body), a limit on the wait for any one packet, and a size cap; with the credentials
    (:mod:`kgtool.auth`: Basic, Digest or a bearer token)."""

    def __init__(
        self, url: str, timeout: float, connect_timeout: float, max_bytes: int, credentials: Credentials = Credentials()
    ):
        from .web import check_url

        self.url, self.timeout, self.connect_timeout, self.max_bytes = url, timeout, connect_timeout, max_bytes
        check_url(url)  # before anything is asked of it: an error names the URL at once
        self.auth = Opener(credentials, [url])

    def run(
        self, named: NamedQuery, bindings: dict[str, Term], form: str = "SELECT", limit: int | None = None
    ) -> QueryResult:
        # the project's prefixes come first, as they do locally; the query's own declarations win
        text = sparql_prologue() + with_values(named.text, bindings)
        # the form Oxigraph parsed decides what to ask for, not keywords (which comments may hold)
        graph = form == "CONSTRUCT"
        body, content_type = self._fetch(text, _GRAPH_TYPES if graph else _RESULTS_TYPES)
        result = self._parse_graph(body, content_type) if graph else self._parse_results(body, content_type)
        return result.first(limit)

    def _fetch(self, text: str, accept: str) -> tuple[bytes, str]:
        import urllib.parse
        import urllib.request

        from .web import send

        form = urllib.parse.urlencode({"query": text})
        if len(text) > 1500:  # long queries go in the body: URLs have length limits
            request = urllib.request.Request(self.url, data=form.encode(), method="POST")
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        else:
            request = urllib.request.Request(f"{self.url}{'&' if '?' in self.url else '?'}{form}")
        request.add_header("Accept", accept)
        body, headers = send(
            request,
            self.auth,
            timeout=self.timeout,
            read_timeout=self.connect_timeout,
            max_bytes=self.max_bytes,
            name=self.url,
        )
        return body, headers.get("Content-Type", "")

    def _not_results(self, body: bytes, content_type: str, why: str) -> EndpointError:
        preview = body[:80].decode("utf-8", errors="replace").replace("\n", " ")
        return EndpointError(
            f"{self.url} answered with {content_type or 'no content type'}, not SPARQL results ({why}): {preview!r}"
        )

    def _parse_results(self, body: bytes, content_type: str) -> QueryResult:
        import json

        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as err:
            raise self._not_results(body, content_type, "not JSON") from err
        if not isinstance(document, dict):
            raise self._not_results(body, content_type, "not a results document")
        if "boolean" in document:
            return QueryResult("ask", boolean=bool(document["boolean"]))
        try:
            variables = list(document["head"]["vars"])
            rows = [{v: Term.from_json(t) for v, t in binding.items()} for binding in document["results"]["bindings"]]
        except (KeyError, TypeError) as err:
            raise self._not_results(body, content_type, "no head/results") from err
        return QueryResult("select", variables=variables, rows=rows)

    def _parse_graph(self, body: bytes, content_type: str) -> QueryResult:
        import pyoxigraph as ox

        mime = content_type.split(";")[0].strip().lower()
        fmt = ox.RdfFormat.from_media_type(mime) if mime else None
        if fmt is None:
            raise self._not_results(body, content_type, "not an RDF format")
        if fmt == ox.RdfFormat.RDF_XML:  # entities that would expand without bound, as in a data file
            from .store import check_xml_entities

            try:
                check_xml_entities(self.url, body)
            except DataError as err:
                raise self._not_results(body, content_type, err.message) from err
        try:
            triples = triples_from_oxigraph(ox.parse(body, format=fmt))
        except SyntaxError as err:
            raise self._not_results(body, content_type, f"unparseable {mime}: {err}") from err
        return QueryResult("graph", triples=triples)


# ---------------------------------------------------------------------------------------------
# VALUES for remote bindings


def with_values(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with ``VALUES (?a ?b) { (...) }`` at the start of its WHERE group. The terms are
    written with :meth:`Term.n3`, which escapes quotes and backslashes, so no value can end its
    literal and become query syntax."""
    if not bindings:
        return text
    return _with_values(text, tuple(bindings.items()))


@functools.lru_cache(maxsize=256)  # a program that runs the same query with the same values again
def _with_values(text: str, bindings: tuple[tuple[str, Term], ...]) -> str:
    block = (
        " VALUES ("
        + " ".join(f"?{name}" for name, _ in bindings)
        + ") { ("
        + " ".join(term.n3() for _, term in bindings)
        + ") } "
    )
    position = _where_brace(text)
    return text[: position + 1] + block + text[position + 1 :]


_TOKENS = re.compile(
    r'''#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|\bWHERE\b|[{]''',
    re.I,
)


@functools.lru_cache(maxsize=256)  # a program that runs the same queries again finds them here
def _where_brace(text: str) -> int:
    """The offset of the brace that opens the query's WHERE group (strings, IRIs and comments skipped)."""
    first_brace, after_where = None, False
    for match in _TOKENS.finditer(text):
        token = match.group(0)
        if token.upper() == "WHERE":
            after_where = True
        elif token == "{":
            if after_where:
                return match.start()
            if first_brace is None:
                first_brace = match.start()
    if first_brace is None:
        raise QueryError("cannot bind parameters: the query has no group pattern")
    return first_brace
