"""The pages for people, in-process: the home page's families, search, the resource index, 404 suggestions,
the infobox, the charts' files and the graph view's hub rule."""

from __future__ import annotations

import json
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kgtool.server.site import Entry, parameter_properties, rank

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def client():
    from kgtool.server import Settings, create_app
    from kgtool.store import load_store

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        with TestClient(create_app(load_store([DATA / "hostile-views.ttl"]), Settings(timeout=20.0))) as client:
            yield client


def html(client, path: str):
    response = client.get(path, headers={"Accept": "text/html"})
    return response.status_code, response.text


def test_home_shows_the_families_the_data_names(client):
    status, page = html(client, "/")
    assert status == 200
    cards = re.findall(r'<article class="card">\s*<h2><a href="([^"]+)">([^<]+)</a>', page)
    # the seven, and the one family the extra file adds: derived from the data, never from a list in code
    assert [label for _, label in cards][:7] == ["GPT-3", "LaMDA", "PaLM", "Flamingo", "BLIP-2", "LLaMA", "GPT-4"]
    assert ("/resource/pwn-model", "&lt;img src=x onerror=&#34;window.__pwned=&#39;card&#39;&#34;&gt;pwn") in cards
    llama = page[page.index(">LLaMA</a>"):page.index(">GPT-4</a>")]
    sizes = [size.strip() for size in re.search(r"<dt>sizes</dt><dd>([^<]*)", llama).group(1).split(" · ")]
    assert {"7B", "13B", "33B", "65B"} <= set(sizes) and "65,200,000,000 parameters" in llama and "Meta AI" in llama
    assert "LLaMA paper (arXiv 2302.13971)" in llama and "2023-02-24" in llama
    for link in ("/query", "/compare", "/charts", "/graph", "/resource/", "/.well-known/void"):
        assert f'href="{link}' in page


def test_search_ranks_labels(client):
    found = client.get("/search", params={"q": "llam"}).json()
    assert [f["label"] for f in found[:5]] == ["LLaMA", "LLaMA-7B", "LLaMA-13B", "LLaMA-33B", "LLaMA-65B"]
    assert found[0]["href"] == "/resource/llama" and "language model" in found[0]["classes"]
    assert client.get("/search", params={"q": "lamda"}).json()[0]["label"] == "LaMDA"
    assert client.get("/search", params={"q": "chinchila"}).json()[0]["label"].startswith("Chinchilla")  # like it
    assert client.get("/search", params={"q": "  "}).json() == []


def test_the_editor_completes_the_graphs_terms_as_prefixed_names(client):
    terms = client.get("/search/terms").json()
    assert {"kg:Benchmark", "kgr:llama", "kgr:gpt-4"} <= set(terms)
    assert terms == sorted(terms) and not any(t.startswith("http") for t in terms)


def test_rank_orders_same_start_word_contains_then_like():
    entries = [Entry(f"x:{i}", label) for i, label in enumerate(["Open LLaMA", "LLaMA-7B", "LLaMA", "ALLaMAx", "LLaNA"])]
    assert [e.label for e in rank(entries, "llama")] == ["LLaMA", "LLaMA-7B", "Open LLaMA", "ALLaMAx", "LLaNA"]


def test_parameter_types_come_from_the_property_a_parameter_fills():
    from kgtool.queries import catalogue

    assert parameter_properties(catalogue()["leaderboard"].text, "benchmark") == ["https://w3id.org/llmkg/ontology#benchmark"]
    assert parameter_properties(catalogue()["model-sizes"].text, "model") == ["https://w3id.org/llmkg/ontology#variantOf"]


def test_resources_are_listed_by_class_and_unknown_ones_suggest_the_closest(client):
    status, page = html(client, "/resource/")
    assert status == 200
    group = page[page.index("<h2>benchmark"):]
    group = group[:group.index("</section>")]
    assert 'href="/resource/coqa"' in group and 'href="/resource/llama"' not in group
    status, found = html(client, "/resource/?q=llam")  # the search form, without its script
    assert status == 200 and re.findall(r'<section id="matches">.*?href="(/resource/[^"]+)"', found, re.S)[0] == "/resource/llama"
    status, missing = html(client, "/resource/lama")
    assert status == 404
    closest = re.findall(r'<li><a href="(/resource/[^"]+)"', missing)
    assert {"/resource/llama", "/resource/lamda"} <= set(closest)
    assert client.get("/resource/lama", headers={"Accept": "text/turtle"}).status_code == 404


def test_a_model_page_opens_with_its_infobox(client):
    status, page = html(client, "/resource/gpt-3")
    assert page.index('id="infobox"') < page.index('id="facts"')
    infobox = page[page.index('id="infobox"'):page.index("</section>", page.index('id="infobox"'))]
    assert "OpenAI" in infobox and "2020-05-28" in infobox and "175,000,000,000 parameters" in infobox
    assert "corrected" in infobox and "unverified" in infobox  # claims with their status
    spec = json.loads(re.search(r'id="results-spec">(.*?)</script>', page, re.S).group(1))
    values = [r for panel in spec.get("vconcat", [spec]) for r in panel["data"]["values"]]
    assert {r["benchmark"] for r in values} >= {"CoQA · F1", "TriviaQA · accuracy"}
    status, benchmark = html(client, "/resource/coqa")
    assert status == 200 and 'id="infobox"' not in benchmark  # only models have one


