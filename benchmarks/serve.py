#!/usr/bin/env python3
"""Endpoint benchmark: `kgtool serve` against `oxigraph serve-read-only` on the same data and queries.

Both servers run at once on loopback ports, holding the bundled graph. For each number of concurrent
clients (8 and 32 by default), each server gets a warm-up and then --duration seconds of load: every
client is a thread with its own keep-alive HTTP connection that sends, one after the other, a mix of
named queries (their default parameters bound through a VALUES block) as POST application/sparql-query
with Accept: application/sparql-results+json, and reads the whole answer. The servers take turns, so
that a change in the machine's load affects both.

Printed: requests, throughput (answers per second), p50 and p99 latency, errors (any status but 200, or
a failed connection), per server and client count. Before the load, every query's row count is checked
to be the same on both servers.

Targets for kgtool: throughput >= half of Oxigraph's at the same client count, p99 <= 4x p50, zero errors.

Then short queries under hostile load, on kgtool alone (Oxigraph has no deadline to stop a hostile query):
one client sends a trivial ASK, one after the other, for --hostile-duration seconds with the server idle
(the baseline), then again while three other clients each loop a hostile query (a three-way cross join,
REGEX over a cross join, a comparison over a cross join) that runs until the server stops it. Printed:
the ASK's p50, p99 and errors in both runs, and what the hostile queries got. Target: p99 under hostile
load <= 10x the idle p99, zero errors.

    python3 benchmarks/serve.py [--duration 20] [--clients 8,32] [--queries a,b,c] [--workers N]
                                [--hostile-duration 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from common import machine_info, oxigraph_binary  # benchmarks/common.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIX = (
    "models-by-organization",
    "leaderboard",
    "model-card",
    "model-techniques",
    "timeline",
    "parameter-count-of",
    "results-with-settings",
    "training-data",
)
THROUGHPUT_TARGET = 0.5  # kgtool / oxigraph >= this
TAIL_TARGET = 4.0  # p99 / p50 <= this
HOSTILE_TARGET = 10.0  # trivial ASK p99 under hostile load / idle p99 <= this
WARM_UP = 2.0  # seconds of load before each measurement, not counted

TRIVIAL = "ASK { <https://w3id.org/llmkg/resource/llama> ?p ?o }"
HOSTILE = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    'SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f FILTER(REGEX(CONCAT(STR(?c), STR(?f)), "^(a|b|c)*z+$", "i")) } LIMIT 1',
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }",
)


@dataclass
class Run:
    server: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the server behind {url} did not start")
            time.sleep(0.2)


def bound_queries(names: list[str]) -> dict[str, str]:
    """Each named query with its default parameters bound, as the same text for both servers."""
    from kgtool.queries import find
    from kgtool.sparql import LocalEngine, bind_parameters, with_values
    from kgtool.store import load_store

    store = load_store()
    texts = {}
    for name in names:
        named = find(name)
        texts[name] = with_values(named.text, bind_parameters(named, {}, LocalEngine(store)))
    return texts


def ask(host: str, port: int, path: str, text: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        connection.request(
            "POST",
            path,
            body=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(port: int, path: str, texts: list[str], clients: int, seconds: float, server: str) -> Run:
    """``clients`` threads sending the queries in turn for ``seconds`` (after the warm-up)."""
    run = Run(server, clients, seconds)
    lock = threading.Lock()
    start = time.monotonic() + WARM_UP
    stop = start + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies, errors, first_error = [], 0, ""
        turn = index
        while True:
            sent = time.monotonic()
            if sent >= stop:
                break
            text = texts[turn % len(texts)]
            turn += 1
            try:
                connection.request(
                    "POST",
                    path,
                    body=text.encode("utf-8"),
                    headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
                )
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200
                problem = "" if ok else f"HTTP {response.status}: {body[:120]!r}"
            except (OSError, http.client.HTTPException) as err:
                ok, problem = False, f"{type(err).__name__}: {err}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            answered = time.monotonic()
            if sent >= start and answered <= stop:
                if ok:
                    latencies.append(answered - sent)
                else:
                    errors += 1
                    first_error = first_error or problem
        connection.close()
        with lock:
            run.latencies.extend(latencies)
            run.errors += errors
            run.first_error = run.first_error or first_error

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run


def trivial_under_load(port: int, seconds: float, hostile: int) -> tuple[Run, dict[str, int]]:
    """One client sending TRIVIAL for ``seconds`` while ``hostile`` clients loop the HOSTILE queries;
    returns the trivial client's run and the statuses the hostile queries got."""
    stop = threading.Event()
    outcomes: dict[str, int] = {}
    lock = threading.Lock()

    def attacker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while not stop.is_set():
            try:
                connection.request(
                    "POST",
                    "/sparql",
                    body=HOSTILE[index % len(HOSTILE)].encode(),
                    headers={"Content-Type": "application/sparql-query"},
                )
                response = connection.getresponse()
                response.read()
                outcome = f"HTTP {response.status}"
            except (OSError, http.client.HTTPException) as err:
                outcome = type(err).__name__
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            with lock:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        connection.close()

    attackers = [threading.Thread(target=attacker, args=(i,)) for i in range(hostile)]
    for thread in attackers:
        thread.start()
    try:
        return load(port, "/sparql", [TRIVIAL], 1, seconds, "kgtool"), outcomes
    finally:
        stop.set()
        for thread in attackers:
            thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of measured load per run")
    parser.add_argument("--clients", default="8,32", help="comma-separated numbers of concurrent clients")
    parser.add_argument("--queries", default=",".join(MIX), help="comma-separated named queries (the mix)")
    parser.add_argument("--workers", type=int, help="kgtool serve --workers (default: its own default)")
    parser.add_argument(
        "--hostile-duration",
        type=float,
        default=20.0,
        help="seconds of trivial queries, idle and under hostile load (0: skip)",
    )
    args = parser.parse_args()
    client_counts = [int(c) for c in args.clients.split(",") if c.strip()]
    names = [n.strip() for n in args.queries.split(",") if n.strip()]

    from kgtool.store import bundled_files, rdf_files

    print("# Endpoint benchmark: kgtool serve vs oxigraph serve-read-only (bundled graph)")
    for line in machine_info():
        print("#", line)
    oxigraph = oxigraph_binary()
    print(f"# query mix ({len(names)}): {', '.join(names)}")
    print(
        f"# {WARM_UP:g} s warm-up + {args.duration:g} s measured per run; clients are threads of this process "
        "(one keep-alive connection each), on the same machine as both servers"
    )
    texts = bound_queries(names)

    workdir = Path(tempfile.mkdtemp(prefix="kgtool-bench-serve-"))
    servers: list[subprocess.Popen] = []
    try:
        location = workdir / "oxigraph"
        subprocess.run(
            [oxigraph, "load", "--location", str(location), "--file", *map(str, rdf_files(bundled_files()))],
            check=True,
            capture_output=True,
        )
        ox_port, kg_port = free_port(), free_port()
        servers.append(
            subprocess.Popen(
                [oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{ox_port}"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        kgtool = [sys.executable, "-m", "kgtool", "serve", "--port", str(kg_port)]
        if args.workers:
            kgtool += ["--workers", str(args.workers)]
        servers.append(
            subprocess.Popen(
                kgtool,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_until_up(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D", servers[0])
        wait_until_up(f"http://127.0.0.1:{kg_port}/sparql?query=ASK%7B%7D", servers[1])
        targets = {"oxigraph": (ox_port, "/query"), "kgtool": (kg_port, "/sparql")}

        print("#\n# rows per query (must be equal):")
        for name, text in texts.items():
            counts = {}
            for server, (port, path) in targets.items():
                status, body = ask("127.0.0.1", port, path, text)
                counts[server] = len(json.loads(body)["results"]["bindings"]) if status == 200 else f"HTTP {status}"
            same = "same" if counts["kgtool"] == counts["oxigraph"] else "DIFFERENT"
            print(f"#   {name:24s} kgtool {counts['kgtool']!s:>5}  oxigraph {counts['oxigraph']!s:>5}  {same}")
            if same != "same":
                return 1
        print()

        runs: list[Run] = []
        for clients in client_counts:
            for server in ("oxigraph", "kgtool"):
                port, path = targets[server]
                runs.append(load(port, path, list(texts.values()), clients, args.duration, server))
        hostile_runs: list[tuple[str, Run, dict[str, int]]] = []
        if args.hostile_duration > 0:
            for name, attackers in (("idle", 0), (f"{len(HOSTILE)} hostile loops", len(HOSTILE))):
                run, outcomes = trivial_under_load(kg_port, args.hostile_duration, attackers)
                hostile_runs.append((name, run, outcomes))
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)

    print("| server   | clients | requests | throughput (req/s) | p50 (ms) | p99 (ms) | p99/p50 | errors |")
    print("|----------|--------:|---------:|-------------------:|---------:|---------:|--------:|-------:|")
    for run in runs:
        p50, p99 = run.percentile(50), run.percentile(99)
        print(
            f"| {run.server:8s} | {run.clients:7d} | {len(run.latencies):8d} | {run.throughput:18.1f} | "
            f"{p50:8.1f} | {p99:8.1f} | {p99 / p50:7.1f} | {run.errors:6d} |"
        )
    print()

    failed = False
    if hostile_runs:
        print(f"# trivial ASK, one client, one request after the other ({args.hostile_duration:g} s each run)")
        print("| kgtool server       | requests | p50 (ms) | p99 (ms) | max (ms) | errors | hostile queries got |")
        print("|---------------------|---------:|---------:|---------:|---------:|-------:|---------------------|")
        for name, run, outcomes in hostile_runs:
            got = ", ".join(f"{k} x{v}" for k, v in sorted(outcomes.items())) or "-"
            print(
                f"| {name:19s} | {len(run.latencies):8d} | {run.percentile(50):8.1f} | {run.percentile(99):8.1f} | "
                f"{max(run.latencies, default=float('nan')) * 1000:8.1f} | {run.errors:6d} | {got} |"
            )
        print()
        idle, loaded = hostile_runs[0][1], hostile_runs[1][1]
        ratio = loaded.percentile(99) / idle.percentile(99)
        for text, ok in (
            (
                f"trivial ASK p99 under hostile load / idle p99 = {ratio:.1f} (target <= {HOSTILE_TARGET:g})",
                ratio <= HOSTILE_TARGET,
            ),
            (
                f"trivial ASK errors under hostile load = {loaded.errors} (target 0)"
                + (f"; first: {loaded.first_error}" if loaded.errors else ""),
                loaded.errors == 0 and idle.errors == 0,
            ),
        ):
            print(f"{'PASS' if ok else 'FAIL'}  {text}")
            failed |= not ok
    for clients in client_counts:
        ox = next(r for r in runs if r.server == "oxigraph" and r.clients == clients)
        kg = next(r for r in runs if r.server == "kgtool" and r.clients == clients)
        ratio = kg.throughput / ox.throughput if ox.throughput else float("inf")
        tail = kg.percentile(99) / kg.percentile(50)
        checks = [
            (
                f"{clients} clients: kgtool throughput / oxigraph = {ratio:.2f} (target >= {THROUGHPUT_TARGET})",
                ratio >= THROUGHPUT_TARGET,
            ),
            (f"{clients} clients: kgtool p99 / p50 = {tail:.1f} (target <= {TAIL_TARGET:g})", tail <= TAIL_TARGET),
            (
                f"{clients} clients: kgtool errors = {kg.errors} (target 0)"
                + (f"; first: {kg.first_error}" if kg.errors else ""),
                kg.errors == 0,
            ),
        ]
        if ox.errors:
            print(f"note: {clients} clients: oxigraph had {ox.errors} errors; first: {ox.first_error}")
        for text, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {text}")
            failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
