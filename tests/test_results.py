"""Results as people and programs read them: the label-first table that fits the terminal, exact
machine formats, standard ASK and CONSTRUCT documents, Python and pandas values."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

import kgtool
from kgtool.cli import main
from kgtool.queries import catalogue
from kgtool.results import QueryResult, Term, XSD, render, text_table

NAMED = sorted(n for n in catalogue() if not n.startswith("checks/"))


def run(*args: str, columns: int | None = 100):
    env = {"COLUMNS": str(columns)} if columns else {"COLUMNS": ""}
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture(scope="module")
def store():
    return kgtool.load_store()


# --- the table fits ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMED)
def test_every_named_query_fits_100_columns(name):
    result = run("query", name)
    assert result.exit_code in (0, 1), result.output
    lines = result.stdout.splitlines()
    too_wide = [line for line in lines if len(line) > 100]
    assert not too_wide, f"{name}: {len(too_wide)} lines wider than 100 columns: {too_wide[0]!r}"


def test_leaderboard_is_label_first_and_iris_bring_the_iris_back():
    labels = run("query", "leaderboard", "-p", "benchmark=CoQA").stdout
    header = labels.splitlines()[1].split()  # below the line of what every row shares
    assert "modelLabel" not in header and "model" in header      # the label twin is dropped
    assert "GPT-3 175B" in labels and "kgr:gpt-3-175b" not in labels
    assert "85.0%" in labels                                     # the unit beside the number
    iris = run("query", "leaderboard", "-p", "benchmark=CoQA", "--iris", columns=None).stdout
    assert "kgr:gpt-3-175b" in iris and "modelLabel" in iris.splitlines()[0]


def test_what_every_row_shares_moves_above_a_table_too_wide_for_the_terminal():
    lines = run("query", "leaderboard", "-p", "benchmark=MMLU").stdout.splitlines()
    assert lines[0] == "benchmark: MMLU · metric: accuracy · lowerIsBetter: false · empty: subset, qualifier, upper, part"
    header = lines[1].split()
    assert "benchmark" not in header and "upper" not in header
    assert "source" in header  # who reports each number stays on screen
    wide = run("query", "leaderboard", "-p", "benchmark=MMLU", columns=600).stdout.splitlines()  # 405 wide
    assert wide[0].split()[:2] == ["benchmark", "metric"]  # a table that fits is left whole


def test_machine_formats_stay_exact_and_complete():
    table_width = run("query", "leaderboard", "-f", "csv").stdout.splitlines()[0].split(",")
    assert table_width[:5] == ["benchmark", "metric", "metricLabel", "model", "modelLabel"]
    assert "https://w3id.org/llmkg/resource/gpt-3-175b" in run("query", "leaderboard", "-f", "csv").stdout
    document = json.loads(run("query", "leaderboard", "-f", "json").stdout)
    assert "locator" in document["head"]["vars"]


def test_columns_shrink_with_an_ellipsis_before_they_are_hidden():
    rows = [["a" * 40, "b" * 40, "12,345"]]
    shrunk = text_table(["first", "second", "n"], rows, numeric=[2], width=60).splitlines()
    assert all(len(line) <= 60 for line in shrunk)
    assert "…" in shrunk[2] and shrunk[2].endswith("12,345")  # a number is never cut
    hidden = text_table(["x", "y", "z"], [["a" * 30, "b" * 30, "c" * 30]], width=40).splitlines()
    assert hidden[-1] == "1 column hidden (z); -f csv"  # the advice in short, to fit the 40 columns
    assert hidden[2] == "a" * 18 + "…" + "  " + "b" * 18 + "…"   # both shrink alike before z is left out
    roomy = text_table(["x", "y", "z"], [["a" * 30, "b" * 30, "c" * 30]], width=51).splitlines()
    assert roomy[-1] == "1 column hidden (z); -f csv shows every column"


@pytest.mark.parametrize("width", [20, 30, 40, 50, 60, 80])
def test_a_narrow_table_keeps_its_values_and_its_last_line_fits(width):
    header = ["model", "split", "setting", "value", "source", "locator"]
    rows = [["GPT-3 175B", "dev", "few-shot", "85.0", "GPT-3 paper (arXiv 2005.14165)", 'Table 3.1, row "x"']]
    lines = text_table(header, rows, numeric=[3], width=width).splitlines()
    assert all(len(line) <= width for line in lines), lines
    assert lines[0].split()[0] == "model" and "value" in lines[0].split()  # the name and the number stay


def test_no_width_without_a_terminal_gives_the_whole_table():
    whole = run("query", "leaderboard", columns=None).stdout
    assert max(len(line) for line in whole.splitlines()) > 100 and "hidden" not in whole


def test_a_long_value_is_cut_at_the_cell_width_only_where_no_terminal_sets_the_room():
    long = Term("literal", "word " * 20)
    result = QueryResult("select", ["x", "n"], [{"x": long, "n": Term("literal", "1", XSD + "integer")}])
    assert "…" in render(result).splitlines()[2]  # no width: a cell is kept to 60 characters
    assert render(result, width=400).splitlines()[2].startswith(("word " * 20).strip())
    assert max(map(len, render(result, width=50).splitlines())) <= 50


def test_numbers_are_right_aligned_with_thousands_separators():
    text = render(QueryResult("select", ["n"], [{"n": Term("literal", "1234567.5", XSD + "decimal")},
                                                {"n": Term("literal", "3", XSD + "integer")}]))
    assert text.splitlines()[2:4] == ["1,234,567.5", "          3"]


def test_control_codes_in_the_data_never_reach_the_terminal():
    evil = Term("literal", "ok\x1b[31mred\x07\u202eevil\nnext")
    text = render(QueryResult("select", ["x"], [{"x": evil}]), width=100)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "okredevil next" in text


# --- ASK and CONSTRUCT in the standard documents -------------------------------------------------

def test_ask_json_is_the_sparql_results_document():
    result = run("query", "is-multimodal", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == {"head": {}, "boolean": True}
    from rdflib.plugins.sparql.results.jsonresults import JSONResultParser
    import io

    assert JSONResultParser().parse(io.StringIO(result.stdout)).askAnswer is True
    plain = run("query", "is-multimodal")
    assert plain.stdout == "true\n"


def test_ask_xml_is_the_sparql_results_document():
    result = run("query", "is-multimodal", "-p", "model=LLaMA", "-f", "xml")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert root.tag == f"{ns}sparql" and root.find(f"{ns}boolean").text == "false"


def test_construct_json_is_json_ld():
    from rdflib import Graph

    result = run("query", "model-neighbourhood", "-f", "json")
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.stdout, format="json-ld")
    assert len(graph) == len(kgtool.run_query("model-neighbourhood"))


# --- labels that name nothing, defaults, parameters ---------------------------------------------

@pytest.mark.parametrize("param,typo,suggestion", [("benchmark", "TrivaQA", "TriviaQA"), ("model", "GPT4", "GPT-4"),
                                                    ("model", "Lama", "LLaMA")])
def test_a_mistyped_label_is_an_error_with_the_closest_labels(param, typo, suggestion):
    query = "leaderboard" if param == "benchmark" else "model-card"
    result = run("query", query, "-p", f"{param}={typo}")
    assert result.exit_code == 2
    assert f"no {param} is labelled '{typo}'" in result.stderr and f"did you mean {suggestion}" in result.stderr
    assert result.stdout == ""


def test_a_mistyped_label_is_an_error_in_the_python_api(store):
    with pytest.raises(kgtool.QueryError, match="no benchmark is labelled 'TrivaQA'.*did you mean TriviaQA"):
        kgtool.run_query("leaderboard", {"benchmark": "TrivaQA"}, store=store)


def test_a_label_close_to_nothing_says_how_to_give_text(store):
    with pytest.raises(kgtool.QueryError, match=r'give an IRI, or "Zzqxv" in quotes'):
        kgtool.run_query("leaderboard", {"benchmark": "Zzqxv"}, store=store)


def test_a_default_is_announced_on_stderr():
    result = run("query", "model-card", "-f", "csv")
    assert "model: GPT-3 (default; -p model= for every model)" in result.stderr
    assert "default" not in result.stdout
    chosen = run("query", "model-card", "-p", "model=LLaMA", "-f", "csv")
    assert "default" not in chosen.stderr


def test_an_undeclared_or_repeated_parameter_is_an_error():
    undeclared = run("query", "papers", "-p", "model=LLaMA")
    assert undeclared.exit_code == 2 and "query papers has no parameter model" in undeclared.stderr
    wrong = run("query", "model-card", "-p", "modle=LLaMA")
    assert wrong.exit_code == 2 and "no parameter modle" in wrong.stderr
    twice = run("query", "model-card", "-p", "model=LLaMA", "-p", "model=PaLM")
    assert twice.exit_code == 2 and "-p model is given twice" in twice.stderr


def test_a_mistyped_label_is_an_error_on_the_query_page(store):
    # the query page binds a named query's parameters through GET /queries/NAME.rq and shows its error
    from tests.test_server import _client

    with _client(store) as client:
        typo = client.get("/queries/leaderboard.rq", params={"benchmark": "TrivaQA"})
        assert typo.status_code == 400
        assert "no benchmark is labelled 'TrivaQA'; did you mean TriviaQA" in typo.text
        assert client.get("/queries/leaderboard.rq", params={"benchmark": "TriviaQA"}).status_code == 200


def test_an_endpoint_answer_is_label_first_too(oxigraph_endpoint):
    result = run("query", "leaderboard", "-p", "benchmark=CoQA", "--endpoint", oxigraph_endpoint)
    assert result.exit_code == 0, result.output
    assert "GPT-3 175B" in result.stdout and "kgr:gpt-3-175b" not in result.stdout
    typo = run("query", "leaderboard", "-p", "benchmark=TrivaQA", "--endpoint", oxigraph_endpoint)
    assert typo.exit_code == 2 and "did you mean TriviaQA" in typo.stderr
    compared = run("compare", "LLaMA", "GPT-3", "--endpoint", oxigraph_endpoint, "-f", "json")
    assert compared.exit_code == 0 and json.loads(compared.stdout) == kgtool.compare(["LLaMA", "GPT-3"]).to_dict()


@pytest.mark.parametrize("term", [Term("uri", "https://w3id.org/llmkg/resource/llama"), Term("bnode", "b0"),
                                  Term("literal", "LLaMA", None, "en"), Term("literal", "plain"),
                                  Term("literal", "65200000000", XSD + "integer"),
                                  Term("literal", "2023-02-24", XSD + "date")])
def test_one_term_conversion_round_trips_through_both_engines(term):
    from kgtool.results import from_oxigraph, from_rdflib, to_oxigraph, to_rdflib

    assert from_oxigraph(to_oxigraph(term)) == term
    assert from_rdflib(to_rdflib(term)) == term
    assert from_rdflib(to_rdflib(from_oxigraph(to_oxigraph(term)))) == term


@pytest.mark.parametrize("command", [["communities"], ["central", "-n", "5"]])
def test_the_network_commands_print_with_the_same_fitted_table(command):
    result = run(*command, columns=60)
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 60 for line in result.stdout.splitlines()), result.stdout
