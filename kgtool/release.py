"""The release folder: the graph in every format, a VoID/DCAT description computed from the data,
SHA-256 checksums, the HTML graph, HTML documentation of the ontology and the version's changelog entry.

Everything in it is deterministic: two builds of the same data are byte-identical. The files are built
in a temporary folder inside the target and moved into place only when all of them are complete, so a
build that fails leaves the previous release as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, export, resources
from .dataset import DATASET_IRI, DESCRIPTION_PREFIXES
from .errors import KgtoolError
from .namespaces import KG

if TYPE_CHECKING:
    from rdflib import Graph

STEM = "llmkg"  # the data files are llmkg.ttl, llmkg.nt...
CHECKSUMS = "SHA256SUMS"

# distributions are described by relative IRIs (<llmkg.ttl>), which a reader resolves against the
# location of void.ttl itself; this base only marks them while the description is built
_RELEASE_BASE = "http://release.invalid/"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    size: int
    sha256: str


def build(out_dir: str | Path = "dist", *, progress: Progress | None = None, validate: bool = True) -> list[ReleaseFile]:
    """Build the release into ``out_dir`` (created when missing) and return its files, checksums included."""
    from .store import load_graph

    say = progress or (lambda message: None)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KgtoolError(f"cannot create {out_dir}: {err.strerror or err}") from None
    changelog = changelog_entry(__version__)
    if validate:
        say("validating the data")
        from .validation import validate as run_validation

        report = run_validation()
        if not report.conforms:
            raise KgtoolError(f"the data does not conform ({report.summary()}); run `kgtool validate` and fix it first")
    say("loading the graph")
    graph = load_graph()
    with _staging_folder(out_dir) as staging:
        sizes: dict[str, int] = {}
        for fmt in export.FORMATS.values():
            name = STEM + fmt.suffix
            say(f"writing {name} ({fmt.description})")
            sizes[fmt.name] = _write(staging / name, export.to_bytes(graph, fmt.name))
        shutil.copyfile(export.context_path(), staging / "context.jsonld")
        say("writing void.ttl (VoID and DCAT description)")
        _write(staging / "void.ttl", description_turtle(graph, sizes, changelog.date))
        say("writing graph.html (the graph as an interactive network)")
        from .visualize import render_html

        _write(staging / "graph.html", render_html(graph).encode("utf-8"))
        say("writing ontology.html (the ontology's documentation)")
        _write(staging / "ontology.html", ontology_html(graph).encode("utf-8"))
        _write(staging / "CHANGELOG.md", changelog.text.encode("utf-8"))
        say(f"writing {CHECKSUMS}")
        files = [ReleaseFile(p.name, p.stat().st_size, _sha256(p)) for p in sorted(staging.iterdir())]
        _write(staging / CHECKSUMS, "".join(f"{f.sha256}  {f.name}\n" for f in files).encode())
        for path in sorted(staging.iterdir()):
            os.replace(path, out_dir / path.name)
    checksums = out_dir / CHECKSUMS
    return files + [ReleaseFile(CHECKSUMS, checksums.stat().st_size, _sha256(checksums))]


@contextlib.contextmanager
def _staging_folder(out_dir: Path):
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write(path: Path, data: bytes) -> int:
    try:
        path.write_bytes(data)
    except OSError as err:
        raise KgtoolError(f"cannot write {path.name}: {err.strerror or err}; the previous release was left as it was") from None
    return len(data)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# the changelog

@dataclass(frozen=True)
class ChangelogEntry:
    version: str
    date: str | None
    text: str


def changelog_path() -> Path:
    return resources.data_root() / "CHANGELOG.md"


_HEADING = re.compile(r"^## \[?(?P<version>[^\]\s]+)\]?(?:\s+-\s+(?P<date>\d{4}-\d{2}-\d{2}))?\s*$", re.M)


def changelog_entry(version: str, text: str | None = None) -> ChangelogEntry:
    """The section of CHANGELOG.md for ``version`` (``## 0.1.0 - 2026-11-27`` up to the next ``## ``)."""
    if text is None:
        path = changelog_path()
        if not path.is_file():
            raise KgtoolError(f"{path}: no such file; a release needs the changelog")
        text = path.read_text(encoding="utf-8")
    headings = list(_HEADING.finditer(text))
    for i, heading in enumerate(headings):
        if heading.group("version") == version:
            end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
            return ChangelogEntry(version, heading.group("date"), text[heading.start():end].strip() + "\n")
    raise KgtoolError(f"CHANGELOG.md has no entry for version {version}; add a `## {version} - YYYY-MM-DD` section")


# ---------------------------------------------------------------------------------------------
# VoID and DCAT, computed from the data

def describe(graph: "Graph", sizes: dict[str, int] | None = None, issued: str | None = None) -> "Graph":
    """The VoID and DCAT description of ``graph`` (:func:`kgtool.dataset.void_graph`, the one the server
    also gives), with one distribution per file format (``sizes`` gives their byte sizes)."""
    import pyoxigraph as ox

    from .dataset import Distribution, store_stats, void_graph

    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    files = [Distribution(_RELEASE_BASE + STEM + fmt.suffix, fmt.description, fmt.media_type,
                          (sizes or {}).get(fmt.name), fmt.kind == "rdf") for fmt in export.FORMATS.values()]
    return void_graph(store_stats(store), DATASET_IRI, issued=issued, distributions=files)


def description_turtle(graph: "Graph", sizes: dict[str, int] | None = None, issued: str | None = None) -> bytes:
    """:func:`describe` as Turtle, the distributions as IRIs relative to the description's own location."""
    description = describe(graph, sizes, issued)
    triples = export.sorted_triples(description)
    return export.rdf_bytes(triples, "turtle", export.used_prefixes(triples, DESCRIPTION_PREFIXES),
                            relative_to=_RELEASE_BASE)


# ---------------------------------------------------------------------------------------------
# the ontology's documentation

_CLASS_TYPES = ("http://www.w3.org/2002/07/owl#Class", "http://www.w3.org/2000/01/rdf-schema#Class")
_PROPERTY_TYPES = {
    "http://www.w3.org/2002/07/owl#ObjectProperty": "object property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "datatype property",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "annotation property",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property": "property",
}


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class TermDoc:
    iri: str
    name: str
    anchor: str
    label: str
    comment: str
    kind: str
    parents: tuple[Link, ...] = ()
    domain: tuple[Link, ...] = ()
    range: tuple[Link, ...] = ()


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} {{ version }}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
code { font-size: .9em; } a { color: #0b57d0; } nav li { display: inline; margin-right: .6rem; }
section.term { border-top: 1px solid #ddd; padding: .4rem 0; } h3 { margin: .6rem 0 .2rem; }
dl { display: grid; grid-template-columns: 8rem 1fr; gap: .1rem 1rem; margin: .3rem 0; } dt { color: #666; }
</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p class="description">{{ description }}</p>
<dl>
<dt>version</dt><dd class="version">{{ version }}</dd>
<dt>namespace</dt><dd><code>{{ namespace }}</code> (prefix <code>kg:</code>)</dd>
{% for licence in licences %}<dt>licence</dt><dd><a href="{{ licence }}">{{ licence }}</a></dd>
{% endfor %}</dl>
<p>{{ classes|length }} classes and {{ properties|length }} properties.</p>
</header>
{% for heading, terms in (("Classes", classes), ("Properties", properties)) %}
<h2 id="{{ heading|lower }}">{{ heading }}</h2>
<nav><ul>{% for term in terms %}<li><a href="#{{ term.anchor }}">{{ term.name }}</a></li>{% endfor %}</ul></nav>
{% for term in terms %}
<section class="term" id="{{ term.anchor }}" data-iri="{{ term.iri }}">
<h3>{{ term.label }} <code>{{ term.name }}</code></h3>
<p class="comment">{{ term.comment }}</p>
<dl>
<dt>IRI</dt><dd class="iri"><code>{{ term.iri }}</code></dd>
<dt>kind</dt><dd class="kind">{{ term.kind }}</dd>
{% if term.parents %}<dt>{{ "subclass of" if heading == "Classes" else "subproperty of" }}</dt><dd class="parents">{% for link in term.parents %}<a href="{{ link.href }}">{{ link.text }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</dd>
{% endif %}{% if heading == "Properties" %}<dt>domain</dt><dd class="domain">{% for link in term.domain %}<a href="{{ link.href }}">{{ link.text }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</dd>
<dt>range</dt><dd class="range">{% for link in term.range %}<a href="{{ link.href }}">{{ link.text }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</dd>
{% endif %}</dl>
</section>
{% endfor %}
{% endfor %}
</body>
</html>
"""


def ontology_terms(graph: "Graph") -> tuple[list[TermDoc], list[TermDoc]]:
    """Every class and every property declared in ``graph``, with label, comment, parents, domain and
    range, sorted by prefixed name."""
    from rdflib import URIRef
    from rdflib.namespace import RDF, RDFS

    def declared(types) -> list[URIRef]:
        return sorted({s for t in types for s in graph.subjects(RDF.type, URIRef(t)) if isinstance(s, URIRef)},
                      key=_prefixed)

    classes, properties = declared(_CLASS_TYPES), declared(_PROPERTY_TYPES)
    anchors = {str(term): _anchor(term) for term in [*classes, *properties]}

    def links(values) -> tuple[Link, ...]:
        return tuple(Link(_prefixed(v), "#" + anchors[str(v)] if str(v) in anchors else str(v))
                     for v in sorted(values, key=_prefixed) if isinstance(v, URIRef))

    def text(term, predicate) -> str:
        values = sorted(graph.objects(term, predicate), key=lambda v: (getattr(v, "language", None) != "en", str(v)))
        return str(values[0]) if values else ""

    def doc(term, kind, parent_property) -> TermDoc:
        return TermDoc(str(term), _prefixed(term), anchors[str(term)], text(term, RDFS.label), text(term, RDFS.comment),
                       kind, links(graph.objects(term, parent_property)),
                       links(graph.objects(term, RDFS.domain)), links(graph.objects(term, RDFS.range)))

    def property_kind(term) -> str:
        return next((name for t, name in _PROPERTY_TYPES.items() if (term, RDF.type, URIRef(t)) in graph), "property")

    return ([doc(c, "class", RDFS.subClassOf) for c in classes],
            [doc(p, property_kind(p), RDFS.subPropertyOf) for p in properties])


def ontology_html(graph: "Graph") -> str:
    """HTML documentation of the ontology in ``graph``: every class and property with its label,
    comment, parents, domain and range. All text from the data is escaped."""
    import jinja2
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS, OWL, RDF

    ontology = next(iter(sorted(graph.subjects(RDF.type, OWL.Ontology))), URIRef(KG.rstrip("#")))
    classes, properties = ontology_terms(graph)
    environment = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    return environment.from_string(_TEMPLATE).render(
        title=str(graph.value(ontology, DCTERMS.title) or "Ontology"),
        description=str(graph.value(ontology, DCTERMS.description) or ""),
        version=str(graph.value(ontology, OWL.versionInfo) or __version__),
        licences=sorted(str(v) for v in graph.objects(ontology, DCTERMS.license)),
        namespace=KG, classes=classes, properties=properties)


def _prefixed(term) -> str:
    iri = str(term)
    for prefix, namespace in DESCRIPTION_PREFIXES.items():
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _anchor(term) -> str:
    name = _prefixed(term)
    return name[3:] if name.startswith("kg:") else re.sub(r"[^\w.-]", "-", name)
