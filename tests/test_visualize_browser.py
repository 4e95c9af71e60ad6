"""The HTML view in a real headless Chromium: it loads offline, draws the whole network, comes to rest,
answers clicks, hovers and searches, and never runs text from the data. Screenshots go to tests/output/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kgtool import network_views, projection, visualize
from kgtool.namespaces import KGR
from tests.test_visualize import PAYLOADS, hostile_graph

DIMMED = "#eef0f2"


def open_view(watched, html: str, tmp_path, name: str = "view.html"):
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    watched.page.goto(path.as_uri())
    # a selector, not wait_for_function: the page's Content-Security-Policy forbids evaluating strings
    watched.page.wait_for_selector("body[data-state=stable]", state="attached", timeout=120_000)
    return path


def node_id(watched, label: str) -> int:
    return watched.page.evaluate("label => kgView.nodes.get({filter: n => n.label === label})[0].id", label)


def node_point(watched, node: int) -> tuple[float, float]:
    """Where the node is on the screen."""
    return tuple(watched.page.evaluate("""id => {
        const at = kgView.network.canvasToDOM(kgView.network.getPositions([id])[id]);
        const box = document.getElementById("network").getBoundingClientRect();
        return [box.left + at.x, box.top + at.y];
    }""", node))


def still_view(watched) -> None:
    """Wait until the view has stopped moving: selecting by search moves it to the entity, in an animation
    of 0.4 s, and a point taken meanwhile is elsewhere once it ends."""
    import time

    view = "[kgView.network.getViewPosition().x, kgView.network.getViewPosition().y, kgView.network.getScale()]"
    deadline, last = time.monotonic() + 10, None
    while (now := watched.page.evaluate(view)) != last:
        assert time.monotonic() < deadline, "the view never came to rest"
        last = now
        watched.page.wait_for_timeout(150)


def background_point(watched) -> tuple[float, float]:
    """A point of the canvas with no entity or link under it (the corner may hold one, as the view is laid
    out and zoomed)."""
    return tuple(watched.page.evaluate("""() => {
        const box = document.getElementById("network").getBoundingClientRect();
        for (let y = 5; y < box.height; y += 15) {
            for (let x = 5; x < box.width; x += 15) {
                if (kgView.network.getNodeAt({x, y}) === undefined && kgView.network.getEdgeAt({x, y}) === undefined) {
                    return [box.left + x, box.top + y];
                }
            }
        }
        throw new Error("no empty point on the canvas");
    }"""))


def click_node(watched, label: str) -> int:
    node = node_id(watched, label)
    watched.page.evaluate("id => kgView.network.focus(id, {scale: 1.2})", node)  # on screen, not hidden by a neighbour
    x, y = node_point(watched, node)
    watched.page.mouse.click(x, y)
    assert watched.page.evaluate("kgView.network.getSelectedNodes()") == [node]
    return node


def legend(watched) -> list[list[str]]:
    """Each legend entry as [class label, count]."""
    return watched.page.evaluate(
        "[...document.querySelectorAll('#legend button')].map(b => [...b.children].slice(1).map(c => c.textContent))")


def no_tooltip_over(watched, label: str) -> None:
    """Hovering an entity puts nothing over the canvas: its details are in the side panel."""
    watched.page.mouse.move(0, 0)
    x, y = node_point(watched, node_id(watched, label))
    watched.page.mouse.move(x, y)
    watched.page.wait_for_timeout(400)
    assert watched.page.locator("div.vis-tooltip:visible").count() == 0


def test_the_whole_graph_in_chromium(page, bundled_source, tmp_path):
    # the default view leaves hubs out
    network = network_views.without_hubs(bundled_source, projection.project(bundled_source))
    open_view(page, visualize.render_html(bundled_source), tmp_path)
    p = page.page

    assert p.evaluate("[kgView.nodes.length, kgView.edges.length]") == [network.number_of_nodes(), network.number_of_edges()]
    assert p.text_content("h1") == "The whole graph"
    assert p.text_content("#status") == "layout done"
    # it has stopped moving: physics is off and nothing moves any more
    before = p.evaluate("kgView.network.getPositions()")
    p.wait_for_timeout(600)
    assert p.evaluate("kgView.network.getPositions()") == before
    assert p.evaluate("kgView.network.physics.physicsEnabled") is False
    techniques = sum(1 for _, d in network.nodes(data=True) if d["class_label"] == "technique")
    assert ["technique", str(techniques)] in legend(page)

    # clicking an entity shows its details in the side panel and highlights its neighbours
    llama = click_node(page, "LLaMA")
    assert p.text_content("#details-title") == "LLaMA"
    assert p.text_content("#details-text") == network.nodes[KGR + "llama"]["details"]
    links = p.locator("#links button").all_inner_texts()
    assert "—developed by→ Meta AI" in links
    meta = node_id(page, "Meta AI")
    far = node_id(page, "Flamingo")
    colours = p.evaluate("ids => ids.map(id => kgView.nodes.get(id).color.background)", [llama, meta, far])
    assert colours[2] == DIMMED and DIMMED not in colours[:2]
    # a large network names only the links of the selected entity
    incident = p.evaluate("id => kgView.network.getConnectedEdges(id)", llama)
    sizes = p.evaluate("() => kgView.edges.get().map(e => [e.id, e.font.size])")
    assert {size for edge, size in sizes if edge in incident} == {10}
    assert {size for edge, size in sizes if edge not in incident} == {0}
    page.screenshot("view-whole-graph-llama-selected.png")

    # hovering shows the same text as a tooltip
    no_tooltip_over(page, "LLaMA")
    assert "release date: 2023-02-24" in p.text_content("#details-text")
    # the sources of its facts are links, to the documents' own addresses
    sources = p.eval_on_selector_all("#sources a", "links => links.map(a => [a.textContent, a.getAttribute('href')])")
    assert ["LLaMA paper (arXiv 2302.13971)", "https://arxiv.org/abs/2302.13971"] in sources
    assert all(href.startswith("https://") for _, href in sources)
    # the legend filters: a click hides a class, another brings it back
    p.click("#legend button:has-text('organization')")
    assert p.evaluate("id => kgView.nodes.get(id).hidden", meta) is True
    assert p.evaluate("id => kgView.nodes.get(id).hidden", llama) is False
    assert p.get_attribute("#legend button:has-text('organization')", "aria-pressed") == "false"
    p.click("#legend button:has-text('organization')")
    assert p.evaluate("id => kgView.nodes.get(id).hidden", meta) is False

    # the search box finds an entity and selects it
    p.fill("#search", "meta a")
    assert "Meta AI (organization)" in p.locator("#matches button").all_inner_texts()
    p.press("#search", "Enter")
    assert p.text_content("#details-title") == "Meta AI"
    # clicking the background clears the selection
    still_view(page)
    p.mouse.click(*node_point(page, meta))
    p.mouse.click(*background_point(page))
    assert p.text_content("#details-title") == ""
    assert p.evaluate("id => kgView.nodes.get(id).color.background", far) != DIMMED
    assert p.evaluate("() => new Set(kgView.edges.get().map(e => e.font.size)).size") == 1

    page.screenshot("view-whole-graph.png")
    assert page.console_errors == []
    assert page.requests and all(url.startswith("file://") for url in page.requests)


@pytest.mark.filterwarnings("ignore")
def test_payloads_in_labels_titles_and_iris_never_run(page, tmp_path):
    graph = hostile_graph()
    heading = f"img {PAYLOADS['img']}"
    html = visualize.render_html(graph, focus=heading, depth=5)
    network = projection.project(graph)
    open_view(page, html, tmp_path, "payloads.html")
    p = page.page

    assert p.text_content("h1") == f"Neighbourhood of {heading}"
    assert p.title() == f"Neighbourhood of {heading} · kgtool"
    assert p.evaluate("[kgView.nodes.length, kgView.edges.length]") == [len(PAYLOADS), len(PAYLOADS) - 1]
    assert legend(page) == [[PAYLOADS["img"], str(len(PAYLOADS))]]

    for node, data in network.nodes(data=True):
        click_node(page, data["label"])
        assert p.text_content("#details-title") == data["label"]
        assert p.text_content("#details-text") == data["details"]
        assert any(PAYLOADS["href"] in text for text in p.locator("#links button").all_inner_texts())
        no_tooltip_over(page, data["label"])
    for _, data in network.nodes(data=True):
        p.fill("#search", data["label"])
        assert p.locator("#matches button").first.text_content() == f"{data['label']} ({PAYLOADS['img']})"
        p.press("#search", "Enter")
        assert p.text_content("#details-title") == data["label"]

    assert p.evaluate("typeof window.__pwned") == "undefined"
    assert p.evaluate("document.querySelectorAll('img, svg, iframe, object, embed').length") == 0
    hrefs = p.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert all(h.startswith("https://example.org/") for h in hrefs)
    assert p.evaluate("document.querySelectorAll('script').length") == 3
    page.screenshot("view-payloads.png")
    assert page.console_errors == []
    assert all(url.startswith("file://") for url in page.requests)


def viz_with_temporary_folder(prefix: str, *args: str) -> tuple[subprocess.CompletedProcess, Path, list[str]]:
    """`kgtool viz ARGS` in a process whose TMPDIR is a new folder ``prefix``* in the system's temporary
    folder (Chromium cannot start from one as long as pytest's): the finished process, the folder (removed
    by now) and the names it held when the command ended. ``browser`` only gates these tests: the command
    starts its own Chromium."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        done = subprocess.run([sys.executable, "-m", "kgtool", "viz", *args], capture_output=True, text=True,
                              timeout=300, env={**os.environ, "TMPDIR": str(folder)})
        return done, folder, sorted(p.name for p in folder.iterdir())
    finally:
        shutil.rmtree(folder)


