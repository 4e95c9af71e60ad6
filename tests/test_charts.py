"""Charts: the data each one takes from its named queries, the Vega-Lite spec, SVG and PNG from vl-convert,
the offline HTML page, `kgtool chart` and `kgtool.chart`."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgtool
from kgtool import charts
from kgtool.cli import main
from kgtool.sparql import run_query

DATA = Path(__file__).resolve().parent / "data"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def store():
    from kgtool.store import load_store

    return load_store()


@pytest.fixture(scope="module")
def run(store):
    return charts.local_runner(store=store)


def svg_texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_leaderboard_has_one_bar_per_result_of_the_named_query(run, store):
    data = charts.chart_data("leaderboard", run, "TriviaQA")
    expected = run_query("leaderboard", {"benchmark": "TriviaQA"}, store=store)
    assert len(data.rows) == len(expected) > 0
    assert sorted(r["value"] for r in data.rows) == sorted(float(r["value"].value) for r in expected.rows)
    few_shot = [r for r in data.rows if r["model"] == "GPT-3 175B" and r["setting"].startswith("few-shot")]
    assert "kgr:arxiv-2005.14165" in {r["source"] for r in few_shot}  # the reporting paper, on hover
    assert all(r["locator"] for r in few_shot)
    spec = charts.spec(data)
    assert spec["spec"]["encoding"]["color"]["field"] == "setting"  # bars coloured by setting and shots
    assert spec["spec"]["encoding"]["x"]["stack"] is None  # a result several papers report is not added up
    assert {t["field"] for t in spec["spec"]["encoding"]["tooltip"]} >= {"source", "locator", "stated", "origin"}
    texts = svg_texts(charts.to_svg(spec))
    assert "GPT-3 175B" in texts and "Leaderboard: TriviaQA" in texts


def test_a_setting_with_one_shot_says_shot_and_with_more_shots(run, store):
    # PaLM's Table 4 prints TriviaQA few-shot with one shot (81.4 EM) beside GPT-3's 64-shot result
    settings = {row["setting"] for row in charts.chart_data("leaderboard", run, "TriviaQA").rows}
    assert "few-shot, 1 shot" in settings and "few-shot, 64 shots" in settings
    assert not any(setting.endswith(" 1 shots") for setting in settings)


def test_a_suite_s_leaderboard_stands_its_parts_results_by_model_and_part(run, store):
    # GPT-4's Figure 5: MMLU machine-translated into 26 languages, a suite with no result of its own
    data = charts.chart_data("leaderboard", run, "MMLU, machine-translated")
    assert len(data.rows) == 26 and "by model and part" in data.description
    welsh = [r for r in data.rows if r["model"] == "GPT-4 · MMLU (Welsh)"]
    assert [r["value"] for r in welsh] == [77.5]


def test_a_leaderboard_gives_each_result_its_own_bar_and_each_unit_its_own_panel(run, store):
    # RealToxicityPrompts: PaLM reports four numbers per size (two subsets of the prompts, two decoding
    # lengths), LLaMA two per size; GPT-4's report gives rates in percent, the others plain numbers
    data = charts.chart_data("leaderboard", run, "RealToxicityPrompts", {"subsets": "true"})
    places = [(r["panel"], r["model"], r["slot"]) for r in data.rows]
    assert len(places) == len(set(places))  # no bar drawn over another
    assert {r["slot"] for r in data.rows if r["model"] == "PaLM 540B"} == {0, 1, 2, 3}
    assert {r["panel"] for r in data.rows if r["model"] == "GPT-4"} == {"toxic generation rate (percent)"}
    spec = charts.spec(data)
    assert spec["facet"]["row"]["field"] == "panel" and spec["spec"]["encoding"]["yOffset"]["field"] == "slot"


def test_model_chart_gathers_the_results_of_every_size(run, store):
    data = charts.chart_data("model", run, "GPT-3")
    results = run_query("model-results", {"model": "GPT-3"}, store=store)
    assert len(data.rows) == len(results) > 100
    assert {r["model"] for r in data.rows} >= {"GPT-3 175B", "GPT-3 125M"}  # every size
    assert {r["benchmark"] for r in data.rows} >= {"CoQA · F1", "TriviaQA · accuracy"}
    spec = charts.spec(data)
    # a panel per unit, each with an axis of its own: GPT-3's perplexities are not percentages
    panels = spec["vconcat"]
    units = ["number", "percent", "points"]  # perplexity, accuracy, BLEU
    assert [panel["encoding"]["x"]["title"] for panel in panels] == [f"value ({unit})" for unit in units]
    assert spec["resolve"]["scale"]["x"] == "independent"
    assert all(panel["mark"]["type"] == "point" and panel["encoding"]["shape"]["field"] == "mode" for panel in panels)
    assert [len(panel["data"]["values"]) for panel in panels] == [sum(r["unit"] == u for r in data.rows) for u in units]


def test_a_model_of_one_unit_is_one_panel(run, store):
    one_unit = run_query("""SELECT ?model WHERE { ?result kg:evaluatedModel ?model ; kg:unit ?unit }
                            GROUP BY ?model HAVING (COUNT(DISTINCT ?unit) = 1) ORDER BY ?model LIMIT 1""", store=store)
    data = charts.chart_data("model", run, f"<{one_unit.rows[0]['model'].value}>")
    assert len({r["unit"] for r in data.rows}) == 1
    spec = charts.spec(data)
    assert "vconcat" not in spec and spec["mark"]["type"] == "point" and len(spec["data"]["values"]) == len(data.rows)


def test_scaling_marks_every_dated_size_and_estimates_nothing(run, store):
    data = charts.chart_data("scaling", run)
    rows = run_query("scaling", store=store).rows
    dated = [r for r in rows if "date" in r]
    assert len([r for r in data.rows if r["measure"] == "parameters"]) == len({r["size"].value for r in dated})
    assert len([r for r in data.rows if r["measure"] == "training tokens"]) == len(
        {r["size"].value for r in dated if "trainingTokens" in r})
    llama_65b = {r["measure"]: r["value"] for r in data.rows if r["size"] == "LLaMA-65B"}
    assert llama_65b == {"parameters": 65.2e9, "training tokens": 1.4e12}  # no source states its compute
    # compute as the papers state it, both figures where two tables differ (PaLM Table 22 and Table 31)
    palm_540b = sorted(r["value"] for r in data.rows if r["size"] == "PaLM 540B" and r["measure"] == "training compute (FLOPs)")
    assert palm_540b == [2.5272e24, 2.56e24]
    assert [r["value"] for r in data.rows if r["size"] == "GPT-3 175B" and r["measure"].startswith("training compute")] == [3.14e23]
    axis_labels = set(re.findall(r">([^<>]+)</text>", charts.to_svg(charts.spec(data))))
    assert {"1e23", "1e24", "10B", "1T"} <= axis_labels and "1Y" not in axis_labels  # FLOPs as papers print them
    undated = len({r["size"].value for r in rows if "date" not in r})
    assert f"{undated} sizes without a date are left out" in data.description
    spec = charts.spec(data)
    assert spec["spec"]["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    # sizes that share a value share one label: GPT-3's eight sizes saw 300B tokens
    labels = [r["label"] for r in data.rows if r["model"] == "GPT-3" and r["measure"] == "training tokens"]
    assert labels.count("GPT-3 (8 sizes)") == 1 and labels.count("") == 7


def test_timeline_holds_papers_releases_and_products(run, store):
    data = charts.chart_data("timeline", run)
    events = {(r["entity"], r["event"]) for r in data.rows}
    assert ("LLaMA", "release") in events and ("ChatGPT", "release") in events
    assert ("LLaMA paper (arXiv 2302.13971)", "paper") in events
    assert [r["date"] for r in data.rows] == sorted(r["date"] for r in data.rows)
    assert len(data.rows) == len(run_query("timeline", store=store)) + len(
        {r["paper"].value for r in run_query("papers", store=store).rows if "publicationDate" in r})


def test_png_is_an_image_of_the_chart(run):
    png = charts.to_png(charts.spec(charts.chart_data("timeline", run)))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 800 and height > 300


def test_html_page_is_offline_and_holds_data_text_only_as_json(tmp_path):
    from kgtool.store import load_store

    hostile = charts.local_runner(store=load_store([DATA / "hostile-views.ttl"]))
    data = charts.chart_data("leaderboard", hostile, "kgr:pwn-bench")
    page = charts.html_page(charts.spec(data), data.title)
    ours = page.replace(charts.javascript_bundle(), "")  # Vega's own code holds markup in its templates
    assert "window.__pwned" in ours  # the payloads are there...
    assert "<script>window.__pwned" not in ours and "<img src" not in ours  # ...but never as markup
    block = re.search(r'<script type="application/json" id="chart-spec">(.*?)</script>', page, re.S).group(1)
    spec = json.loads(block)
    assert spec["data"]["values"][0]["locator"] == "<img src=z onerror=\"window.__pwned='locator'\">"
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "default-src 'none'" in policy and "unsafe-eval" not in policy and policy.count("'sha256-") == 2
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=', ours)  # nothing is loaded from anywhere


def test_chart_command_writes_each_format(tmp_path):
    runner = CliRunner()
    for name in ("coqa.svg", "coqa.png", "coqa.html"):
        result = runner.invoke(main, ["chart", "leaderboard", "CoQA", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "wrote" in result.stderr and "Leaderboard: CoQA" in result.stderr
    assert "GPT-3 175B" in svg_texts((tmp_path / "coqa.svg").read_text())
    assert (tmp_path / "coqa.png").read_bytes()[:4] == b"\x89PNG"
    assert 'id="chart-spec"' in (tmp_path / "coqa.html").read_text()


@pytest.mark.parametrize("args,message", [
    (["chart", "leaderboard"], "a leaderboard needs a benchmark"),
    (["chart", "model", "No Such Model"], "no model is labelled 'No Such Model'"),
    (["chart", "timeline", "-o", "x.pdf"], "a chart is written as .html, .svg or .png"),
    (["chart", "leaderboard", "CoQA", "-p", "metric"], "write parameters as NAME=VALUE"),
    (["chart", "timeline", "LLaMA"], "a timeline shows every dated paper, release and product; it takes no 'LLaMA'"),
    (["chart", "model", "LLaMA", "-p", "setting=few-shot"], "only a leaderboard takes -p parameters"),
])
def test_chart_command_errors_are_one_line(tmp_path, args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_failed_chart_leaves_the_previous_file(tmp_path):
    target = tmp_path / "chart.svg"
    target.write_text("previous")
    result = CliRunner().invoke(main, ["chart", "model", "No Such Model", "-o", str(target)])
    assert result.exit_code == 2 and target.read_text() == "previous"


def test_python_api_returns_an_altair_chart_and_writes_files(store, tmp_path):
    chart = kgtool.chart("leaderboard", "CoQA", store=store, output=tmp_path / "coqa.svg")
    spec = chart.to_dict()
    assert spec["title"]["text"] == "Leaderboard: CoQA"
    assert {r["model"] for r in spec["data"]["values"]} >= {"GPT-3 175B"}
    assert "GPT-3 175B" in svg_texts((tmp_path / "coqa.svg").read_text())


@pytest.mark.parametrize("benchmark", ["MMLU (Professional Law)", "mmlu (professional law)",
                                       "kgr:mmlu-professional-law", "mmlu-professional-law"])
def test_a_leaderboard_is_titled_with_its_benchmark_s_label_however_it_is_named(store, benchmark):
    spec = kgtool.chart("leaderboard", benchmark, store=store).to_dict()
    assert spec["title"]["text"] == "Leaderboard: MMLU (Professional Law)"
    assert spec["title"]["subtitle"].startswith("8 results on MMLU (Professional Law),")


def test_control_characters_in_labels_neither_reach_the_terminal_nor_break_the_renderer(tmp_path):
    evil = tmp_path / "evil.ttl"
    evil.write_text('''@prefix kg: <https://w3id.org/llmkg/ontology#> . @prefix kgr: <https://w3id.org/llmkg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kgr:evil a kg:LanguageModel ; rdfs:label "Evil\\u001b[2J\\u001b]0;pwned\\u0007" .
kgr:evil-1b kg:variantOf kgr:evil ; rdfs:label "Evil 1B" ; kg:parameterCount 1000000000 .
<https://w3id.org/llmkg/resource/result/evil-1b/coqa/zero-shot/f1> a kg:EvaluationResult ; kg:evaluatedModel kgr:evil-1b ;
    kg:benchmark kgr:coqa ; kg:setting kgr:zero-shot ; kg:metric kgr:f1 ; kg:value 1.0 ; kg:source kgr:coqa ; kg:locator "x" .
''', encoding="utf-8")
    result = CliRunner().invoke(main, ["chart", "model", "kgr:evil", "--data", str(evil), "-o", str(tmp_path / "e.svg")])
    assert result.exit_code == 0, result.stderr
    assert "Results of Evil\ufffd[2J\ufffd]0;pwned\ufffd" in result.stderr and "\x1b" not in result.stderr
    assert "Evil\ufffd[2J" in (tmp_path / "e.svg").read_text()  # and the SVG is still drawn
