"""What an untrusted query may do, decided from its text before any engine parses it.

A query from the network may be at most :data:`MAX_QUERY_BYTES` long and nest at most
:data:`MAX_DEPTH` deep; it may not call another service (``SERVICE``), load a document (``LOAD``),
or name a graph that is not in the store (``FROM``, ``FROM NAMED``, ``USING``, the protocol's
``default-graph-uri`` and ``named-graph-uri``): Oxigraph follows ``SERVICE`` and ``LOAD`` to any
host, and an IRI such as ``<file:///etc/passwd>`` must never reach a loader. Updates are refused
unless the policy allows them.

The checks read the query with a tokenizer that follows the SPARQL 1.1 grammar's terminals (strings,
IRIs, comments, variables, prefixed names, keywords), so that a keyword inside a string or a comment
is not mistaken for one. Oxigraph's parser matches keywords in any case and glued to the next token
(``SERVICESILENT<x>``, ``trueSERVICE``), so the rule for the keywords that reach out is conservative:
anywhere outside a string, an IRI, a comment, a variable, a blank node label or the local part of a
prefixed name, ``SERVICE`` and ``LOAD`` are refused, and ``FROM``, ``NAMED`` and ``USING`` are allowed
only as words of their own (then the graph they name must be in the store). The text is checked twice,
as written and with its ``\\u`` escapes decoded, and refused if either reading breaks a rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from .errors import QueryError
from .namespaces import PREFIXES

MAX_QUERY_BYTES = 64 * 1024
#: how deep the parsed query may nest (see :func:`nesting_depth`); Oxigraph's parser and planner
#: recurse once per level and overflow their stack a few hundred levels down
MAX_DEPTH = 100


class QueryRefused(QueryError):
    """The query breaks a rule of the endpoint; the message says which, and where."""


class QueryTooLarge(QueryRefused):
    """The query text is longer than the limit."""


class QueryTooDeep(QueryRefused):
    """The query nests deeper than the limit."""


class ForbiddenOperation(QueryRefused):
    """SERVICE, LOAD, or an update on a read-only endpoint."""


class UnknownGraph(QueryRefused):
    """A FROM, FROM NAMED, USING or protocol graph IRI that is not a graph of the store."""


@dataclass(frozen=True)
class Policy:
    """What the endpoint allows. ``graphs``: the IRIs of the store's named graphs."""

    graphs: frozenset[str] = frozenset()
    max_bytes: int = MAX_QUERY_BYTES
    max_depth: int = MAX_DEPTH
    allow_update: bool = False


def check_query(
    text: str, policy: Policy, *, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()
) -> None:
    """Raise :class:`QueryRefused` unless the query ``text`` (with the protocol's graph IRIs) may run."""
    _check(text, policy)
    check_graphs([*default_graphs, *named_graphs], policy)


def check_update(
    text: str, policy: Policy, *, using_graphs: Iterable[str] = (), using_named_graphs: Iterable[str] = ()
) -> None:
    """Raise :class:`QueryRefused` unless the update ``text`` may run (only when ``policy.allow_update``)."""
    if not policy.allow_update:
        raise ForbiddenOperation("this endpoint is read-only: updates are not accepted")
    _check(text, policy)
    check_graphs([*using_graphs, *using_named_graphs], policy)


def check_graphs(iris: Iterable[str], policy: Policy) -> None:
    """The graphs a request names in its parameters must be graphs of the store."""
    for iri in iris:
        if iri not in policy.graphs:
            raise UnknownGraph(
                f"the request names the graph <{iri}>, which is not a graph of this dataset; " + _graphs_hint(policy)
            )


def check_size(text: str, policy: Policy) -> None:
    size = len(text.encode("utf-8"))
    if size > policy.max_bytes:
        raise QueryTooLarge(f"the query is {size:,} bytes long; the limit is {policy.max_bytes:,} bytes")