def test_viz_screenshots_a_page_it_writes_to_standard_output_and_leaves_no_folder(browser, tmp_path):
    # the page goes to standard output, so the screenshot is taken of a copy in a temporary folder, which
    # is gone afterwards
    png = tmp_path / "llama.png"
    done, _, left = viz_with_temporary_folder("kgtool-test-", "--focus", "LLaMA", "-o", "-", "--screenshot", str(png))
    assert done.returncode == 0, done.stderr
    assert "Neighbourhood of LLaMA" in done.stdout and done.stdout.rstrip().endswith("</html>")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 10_000
    assert done.stderr.startswith(f"wrote {png} (the layout came to rest after ")
    assert left == []


def test_viz_names_a_temporary_folder_too_long_for_chromium(browser, tmp_path):
    # over 62 bytes: Chromium cannot make its socket there
    done, long_folder, _ = viz_with_temporary_folder("kgtool-test-" + "x" * 60, "--focus", "LLaMA", "-o",
                                                     str(tmp_path / "v.html"), "--screenshot", str(tmp_path / "v.png"))
    assert done.returncode == 2
    error = done.stderr.splitlines()[-1]
    assert error.startswith("error: Chromium did not start: ") and f"the temporary folder {long_folder} " in error
    assert error.endswith("set TMPDIR to a shorter one, such as /tmp")
    assert not (tmp_path / "v.png").exists()
