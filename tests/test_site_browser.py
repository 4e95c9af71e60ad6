"""The pages for people in a real headless Chromium: the charts (offline files and the server's pages), the
home page's search, the query page (a shared address, sorting and paging 10,000 rows, errors, charts and
graphs of results, downloads), the graph view, and hostile labels in every one of them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kgtool import charts
from kgtool.store import load_store
from tests.serving import running_server

DATA = Path(__file__).resolve().parent / "data"
HOSTILE = [str(DATA / "hostile.ttl"), str(DATA / "hostile-views.ttl")]
# 10,000 rows: every number from 0 to 9999, not in order (0, 100, 200, ... 9900, 1, 101, ...)
TEN_THOUSAND = ("SELECT ?n ?word WHERE { VALUES ?a { " + " ".join(map(str, range(100))) + " } VALUES ?b { "
                + " ".join(map(str, range(100))) + " } BIND (?b * 100 + ?a AS ?n) "
                "BIND (CONCAT(\"n\", STR(?n)) AS ?word) }")


@pytest.fixture(scope="module")
def server():
    with running_server(*HOSTILE) as server:
        yield server


@pytest.fixture(scope="module")
def store():
    return load_store(HOSTILE)


def elsewhere(server, requests: list[str]) -> list[str]:
    return [url for url in requests if not url.startswith(server.url) and not url.startswith(("data:", "blob:"))]


def not_pwned(view) -> None:
    assert view.evaluate("typeof window.__pwned") == "undefined"
    assert view.evaluate("() => window.pwned") is None


# --- charts --------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,target", [("leaderboard", "CoQA"), ("model", "GPT-3"), ("scaling", None),
                                         ("timeline", None), ("leaderboard", "kgr:pwn-bench"),
                                         ("model", "kgr:pwn-model")])
def test_every_chart_renders_offline_from_a_file(page, store, tmp_path, kind, target):
    html = tmp_path / f"{kind}.html"
    data = charts.chart_data(kind, charts.local_runner(store=store), target)
    charts.write(data, html)
    view = page.page
    view.goto(html.as_uri())
    view.wait_for_selector("body[data-state=rendered]", state="attached", timeout=30_000)
    marks = view.locator("#chart svg .mark-rect path, #chart svg .mark-symbol path").count()
    assert marks >= len({(r.get("model"), r.get("setting"), r.get("value"), r.get("date"), r.get("measure"))
                          for r in data.rows})
    assert data.title in view.locator("#chart svg").text_content()
    # hover every mark: the tooltips show the data's text as text
    for mark in view.locator("#chart svg .mark-rect path, #chart svg .mark-symbol path").all()[:12]:
        mark.hover(force=True)
    if target and "pwn" in target:
        assert "window.__pwned" in view.locator("#vg-tooltip-element").text_content()
    not_pwned(view)
    assert page.console_errors == []
    assert all(url.startswith("file://") for url in page.requests)


def test_the_charts_page_draws_each_chart_from_this_server_only(server, page):
    view = page.page
    for kind, target in [("leaderboard", "TriviaQA"), ("model", "GPT-3"), ("scaling", ""), ("timeline", ""),
                         ("leaderboard", "kgr:pwn-bench")]:
        view.goto(f"{server.url}/charts?kind={kind}&target={target}")
        view.wait_for_selector("#chart[data-rendered=true]", state="attached", timeout=30_000)
        assert view.locator("#chart svg .mark-rect path, #chart svg .mark-symbol path").count() > 0
        for mark in view.locator("#chart svg .mark-rect path").all()[:4]:
            mark.hover(force=True)
        not_pwned(view)
    svg = view.request.get(f"{server.url}/charts/leaderboard.svg?target=TriviaQA")
    assert svg.ok and svg.headers["content-type"] == "image/svg+xml" and b"GPT-3 175B" in svg.body()
    assert page.console_errors == []
    assert elsewhere(server, page.requests) == []


# --- the home page and the pages of models -------------------------------------------------------

def test_home_search_finds_llama_from_llam(server, page):
    view = page.page
    view.goto(f"{server.url}/")
    cards = view.locator(".card h2").all_inner_texts()
    assert {"GPT-3", "LaMDA", "PaLM", "Flamingo", "BLIP-2", "LLaMA", "GPT-4"} <= set(cards)
    view.fill("#site-search", "llam")
    view.wait_for_selector("#suggestions li")
    suggestions = view.locator("#suggestions li a").all()
    assert suggestions[0].evaluate("a => a.firstChild.textContent") == "LLaMA"
    view.press("#site-search", "Enter")
    view.wait_for_url(f"{server.url}/resource/llama")
    assert view.inner_text("h1") == "LLaMA"
    infobox = view.inner_text("#infobox")
    assert "Meta AI" in infobox and "65,200,000,000 parameters" in infobox and "2023-02-24" in infobox
    assert page.console_errors == []
    assert elsewhere(server, page.requests) == []


def test_a_model_page_charts_its_results(server, page):
    view = page.page
    view.goto(f"{server.url}/resource/gpt-3")
    view.wait_for_selector("#results-chart[data-rendered=true]", state="attached", timeout=30_000)
    assert view.locator("#results-chart svg .mark-symbol path").count() >= 100  # a dot per result
    assert "corrected" in view.inner_text("#infobox .claims")  # claims with their status
    assert page.console_errors == []


def test_hostile_labels_run_nowhere_in_the_new_views(server, page):
    view = page.page
    view.goto(f"{server.url}/")
    view.fill("#site-search", "pwn")
    view.wait_for_selector("#suggestions li")
    assert any("window.__pwned" in t for t in view.locator("#suggestions li").all_inner_texts())
    assert any("window.__pwned='card'" in t for t in view.locator(".card h2").all_inner_texts())
    not_pwned(view)
    for path in ("/resource/", "/resource/pwn-modle", "/resource/pwn-model", "/graph?focus=kgr:pwn-model&depth=2",
                 "/charts?kind=model&target=kgr:pwn-model"):
        view.goto(f"{server.url}{path}")
        view.wait_for_load_state("load")
        view.wait_for_timeout(500)
        not_pwned(view)
    # the 404 names the closest match, as text
    view.goto(f"{server.url}/resource/pwn-modle")
    assert "window.__pwned='card'" in view.inner_text("#closest")
    assert set(page.console_errors) == {"Failed to load resource: the server responded with a status of 404 (Not Found)"}


# --- the query page ------------------------------------------------------------------------------

def wait_for_rows(view):
    view.wait_for_function("() => /rows? in/.test(document.getElementById('status').textContent)", timeout=30_000)


def test_a_shared_address_reproduces_the_results(server, page, browser):
    view = page.page
    view.goto(f"{server.url}/query")
    view.wait_for_selector("body[data-ready=true]", state="attached")
    view.select_option("#example", "leaderboard")
    view.wait_for_function("() => document.getElementById('editor').value.includes('/coqa>')")
    view.fill("#param-benchmark", "TriviaQA")
    view.click("#run")
    wait_for_rows(view)
    shared = view.url
    assert "name=leaderboard" in shared and "benchmark=TriviaQA" in shared
    rows = view.locator("#table-view tbody tr").all_inner_texts()

    other = browser.new_page()
    try:
        other.goto(shared)  # opening the address runs the query
        wait_for_rows(other)
        assert other.locator("#table-view tbody tr").all_inner_texts() == rows
        assert other.input_value("#param-benchmark") == "TriviaQA"
        assert other.input_value("#example") == "leaderboard"
    finally:
        other.close()

    # one's own text travels in the address too
    view.fill("#editor", "SELECT ?m WHERE { ?m a kg:VisionLanguageModel } ORDER BY ?m")
    view.click("#run")
    wait_for_rows(view)
    own = view.url
    other = browser.new_page()
    try:
        other.goto(own)
        wait_for_rows(other)
        assert other.input_value("#editor") == "SELECT ?m WHERE { ?m a kg:VisionLanguageModel } ORDER BY ?m"
        assert other.locator("#table-view tbody tr").all_inner_texts() == view.locator("#table-view tbody tr").all_inner_texts()
    finally:
        other.close()


def test_ten_thousand_rows_sort_and_page_and_download_as_shown(server, page, tmp_path):
    from urllib.parse import urlencode

    view = page.page
    view.goto(f"{server.url}/query?{urlencode({'query': TEN_THOUSAND})}")
    wait_for_rows(view)
    assert view.inner_text("#status").startswith("10,000 rows")
    assert view.locator("#table-view tbody tr").count() == 50
    assert view.inner_text("#page-info") == "rows 1–50 of 10,000 · page 1 of 200"
    first_column = "() => [...document.querySelectorAll('#table-view tbody tr td:first-child')].map(td => Number(td.textContent))"
    view.click("#table-view thead th:first-child button")
    assert view.evaluate(first_column) == list(range(50))
    view.click("#table-view thead th:first-child button")  # again: descending
    assert view.evaluate(first_column) == list(range(9999, 9949, -1))
    assert view.get_attribute("#table-view thead th:first-child", "aria-sort") == "descending"
    view.click("#next-page")
    assert view.evaluate(first_column) == list(range(9949, 9899, -1))
    view.click("#last-page")
    assert view.evaluate(first_column) == list(range(49, -1, -1))
    view.select_option("#page-size", "500")
    assert view.locator("#table-view tbody tr").count() == 500

    with view.expect_download() as download:
        view.click("#downloads button[data-format=csv]")
    saved = tmp_path / "results.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(saved.open(encoding="utf-8")))
    assert rows[0] == ["n", "word"] and len(rows) == 10_001
    assert [int(r[0]) for r in rows[1:]] == list(range(9999, -1, -1))  # in the order on screen
    assert page.console_errors == []


def test_an_error_clears_the_previous_results(server, page):
    view = page.page
    view.goto(f"{server.url}/query")
    view.wait_for_selector("body[data-ready=true]", state="attached")
    view.click("#run")
    wait_for_rows(view)
    assert view.locator("#table-view tbody tr").count() > 0
    view.fill("#editor", "SELECT * WHERE { ?s ?p }")
    view.click("#run")
    view.wait_for_selector("#error:not([hidden])")
    assert "syntax error" in view.inner_text("#error")
    assert view.is_hidden("#results")
    assert view.locator("#table-view *").count() == 0 and view.locator("#downloads button").count() == 0
    assert "SELECT+*+WHERE" in view.url or "SELECT%20*%20WHERE" in view.url  # the address says what failed


def test_numeric_results_as_a_chart_and_resources_as_a_graph(server, page):
    view = page.page
    view.goto(f"{server.url}/query?name=leaderboard&benchmark=TriviaQA")
    wait_for_rows(view)
    view.click("#tab-chart")
    view.wait_for_selector("#chart-view[data-rendered=true]", state="attached", timeout=30_000)
    assert view.input_value("#chart-y") == "value"
    bars = view.locator("#chart-view svg .mark-rect path").count()
    assert bars == int(view.inner_text("#status").split()[0].replace(",", ""))  # every row, not only this page
    view.select_option("#chart-mark", "point")
    view.wait_for_function("() => document.querySelectorAll('#chart-view svg .mark-symbol path').length > 0")
    view.click("#tab-graph")
    view.wait_for_selector("#graph-root[data-state=stable]", state="attached")
    assert int(view.get_attribute("#graph-root", "data-nodes")) >= 3
    legend = view.locator("#graph-root [data-role=legend] button").all_inner_texts()
    assert any("language model" in text for text in legend) and any("benchmark" in text for text in legend)
    # drawn as `kgtool viz --query` draws it: the results fold into the entities, their scores on the links
    labels = view.evaluate("kgView.nodes.get().map(n => n.label)")
    assert "TriviaQA" in labels and "GPT-3 175B" in labels and not [l for l in labels if "result/" in l]
    assert any("(few-shot)" in (e or "") for e in view.evaluate("kgView.edges.get().map(e => e.label)"))
    assert page.console_errors == []
    assert elsewhere(server, page.requests) == []


def test_hostile_results_in_the_query_page_views(server, page):
    from urllib.parse import urlencode

    query = ("SELECT ?model ?modelLabel ?value WHERE { ?r kg:evaluatedModel ?model ; kg:value ?value . "
             "?model rdfs:label ?modelLabel } ORDER BY ?value")
    view = page.page
    view.goto(f"{server.url}/query?{urlencode({'query': query})}")
    wait_for_rows(view)
    assert any("window.__pwned" in t for t in view.locator("#table-view tbody tr").all_inner_texts()) or \
        view.locator("#last-page").is_enabled()
    for tab in ("#tab-chart", "#tab-graph"):
        view.click(tab)
        view.wait_for_timeout(800)
        not_pwned(view)
    view.click("#tab-table")
    view.click("#table-view thead th:nth-child(2) button")
    not_pwned(view)


# --- the graph view ------------------------------------------------------------------------------

def test_graph_view_leaves_hubs_out_filters_classes_and_shows_details_beside_the_canvas(server, page):
    view = page.page
    view.goto(f"{server.url}/graph?focus=LLaMA&depth=2")
    view.wait_for_selector("section[data-state=stable]", state="attached", timeout=60_000)
    labels = view.evaluate("kgView.nodes.get().map(n => n.label)")
    assert "LLaMA" in labels and "text" not in labels and "hallucination" not in labels  # no modality or risk hub
    view.goto(f"{server.url}/graph?focus=LLaMA&depth=2&hubs=1")
    view.wait_for_selector("section[data-state=stable]", state="attached", timeout=60_000)
    with_hubs = view.evaluate("kgView.nodes.get().map(n => n.label)")
    assert "text" in with_hubs and len(with_hubs) > len(labels)

    view.goto(f"{server.url}/graph?focus=LLaMA")
    view.wait_for_selector("section[data-state=stable]", state="attached", timeout=60_000)
    llama = view.evaluate("kgView.nodes.get({filter: n => n.label === 'LLaMA'})[0].id")
    view.evaluate("id => kgView.select(id, true)", llama)
    assert view.inner_text("#details-title") == "LLaMA"
    assert view.get_attribute("#details-open", "href") == "/resource/llama"
    panel = view.locator("aside.kg-panel").bounding_box()
    canvas = view.locator("#network").bounding_box()
    assert panel["x"] >= canvas["x"] + canvas["width"] - 1  # the details sit beside the canvas, never over it
    assert view.locator("div.vis-tooltip:visible").count() == 0
    sources = view.eval_on_selector_all("#sources a", "links => links.map(a => a.getAttribute('href'))")
    assert "https://arxiv.org/abs/2302.13971" in sources
    count = int(view.get_attribute("section.graph-page", "data-nodes"))
    view.click("#legend button:has-text('technique')")
    hidden = int(view.get_attribute("section.graph-page", "data-hidden"))
    assert 0 < hidden < count
    assert view.evaluate("kgView.nodes.get().filter(n => n.hidden).length") == hidden
    assert page.console_errors == []
    assert elsewhere(server, page.requests) == []


def test_the_editor_highlights_and_completes_the_graph_s_terms(server, page):
    from urllib.parse import urlencode

    view = page.page
    view.goto(f"{server.url}/query?{urlencode({'query': 'SELECT ?b WHERE { ?b a kg:Benchmark } # <img src=x onerror=window.__pwned=1>'})}")
    wait_for_rows(view)
    assert view.locator("#highlight .tok-keyword").all_inner_texts()[:2] == ["SELECT", "WHERE"]
    assert "kg:Benchmark" in view.locator("#highlight .tok-prefixed").all_inner_texts()
    assert view.locator("#highlight .tok-comment").inner_text() == "# <img src=x onerror=window.__pwned=1>"
    assert view.locator("#highlight img").count() == 0
    not_pwned(view)

    view.fill("#editor", "SELECT ?m WHERE { ?m a ")
    view.press("#editor", "End")
    view.keyboard.type("kg:VisionLang")
    view.wait_for_selector("#completions:not([hidden])")
    assert view.locator("#completions li").first.inner_text() == "kg:VisionLanguageModel"
    view.keyboard.press("Tab")
    view.keyboard.type(" }")
    assert view.input_value("#editor") == "SELECT ?m WHERE { ?m a kg:VisionLanguageModel }"
    view.keyboard.press("Control+Enter")
    view.wait_for_function("() => /rows? in/.test(document.getElementById('status').textContent)")
    assert "kgr:blip-2" in view.locator("#table-view tbody").inner_text()
    assert page.console_errors == []
