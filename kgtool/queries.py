"""The named-query catalogue: .rq files with a header of title, description and parameters.

    # title: Models by organization
    # description: Every model with the organization that developed it and its release date.
    # param: org (optional) an organization, by label or IRI, e.g. OpenAI or kgr:openai
    # param: model (default kgr:llama) a model

A parameter is a variable of the query. Its value is bound when the query runs (never pasted into
the text): an IRI (<...>), a prefixed name (kgr:llama), a literal ("text", "text"@en, 42, 3.5,
true), or a label (LLaMA) that is resolved to the IRI of the one resource carrying it.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from . import resources
from .errors import QueryError, did_you_mean
from .namespaces import PREFIXES
from .results import XSD, Term

_HEADER = re.compile(r"#\s*(title|description|param|message):\s*(.*)")
_PARAM = re.compile(r"(\w+)\s*(?:\((optional(, any kind|, true or false)?|default\s+([^)]*))\))?\s*(.*)")
_NAME = re.compile(r"[\w-]+(?:/[\w-]+)*")  # a catalogue name such as leaderboard or checks/<name>


@dataclass(frozen=True)
class Param:
    name: str
    description: str = ""
    optional: bool = False
    default: str | None = None
    # a parameter named after a class of the ontology takes resources of that class, unless it takes any kind
    any_kind: bool = False
    # a switch: true or false, never a label to look up
    boolean: bool = False

    @property
    def required(self) -> bool:
        return not self.optional and self.default is None

    def __str__(self) -> str:
        if self.default is not None:
            return f"{self.name}={self.default}"
        return f"[{self.name}]" if self.optional else f"{self.name}"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = field(default_factory=tuple)
    path: Path | None = None

    @classmethod
    def parse(cls, text: str, name: str, path: Path | None = None) -> NamedQuery:
        title, description, params = "", "", []
        for key, value in header(text):
            if key == "title":
                title = value
            elif key == "description":
                description = value
            elif key == "param":
                match = _PARAM.match(value)
                if match is None:
                    raise QueryError(
                        f"query {name}: the param line {value!r} does not start with the variable's name"
                        " (# param: NAME [(optional) | (optional, any kind) | (optional, true or false) |"
                        " (default VALUE)] description)"
                    )
                pname, modifier, kind, default, pdesc = match.groups()
                params.append(
                    Param(
                        pname,
                        pdesc.strip(),
                        optional=bool(modifier) and modifier.startswith("optional"),
                        default=default.strip() if default else None,
                        any_kind=kind == ", any kind",
                        boolean=kind == ", true or false",
                    )
                )
        return cls(name, text, title, description, tuple(params), path)

    def example(self) -> str:
        args = " ".join(f"-p {p.name}={p.default or 'VALUE'}" for p in self.params if not p.optional)
        return f"kgtool query {self.name} {args}".strip()


def header(text: str) -> list[tuple[str, str]]:
    """The ``# key: value`` lines at the top of a .rq file (title, description, param; message in a
    check), in order: the header ends where the query begins."""
    found = []
    for line in text.splitlines():
        match = _HEADER.match(line.strip())
        if match:
            found.append((match.group(1), match.group(2).strip()))
        elif line.strip() and not line.lstrip().startswith("#"):
            break
    return found


def catalogue() -> Mapping[str, NamedQuery]:
    """Every named query under queries/ (the checks under queries/checks/ included, as checks/<name>),
    by name, read once: the catalogue is package data, which does not change while a program runs (the
    server asks for it on most pages)."""
    return _catalogue_in(_queries_root())


@functools.cache
def _catalogue_in(folder: str) -> Mapping[str, NamedQuery]:
    root = Path(folder)
    found = {}
    for path in sorted(root.rglob("*.rq")):
        name = path.relative_to(root).with_suffix("").as_posix()
        found[name] = NamedQuery.parse(path.read_text(encoding="utf-8"), name, path)
    return MappingProxyType(found)  # shared by every caller: read-only


@functools.cache
def _queries_root() -> str:
    return str(resources.queries_dir())  # where the bundled data lives does not change while we run


_PARSED: dict[str, tuple[int, int, NamedQuery]] = {}


def _parse_file(path: str, name: str) -> NamedQuery | None:
    """The query in the file ``path`` (None when there is no such file), parsed once per version of
    the file (modification time and size): a program that runs a query in a loop reads it once."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    cached = _PARSED.get(path)
    if cached and cached[0] == info.st_mtime_ns and cached[1] == info.st_size and cached[2].name == name:
        return cached[2]
    query = NamedQuery.parse(_read_query_text(path), name, Path(path))
    _PARSED[path] = (info.st_mtime_ns, info.st_size, query)
    return query


