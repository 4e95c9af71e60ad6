"""kgtool compare: models side by side, a family through its sizes, benchmarks they share, every
value with its source; in the terminal, csv, markdown, json, one offline HTML page and as data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import kgtool
from kgtool.cli import main
from tests.html_pages import Page

EXTRA = Path(__file__).parent / "data" / "compare-extra.ttl"
SEVEN = ["GPT-3", "LaMDA", "PaLM", "Flamingo", "BLIP-2", "LLaMA", "GPT-4"]


def run(*args: str, columns: int | None = 100):
    return CliRunner(env={"COLUMNS": str(columns) if columns else ""}).invoke(main, list(args))


@pytest.fixture(scope="module")
def seven():
    return kgtool.compare()


@pytest.fixture(scope="module")
def extra_store():
    return kgtool.load_store([EXTRA])


def row(comparison, name):
    return next(r for r in comparison.rows if r.name == name)


def cell(comparison, name, model):
    return row(comparison, name).cells[[m.label for m in comparison.models].index(model)]


def test_the_default_is_the_seven_in_order_of_release(seven):
    assert [m.label for m in seven.models] == SEVEN


def test_property_rows_with_sources_and_locators(seven):
    names = [r.name for r in seven.rows if r.kind == "property"]
    for expected in ("organization", "release date", "paper date", "parameters", "training tokens", "context length",
                     "architecture", "techniques", "training hardware", "weights released", "input modalities"):
        assert expected in names
    openai = cell(seven, "organization", "GPT-3")
    assert [v.text for v in openai] == ["OpenAI"]
    assert any(s.iri.endswith("arxiv-2005.14165") and s.locator for s in openai[0].sources)
    every = [v for r in seven.rows for c in r.cells for v in c]
    assert every and all(v.sources for v in every), "every value is traceable to a source"


def test_a_family_compares_through_its_sizes(seven):
    tokens = {(v.text, v.size) for v in cell(seven, "training tokens", "LLaMA")}
    assert {("1T", "7B"), ("1T", "13B"), ("1.4T", "33B"), ("1.4T", "65B")} <= tokens
    assert "1T (7B, 13B)" in kgtool.comparison.cell_text(cell(seven, "training tokens", "LLaMA"))
    assert cell(seven, "parameters", "GPT-4") == []       # undisclosed: no value, never the rumour
    assert "vision-language" not in [v.text for v in cell(seven, "input modalities", "GPT-4")]
    assert {v.text for v in cell(seven, "input modalities", "GPT-4")} == {"image", "text"}


def test_benchmark_rows_hold_the_best_value_per_setting_with_size_and_shots(extra_store):
    found = kgtool.compare(["LLaMA", "GPT-3"], store=extra_store, properties=False)
    bench = next(r for r in found.rows if r.benchmark.endswith("example/bench"))
    assert bench.lower_is_better and "few-shot" in bench.name
    llama, gpt3 = bench.cells
    assert [(v.text, v.size, v.shots) for v in llama] == [("7.25", "65B", 5)]  # lower is better; not the baseline
    assert [(v.text, v.size, v.shots) for v in gpt3] == [("9.0", "175B", 64)]
    assert llama[0].sources[0].locator == "Table 9"


def test_a_number_on_a_subset_of_a_split_is_no_score_on_the_benchmark():
    # GPT-3's Table C.1, ANLI R1 test: 36.8 on every example; 40.5 on the dirty ones alone is higher, not better
    found = kgtool.compare(["GPT-3", "PaLM"], benchmark="ANLI R1", properties=False)
    assert [v.text for v in cell(found, "ANLI R1 unknown, accuracy (%)", "GPT-3")] == ["36.8"]


def test_benchmarks_only_properties_only_and_one_benchmark(extra_store):
    both = kgtool.compare(["LLaMA", "GPT-3"], store=extra_store)
    kinds = {r.kind for r in both.rows}
    assert kinds == {"property", "benchmark"}
    assert {r.kind for r in kgtool.compare(["LLaMA", "GPT-3"], store=extra_store, benchmarks=False).rows} == {"property"}
    one = kgtool.compare(["Flamingo", "LLaMA"], benchmark="VQAv2")
    assert one.rows and all(r.benchmark.endswith("/vqav2") for r in one.rows)  # Flamingo alone has results: shown
    assert not [r for r in kgtool.compare(["Flamingo", "LLaMA"], properties=False).rows if r.benchmark.endswith("/vqav2")]
    result = run("compare", "Flamingo", "BLIP-2", "--benchmarks-only")
    assert result.exit_code == 0 and "VQAv2 zero-shot" in result.stdout and "organization" not in result.stdout
    props = run("compare", "Flamingo", "BLIP-2", "--properties-only")
    assert "organization" in props.stdout and "VQAv2" not in props.stdout


def test_mistyped_and_too_few_models_are_errors():
    typo = run("compare", "GPT4", "LLaMA")
    assert typo.exit_code == 2 and "no model is labelled 'GPT4'; did you mean GPT-4" in typo.stderr
    one = run("compare", "LLaMA")
    assert one.exit_code == 2 and "two models or more" in one.stderr
    bench = run("compare", "LLaMA", "PaLM", "--benchmark", "TrivaQA")
    assert bench.exit_code == 2 and "did you mean TriviaQA" in bench.stderr


def test_the_seven_fit_100_columns_with_numbered_sources():
    result = run("compare")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(len(line) <= 100 for line in lines), max(lines, key=len)
    for model in SEVEN:
        assert model in result.stdout
    assert any(line.startswith("organization") and "OpenAI¹" in line for line in lines)
    assert "¹ GPT-3 paper (arXiv 2005.14165)" in lines


def test_csv_has_one_line_per_value_and_source():
    rows = list(csv.DictReader(io.StringIO(run("compare", "LLaMA", "GPT-3", "-f", "csv").stdout)))
    assert rows and all(r["source"] and r["locator"] for r in rows)
    tokens = [r for r in rows if r["row"] == "training tokens" and r["model"] == "LLaMA"]
    assert {(r["value"], r["size"]) for r in tokens} >= {("1000000000000", "7B"), ("1400000000000", "65B")}


def test_json_is_the_comparison_as_data(seven):
    document = json.loads(run("compare", "-f", "json").stdout)
    assert document == json.loads(json.dumps(seven.to_dict()))
    organization = next(r for r in document["rows"] if r["name"] == "organization")
    assert organization["cells"]["LLaMA"][0]["text"] == "Meta AI" and organization["cells"]["LLaMA"][0]["sources"]


def test_two_models_with_one_label_keep_a_column_each(tmp_path):
    twin = tmp_path / "twin.ttl"
    twin.write_text('<https://w3id.org/llmkg/resource/twin> a <https://w3id.org/llmkg/ontology#LanguageModel> ;\n'
                    '    <http://www.w3.org/2000/01/rdf-schema#label> "LLaMA"@en .\n')
    comparison = kgtool.compare(["kgr:llama", "kgr:twin"], extra=[twin])
    names = [m.label for m in comparison.models]
    assert names == ["LLaMA (kgr:llama)", "LLaMA (kgr:twin)"]
    assert list(comparison.to_dict()["rows"][0]["cells"]) == names and list(comparison.to_pandas().columns) == names


def test_markdown_lists_the_sources_as_links():
    text = run("compare", "Flamingo", "BLIP-2", "-f", "markdown").stdout
    assert text.startswith("| | Flamingo | BLIP-2 |")
    assert "[Flamingo paper (arXiv 2204.14198)](<https://arxiv.org/abs/2204.14198>)" in text


def test_html_is_one_offline_escaped_page_with_sources_as_links(tmp_path, extra_store):
    out = tmp_path / "compare.html"
    result = run("compare", "LLaMA", "GPT-3", "--data", str(EXTRA), "-f", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    page = Page(html)
    assert not [t for t, a in page.tags if t in ("script", "link", "img", "iframe")]
    links = [a["href"] for t, a in page.tags if t == "a"]
    assert "https://arxiv.org/abs/2302.13971" in links
    assert not [link for link in links if not link.startswith("https://")]   # javascript: is no link
    assert "<script>alert(1)" not in html and "Bench <script>alert(1)</script>" in page.text


def test_html_in_chromium_loads_nothing_and_shows_the_table(page, tmp_path):
    out = tmp_path / "compare.html"
    assert run("compare", "-f", "html", "-o", str(out)).exit_code == 0
    page.page.goto(out.as_uri())
    headers = page.page.locator("thead th").all_inner_texts()
    assert headers[1:] == SEVEN
    assert page.page.locator("tbody tr").count() >= 15
    assert [url for url in page.requests if not url.startswith("file:")] == []
    assert page.console_errors == []


def test_compare_in_a_notebook_is_a_table(seven):
    assert seven._repr_html_().startswith('<table class="kgtool-compare">')
    frame = pytest.importorskip("pandas") and seven.to_pandas()
    assert list(frame.columns) == SEVEN and frame.loc["organization", "LLaMA"] == "Meta AI"


def test_training_compute_as_the_papers_state_it_with_their_qualifiers(seven):
    # GPT-3 paper Table D.1: 3.14E+23 FLOPs for 175B and 2.25E+20 for Small (125M), approximate figures;
    # PaLM paper: 2.56e24 (Table 22) and 2.5272e24 (Table 31) for 540B, both kept
    gpt3 = {v.size: v for v in cell(seven, "training compute (FLOPs)", "GPT-3")}
    assert gpt3["175B"].text == "≈3.14e23" and gpt3["125M"].text == "≈2.25e20"
    assert gpt3["175B"].qualifier.endswith("qualifier/approximate") and gpt3["175B"].to_dict()["value"] == 314 * 10 ** 21
    palm = {v.text for v in cell(seven, "training compute (FLOPs)", "PaLM") if v.size == "540B"}
    assert palm == {"2.56e24", "2.5272e24"}
    runs = [v.text for v in cell(seven, "training runs", "PaLM")]
    assert any("6,144 × TPU v4" in text for text in runs)  # chips and hardware: a run, not an amount of compute


def test_every_row_stays_told_apart_in_a_100_column_terminal(seven):
    from kgtool.comparison import render

    lines = render(seven, "table", width=100).splitlines()
    assert max(map(len, lines)) <= 100
    blocks = [i for i, line in enumerate(lines) if line.startswith("---")]
    for start in blocks:  # within each block of models, no two rows read the same name
        end = next((b - 1 for b in blocks if b > start), len(lines))
        names = [line[:lines[start].index("  ")] for line in lines[start + 1:end] if line and not line[0].isspace()]
        names = [n for n in names if not n.startswith(("sources", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"))]
        assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1][:3]


@pytest.mark.parametrize("width", [40, 60, 80])
def test_a_narrow_terminal_still_shows_every_model_s_values(seven, width):
    # long MMLU subject names once widened the name column until no model's column fitted beside it
    from kgtool.comparison import render

    text = render(seven, "table", width=width)
    lines = text.splitlines()
    assert max(map(len, lines)) <= width and "hidden" not in text
    headers = [lines[i - 1].split() for i, line in enumerate(lines) if line.startswith("---")]
    assert sorted(label for header in headers for label in header) == sorted(m.label for m in seven.models)
