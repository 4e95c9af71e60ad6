"""Every output is valid in its own format: JSON-LD is JSON (no Infinity or NaN) and reads back as the same
literals, and the XML outputs (SPARQL XML results, RDF/XML) refuse, in one line, a character XML 1.0 cannot
hold rather than write a document no parser accepts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kgtool import export
from kgtool.cli import main
from kgtool.results import NotXmlText, QueryResult, Term, render
from kgtool.server import worker

XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SELECT_LABELS = f"SELECT ?l WHERE {{ <{EX}s> <{LABEL}> ?l }}"
ONLY_EXAMPLES = f'CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{EX}")) }}\n'

DOUBLES = """@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:s ex:p "INF"^^xsd:double , "2.5E0"^^xsd:double ; ex:r "NaN"^^xsd:double ; ex:q "-INF"^^xsd:double .
"""
# doubles JSON-LD would read back in another form as native numbers ("2.5E0", the integer 1), and in a list
MORE_DOUBLES = """@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:t ex:one "1.0E0"^^xsd:double ; ex:big "1E300"^^xsd:double ; ex:small "-1.5E-7"^^xsd:double ;
    ex:f "INF"^^xsd:float ; ex:list ( "INF"^^xsd:double "0.5"^^xsd:double 3 ) .
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _refuse_constant(name: str):
    raise AssertionError(f"{name} is not JSON")


def example_lines(path: Path, fmt: ox.RdfFormat, subject: str) -> set[str]:
    """The triples of the file about ``subject`` and the blank nodes of its lists, as N-Triples lines
    with the blank nodes labelled canonically."""
    triples = list(ox.parse(path=str(path), format=fmt))
    kept = {ox.NamedNode(subject)}
    while True:  # the list nodes reached from the subject, one link further each round
        reached = {t.object for t in triples if t.subject in kept and isinstance(t.object, ox.BlankNode)}
        if reached <= kept:
            break
        kept |= reached
    about = [(t.subject, t.predicate, t.object) for t in triples if t.subject in kept]
    return {str(t) for t in export._canonical(about)}


# --- JSON-LD ---------------------------------------------------------------------------------------


# integers past 2**53, which a JSON reader would take for doubles; GPT-3's training compute (2.25E+20 FLOPs
# for its smallest size) came back from Oxigraph as an xsd:double
BIG_INTEGERS = [2**53, 2**53 + 1, 2**63, 225 * 10**18, 314 * 10**21, -(2**64)]


def integer_subject(number: int) -> str:
    return f"{EX}integer/{'minus-' if number < 0 else ''}{abs(number)}"


# The JSON-LD tests read what one export of the bundled graph and these examples wrote, in N-Triples and in
# JSON-LD (each export takes seconds), so they share its run on one worker.
shares_example_exports = pytest.mark.xdist_group("test_output_validity_exports")


@pytest.fixture(scope="module")
def example_exports(tmp_path_factory) -> dict[str, Path]:
    """The files ``kgtool export --no-ontology --data EXAMPLES`` writes as nt and json-ld, the examples
    being the doubles, the float and list, and the big integers above."""
    folder = tmp_path_factory.mktemp("examples")
    data = folder / "examples.ttl"
    integers = "".join(f"<{integer_subject(n)}> <{EX}n> {n} .\n" for n in BIG_INTEGERS)
    data.write_text(DOUBLES + MORE_DOUBLES + integers, encoding="utf-8")
    written = {}
    for fmt, suffix in (("nt", ".nt"), ("json-ld", ".jsonld")):
        written[fmt] = folder / f"examples{suffix}"
        result = run("export", "--no-ontology", "--data", str(data), "-f", fmt, "-o", str(written[fmt]))
        assert result.exit_code == 0, result.output
    return written


