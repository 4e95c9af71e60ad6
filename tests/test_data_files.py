"""--data files: N-Triples and N-Quads are parsed by Oxigraph (linear in the line length), a JSON-LD context
is never fetched or read unless asked, relative IRIs resolve against --base or are refused, and every bad
input is one line and exit 2, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler

import pytest
from click.testing import CliRunner

import kgtool
from kgtool.cli import main
from tests.serving import http_server

EX = "http://example.org/"


def run(*args, stdin=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=stdin)


def assert_one_line_error(result, *fragments):
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


# ---------------------------------------------------------------------------------------------
# JSON-LD contexts

class _Contexts(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).requests.append(self.path)
        body = json.dumps({"@context": {"name": EX + "fetched-name"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    _Contexts.requests = []
    with http_server(_Contexts) as url:
        yield url


def jsonld(path, context) -> str:
    path.write_text(json.dumps({"@context": context, "@id": EX + "thing", "@type": EX + "Thing",
                                "name": "LLaMA"}), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("command", [["export", "-f", "nt"], ["viz", "-o", "-"], ["stats"],
                                     ["path", EX + "thing", "LLaMA"], ["query", "-e", "ASK {}"]])
def test_a_remote_context_is_never_fetched(tmp_path, listener, command):
    data = jsonld(tmp_path / "x.jsonld", f"{listener}/context.jsonld")
    result = run(*command, "--data", data)
    assert_one_line_error(result, "x.jsonld", "@context", "--allow-remote-context")
    assert _Contexts.requests == []


def test_a_file_context_is_never_read(tmp_path):
    context = tmp_path / "context.jsonld"
    context.write_text(json.dumps({"@context": {"name": EX + "read-from-a-file"}}))
    data = jsonld(tmp_path / "x.jsonld", context.as_uri())
    result = run("export", "-f", "nt", "--no-ontology", "--data", data)
    assert_one_line_error(result, "x.jsonld", "--allow-remote-context")
    assert "read-from-a-file" not in result.output


def test_the_context_is_loaded_when_asked(tmp_path, listener):
    data = jsonld(tmp_path / "x.jsonld", f"{listener}/context.jsonld")
    result = run("export", "-f", "nt", "--no-ontology", "--data", data, "--allow-remote-context")
    assert result.exit_code == 0, result.output
    assert _Contexts.requests == ["/context.jsonld"]  # the listener does record
    assert f'<{EX}thing> <{EX}fetched-name> "LLaMA" .' in result.stdout


def test_an_inline_context_needs_nothing(tmp_path):
    data = jsonld(tmp_path / "x.jsonld", {"name": EX + "inline-name"})
    result = run("export", "-f", "nt", "--no-ontology", "--data", data)
    assert result.exit_code == 0 and f'<{EX}thing> <{EX}inline-name> "LLaMA" .' in result.stdout


# ---------------------------------------------------------------------------------------------
# relative IRIs

ANNOTATED = '<thing> <http://example.org/p> "x" {| <http://example.org/q> "y" |} .\n'  # compiled before it is read


@pytest.mark.parametrize("suffix,text", [(".ttl", '<thing> <http://example.org/p> "x" .\n'), (".ttl", ANNOTATED),
                                         (".rdf", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                                                  'xmlns:ex="http://example.org/"><rdf:Description rdf:about="thing">'
                                                  '<ex:p>x</ex:p></rdf:Description></rdf:RDF>\n'),
                                         (".jsonld", '{"@id": "thing", "http://example.org/p": "x"}')])
@pytest.mark.parametrize("command", [["export", "-f", "nt", "--no-ontology"], ["query", "-e", "SELECT * { ?s ?p 'x' }"]])
def test_relative_iris_resolve_against_the_stated_base_or_are_refused(tmp_path, suffix, text, command):
    data = tmp_path / f"relative{suffix}"
    data.write_text(text)
    refused = run(*command, "--data", data)
    assert_one_line_error(refused, f"relative{suffix}", "relative IRI <thing>", "--base")
    resolved = run(*command, "--data", data, "--base", "http://example.org/base/")
    assert resolved.exit_code == 0, resolved.output
    assert "http://example.org/base/thing" in resolved.stdout and "file:" not in resolved.stdout


@pytest.mark.parametrize("text", ['<thing> <http://example.org/p> "x" .\n', ANNOTATED], ids=["plain", "annotated"])
def test_validate_resolves_relative_iris_against_the_stated_base_or_refuses_them(tmp_path, text):
    data = tmp_path / "relative.ttl"
    data.write_text(text)
    refused = run("validate", data)
    assert refused.exit_code == 2 and "relative IRI <thing>" in refused.stderr and "--base" in refused.stderr
    checked = run("validate", data, "--base", "http://example.org/base/")
    assert checked.exit_code in (0, 1) and "could not be parsed" not in checked.output, checked.output


@pytest.mark.parametrize("text", ['<thing> <http://example.org/p> "x" .\n', ANNOTATED], ids=["plain", "annotated"])
def test_a_store_resolves_relative_iris_against_the_stated_base_or_refuses_them(tmp_path, text):
    data = tmp_path / "relative.ttl"
    data.write_text(text)
    store = tmp_path / "store"
    refused = run("load", "--no-bundled", data, "--store", store)
    assert_one_line_error(refused, "relative.ttl", "relative IRI", "--base")
    assert not store.exists()
    loaded = run("load", "--no-bundled", data, "--store", store, "--base", "http://example.org/base/")
    assert loaded.exit_code == 0, loaded.output
    answer = run("query", "--store", store, "-e", "SELECT ?s WHERE { ?s <http://example.org/p> ?o }", "-f", "csv")
    assert answer.stdout.splitlines()[1:] == ["http://example.org/base/thing"]


# ---------------------------------------------------------------------------------------------
# N-Triples and N-Quads through Oxigraph

@pytest.mark.parametrize("suffix", [".nt", ".nq"])
def test_a_five_megabyte_literal_parses_in_seconds(tmp_path, suffix):
    data = tmp_path / f"long{suffix}"
    data.write_text(f'<{EX}a> <{EX}p> "{"x" * 5_000_000}" .\n<{EX}a> <{EX}q> "short"@en .\n'
                    f'<{EX}a> <{EX}r> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    started = time.perf_counter()
    graph = kgtool.load_graph([data], bundled=False)
    assert time.perf_counter() - started < 10  # rdflib's parser needed more than 100 s
    assert len(graph) == 3 and {len(str(o)) for o in graph.objects()} == {5_000_000, 5, 1}


def test_ntriples_errors_give_line_and_column(tmp_path):
    data = tmp_path / "bad.nt"
    data.write_text(f'<{EX}a> <{EX}p> "ok" .\n<{EX}a> <{EX}p> .\n')
    assert_one_line_error(run("export", "--data", data), "bad.nt:2:")


@pytest.mark.parametrize("text, where, why", [
    ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n  <rdf:Description rdf:about="http://e/a">\n',
     "broken.rdf:3:1:", "no element found"),
    ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">\n'
     '<rdf:Description rdf:about="http://e/a"><ex:p rdf:parseType="Resource" rdf:resource="http://e/b"/>'
     "</rdf:Description></rdf:RDF>\n", "broken.rdf:2:", "Invalid property attribute URI"),
], ids=["not well-formed XML", "XML that is no RDF"])
def test_rdfxml_errors_give_line_and_column(tmp_path, text, where, why):
    """What rdflib's RDF/XML reader (export's) refuses; Oxigraph's reads both files as far as they go."""
    data = tmp_path / "broken.rdf"
    data.write_text(text)
    assert_one_line_error(run("export", "-f", "nt", "--data", data), f"{tmp_path / where}", why)


