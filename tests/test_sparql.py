"""kgtool query: named queries locally and on a real endpoint, parameters bound safely, clear errors."""

from __future__ import annotations

import csv
import re
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgtool
from kgtool.cli import main
from kgtool.errors import EndpointError, QueryError
from kgtool.queries import catalogue
from tests.serving import free_port, http_server

NAMED = sorted(n for n in catalogue() if not n.startswith("checks/"))
GOLDEN = Path(__file__).parent / "golden"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def store():
    return kgtool.load_store()


# --- the catalogue ---------------------------------------------------------------------------

def test_at_least_25_named_queries_with_headers():
    assert len(NAMED) >= 25
    for name in NAMED:
        q = catalogue()[name]
        assert q.title and q.description, name
        assert "PREFIX" in q.text or "prefix" in q.text, f"{name} declares its own prefixes"


def test_queries_command_lists_names_titles_and_parameters():
    result = run("queries")
    assert result.exit_code == 0
    for name in NAMED:
        assert name in result.output
    assert "-p model" in result.output

def test_the_catalogue_is_read_once_and_shared_read_only():
    # the server asks for it on most pages: it is parsed once per process, and no caller can change it
    # for the others
    assert catalogue() is catalogue()
    with pytest.raises(TypeError):
        catalogue()["leaderboard"] = catalogue()["model-card"]  # type: ignore[index]
    assert catalogue()["leaderboard"].name == "leaderboard"



# --- golden results --------------------------------------------------------------------------

# no two sources disagree on a bundled result yet; tests/test_tables.py gives this query a disagreement
MAY_BE_EMPTY = {"result-disagreements"}

@pytest.mark.parametrize("name", NAMED)
def test_named_query_matches_golden(name, store):
    from kgtool.results import render

    result = kgtool.run_query(name, store=store)
    rendered = render(result, "tsv" if result.kind == "select" else "nt" if result.kind == "graph" else "table")
    if result.kind == "graph":
        rendered = "".join(sorted(rendered.splitlines(keepends=True)))
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("KGTOOL_UPDATE_GOLDEN") == "1":  # review the diff before committing it
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    if not golden.exists():
        pytest.fail(f"no golden result for {name}: run KGTOOL_UPDATE_GOLDEN=1 pytest tests/test_sparql.py")
    assert rendered == golden.read_text(encoding="utf-8")
    if name not in MAY_BE_EMPTY:
        assert result.boolean if result.kind == "ask" else len(result) > 0, f"{name} returns nothing on the bundled graph"


# --- local and remote agree ------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMED)
def test_same_rows_locally_and_on_oxigraph_server(name, store, oxigraph_endpoint):
    local = kgtool.run_query(name, store=store)
    remote = kgtool.run_query(name, endpoint=oxigraph_endpoint)
    assert local.kind == remote.kind
    if local.kind == "graph":
        assert sorted(local.triples, key=str) == sorted(remote.triples, key=str)
    elif local.kind == "ask":
        assert local.boolean == remote.boolean
    else:
        assert local.variables == remote.variables
        assert sorted(map(str, local.rows)) == sorted(map(str, remote.rows))


def test_remote_query_form_is_not_guessed_from_comments(oxigraph_endpoint, store):
    text = ("# title: Load test\n# description: Load, add, drop, create, select: words in a comment, a task\n"
            "PREFIX kg: <https://w3id.org/llmkg/ontology#>\n"
            "CONSTRUCT { ?m kg:contextLength ?n } WHERE { ?m kg:contextLength ?n }")
    remote = kgtool.run_query(text, endpoint=oxigraph_endpoint)
    local = kgtool.run_query(text, store=store)
    assert remote.kind == "graph" and sorted(remote.triples, key=str) == sorted(local.triples, key=str)


def test_parameters_bound_remotely(oxigraph_endpoint, store):
    local = kgtool.run_query("model-techniques", {"model": "LLaMA"}, store=store)
    remote = kgtool.run_query("model-techniques", {"model": "LLaMA"}, endpoint=oxigraph_endpoint)
    assert local.values() == remote.values() and len(local) > 5


# --- parameters ------------------------------------------------------------------------------

