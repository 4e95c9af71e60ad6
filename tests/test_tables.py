"""Results tables (kgtool.tables): compiled by the loader every command uses; every error names
file:line:column; the IRIs are deterministic and never collide silently."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

import kgtool
from kgtool import tables
from kgtool.cli import main
from kgtool.errors import DataError
from kgtool.namespaces import KG, KGR

HEADER = "model,benchmark,split,metric,setting,shots,value,qualifier,upper,unit,origin,cites,source,locator,note\n"
# a user's own result: the bundled graph holds no MMLU result of GPT-2
MMLU = 'gpt-2,mmlu,,accuracy,few-shot,5,86.4,,,percent,measured,,arxiv-2303.08774,"Table 2, row MMLU",\n'
MMLU_IRI = KGR + "result/gpt-2/mmlu/few-shot-5/accuracy/arxiv-2303.08774/table-2"
ASK_MMLU = ("PREFIX kg: <https://w3id.org/llmkg/ontology#> PREFIX kgr: <https://w3id.org/llmkg/resource/> "
            "ASK { ?r kg:evaluatedModel kgr:gpt-2 ; kg:benchmark kgr:mmlu ; kg:value 86.4 ; kg:shots 5 }")


def write(tmp_path: Path, body: str, name: str = "my-results.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def error_of(path: Path) -> tables.TableError:
    with pytest.raises(tables.TableError) as caught:
        tables.compile_table(path)
    return caught.value


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# --- compiling ---------------------------------------------------------------------------------

def test_a_row_becomes_a_result_with_every_property(tmp_path):
    path = write(tmp_path, HEADER + 'gpt-4,uniform-bar-exam,,percentile,unknown,,86,range,100,percentile,measured,,'
                 'arxiv-2303.08774,"Table 1, row Uniform Bar Exam",a made-up range\n'
                 'rag,triviaqa,test,accuracy,fine-tuned,,68.0,,,percent,cited,arxiv-2005.11401,arxiv-2005.14165,'
                 '"Table 3.3",\n')
    from kgtool.store import parse_file

    graph = parse_file(path)
    first = URIRef(KGR + "result/gpt-4/uniform-bar-exam/unknown/percentile/arxiv-2303.08774/table-1")
    second = URIRef(KGR + "result/rag/triviaqa@test/fine-tuned/accuracy/arxiv-2005.14165/table-3.3")
    assert graph.value(first, URIRef(KG + "setting")) == URIRef(KGR + "unknown-setting")
    assert graph.value(first, URIRef(KG + "qualifier")) == URIRef(KGR + "qualifier/range")
    assert graph.value(first, URIRef(KG + "upperValue")).toPython() == 100
    assert graph.value(first, URIRef(KG + "unit")) == URIRef(KGR + "unit/percentile")
    assert graph.value(first, URIRef(KG + "origin")) == URIRef(KGR + "origin/measured")
    assert graph.value(first, URIRef(KG + "note")) == Literal("a made-up range", lang="en")
    # the label is made of the bundled labels of the row's model, benchmark, metric and source, and the place
    assert str(graph.value(first, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == \
        "GPT-4 on Uniform Bar Exam, setting unknown, percentile — GPT-4 Technical Report (arXiv 2303.08774), Table 1"
    assert graph.value(second, URIRef(KG + "split")) == Literal("test")
    assert graph.value(second, URIRef(KG + "citedFrom")) == URIRef(KGR + "arxiv-2005.11401")
    assert graph.value(second, URIRef(KG + "origin")) == URIRef(KGR + "origin/cited")
    assert (second, URIRef(KG + "shots"), None) not in graph


def test_columns_in_any_order_optional_ones_absent_and_id_keeps_a_published_iri(tmp_path):
    path = write(tmp_path, "locator,source,origin,unit,value,setting,metric,benchmark,model,id\n"
                 '"Table 3.7",arxiv-2005.14165,measured,percent,85.0,few-shot,f1,coqa,gpt-3-175b,'
                 "result/gpt-3-175b/coqa/few-shot/f1\n")
    compiled = tables.compile_table(path)
    assert list(compiled.rows) == [KGR + "result/gpt-3-175b/coqa/few-shot/f1"]
    assert compiled.rows[KGR + "result/gpt-3-175b/coqa/few-shot/f1"] == 2


def test_the_iri_tells_apart_split_shots_and_source(tmp_path):
    rows = ["flamingo-80b,vqav2,test-dev,vqa-accuracy,few-shot,4,63.1,,,percent,measured,,arxiv-2204.14198,T1,",
            "flamingo-80b,vqav2,test-std,vqa-accuracy,few-shot,4,63.1,,,percent,measured,,arxiv-2204.14198,T1,",
            "flamingo-80b,vqav2,test-dev,vqa-accuracy,few-shot,32,63.1,,,percent,measured,,arxiv-2204.14198,T1,",
            "flamingo-80b,vqav2,test-dev,vqa-accuracy,few-shot,4,63.1,,,percent,cited,,arxiv-2301.12597,T2,"]
    compiled = tables.compile_table(write(tmp_path, HEADER + "\n".join(rows) + "\n"))
    assert len(compiled.rows) == 4


def test_a_subset_of_a_split_is_a_property_of_its_own_and_part_of_the_iri(tmp_path):
    # GPT-3's Table C.1: ANLI R1 on the whole test set and on its dirty examples only
    header = HEADER.replace(",split,", ",split,subset,")
    rows = ["gpt-3,anli-r1,test,,accuracy,unknown,,36.8,,,percent,measured,,arxiv-2005.14165,Table C.1,",
            "gpt-3,anli-r1,test,dirty,accuracy,unknown,,40.5,,,percent,measured,,arxiv-2005.14165,Table C.1,",
            "gpt-4,uniform-bar-exam,,non-contaminated,percentile,unknown,,90,,,percentile,measured,,"
            "arxiv-2303.08774,Table 9,"]
    from kgtool.store import parse_file

    graph = parse_file(write(tmp_path, header + "\n".join(rows) + "\n"))
    whole = URIRef(KGR + "result/gpt-3/anli-r1@test/unknown/accuracy/arxiv-2005.14165/table-c.1")
    dirty = URIRef(KGR + "result/gpt-3/anli-r1@test-dirty/unknown/accuracy/arxiv-2005.14165/table-c.1")
    clean = URIRef(KGR + "result/gpt-4/uniform-bar-exam@non-contaminated/unknown/percentile/arxiv-2303.08774/table-9")
    assert (whole, URIRef(KG + "subset"), None) not in graph
    assert graph.value(dirty, URIRef(KG + "split")) == Literal("test")
    assert graph.value(dirty, URIRef(KG + "subset")) == Literal("dirty")
    assert str(graph.value(dirty, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))).startswith(
        "GPT-3 on ANLI R1 test (dirty), setting unknown, accuracy")
    assert (clean, URIRef(KG + "split"), None) not in graph
    assert graph.value(clean, URIRef(KG + "subset")) == Literal("non-contaminated")
    error = error_of(write(tmp_path, header + rows[1].replace(",dirty,", ",Dirty Acc,") + "\n", "bad.csv"))
    assert str(error).startswith(f"{tmp_path / 'bad.csv'}:2:") and "subset: 'Dirty Acc' is not a slug" in str(error)


def test_a_number_printed_in_two_places_is_two_results(tmp_path):
    text = MMLU.replace('"Table 2, row MMLU"', '"§4, text"')
    compiled = tables.compile_table(write(tmp_path, HEADER + MMLU + text))
    assert list(compiled.rows) == [MMLU_IRI, MMLU_IRI.replace("/table-2", "/section-4")]


@pytest.mark.parametrize("locator, place", [
    ('§6.1, Table 4, row "PaLM 540B", column "1-shot"', "table-4"), ("Appendix C, Table 9", "table-9"),
    ("Fig. 3.2", "figure-3.2"), ("§3.5 text", "section-3.5"), ("Appendix F", "appendix-f"),
    ("System Card", "system-card"),
])
def test_the_place_is_the_first_table_figure_appendix_or_section(locator, place):
    assert tables.place_of(locator) == place


def test_two_rows_for_the_same_number_are_an_error_naming_both_lines(tmp_path):
    path = write(tmp_path, HEADER + MMLU + MMLU.replace("86.4", "86.5"))
    error = error_of(path)
    assert str(error).startswith(f"{path}:3:1: model: the same result as line 2 (<{MMLU_IRI}>)")


def test_an_id_used_twice_is_an_error(tmp_path):
    header = HEADER.strip() + ",id\n"
    row = 'gpt-3-175b,coqa,,f1,{},,85.0,,,percent,measured,,arxiv-2005.14165,"Table 3.7",,result/x/coqa/f1\n'
    error = error_of(write(tmp_path, header + row.format("few-shot") + row.format("one-shot")))
    assert error.line == 3 and "already used on line 2" in str(error)


@pytest.mark.parametrize("row, column, message", [
    (MMLU.replace("few-shot,5", "five-shot,5"), 22, "setting: 'five-shot' is not one of few-shot, fine-tuned"),
    (MMLU.replace(",percent,", ",%,"), 40, "unit: '%' is not one of number, percent, percentile, points"),
    (MMLU.replace("86.4,,", "86.4,roughly,"), 38, "qualifier: 'roughly' is not one of approximate, at-least"),
    (MMLU.replace("86.4", "86.4%"), 33, "value: '86.4%' is not a plain decimal number"),
    (MMLU.replace("86.4", "1,086.4"), 33, "value"),  # a thousands separator is a new cell: too many cells
    (MMLU.replace("86.4,,", "86.4,range,"), 38, "qualifier: a range needs its upper end"),
    (MMLU.replace("86.4,,,", "86.4,,90,"), 39, "upper: an upper end is given only with the qualifier range"),
    (MMLU.replace("few-shot,5", "zero-shot,5"), 32, "shots: 5 shots contradict the setting zero-shot"),
    (MMLU.replace(",measured,", ",,"), 48, "origin: required, but empty"),
    (MMLU.replace("gpt-2,", "GPT 2,"), 1, "model: 'GPT 2' is not a slug"),
])
def test_each_bad_cell_is_named_by_file_line_and_column(tmp_path, row, column, message):
    path = write(tmp_path, HEADER + "\n" + row)  # a blank line first: line numbers count it
    error = error_of(path)
    if message == "value":  # the comma split the cell; the row has one cell too many
        assert str(error).startswith(f"{path}:3:") and "16 cells, but the header has 15" in str(error)
        return
    assert str(error).startswith(f"{path}:3:{column}: {message}"), str(error)


def test_a_quoted_cell_over_two_lines_keeps_the_columns_right(tmp_path):
    row = 'gpt-4,mmlu,,accuracy,few-shot,5,86.4,,,percent,measured,,arxiv-2303.08774,"Table 2,\nrow MMLU",,\n'
    bad = 'gpt-4,mmlu,,accuracy,few-shot,5,x,,,percent,measured,,arxiv-2303.08774,"T2",\n'
    error = error_of(write(tmp_path, HEADER + row.replace(",,\n", ",\n") + bad))
    assert (error.line, error.column) == (4, 33)


def test_every_error_of_a_table_is_listed(tmp_path):
    path = write(tmp_path, HEADER + MMLU.replace("86.4", "high") + MMLU.replace("percent", "pct"))
    error = error_of(path)
    assert [(e.line, e.column) for e in error.errors] == [(2, 33), (3, 40)]
    assert str(error).endswith("(and 1 more)")


def test_header_errors_name_the_column(tmp_path):
    error = error_of(write(tmp_path, HEADER.replace("locator", "where") + MMLU))
    assert str(error).startswith(f"{tmp_path / 'my-results.csv'}:1:") and "unknown column 'where'" in str(error)
    assert "the header lacks the required column locator" in str(error.errors[-1])


def test_tsv_tables_are_read_with_tabs(tmp_path):
    path = write(tmp_path, HEADER.replace(",", "\t") + MMLU.replace('"Table 2, row MMLU"', "Table 2").replace(",", "\t"),
                 "mine.tsv")
    assert list(tables.compile_table(path).rows) == [MMLU_IRI]


# --- the loader every command uses ---------------------------------------------------------------

@pytest.fixture
def mine(tmp_path) -> Path:
    return write(tmp_path, HEADER + MMLU)


def test_bundled_tables_are_loaded(graph):
    assert resources_tables()
    published = URIRef(KGR + "result/gpt-3-175b/coqa/few-shot/f1")
    assert graph.value(published, URIRef(KG + "value")).toPython() == 85


def resources_tables() -> list[Path]:
    from kgtool import resources

    return [p for p in resources.data_files() if p.suffix == ".csv"]


def test_load_store_and_load_graph_see_an_extra_table(mine):
    assert kgtool.load_store([mine]).query(ASK_MMLU)
    assert kgtool.load_graph([mine]).query(ASK_MMLU).askAnswer


def test_query_with_data_csv(mine):
    assert run("query", "-e", ASK_MMLU).exit_code == 1
    assert run("query", "-e", ASK_MMLU, "--data", str(mine)).exit_code == 0
    rows = run("query", "leaderboard", "-p", "benchmark=kgr:mmlu", "--data", str(mine), "-f", "csv").output
    assert MMLU_IRI in rows and "86.4" in rows and "percent" in rows


def test_export_with_data_csv(mine, tmp_path):
    out = tmp_path / "out.nt"
    assert run("export", "--data", str(mine), "-o", str(out)).exit_code == 0
    assert f"<{MMLU_IRI}> <{KG}value>" in out.read_text(encoding="utf-8")


def test_viz_with_data_csv(mine, tmp_path):
    out = tmp_path / "view.html"
    result = run("viz", "--query", "leaderboard", "-p", "benchmark=kgr:mmlu", "--data", str(mine), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "GPT-2 on MMLU, 5-shot, accuracy — GPT-4 Technical Report (arXiv 2303.08774), Table 2: 86.4 percent" in \
        out.read_text(encoding="utf-8")


def test_serve_sees_a_table(mine):
    from kgtool.server.app import create_app
    from kgtool.server.settings import Settings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        with TestClient(create_app(kgtool.load_store([mine]), Settings(timeout=10.0))) as client:
            answer = client.get("/sparql", params={"query": ASK_MMLU}, headers={"Accept": "application/sparql-results+json"})
    assert json.loads(answer.text)["boolean"] is True


def test_validate_a_table_against_the_bundled_graph(mine):
    result = run("validate", str(mine))
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("conforms:")


def test_validate_names_the_row_of_an_unknown_slug(tmp_path):
    path = write(tmp_path, HEADER + MMLU + MMLU.replace("gpt-2,mmlu", "gpt-5,mmlu"))
    result = run("validate", str(path))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "gpt-5" in line]
    assert lines and all(line.startswith(f"violation: {path}:3: ") for line in lines), result.output


def test_validate_reports_each_bad_cell_with_its_place(tmp_path):
    path = write(tmp_path, HEADER + MMLU.replace("86.4", "high") + MMLU.replace("few-shot", "many-shot"))
    result = run("validate", str(path))
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("syntax error:")]
    assert errors == [f"syntax error: {path}:2:33: value: 'high' is not a plain decimal number (no %, no thousands "
                      "separators)",
                      f"syntax error: {path}:3:22: setting: 'many-shot' is not one of few-shot, fine-tuned, "
                      "human-baseline, one-shot, unknown, zero-shot"]  # the bad setting once, not again for its shots
    from kgtool import resources

    files = len(resources.data_files()) + 1  # validated with the bundled data
    assert result.output.strip().splitlines()[-1] == f"1 of {files} files could not be parsed"


def test_query_with_a_bad_table_is_a_one_line_error(tmp_path):
    path = write(tmp_path, HEADER + MMLU.replace("86.4", "high"))
    result = run("query", "-e", ASK_MMLU, "--data", str(path))
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {path}:2:33: value: 'high' is not a plain decimal number " \
                                    "(no %, no thousands separators)"


def test_tools_that_read_only_rdf_get_the_compiled_table(mine):
    from rdflib import Graph

    from kgtool.store import rdf_files

    (compiled,) = rdf_files([mine])
    assert compiled.suffix == ".nt" and rdf_files([mine]) == [compiled]  # cached by content
    assert Graph().parse(compiled, format="nt").query(ASK_MMLU).askAnswer
    assert issubclass(tables.TableError, DataError)  # the CLI's one-line data errors cover tables


def test_result_disagreements_lists_two_sources_that_differ(tmp_path):
    # a made-up second report of GPT-3's few-shot CoQA F1 (85.0 in the GPT-3 paper), for the query only
    other = write(tmp_path, HEADER + 'gpt-3-175b,coqa,dev,f1,few-shot,5,84.7,,,percent,cited,,arxiv-2204.02311,"Table X",\n'
                  'gpt-3-175b,coqa,dev,f1,few-shot,5,85.0,,,percent,cited,,arxiv-2302.13971,"Table Y",\n'
                  'gpt-3-175b,coqa,dev,f1,few-shot,32,80.0,,,percent,cited,,arxiv-2303.08774,"Table Z",\n')
    rows = kgtool.run_query("result-disagreements", {"model": "kgr:gpt-3-175b", "benchmark": "kgr:coqa"},
                            extra=[other]).rows
    pairs = {(row["source"].value[len(KGR):], row["otherSource"].value[len(KGR):], row["difference"].value)
             for row in rows}
    # the 84.7 disagrees with both 85.0s; the two 85.0s agree; the 32-shot row is another setting
    assert {frozenset(p[:2]) for p in pairs} == {frozenset({"arxiv-2005.14165", "arxiv-2204.02311"}),
                                              frozenset({"arxiv-2204.02311", "arxiv-2302.13971"})}
    assert {abs(float(p[2])) for p in pairs} == {0.3}


def disagreements_among(tmp_path, cells) -> set[frozenset]:
    """The pairs of values result-disagreements gives among GPT-3 175B's few-shot CoQA F1 results printed
    at these places: (value, source, locator, id) each."""
    header = HEADER.replace("note\n", "note,id\n")
    lines = "".join(f'gpt-3-175b,coqa,dev,f1,few-shot,5,{value},,,percent,cited,,{source},"{locator}",,{id_}\n'
                    for value, source, locator, id_ in cells)
    rows = kgtool.run_query("result-disagreements", {"model": "kgr:gpt-3-175b", "benchmark": "kgr:coqa"},
                            extra=[write(tmp_path, header + lines)]).rows
    assert len(rows) == len({(row["result"], row["other"]) for row in rows})  # each pair once
    sources = {KGR + source for _, source, _, _ in cells}
    return {frozenset((row["value"].value, row["otherValue"].value)) for row in rows
            if {row["source"].value, row["otherSource"].value} <= sources}


PALM, LLAMA = "arxiv-2204.02311", "arxiv-2302.13971"
ID = "result/gpt-3-175b/coqa@dev/few-shot-5/f1/arxiv-2204.02311/"


@pytest.mark.parametrize("cells, pairs", [
    # maj1@k beside the plain score: one table, two rows the columns do not tell apart; another table of
    # the paper that prints a third number disagrees with both (never 90 against 84.7)
    ([("90.0", PALM, '§6.1, Table 9, row ""maj1@k""', ID + "table-9/maj1-k"),
      ("84.7", PALM, '§6.1, Table 9, row ""plain""', ""), ("84.9", PALM, "Appendix H, Table 40", "")],
     {frozenset({"90", "84.9"}), frozenset({"84.7", "84.9"})}),
    # "Table C.1" is a table like "Table 9"
    ([("86.4", PALM, 'Appendix C, Table C.1, row ""LAMBADA""', ""),
      ("77.8", PALM, 'Appendix C, Table C.1, row ""LAMBADA (No Blanks)""', ID + "table-c.1/no-blanks")],
     set()),
    # a restricted and an unrestricted state of the art in one table, another table that prints only the
    # unrestricted one (never 81.4 against 76.3, which Table 8 prints beside the 81.4), a paper of its own
    ([("81.4", PALM, 'Table 2, row ""SotA""', ""),
      ("76.3", PALM, 'Table 8, row ""Restricted SotA""', ID + "table-8/r"),
      ("81.4", PALM, 'Table 8, row ""Unrestricted SotA""', ID + "table-8/u"), ("80.0", LLAMA, "Table 1", "")],
     {frozenset({"81.4", "80"}), frozenset({"76.3", "80"})}),
], ids=["two rows of one table", "an appendix table", "one table prints both values"])
def test_which_values_of_one_key_disagree(tmp_path, cells, pairs):
    assert disagreements_among(tmp_path, cells) == pairs


def test_a_result_s_label_names_its_place_and_two_numbers_of_one_place_their_whole_locators(tmp_path):
    header = HEADER.replace("note\n", "note,id\n")
    path = write(tmp_path, header + 'gpt-3-175b,coqa,dev,f1,few-shot,5,90.0,,,percent,cited,,arxiv-2204.02311,'
                 '"§6.1, Table 9, row ""maj1@k""",,result/gpt-3-175b/coqa@dev/few-shot-5/f1/arxiv-2204.02311/table-9/m\n'
                 'gpt-3-175b,coqa,dev,f1,few-shot,5,84.7,,,percent,cited,,arxiv-2204.02311,"§6.1, Table 9, row ""plain""",,\n'
                 'gpt-3-175b,coqa,dev,f1,few-shot,5,84.9,,,percent,cited,,arxiv-2204.02311,"Appendix H, Table 40",,\n'
                 'gpt-3-175b,coqa,dev,f1,few-shot,5,85.0,,,percent,cited,,arxiv-2204.02311,"§6.1 text",,\n')
    labels = [t.object.value for t in tables.compile_table(path).triples if t.predicate.value.endswith("#label")]
    stem = "GPT-3 175B on CoQA dev, 5-shot, F1 — PaLM paper (arXiv 2204.02311), "
    assert labels == [stem + '§6.1, Table 9, row "maj1@k"', stem + '§6.1, Table 9, row "plain"', stem + "Table 40",
                      stem + "§6.1"]


