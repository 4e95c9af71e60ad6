#!/usr/bin/env python3
"""The charts of `kgtool chart`: the size of each offline page, the time to build it and to render the
SVG and PNG, and the time Chromium takes to draw the page.

For each chart (the CoQA leaderboard, GPT-3's results, scaling, timeline), on the bundled graph:
  data      the named queries, run on a loaded store (median of --runs)
  page      kgtool.charts.html_page: bytes and build time (the Vega bundle comes from the user's cache)
  baseline  vl-convert's own offline HTML export of the same spec (vegalite_to_html(bundle=True)), the
            named baseline: bytes and build time
  svg, png  vl-convert's renderings (median of --runs)
  draw      headless Chromium (the system's, through Playwright): from navigation to the chart drawn
            (body[data-state=rendered]), median of --browser-runs loads of the file
Target: every page draws in under 2 s.

    python3 benchmarks/charts.py [--runs 5] [--browser-runs 3] [--no-browser]

Prints the machine first; exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

from common import machine_info  # benchmarks/common.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DRAW_TARGET_S = 2.0
CHARTS = [("leaderboard", "CoQA"), ("model", "GPT-3"), ("scaling", None), ("timeline", None)]

T = TypeVar("T")


def timed(function: Callable[[], T], runs: int) -> tuple[float, T]:
    """The median time of ``runs`` calls of ``function``, and what the last one returned."""
    times, results = [], []
    for _ in range(runs):
        started = time.perf_counter()
        results.append(function())
        times.append(time.perf_counter() - started)
    return statistics.median(times), results[-1]


def draw_times(pages: dict[str, Path], runs: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from kgtool.visualize import CHROMIUM_ARGS, chromium_path

    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for name, path in pages.items():
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                page.goto(path.as_uri())
                page.wait_for_selector("body[data-state=rendered]", state="attached", timeout=60_000)
                times.append(time.perf_counter() - started)
            found[name] = statistics.median(times)
        browser.close()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--browser-runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    options = parser.parse_args()

    import vl_convert as vlc

    from kgtool import charts
    from kgtool.store import load_store

    print("\n".join(machine_info()))
    print(f"vl-convert {version('vl-convert-python')}, Vega-Lite {charts.VEGA_LITE_VERSION}\n")
    run = charts.local_runner(store=load_store())
    charts.javascript_bundle()  # into the cache, as after the first chart on a machine
    rows: list[tuple[str, int, float, int, float, int, float, float, float]] = []
    pages = {}
    with tempfile.TemporaryDirectory() as folder:
        for kind, target in CHARTS:
            data_s, data = timed(partial(charts.chart_data, kind, run, target), options.runs)
            spec = charts.spec(data)
            page_s, page = timed(partial(charts.html_page, spec, data.title), options.runs)
            base_s, base = timed(partial(vlc.vegalite_to_html, spec, bundle=True), options.runs)
            svg_s, _ = timed(partial(charts.to_svg, spec), options.runs)
            png_s, _ = timed(partial(charts.to_png, spec), options.runs)
            path = Path(folder) / f"{kind}.html"
            path.write_text(page, encoding="utf-8")
            pages[kind] = path
            rows.append(
                (kind, len(data.rows), data_s, len(page.encode()), page_s, len(base.encode()), base_s, svg_s, png_s)
            )
        drawn = {} if options.no_browser else draw_times(pages, options.browser_runs)

    header = ["chart", "marks", "data s", "page KB", "page s", "baseline KB", "baseline s", "svg s", "png s", "draw s"]
    print("  ".join(f"{h:>11}" for h in header))
    missed = False
    for kind, marks, data_s, size, page_s, base_size, base_s, svg_s, png_s in rows:
        draw = drawn.get(kind)
        missed |= draw is not None and draw > DRAW_TARGET_S
        cells = [
            kind,
            marks,
            f"{data_s:.3f}",
            f"{size / 1024:.0f}",
            f"{page_s:.3f}",
            f"{base_size / 1024:.0f}",
            f"{base_s:.3f}",
            f"{svg_s:.3f}",
            f"{png_s:.3f}",
            f"{draw:.2f}" if draw is not None else "-",
        ]
        print("  ".join(f"{c:>11}" for c in cells))
    print(f"\ntarget: every page draws in under {DRAW_TARGET_S:g} s: {'missed' if missed else 'met'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