PAYLOADS = ['x" } UNION { ?s ?p ?o } #', 'x\\u0022 } UNION { ?s ?p ?o } #', "x' } UNION { ?s ?p ?o } #",
            'x> } UNION { ?s ?p ?o } #']


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_payloads_are_plain_values(payload, store, oxigraph_endpoint):
    query = ('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n'
             'SELECT ?label ?thing WHERE { ?thing rdfs:label ?label }')
    for kwargs in ({"store": store}, {"endpoint": oxigraph_endpoint}):
        result = kgtool.run_query(query, {"label": f'"{payload}"'}, **kwargs)
        assert len(result) == 0, kwargs        # no label has that text, and nothing else leaked in
        echo = kgtool.run_query("PREFIX x: <urn:x:> SELECT ?v WHERE { BIND(?v AS ?w) }", {"v": f'"{payload}"'}, **kwargs)
        assert [row["v"].value for row in echo.rows] == [payload], kwargs  # the value arrives unchanged


@pytest.mark.parametrize("value, why", [
    ("<https://w3id.org/llmkg/resource/lla ma>", "invalid IRI code point ' '"),
    ("<relative>", "no scheme found"),
    ("<>", "no scheme found"),
    ("<https://example.org/a\x01b>", "invalid IRI code point"),
    ('kgr:a"b', "invalid IRI code point '\"'"),
    ("https://example.org/a>b", "invalid IRI code point '>'"),
])
def test_a_value_that_is_no_iri_is_named_as_such(value, why, store, oxigraph_endpoint):
    """Not a syntax error in the named query, at a line and column the user never wrote."""
    for where in ({"store": store}, {"endpoint": oxigraph_endpoint}):
        with pytest.raises(QueryError) as err:
            kgtool.run_query("model-card", {"model": value}, **where)
        message = str(err.value)
        assert message.startswith(f"query model-card, parameter model: {value!r} is not an IRI (") and why in message
        assert "syntax error" not in message, where


def test_label_resolves_to_iri(store):
    result = kgtool.run_query("model-techniques", {"model": "LLaMA"}, store=store)
    assert any(row["technique"].value.endswith("/rope") for row in result.rows)


def test_ambiguous_label_is_an_error():
    extra = Path(__file__).parent / "data" / "ambiguous.ttl"
    with pytest.raises(QueryError, match="ambiguous.*twin-1.*twin-2"):
        kgtool.run_query("SELECT ?m WHERE { ?m ?p ?o }", {"m": "Twin"}, extra=[extra])


def test_missing_parameter_says_which_and_shows_an_example():
    path = Path(__file__).parent / "data" / "needs-model.rq"
    result = run("query", str(path))
    assert result.exit_code == 2
    assert "needs the parameter 'model'" in result.output and "for example: kgtool query needs-model -p model=" in result.output
    ok = run("query", str(path), "-p", "model=LLaMA", "-f", "csv")
    assert ok.exit_code == 0 and "llama-65b" in ok.output


def test_an_empty_value_leaves_a_parameter_unbound(store):
    one = kgtool.run_query("findings", store=store)
    every = kgtool.run_query("findings", {"model": ""}, store=store)
    assert {row["model"].value for row in one.rows} == {"https://w3id.org/llmkg/resource/palm"}
    models = {row["model"].value.rsplit("/", 1)[-1] for row in every.rows}
    assert {"palm", "blip-2", "gpt-3", "llama", "flamingo"} <= models
    assert {row["finding"] for row in one.rows} < {row["finding"] for row in every.rows}
    needed = run("query", str(Path(__file__).parent / "data" / "needs-model.rq"), "-p", "model=")
    assert needed.exit_code == 2 and "needs the parameter 'model'" in needed.output


def test_unknown_query_lists_closest_names():
    result = run("query", "model-technique")
    assert result.exit_code == 2 and "did you mean" in result.output and "model-techniques" in result.output


def test_a_name_with_a_query_keyword_is_still_a_name():
    result = run("query", "ask-the-graph")
    assert result.exit_code == 2 and "no query named 'ask-the-graph'" in result.output


def test_query_text_may_use_the_project_prefixes_undeclared(store):
    declared = kgtool.run_query("PREFIX kg: <https://w3id.org/llmkg/ontology#>\n"
                                "PREFIX kgr: <https://w3id.org/llmkg/resource/>\n"
                                "SELECT ?size WHERE { ?size kg:variantOf kgr:llama } ORDER BY ?size", store=store)
    undeclared = kgtool.run_query("SELECT ?size WHERE { ?size kg:variantOf kgr:llama } ORDER BY ?size", store=store)
    # the four sizes and LLaMA-I, the instruction-tuned 65B of the paper's Table 10
    assert len(declared.rows) == 5 and undeclared.rows == declared.rows


def test_syntax_error_names_line_column_and_query(tmp_path):
    bad = tmp_path / "broken.rq"
    bad.write_text("# title: broken\nSELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER (?o >)\n}\n")
    result = run("query", str(bad))
    assert result.exit_code == 2
    assert re.search(r"query broken: syntax error at line \d+, column \d+: expected", result.output)


