"""The HTML network view, parsed: self-contained, escaped, and drawing what the projection holds.
(tests/test_visualize_browser.py opens the same pages in a real browser.)"""

from __future__ import annotations

import base64
import hashlib
import json
import re

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from kgtool import network_views, projection, visualize
from kgtool.cli import main
from kgtool.errors import KgtoolError, QueryError
from kgtool.namespaces import KGR as KGR_IRI
from tests.html_pages import Page

EX = Namespace("https://example.org/")
KG = Namespace("https://w3id.org/llmkg/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")

# Each one sets window.__pwned if it ever runs as markup or code.
PAYLOADS = {
    "img": "<img src=x onerror=\"window.__pwned='img'\">",
    "script": "<script>window.__pwned='script'</script>",
    "close": "</script><script>window.__pwned='close'</script><!--",
    "javascript": "javascript:window.__pwned='javascript'",
    "href": "<a href=\"javascript:window.__pwned='href'\">href</a>",
    "svg": "line\u2028sep\u2029<svg onload=\"window.__pwned='svg'\">",
}


def hostile_graph() -> Graph:
    """A graph whose every text (labels, definitions, facts, sources, class and property labels, IRIs)
    is a script-injection payload."""
    g = Graph()
    g.add((EX.Evil, RDF.type, OWL.Class))
    g.add((EX.Evil, RDFS.label, Literal(PAYLOADS["img"])))
    g.add((EX.evilLink, RDFS.label, Literal(PAYLOADS["href"])))
    nodes = []
    for name, payload in PAYLOADS.items():
        # IRIs with the payload inside (rdflib keeps them as given) and one that is a javascript: URL
        node = URIRef(payload) if name == "javascript" else URIRef(f"https://example.org/{name}/{payload}")
        nodes.append(node)
        g.add((node, RDF.type, EX.Evil))
        g.add((node, RDFS.label, Literal(f"{name} {payload}")))
        g.add((node, SKOS.definition, Literal(payload)))
        g.add((node, KG.note, Literal(payload)))
        g.add((node, SKOS.altLabel, Literal(payload + " alias")))
    for a, b in zip(nodes, nodes[1:]):
        g.add((a, EX.evilLink, b))
        statement = URIRef(str(a) + "/statement")
        g.add((statement, RDF.subject, a))
        g.add((statement, RDF.predicate, EX.evilLink))
        g.add((statement, RDF.object, b))
        g.add((statement, KG.source, nodes[0]))
        g.add((statement, KG.locator, Literal(PAYLOADS["close"])))
    return g


@pytest.fixture(scope="module")
def whole(bundled_source):
    return visualize.render_html(bundled_source)


def test_the_page_is_self_contained(whole):
    page = Page(whole)
    # nothing is loaded: no src, href or link at all, and the CSS holds only data: images
    assert not [(t, a) for t, a in page.tags if {"src", "href"} & set(a) or t in ("link", "iframe", "img", "object")]
    urls = re.findall(r"url\(([^)]*)\)", "".join(style["text"] for style in page.all("style")))
    assert len(urls) > 5 and all(u.strip("'\" ").startswith("data:") for u in urls)
    assert len(page.scripts) == 3
    js, css = visualize.vis_assets()
    assert page.scripts[1]["text"] == js and css in whole  # vis-network, inlined from the pyvis package
    assert "vis-network" in js[:200] and "@version 9.1.2" in js[:400]


def test_the_csp_allows_only_the_page_s_own_scripts(whole):
    page = Page(whole)
    csp = page.csp()
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    hashes = set(re.findall(r"'sha256-([^']+)'", csp))
    code = [script["text"] for script in page.scripts if "type" not in script["attrs"]]
    assert hashes == {base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() for t in code}


def test_the_page_holds_the_projection(bundled_source, whole):
    # the whole graph, less its hubs
    network = network_views.without_hubs(bundled_source, projection.project(bundled_source))
    data = Page(whole).data()
    assert len(data["nodes"]) == network.number_of_nodes()
    assert len(data["edges"]) == network.number_of_edges()
    labels = [n[0] for n in data["nodes"]]
    llama = data["nodes"][labels.index("LLaMA")]
    assert data["classes"][llama[1]]["label"] == "language model"
    assert llama[2] == network.nodes[KGR_IRI + "llama"]["details"]
    legend = {c["label"]: c["count"] for c in data["classes"]}
    techniques = sum(1 for _, d in network.nodes(data=True) if d["class_label"] == "technique")
    assert legend["technique"] == techniques > 50 and sum(legend.values()) == len(labels)
    styles = {(c["color"], c["shape"]) for c in data["classes"]}
    assert len(styles) == len(data["classes"])  # each class looks different
    edges = {(labels[a], data["properties"][p], labels[b]) for a, b, p, _ in data["edges"]}
    assert ("BLIP-2", "uses frozen model", "OPT") in edges and ("OPT", "developed by", "Meta AI") in edges


