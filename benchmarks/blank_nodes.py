"""Exports of graphs full of blank nodes: kgtool's canonical labels against rdflib's canonical ordering.

For each shape (independent blank nodes, one long list, lists nested in each other), the graph is built
in memory and exported as N-Triples with ``kgtool.export.to_bytes`` twice: once as built, once with
fresh blank node labels and its triples in another order; the two outputs must be byte-identical. The
baseline is what kgtool used before, rdflib's ``to_canonical_graph``, on the same graph, in a process of
its own stopped after --cap seconds. Target: 10,000 independent blank nodes exported in under 5 s.

    python3 benchmarks/blank_nodes.py            # --cap 60
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.queues
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine_info

EX = "http://example.org/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def independent(n: int):
    from rdflib import BNode, Graph, Literal, URIRef

    graph = Graph()
    for i in range(n):
        node = BNode()
        graph.add((URIRef(EX + "a"), URIRef(EX + "p"), node))
        graph.add((node, URIRef(EX + "n"), Literal(i % 10)))
    return graph


def one_list(n: int):
    from rdflib import BNode, Graph, Literal, URIRef

    graph, nodes = Graph(), [BNode() for _ in range(n)]
    graph.add((URIRef(EX + "a"), URIRef(EX + "p"), nodes[0]))
    for i, node in enumerate(nodes):
        graph.add((node, URIRef(RDF + "first"), Literal(i)))
        graph.add((node, URIRef(RDF + "rest"), nodes[i + 1] if i + 1 < n else URIRef(RDF + "nil")))
    return graph


def nested(n: int):
    from rdflib import BNode, Graph, Literal, URIRef

    graph, nodes = Graph(), [BNode() for _ in range(n)]
    graph.add((URIRef(EX + "a"), URIRef(EX + "p"), nodes[0]))
    for i, node in enumerate(nodes):
        graph.add((node, URIRef(RDF + "first"), nodes[i + 1] if i + 1 < n else Literal("x")))
        graph.add((node, URIRef(RDF + "rest"), URIRef(RDF + "nil")))
    return graph


SHAPES = {"independent blank nodes": independent, "one list": one_list, "nested lists": nested}


def relabelled(graph):
    from rdflib import BNode, Graph

    fresh: dict[BNode, BNode] = {}
    triples = list(graph)
    random.Random(42).shuffle(triples)
    out = Graph()

    def label(term):
        return fresh.setdefault(term, BNode()) if isinstance(term, BNode) else term

    for s, p, o in triples:
        out.add((label(s), p, label(o)))  # a predicate is never a blank node
    return out


def kgtool_seconds(shape: str, n: int) -> tuple[float, bool]:
    from kgtool import export

    graph = SHAPES[shape](n)
    started = time.perf_counter()
    first = export.to_bytes(graph, "nt")
    seconds = time.perf_counter() - started
    return seconds, export.to_bytes(relabelled(graph), "nt") == first


def _rdflib_baseline(shape: str, n: int, out) -> None:
    from rdflib.compare import to_canonical_graph

    graph = SHAPES[shape](n)
    started = time.perf_counter()
    to_canonical_graph(graph).serialize(format="nt")
    out.put(time.perf_counter() - started)


def rdflib_seconds(shape: str, n: int, cap: float) -> float | None:
    """rdflib's canonical ordering of the same graph, in a process of its own; None past ``cap`` seconds."""
    queue: multiprocessing.queues.Queue[float] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_rdflib_baseline, args=(shape, n, queue))
    process.start()
    process.join(cap)
    if process.is_alive():
        process.terminate()
        process.join()
        return None
    return queue.get()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap", type=float, default=60.0, help="seconds allowed to each rdflib baseline run")
    args = parser.parse_args()
    for line in machine_info():
        print(line)
    print()
    runs = [
        ("independent blank nodes", 1_000, True),
        ("independent blank nodes", 10_000, False),
        ("one list", 1_000, True),
        ("one list", 100_000, False),
        ("nested lists", 1_000, True),
        ("nested lists", 100_000, False),
    ]
    print(f"{'shape':<24} {'blank nodes':>11} {'kgtool s':>9} {'identical':>9} {'rdflib s':>10}")
    all_identical, target_met = True, False
    for shape, n, with_baseline in runs:
        seconds, identical = kgtool_seconds(shape, n)
        baseline = "-"
        if with_baseline:
            found = rdflib_seconds(shape, n, args.cap)
            baseline = f">{args.cap:g}" if found is None else f"{found:.2f}"
        print(f"{shape:<24} {n:>11,} {seconds:>9.2f} {'yes' if identical else 'NO':>9} {baseline:>10}")
        all_identical &= identical
        if shape == "independent blank nodes" and n == 10_000:
            target_met = seconds < 5
    print()
    print(f"{'PASS' if target_met else 'FAIL'}: 10,000 independent blank nodes exported as N-Triples in under 5 s")
    print(f"{'PASS' if all_identical else 'FAIL'}: every export byte-identical after relabelling and reordering")
    return 0 if target_met and all_identical else 1


if __name__ == "__main__":
    sys.exit(main())