def test_syntax_error_position_is_the_same_with_a_bound_parameter(tmp_path):
    # parameters are bound by a VALUES block inserted after the WHERE brace; the error must still
    # point into the query as written
    bad = tmp_path / "broken-line.rq"
    bad.write_text("# title: broken\n# param: m (optional) a model\nPREFIX kg: <https://w3id.org/llmkg/ontology#>\n"
                   "SELECT ?s WHERE { ?s kg:variantOf ?m . ?s nope:x ?o }\n")
    plain = run("query", str(bad))
    bound = run("query", str(bad), "-p", "m=kgr:llama")
    position = re.compile(r"syntax error at line (\d+), column (\d+)")
    assert plain.exit_code == bound.exit_code == 2
    assert position.search(plain.output).groups() == position.search(bound.output).groups() == ("4", "49")


def test_a_param_line_without_a_name_is_a_one_line_error(tmp_path):
    bad = tmp_path / "nameless.rq"
    bad.write_text("# title: nameless\n# param: (optional) a model\nSELECT (1 AS ?n) WHERE {}\n")
    result = run("query", str(bad))
    assert result.exit_code == 2
    assert "query nameless: the param line '(optional) a model' does not start with the variable's name" in result.output
    assert "Traceback" not in result.output


def test_a_named_query_edited_on_disk_is_read_again(tmp_path):
    from kgtool.queries import find

    path = tmp_path / "count.rq"
    path.write_text("# title: one\nSELECT (1 AS ?n) WHERE {}\n")
    assert find(str(path)).title == "one"
    path.write_text("# title: the second\nSELECT (2 AS ?n) WHERE {}\n")
    assert find(str(path)).title == "the second"
    assert kgtool.run_query(str(path)).rows[0]["n"].value == "2"


# --- a page of a long answer -----------------------------------------------------------------

def test_limit_keeps_the_first_rows_in_order_locally_and_remotely(store, oxigraph_endpoint):
    full = kgtool.run_query("results-with-settings", store=store)
    assert len(full) > 10 and not full.truncated
    for kwargs in ({"store": store}, {"endpoint": oxigraph_endpoint}):
        page = kgtool.run_query("results-with-settings", limit=10, **kwargs)
        assert page.values() == full.values()[:10], kwargs
        assert page.truncated and page.variables == full.variables
        whole = kgtool.run_query("results-with-settings", limit=len(full), **kwargs)
        assert whole.values() == full.values() and not whole.truncated


def test_limit_applies_to_triples_and_not_to_ask(store):
    graph = kgtool.run_query("model-neighbourhood", store=store)
    page = kgtool.run_query("model-neighbourhood", store=store, limit=3)
    assert len(page) == 3 and page.truncated and set(page.triples) <= set(graph.triples)
    assert kgtool.run_query("is-multimodal", store=store, limit=1).boolean is True


@pytest.mark.parametrize("limit", [0, -5, True, 2.5, "10"])
def test_limit_must_be_a_positive_whole_number(limit, store):
    with pytest.raises(QueryError, match="limit must be a whole number"):
        kgtool.run_query("papers", store=store, limit=limit)


# --- output formats parse back ---------------------------------------------------------------

def test_formats_parse_back_with_standard_parsers():
    args = ["query", "models-by-organization"]
    as_json = json.loads(run(*args, "-f", "json").output)
    rows = as_json["results"]["bindings"]
    assert rows and set(as_json["head"]["vars"]) >= {"model", "organization"}
    as_csv = list(csv.DictReader(io.StringIO(run(*args, "-f", "csv").output)))
    assert len(as_csv) == len(rows)
    tsv = run(*args, "-f", "tsv").output.splitlines()
    assert tsv[0].startswith("?") and len(tsv) == len(rows) + 1
    root = ET.fromstring(run(*args, "-f", "xml").output)
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    assert len(root.findall("s:results/s:result", ns)) == len(rows)
    from rdflib.plugins.sparql.results.jsonresults import JSONResultParser
    from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

    assert len(JSONResultParser().parse(io.StringIO(run(*args, "-f", "json").output))) == len(rows)
    assert len(XMLResultParser().parse(io.BytesIO(run(*args, "-f", "xml").output.encode()))) == len(rows)
    markdown = run(*args, "-f", "markdown").output.splitlines()
    assert markdown[1].startswith("|---") and len(markdown) == len(rows) + 2


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("nt", "nt"), ("json-ld", "json-ld")])
def test_construct_formats_parse_back(fmt, rdflib_format):
    from rdflib import Graph

    query = ("PREFIX kg: <https://w3id.org/llmkg/ontology#>\n"
             "CONSTRUCT { ?m kg:parameterCount ?n } WHERE { ?m kg:parameterCount ?n }")
    result = run("query", "-e", query, "-f", fmt)
    assert result.exit_code == 0, result.output
    g = Graph().parse(data=result.output, format=rdflib_format)
    assert len(g) > 20


