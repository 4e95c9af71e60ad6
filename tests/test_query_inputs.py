"""How kgtool takes queries, parameters and data files from Python and the command line: a .rq file is a
file whatever its name, a parameter that cannot reach the query or a value it cannot take is an error
naming it, a single file or model is not read letter by letter, and a label of the wrong kind is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import kgtool
from kgtool import Term
from kgtool.cli import main
from kgtool.errors import KgtoolError, QueryError
from kgtool.queries import NamedQuery

KGR = "https://w3id.org/llmkg/resource/"
LABELS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?m WHERE { ?m rdfs:label ?l }"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def store():
    return kgtool.load_store()


@pytest.fixture(params=["store", "endpoint"])
def where(request, store):
    """The local engine and a real endpoint: both bind parameters the same way."""
    if request.param == "store":
        return {"store": store}
    return {"endpoint": request.getfixturevalue("oxigraph_endpoint")}


# --- a query file is a file ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ask-gpt4.rq", "my/select-models.rq", "construct.rq", "describe this.rq"])
def test_a_query_file_named_with_a_query_keyword_is_read_as_a_file(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_text("# title: GPT-4\nPREFIX kgr: <https://w3id.org/llmkg/resource/>\nASK { kgr:gpt-4 ?p ?o }\n")
    assert kgtool.run_query(name).boolean is True
    assert kgtool.run_query(Path(name)).boolean is True
    assert kgtool.run_query(tmp_path / name).boolean is True
    result = run("query", name)
    assert result.exit_code == 0, result.output


def test_a_missing_query_file_named_with_a_keyword_is_named_as_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for query in ("select-models.rq", Path("select-models.rq")):
        with pytest.raises(QueryError, match=r"^select-models\.rq: no such query file$"):
            kgtool.run_query(query)


def test_a_path_is_a_file_even_where_a_catalogue_name_is_alike(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("leaderboard").write_text("SELECT (1 AS ?n) WHERE {}\n")
    assert kgtool.run_query(Path("leaderboard")).rows[0]["n"].value == "1"


def test_a_query_of_another_type_is_a_clear_error():
    with pytest.raises(QueryError, match=r"a query is a name, a \.rq file or SPARQL text, not int 42"):
        kgtool.run_query(42)  # type: ignore[arg-type]


# --- where the query runs ------------------------------------------------------------------------


@pytest.mark.parametrize("given", [{"extra": ["missing.ttl"]}, {"extra": "missing.ttl"}, {"infer": True}])
def test_extra_files_or_inference_with_a_given_store_are_refused(given, store):
    with pytest.raises(QueryError, match="apply to the bundled graph, not to a given store"):
        kgtool.run_query("ASK { ?s ?p ?o }", store=store, **given)


# --- a parameter must reach the query ------------------------------------------------------------


def test_a_parameter_whose_variable_the_query_does_not_use_is_an_error(store):
    with pytest.raises(QueryError, match=r"parameter nope: the variable \?nope is used nowhere in the query$"):
        kgtool.run_query(LABELS, {"nope": "x"}, store=store)


def test_a_parameter_used_only_inside_a_subquery_that_does_not_select_it_is_an_error(store):
    hidden = "SELECT ?m WHERE { { SELECT ?m WHERE { ?m rdfs:label ?l } } }"
    with pytest.raises(QueryError, match=r"the variable \?l is used only inside a subquery that does not select it"):
        kgtool.run_query(hidden, {"l": '"LLaMA"'}, store=store)
    # selected by the subquery (by name, with AS, or with *), it is bound
    for selected in (
        "SELECT ?m WHERE { { SELECT ?m ?l WHERE { ?m rdfs:label ?l } } }",
        "SELECT ?m WHERE { { SELECT ?m (?label AS ?l) WHERE { ?m rdfs:label ?label } } }",
        "SELECT ?m WHERE { { SELECT * WHERE { ?m rdfs:label ?l } } }",
    ):
        result = kgtool.run_query(selected, {"l": '"LLaMA"@en'}, store=store)
        assert [row["m"].value for row in result.rows] == [KGR + "llama"], selected


def test_every_parameter_of_the_catalogue_can_be_bound():
    from kgtool.queries import catalogue
    from kgtool.sparql import bindable_variables

    for name, query in catalogue().items():
        variables = bindable_variables(query.text)
        assert variables is not None and {p.name for p in query.params} <= variables, name


# --- values the query cannot take ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query, params, message",
    [
        (
            LABELS,
            {"l": Term("uri", "not an iri")},
            "parameter l: 'not an iri' is not an IRI (invalid IRI code point ' ')",
        ),
        (LABELS, {"l": Term("bnode", "b0")}, "parameter l: the blank node _:b0 cannot be a value"),
        (LABELS, {"l": Term("literal", "x", "not an iri")}, "parameter l: 'not an iri' is not an IRI"),
        (LABELS, {"l": Term("literal", "x", lang="en gb")}, "parameter l: 'en gb' is not a language tag"),
        (
            "PREFIX kg: <https://w3id.org/llmkg/ontology#>\n"
            "SELECT ?m WHERE { ?m kg:developedBy ?o . BIND(?o AS ?org) }",
            {"org": "OpenAI"},
            "parameter org: the query assigns ?org itself (with AS, in BIND or SELECT), so it cannot be given a value",
        ),
        (
            "SELECT ?m (1 AS ?n) WHERE { ?m ?p ?o }",
            {"n": "2"},
            "parameter n: the query assigns ?n itself (with AS, in BIND or SELECT), so it cannot be given a value",
        ),
    ],
)
def test_a_value_the_query_cannot_take_is_an_error_naming_its_parameter(query, params, message, where):
    with pytest.raises(QueryError) as err:
        kgtool.run_query(query, params, **where)
    assert message in str(err.value) and "syntax error" not in str(err.value)
    assert "\n" not in str(err.value)


def test_an_int_is_an_integer_literal(store):
    result = kgtool.run_query("SELECT ?n WHERE {}", {"n": 42}, store=store)
    assert result.rows[0]["n"] == Term("literal", "42", "http://www.w3.org/2001/XMLSchema#integer")


@pytest.mark.parametrize("value, kind", [(4.2, "float"), (True, "bool"), (["a"], "list")])
def test_a_value_of_another_type_is_a_clear_error(value, kind, store):
    with pytest.raises(QueryError, match=rf"parameter l: .* is a {kind}: give a str"):
        kgtool.run_query(LABELS, {"l": value}, store=store)


def test_parameters_that_are_no_mapping_are_a_clear_error(store):
    with pytest.raises(QueryError, match=r"parameters are a mapping of names to values, .* not a list"):
        kgtool.run_query(LABELS, [("l", "x")], store=store)  # type: ignore[arg-type]


# --- one file or model where a list is expected --------------------------------------------------


def test_a_single_data_file_is_one_file_not_its_letters(tmp_path):
    data = tmp_path / "extra.ttl"
    data.write_text("<urn:x:a> <urn:x:b> <urn:x:c> .\n")
    for extra in (str(data), data):
        assert len(kgtool.load_graph(extra, bundled=False)) == 1
        assert len(kgtool.load_store(extra=extra, bundled=False)) == 1
        assert kgtool.run_query("ASK { <urn:x:a> ?p ?o }", extra=extra).boolean is True
    for call in (
        lambda: kgtool.load_graph("missing.ttl"),
        lambda: kgtool.validate("missing.ttl"),
        lambda: kgtool.run_query("ASK { ?s ?p ?o }", extra="missing.ttl"),
    ):
        with pytest.raises(KgtoolError, match=r"^missing\.ttl: no such file"):
            call()


def test_a_single_model_is_one_model_not_its_letters():
    with pytest.raises(QueryError, match="compare needs two models or more"):
        kgtool.compare("LLaMA")


# --- a label of the wrong kind -------------------------------------------------------------------


def test_a_label_of_another_kind_than_the_parameter_is_an_error(where):
    with pytest.raises(QueryError) as err:
        kgtool.run_query("leaderboard", {"benchmark": "F1"}, **where)
    assert str(err.value) == "parameter benchmark: 'F1' names a metric, not a benchmark"


@pytest.mark.parametrize(
    ("query", "param", "text", "message"),
    [
        ("leaderboard", "metric", "MMLU", "'MMLU' names a benchmark, not a metric"),
        ("results-with-settings", "model", "MMLU", "'MMLU' names a benchmark, not a model"),
        ("benchmarks-by-task-type", "taskType", "F1", "'F1' names a metric, not a task type"),
    ],
)
def test_an_optional_parameter_given_a_label_of_another_kind_is_an_error_not_an_empty_answer(
    where, query, param, text, message
):
    with pytest.raises(QueryError) as err:
        kgtool.run_query(query, {param: text}, **where)
    assert str(err.value) == f"parameter {param}: {message}"


def test_an_optional_parameter_whose_header_takes_any_kind_follows_what_it_is_given(where):
    # architecture-lineage follows components (kg:Component) as well as architectures
    lineage = kgtool.run_query("architecture-lineage", {"architecture": "Q-Former"}, **where)
    assert {row["subject"].value for row in lineage.rows} == {KGR + "blip-2"}
    assert kgtool.queries.catalogue()["architecture-lineage"].params[0].any_kind


def test_a_label_of_resources_without_a_class_is_not_of_another_kind(store):
    # their kind is unknown: ambiguous, as it was
    extra = Path(__file__).parent / "data" / "ambiguous.ttl"
    with pytest.raises(QueryError, match="parameter benchmark='Twin' is ambiguous"):
        kgtool.run_query("leaderboard", {"benchmark": "Twin"}, extra=[extra])
    with pytest.raises(QueryError, match=r"'percentile' names a metric and a unit, not a benchmark$"):
        kgtool.run_query("leaderboard", {"benchmark": "percentile"}, store=store)


def test_a_label_of_another_kind_is_an_error_on_the_command_line():
    result = run("query", "leaderboard", "-p", "benchmark=F1")
    assert result.exit_code == 2
    assert "error: parameter benchmark: 'F1' names a metric, not a benchmark" in result.output


def test_a_label_shared_by_two_kinds_resolves_to_the_one_of_the_parameters_kind(where):
    result = kgtool.run_query("SELECT ?metric WHERE {}", {"metric": "percentile"}, **where)
    assert [row["metric"].value for row in result.rows] == [KGR + "percentile"]
    assert run("query", "leaderboard", "-p", "metric=percentile").exit_code == 0


def test_the_kind_of_a_parameter_takes_in_its_subclasses_and_a_parameter_without_a_kind_any_resource(where):
    # model's default is a language model; a vision-language model is a model too
    card = kgtool.run_query("model-card", {"model": "BLIP-2"}, **where)
    assert len(card) > 0
    # entity is no class of the ontology: any resource
    assert len(kgtool.run_query("entity-provenance", {"entity": "F1"}, **where)) > 0


# --- a suite's leaderboard ------------------------------------------------------------------------


def test_a_suite_without_results_of_its_own_lists_its_parts_results_each_named(where):
    # GPT-4's Figure 5: GPT-4 3-shot on MMLU machine-translated into 26 languages (77.5% in Welsh)
    suite = kgtool.run_query("leaderboard", {"benchmark": "MMLU, machine-translated"}, **where)
    parts = {row["part"].value.removeprefix(KGR): row["value"].value for row in suite.rows}
    assert len(suite) == 26 and len(parts) == 26 and parts["mmlu-translated-welsh"] == "77.5"
    assert {row["benchmark"].value for row in suite.rows} == {KGR + "mmlu-translated"}


def test_a_benchmark_with_results_of_its_own_keeps_its_parts_out_unless_asked(where):
    # MMLU holds its own results: its subjects' (LLaMA's Table 16) stay on their own leaderboards
    mmlu = kgtool.run_query("leaderboard", {"benchmark": "MMLU"}, **where)
    assert len(mmlu) > 0 and not any("part" in row for row in mmlu.rows)
    # PaLM's Table 17: TyDiQA-GoldP's average, and with parts=true its nine languages beside it
    own = kgtool.run_query("leaderboard", {"benchmark": "TyDiQA-GoldP"}, **where)
    both = kgtool.run_query("leaderboard", {"benchmark": "TyDiQA-GoldP", "parts": "true"}, **where)
    languages = {row["part"].value.removeprefix(KGR) for row in both.rows if "part" in row}
    assert len(languages) == 9 and "tydiqa-goldp-sw" in languages
    assert [row for row in both.rows if "part" not in row] == own.rows


def test_numbers_on_a_subset_of_a_split_stay_off_a_leaderboard_unless_asked(where):
    # GPT-3's Table C.1, ANLI R1 test: 36.8 on every example, 40.5 on the dirty ones, 35.9 on the clean ones
    def gpt3(result):
        return sorted((row["value"].value, row["subset"].value if "subset" in row else None)
                      for row in result.rows if row["model"].value == KGR + "gpt-3")

    assert gpt3(kgtool.run_query("leaderboard", {"benchmark": "ANLI R1"}, **where)) == [("36.8", None)]
    every = kgtool.run_query("leaderboard", {"benchmark": "ANLI R1", "subsets": "true"}, **where)
    assert gpt3(every) == [("35.9", "clean"), ("36.8", None), ("40.5", "dirty")]
    assert {row["split"].value for row in every.rows if row["model"].value == KGR + "gpt-3"} == {"test"}


def test_a_switch_takes_true_or_false_and_nothing_else(where):
    # parts and subsets are switches: "yes" is no label to look up in the graph
    for name in ("parts", "subsets"):
        with pytest.raises(QueryError, match=f"^query leaderboard, parameter {name}: 'yes' is neither true nor false$"):
            kgtool.run_query("leaderboard", {"benchmark": "CoQA", name: "yes"}, **where)
    off = kgtool.run_query("leaderboard", {"benchmark": "CoQA", "subsets": "false"}, **where)
    assert off.rows == kgtool.run_query("leaderboard", {"benchmark": "CoQA"}, **where).rows
    header = "# param: flag (optional, true or false) a switch\nSELECT * WHERE { BIND (?flag AS ?x) }"
    assert NamedQuery.parse(header, "switch").params[0].boolean


# --- the end of an IRI ---------------------------------------------------------------------------


def test_the_end_of_an_iri_of_the_graph_names_its_resource_where_no_label_matches(where):
    by_slug = kgtool.run_query("leaderboard", {"benchmark": "mmlu-abstract-algebra"}, **where)
    by_label = kgtool.run_query("leaderboard", {"benchmark": "MMLU (Abstract Algebra)"}, **where)
    assert len(by_slug) == 8 and by_slug.rows == by_label.rows
    assert {row["benchmark"].value for row in by_slug.rows} == {KGR + "mmlu-abstract-algebra"}


def test_the_end_of_an_iri_of_another_kind_or_of_nothing_is_an_error(where):
    with pytest.raises(QueryError, match="^parameter benchmark: 'llama-65b' names a language model, not a benchmark"):
        kgtool.run_query("leaderboard", {"benchmark": "llama-65b"}, **where)
    with pytest.raises(QueryError, match="^no benchmark is labelled 'mmlu-abstract-algebr'; did you mean"):
        kgtool.run_query("leaderboard", {"benchmark": "mmlu-abstract-algebr"}, **where)


def test_a_label_of_the_ontology_s_terms_is_named_by_its_kind_s_prefixed_name(where):
    with pytest.raises(QueryError, match="^parameter benchmark: 'Model' names an owl:Class, not a benchmark$"):
        kgtool.run_query("leaderboard", {"benchmark": "Model"}, **where)


def test_suggested_labels_that_hold_commas_are_quoted_so_the_list_reads_as_one(where):
    with pytest.raises(QueryError) as raised:
        kgtool.run_query("leaderboard", {"benchmark": "GPT-3 175B on CoQA dev, one-shot, F1"}, **where)
    assert '; did you mean "GPT-3 175B on CoQA dev, one-shot, F1 — GPT-3 paper' in str(raised.value)
    with pytest.raises(QueryError, match="did you mean TriviaQA"):  # plain names stay plain
        kgtool.run_query("leaderboard", {"benchmark": "TrivaQA"}, **where)


def test_the_end_of_a_result_s_iri_with_its_split_names_the_result(where):
    slug = "result/gpt-4/ap-english-language@frq/unknown/exam-score/arxiv-2303.08774/table-10"
    with pytest.raises(QueryError, match=f"^parameter benchmark: '{slug}' names an evaluation result, not a"):
        kgtool.run_query("leaderboard", {"benchmark": slug}, **where)


def test_the_network_commands_take_the_end_of_an_iri_as_the_query_command_does(tmp_path):
    by_slug, by_label = run("path", "gpt-3-175b", "llama-65b"), run("path", "GPT-3 175B", "LLaMA-65B")
    assert by_slug.exit_code == 0 and by_slug.stdout == by_label.stdout != "", by_slug.output
    page = tmp_path / "anatomy.html"
    shown = run("viz", "--focus", "mmlu-anatomy", "-o", str(page))
    assert shown.exit_code == 0 and "Neighbourhood of MMLU (Anatomy)" in shown.stderr, shown.output


def test_the_end_of_an_iri_names_a_resource_on_the_command_line():
    result = run("query", "leaderboard", "-p", "benchmark=mmlu-abstract-algebra", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 9 and "LLaMA-13B" in result.output
