"""The network projection and its analytics, on the bundled graph and on small graphs made for the test."""

from __future__ import annotations

import functools
import io
import subprocess
import sys
from collections import Counter

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

import kgtool
from kgtool import analytics, network_formats, network_views, projection, visualize
from kgtool.cli import main
from kgtool.errors import KgtoolError, QueryError
from kgtool.namespaces import KG as KG_IRI, KGR as KGR_IRI

KG = Namespace(KG_IRI)
KGR = Namespace(KGR_IRI)


@pytest.fixture(scope="module")
def network(bundled_source):
    return projection.project(bundled_source)


def run(*args):
    return CliRunner().invoke(main, list(args))


# --- the projection rules ---------------------------------------------------------------------

def test_entities_are_nodes_and_statements_records_and_schema_terms_are_not(graph, network):
    statements = {str(s) for s in graph.subjects(RDF.type, KG.Statement)}
    results = {str(s) for s in graph.subjects(RDF.type, KG.EvaluationResult)}
    claims = {str(s) for s in graph.subjects(RDF.type, KG.Claim)}
    assert len(statements) > 500 and len(results) > 20 and len(claims) > 20
    nodes = set(network.nodes)
    assert not nodes & (statements | results | claims)
    assert KG_IRI + "LanguageModel" not in nodes and KG_IRI + "usesTechnique" not in nodes
    assert {KGR_IRI + n for n in ("llama", "gpt-4", "meta-ai", "rope", "coqa", "arxiv-2302.13971")} <= nodes
    assert network.nodes[KGR_IRI + "llama"]["label"] == "LLaMA"
    assert network.nodes[KGR_IRI + "llama"]["class_label"] == "language model"
    assert network.nodes[KGR_IRI + "blip-2"]["class_label"] == "vision-language model"


def test_links_are_edges_keyed_by_property_with_the_sources_of_their_statement(network):
    edge = network.get_edge_data(KGR_IRI + "blip-2", KGR_IRI + "opt")
    assert set(edge) == {KG_IRI + "usesFrozenModel"}
    assert edge[KG_IRI + "usesFrozenModel"]["label"] == "uses frozen model"
    assert "arXiv 2301.12597" in edge[KG_IRI + "usesFrozenModel"]["details"]
    # the vocabulary's structure and the sources are not drawn
    labels = Counter(data["label"] for _, _, data in network.edges(data=True))
    assert not {"type", "source", "in scheme", "top concept of", "subject"} & set(labels)


def test_literals_and_records_fold_into_the_tooltip(network):
    size = network.nodes[KGR_IRI + "llama-65b"]["details"].splitlines()
    assert size[0] == "language model · kgr:llama-65b"
    assert any(line.startswith("parameter count: 65,200,000,000 [") for line in size)
    coqa = network.nodes[KGR_IRI + "coqa"]["details"]
    assert "34 evaluation results:" in coqa
    # a result's label is made of its parts' labels; the source it names is not named again beside the locator
    assert ('  GPT-3 175B on CoQA dev, 5-shot, F1 — GPT-3 paper (arXiv 2005.14165), Table 3.7: 85.0 percent '
            '[Table 3.7, row "GPT-3 Few-Shot", column "CoQA"]') in coqa
    gpt4 = network.nodes[KGR_IRI + "gpt-4"]["details"]
    assert "(rumoured)" in gpt4 and "(undisclosed)" in gpt4


def test_results_keep_the_model_benchmark_relation_as_one_edge(network):
    edges = network.get_edge_data(KGR_IRI + "gpt-3-175b", KGR_IRI + "coqa")
    (key, data), = edges.items()
    assert key == KG_IRI + "EvaluationResult" and data["label"] == "evaluated on"
    assert len(data["details"].splitlines()) == 5  # zero-, one- and few-shot F1 of Table 3.7, zero- and one-shot of Table H.1