def test_ask_exit_codes():
    assert run("query", "-e", "ASK { ?s ?p ?o }").exit_code == 0
    result = run("query", "-e", "ASK { <urn:nothing> ?p ?o }")
    assert result.exit_code == 1 and result.output.strip() == "false"


def test_table_is_aligned_with_readable_numbers():
    result = run("query", "-e", "PREFIX kg: <https://w3id.org/llmkg/ontology#> "
                 "SELECT ?model ?n WHERE { ?model kg:parameterCount ?n } ORDER BY DESC(?n) LIMIT 2")
    lines = result.output.splitlines()
    assert "540,350,000,000" in result.output and "PaLM 540B" in result.output
    assert len({len(l) for l in lines[2:4]}) == 1 and lines[-1] == "(2 rows)"
    iris = run("query", "--iris", "-e", "PREFIX kg: <https://w3id.org/llmkg/ontology#> "
               "SELECT ?model ?n WHERE { ?model kg:parameterCount ?n } ORDER BY DESC(?n) LIMIT 2")
    assert "kgr:palm-540b" in iris.output and "PaLM 540B" not in iris.output


def test_stdin_query():
    result = CliRunner().invoke(main, ["query", "-"], input="ASK { ?s ?p ?o }")
    assert result.exit_code == 0 and result.output.strip() == "true"


# --- inference -------------------------------------------------------------------------------

# The OWL-RL closure takes minutes on a cache that does not hold it yet: the tests that need it run on one
# worker, so that the first builds it into the cache and the others read it.
@pytest.mark.xdist_group("closure")
def test_infer_changes_the_answer():
    query = ("PREFIX kg: <https://w3id.org/llmkg/ontology#>\n"
             "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a kg:Model }")
    plain = kgtool.run_query(query)
    inferred = kgtool.run_query(query, infer=True)
    assert int(inferred.rows[0]["n"].value) > int(plain.rows[0]["n"].value)


# --- what a plain query imports ---------------------------------------------------------------