def test_the_page_says_which_view_it_shows(bundled_source, whole):
    page = Page(whole)
    assert page.first("h1")["text"] == "The whole graph"
    assert re.search(r"The whole graph; without \d+ hub concepts \(modalities, risks, code repositories, the most "
                     r"linked\): \d+ entities, \d+ links; results, claims, quantities and sources", whole)
    html = visualize.render_html(bundled_source, focus="LLaMA", depth=2)
    assert Page(html).first("h1")["text"] == "Neighbourhood of LLaMA"
    assert re.search(r"LLaMA \(kgr:llama\) and what lies within 2 links in the whole graph; without \d+ hub", html)


def test_the_same_graph_gives_the_same_page(bundled_source, whole):
    assert visualize.render_html(bundled_source) == whole


def test_views_focus_query_and_classes(bundled_source):
    network = projection.project(bundled_source)
    near = Page(visualize.render_html(bundled_source, focus="kgr:llama", depth=1)).data()
    expected = network_views.neighbourhood(network_views.without_hubs(bundled_source, network), KGR_IRI + "llama", 1)
    assert len(near["nodes"]) == expected.number_of_nodes() and "Meta AI" in [n[0] for n in near["nodes"]]

    construct = visualize.build_view(bundled_source, query="model-neighbourhood", params={"model": "Flamingo"})
    assert construct.title == "Query model-neighbourhood"
    assert construct.network.has_edge(KGR_IRI + "flamingo", KGR_IRI + "chinchilla")
    assert "constructs" in construct.description

    select = visualize.build_view(bundled_source, query="leaderboard", params={"benchmark": "TriviaQA"})
    assert "returns" in select.description and KGR_IRI + "triviaqa" in select.network

    models = visualize.build_view(bundled_source, include=["model"], exclude=["vision-language model"])
    assert {d["class_label"] for _, d in models.network.nodes(data=True)} <= {"language model", "model", "image encoder"}
    assert "only model; without vision-language model" in models.description
    assert KGR_IRI + "gpt-4" not in models.network  # a language model and a vision-language model


def test_hub_concepts_stay_out_of_neighbourhoods_and_paths_unless_asked(bundled_source):
    network = projection.project(bundled_source)
    hubs = network_views.hubs(network, network_views.resolve_class(bundled_source, "kg:Model"))
    assert {network.nodes[h]["label"] for h in hubs} >= {"text", "image", "facebookresearch/llama", "hallucination"}
    assert not {KGR_IRI + m for m in ("llama", "gpt-3", "blip-2")} & hubs  # models are never hubs

    near = visualize.build_view(bundled_source, focus="LLaMA", depth=2)
    labels = {d["label"] for _, d in near.network.nodes(data=True)}
    assert "text" not in labels and "hallucination" not in labels  # no modality, no risk
    assert "hub concepts" in near.description
    with_hubs = visualize.build_view(bundled_source, focus="LLaMA", depth=2, hubs=True)
    assert "text" in {d["label"] for _, d in with_hubs.network.nodes(data=True)}
    benchmarks = [d for _, d in near.network.nodes(data=True) if d["class_label"] == "benchmark"]
    pulled = [d for _, d in with_hubs.network.nodes(data=True) if d["class_label"] == "benchmark"]
    assert len(pulled) > len(benchmarks)  # the text modality pulls in benchmarks LLaMA was never evaluated on

    result = CliRunner().invoke(main, ["path", "BLIP-2", "LLaMA"])
    assert result.exit_code == 0 and "modality" not in result.stdout and "text" not in result.stdout
    assert "BLIP-2 -uses frozen model-> OPT -developed by-> Meta AI <-developed by- LLaMA" in result.stdout
    through = CliRunner().invoke(main, ["path", "BLIP-2", "LLaMA", "--hubs"])
    assert "-input modality-> text <-input modality- LLaMA" in through.stdout


def test_a_leaderboard_drawn_as_a_network_shows_its_scores(bundled_source):
    view = visualize.build_view(bundled_source, query="leaderboard", params={"benchmark": "CoQA"})
    edge = view.network.edges[KGR_IRI + "gpt-3-175b", KGR_IRI + "coqa", "https://w3id.org/llmkg/ontology#EvaluationResult"]
    assert edge["label"] == "85 (few-shot), 84 (one-shot), 81.5 (zero-shot)"
    data = visualize.network_data(view.network)
    assert "85 (few-shot), 84 (one-shot), 81.5 (zero-shot)" in data["properties"]


def test_bad_views_are_clear_errors(bundled_source):
    with pytest.raises(QueryError, match="no entity is labelled 'Nobody'"):
        visualize.build_view(bundled_source, focus="Nobody")
    with pytest.raises(QueryError, match="no query named"):
        visualize.build_view(bundled_source, query="no-such-query")
    with pytest.raises(QueryError, match="ASK"):
        visualize.build_view(bundled_source, query="ASK { ?s ?p ?o }")