def _read_query_text(path: str) -> str:
    """The text of the query file ``path``, UTF-8 after an optional byte order mark (which editors write);
    any other encoding, or a file that cannot be read, is a :class:`QueryError` naming the file."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as err:
        raise QueryError(f"{path}: cannot read the query file: {err.strerror or err}") from err
    skipped = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skipped:].decode("utf-8")
    except UnicodeDecodeError as err:
        raise QueryError(
            f"{path}: not UTF-8 text (byte {skipped + err.start + 1} is not): save the query file as UTF-8"
        ) from err


@functools.lru_cache(maxsize=1024)
def _catalogue_query(name: str) -> NamedQuery | None:
    # only the one file: a query should not pay for reading and parsing the whole catalogue; and
    # only once: the catalogue is package data, which does not change while a program runs (a
    # query file given by its path is checked for changes on every run)
    return _parse_file(f"{_queries_root()}{os.sep}{name}.rq", name)


def is_query_file(text: str) -> bool:
    """Whether ``text`` names a query file: an existing file, or a path ending in .rq (one line: SPARQL
    text spans lines, or does not end so)."""
    return (text.endswith(".rq") and "\n" not in text) or os.path.isfile(text)


def query_file(path: str) -> NamedQuery:
    """The query in the file ``path``, named after the file; a missing file is a :class:`QueryError`."""
    found = _parse_file(path, Path(path).stem)
    if found is None:
        raise QueryError(f"{path}: no such query file")
    return found


def is_query_name(text: str) -> bool:
    """Whether ``text`` has the form of a catalogue name (leaderboard, checks/<name>)."""
    return _NAME.fullmatch(text) is not None


def find(name_or_path: str | os.PathLike[str]) -> NamedQuery:
    """A named query by name, or a .rq file by path (a :class:`~pathlib.Path` is always a file); an
    unknown name lists the closest names. A name of the catalogue wins over a file of that name in the
    working folder (write ./name for the file)."""
    if isinstance(name_or_path, os.PathLike):
        return query_file(os.fspath(name_or_path))
    if is_query_name(name_or_path):
        found = _catalogue_query(name_or_path)
        if found is not None:
            return found
    if is_query_file(name_or_path):
        return query_file(name_or_path)
    queries = catalogue()
    if name_or_path in queries:
        return queries[name_or_path]
    import difflib  # only for this message

    close = difflib.get_close_matches(name_or_path, queries, n=5, cutoff=0.4)
    close += [n for n in queries if name_or_path in n and n not in close][: 5 - len(close)]
    hint = f"; {did_you_mean(close)}" if close else "; `kgtool queries` lists them"
    raise QueryError(f"no query named {name_or_path!r}{hint}")


# ---------------------------------------------------------------------------------------------
# parameter values

_NUMBER = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")
_LITERAL = re.compile(r'"(.*)"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(\S+))?', re.S)


def iri_error(iri: str) -> str | None:
    """Why ``iri`` is no absolute IRI, in Oxigraph's words as a clause ("invalid IRI code point ' '"), or
    None when it is one."""
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(iri)
    except ValueError as err:
        return str(err)[:1].lower() + str(err)[1:]
    return None


def iri_term(iri: str, given: str | None = None) -> Term:
    """The IRI ``iri`` (written ``given``) as a term, if it is one (else a :class:`QueryError`): a query
    must never be handed a value its parser would take for broken query text."""
    why = iri_error(iri)
    if why is not None:
        raise QueryError(f"{given or iri!r} is not an IRI ({why})")
    return Term("uri", iri)


@functools.lru_cache(maxsize=1024)  # pure; a query's defaults are parsed again on every run
def parse_value(text: str) -> Term | str:
    """A command-line value as a term; a bare word that is no term is returned as a label to resolve."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return iri_term(text[1:-1], text)
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and " " not in text:
        return iri_term(PREFIXES[prefix] + local, text)
    if text.startswith(("http://", "https://", "urn:")) and " " not in text:
        return iri_term(text)
    literal = _LITERAL.fullmatch(text)
    if literal:
        value, lang, datatype = literal.groups()
        if datatype:
            iri = parse_value(datatype)
            datatype = iri.value if isinstance(iri, Term) else datatype
        return Term("literal", value, datatype, lang)
    if _NUMBER.fullmatch(text):
        kind = "double" if "e" in text.lower() else "decimal" if "." in text else "integer"
        return Term("literal", text, XSD + kind)
    if text in ("true", "false"):
        return Term("literal", text, XSD + "boolean")
    return text  # a label, resolved against the graph by the caller
