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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, export, resources
from .errors import KgtoolError
from .files import output_target, removed_on_sigterm, write_file
from .namespaces import KG, KGR, PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph

DATASET_IRI = "https://w3id.org/llmkg/"
DATASET_TITLE = "LLM knowledge graph"
DATASET_DESCRIPTION = ("The landmark language and vision-language models GPT-3, LaMDA, PaLM, Flamingo, BLIP-2, "
                       "LLaMA and GPT-4: sizes, training, architectures, techniques, benchmark results, papers and "
                       "products, every fact with its source, and the rumours and errors about them as typed claims.")
STEM = "llmkg"  # the data files are llmkg.ttl, llmkg.nt...
CHECKSUMS = "SHA256SUMS"

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DESCRIPTION_PREFIXES = {"void": VOID, "dcat": DCAT, **PREFIXES}
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
        _install(sorted(staging.iterdir()), out_dir)
    checksums = out_dir / CHECKSUMS
    return files + [ReleaseFile(CHECKSUMS, checksums.stat().st_size, _sha256(checksums))]


@contextlib.contextmanager
def _staging_folder(out_dir: Path):
    with removed_on_sigterm():
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir))
        try:
            yield staging
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _install(built: list[Path], out_dir: Path) -> None:
    """Move the built files into the release folder. Every target is checked first, so that one that is
    not a regular file stops the build before anything is replaced; a symlink to a file is followed."""
    targets = [output_target(out_dir / path.name) for path in built]
    for path, target in zip(built, targets):
        if target == out_dir / path.name:
            os.replace(path, target)
        else:  # the file a symlink points to, maybe on another file system: copied into place atomically
            write_file(out_dir / path.name, path.read_bytes())


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
    """A VoID and DCAT description of ``graph``: triple, entity, class and property counts with a
    partition per class and per property, the vocabularies used, licence and version (from the
    ontology's header), example resources (the model families that have a file of their own) and one
    distribution per format (``sizes`` gives their byte sizes)."""
    from rdflib import Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, OWL, RDF, XSD

    void, dcat = Namespace(VOID), Namespace(DCAT)
    dataset = URIRef(DATASET_IRI)
    out = Graph()

    def add(subject, predicate, obj):
        out.add((subject, predicate, obj))

    def count(number: int) -> Literal:
        return Literal(number, datatype=XSD.integer)

    add(dataset, RDF.type, void.Dataset)
    add(dataset, RDF.type, dcat.Dataset)
    add(dataset, DCTERMS.title, Literal(DATASET_TITLE, lang="en"))
    add(dataset, DCTERMS.description, Literal(DATASET_DESCRIPTION, lang="en"))
    ontology = URIRef(KG.rstrip("#"))
    for licence in graph.objects(ontology, DCTERMS.license):
        add(dataset, DCTERMS.license, licence)
    add(dataset, OWL.versionInfo, Literal(__version__))
    add(dataset, dcat.version, Literal(__version__))
    if issued:
        add(dataset, DCTERMS.issued, Literal(issued, datatype=XSD.date))
    add(dataset, void.uriSpace, Literal(KGR))

    typed = [(s, o) for s, o in graph.subject_objects(RDF.type)]
    classes = Counter(o for _, o in typed)
    properties = Counter(p for _, p, _ in graph)
    add(dataset, void.triples, count(len(graph)))
    add(dataset, void.entities, count(len({s for s in graph.subjects() if str(s).startswith(KGR)})))
    add(dataset, void.distinctSubjects, count(len(set(graph.subjects()))))
    add(dataset, void.distinctObjects, count(len(set(graph.objects()))))
    add(dataset, void.classes, count(len(classes)))
    add(dataset, void.properties, count(len(properties)))
    for cls, members in sorted(classes.items()):
        partition = URIRef(f"{DATASET_IRI}void/class/{_partition_slug(cls)}")
        add(dataset, void.classPartition, partition)
        add(partition, void["class"], cls)
        add(partition, void.entities, count(len({s for s, o in typed if o == cls})))
    for prop, triples in sorted(properties.items()):
        partition = URIRef(f"{DATASET_IRI}void/property/{_partition_slug(prop)}")
        add(dataset, void.propertyPartition, partition)
        add(partition, void.property, prop)
        add(partition, void.triples, count(triples))
    for vocabulary in sorted({_namespace(iri) for iri in [*classes, *properties]}):
        add(dataset, void.vocabulary, URIRef(vocabulary))
    for example in example_resources(graph):
        add(dataset, void.exampleResource, example)

    for fmt in export.FORMATS.values():
        distribution = URIRef(_RELEASE_BASE + STEM + fmt.suffix)
        add(dataset, dcat.distribution, distribution)
        add(distribution, RDF.type, dcat.Distribution)
        add(distribution, DCTERMS.title, Literal(fmt.description, lang="en"))
        add(distribution, dcat.downloadURL, distribution)
        add(distribution, dcat.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}"))
        if sizes and fmt.name in sizes:
            add(distribution, dcat.byteSize, count(sizes[fmt.name]))
        if fmt.kind == "rdf":
            add(dataset, void.dataDump, distribution)
    return out


def description_turtle(graph: "Graph", sizes: dict[str, int] | None = None, issued: str | None = None) -> bytes:
    """:func:`describe` as Turtle, the distributions as IRIs relative to the description's own location."""
    description = describe(graph, sizes, issued)
    triples = export.sorted_triples(description)
    return export.rdf_bytes(triples, "turtle", export.used_prefixes(triples, DESCRIPTION_PREFIXES),
                            relative_to=_RELEASE_BASE)


def example_resources(graph: "Graph") -> list:
    """The model families that have a file of their own under graph/models/, as found in ``graph``."""
    from rdflib import URIRef

    candidates = [URIRef(KGR + path.stem) for path in sorted((resources.graph_dir() / "models").glob("*.ttl"))]
    return [c for c in candidates if (c, None, None) in graph]


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[:cut + 1]


def _partition_slug(iri: str) -> str:
    for prefix, namespace in DESCRIPTION_PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]+", iri[len(namespace):]):
            return f"{prefix}-{iri[len(namespace):]}"
    return hashlib.sha256(iri.encode()).hexdigest()[:16]


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