@shares_example_exports
def test_jsonld_writes_non_finite_doubles_as_json(example_exports):
    out = example_exports["json-ld"]
    document = json.loads(out.read_text(encoding="utf-8"), parse_constant=_refuse_constant)  # strict JSON
    node = next(n for n in document["@graph"] if n.get("id") == EX + "s")
    assert node[EX + "q"] == {"@value": "-INF", "type": "xsd:double"}
    assert node[EX + "r"] == {"@value": "NaN", "type": "xsd:double"}
    assert {"@value": "INF", "type": "xsd:double"} in node[EX + "p"]

    read = {
        (t.predicate.value, t.object.value, t.object.datatype.value)
        for t in ox.parse(path=str(out), format=ox.RdfFormat.JSON_LD)
        if t.subject == ox.NamedNode(EX + "s")
    }
    assert read == {
        (EX + "p", "INF", XSD + "double"),
        (EX + "p", "2.5", XSD + "double"),
        (EX + "r", "NaN", XSD + "double"),
        (EX + "q", "-INF", XSD + "double"),
    }


def test_non_finite_doubles_keep_their_xsd_spelling_in_every_format(tmp_path):
    # rdflib holds "INF"^^xsd:double as Python's "inf", which is no xsd:double
    data = tmp_path / "dbl.ttl"
    data.write_text(DOUBLES, encoding="utf-8")
    query = tmp_path / "examples.rq"
    query.write_text(ONLY_EXAMPLES, encoding="utf-8")
    result = run("export", "--data", str(data), "--query", str(query), "-f", "nt")
    assert result.exit_code == 0, result.output
    objects = sorted(line.split(" ", 2)[2] for line in result.stdout.splitlines())
    assert objects == sorted(f'"{v}"^^<{XSD}double> .' for v in ("INF", "2.5", "NaN", "-INF"))


@shares_example_exports
@pytest.mark.parametrize("subject", ["s", "t"], ids=["non-finite", "one-large-small-float-list"])
def test_jsonld_reads_back_as_exactly_the_doubles_the_other_formats_write(subject, example_exports):
    json.loads(example_exports["json-ld"].read_text(encoding="utf-8"), parse_constant=_refuse_constant)
    expected = example_lines(example_exports["nt"], ox.RdfFormat.N_TRIPLES, EX + subject)
    assert len(expected) >= 4
    assert example_lines(example_exports["json-ld"], ox.RdfFormat.JSON_LD, EX + subject) == expected


@shares_example_exports
@pytest.mark.parametrize("number", BIG_INTEGERS)
def test_jsonld_keeps_integers_exact_that_a_json_reader_would_take_for_doubles(number, example_exports):
    read = [
        (t.object.value, t.object.datatype.value)
        for t in ox.parse(path=str(example_exports["json-ld"]), format=ox.RdfFormat.JSON_LD)
        if t.subject == ox.NamedNode(integer_subject(number))
    ]
    assert read == [(str(number), XSD + "integer")]


# --- XML -------------------------------------------------------------------------------------------

# every kind of character XML 1.0 cannot hold (a Turtle \u escape writes each into the data)
NOT_XML = ["\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\ufffe", "\uffff"]
ORDINARY = 'tab\tnew\nline & <tags> "quoted" é 漢字 🙂'


def labelled(tmp_path: Path, text: str) -> Path:
    """A data file whose one rdfs:label is ``text``, every character but plain ASCII written as a \\U escape."""
    escaped = "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08X}" for c in text)
    path = tmp_path / "labelled.ttl"
    path.write_text(f'<{EX}s> <{LABEL}> "{escaped}" .\n', encoding="utf-8")
    return path


