"""The endpoint's pages in a real headless Chromium: the query page runs a named query and draws its rows
and graph, downloads work, entity pages open, and hostile text from the data stays text."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kgtool.namespaces import KGR
from kgtool.sparql import run_query
from tests.serving import running_server

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def server():
    with running_server(str(DATA / "hostile.ttl")) as server:
        yield server


@pytest.fixture(scope="module")
def store():
    from kgtool.store import load_store

    return load_store([DATA / "hostile.ttl"])


def only_from(server, requests: list[str]) -> list[str]:
    return [url for url in requests if not url.startswith(server.url) and not url.startswith(("data:", "blob:"))]


def run_example(server, view, name: str, shows: str, **params: str) -> None:
    """Run the named query ``name`` on the query page (``shows`` is a text its query contains) with these
    parameters, and wait until the page shows its answer."""
    view.goto(f"{server.url}/query")
    view.wait_for_function("() => document.getElementById('editor').value.includes('SELECT')")
    view.select_option("#example", name)
    view.wait_for_function("text => document.getElementById('editor').value.includes(text)", arg=shows)
    for param, value in params.items():
        view.fill(f"#param-{param}", value)
    view.click("#run")
    view.wait_for_function("() => / in [0-9]+ ms$/.test(document.getElementById('status').textContent)")


def test_query_page_runs_a_named_query_and_draws_rows_and_graph(server, store, page, tmp_path):
    view = page.page
    run_example(server, view, "leaderboard", shows="/coqa>", benchmark="TriviaQA")
    view.click("#tab-graph")
    view.wait_for_function("() => Number(document.getElementById('graph-root').dataset.nodes) > 0")
    expected = run_query("leaderboard", {"benchmark": "TriviaQA"}, store=store)
    assert view.locator("#table-view tbody tr").count() == min(len(expected), 50) > 0  # a page of 50 rows
    assert f"<{KGR}triviaqa>" in view.input_value("#editor")  # the editor shows the query as it ran
    assert view.inner_text("#status").startswith(f"{len(expected)} rows")
    assert view.locator("#graph-root canvas").count() == 1
    models = {row["model"].value for row in expected.rows}
    drawn = int(view.get_attribute("#graph-root", "data-nodes"))
    assert drawn >= len(models) + 1  # each model, the benchmark, the settings...
    view.wait_for_selector("#graph-root[data-state=stable]", state="attached")  # the layout has settled
    page.screenshot("server-query-page.png")

    with view.expect_download() as download:
        view.click("#downloads button[data-format=csv]")
    saved = tmp_path / "results.csv"
    download.value.save_as(saved)
    rows = list(csv.reader(saved.open(encoding="utf-8")))
    assert rows[0] == expected.variables and len(rows) - 1 == len(expected)

    assert page.console_errors == []
    assert only_from(server, page.requests) == []


def test_a_graph_query_and_an_error_on_the_query_page(server, page):
    view = page.page
    run_example(server, view, "model-neighbourhood", shows="CONSTRUCT")
    assert "triples in" in view.inner_text("#status")
    assert view.locator("#table-view thead th").all_inner_texts() == ["subject", "predicate", "object"]
    view.click("#tab-graph")
    view.wait_for_selector("#graph-root[data-state=stable]", state="attached")
    assert int(view.get_attribute("#graph-root", "data-edges")) > 5
    assert view.locator("#downloads button").all_inner_texts() == ["Turtle", "N-Triples", "JSON-LD", "RDF/XML"]

    view.fill("#editor", "SELECT * WHERE { ?s ?p }")
    view.click("#run")
    view.wait_for_selector("#error:not([hidden])")
    assert "400" in view.inner_text("#error") and "syntax error at line 1" in view.inner_text("#error")
    assert only_from(server, page.requests) == []


def test_an_entity_page_opens_from_the_results(server, page):
    view = page.page
    run_example(server, view, "models-by-organization", shows="?org")
    view.click("#table-view a[title='https://w3id.org/llmkg/resource/llama'] >> nth=0")
    view.wait_for_url(f"{server.url}/resource/llama")
    assert view.inner_text("h1") == "LLaMA"
    view.wait_for_selector("#neighbourhood[data-state=stable]", state="attached")
    assert int(view.get_attribute("#neighbourhood", "data-nodes")) > 5
    assert view.locator("#neighbourhood canvas").count() == 1
    assert view.locator("#facts a[href='/resource/meta-ai']").count() >= 1
    page.screenshot("server-entity-page.png")
    assert page.console_errors == []
    assert only_from(server, page.requests) == []


def test_hostile_text_from_the_data_stays_text(server, page):
    view = page.page
    view.goto(f"{server.url}/resource/hostile-label")
    view.wait_for_load_state("load")
    assert view.evaluate("() => window.pwned") is None
    assert view.inner_text("h1") == "</script><script>window.pwned = 1</script><b>bold</b>"
    assert view.locator("h1 b, #facts img").count() == 0
    hrefs = view.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h and h.lower().startswith("javascript:")]
    view.wait_for_selector("#neighbourhood[data-state=stable]", state="attached")
    assert int(view.get_attribute("#neighbourhood", "data-nodes")) > 1
    assert view.evaluate("() => window.pwned") is None
    assert page.console_errors == []
