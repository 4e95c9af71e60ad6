"""RDF/XML entities: a file whose DOCTYPE entities expand too far (the "billion laughs") or that declares an
external entity is refused before any parser reads it, on every path that reads data files, with one line and
exit 2; entities that abbreviate IRIs, as ontology editors write them, still load."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from kgtool.cli import main

EX = "http://example.org/"
RDF_OPEN = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xmlns:owl="http://www.w3.org/2002/07/owl#">\n')
LABEL_LENGTH = ("SELECT (STRLEN(?l) AS ?n) WHERE { <http://example.org/a> "
                "<http://www.w3.org/2000/01/rdf-schema#label> ?l }")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_one_line_error(result, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def write_rdf(path, declarations, content):
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "".join(f"  {d}\n" for d in declarations)
                    + "]>\n" + RDF_OPEN + content + "</rdf:RDF>\n", encoding="utf-8")
    return path


def labelled(label):
    return f'  <rdf:Description rdf:about="{EX}a"><rdfs:label>{label}</rdfs:label></rdf:Description>\n'


def laughs(levels):
    """Entities e0 .. e{levels-1}, each ten of the one before: e{n} expands to 10**(n+1) characters."""
    return ['<!ENTITY e0 "xxxxxxxxxx">'] + [f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, levels)]


def commands(data, out):
    return {
        "query": ["query", "--data", data, "-e", LABEL_LENGTH],
        "export": ["export", "-f", "nt", "--data", data, "-o", out],
        "stats": ["stats", "--data", data],
        "load": ["load", "--no-bundled", "--store", out.parent / "store", data],
    }


@pytest.mark.parametrize("command", ["query", "export", "stats", "load"])
def test_a_billion_laughs_is_refused_before_it_expands(tmp_path, command):
    data = write_rdf(tmp_path / "bomb.rdf", laughs(9), labelled("&e8;"))
    assert data.stat().st_size < 1024
    started = time.perf_counter()
    result = run(*commands(data, tmp_path / "out.nt")[command])
    assert time.perf_counter() - started < 10
    # e4 (100,000 characters) is the first entity over the limit, declared on line 7
    assert_one_line_error(result, "bomb.rdf:7:3: the entity &e4; expands to more than 65,536 characters",
                          "RDF/XML entities that expand this much are refused")
    assert not (tmp_path / "out.nt").exists() and not (tmp_path / "store").exists()


def test_validate_refuses_a_billion_laughs(tmp_path):
    data = write_rdf(tmp_path / "bomb.owl", laughs(9), labelled("&e8;"))
    started = time.perf_counter()
    result = run("validate", "--data", data)
    assert time.perf_counter() - started < 10
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == (
        "syntax error: " + f"{data}:7:3: the entity &e4; expands to more than 65,536 characters; "
        "RDF/XML entities that expand this much are refused"
    )


def test_many_references_to_one_large_entity_are_refused(tmp_path):
    # each entity is within the limit (e3 is 10,000 characters); the references add up to 60 MB from 30 KB
    data = write_rdf(tmp_path / "wide.rdf", laughs(4), labelled("&e3;" * 6_000))
    assert_one_line_error(run("query", "--data", data, "-e", LABEL_LENGTH), "wide.rdf:9:",
                          "its entity references expand to more than", "RDF/XML entities that expand this much")


@pytest.mark.parametrize("declarations, label", [
    # Oxigraph keeps the last of two declarations of a name, expat (rdflib) the first
    ([*laughs(4), '<!ENTITY big "small">', f'<!ENTITY big "{"&e3;" * 10}">'], "&big;"),
    # after an undeclared parameter entity expat reads no more declarations, and Oxigraph still does
    (["%undeclared;", *laughs(7)], "&e6;"),
], ids=["declared-twice", "after-a-parameter-entity"])
def test_a_bomb_hidden_from_one_parser_is_refused(tmp_path, declarations, label):
    data = write_rdf(tmp_path / "hidden.rdf", declarations, labelled(label))
    assert_one_line_error(run("query", "--data", data, "-e", LABEL_LENGTH), "hidden.rdf:", "expands to more than")


def test_a_parameter_entity_is_refused(tmp_path):
    data = write_rdf(tmp_path / "parameter.rdf", ['<!ENTITY % p "&#60;!ENTITY e \'x\'>">', "%p;"], labelled("&e;"))
    for command in (["query", "--data", data, "-e", LABEL_LENGTH], ["export", "-f", "nt", "--data", data]):
        assert_one_line_error(run(*command), "parameter.rdf:3:3: declares the parameter entity %p;")


def test_entity_abbreviations_of_iris_still_load(tmp_path):
    classes = "".join(f'  <owl:Class rdf:about="&ex;C{n}">\n    <rdfs:subClassOf rdf:resource="&owl;Thing"/>\n'
                      f'    <rdfs:label>class {n} &amp; &ex;</rdfs:label>\n  </owl:Class>\n' for n in range(300))
    data = write_rdf(tmp_path / "onto.owl", ['<!ENTITY owl "http://www.w3.org/2002/07/owl#" >',
                                             '<!ENTITY ex "http://example.org/onto#" >'], classes)
    expected = {f'<http://example.org/onto#C{n}> <http://www.w3.org/2000/01/rdf-schema#label> '
                f'"class {n} & http://example.org/onto#" .' for n in range(300)}
    expected |= {f"<http://example.org/onto#C{n}> <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                 "<http://www.w3.org/2002/07/owl#Thing> ." for n in range(300)}
    expected |= {f"<http://example.org/onto#C{n}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                 "<http://www.w3.org/2002/07/owl#Class> ." for n in range(300)}
    exported = run("export", "-f", "nt", "--data", data, "-o", tmp_path / "out.nt")
    assert exported.exit_code == 0, exported.output
    written = (tmp_path / "out.nt").read_text(encoding="utf-8").splitlines()
    assert {line for line in written if "example.org/onto#" in line} == expected
    queried = run("query", "--data", data, "-f", "csv", "-e",
                  "SELECT (COUNT(*) AS ?n) WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                  "<http://www.w3.org/2002/07/owl#Thing> FILTER STRSTARTS(STR(?c), 'http://example.org/onto#') }")
    assert queried.exit_code == 0, queried.output
    assert queried.stdout.split() == ["n", "300"]


@pytest.mark.parametrize("command", ["query", "export", "stats", "load"])
def test_an_external_entity_is_never_read(tmp_path, command):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret text")
    data = write_rdf(tmp_path / "external.rdf", [f'<!ENTITY x SYSTEM "{secret.as_uri()}">'],
                     labelled("before &x; after"))
    out = tmp_path / "out.nt"
    result = run(*commands(data, out)[command])
    assert_one_line_error(result, f'external.rdf:3:3: declares the external entity &x; (SYSTEM "{secret.as_uri()}"), '
                                  "which kgtool does not read")
    assert "the secret text" not in result.output and not out.exists()
    assert not (tmp_path / "store").exists()