def test_the_comparison_page_is_the_html_of_kgtool_compare(client):
    from kgtool import comparison

    local = comparison.compare(["LLaMA", "GPT-3"], extra=[DATA / "hostile-views.ttl"])
    status, page = html(client, "/compare?model=LLaMA&model=GPT-3")
    assert status == 200 and page == comparison.render(local, "html")
    assert "<h1>LLaMA, GPT-3</h1>" in page and "MMLU" in page
    status, seven = html(client, "/compare")
    assert status == 200 and "<h1>GPT-3, LaMDA, PaLM, Flamingo, BLIP-2, LLaMA, GPT-4</h1>" in seven
    status, page = html(client, "/compare?model=LLaMA&model=GPT4")
    assert status == 400 and "GPT-4" in page  # the closest label is suggested


def test_chart_files_in_each_format(client):
    svg = client.get("/charts/leaderboard.svg", params={"target": "CoQA"})
    assert svg.headers["content-type"] == "image/svg+xml"
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg.content).iter("{http://www.w3.org/2000/svg}text")]
    assert "GPT-3 175B" in texts
    assert client.get("/charts/timeline.png").content[:4] == b"\x89PNG"
    page = client.get("/charts/scaling.html")
    assert "attachment" in page.headers["content-disposition"] and 'id="chart-spec"' in page.text
    assert client.get("/charts/model.json", params={"target": "GPT-3"}).json()["title"]["text"] == "Results of GPT-3"
    assert client.get("/charts/nothing.svg").status_code == 404
    missing = client.get("/charts/leaderboard.svg", params={"target": "No such benchmark"})
    assert missing.status_code == 404 and "no benchmark is labelled 'No such benchmark'" in missing.text
    assert "did you mean benchmark" not in missing.text  # the class of benchmarks is no value of the parameter
    untargeted = client.get("/charts/leaderboard.svg")  # told what is missing, not which command to type
    assert untargeted.status_code == 404 and "needs a benchmark" in untargeted.text
    assert "kgtool chart" not in untargeted.text
    status, page = html(client, "/charts?kind=model&target=GPT-3")
    assert status == 200 and 'data-spec="chart-spec"' in page


def test_the_graph_view_leaves_hubs_out_unless_asked(client):
    def labels(path: str) -> set[str]:
        page = client.get(path).text
        data = json.loads(re.search(r'id="kg-data">(.*?)</script>', page, re.S).group(1))
        return {node[0] for node in data["nodes"]}

    near = labels("/graph?focus=LLaMA&depth=2")
    assert "LLaMA" in near and "text" not in near and "hallucination" not in near
    with_hubs = labels("/graph?focus=LLaMA&depth=2&hubs=1")
    assert "text" in with_hubs and len(with_hubs) > len(near)
    status, page = html(client, "/graph?focus=Nobody")
    assert status == 404 and "no entity is labelled" in page


def test_the_network_of_results_is_checked_like_any_query(client):
    headers = {"Content-Type": "application/sparql-query"}
    data = client.post("/graph/results", content="SELECT ?m ?b WHERE { ?r kg:evaluatedModel ?m ; kg:benchmark ?b }",
                       headers=headers).json()
    labels = [n[0] for n in data["nodes"]]
    assert "GPT-3 175B" in labels and "CoQA" in labels and not [l for l in labels if l.startswith("result/")]
    assert "evaluated on" in data["properties"]
    refused = client.post("/graph/results", content="SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
                          headers=headers)
    assert refused.status_code == 403 and "SERVICE" in refused.text
    assert client.post("/graph/results", content="ASK { ?s ?p ?o }", headers=headers).status_code == 400


def test_the_pages_work_whatever_the_cap_on_a_client_s_answer():
    """``--max-result-mb`` bounds what a client gets from /sparql; the server's own queries for its pages
    (every label, the whole graph a view is cut from) are not clients' answers, and a served graph larger
    than the cap must not break them."""
    from kgtool.server import Settings, create_app
    from kgtool.store import load_store

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        app = create_app(load_store(read_only=True), Settings(timeout=20.0, max_result_bytes=64 * 1024))
        with TestClient(app) as small:
            whole = small.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                              headers={"Accept": "application/n-triples"})
            assert whole.status_code == 422 and "larger than 65,536 bytes" in whole.text  # a client is capped
            for path in ("/", "/resource/", "/resource/llama", "/charts", "/compare", "/graph",
                         "/graph?focus=LLaMA", "/search?q=llama"):
                assert small.get(path, headers={"Accept": "text/html"}).status_code == 200, path
            drawn = small.post("/graph/results", content="SELECT * WHERE { ?s kg:developedBy ?o } LIMIT 3",
                               headers={"Content-Type": "application/sparql-query"})
            assert drawn.status_code == 200 and len(drawn.json()["nodes"]) >= 2


@pytest.mark.parametrize("path, status, text", [
    ("/resource/%00", 404, "no resource '\\x00' in this graph"),
    ("/resource/%01abc", 404, "no resource '\\x01abc' in this graph"),
    ("/resource/a%7Fb", 404, "no resource 'a\\x7fb' in this graph"),
    ("/compare?model=%3Cnot%20an%20iri%3E&model=LLaMA", 400, "'<not an iri>' is not an IRI (invalid IRI code point"),
    ("/charts/leaderboard.svg?target=%3Ca%20b%3E", 404, "parameter benchmark: '<a b>' is not an IRI"),
])
def test_a_path_or_parameter_no_iri_can_hold_is_named_not_parsed(client, path, status, text):
    """It is answered for what it is, not as a syntax error in one of the server's own queries."""
    response = client.get(path)
    assert response.status_code == status and text in response.text, response.text[:300]
    assert "syntax error" not in response.text