@pytest.mark.parametrize("command,heavy", [
    (["query", "models-by-organization"],
     ["rdflib", "pyshacl", "owlrl", "networkx", "pyvis", "SPARQLWrapper", "starlette", "uvicorn", "fastapi"]),
    (["--help"], ["rdflib", "pyoxigraph", "pyshacl", "owlrl", "networkx", "pyvis", "jinja2", "playwright"]),
], ids=["query", "help"])
def test_a_command_imports_only_what_it_uses(command, heavy):
    code = (f"import sys; from kgtool.cli import main\ntry:\n    main({command!r})\nexcept SystemExit:\n    pass\n"
            f"print('HEAVY', [m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out


# --- endpoints that fail ---------------------------------------------------------------------

class _Faulty(BaseHTTPRequestHandler):
    """A loopback HTTP server that answers like a broken endpoint (faults an Oxigraph server will not make)."""

    def handle(self):
        try:
            super().handle()
        except ConnectionError:  # the client left at its size cap or deadline, as it should
            pass

    def do_GET(self):  # noqa: N802
        if self.path.startswith("/html"):
            self._send(200, "text/html", b"<html><body>Login required</body></html>")
        elif self.path.startswith("/garbage"):
            self._send(200, "application/sparql-results+json", b"\x00\x01 not json at all")
        elif self.path.startswith("/huge"):
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            for _ in range(200):
                self.wfile.write(b" " * 65536)
        elif self.path.startswith("/slow"):
            import time

            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.1)
        elif self.path.startswith("/error"):
            self._send(500, "text/plain", b"internal error")
        elif self.path.startswith("/bomb"):  # RDF/XML whose entities expand to gigabytes (a "billion laughs")
            levels = "".join(f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
            self._send(200, "application/rdf+xml", (
                f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e0 "laugh">{levels}]>'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e/">'
                '<rdf:Description rdf:about="http://e/a"><ex:p>&e9;</ex:p></rdf:Description></rdf:RDF>').encode())
        elif self.path.startswith(("/to-a-file", "/to-ftp")):  # urllib follows ftp: and refuses file: itself
            self.send_response(302)
            self.send_header("Location", "file:///etc/hostname" if "file" in self.path else "ftp://127.0.0.1:9/x")
            self.end_headers()

    do_POST = do_GET

    def _send(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def faulty():
    with http_server(_Faulty) as url:
        yield url


@pytest.mark.parametrize("path,expected", [("/html", "not SPARQL results"), ("/garbage", "not SPARQL results"),
                                           ("/error", "500"), ("/slow", "within 1 s")])
def test_faulty_endpoints_give_clear_errors(faulty, path, expected):
    with pytest.raises(EndpointError) as err:
        kgtool.run_query("ASK { ?s ?p ?o }", endpoint=faulty + path, timeout=1.0)
    assert faulty + path in str(err.value) and expected in str(err.value)


def test_huge_answer_is_capped(faulty):
    with pytest.raises(EndpointError, match="larger than 1 MB"):
        kgtool.run_query("ASK { ?s ?p ?o }", endpoint=faulty + "/huge", max_bytes=1024 * 1024)


def test_an_answer_whose_entities_expand_without_bound_is_refused(faulty):
    """As a data file is: an endpoint's RDF/XML answer of 1 KB would otherwise expand to gigabytes."""
    with pytest.raises(EndpointError, match="expands to more than 65,536 characters"):
        kgtool.run_query("CONSTRUCT WHERE { ?s ?p ?o }", endpoint=faulty + "/bomb", timeout=10.0)


def test_a_redirect_is_followed_to_http_urls_only(faulty):
    with pytest.raises(EndpointError, match="redirected to ftp://127.0.0.1:9/x, which is not followed"):
        kgtool.run_query("ASK { ?s ?p ?o }", endpoint=faulty + "/to-ftp", timeout=5.0)
    with pytest.raises(EndpointError, match="Redirection to url 'file:///etc/hostname' is not allowed"):
        kgtool.run_query("ASK { ?s ?p ?o }", endpoint=faulty + "/to-a-file", timeout=5.0)


@pytest.mark.parametrize("url, why", [
    ("file:///etc/hostname", "not an http:// or https:// URL"),
    ("FILE:///etc/hostname", "not an http:// or https:// URL"),
    ("data:,hello", "not an http:// or https:// URL"),
    ("ftp://127.0.0.1/sparql", "not an http:// or https:// URL"),
    ("not a url", "not an http:// or https:// URL"),
    ("http:///sparql", "with a host"),
    ("http://[::1/sparql", "not a URL (Invalid IPv6 URL)"),
    ("http://127.0.0.1:port/sparql", "not a URL (Port could not be cast"),
])
@pytest.mark.parametrize("command", [
    ["query", "models"], ["stats"], ["pull", "--query", "model-neighbourhood", "-o", "out.nt"], ["push"],
], ids=["query", "stats", "pull", "push"])
def test_an_endpoint_is_an_http_url(url, why, command, tmp_path, monkeypatch):
    """urllib opens file:, data: and ftp: URLs too: an endpoint that is none of http and https is refused
    before anything is opened, in one line that names it."""
    monkeypatch.chdir(tmp_path)
    result = run(*command, "--to" if command == ["push"] else "--endpoint", url)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {url}: ") and why in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option, env", [(["--debug"], {}), ([], {"KGTOOL_DEBUG": "1"})], ids=["option", "variable"])
def test_unreachable_endpoint_exit_2_and_debug_shows_the_urllib_error_beneath(option, env):
    url = f"http://127.0.0.1:{free_port()}/sparql"
    result = run("query", "models-by-organization", "--endpoint", url)
    assert result.exit_code == 2 and url in result.stderr and "cannot connect" in result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    debug = CliRunner(env=env).invoke(main, [*option, "query", "models-by-organization", "--endpoint", url])
    assert debug.exit_code == 2 and debug.stderr.endswith(result.stderr)
    assert "urllib.error.URLError" in debug.stderr and "direct cause of the following exception" in debug.stderr


def test_limit_option_prints_the_first_rows_and_says_more_exist():
    full = list(csv.reader(io.StringIO(run("query", "findings", "-f", "csv").stdout)))
    cut = run("query", "findings", "-f", "csv", "--limit", "3")
    assert cut.exit_code == 0, cut.output
    assert list(csv.reader(io.StringIO(cut.stdout))) == full[:4]  # header and the first three rows
    assert "showing the first 3 rows; more exist" in cut.stderr
    assert "showing the first 1 row; more exist" in run("query", "findings", "--limit", "1").stderr
    whole = run("query", "findings", "-f", "csv", "--limit", str(len(full)))
    assert "more exist" not in whole.stderr
