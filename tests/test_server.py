"""The SPARQL endpoint and its pages: in-process through Starlette's TestClient, and as a real `kgtool serve`
process for SPARQLWrapper, rdflib's SPARQLStore and the safety cases."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import socket
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kgtool.namespaces import KG, KGR, PREFIXES
from kgtool.results import render_graph
from kgtool.server.app import INLINE_CHECK_CHARS
from kgtool.sparql import run_query
from tests.html_pages import Page
from tests.serving import loopback_listener, running_server

DATA = Path(__file__).resolve().parent / "data"
RESULTS = "{http://www.w3.org/2005/sparql-results#}"
SIZES = "SELECT ?model ?count WHERE { ?model kg:parameterCount ?count } ORDER BY ?model ?count"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TOKEN = "a-long-random-update-token-0123456789"

# one worker runs this module: its app's query workers and its real server (below) are started once
pytestmark = pytest.mark.xdist_group("test_server")


@pytest.fixture(scope="module")
def store():
    from kgtool.store import load_store

    return load_store([DATA / "ambiguous.ttl", DATA / "hostile.ttl"])


def _client(data, **settings):
    from kgtool.server import Settings, create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette would rather have httpx2 drive its TestClient
        from starlette.testclient import TestClient

        return TestClient(create_app(data, Settings(**{"timeout": 10.0, **settings})))


@pytest.fixture(scope="module")
def client(store):
    with _client(store) as client:
        yield client


@pytest.fixture(scope="module")
def served_graph(store):
    """What the server holds, as the rdflib graph a release is built from."""
    from kgtool.persistent import graph_of

    return graph_of(store)


def local(store, text):
    return run_query(text, store=store)


def json_rows(response) -> list[tuple]:
    document = response.json()
    names = document["head"]["vars"]
    return [tuple(b[v]["value"] if v in b else None for v in names) for b in document["results"]["bindings"]]


def rdf(data: bytes | str, fmt: str):
    from rdflib import Graph

    return Graph().parse(data=data, format=fmt)


def local_graph(store, text):
    return rdf(render_graph(local(store, text), "nt"), "nt")


# --- the SPARQL 1.1 Protocol ------------------------------------------------------------------

def test_get_post_form_and_post_query_give_the_local_rows(client, store):
    expected = local(store, SIZES).values()
    assert len(expected) > 20
    answers = [
        client.get("/sparql", params={"query": SIZES}),
        client.post("/sparql", data={"query": SIZES}),
        client.post("/sparql", content=SIZES, headers={"Content-Type": "application/sparql-query"}),
    ]
    for response in answers:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/sparql-results+json"
        assert json_rows(response) == expected


@pytest.mark.parametrize("accept,media_type", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("application/json;q=0.5, text/csv;q=0.9", "text/csv; charset=utf-8"),
    (None, "application/sparql-results+json"),
])
def test_select_in_each_results_format(client, store, accept, media_type):
    expected = local(store, SIZES).values()
    headers = {"Accept": accept} if accept else {}
    response = client.post("/sparql", data={"query": SIZES}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["vary"] == "Accept"
    if media_type.startswith("application/sparql-results+json"):
        assert json_rows(response) == expected
    elif "xml" in media_type:
        results = ET.fromstring(response.content).find(f"{RESULTS}results")
        rows = [tuple(b.find("*").text for b in r.findall(f"{RESULTS}binding")) for r in results]
        assert rows == expected
    elif media_type.startswith("text/csv"):
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["model", "count"]
        assert [tuple(r) for r in rows[1:]] == expected
    else:
        lines = response.text.splitlines()
        assert lines[0].split("\t") == ["?model", "?count"]
        assert [tuple(line.split("\t")) for line in lines[1:]] == [
            (f"<{model}>", count) for model, count in expected]  # Turtle syntax: integers written bare


def test_ask_answers_true_or_false(client):
    yes = client.get("/sparql", params={"query": "ASK { kgr:gpt-4 a kg:VisionLanguageModel }"})
    no = client.get("/sparql", params={"query": "ASK { kgr:llama a kg:VisionLanguageModel }"},
                    headers={"Accept": "application/sparql-results+xml"})
    assert yes.json() == {"head": {}, "boolean": True}
    assert ET.fromstring(no.content).find(f"{RESULTS}boolean").text == "false"


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                        ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_construct_in_each_graph_format(client, store, accept, fmt):
    from rdflib.compare import isomorphic

    text = client.get("/queries/model-neighbourhood.rq").text
    expected = local_graph(store, text)
    assert len(expected) > 50
    response = client.post("/sparql", data={"query": text}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert isomorphic(rdf(response.content, fmt), expected)


def test_graph_uris_of_the_protocol_pick_the_dataset():
    import pyoxigraph as ox

    store = ox.Store()
    for graph, name in (("http://example.org/g/one", "one"), ("http://example.org/g/two", "two")):
        store.add(ox.Quad(ox.NamedNode(f"urn:x:{name}"), ox.NamedNode("urn:x:in"), ox.Literal(name),
                          ox.NamedNode(graph)))
    query = "SELECT ?o WHERE { ?s ?p ?o }"
    with _client(store, workers=1) as client:
        assert json_rows(client.get("/sparql", params={"query": query})) == []
        one = client.get("/sparql", params={"query": query, "default-graph-uri": "http://example.org/g/one"})
        assert json_rows(one) == [("one",)]
        named = client.post("/sparql", data={"query": "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                                             "named-graph-uri": "http://example.org/g/two"})
        assert json_rows(named) == [("http://example.org/g/two", "two")]
        from_clause = client.get("/sparql", params={"query": "SELECT ?o FROM <http://example.org/g/two> WHERE { ?s ?p ?o }"})
        assert json_rows(from_clause) == [("two",)]
        unknown = client.get("/sparql", params={"query": query, "default-graph-uri": "file:///etc/passwd"})
        assert unknown.status_code == 400
        assert "<file:///etc/passwd>, which is not a graph of this dataset" in unknown.text
        assert "<http://example.org/g/one>" in unknown.text


# --- errors: a status and one line, never a traceback -----------------------------------------------

@pytest.mark.parametrize("request_args,status,message", [
    ({"params": {"query": "SELECT * WHERE {\n  ?s ?p\n}"}}, 400, "syntax error at line 3, column "),
    ({"params": {"query": "SELECT * WHERE { ?s ex:p ?o }"}}, 400, "the prefix ex: is not declared"),
    ({"params": {"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}}, 400,
     "FROM <file:///etc/passwd> at line 1, column 10: not a graph of this dataset"),
    ({"params": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}}, 403,
     "SERVICE at line 1, column 18 is not allowed"),
    # a long text is checked on a thread, a short one on the event loop: the same rules
    ({"params": {"query": "#" + "x" * INLINE_CHECK_CHARS
                          + "\nSELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}},
     403, "SERVICE at line 2, column 18 is not allowed"),
    ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400, "give one query"),
    ({"params": {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"}, "headers": {"Accept": "text/csv"}}, 406,
     "text/turtle, application/n-triples"),
    ({"params": {"query": "ASK { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }"}}, 400, "levels deep"),
])
def test_bad_queries_get_a_readable_one_line_answer(client, request_args, status, message):
    response = client.get("/sparql", **request_args)
    assert response.status_code == status
    assert message in response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.count("\n") == 1 and "Traceback" not in response.text


def test_post_errors(client):
    empty = client.post("/sparql", data={"other": "1"})
    assert empty.status_code == 400 and "no query" in empty.text
    wrong_type = client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    not_utf8 = client.post("/sparql", content=b"ASK { \xff }", headers={"Content-Type": "application/sparql-query"})
    assert not_utf8.status_code == 400 and "not UTF-8" in not_utf8.text
    # a query in the body and another in the URL are two: neither is silently dropped
    for kind, body in (("query", "ASK {}"), ("update", "INSERT DATA { <urn:x:a> <urn:x:b> 1 }")):
        two = client.post("/sparql?query=SELECT%20*%20%7B%7D", content=body,
                          headers={"Content-Type": f"application/sparql-{kind}"})
        assert two.status_code == 400 and "give one query (or one update) per request" in two.text, kind


def test_request_bodies_and_queries_are_capped(client):
    from kgtool.guard import MAX_QUERY_BYTES

    long_query = "ASK {}\n#" + "x" * MAX_QUERY_BYTES  # under the body cap, over the query cap
    too_long = client.post("/sparql", content=long_query, headers={"Content-Type": "application/sparql-query"})
    assert too_long.status_code == 413
    assert "the limit is 65,536 bytes" in too_long.text
    huge = client.post("/sparql", content=b"ASK {}\n#" + b"x" * (4 * MAX_QUERY_BYTES),
                       headers={"Content-Type": "application/sparql-query"})
    assert huge.status_code == 413
    assert "request body is larger than 262,144 bytes" in huge.text


def test_answers_are_capped(store):
    with _client(store, workers=1, max_result_bytes=20_000) as client:
        small = client.get("/sparql", params={"query": SIZES})
        assert small.status_code == 200 and len(small.content) < 20_000
        everything = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert everything.status_code == 422
        assert "larger than 20,000 bytes" in everything.text
        graph = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        assert graph.status_code == 422
        assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


# --- CORS -------------------------------------------------------------------------------------

def test_no_cors_headers_by_default(client):
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]
    preflight = client.options("/sparql", headers={"Origin": "https://elsewhere.example",
                                                   "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_only_for_the_configured_origins(store):
    with _client(store, workers=1, cors_origins=("https://allowed.example",)) as client:
        allowed = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://allowed.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
        assert "access-control-allow-credentials" not in allowed.headers
        other = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://other.example"})
        assert "access-control-allow-origin" not in other.headers


# --- updates ----------------------------------------------------------------------------------

INSERT = "INSERT DATA { kgr:added-by-update rdfs:label \"added\" }"
ADDED = "ASK { kgr:added-by-update rdfs:label \"added\" }"


def test_read_only_by_default(client):
    assert client.get("/sparql", params={"update": INSERT}).status_code == 400  # updates are POSTed
    response = client.post("/sparql", content=INSERT, headers={"Content-Type": "application/sparql-update",
                                                               "Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 403 and "read-only" in response.text
    assert client.get("/sparql", params={"query": ADDED}).json()["boolean"] is False


def test_updates_need_the_bearer_token_and_every_worker_sees_them(store):
    import pyoxigraph as ox

    own = ox.Store()
    own.extend(store.quads_for_pattern(None, None, None, None))
    with _client(own, allow_update=True, update_token=TOKEN) as client:
        headers = {"Content-Type": "application/sparql-update"}
        anonymous = client.post("/sparql", content=INSERT, headers=headers)
        assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
        wrong = client.post("/sparql", content=INSERT, headers={**headers, "Authorization": "Bearer wrong"})
        assert wrong.status_code == 401 and "not valid" in wrong.text
        load = client.post("/sparql", content="LOAD <file:///etc/passwd>",
                           headers={**headers, "Authorization": f"Bearer {TOKEN}"})
        assert load.status_code == 403 and "LOAD at line 1, column 1 is not allowed" in load.text
        broken = client.post("/sparql", content="INSERT DATA { oops }",
                             headers={**headers, "Authorization": f"Bearer {TOKEN}"})
        assert broken.status_code == 400 and "syntax error" in broken.text
        assert client.get("/sparql", params={"query": ADDED}).json()["boolean"] is False
        done = client.post("/sparql", data={"update": INSERT}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert done.status_code == 204
        # more queries than there are workers: each worker answers at least one
        assert [client.get("/sparql", params={"query": ADDED}).json()["boolean"] for _ in range(8)] == [True] * 8
        description = rdf(client.get("/sparql", headers={"Accept": "text/turtle"}).content, "turtle")
        languages = set(description.objects(predicate=_sd("supportedLanguage")))
        assert languages == {_sd("SPARQL11Query"), _sd("SPARQL11Update")}


def test_updates_in_a_row_leave_no_worker_without_its_data(caplog):
    """Each update replaces the idle workers, which load the data it wrote; the next update must not take
    that file away from a worker still loading it (the worker would fail, and be started again)."""
    import logging

    import pyoxigraph as ox

    own = ox.Store()
    own.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal(0)))
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}
    with caplog.at_level(logging.ERROR), _client(own, allow_update=True, update_token=TOKEN) as client:
        for n in range(1, 13):
            assert client.post("/sparql", content=f"INSERT DATA {{ <urn:x:s> <urn:x:p> {n} }}",
                               headers=headers).status_code == 204
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        answers = {client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"]["value"]
                   for _ in range(6)}
        assert answers == {"13"}
    assert not [r.getMessage() for r in caplog.records if "could not load" in r.getMessage()]


def test_updates_refused_without_a_token():
    from kgtool.errors import KgtoolError
    from kgtool.server import Settings, create_app

    with pytest.raises(KgtoolError, match="bearer token"):
        create_app(None, Settings(allow_update=True))


# --- self-descriptions ------------------------------------------------------------------------

def _sd(name: str) -> str:
    from rdflib import URIRef

    return URIRef("http://www.w3.org/ns/sparql-service-description#" + name)


def test_service_description_at_the_endpoint(client, store):
    from rdflib import RDF, URIRef

    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = rdf(response.content, "turtle")
    service = graph.value(predicate=RDF.type, object=_sd("Service"))
    assert graph.value(service, _sd("endpoint")) == URIRef("http://testserver/sparql")
    assert set(graph.objects(service, _sd("supportedLanguage"))) == {_sd("SPARQL11Query")}
    formats = {str(f).rsplit("/", 1)[1] for f in graph.objects(service, _sd("resultFormat"))}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
            "Turtle", "RDF_XML"} <= formats
    default_graph = graph.value(graph.value(service, _sd("defaultDataset")), _sd("defaultGraph"))
    void_triples = URIRef("http://rdfs.org/ns/void#triples")
    assert int(graph.value(default_graph, void_triples)) == len(store)
    # a browser asking for the endpoint gets the query page
    browser = client.get("/sparql", headers={"Accept": "text/html"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/"


def test_void_is_computed_from_the_data(client, store):
    from rdflib import Namespace, URIRef

    void = Namespace("http://rdfs.org/ns/void#")
    graph = rdf(client.get("/.well-known/void").content, "turtle")
    dataset = URIRef("https://w3id.org/llmkg/")
    assert int(graph.value(dataset, void.triples)) == len(store)
    classes = local(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }").values()[0][0]
    assert int(graph.value(dataset, void.classes)) == int(classes)
    assert graph.value(dataset, void.sparqlEndpoint) == URIRef("http://testserver/sparql")
    assert URIRef(KGR + "llama") in set(graph.objects(dataset, void.exampleResource))
    partitions = {graph.value(p, void["class"]): int(graph.value(p, void.entities))
                  for p in graph.objects(dataset, void.classPartition)}
    models = local(store, "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m a kg:LanguageModel }").values()[0][0]
    assert partitions[URIRef(KG + "LanguageModel")] == int(models)
    as_json_ld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert len(rdf(as_json_ld.content, "json-ld")) == len(graph)


# --- named queries ----------------------------------------------------------------------------

def test_named_queries_are_listed_with_their_parameters(client):
    from kgtool.queries import catalogue

    listed = {q["name"]: q for q in client.get("/queries").json()}
    assert set(listed) == {name for name in catalogue() if not name.startswith("checks/")}
    assert [p["name"] for p in listed["leaderboard"]["params"]] == ["benchmark", "setting", "metric", "parts", "subsets"]
    assert listed["leaderboard"]["params"][0]["default"] == "kgr:coqa"


def test_a_named_query_bound_by_label_gives_the_local_rows(client, store):
    text = client.get("/queries/leaderboard.rq", params={"benchmark": "TriviaQA"})
    assert text.status_code == 200
    assert f"VALUES (?benchmark) {{ (<{KGR}triviaqa>) }}" in text.text
    expected = run_query("leaderboard", {"benchmark": "TriviaQA"}, store=store).values()
    assert expected and json_rows(client.post("/sparql", data={"query": text.text})) == expected


def test_named_query_errors(client):
    ambiguous = client.get("/queries/leaderboard.rq", params={"benchmark": "Twin"})
    assert ambiguous.status_code == 400 and "ambiguous" in ambiguous.text and "twin-1" in ambiguous.text
    unknown = client.get("/queries/leaderboard.rq", params={"nonsense": "1"})
    assert unknown.status_code == 400 and "has no parameter nonsense" in unknown.text
    assert client.get("/queries/no-such-query.rq").status_code == 404


# --- pages ------------------------------------------------------------------------------------

def test_entity_page_for_browsers(client):
    response = client.get("/resource/llama", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page = Page(response.text)
    assert page.title.startswith("LLaMA")
    facts = page.ids["facts"]["rows"]
    developer = next(row for row in facts if row.startswith("developed by"))
    assert "Meta AI" in developer and "facebookresearch/llama" in developer  # the value and its source
    assert ("/resource/meta-ai", "Meta AI") in page.links
    incoming = page.ids["incoming"]["rows"]
    assert any(row.startswith("variant of") for row in incoming) and "LLaMA-65B" in incoming
    assert ("/resource/llama-65b", "LLaMA-65B") in page.links
    graph = json.loads(page.ids["graph-data"]["text"])  # in the shape the shared view script reads
    pages = {node[4]: i for i, node in enumerate(graph["nodes"])}
    assert {"/resource/llama", "/resource/meta-ai", "/resource/llama-65b"} <= set(pages)
    assert graph["nodes"][0][:2] == ["LLaMA", 0] and graph["classes"][0]["label"] == "this resource"
    variant_of = graph["properties"].index("variant of")
    assert [pages["/resource/llama-65b"], pages["/resource/llama"], variant_of, ""] in graph["edges"]
    scripts = [s["attrs"].get("src") for s in page.scripts if s["attrs"].get("src")]
    assert scripts[:2] == ["/static/vendor/vis-network.min.js", "/static/app/view.js"]
    # LLaMA's results are charted in its infobox, by the bundled Vega and the page's chart script
    assert [s.split("?")[0] for s in scripts[2:]] == ["/static/app/vega.js", "/static/app/chart.js"]


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                        ("application/n-triples", "nt"), ("*/*", "turtle")])
def test_entity_as_rdf(client, accept, fmt):
    from rdflib import URIRef

    response = client.get("/resource/llama", headers={"Accept": accept})
    assert response.status_code == 200
    graph = rdf(response.content, fmt)
    llama = URIRef(KGR + "llama")
    assert (llama, URIRef(KG + "developedBy"), URIRef(KGR + "meta-ai")) in graph
    assert (URIRef(KGR + "llama-65b"), URIRef(KG + "variantOf"), llama) in graph
    statements = set(graph.subjects(URIRef(PREFIXES["rdf"] + "subject"), llama))
    assert statements and all(graph.value(s, URIRef(KG + "source")) is not None for s in statements)


def test_entity_paths_with_slashes_and_missing_entities(client):
    status = client.get("/resource/status/rumoured", headers={"Accept": "text/html"})
    assert status.status_code == 200 and Page(status.text).title.startswith("rumoured")
    assert client.get("/resource/status/rumoured", params={"format": "nt"}).headers["content-type"] == \
        "application/n-triples"
    missing = client.get("/resource/no-such-thing", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and Page(missing.text).title.startswith("Not found")
    assert f"No triple mentions {KGR}no-such-thing." in " ".join(Page(missing.text).ids["missing"]["text"].split())
    for accept in ("text/turtle", "application/rdf+xml", "application/ld+json"):
        assert client.get("/resource/no-such-thing", headers={"Accept": accept}).status_code == 404


def test_text_from_the_data_never_becomes_markup(client):
    response = client.get("/resource/hostile-label", headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.text
    assert "<script>window.pwned" not in html and "<img src=x" not in html and "<b>bold" not in html
    page = Page(html)
    assert page.ids["facts"]["text"].count("</script><script>window.pwned = 1</script>") == 1  # shown as text
    assert [s["attrs"].get("type") for s in page.scripts if "src" not in s["attrs"]] == ["application/json"]
    assert all(not (href or "").lower().startswith("javascript:") for href, _ in page.links)
    graph = json.loads(page.ids["graph-data"]["text"])
    assert graph["nodes"][0][0] == "</script><script>window.pwned = 1</script><b>bold</b>"


def test_ontology_page_and_rdf(client):
    from rdflib import OWL, RDF, URIRef

    page = Page(client.get("/ontology", headers={"Accept": "text/html"}).text)
    assert page.title.startswith("LLM knowledge graph ontology")
    assert "Model" in page.ids and "kg:Model" in page.ids["Model"]["text"]
    assert ("#LanguageModel", "kg:LanguageModel") in page.links
    assert "developedBy" in page.ids and "domain" in page.ids["developedBy"]["text"]
    graph = rdf(client.get("/ontology", headers={"Accept": "text/turtle"}).content, "turtle")
    assert (URIRef(KG + "Model"), RDF.type, OWL.Class) in graph
    assert (URIRef(KG.rstrip("#")), RDF.type, OWL.Ontology) in graph
    assert not set(graph.subjects(RDF.type, URIRef(KG + "LanguageModel")))  # terms only, no data


def test_query_page_lists_the_named_queries_and_loads_nothing_from_elsewhere(client):
    from kgtool.queries import catalogue

    response = client.get("/query")
    page = Page(response.text)
    listed = json.loads(page.ids["catalogue"]["text"])
    assert [q["name"] for q in listed] == [n for n in catalogue() if not n.startswith("checks/")]
    sources = [s["attrs"]["src"] for s in page.scripts if "src" in s["attrs"]]
    assert sources == ["/static/vendor/vis-network.min.js", "/static/app/view.js", "/static/app/vega.js",
                       "/static/app/chart.js", "/static/editor.js", "/static/query.js"]
    # the parameter fields offer the labels of the type their query expects (the range of kg:benchmark)
    choices = json.loads(page.ids["choices"]["text"])
    assert "CoQA" in choices["leaderboard/benchmark"] and "LLaMA" not in choices["leaderboard/benchmark"]
    assert "LLaMA-65B" in choices["results-with-settings/model"]
    assert "http://" not in response.text.split("<main>")[0] and "https://" not in response.text.split("<main>")[0]


def test_vis_network_comes_from_the_installed_pyvis(client):
    from importlib.resources import files

    vis = files("pyvis").joinpath("lib", "vis-9.1.2")
    script = client.get("/static/vendor/vis-network.min.js")
    assert script.status_code == 200 and script.content == vis.joinpath("vis-network.min.js").read_bytes()
    style = client.get("/static/vendor/vis-network.css")
    assert style.headers["content-type"].startswith("text/css")
    assert style.content == vis.joinpath("vis-network.css").read_bytes()
    assert client.get("/static/vendor/../../app.py").status_code == 404


# --- a real server: real clients --------------------------------------------------------------

@pytest.fixture(scope="module")
def server():
    with running_server("--query-timeout", "3", "--workers", "2", "--worker-memory-mb", "512", "--client-timeout", "1",
                        str(DATA / "ambiguous.ttl"), str(DATA / "hostile.ttl")) as server:
        yield server


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 30):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def query_url(server, text: str) -> str:
    return f"{server.sparql}?{urllib.parse.urlencode({'query': text})}"


def test_sparqlwrapper_gets_the_local_rows(server, store):
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

    text = "PREFIX kg: <https://w3id.org/llmkg/ontology#>\n" + SIZES
    for method in ("GET", POST):
        wrapper = SPARQLWrapper(server.sparql)
        wrapper.setQuery(text)
        wrapper.setMethod(method)
        wrapper.setReturnFormat(JSON)
        bindings = wrapper.query().convert()["results"]["bindings"]
        assert [(b["model"]["value"], b["count"]["value"]) for b in bindings] == local(store, SIZES).values()
    from rdflib.compare import isomorphic

    construct = "CONSTRUCT { ?m kg:developedBy ?o } WHERE { ?m kg:developedBy ?o }"
    wrapper = SPARQLWrapper(server.sparql)
    wrapper.setQuery("PREFIX kg: <https://w3id.org/llmkg/ontology#>\n" + construct)
    wrapper.setReturnFormat(TURTLE)
    assert isomorphic(rdf(wrapper.query().convert(), "turtle"), local_graph(store, construct))


def test_rdflib_sparqlstore_gets_the_local_rows(server, store):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    remote = Graph(store=SPARQLStore(server.sparql))
    text = "PREFIX kg: <https://w3id.org/llmkg/ontology#>\n" + SIZES
    rows = [(str(m), str(c)) for m, c in remote.query(text)]
    assert rows == local(store, SIZES).values()
    assert remote.query("ASK { <https://w3id.org/llmkg/resource/llama> ?p ?o }").askAnswer is True


OUTBOUND = {
    "SERVICE": "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "SERVICE SILENT glued": "PREFIX : <{url}/> SELECT * WHERE { SeRvIcE SILENT:x { ?s ?p ?o } }",
    "FROM": "SELECT * FROM <{url}/data.ttl> WHERE { ?s ?p ?o }",
    "FROM NAMED": "SELECT * FROM NAMED <{url}/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "LOAD as a query": "LOAD <{url}/data.ttl>",
}


def test_no_payload_makes_the_server_call_out(server):
    with loopback_listener() as listener:
        socket.create_connection(("127.0.0.1", listener.port)).close()  # the listener does record connections
        time.sleep(0.3)
        assert len(listener.connections) == 1
        answers = {}
        for name, payload in OUTBOUND.items():
            text = payload.replace("{url}", listener.url)
            answers[name] = fetch(query_url(server, text))
            answers[f"{name} (POST)"] = fetch(server.sparql, text.encode(), {"Content-Type": "application/sparql-query"})
        update = f"LOAD <{listener.url}/data.ttl>"
        answers["LOAD as an update"] = fetch(server.sparql, update.encode(),
                                             {"Content-Type": "application/sparql-update"})
        answers["default-graph-uri"] = fetch(f"{server.sparql}?" + urllib.parse.urlencode(
            {"query": "ASK { ?s ?p ?o }", "default-graph-uri": f"{listener.url}/data.ttl"}))
        time.sleep(0.5)
    assert {name: status for name, (status, _) in answers.items()} == {
        "SERVICE": 403, "SERVICE (POST)": 403, "SERVICE SILENT glued": 403, "SERVICE SILENT glued (POST)": 403,
        "FROM": 400, "FROM (POST)": 400, "FROM NAMED": 400, "FROM NAMED (POST)": 400,
        "LOAD as a query": 403, "LOAD as a query (POST)": 403, "LOAD as an update": 403, "default-graph-uri": 400}
    assert len(listener.connections) == 1  # only the proof


def test_from_a_local_file_returns_an_error_and_no_content(server):
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    for text in ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
                 "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
                 "PREFIX f: <file:///etc/> SELECT * WHERE { GRAPH f:passwd { ?s ?p ?o } }"):
        status, body = fetch(query_url(server, text))
        assert passwd.encode() not in body and b"root:" not in body
        if "GRAPH f:" in text:  # a graph pattern reads the store, never a file: no rows
            assert status == 200 and json.loads(body)["results"]["bindings"] == []
        else:
            assert status == 400 and b"not a graph of this dataset" in body


def wait_for_workers(server, count: int, changed_from: set[int] | None = None) -> set[int]:
    """The server's worker processes, once there are ``count`` of them (and they differ from ``changed_from``)."""
    deadline = time.monotonic() + 20
    while True:
        pids = server.worker_pids()
        if (len(pids) == count and pids != changed_from) or time.monotonic() > deadline:
            return pids
        time.sleep(0.1)