def test_records_become_nodes_when_asked(bundled_source, network):
    with_records = projection.project(bundled_source, records=True)
    result = KGR_IRI + "result/gpt-3-175b/coqa/few-shot/f1"
    assert result in with_records and result not in network
    assert with_records.nodes[result]["record"] is True
    assert with_records.has_edge(result, KGR_IRI + "coqa")
    assert not with_records.has_edge(KGR_IRI + "gpt-3-175b", KGR_IRI + "coqa")  # no folded link
    assert "value: 85.0" in with_records.nodes[result]["details"]


def test_entities_cited_only_by_folded_things_are_left_out(graph, network):
    # claim statuses and evaluation settings are values of folded records; documents cited only as sources
    assert KGR_IRI + "status/rumoured" not in network
    assert KGR_IRI + "few-shot" not in network
    # an entity without links that nothing folded cites stays
    assert network.degree(KGR_IRI + "nvidia") == 0


def test_a_former_iri_that_names_another_is_no_entity(network):
    """Rule 7: an IRI kept only to say it is another's (owl:sameAs) or that it was replaced by another
    (dcterms:isReplacedBy) is not drawn beside what it names."""
    same_as = URIRef("http://www.w3.org/2002/07/owl#sameAs")
    replaced_by = URIRef("http://purl.org/dc/terms/isReplacedBy")
    ex = Namespace("https://example.org/")
    g = Graph()
    g.add((ex.a, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("A")))
    g.add((ex.a, ex.linksTo, ex.b))
    g.add((ex.former, same_as, ex.a))
    g.add((ex.retired, replaced_by, ex.b))
    g.add((ex.alias, same_as, ex.b))
    g.add((ex.alias, ex.linksTo, ex.a))  # more than another's name: an entity of its own
    net = projection.project(g)
    assert set(net.nodes) == {str(ex.a), str(ex.b), str(ex.alias)}
    # in the bundled graph: a statement's former IRI, which dcterms:isReplacedBy leads to the one it became
    assert KGR_IRI + "statement/blip-2-vit-g-flant5-xxl/trainable-parameter-count/188000000" not in network
    assert not [n for n in network if "/statement/" in n]


