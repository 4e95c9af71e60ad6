"""Make the README's pictures: each page of `kgtool serve`, the charts of `kgtool chart` and the views of
`kgtool viz`, in headless Chromium (Debian's, driven by Playwright). Run from the repository root:

    python docs/screenshots.py

It starts `kgtool serve` on a free loopback port, and stops it when done.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kgtool(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "kgtool", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    from playwright.sync_api import sync_playwright

    from kgtool.visualize import CHROMIUM_ARGS, chromium_path

    IMAGES.mkdir(parents=True, exist_ok=True)
    # the charts as `kgtool chart` writes them (PNG by vl-convert, no browser)
    kgtool("chart", "leaderboard", "TriviaQA", "-o", str(IMAGES / "chart-leaderboard.png"))
    kgtool("chart", "model", "GPT-3", "-o", str(IMAGES / "chart-model.png"))
    kgtool("chart", "scaling", "-o", str(IMAGES / "chart-scaling.png"))
    kgtool("chart", "timeline", "-o", str(IMAGES / "chart-timeline.png"))
    # the views of `kgtool viz`, which screenshots itself
    kgtool("viz", "-o", "-", "--screenshot", str(IMAGES / "whole-graph.png"))
    kgtool("viz", "--query", "model-neighbourhood", "-p", "model=BLIP-2", "-o", "-",
           "--screenshot", str(IMAGES / "query-model-neighbourhood.png"))

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kgtool", "serve", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 860})

            def shoot(name: str, path: str, ready: str | None = None, then=None, full: bool = False) -> None:
                page.goto(base + path)
                if ready:
                    page.wait_for_selector(ready, state="attached", timeout=60_000)
                if then:
                    then()
                page.wait_for_timeout(500)
                page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=full)
                print(f"wrote docs/images/{name}.png")

            def search_llam() -> None:
                page.fill("#site-search", "llam")
                page.wait_for_selector("#suggestions li")

            def chart_tab() -> None:
                page.click("#tab-chart")
                page.wait_for_selector("#chart-view[data-rendered=true]", state="attached")
                page.locator("#chart-panel").scroll_into_view_if_needed()

            def graph_tab() -> None:
                page.click("#tab-graph")
                page.wait_for_selector("#graph-root[data-state=stable]", state="attached")
                page.locator("#graph-panel").scroll_into_view_if_needed()

            def table() -> None:
                page.locator("#results").scroll_into_view_if_needed()

            def select_llama() -> None:
                page.evaluate("kgView.select(kgView.nodes.get({filter: n => n.label === 'LLaMA'})[0].id, false)")

            shoot("home", "/", then=search_llam)
            shoot("query", "/query?name=leaderboard&benchmark=TriviaQA", "#table-view tbody tr", then=table)
            shoot("query-chart", "/query?name=leaderboard&benchmark=TriviaQA", "#table-view tbody tr", then=chart_tab)
            shoot("query-graph", "/query?name=leaderboard&benchmark=TriviaQA", "#table-view tbody tr", then=graph_tab)
            shoot("charts", "/charts?kind=scaling", "#chart[data-rendered=true]")
            shoot("entity", "/resource/gpt-3", "#results-chart[data-rendered=true]")
            shoot("not-found", "/resource/lama")
            shoot("resources", "/resource/")
            shoot("graph", "/graph?focus=LLaMA", "section[data-state=stable]", then=select_llama)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