def test_no_two_results_of_the_graph_share_a_label():
    rows = kgtool.run_query("""SELECT ?label (COUNT(?result) AS ?n) WHERE {
        ?result a kg:EvaluationResult ; rdfs:label ?label } GROUP BY ?label HAVING (COUNT(?result) > 1)""").rows
    assert [row["label"].value for row in rows] == []


def test_a_slug_the_bundled_graph_does_not_label_stands_for_itself_in_a_results_label(tmp_path):
    path = write(tmp_path, HEADER + "my-own-model,mmlu,,accuracy,few-shot,5,50.0,,,percent,measured,,"
                                    "my-report-2026,Table 1,\n")
    compiled = tables.compile_table(path)
    labels = [t.object.value for t in compiled.triples if t.predicate.value.endswith("#label")]
    assert labels == ["my-own-model on MMLU, 5-shot, accuracy — my-report-2026, Table 1"]


def test_a_result_s_label_names_an_appendix_table_by_its_number_and_a_benchmark_once(tmp_path):
    path = write(tmp_path, HEADER + 'gpt-3-175b,lambada,,accuracy,zero-shot,0,76.2,,,percent,measured,,'
                                    'arxiv-2005.14165,"Appendix C, Table C.1, row ""LAMBADA""",\n'
                                    'coqa-fine-tuned-sota,coqa,dev,f1,fine-tuned,,90.7,,,percent,cited,,'
                                    'arxiv-2005.14165,Table 3.7,\n')
    labels = [t.object.value for t in tables.compile_table(path).triples if t.predicate.value.endswith("#label")]
    assert labels == ["GPT-3 175B on LAMBADA, zero-shot, accuracy — GPT-3 paper (arXiv 2005.14165), Table C.1",
                      "Fine-tuned state of the art on CoQA dev, fine-tuned, F1 — GPT-3 paper (arXiv 2005.14165), "
                      "Table 3.7"]