def assert_refused(result, character: str, instead: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: cannot write the literal ")
    assert ascii(character)[1:-1] in lines[0]  # shown escaped
    assert f"U+{ord(character):04X}" in lines[0] and instead in lines[0]


@pytest.mark.parametrize("character", NOT_XML, ids=lambda c: f"U+{ord(c):04X}")
def test_sparql_xml_results_refuse_a_character_xml_cannot_hold(character, tmp_path):
    ordinary = run("query", "--data", str(labelled(tmp_path, ORDINARY)), "-e", SELECT_LABELS, "-f", "xml")
    assert ordinary.exit_code == 0, ordinary.output
    root = ET.fromstring(ordinary.stdout)
    values = [e.text for e in root.iter("{http://www.w3.org/2005/sparql-results#}literal")]
    assert values == [ORDINARY]

    result = run("query", "--data", str(labelled(tmp_path, f"a{character}b")), "-e", SELECT_LABELS, "-f", "xml")
    assert_refused(result, character, "JSON")


@pytest.mark.parametrize("character", NOT_XML, ids=lambda c: f"U+{ord(c):04X}")
def test_rdfxml_export_refuses_a_character_xml_cannot_hold_and_keeps_the_previous_file(character, tmp_path):
    query = tmp_path / "examples.rq"
    query.write_text(ONLY_EXAMPLES, encoding="utf-8")
    out = tmp_path / "out" / "labels.rdf"
    out.parent.mkdir()
    args = ("export", "--query", str(query), "-f", "rdfxml", "-o", str(out))
    ordinary = run(*args, "--data", str(labelled(tmp_path, ORDINARY)))
    assert ordinary.exit_code == 0, ordinary.output
    previous = out.read_bytes()
    ET.fromstring(previous)  # well-formed
    [triple] = ox.parse(previous, format=ox.RdfFormat.RDF_XML)
    assert triple.object == ox.Literal(ORDINARY)

    result = run(*args, "--data", str(labelled(tmp_path, f"{'x' * 50}{character}y")))
    assert_refused(result, character, "N-Triples, Turtle or JSON-LD")
    assert "…'xxx" in result.stderr  # a long value is shortened around the character
    assert out.read_bytes() == previous
    assert [p.name for p in out.parent.iterdir()] == ["labels.rdf"]  # no temporary file left behind


def test_the_whole_graph_with_a_control_character_is_refused_as_rdfxml(tmp_path):
    out = tmp_path / "graph.rdf"
    out.write_bytes(b"previous")
    result = run("export", "--no-ontology", "--data", str(labelled(tmp_path, "a\x1bb")), "-f", "rdfxml", "-o", str(out))
    assert_refused(result, "\x1b", "N-Triples")
    assert "'a\\x1bb'" in result.stderr
    assert out.read_bytes() == b"previous"


def test_xml_results_refuse_a_lone_surrogate_from_an_endpoint():
    # an endpoint's JSON may hold "\ud800"; no engine of kgtool's makes one
    result = QueryResult("select", ["x"], [{"x": Term("literal", "a\ud800")}])
    with pytest.raises(NotXmlText, match=r"U\+D800"):
        render(result, "xml")
    assert json.loads(render(result, "json"))["results"]["bindings"][0]["x"]["value"] == "a\ud800"


def test_the_endpoint_answers_rdfxml_it_cannot_write_with_an_error():
    # the server's query workers write RDF/XML through the same function: the request fails in one line
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(LABEL), ox.Literal("a\x1bb")))
    request = {"op": "query", "text": "CONSTRUCT WHERE { ?s ?p ?o }", "max_bytes": 10**6}
    header, body = worker.answer(store, {**request, "graph_format": "RDF_XML"})
    assert header["error"] == "failed" and body == b""
    assert "U+001B" in header["message"] and "\n" not in header["message"]
    header, body = worker.answer(store, {**request, "graph_format": "N_TRIPLES"})
    assert "error" not in header and b"\\u001B" in body


def test_the_endpoint_refuses_xml_answers_it_cannot_write_and_sends_the_others():
    import warnings

    from kgtool.server import Settings, create_app

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(LABEL), ox.Literal("a\x1bb")))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        with TestClient(create_app(store, Settings(timeout=10.0))) as client:
            select = {"query": f"SELECT ?l WHERE {{ ?s <{LABEL}> ?l }}"}
            construct = {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}
            for params, accept in ((select, "application/sparql-results+xml"), (construct, "application/rdf+xml")):
                refused = client.get("/sparql", params=params, headers={"Accept": accept})
                assert refused.status_code == 400, (accept, refused.status_code, refused.content[:200])
                assert "U+001B" in refused.text and "XML 1.0 cannot represent" in refused.text
                assert refused.text.strip().count("\n") == 0
            sent = client.get("/sparql", params=select, headers={"Accept": "application/sparql-results+json"})
            assert sent.status_code == 200 and sent.json()["results"]["bindings"][0]["l"]["value"] == "a\x1bb"