@pytest.mark.filterwarnings("ignore")
def test_no_payload_becomes_markup():
    html = visualize.render_html(hostile_graph(), focus=f"img {PAYLOADS['img']}", depth=5)
    page = Page(html)
    # the only elements are the template's: no img, svg, a (but the panel's own link), and no event handler
    tags = {t for t, _ in page.tags}
    assert not tags & {"img", "svg", "iframe"}
    assert [dict(a).get("id") for t, a in page.tags if t == "a"] == ["details-open"]
    assert not [a for _, a in page.tags if any(k.startswith("on") for k in a)]
    # not even a fragment of a tag: the page has as many as a page of an empty network (vis-network's
    # code holds one "<script>" string of its own)
    empty = visualize.render_network(nx.MultiDiGraph(), "empty", "")
    for fragment in ("<script", "</script", "<img", "<svg", "<a ", "<!--"):
        assert html.count(fragment) == empty.count(fragment), fragment
    assert len(page.scripts) == 3
    assert "\u2028" not in html and "\u2029" not in html
    # ...yet every text is there, whole, for the page to show as text
    data = page.data()
    labels = [n[0] for n in data["nodes"]]
    # (labels and tooltip lines have their whitespace, U+2028/9 included, folded to single spaces)
    assert sorted(labels) == sorted(" ".join(f"{name} {payload}".split()) for name, payload in PAYLOADS.items())
    assert {c["label"] for c in data["classes"]} == {PAYLOADS["img"]}
    assert data["properties"] == [PAYLOADS["href"]]
    details = "\n".join(n[2] for n in data["nodes"])
    assert " ".join(PAYLOADS["svg"].split()) in details and "javascript:window.__pwned='javascript'" in details
    assert all(PAYLOADS["close"] in e[3] for e in data["edges"])
    assert page.first("h1")["text"] == f"Neighbourhood of img {PAYLOADS['img']}"
    assert page.title == f"Neighbourhood of img {PAYLOADS['img']} · kgtool"


def test_script_json_escapes_what_could_end_the_script():
    text = visualize.script_json({"a": "</script><!--&\u2028\u2029"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"a": "</script><!--&\u2028\u2029"}


def test_viz_command_writes_the_page(bundled_source, tmp_path):
    out = tmp_path / "llama.html"
    result = CliRunner().invoke(main, ["viz", "--focus", "LLaMA", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"wrote {out}: Neighbourhood of LLaMA, ")
    data = Page(out.read_text(encoding="utf-8")).data()
    network = projection.project(bundled_source)
    without_hubs = network_views.without_hubs(bundled_source, network, keep=[KGR_IRI + "llama"])
    assert len(data["nodes"]) == network_views.neighbourhood(without_hubs, KGR_IRI + "llama", 1).number_of_nodes()
    assert [p.name for p in tmp_path.iterdir()] == ["llama.html"]

    to_stdout = CliRunner().invoke(main, ["viz", "--query", "leaderboard", "-p", "benchmark=CoQA", "-o", "-"])
    assert to_stdout.exit_code == 0
    assert Page(to_stdout.stdout).first("h1")["text"] == "Query leaderboard"


def test_a_view_larger_than_max_nodes_is_refused(tmp_path):
    out = tmp_path / "graph.html"
    for args in (["--max-nodes", "100"], ["--focus", "LLaMA", "--max-nodes", "10"]):
        result = CliRunner().invoke(main, ["viz", "-o", str(out), *args])
        assert result.exit_code == 2 and "more than --max-nodes" in result.output and "--focus ENTITY" in result.output
    assert not out.exists()
    assert CliRunner().invoke(main, ["viz", "-o", str(out), "--focus", "LLaMA", "--max-nodes", "100"]).exit_code == 0


def test_viz_errors_leave_the_old_file(tmp_path):
    out = tmp_path / "view.html"
    out.write_text("before", encoding="utf-8")
    result = CliRunner().invoke(main, ["viz", "--focus", "Nobody", "-o", str(out)])
    assert result.exit_code == 2 and result.output.startswith("error: no entity is labelled 'Nobody'")
    assert out.read_text(encoding="utf-8") == "before"
    missing = CliRunner().invoke(main, ["viz", "-o", str(tmp_path / "no" / "view.html")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
    bad = CliRunner().invoke(main, ["viz", "--query", "leaderboard", "-p", "benchmark"])
    assert bad.exit_code == 2 and "NAME=VALUE" in bad.output


def test_a_missing_chromium_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KGTOOL_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(KgtoolError, match="screenshots need Chromium"):
        visualize.screenshot(tmp_path / "x.html", tmp_path / "x.png")
