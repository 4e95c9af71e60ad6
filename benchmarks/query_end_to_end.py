#!/usr/bin/env python3
"""End-to-end query benchmark on the bundled graph: kgtool vs a plain rdflib script vs the oxigraph CLI.

For each of three named queries (models-by-organization, leaderboard, model-card; any other named
queries when one of these is missing) it times, as subprocesses, from a cold start to CSV on stdout:

  (a) kgtool      python3 -m kgtool query NAME -f csv
  (b) rdflib      a plain rdflib script: parse the bundled RDF (ontology/*.ttl but shapes.ttl, and
                  graph/, its results tables and RDF 1.2 annotations as the N-Triples kgtool compiles
                  them into, which is what any RDF tool reads) into an rdflib Graph, run the same query
                  text with the default parameters bound through initBindings, print CSV
  (c) oxigraph    the oxigraph CLI: `oxigraph load` into a fresh on-disk store + `oxigraph query`
                  ("load+query"), and `oxigraph query` alone on the loaded store ("query only"),
                  on a copy of the query with the defaults bound by a VALUES clause

Each is run once to warm up, then --runs times (default 7); the table gives the median and the
minimum in ms. The row counts of the three must agree (they are printed); the script also says
whether the rows themselves are the same, compared as sorted multisets of CSV rows.

Targets (ratios of medians): rdflib/kgtool >= 4x, and kgtool/oxigraph <= 2x against oxigraph's
load+query (both start from the files; kgtool keeps no store between runs). The ratio to oxigraph's
"query only" is printed for information. Run from anywhere:

    python3 benchmarks/query_end_to_end.py [--runs 7] [--queries a,b,c]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from common import default_bindings, machine_info, oxigraph_binary  # benchmarks/common.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFERRED = ("models-by-organization", "leaderboard", "model-card")
RDFLIB_TARGET = 4.0  # rdflib / kgtool >= this
OXIGRAPH_TARGET = 2.0  # kgtool / oxigraph <= this

# The plain rdflib script of (b): no kgtool import, just what a user would write with rdflib.
RDFLIB_SCRIPT = r"""
import json, sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from rdflib import Graph, Literal, URIRef

files_list, query_file, bindings_file = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
graph = Graph()
for path in files_list.read_text(encoding="utf-8").splitlines():
    graph.parse(path, format="nt" if path.endswith(".nt") else "turtle")
spec = json.loads(Path(bindings_file).read_text(encoding="utf-8"))
bindings = {}
for name, term in spec["bindings"].items():
    if term["kind"] == "uri":
        bindings[name] = URIRef(term["value"])
    else:
        bindings[name] = Literal(term["value"], lang=term.get("lang"),
                                 datatype=URIRef(term["datatype"]) if term.get("datatype") else None)
text = Path(query_file).read_text(encoding="utf-8")
result = graph.query(text, initNs=spec["prefixes"], initBindings=bindings)
sys.stdout.write(result.serialize(format="csv").decode("utf-8"))
"""


# ---------------------------------------------------------------------------------------------
# helpers


def run(cmd: list[str], **kwargs) -> tuple[float, str]:
    """Seconds and stdout of one subprocess; a failure stops the benchmark with its stderr."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    return elapsed, proc.stdout


def oxigraph_load_query(store_dir: Path, load_cmd: list[str], query_cmd: list[str]) -> tuple[float, float, str]:
    """A fresh store loaded and queried: the seconds of both, of the query alone, and its output."""
    shutil.rmtree(store_dir, ignore_errors=True)
    t_load, _ = run(load_cmd)
    t_query, out = run(query_cmd)
    return t_load + t_query, t_query, out


def csv_rows(text: str) -> list[tuple[str, ...]]:
    rows = list(csv.reader(io.StringIO(text)))
    return [tuple(r) for r in rows[1:]] if rows else []