def check_local(text: str) -> None:
    """Raise :class:`ForbiddenOperation` if the query ``text`` could call a service. For the embedded
    engine, which would follow ``SERVICE`` to any host; the rest of what a query may do there is the
    user's own business (``FROM`` names a graph of the store and reads nothing)."""
    found = _service_in(text)
    if found:
        note, where = found
        raise ForbiddenOperation(
            f"SERVICE at {where}{note} is not allowed: kgtool never calls other services from its own graph "
            "(to query an endpoint, give it with --endpoint)"
        )


def calls_a_service(text: str) -> bool:
    """Whether the engine could read ``SERVICE`` in the query ``text`` (see :func:`check_local`)."""
    return _service_in(text) is not None


@functools.lru_cache(maxsize=256)  # a program runs the same queries again
def _service_in(text: str) -> tuple[str, str] | None:
    """The reading and the place of the first ``SERVICE`` the engine could read, or None."""
    readings = _readings(text)
    if not any(_SERVICE.search(reading) for _, reading in readings):
        return None  # no reading holds the word at all (most queries): no need to tokenize them
    for note, reading in readings:
        match = _SERVICE.search(_keyword_text(reading, list(tokenize(reading))))
        if match:
            return note, _where(reading, match.start())
    return None


def query_form(text: str) -> str:
    """``SELECT``, ``ASK`` or ``CONSTRUCT`` (DESCRIBE too): the query's first keyword of a form, read
    without a parser."""
    for token in tokenize(text):
        word = token.text.upper() if token.kind == "word" else ""
        if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return "CONSTRUCT" if word == "DESCRIBE" else word
    raise QueryError("the query has no SELECT, ASK, CONSTRUCT or DESCRIBE")


def _readings(text: str) -> list[tuple[str, str]]:
    """The text as written and, if it has any, with its ``\\u`` escapes decoded (Oxigraph decodes them
    before it parses), each with the note that says which reading an error is about."""
    decoded = decode_escapes(text)
    return [("", text)] + ([(" (with its \\u escapes decoded)", decoded)] if decoded != text else [])


def _check(text: str, policy: Policy) -> None:
    check_size(text, policy)
    for note, reading in _readings(text):
        tokens = list(tokenize(reading))
        depth = nesting_depth(tokens)
        if depth > policy.max_depth:
            raise QueryTooDeep(
                f"the query nests {depth} levels deep{note}; the limit is {policy.max_depth} "
                "(every bracket and every link of a chain of joins, unions or operators is a level)"
            )
        _check_operations(reading, tokens, policy, note)


# ---------------------------------------------------------------------------------------------
# tokens


@dataclass(frozen=True)
class Token:
    kind: str  # comment, string, iri, var, bnode, pname, word, open, close, op, other
    text: str
    offset: int