def test_projection_of_a_small_graph_follows_the_documented_rules():
    ex = Namespace("https://example.org/")
    g = Graph()
    g.add((ex.Thing, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    g.add((ex.a, RDF.type, ex.Thing))
    g.add((ex.a, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("A")))
    g.add((ex.a, ex.linksTo, ex.b))
    g.add((ex.a, ex.weight, Literal(3)))
    g.add((ex.st, URIRef(RDF.subject), ex.a))
    g.add((ex.st, URIRef(RDF.predicate), ex.linksTo))
    g.add((ex.st, URIRef(RDF.object), ex.b))
    g.add((ex.st, KG.source, ex.doc))
    g.add((ex.st, KG.locator, Literal("p. 4")))
    net = projection.project(g)
    assert set(net.nodes) == {str(ex.a), str(ex.b)}
    assert net[str(ex.a)][str(ex.b)][str(ex.linksTo)] == {"property": str(ex.linksTo), "label": "links to",
                                                          "details": "[doc: p. 4]"}
    assert net.nodes[str(ex.a)]["details"].splitlines() == ["Thing · <https://example.org/a>", "weight: 3"]
    assert net.nodes[str(ex.b)]["label"] == "b" and net.nodes[str(ex.b)]["class_label"] == "resource"


def test_blank_nodes_are_entities_and_a_neighbourhood_walks_through_them():
    ex = Namespace("https://example.org/")
    g = Graph()
    middle = BNode()
    g.add((ex.a, ex.linksTo, middle))
    g.add((middle, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Middle")))
    g.add((middle, ex.linksTo, ex.c))
    g.add((ex.c, ex.size, Literal(3)))
    net = projection.project(g)
    assert set(net.nodes) == {str(ex.a), f"_:{middle}", str(ex.c)}
    assert net.nodes[f"_:{middle}"]["label"] == "Middle" and "size: 3" in net.nodes[str(ex.c)]["details"]
    view = visualize.build_view(g, focus=str(ex.a), depth=2)
    assert set(view.network.nodes) == set(net.nodes) and view.network.number_of_edges() == 2


@pytest.fixture(scope="module")
def store():
    return kgtool.load_store(read_only=True)


@pytest.fixture(scope="module")
def whole_network(store):
    """``whole_network(records)``: the whole network of the bundled graph, projected once for each value of
    ``records`` (read only: the tests cut copies from it)."""
    return functools.cache(lambda records: projection.project(store, records=records))


# the cases share the whole networks, projected once on one worker (each projection takes seconds)
@pytest.mark.xdist_group("test_analytics_whole_network")
@pytest.mark.parametrize("focus,depth,records,include,hubs", [
    ("LLaMA", 2, False, None, False), ("GPT-4", 1, True, None, False), ("OPT", 2, False, "model", False),
    ("Meta AI", 1, False, None, True), ("CoQA", 1, False, None, False)])
def test_a_neighbourhood_asked_of_the_graph_is_the_cut_of_the_whole_network(
        store, whole_network, focus, depth, records, include, hubs):
    included = network_views.resolve_class(store, include) if include else set()
    whole = network_views.restrict(whole_network(records), included)
    if not hubs:
        whole = network_views.without_hubs(store, whole, included, keep=[network_views.resolve_entity(whole, focus)])
    expected = network_views.neighbourhood(whole, network_views.resolve_entity(whole, focus), depth)
    view = visualize.build_view(store, focus=focus, depth=depth, records=records, include=[include] if include else [],
                                hubs=hubs).network
    assert dict(view.nodes(data=True)) == dict(expected.nodes(data=True)) and len(view) > 3
    assert sorted(view.edges(keys=True, data=True)) == sorted(expected.edges(keys=True, data=True))


# --- choosing entities ------------------------------------------------------------------------

@pytest.mark.parametrize("text,slug", [("LLaMA", "llama"), ("llama ", "llama"), ("kgr:llama", "llama"),
                                       (KGR_IRI + "llama", "llama"), (f"<{KGR_IRI}llama>", "llama"),
                                       ("Generative Pre-trained Transformer 3", "gpt-3")])  # the last an altLabel
def test_an_entity_is_found_by_label_or_iri(network, text, slug):
    assert network_views.resolve_entity(network, text) == KGR_IRI + slug


def test_an_unknown_or_folded_entity_is_a_clear_error(network):
    with pytest.raises(QueryError, match="no entity is labelled 'LLaMB'; did you mean .*LLaMA"):
        network_views.resolve_entity(network, "LLaMB")
    with pytest.raises(QueryError, match="no entity is labelled 'Lama'; did you mean LLaMA"):  # case aside
        network_views.resolve_entity(network, "Lama")
    with pytest.raises(QueryError, match="not an entity of the network"):
        network_views.resolve_entity(network, "kgr:result/gpt-3-175b/coqa/few-shot/f1")


def test_an_ambiguous_label_lists_the_candidates():
    ex = Namespace("https://example.org/")
    g = Graph()
    for node in (ex.one, ex.two):
        g.add((node, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("Twin")))
    with pytest.raises(QueryError, match="ambiguous.*<https://example.org/one>, <https://example.org/two>"):
        network_views.resolve_entity(projection.project(g), "Twin")


def test_classes_by_label_name_or_iri_include_their_subclasses(bundled_source):
    models = network_views.resolve_class(bundled_source, "model")
    assert {KG_IRI + "Model", KG_IRI + "LanguageModel", KG_IRI + "VisionLanguageModel"} <= models
    spellings = ("LanguageModel", "kg:LanguageModel", "language model")
    assert len({frozenset(network_views.resolve_class(bundled_source, name)) for name in spellings}) == 1
    with pytest.raises(QueryError, match="no class is named 'Unicorn'"):
        network_views.resolve_class(bundled_source, "Unicorn")


def test_restrict_and_neighbourhood(bundled_source, network):
    people = network_views.resolve_class(bundled_source, "person")
    without = network_views.restrict(network, exclude=people)
    assert without.number_of_nodes() == network.number_of_nodes() - sum(
        1 for _, d in network.nodes(data=True) if d["types"] & people)
    only = network_views.restrict(network, include=network_views.resolve_class(bundled_source, "model"))
    assert only.number_of_nodes() > 50
    assert all(d["class_label"] in ("language model", "vision-language model", "model", "image encoder")
               for _, d in only.nodes(data=True))

    around = network_views.neighbourhood(network, KGR_IRI + "llama", 1)
    expected = {KGR_IRI + "llama"} | set(network.successors(KGR_IRI + "llama")) | set(network.predecessors(KGR_IRI + "llama"))
    assert set(around.nodes) == expected
    assert KGR_IRI + "meta-ai" in around


def test_a_select_query_draws_the_entities_it_returns(bundled_source):
    view = network_views.query_network(bundled_source, "leaderboard", {"benchmark": "CoQA"})
    assert view.kind == "select" and view.size >= 3
    assert KGR_IRI + "coqa" in view.network and KGR_IRI + "gpt-3-175b" in view.network
    assert view.network.has_edge(KGR_IRI + "gpt-3-175b", KGR_IRI + "coqa")


def test_a_construct_query_draws_its_graph(bundled_source):
    view = network_views.query_network(bundled_source, "model-neighbourhood", {"model": "BLIP-2"})
    assert view.kind == "construct" and view.size > 50
    assert view.network.has_edge(KGR_IRI + "blip-2", KGR_IRI + "opt")
    assert view.network.nodes[KGR_IRI + "opt"]["label"] == "OPT"  # label and class from the graph
    with pytest.raises(QueryError, match="ASK query"):
        network_views.query_network(bundled_source, "ASK { ?s ?p ?o }")


# --- analytics --------------------------------------------------------------------------------

def test_stats_add_up(network):
    s = analytics.stats(network)
    assert (s.nodes, s.edges) == (network.number_of_nodes(), network.number_of_edges())
    assert sum(n for _, n in s.classes) == s.nodes
    assert sum(n for _, n in s.properties) == s.edges
    assert sum(n for _, n in s.degrees) == s.nodes
    assert sum(s.components) == s.nodes
    assert s.components[0] > 0.9 * s.nodes  # one big connected graph
    assert dict(s.properties)["uses technique"] == 66
    assert s.degree_summary["max"] == max(d for _, d in network.degree())
    assert [b for b, _ in s.degrees][:4] == ["0", "1", "2", "3-4"]


def test_centrality_ranks_the_models_high(network):
    ranking = analytics.centrality(network, top=10)
    for key in ("pagerank", "betweenness"):
        scores = [r.score for r in ranking[key]]
        assert len(scores) == 10 and scores == sorted(scores, reverse=True)
        labels = {r.label for r in ranking[key]}
        assert {"LLaMA", "PaLM", "BLIP-2"} <= labels
    full = nx.pagerank(analytics.undirected(network), weight="weight")
    assert ranking["pagerank"][0].score == pytest.approx(max(full.values()))


def test_paths_are_true_statements_of_the_graph(graph, network):
    source, target = KGR_IRI + "blip-2", KGR_IRI + "llama"
    paths, total = analytics.shortest_paths(network, source, target, limit=50)
    assert total == len(paths) > 0
    length = nx.shortest_path_length(analytics.undirected(network), source, target)
    for path in paths:
        assert len(path) == length and path[0].source == source and path[-1].target == target
        for step in path:
            a, b = (step.source, step.target) if step.forward else (step.target, step.source)
            assert step.label in {d["label"] for d in network.get_edge_data(a, b).values()}


def test_the_path_from_blip2_to_llama_through_meta_ai(graph, bundled_source):
    hub_classes = ("modality", "risk", "code repository")
    classes = set().union(*(network_views.resolve_class(bundled_source, c) for c in hub_classes))
    network = network_views.restrict(projection.project(bundled_source), exclude=classes)
    paths, _ = analytics.shortest_paths(network, KGR_IRI + "blip-2", KGR_IRI + "llama")
    statements = [analytics.path_statement(network, KGR_IRI + "blip-2", p) for p in paths]
    assert "BLIP-2 -uses frozen model-> OPT -developed by-> Meta AI <-developed by- LLaMA" in statements
    # every link of it is a triple of the graph
    assert (KGR["blip-2"], KG.usesFrozenModel, KGR.opt) in graph
    assert (KGR.opt, KG.developedBy, KGR["meta-ai"]) in graph
    assert (KGR.llama, KG.developedBy, KGR["meta-ai"]) in graph


def test_communities_partition_the_network_repeatably(network):
    first, second = analytics.communities(network), analytics.communities(network)
    members = [n for group in first.groups for n in group]
    assert sorted(members) == sorted(network.nodes)
    assert first.groups == second.groups and first.modularity == second.modularity > 0.5
    assert [len(g) for g in first.groups] == sorted((len(g) for g in first.groups), reverse=True)
    # most links run inside a community
    community = {n: i for i, group in enumerate(first.groups) for n in group}
    inside = sum(1 for a, b in network.edges() if community[a] == community[b])
    assert inside > 0.6 * network.number_of_edges()


# --- GraphML and GEXF -------------------------------------------------------------------------

def _edges(net) -> Counter:
    """(from, to, property) of every edge; a reader gives a simple graph when no two edges are parallel."""
    return Counter((a, b, data["property"]) for a, b, data in net.edges(data=True))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_files_reload_with_the_same_nodes_and_edges(network, tmp_path, fmt):
    path = tmp_path / f"graph.{fmt}"
    network_formats.write_network(network, path, fmt)
    read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    again = read(path)
    assert set(again.nodes) == set(network.nodes)
    assert _edges(again) == _edges(network)
    assert again.is_multigraph() and Counter(list(again.edges(keys=True))) == Counter(list(network.edges(keys=True)))
    assert again.nodes[KGR_IRI + "llama"]["label"] == "LLaMA"
    assert again.nodes[KGR_IRI + "llama"]["class_label"] == "language model"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind

    buffer = io.BytesIO()
    network_formats.write_network(network, buffer, fmt)
    assert _edges(read(io.BytesIO(buffer.getvalue()))) == _edges(network)


def test_write_network_projects_an_rdf_graph_and_keeps_odd_text(tmp_path):
    ex = Namespace("https://example.org/")
    g = Graph()
    g.add((ex.a, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("<b>bold</b> & \x01 \"quoted\"")))
    g.add((ex.a, ex.p, ex.b))
    path = tmp_path / "odd.graphml"
    network_formats.write_network(g, path, "graphml")
    again = nx.read_graphml(path)
    assert again.nodes[str(ex.a)]["label"] == "<b>bold</b> &  \"quoted\""  # the control character cannot be XML
    assert _edges(again) == Counter({(str(ex.a), str(ex.b), str(ex.p)): 1})


def test_write_network_errors_leave_nothing(network, tmp_path):
    with pytest.raises(KgtoolError, match="does not exist"):
        network_formats.write_network(network, tmp_path / "missing" / "graph.graphml", "graphml")
    with pytest.raises(KgtoolError, match="unknown network format 'dot'"):
        network_formats.write_network(network, tmp_path / "graph.dot", "dot")
    assert list(tmp_path.iterdir()) == []


# --- the commands -----------------------------------------------------------------------------

def test_stats_command(network):
    result = run("stats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["entities", str(network.number_of_nodes())]
    assert lines[1].split() == ["links", str(network.number_of_edges())]
    classes = lines[lines.index(next(l for l in lines if l.startswith("class "))) + 2:]
    counts = {}
    for line in classes:
        if not line.strip():
            break
        name, count = line.rsplit(None, 1)
        counts[name.strip()] = int(count)
    assert counts["technique"] == 62 and sum(counts.values()) == network.number_of_nodes()


def test_stats_exclude_and_include(network):
    result = run("stats", "--exclude", "person", "--exclude", "paper")
    people_and_papers = sum(1 for _, d in network.nodes(data=True) if d["class_label"] in ("person", "paper"))
    assert result.output.splitlines()[0].split() == ["entities", str(network.number_of_nodes() - people_and_papers)]
    bad = run("stats", "--include", "Unicorn")
    assert bad.exit_code == 2 and bad.output.startswith("error: no class is named 'Unicorn'")


def test_central_command():
    result = run("central", "-n", "3")
    assert result.exit_code == 0, result.output
    blocks = result.output.split("\n\n")
    assert blocks[0].startswith("PageRank\nrank") and blocks[1].startswith("betweenness\nrank")
    for block in blocks:
        rows = block.strip().splitlines()[3:]
        assert len(rows) == 3 and [r.split()[0] for r in rows] == ["1", "2", "3"]
        assert all(r.split()[-1].startswith("kgr:") for r in rows)


def test_path_command_prints_statements_and_exits_1_without_a_path():
    result = CliRunner().invoke(main, ["path", "BLIP-2", "LLaMA", "--exclude", "modality",
                                                       "--exclude", "risk", "--exclude", "code repository"])
    assert result.exit_code == 0, result.output
    assert "BLIP-2 -uses frozen model-> OPT -developed by-> Meta AI <-developed by- LLaMA" in result.stdout.splitlines()
    assert "shortest paths of 3 links between BLIP-2 and LLaMA" in result.stderr

    none = CliRunner().invoke(main, ["path", "NVIDIA", "LLaMA"])
    assert none.exit_code == 1 and none.stdout == "" and "no path between NVIDIA and LLaMA" in none.stderr

    itself = CliRunner().invoke(main, ["path", "LLaMA", "llama"])  # an entity is the path of no link to itself
    assert itself.exit_code == 0 and itself.stdout == "LLaMA\n", itself.output
    assert "1 shortest path of 0 links between LLaMA and LLaMA" in itself.stderr

    unknown = run("path", "Nobody", "LLaMA")
    assert unknown.exit_code == 2 and unknown.output.startswith("error: no entity is labelled 'Nobody'")


def test_communities_command(network):
    result = CliRunner().invoke(main, ["communities", "--members", "3"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[2:]
    sizes = [int(r.split()[1]) for r in rows]
    assert sum(sizes) == network.number_of_nodes() and sizes == sorted(sizes, reverse=True)
    assert "modularity" in result.stderr


def test_the_network_of_an_endpoint_is_the_network_of_its_data(oxigraph_endpoint, network):
    result = run("stats", "--endpoint", oxigraph_endpoint)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].split() == ["entities", str(network.number_of_nodes())]
    assert result.output.splitlines()[1].split() == ["links", str(network.number_of_edges())]


def test_the_network_commands_read_the_graph_without_rdflib():
    code = ("import sys; from kgtool.cli import main\n"
            "for command in (['stats'], ['path', 'BLIP-2', 'LLaMA'], ['viz', '--focus', 'LLaMA', '-o', '-']):\n"
            "    try:\n        main(command)\n    except SystemExit as end:\n        assert not end.code, command\n"
            "print('RDFLIB', 'rdflib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "RDFLIB False" in out