def numeric_form(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Rows with every number in one form: Oxigraph writes the decimal 85.0 as 85, rdflib as 85.0."""

    def norm(cell: str) -> str:
        try:
            return str(Decimal(cell).normalize()) if cell[:1].isdigit() or cell[:1] in "+-." else cell
        except InvalidOperation:
            return cell

    return sorted(tuple(norm(c) for c in row) for row in rows)


def compare(rows: list[tuple[str, ...]], reference: list[tuple[str, ...]]) -> str:
    if sorted(rows) == sorted(reference):
        return "yes"
    if numeric_form(rows) == numeric_form(reference):
        return "yes, up to number form (85.0 / 85)"
    return "no" if len(rows) != len(reference) else "no (same count, other values)"


def stats(times: list[float]) -> tuple[float, float]:
    return statistics.median(times) * 1000, min(times) * 1000


def choose_queries(requested: str | None) -> list[str]:
    from kgtool.queries import catalogue

    names = [n for n in catalogue() if not n.startswith("checks/")]
    if requested:
        chosen = [q.strip() for q in requested.split(",") if q.strip()]
        missing = [q for q in chosen if q not in names]
        if missing:
            sys.exit(f"no such named queries: {', '.join(missing)}; there are: {', '.join(names)}")
        return chosen
    chosen = [n for n in PREFERRED if n in names]
    chosen += [n for n in names if n not in chosen][: 3 - len(chosen)]
    if not chosen:
        sys.exit("no named queries under queries/")
    return chosen


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement (after one warm-up)")
    parser.add_argument("--queries", help=f"comma-separated named queries (default: {', '.join(PREFERRED)})")
    args = parser.parse_args()

    from kgtool.namespaces import PREFIXES, sparql_prologue
    from kgtool.queries import find
    from kgtool.sparql import with_values
    from kgtool.store import bundled_files, load_store, rdf_files

    print("# End-to-end query benchmark: kgtool vs plain rdflib vs the oxigraph CLI (bundled graph)")
    for line in machine_info():
        print("#", line)
    oxigraph = oxigraph_binary()
    ox_version = subprocess.run([oxigraph, "--version"], capture_output=True, text=True).stdout.strip()
    files = [str(p) for p in rdf_files(bundled_files())]  # tables and annotated Turtle as compiled N-Triples
    print(
        f"# {len(files)} bundled files; oxigraph CLI: {ox_version} ({oxigraph}); "
        f"{args.runs} timed runs after 1 warm-up; times in ms, wall clock, from process start to exit"
    )
    print()

    queries = choose_queries(args.queries)
    store = load_store()  # only to resolve a default given as a label (not timed)
    workdir = Path(tempfile.mkdtemp(prefix="kgtool-bench-e2e-"))
    script = workdir / "rdflib_query.py"
    script.write_text(RDFLIB_SCRIPT, encoding="utf-8")
    files_list = workdir / "files.txt"
    files_list.write_text("\n".join(files) + "\n", encoding="utf-8")
    results = []
    try:
        for name in queries:
            named = find(name)
            bindings = default_bindings(named, store)
            # (b) reads the query text itself and binds through initBindings; (c) reads a copy with VALUES
            plain_file, values_file, spec_file = (
                workdir / f"{name}.rq",
                workdir / f"{name}.values.rq",
                workdir / f"{name}.json",
            )
            plain_file.write_text(named.text, encoding="utf-8")
            # the project's prefixes first, as kgtool declares them; the query's own declarations win
            values_file.write_text(sparql_prologue() + with_values(named.text, bindings), encoding="utf-8")
            spec_file.write_text(
                json.dumps(
                    {
                        "prefixes": PREFIXES,
                        "bindings": {
                            k: {"kind": v.kind, "value": v.value, "lang": v.lang, "datatype": v.datatype}
                            for k, v in bindings.items()
                        },
                    }
                ),
                encoding="utf-8",
            )
            store_dir = workdir / "store"

            kgtool_cmd = [sys.executable, "-m", "kgtool", "query", name, "-f", "csv"]
            rdflib_cmd = [sys.executable, str(script), str(files_list), str(plain_file), str(spec_file)]
            load_cmd = [oxigraph, "load", "--location", str(store_dir), "--file", *files]
            query_cmd = [
                oxigraph,
                "query",
                "--location",
                str(store_dir),
                "--query-file",
                str(values_file),
                "--results-format",
                "csv",
            ]

            times: dict[str, list[float]] = {"kgtool": [], "rdflib": [], "ox_load_query": [], "ox_query": []}
            outputs = {}
            for i in range(args.runs + 1):  # run 0 is the warm-up
                t, outputs["kgtool"] = run(kgtool_cmd, cwd=ROOT)
                if i:
                    times["kgtool"].append(t)
                t, outputs["rdflib"] = run(rdflib_cmd, cwd=ROOT)
                if i:
                    times["rdflib"].append(t)
                t_total, _, outputs["oxigraph"] = oxigraph_load_query(store_dir, load_cmd, query_cmd)
                if i:
                    times["ox_load_query"].append(t_total)
            # the store is loaded: now the query alone
            run(query_cmd)  # warm-up
            for _ in range(args.runs):
                t, outputs["oxigraph"] = run(query_cmd)
                times["ox_query"].append(t)
            shutil.rmtree(store_dir, ignore_errors=True)

            # rdflib on the VALUES copy too, once, to show that both ways of binding agree
            no_bindings = workdir / f"{name}.none.json"
            no_bindings.write_text(json.dumps({"prefixes": PREFIXES, "bindings": {}}), encoding="utf-8")
            _, values_rdflib = run(
                [sys.executable, str(script), str(files_list), str(values_file), str(no_bindings)], cwd=ROOT
            )

            rows = {k: csv_rows(v) for k, v in outputs.items()}
            rows["rdflib-values"] = csv_rows(values_rdflib)
            counts = {k: len(v) for k, v in rows.items()}
            same = {k: compare(v, rows["kgtool"]) for k, v in rows.items()}
            results.append((name, bindings, times, counts, same))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    # ---- the table
    header = ("query", "engine", "median ms", "min ms", "rows", "same rows as kgtool")
    lines = []
    for name, _, times, counts, same in results:
        label = {
            "kgtool": "(a) kgtool query -f csv",
            "rdflib": "(b) rdflib script (initBindings)",
            "ox_load_query": "(c) oxigraph load+query",
            "ox_query": "(c) oxigraph query only",
        }
        row_key = {"kgtool": "kgtool", "rdflib": "rdflib", "ox_load_query": "oxigraph", "ox_query": "oxigraph"}
        for key in ("kgtool", "rdflib", "ox_load_query", "ox_query"):
            med, low = stats(times[key])
            lines.append(
                (
                    name,
                    label[key],
                    f"{med:.0f}",
                    f"{low:.0f}",
                    str(counts[row_key[key]]),
                    "-" if key == "kgtool" else same[row_key[key]],
                )
            )
        lines.append(
            (name, "    rdflib on the VALUES copy (1 run)", "", "", str(counts["rdflib-values"]), same["rdflib-values"])
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def fmt(r) -> str:
        return "  ".join(
            c.rjust(w) if i in (2, 3, 4) else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()

    print(fmt(header))
    print(fmt(["-" * w for w in widths]))
    previous = None
    for line in lines:
        if previous and line[0] != previous:
            print()
        print(fmt(line))
        previous = line[0]
    print()
    for name, bindings, *_ in results:
        if bindings:
            print(f"defaults bound for {name}: " + ", ".join(f"?{k} = {v.n3()}" for k, v in bindings.items()))

    # ---- ratios and verdicts
    print()
    print("ratios of medians (target):")
    failed = False
    for name, _, times, counts, _ in results:
        kg = statistics.median(times["kgtool"])
        rd = statistics.median(times["rdflib"])
        oxl = statistics.median(times["ox_load_query"])
        oxq = statistics.median(times["ox_query"])
        agree = len({counts["kgtool"], counts["rdflib"], counts["oxigraph"], counts["rdflib-values"]}) == 1
        checks = [
            (f"rdflib/kgtool = {rd / kg:.1f}x (>= {RDFLIB_TARGET:g}x)", rd / kg >= RDFLIB_TARGET),
            (f"kgtool/oxigraph load+query = {kg / oxl:.2f}x (<= {OXIGRAPH_TARGET:g}x)", kg / oxl <= OXIGRAPH_TARGET),
            (
                f"kgtool/oxigraph query only = {kg / oxq:.1f}x (no target: kgtool keeps no store between "
                f"runs, so each of its runs parses the files; this is the price of that)",
                None,
            ),
            (f"row counts agree ({counts['kgtool']})", agree),
        ]
        for text, ok in checks:
            failed |= ok is False
            verdict = "info" if ok is None else "PASS" if ok else "FAIL"
            print(f"  {name:<24} {verdict}  {text}")
    print()
    print("# load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("overall:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
