#!/usr/bin/env python3
"""How long `kgtool validate` takes on the bundled data, against a baseline checkout in the same run.

Runs `python3 -m kgtool validate` as a subprocess, from a cold start to its verdict, for this checkout
and for the checkout given with --baseline (an earlier version: `git archive <commit> | tar -x -C DIR`),
alternating the two so that both see the same machine load; one warm-up each (it fills the caches
kgtool keeps, as a user's second run would find them), then --runs timed runs; median and minimum of
the wall clock and of the CPU time (user + system) in seconds. On a busy machine the wall clock varies
with the load; the CPU time does not, so the targets are on it: this checkout's median CPU time no more
than the baseline's (5 % allowed for noise), both on a second run on unchanged files (warm: the cache
holds the report) and on "fresh" runs (`validate --fresh`: every check run again, with the compiled
tables and Turtle the cache keeps, as after an edit of one file). Cold runs, each with an empty cache (a
first run, which compiles the tables), are timed without a target. Both checkouts' modules are compiled
to bytecode first, as installing a package does.

    python3 benchmarks/validate.py --baseline /path/to/earlier/checkout [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import machine_info  # benchmarks/common.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
NOISE = 1.05
KINDS = {
    "warm": "after a run on the same files",
    "fresh": "every check run again, compiled tables and Turtle from the cache: this checkout's --fresh",
    "cold": "empty cache",
}


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(checkout: Path, cache: str | None = None, *options: str) -> tuple[float, float, str]:
    """Wall clock and CPU seconds of one `kgtool validate`, and its verdict; with ``cache`` (an empty
    folder) kgtool keeps its cache there instead of in the user's."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}  # that checkout's kgtool and its bundled data
    if cache is not None:
        env["XDG_CACHE_HOME"] = cache
    start, cpu = time.perf_counter(), cpu_of_children()
    proc = subprocess.run(
        [sys.executable, "-m", "kgtool", "validate", *options], cwd=checkout, env=env, capture_output=True, text=True
    )
    elapsed, cpu = time.perf_counter() - start, cpu_of_children() - cpu
    if proc.returncode != 0:
        sys.exit(f"kgtool validate failed in {checkout}:\n{proc.stdout}{proc.stderr}")
    return elapsed, cpu, proc.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the version to compare with")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    print("# kgtool validate on the bundled data: this checkout against a baseline checkout")
    for line in machine_info():
        print("#", line)
    print(
        f"# {args.runs} timed runs each after 1 warm-up, and {args.runs} cold runs each (empty cache), "
        "alternating; seconds"
    )
    checkouts = {"this checkout": ROOT, "baseline": args.baseline.resolve()}
    for checkout in checkouts.values():
        # bytecode first, for both, as installing a package or a first import does: where
        # PYTHONDONTWRITEBYTECODE is set, each run would compile the modules from source again
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(checkout / "kgtool")], check=True)
    wall: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    verdicts = {}
    for i in range(args.runs + 1):
        for name, checkout in checkouts.items():
            elapsed, used, verdicts[name] = run(checkout)
            if i:
                wall.setdefault(("warm", name), []).append(elapsed)
                cpu.setdefault(("warm", name), []).append(used)
                with tempfile.TemporaryDirectory() as cache:
                    elapsed, used, _ = run(checkout, cache)
                wall.setdefault(("cold", name), []).append(elapsed)
                cpu.setdefault(("cold", name), []).append(used)
                # every check run again, the compiled files taken from the cache; the baseline keeps no
                # report, so its warm run is that already
                elapsed, used, _ = run(checkout, None, *(["--fresh"] if checkout == ROOT else []))
                wall.setdefault(("fresh", name), []).append(elapsed)
                cpu.setdefault(("fresh", name), []).append(used)
    ratios = {}
    for kind, how in KINDS.items():
        print(f"\n{kind} ({how}):")
        for name, checkout in checkouts.items():
            times, cpu_times = wall[kind, name], cpu[kind, name]
            print(
                f"{name:14} wall median {statistics.median(times):6.2f} min {min(times):6.2f}   "
                f"CPU median {statistics.median(cpu_times):6.2f} min {min(cpu_times):6.2f}   ({checkout})"
            )
        ratios[kind] = statistics.median(cpu[kind, "this checkout"]) / statistics.median(cpu[kind, "baseline"])
    for name in checkouts:
        print(f"{name:14} {verdicts[name]}")
    print()
    for kind in ("warm", "fresh"):
        verdict = "PASS" if ratios[kind] <= NOISE else "FAIL"
        print(
            f"CPU time, this checkout / baseline, {kind} = {ratios[kind]:.2f} (target <= 1.00, "
            f"{NOISE - 1:.0%} noise allowed): {verdict}"
        )
    print(f"CPU time, this checkout / baseline, cold = {ratios['cold']:.2f} (no target)")
    return 0 if ratios["warm"] <= NOISE and ratios["fresh"] <= NOISE else 1


if __name__ == "__main__":
    sys.exit(main())
