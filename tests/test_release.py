"""The release folder: every format, a VoID/DCAT description that matches the data, checksums that
sha256sum accepts, the HTML graph, the ontology's documentation, the changelog entry; byte-identical
across builds, and left as it was by a build that fails."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from kgtool import __version__, dataset, export, release
from kgtool.cli import main
from kgtool.namespaces import KG, KGR, PREFIXES
from kgtool.store import bundled_files, parse_file
from tests.html_pages import Page, descendants
from tests.seven import SEVEN

VOID = Namespace(dataset.VOID)
DCAT = Namespace(dataset.DCAT)
DATASET = URIRef(release.DATASET_IRI)

pytestmark = pytest.mark.xdist_group("test_release")  # one worker runs this module: the release is built once


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "dist"
    result = CliRunner().invoke(main, ["build", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out, result


@pytest.fixture(scope="module")
def ontology():
    graph = Graph()
    for path in bundled_files(data=False):
        parse_file(path, graph)
    return graph


def test_the_release_holds_every_format_and_lists_it(built, graph):
    out, result = built
    expected = sorted([f"llmkg{f.suffix}" for f in export.FORMATS.values()]
                      + ["CHANGELOG.md", "SHA256SUMS", "context.jsonld", "graph.html", "ontology.html", "void.ttl"])
    assert sorted(p.name for p in out.iterdir()) == expected  # and no staging folder left behind
    assert release.release_names() == expected  # the names a build checks before it starts
    listed = {Path(line.split()[1]).name: int(line.split()[0].replace(",", "")) for line in result.stdout.splitlines()}
    assert listed == {p.name: p.stat().st_size for p in out.iterdir()}
    triples = export.sorted_triples(graph)  # sorted once here, as `kgtool export` sorts them for each format
    for fmt in export.RDF_FORMATS:  # the same bytes as `kgtool export`, which test_export.py checks for exactness
        assert (out / f"llmkg{export.FORMATS[fmt].suffix}").read_bytes() == export.to_bytes(graph, fmt, triples), fmt
    assert isomorphic(Graph().parse(out / "llmkg.ttl"), graph)


def test_long_steps_report_progress_on_stderr(built):
    _, result = built
    steps = result.stderr.splitlines()
    assert steps[0] == "build: validating the data"
    for name in ("llmkg.ttl", "llmkg.jsonld", "llmkg.gexf", "void.ttl", "graph.html", "ontology.html", "SHA256SUMS"):
        assert any(line.startswith(f"build: writing {name}") for line in steps), name


def test_checksums_are_accepted_by_sha256sum(built):
    out, _ = built
    lines = (out / "SHA256SUMS").read_text().splitlines()
    names = [line.split("  ", 1)[1] for line in lines]
    assert names == sorted(p.name for p in out.iterdir() if p.name != "SHA256SUMS")
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    if shutil.which("sha256sum"):
        checked = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.count(": OK") == len(lines)


def test_the_description_is_computed_from_the_data(built, graph, ontology):
    out, _ = built
    void = Graph().parse(out / "void.ttl", format="turtle", publicID=out.as_uri() + "/")

    def value(subject, predicate):
        values = list(void.objects(subject, predicate))
        assert len(values) == 1, (subject, predicate, values)
        return values[0]

    assert {(DATASET, RDF.type, VOID.Dataset), (DATASET, RDF.type, DCAT.Dataset)} <= set(void)
    assert value(DATASET, VOID.triples).toPython() == len(graph)
    classes = set(graph.objects(None, RDF.type))
    properties = set(graph.predicates())
    assert value(DATASET, VOID.classes).toPython() == len(classes)
    assert value(DATASET, VOID.properties).toPython() == len(properties)
    assert value(DATASET, VOID.distinctSubjects).toPython() == len(set(graph.subjects()))
    ontology_iri = URIRef(KG.rstrip("#"))
    assert value(DATASET, DCTERMS.license) == ontology.value(ontology_iri, DCTERMS.license) \
        == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert value(DATASET, OWL.versionInfo) == Literal(__version__) == ontology.value(ontology_iri, OWL.versionInfo)
    assert value(DATASET, DCTERMS.issued) == Literal(release.changelog_entry(__version__).date, datatype=XSD.date)
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    assert {KG, PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["dcterms"]} <= vocabularies
    assert set(void.objects(DATASET, VOID.exampleResource)) == {URIRef(KGR + m) for m in SEVEN}

    # one partition per class and per property, each with the count the data gives
    by_class = {value(p, VOID["class"]): value(p, VOID.entities).toPython() for p in void.objects(DATASET, VOID.classPartition)}
    assert set(by_class) == classes
    assert by_class[URIRef(KG + "LanguageModel")] == len(set(graph.subjects(RDF.type, URIRef(KG + "LanguageModel"))))
    by_property = {value(p, VOID.property): value(p, VOID.triples).toPython() for p in void.objects(DATASET, VOID.propertyPartition)}
    assert set(by_property) == properties
    assert by_property[URIRef(KG + "parameterCount")] == len(list(graph.triples((None, URIRef(KG + "parameterCount"), None))))
    assert sum(by_property.values()) == len(graph)

    # a distribution per format, whose relative download URL is the file beside void.ttl
    distributions = set(void.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(export.FORMATS)
    for distribution in distributions:
        path = Path(value(distribution, DCAT.downloadURL).replace(out.as_uri() + "/", str(out) + "/"))
        assert path.parent == out and path.is_file()
        assert value(distribution, DCAT.byteSize).toPython() == path.stat().st_size
    dumps = {Path(str(d)).name for d in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"llmkg{export.FORMATS[f].suffix}" for f in export.RDF_FORMATS}


def sections(page: Page) -> dict[str, dict[str, str]]:
    """For each <section> with an id: its data-iri, and the text of its parts (<p>, <dd>, <td>, <h3>) by
    class, an <h3> without one by its tag."""
    found = {}
    for section in page.all("section"):
        if "id" not in section["attrs"]:
            continue
        parts = found[section["attrs"]["id"]] = {"data-iri": section["attrs"].get("data-iri", "")}
        for element in descendants(section):
            name = element["attrs"].get("class") or (element["tag"] if element["tag"] == "h3" else None)
            if element["tag"] in ("p", "dd", "h3", "td") and name:
                parts[name] = parts.get(name, "") + element["text"]
    return found


def test_ontology_documentation_covers_every_class_and_property(built, ontology):
    out, _ = built
    found = sections(Page((out / "ontology.html").read_text(encoding="utf-8")))
    by_iri = {s["data-iri"]: s for s in found.values() if s["data-iri"]}
    declared = {s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
                for s in ontology.subjects(RDF.type, t) if isinstance(s, URIRef)}
    assert len(declared) >= 135 and {URIRef(iri) for iri in by_iri} == declared

    def shown(term) -> str:
        label = ontology.value(term, RDFS.label)
        return str(label) if label is not None else term.n3(ontology.namespace_manager)

    for iri, section in by_iri.items():
        term = URIRef(iri)
        assert str(ontology.value(term, RDFS.label)) in section["h3"]
        assert section["description"] == str(ontology.value(term, RDFS.comment))
        for predicate in (RDFS.domain, RDFS.range, RDFS.subClassOf):
            for value in ontology.objects(term, predicate):
                if isinstance(value, URIRef):
                    assert shown(value) in section["value"], (iri, predicate, value)
    assert "model" in by_iri[KG + "LanguageModel"]["value"]  # its parent class, by its label


def test_ontology_documentation_escapes_text_from_the_data():
    graph = Graph()
    term = URIRef(KG + "Evil")
    graph.add((term, RDF.type, OWL.Class))
    graph.add((term, RDFS.label, Literal("<script>alert(1)</script>", lang="en")))
    graph.add((term, RDFS.comment, Literal('"><img src=x onerror=alert(2)> & more')))
    prop = URIRef(KG + "evilProperty")
    graph.add((prop, RDF.type, OWL.ObjectProperty))
    graph.add((prop, RDFS.range, URIRef(KG + "Target")))
    graph.add((URIRef(KG + "Target"), RDFS.label, Literal("<script>alert(3)</script>")))
    graph.add((prop, RDFS.domain, URIRef("javascript:alert(4)")))
    html = release.ontology_html(graph)
    page = Page(html)
    assert not {"script", "img"} & {tag for tag, _ in page.tags}
    found = sections(page)
    evil = found["Evil"]
    assert "<script>alert(1)</script>" in evil["h3"]
    assert evil["description"] == '"><img src=x onerror=alert(2)> & more'
    assert "<script>alert(3)</script>" in found["evilProperty"]["value"]
    assert "javascript:alert(4)" in found["evilProperty"]["value"]  # shown, never a link
    assert "javascript:" not in "".join(re.findall(r'href="([^"]*)"', html))


def test_the_changelog_entry_is_the_version_s(built):
    out, _ = built
    entry = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert entry.splitlines()[0].startswith(f"## {__version__} - ")
    assert entry.count("\n## ") == 0  # this version's entry only
    assert "kgtool export" in entry and "kgtool push" in entry
    with pytest.raises(Exception, match="no entry for version 9.9.9"):
        release.changelog_entry("9.9.9")


def test_the_html_graph_is_the_visualisation_of_the_data(built, bundled_source):
    from kgtool.visualize import render_html

    out, _ = built
    page = (out / "graph.html").read_text(encoding="utf-8")
    assert page == render_html(bundled_source)
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "LLaMA" in page


def test_two_builds_are_byte_identical(built, tmp_path):
    out, _ = built
    again = tmp_path / "again"
    subprocess.run([sys.executable, "-m", "kgtool", "build", "-o", str(again)], check=True, capture_output=True,
                   env={**os.environ, "PYTHONHASHSEED": "7"})
    assert (again / "SHA256SUMS").read_text() == (out / "SHA256SUMS").read_text()


def _limit_file_size():
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (8_000_000, 8_000_000))


def test_a_failed_build_leaves_the_previous_release_intact(built, tmp_path):
    out, _ = built
    previous = tmp_path / "dist"
    shutil.copytree(out, previous)
    (previous / "llmkg.ttl").write_bytes(b"# the previous release\n")
    before = {p.name: p.read_bytes() for p in previous.iterdir()}
    # a real fault part-way: no file may grow past 8 MB, and the N-Triples and N-Quads are larger (Turtle is not)
    failed = subprocess.run([sys.executable, "-m", "kgtool", "build", "-o", str(previous)], capture_output=True,
                            text=True, preexec_fn=_limit_file_size)
    assert failed.returncode == 2
    assert failed.stderr.splitlines()[-1] == ("error: cannot write llmkg.nt: File too large; "
                                              "the previous release was left as it was")
    assert {p.name: p.read_bytes() for p in previous.iterdir()} == before  # no staging folder left either
