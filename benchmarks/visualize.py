#!/usr/bin/env python3
"""The HTML network view at size: building the page, and how long the layout takes to come to rest.

1. HTML for a synthetic network of 10,000 entities and 20,000 links (a few hubs, many leaves, twelve
   classes, twenty properties, a tooltip of three lines each), timed as the median of --runs renders
   after a warm-up:
     kgtool   kgtool.visualize.render_network, the whole page (vis-network inlined)
     pyvis    pyvis 0.3.2's own path, the named baseline: Network(directed=True,
              cdn_resources="in_line"), add_node and add_edge for every entity and link, generate_html()
              (timed once: its duplicate checks scan lists, so it takes seconds)
   Target: kgtool <= 1 s. For information: the bundled graph, projected and rendered (kgtool.render_html).
2. In headless Chromium (the system's, driven by Playwright), for 500 and 2,000 entities (twice as many
   links): the time from navigation until the network is stable (vis-network's stabilization done and
   physics switched off), median of --browser-runs page loads; then, one second later, how far any
   node has moved (it must be 0: the picture has stopped). Targets: 500 <= 5 s, 2,000 <= 15 s.

    python3 benchmarks/visualize.py [--runs 5] [--browser-runs 3] [--no-browser] [--no-pyvis]

Prints the machine first; exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from common import machine_info  # benchmarks/common.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HTML_TARGET_S = 1.0
STABLE_TARGETS_S = {500: 5.0, 2000: 15.0}
CLASSES = [
    (f"https://example.org/c/{i}", label)
    for i, label in enumerate(
        [
            "model",
            "organization",
            "person",
            "paper",
            "technique",
            "architecture",
            "component",
            "benchmark",
            "metric",
            "data set",
            "product",
            "hardware",
        ]
    )
]
PROPERTIES = [
    "uses technique",
    "developed by",
    "introduced in",
    "author",
    "variant of",
    "has component",
    "has architecture",
    "evaluated on",
    "trained on data",
    "affiliated with",
    "built on",
    "powers",
    "inspired by",
    "uses frozen model",
    "publisher",
    "has risk",
    "has application",
    "task type",
    "primary metric",
    "broader concept",
]

T = TypeVar("T")


def synthetic_network(nodes: int, edges: int, seed: int = 42):
    """A network shaped like a knowledge graph's projection: links prefer a few hub entities."""
    import networkx as nx

    rng = random.Random(seed)
    network = nx.MultiDiGraph()
    for i in range(nodes):
        cls, class_label = CLASSES[i % len(CLASSES)] if i >= 50 else CLASSES[i % 4]
        network.add_node(
            f"https://example.org/e/{i}",
            label=f"Entity {i}",
            cls=cls,
            class_label=class_label,
            details=f"{class_label} · ex:e/{i}\nvalue: {rng.randint(1, 10**9):,}\nsource: paper {i % 97}",
        )
    for _ in range(edges):
        a = rng.randrange(nodes)
        b = int(nodes * rng.random() ** 3)  # skewed towards the first entities: hubs
        if a == b:
            b = (b + 1) % nodes
        prop = PROPERTIES[rng.randrange(len(PROPERTIES))]
        network.add_edge(
            f"https://example.org/e/{a}",
            f"https://example.org/e/{b}",
            key=prop,
            label=prop,
            details=f"[paper {b % 97}: §{a % 9}]",
        )
    return network


def pyvis_page(network) -> str:
    from pyvis.network import Network

    from kgtool.visualize import class_styles

    styles = class_styles({(d["cls"], d["class_label"]) for _, d in network.nodes(data=True)})
    net = Network(directed=True, cdn_resources="in_line")
    for node, data in network.nodes(data=True):
        _, colour, _, shape = styles[(data["cls"], data["class_label"])]
        net.add_node(node, label=data["label"], title=data["details"], color=colour, shape=shape)
    for a, b, _, data in network.edges(keys=True, data=True):
        net.add_edge(a, b, title=data["details"], label=data["label"])
    return net.generate_html()


def timed(function: Callable[..., T], *args: object) -> tuple[float, T]:
    start = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - start, value


def html_benchmark(runs: int, with_pyvis: bool) -> bool:
    from kgtool.visualize import render_network

    network = synthetic_network(10_000, 20_000)
    print(f"\n1. HTML for {network.number_of_nodes():,} entities and {network.number_of_edges():,} links")
    render_network(network, "warm-up", "")
    times = []
    for _ in range(runs):
        seconds, page = timed(render_network, network, "Synthetic network", "10,000 entities")
        times.append(seconds)
    ours = statistics.median(times)
    print(f"   {'':8} {'median s':>9} {'min s':>7} {'MB':>6}")
    print(f"   {'kgtool':8} {ours:9.3f} {min(times):7.3f} {len(page.encode()) / 1e6:6.1f}")
    if with_pyvis:
        seconds, baseline = timed(pyvis_page, network)
        print(
            f"   {'pyvis':8} {seconds:9.3f} {seconds:7.3f} {len(baseline.encode()) / 1e6:6.1f}   "
            f"(add_node/add_edge + generate_html, one run; {seconds / ours:.1f}x kgtool)"
        )
    import kgtool
    from kgtool.visualize import render_html

    graph = kgtool.load_graph()
    seconds, _ = timed(render_html, graph)
    print(f"   for information: the bundled graph ({len(graph):,} triples) projected and rendered in {seconds:.2f} s")
    ok = ours <= HTML_TARGET_S
    print(f"   {'PASS' if ok else 'FAIL'}: kgtool median {ours:.3f} s <= {HTML_TARGET_S} s")
    return ok


def browser_benchmark(runs: int) -> bool:
    from playwright.sync_api import sync_playwright

    from kgtool.visualize import CHROMIUM_ARGS, chromium_path, render_network

    print("\n2. Headless Chromium: seconds from navigation until the network is stable")
    print(f"   {'entities':>8} {'links':>6} {'median s':>9} {'min s':>7} {'moved after 1 s':>16}  target")
    ok = True
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for size, target in STABLE_TARGETS_S.items():
            path = Path(folder) / f"network-{size}.html"
            path.write_text(render_network(synthetic_network(size, 2 * size), f"{size} entities", ""), encoding="utf-8")
            times, moved = [], 0.0
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(path.as_uri())
                page.wait_for_selector("body[data-state=stable]", state="attached", timeout=300_000)
                times.append(page.evaluate("window.kgView.stableAt") / 1000)
                before = page.evaluate("window.kgView.network.getPositions()")
                page.wait_for_timeout(1000)
                after = page.evaluate("window.kgView.network.getPositions()")
                moved = max(
                    [moved] + [abs(after[k]["x"] - v["x"]) + abs(after[k]["y"] - v["y"]) for k, v in before.items()]
                )
                page.close()
            median = statistics.median(times)
            passed = median <= target and moved == 0
            ok &= passed
            print(
                f"   {size:8,} {2 * size:6,} {median:9.2f} {min(times):7.2f} {moved:13.1f} px  "
                f"{'PASS' if passed else 'FAIL'} (<= {target:g} s, 0 px)"
            )
        browser.close()
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--browser-runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    parser.add_argument("--no-pyvis", action="store_true", help="skip the pyvis baseline")
    args = parser.parse_args()
    for line in machine_info():
        print(line)
    from importlib.metadata import version

    print(f"networkx {version('networkx')}; pyvis {version('pyvis')} (vis-network 9.1.2)")
    ok = html_benchmark(args.runs, not args.no_pyvis)
    if not args.no_browser:
        ok &= browser_benchmark(args.browser_runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
