"""Each of the seven models has its organization, date, paper, sizes and architecture."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kgtool.namespaces import sparql_prologue
from tests.seven import SEVEN, seven_models

FACT_TABLE = Path(__file__).parent / "fact_table.md"


def one_row(graph, query: str, model: str):
    rows = list(graph.query(sparql_prologue() + query.replace("$model", f"kgr:{model}")))
    return rows


# what each model must have: a query that finds it, and what the model lacks when it finds nothing
REQUIRED = {
    "card": ("""
        SELECT ?org ?date ?paper ?arch WHERE {
          $model kg:developedBy ?org ; kg:releaseDate ?date ; kg:introducedIn ?paper ; kg:hasArchitecture ?arch .
          ?org a kg:Organization . ?paper a kg:Paper ; kg:arxivId ?id . ?arch a kg:Architecture .
          FILTER (DATATYPE(?date) = xsd:date)
        }""", "lacks organization, release date, paper or architecture"),
    "sizes": ("""
        SELECT ?size ?count WHERE {
          { ?size kg:variantOf $model } UNION { BIND($model AS ?size) }
          { ?size kg:parameterCount ?count } UNION { ?size kg:trainableParameterCount ?count }
                                             UNION { ?size kg:contextLength ?count }
        }""", "has no size with a parameter count (or, for GPT-4, a context length)"),
}


@pytest.mark.parametrize("model", SEVEN)
@pytest.mark.parametrize("required", REQUIRED)
def test_model_has_its_card_and_sizes(graph, model, required):
    query, lacking = REQUIRED[required]
    assert one_row(graph, query, model), f"{model} {lacking}"


@pytest.mark.parametrize("model", SEVEN)
def test_every_fact_about_the_model_has_a_source(graph, model):
    unsourced = one_row(graph, """
        SELECT ?p ?o WHERE {
          { ?s kg:variantOf $model } UNION { BIND($model AS ?s) }
          ?s ?p ?o . FILTER (STRSTARTS(STR(?p), STR(kg:)) && ?p NOT IN (kg:sizeLabel, kg:url))
          FILTER NOT EXISTS { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:source ?src ; kg:locator ?loc }
        }""", model)
    assert unsourced == []


def test_gpt4_parameter_count_is_never_a_fact(graph):
    assert not list(graph.query(sparql_prologue() + """
        SELECT ?n WHERE { { kgr:gpt-4 kg:parameterCount ?n } UNION { ?v kg:variantOf kgr:gpt-4 ; kg:parameterCount ?n } }"""))
    statuses = {str(r.status) for r in graph.query(sparql_prologue() + """
        SELECT ?status WHERE { ?c a kg:Claim ; kg:about kgr:gpt-4 ; kg:claimedProperty kg:parameterCount ; kg:status ?status }""")}
    assert statuses == {kgr("status/rumoured"), kgr("status/undisclosed")}


def test_gpt4_is_both_language_and_vision_language_model(graph):
    types = {str(t) for t in graph.objects(graph.namespace_manager.expand_curie("kgr:gpt-4"),
                                           graph.namespace_manager.expand_curie("rdf:type"))}
    assert {kg("LanguageModel"), kg("VisionLanguageModel")} <= types


def test_claims_by_status(graph):
    counts = {str(r.status): int(r.n) for r in graph.query(sparql_prologue() + """
        SELECT ?status (COUNT(?c) AS ?n) WHERE { ?c a kg:Claim ; kg:status ?status } GROUP BY ?status""")}
    assert counts.get(kgr("status/corrected"), 0) >= 21   # the 21 errors of the source article at least
    assert counts.get(kgr("status/rumoured"), 0) >= 1
    assert counts.get(kgr("status/unverified"), 0) >= 2     # the Marcus quote, "terabytes of text"
    assert counts.get(kgr("status/undisclosed"), 0) >= 1


def test_unverified_items_are_claims_not_facts(graph):
    marcus = list(graph.query(sparql_prologue() + """
        SELECT ?c WHERE { ?c a kg:Claim ; kg:status kgr:status/unverified ; kg:claimedBy kgr:gary-marcus }""".replace(
        "kgr:status/unverified", "<https://w3id.org/llmkg/resource/status/unverified>")))
    assert marcus
    assert not list(graph.query(sparql_prologue() + """
        SELECT ?q WHERE { ?q a kg:Quote ; kg:quotedPerson kgr:gary-marcus . FILTER NOT EXISTS { ?q a kg:Claim } }"""))


def kg(name):
    return "https://w3id.org/llmkg/ontology#" + name


def kgr(name):
    return "https://w3id.org/llmkg/resource/" + name


def test_the_seven_are_a_named_collection_with_a_source(graph):
    rows = list(graph.query(sparql_prologue() + """
        SELECT ?m ?src WHERE { ?c a skos:Collection ; skos:member ?m ; dcterms:source ?src .
                               ?src a kg:WebPage . }"""))
    assert {str(r.m).rsplit("/", 1)[-1] for r in rows} == set(SEVEN)
    # the fact table, written from the source article, has a section per model: "## GPT-3 (OpenAI)"
    sections = re.findall(r"^## (\S+) \([^)]*\)$", FACT_TABLE.read_text(encoding="utf-8"), re.M)
    assert sorted(sections) == sorted(seven_models().values())


def test_models_command_lists_the_seven_with_most_specific_classes():
    from click.testing import CliRunner

    from kgtool.cli import main

    result = CliRunner(env={"COLUMNS": ""}).invoke(main, ["models", "-f", "json"])
    assert result.exit_code == 0, result.output
    import json

    rows = json.loads(result.stdout)["results"]["bindings"]
    assert sorted(r["model"]["value"].rsplit("/", 1)[-1] for r in rows) == SEVEN
    assert [r["released"]["value"] for r in rows] == sorted(r["released"]["value"] for r in rows)  # by release
    by_model = {r["model"]["value"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_model["gpt-4"]["classes"]["value"] == "language model, vision-language model"
    assert by_model["llama"]["classes"]["value"] == "language model"       # not "model" as well
    assert by_model["gpt-3"]["sizes"]["value"].startswith("125M, 350M") and "175B" in by_model["gpt-3"]["sizes"]["value"]
    assert by_model["palm"]["organization"]["value"] and by_model["flamingo"]["inputs"]["value"]
    table = CliRunner(env={"COLUMNS": "100"}).invoke(main, ["models"])
    assert "(7 rows)" in table.stdout.splitlines() and "LLaMA" in table.stdout


def test_the_network_view_names_every_most_specific_class(bundled_source):
    from kgtool import projection

    network = projection.project(bundled_source)
    assert network.nodes[kgr("gpt-4")]["details"].startswith("language model, vision-language model · kgr:gpt-4")
    assert network.nodes[kgr("llama")]["details"].startswith("language model · kgr:llama")


def test_the_descriptions_name_the_seven_as_the_data_does():
    """The command's help and the data set's description take the names from one constant; it, the
    ontology's description and the README's first line name the models the collection holds."""
    from click.testing import CliRunner

    from kgtool import dataset, resources
    from kgtool.cli import main

    labels = set(seven_models().values())
    assert set(dataset.SEVEN_MODELS) == labels
    ontology = (resources.ontology_dir() / "llmkg.ttl").read_text(encoding="utf-8")
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8").split("\n\n")[1]
    helped = CliRunner().invoke(main, ["--help"]).output
    for text in (ontology, readme, helped, dataset.DATASET_DESCRIPTION):
        assert all(label in text for label in labels), text[:300]