_HEX = r"[0-9A-Fa-f]"
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040\\-"
_PLX = rf"%{_HEX}{{2}}|\\[_~.\-!$&'()*+,;=/?\#@%]"
_TOKEN_PATTERN = rf"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u{_HEX}{{4}}|\\U{_HEX}{{8}})*>)
  | (?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*)
  | (?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)
  | (?P<pname>(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?:
               (?:(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:[{_PN_CHARS}:]|{_PLX}|\.(?=[{_PN_CHARS}:%\\]))*)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<open>[({{\[])
  | (?P<close>[)}}\]])
  | (?P<op>\|\||&&|!=|<=|>=|\^\^|[.;,/|+\-*=<>!^])
  | (?P<space>\s+)
  | (?P<other>.)
"""


@functools.cache
def _token_regex() -> re.Pattern:
    # compiled on first use: its Unicode classes take ~15 ms, which a command that never tokenizes a
    # query (most of them: see _service_in) should not pay at import
    return re.compile(_TOKEN_PATTERN, re.VERBOSE | re.DOTALL)


_ESCAPE = re.compile(rf"\\u({_HEX}{{4}})|\\U({_HEX}{{8}})")


def decode_escapes(text: str) -> str:
    """The text with SPARQL's codepoint escapes (``\\u0053``, ``\\U00000053``) decoded."""

    def decode(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(decode, text)


def tokenize(text: str) -> Iterator[Token]:
    """The query's tokens, white space left out. A prefixed name whose prefix is a keyword of
    :data:`_WATCHED` (``SERVICE:x``) is given as the keyword and a name with the empty prefix
    (``SERVICE`` ``:x``), which is how Oxigraph reads it."""
    for match in _token_regex().finditer(text):
        kind = match.lastgroup
        assert kind is not None  # every alternative of the pattern is a named group
        if kind == "space":
            continue
        value, offset = match.group(0), match.start()
        if kind == "pname":
            prefix = value.partition(":")[0]
            if prefix.upper() in _WATCHED:
                yield Token("word", prefix, offset)
                value, offset = value[len(prefix) :], offset + len(prefix)
        yield Token(kind, value, offset)


# words that start a chain link, and operators: each one nests the parsed query one level deeper
_LINK_WORDS = {
    "UNION",
    "OPTIONAL",
    "MINUS",
    "FILTER",
    "BIND",
    "VALUES",
    "GRAPH",
    "SERVICE",
    "EXISTS",
    "NOT",
    "IN",
    "HAVING",
}


def nesting_depth(tokens: Iterable[Token]) -> int:
    """How deep the query's syntax tree can get: the largest sum, over the brackets open at one point, of
    one for the bracket and one for every link of the chain written inside it so far (a join ``.``, a
    ``;`` or ``,``, a path step, an operator, ``UNION``, ``OPTIONAL``, a group beside another...).
    Engines build a chain of N links as a tree N deep, so a long chain counts as deep nesting; a list
    (the rows of VALUES, the items of a projection, the values of ``IN (...)`` or a function's
    arguments, whose commas sit directly inside parentheses) does not."""
    links = [0]  # one count per open bracket, the outermost level first
    brackets = [""]  # the open brackets, the outermost level first
    depth = deepest = 0
    for token in tokens:
        if token.kind == "open":
            if token.text == "{":  # a group joins the groups beside it; ( and [ only nest
                links[-1] += 1
                depth += 1
            links.append(0)
            brackets.append(token.text)
            depth += 1
        elif token.kind == "close":
            if len(links) > 1:
                depth -= 1 + links.pop()
                brackets.pop()
        elif token.text == "," and brackets[-1] == "(":
            continue  # an item of an expression list: engines keep the items side by side
        elif token.kind == "op" or (token.kind == "word" and token.text.upper() in _LINK_WORDS):
            links[-1] += 1
            depth += 1
        deepest = max(deepest, depth)
    return deepest


def undeclared_prefixes(text: str, predeclared: Iterable[str] = PREFIXES) -> list[str]:
    """The prefixes the query uses without declaring them (nor being among ``predeclared``)."""
    tokens = list(tokenize(text))
    declared = set(predeclared)
    declarations = set()
    for i, token in enumerate(tokens[:-1]):
        if token.kind == "word" and token.text.upper() == "PREFIX" and tokens[i + 1].kind == "pname":
            declared.add(tokens[i + 1].text.partition(":")[0])
            declarations.add(i + 1)
    used = {t.text.partition(":")[0] for i, t in enumerate(tokens) if t.kind == "pname" and i not in declarations}
    return sorted(used - declared)


# ---------------------------------------------------------------------------------------------
# operations

_WATCHED = {"SERVICE", "LOAD", "FROM", "NAMED", "USING"}
_WATCHED_ANYWHERE = re.compile("|".join(sorted(_WATCHED)), re.IGNORECASE)  # also finds ſERVICE, as erring safe
_SERVICE = re.compile("SERVICE", re.IGNORECASE)
_OPAQUE = {"comment", "string", "var", "bnode"}


def _keyword_text(text: str, tokens: list[Token]) -> str:
    """``text`` with what Oxigraph can never read as a keyword blanked out (same length, so offsets
    hold): comments, strings, variable names, blank node labels, IRIs and the local part of prefixed
    names, which its parser reads as greedily as the tokenizer does. An IRI keeps what follows a ``)``
    in it: in an expression (``FILTER(?a<1)SERVICE:x#>``) the engine reads ``<`` as less-than, and the
    text after the bracket that closes the expression as more of the query."""
    parts, end = [], 0
    for token in tokens:
        if token.kind in _OPAQUE:
            kept = 0
        elif token.kind == "pname":
            kept = token.text.index(":") + 1
        elif token.kind == "iri":
            kept = token.text.find(")")
            kept = len(token.text) if kept < 0 else kept
            parts += [text[end : token.offset], " " * kept, token.text[kept:]]
            end = token.offset + len(token.text)
            continue
        else:
            continue
        parts += [text[end : token.offset + kept], " " * (len(token.text) - kept)]
        end = token.offset + len(token.text)
    parts.append(text[end:])
    return "".join(parts)


def _check_keywords(text: str, tokens: list[Token], note: str) -> None:
    """Refuse SERVICE and LOAD wherever the engine could read them, and FROM, NAMED and USING unless they
    stand alone (where :func:`_check_operations` checks the graph they name)."""
    alone = {token.offset: token.text.upper() for token in tokens if token.kind == "word"}
    for match in _WATCHED_ANYWHERE.finditer(_keyword_text(text, tokens)):
        word, offset = match.group(0).upper(), match.start()
        if word == "SERVICE":
            raise ForbiddenOperation(
                f"SERVICE at {_where(text, offset)}{note} is not allowed: this endpoint never calls other services"
            )
        if word == "LOAD":
            raise ForbiddenOperation(
                f"LOAD at {_where(text, offset)}{note} is not allowed: this endpoint never loads documents"
            )
        if alone.get(offset) != word:
            raise ForbiddenOperation(
                f"{word} at {_where(text, offset)}{note} is glued to the text around it "
                f"({_around(text, match)!r}); write it as a word of its own"
            )


def _around(text: str, match: re.Match) -> str:
    return text[max(0, match.start() - 10) : match.end() + 10].replace("\n", " ")


def _check_operations(text: str, tokens: list[Token], policy: Policy, note: str) -> None:
    _check_keywords(text, tokens, note)
    prefixes, base = dict(PREFIXES), None
    for i, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1].kind == "pname" and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text.rstrip(":")] = _resolve(_iri_text(tokens[i + 2]), base)
        elif word == "BASE" and i + 1 < len(tokens) and tokens[i + 1].kind == "iri":
            base = _resolve(_iri_text(tokens[i + 1]), base)
        elif word in ("FROM", "USING"):
            following = tokens[i + 1 : i + 3]
            named = bool(following) and following[0].kind == "word" and following[0].text.upper() == "NAMED"
            target = following[1] if named and len(following) > 1 else (following[0] if following else None)
            clause = f"{word} NAMED" if named else word
            iri = _graph_iri(target, prefixes, base)
            if iri is None:
                raise UnknownGraph(f"{clause} at {_where(text, token)}{note} must name a graph by its IRI")
            if iri not in policy.graphs:
                raise UnknownGraph(
                    f"{clause} <{iri}> at {_where(text, token)}{note}: not a graph of this "
                    f"dataset, and this endpoint reads no other documents; " + _graphs_hint(policy)
                )


def _graph_iri(token: Token | None, prefixes: dict[str, str], base: str | None) -> str | None:
    if token is None:
        return None
    if token.kind == "iri":
        return _resolve(_iri_text(token), base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def _iri_text(token: Token) -> str:
    return decode_escapes(token.text[1:-1])


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base and not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri) else iri


def _where(text: str, where: Token | int) -> str:
    offset = where.offset if isinstance(where, Token) else where
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _graphs_hint(policy: Policy) -> str:
    if not policy.graphs:
        return "the data is all in the default graph (query it without FROM)"
    shown = sorted(policy.graphs)
    more = f" and {len(shown) - 5} more" if len(shown) > 5 else ""
    return "its graphs are " + ", ".join(f"<{g}>" for g in shown[:5]) + more