def test_the_deadline_stops_the_query_and_its_worker(server):
    before = wait_for_workers(server, 3)
    assert len(before) == 3, before
    started = time.monotonic()
    status, body = fetch(query_url(server, HEAVY))
    elapsed = time.monotonic() - started
    assert status == 504 and b"did not finish within 3 s and was stopped" in body, (status, body)
    assert 2.9 < elapsed < 6, elapsed
    after = wait_for_workers(server, 3, changed_from=before)
    killed = before - after
    assert len(after) == 3 and len(killed) == 1, (before, after)  # one killed, a fresh one in its place
    assert not Path(f"/proc/{killed.pop()}").exists()


def test_a_trivial_query_is_not_blocked_by_heavy_ones(server):
    assert len(wait_for_workers(server, 3)) == 3
    heavy: dict[int, tuple] = {}

    def run_heavy(index):
        heavy[index] = fetch(query_url(server, HEAVY)) + (time.monotonic(),)

    threads = [threading.Thread(target=run_heavy, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # both now count as long queries: they hold every worker but the reserve
    latencies, answered = [], []
    for _ in range(7):
        started = time.monotonic()
        status, body = fetch(query_url(server, "ASK { kgr:llama ?p ?o }"))
        latencies.append(time.monotonic() - started)
        answered.append(time.monotonic())
        assert status == 200 and json.loads(body)["boolean"] is True
    third = fetch(query_url(server, HEAVY.replace("?i", "?third")))  # one long query more than the server runs
    for thread in threads:
        thread.join()
    assert all(heavy[i][0] == 504 for i in heavy)
    assert max(answered) < min(finished for _, _, finished in heavy.values())  # answered while both ran
    assert statistics.median(latencies) < 0.1, latencies
    assert third[0] == 503 and b"long queries are running already" in third[1]


def _nice_of(pid: int) -> set[int]:
    """The priorities of the process's threads; none for a process that ended meanwhile (a stopped worker)."""
    values = set()
    try:
        threads = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return values
    for thread in threads:
        try:
            values.add(os.getpriority(os.PRIO_PROCESS, int(thread.name)))
        except OSError:  # a thread that ended meanwhile
            continue
    return values


def _nice_of_workers(pids) -> dict[int, set[int]]:
    """The priorities of the workers that still run, by PID."""
    return {pid: nice for pid in pids if (nice := _nice_of(pid))}


def _workers_at_priority(server, normal: int) -> dict[int, set[int]]:
    """The priorities of the three workers, once all of them run at ``normal`` (a worker stopped with its
    long query is being replaced meanwhile), or after 10 s."""
    deadline = time.monotonic() + 10
    while True:
        nice = _nice_of_workers(wait_for_workers(server, 3))
        if (len(nice) == 3 and set().union(*nice.values()) == {normal}) or time.monotonic() > deadline:
            return nice
        time.sleep(0.2)


def test_long_queries_yield_the_processor_and_a_repeated_one_never_takes_the_reserve(server):
    from kgtool.server.pool import LONG_QUERY_NICE

    normal = os.getpriority(os.PRIO_PROCESS, 0)  # the server and its workers inherit the tests' priority
    assert normal < LONG_QUERY_NICE, "run the tests at a priority above the long queries' to see them lowered"
    # the long queries of an earlier test are gone: their workers, still lowered, would pass for these
    before = _workers_at_priority(server, normal)
    assert len(before) == 3 and set().union(*before.values()) == {normal}, before
    heavy_text = HEAVY.replace("?i", "?repeated")
    answers: dict[int, tuple] = {}

    def run_heavy(index):
        started = time.monotonic()
        answers[index] = (*fetch(query_url(server, heavy_text)), started, time.monotonic())

    first = [threading.Thread(target=run_heavy, args=(i,)) for i in range(2)]
    for thread in first:
        thread.start()
    deadline = time.monotonic() + 2.5  # both run long after half a second, at a lower priority
    while time.monotonic() < deadline:
        nice = _nice_of_workers(server.worker_pids())
        if sorted(nice.values(), key=max) == [{normal}, {LONG_QUERY_NICE}, {LONG_QUERY_NICE}]:
            break
        time.sleep(0.05)
    assert sorted(nice.values(), key=max) == [{normal}, {LONG_QUERY_NICE}, {LONG_QUERY_NICE}], nice  # every thread
    again = [threading.Thread(target=run_heavy, args=(i,)) for i in range(2, 4)]  # the same text, known as long
    for thread in again:
        thread.start()
    time.sleep(0.3)
    latencies, answered = [], []
    for _ in range(7):
        started = time.monotonic()
        status, body = fetch(query_url(server, "ASK { kgr:llama ?p ?o }"))
        latencies.append(time.monotonic() - started)
        answered.append(time.monotonic())
        assert status == 200 and json.loads(body)["boolean"] is True
    for thread in first + again:
        thread.join()
    assert statistics.median(latencies) < 0.1, latencies
    assert max(answered) < min(answers[i][3] for i in (0, 1))  # answered while the first two ran
    assert [answers[i][0] for i in (0, 1)] == [504, 504]
    # the repeats waited for a long slot instead of taking the reserve, and were stopped at their deadline
    # (the server's 3 s, counted from when it received them: no sooner than the client sent them)
    assert {answers[i][0] for i in (2, 3)} <= {503, 504}, answers
    assert all(answers[i][3] - answers[i][2] >= 2.9 for i in (2, 3)), {i: a[2:] for i, a in answers.items()}
    after = _workers_at_priority(server, normal)
    assert len(after) == 3 and set().union(*after.values()) == {normal}, after  # none stays at the lowest priority


def run_on_a_thread_of_its_own(coroutine):
    """asyncio.run where no event loop runs: the session's browser (Playwright's sync API) keeps one
    running on the tests' thread once a browser test has started it."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_text_that_ran_long_is_remembered_until_it_runs_short_again(tmp_path):
    import asyncio

    from kgtool.server.pool import WorkerPool

    data = tmp_path / "data.nq"
    data.write_text("<urn:x:s> <urn:x:p> <urn:x:o> .\n", encoding="utf-8")
    request = {"op": "query", "text": "ASK { ?s ?p ?o }", "max_bytes": 1000, "solutions_format": "JSON"}

    async def scenario():
        pool = WorkerPool(data, workers=1, reserve=1, slow_after=0.0)  # every query counts as long
        await pool.start()
        try:
            await pool.run(request, 10)
            remembered = request["text"] in pool._long_texts
            pool.slow_after = 10.0  # now it is short
            await pool.run(request, 10)
            return remembered, request["text"] in pool._long_texts
        finally:
            await pool.close()

    assert run_on_a_thread_of_its_own(scenario()) == (True, False)


def test_a_medium_query_leaves_the_reserve_to_short_ones(tmp_path):
    """A text that took 0.1 s or more, though below the long rule, waits rather than take the last idle
    worker: medium queries cannot fill every worker and queue the short ones behind them."""
    import asyncio

    from kgtool.server.pool import WorkerPool

    data = tmp_path / "data.nq"
    data.write_text("<urn:x:s> <urn:x:p> <urn:x:o> .\n", encoding="utf-8")
    medium = {"op": "query", "text": "ASK { ?s ?p ?o }", "max_bytes": 1000, "solutions_format": "JSON"}
    short = {**medium, "text": "ASK { ?s ?p ?x }"}

    async def scenario():
        pool = WorkerPool(data, workers=1, reserve=1, short_under=0.0)  # every query that runs counts as medium
        await pool.start()
        try:
            await pool.run(medium, 10)
            assert medium["text"] in pool._medium_texts and medium["text"] not in pool._long_texts
            taken = await pool._acquire(time.monotonic() + 10, False)  # one worker busy: the reserve is left
            with pytest.raises(Exception, match="busy until the deadline"):
                await pool.run(medium, 0.5)  # the medium text may not take the reserve
            pool.short_under = 10.0
            answer = await pool.run(short, 5)  # a short one may
            pool._release(taken)
            await pool.run(medium, 5)  # ran short now: forgotten as medium
            return answer[0], medium["text"] in pool._medium_texts
        finally:
            await pool.close()

    header, still_medium = run_on_a_thread_of_its_own(scenario())
    assert "error" not in header and still_medium is False


def _state_of(pid: int) -> str:
    """The process's state letter in /proc (T: stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_a_trivial_query_slowed_by_a_busy_machine_is_not_held_back_as_medium(tmp_path):
    """The medium rule reads the worker's processor time: a trivial query that waited for the processor
    (here its worker is stopped for half a second) stays short, and may still take the reserve."""
    import asyncio
    import signal

    from kgtool.server.pool import WorkerPool

    data = tmp_path / "data.nq"
    data.write_text("<urn:x:s> <urn:x:p> <urn:x:o> .\n", encoding="utf-8")
    trivial = {"op": "query", "text": "ASK { ?s ?p ?o }", "max_bytes": 1000, "solutions_format": "JSON"}

    async def scenario():
        pool = WorkerPool(data, workers=1, reserve=1, short_under=0.2, slow_after=30.0)  # never long here
        await pool.start()
        try:
            stopped = [worker.process.pid for worker in pool._idle]
            for pid in stopped:
                os.kill(pid, signal.SIGSTOP)
            while any(_state_of(pid) != "T" for pid in stopped):  # a busy machine may take a moment to stop them
                await asyncio.sleep(0.01)
            for pid in stopped:
                asyncio.get_running_loop().call_later(0.5, os.kill, pid, signal.SIGCONT)
            started = time.monotonic()
            header, _ = await pool.run(trivial, 10)
            return time.monotonic() - started, header.get("cpu_seconds"), trivial["text"] in pool._medium_texts
        finally:
            await pool.close()

    took, cpu_seconds, medium = run_on_a_thread_of_its_own(scenario())
    assert took >= 0.5 and cpu_seconds is not None and cpu_seconds < 0.2, (took, cpu_seconds)
    assert medium is False


def test_an_update_that_does_not_parse_keeps_its_worker(tmp_path):
    """Oxigraph parses a whole update before it changes anything: a syntax error leaves the worker's store
    as it was, and the worker serves on (a restart would cost a reload of the data)."""
    from kgtool.server.pool import WorkerAnswerError, WorkerPool

    data = tmp_path / "data.nq"
    data.write_text("<urn:x:s> <urn:x:p> <urn:x:o> .\n", encoding="utf-8")
    ask = {"op": "query", "text": "ASK { <urn:x:s> <urn:x:p> <urn:x:o> }", "max_bytes": 1000,
           "solutions_format": "JSON"}

    async def scenario():
        pool = WorkerPool(data, workers=1, reserve=0)
        await pool.start()
        try:
            (worker,) = pool._idle
            with pytest.raises(WorkerAnswerError) as broken:
                await pool.update({"text": "INSERT DATA { oops }", "max_bytes": 0}, 10, tmp_path)
            kept = list(pool._idle) == [worker] and worker.process.returncode is None
            header, body = await pool.run(ask, 10)
            return broken.value.kind, kept, json.loads(body)["boolean"]
        finally:
            await pool.close()

    assert run_on_a_thread_of_its_own(scenario()) == ("syntax", True, True)


@pytest.mark.server
def test_a_query_that_needs_too_much_memory_stops_only_its_worker():
    # a server of its own, whose deadline is far off: on a busy machine the worker fills its memory more
    # slowly, and must still reach the ceiling first
    with running_server("--timeout", "120", "--workers", "2", "--worker-memory-mb", "512",
                        str(DATA / "ambiguous.ttl"), str(DATA / "hostile.ttl")) as server:
        assert len(wait_for_workers(server, 3)) == 3
        status, body = fetch(query_url(server, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d"), timeout=120)
        assert status == 422 and b"needed more than the 512 MB a worker may use" in body
        status, body = fetch(query_url(server, "ASK { kgr:llama ?p ?o }"))
        assert status == 200 and json.loads(body)["boolean"] is True


def test_the_server_still_answers_after_hostile_queries(server):
    deep = "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    status, body = fetch(server.sparql, deep.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 400 and b"levels deep" in body
    status, body = fetch(query_url(server, SIZES))
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) > 20


def test_a_flood_of_url_parameters_is_refused_at_once_while_an_ask_is_answered(server):
    port = int(server.url.rsplit(":", 1)[1])
    flood = "/sparql?" + "&".join(f"p{i}=1" for i in range(20_000))
    assert len(flood) > 160_000
    assert fetch(query_url(server, "ASK {}"))[0] == 200  # every worker is up
    asked = {}

    def ask():
        started = time.monotonic()
        status, body = fetch(query_url(server, "ASK { kgr:llama ?p ?o }"))
        asked.update(status=status, body=body, seconds=time.monotonic() - started)

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.monotonic()
    connection.request("GET", flood)
    concurrent = threading.Thread(target=ask)
    concurrent.start()
    response = connection.getresponse()
    body = response.read()
    refused_after = time.monotonic() - started
    concurrent.join()
    connection.close()
    assert response.status == 400 and b"the URL has 20,000 parameters; the limit is 100" in body
    assert refused_after < 0.05, refused_after
    assert asked["status"] == 200 and json.loads(asked["body"])["boolean"] is True
    assert asked["seconds"] < 0.1, asked["seconds"]
    # a URL too long for any query the endpoint accepts is refused as such
    status, body = fetch(query_url(server, "ASK {}\n#" + "x" * 250_000))
    assert status == 414 and b"bytes long; the limit is 200,704 bytes" in body


def test_the_descriptions_name_the_bound_address_never_the_host_header(server):
    from rdflib import URIRef

    headers = {"Host": "attacker.example", "Accept": "text/turtle"}
    status, void = fetch(f"{server.url}/.well-known/void", headers=headers)
    assert status == 200 and b"attacker.example" not in void
    endpoint = rdf(void, "turtle").value(URIRef("https://w3id.org/llmkg/"), URIRef("http://rdfs.org/ns/void#sparqlEndpoint"))
    assert endpoint == URIRef(f"{server.url}/sparql")
    status, service = fetch(server.sparql, headers=headers)
    assert status == 200 and b"attacker.example" not in service
    assert set(rdf(service, "turtle").objects(predicate=_sd("endpoint"))) == {URIRef(f"{server.url}/sparql")}


def test_the_descriptions_name_the_public_url_when_one_is_set(store):
    from rdflib import URIRef

    with _client(store, workers=1, public_url="https://kg.example.org/llm/") as client:
        void = rdf(client.get("/.well-known/void", headers={"Host": "attacker.example"}).content, "turtle")
        service = rdf(client.get("/sparql", headers={"Accept": "text/turtle", "Host": "attacker.example"}).content,
                      "turtle")
    assert set(void.objects(predicate=URIRef("http://rdfs.org/ns/void#sparqlEndpoint"))) == {
        URIRef("https://kg.example.org/llm/sparql")}
    assert set(service.objects(predicate=_sd("endpoint"))) == {URIRef("https://kg.example.org/llm/sparql")}


def test_slow_and_silent_clients_are_disconnected(server):
    port = int(server.url.rsplit(":", 1)[1])
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]  # connect, send nothing
    trickling = socket.create_connection(("127.0.0.1", port))
    head = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 100
    started = time.monotonic()
    try:
        for byte in head:  # one byte every 50 ms: the head is never complete
            try:
                trickling.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.05)
            if time.monotonic() - started > 4:
                break
        trickled_for = time.monotonic() - started
        closed = 0
        for connection in [*silent, trickling]:
            connection.settimeout(max(0.1, 3 - (time.monotonic() - started)))
            try:
                closed += connection.recv(1) == b""
            except TimeoutError:
                pass
            except ConnectionResetError:
                closed += 1
    finally:
        for connection in [*silent, trickling]:
            connection.close()
    assert closed == 201, f"{closed} of 201 slow connections closed by the server"
    assert trickled_for < 2, trickled_for  # the server cut the trickle at its 1 s client timeout
    assert fetch(query_url(server, "ASK {}"))[0] == 200  # and still answers


# --- the serve command's own checks -------------------------------------------------------------

@pytest.mark.parametrize("args,env,message", [
    (["--allow-update"], {"KGTOOL_UPDATE_TOKEN": ""}, "--allow-update needs a bearer token: set KGTOOL_UPDATE_TOKEN"),
    (["--allow-update"], {"KGTOOL_UPDATE_TOKEN": "short"}, "shorter than 16 characters"),
    (["--cors-origin", "*"], {}, "'*' is not allowed"),
    (["--no-bundled"], {}, "--no-bundled needs files to serve"),
    (["--public-url", "example.org/kg"], {}, "give an http:// or https:// URL without query or fragment"),
])
def test_serve_refuses_unsafe_or_empty_settings(args, env, message):
    from click.testing import CliRunner

    from kgtool.cli import main

    result = CliRunner().invoke(main, ["serve", *args], env=env)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_serve_says_when_the_port_is_taken():
    from click.testing import CliRunner

    from kgtool.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in result.output


def test_the_server_and_the_release_describe_the_data_alike(client, served_graph):
    """One VoID computation: the server's description is the release's, less the files and plus the endpoint."""
    from rdflib import Namespace, URIRef
    from rdflib.compare import isomorphic

    from kgtool import release

    void, dcat = Namespace("http://rdfs.org/ns/void#"), Namespace("http://www.w3.org/ns/dcat#")
    served = rdf(client.get("/.well-known/void").content, "turtle")
    served.remove((None, void.sparqlEndpoint, None))
    described = release.describe(served_graph)
    for distribution in set(described.objects(None, dcat.distribution)):
        described.remove((distribution, None, None))
    described.remove((None, dcat.distribution, None))
    described.remove((None, void.dataDump, None))
    assert isomorphic(served, described)
    assert len(served) > 500 and (URIRef("https://w3id.org/llmkg/"), void.triples, None) in served


def test_the_server_and_the_release_document_the_ontology_alike(client, served_graph):
    """One renderer: the release's ontology.html shows the server's /ontology, section for section."""
    from kgtool import release

    served = client.get("/ontology", headers={"Accept": "text/html"}).text
    written = release.ontology_html(served_graph)

    def article(html: str) -> str:
        text = html[html.index('<article class="ontology">'):html.index("</article>")]
        return text.replace('href="/ontology#', 'href="#')  # the file links within itself

    assert article(written) == article(served)
    assert Page(written).ids["LanguageModel"]["text"] == Page(served).ids["LanguageModel"]["text"]