@pytest.mark.parametrize("suffix", [".ttl", ".nt"])
@pytest.mark.parametrize("command", [["query", "-e", "ASK {}"], ["validate", "--fresh"]])
def test_a_byte_order_mark_is_named(tmp_path, suffix, command):
    """Not "\ufeff is not a valid subject", with the invisible character in the message."""
    data = tmp_path / f"bom{suffix}"
    data.write_bytes(b"\xef\xbb\xbf" + f'<{EX}a> <{EX}p> "x" .\n'.encode())
    result = run(*command, *(["--data"] if command[0] == "query" else []), data)
    assert result.exit_code == 2
    assert f"{data}:1:1: it starts with a byte order mark (U+FEFF)" in result.output
    assert "\ufeff" not in result.output


# ---------------------------------------------------------------------------------------------
# one line, never a traceback

@pytest.mark.parametrize("iri", ["http://example.org/a b", "http://example.org/a\\u0000b", "http://example.org/a\\uD800b"],
                         ids=["space", "nul", "lone-surrogate"])
@pytest.mark.parametrize("fmt", ["nt", "json-ld", "csv"])
def test_export_refuses_an_iri_rdf_does_not_allow(tmp_path, iri, fmt):
    data = tmp_path / "bad-iri.ttl"
    data.write_text(f'<{iri}> <{EX}p> "x" .\n')
    out = tmp_path / f"out.{fmt}"
    assert_one_line_error(run("export", "-f", fmt, "--data", data, "-o", out), "cannot export the IRI")
    assert not out.exists()


def test_export_of_100000_deep_lists_is_one_line(tmp_path):
    data = tmp_path / "deep.ttl"
    data.write_text(f"<{EX}a> <{EX}p> " + "(" * 100_000 + '"x"' + ")" * 100_000 + " .\n")
    assert_one_line_error(run("export", "--data", data), "deep.ttl", "nested too deep")


def test_a_literal_over_16_megabytes_is_one_line(tmp_path):
    data = tmp_path / "huge.ttl"
    data.write_text(f'<{EX}a> <{EX}p> "{"x" * 17_000_000}" .\n')
    assert_one_line_error(run("query", "-e", "ASK { ?s ?p ?o }", "--data", data), "huge.ttl", "too long")


@pytest.mark.parametrize("command, beneath", [(["export", "-f", "nt"], "rdflib.plugins.parsers.notation3.BadSyntax"),
                                              (["query", "-e", "ASK {}"], "SyntaxError: Parser error at line 1")],
                         ids=["rdflib", "oxigraph"])
def test_debug_shows_the_parser_error_beneath_the_one_line(tmp_path, command, beneath):
    data = tmp_path / "bad.ttl"
    data.write_text(f"<{EX}a> <{EX}p> .\n")
    plain = run(*command, "--data", data)
    assert_one_line_error(plain, "bad.ttl:1:")
    debug = run("--debug", *command, "--data", data)
    assert debug.exit_code == 2 and debug.stderr.endswith(plain.stderr)
    assert beneath in debug.stderr and "direct cause of the following exception" in debug.stderr


def test_query_from_binary_standard_input_is_one_line():
    done = subprocess.run([sys.executable, "-m", "kgtool", "query", "-"], input=b"SELECT \xff\xfe\x00 *",
                          capture_output=True)
    assert done.returncode == 2
    assert done.stderr == b"error: standard input is not UTF-8 text (byte 8 is not): give the query as text\n"
