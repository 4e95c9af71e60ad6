"""The RDFS + OWL-RL closure of the bundled graph: kgtool's against owlrl's own, in fresh processes.

- kgtool: ``kgtool.store.entailed_ntriples`` with an empty cache, what the first ``--infer`` pays: the
  files read into kgtool's graph (``OneGraph``), owlrl's rules with the work kgtool spares them
  (``kgtool.store.add_entailments``), the N-Triples file written.
- baseline, owlrl as shipped: the same files parsed into rdflib's default ``Graph``, then
  ``owlrl.DeductiveClosure(owlrl.RDFS_OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False)``,
  written as N-Triples less the triples with a literal subject (RDF cannot hold them; kgtool drops them too).

The two closures must hold the same triples (compared with blank nodes labelled canonically), and kgtool must
take at most half of the baseline's time. Runs alternate, so that the machine's other work weighs on both.

    python3 benchmarks/closure.py            # --runs 2 (each run of the baseline takes about a minute)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine_info, run_measured

KGTOOL = """
import shutil, sys
from kgtool.store import bundled_files, entailed_ntriples
shutil.copyfile(entailed_ntriples(bundled_files()), sys.argv[1])
"""

OWLRL_AS_SHIPPED = """
import sys
import owlrl
from rdflib import Graph, Literal
from kgtool.store import bundled_files, data_files, parse_file, read_order
graph = Graph()
for path, options in read_order(bundled_files(), data_files([])):
    parse_file(path, graph, **options)
owlrl.DeductiveClosure(owlrl.RDFS_OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
for triple in [t for t in graph if isinstance(t[0], Literal)]:
    graph.remove(triple)
graph.serialize(sys.argv[1], format="nt", encoding="utf-8")
"""


def timed(script: str, out: Path) -> float:
    """Seconds a fresh process takes to write the closure to ``out``, with an empty cache of its own."""
    with tempfile.TemporaryDirectory() as cache:
        command = [sys.executable, "-c", script, str(out)]
        seconds, _, code, stderr = run_measured(command, env={**os.environ, "XDG_CACHE_HOME": cache})
    if code:
        sys.exit(f"the closure failed (exit {code}):\n{stderr.decode(errors='replace')[-2000:]}")
    return seconds


def lines(path: Path) -> list[str]:
    """The triples of an N-Triples file, blank nodes labelled canonically (each parse makes up its own)."""
    import pyoxigraph as ox

    dataset = ox.Dataset(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)  # the same labels within one process
    return sorted(str(quad) for quad in dataset)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="timed runs of each, alternating")
    args = parser.parse_args()
    for line in machine_info():
        print("#", line)
    times: dict[str, list[float]] = {"kgtool": [], "owlrl as shipped": []}
    with tempfile.TemporaryDirectory() as folder:
        outputs = {"kgtool": Path(folder) / "kgtool.nt", "owlrl as shipped": Path(folder) / "owlrl.nt"}
        scripts = {"kgtool": KGTOOL, "owlrl as shipped": OWLRL_AS_SHIPPED}
        for _ in range(args.runs):
            for name in times:
                times[name].append(timed(scripts[name], outputs[name]))
        ours, theirs = lines(outputs["kgtool"]), lines(outputs["owlrl as shipped"])
    print(f"{'closure of the bundled graph':<30} {'median s':>9} {'runs':>24} {'triples':>9}")
    for name, seconds in times.items():
        count = len(ours) if name == "kgtool" else len(theirs)
        runs = ", ".join(f"{s:.1f}" for s in seconds)
        print(f"{name:<30} {statistics.median(seconds):>9.1f} {runs:>24} {count:>9,}")
    same = ours == theirs
    ratio = statistics.median(times["kgtool"]) / statistics.median(times["owlrl as shipped"])
    print()
    print(f"same triples: {'yes' if same else 'NO'}")
    print(f"kgtool / owlrl as shipped: {ratio:.2f}x (target <= 0.5x): {'PASS' if ratio <= 0.5 else 'FAIL'}")
    return 0 if same and ratio <= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
