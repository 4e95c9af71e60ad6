#!/usr/bin/env python3
"""How long `kgtool validate` takes on the bundled data, against a baseline checkout in the same run.

Runs `python3 -m kgtool validate` as a subprocess, from a cold start to its verdict, for this checkout
and for the checkout given with --baseline (an earlier version: `git archive <commit> | tar -x -C DIR`),
alternating the two so that both see the same machine load; one warm-up each (it fills the caches
kgtool keeps, as a user's second run would find them), then --runs timed runs; median and minimum of
the wall clock and of the CPU time (user + system) in seconds. On a busy machine the wall clock varies
with the load; the CPU time does not, so the target is on it: this checkout's median CPU time no more
than the baseline's (5 % allowed for noise).

    python3 benchmarks/validate.py --baseline /path/to/earlier/checkout [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import machine_info  # benchmarks/common.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
NOISE = 1.05


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(checkout: Path) -> tuple[float, float, str]:
    """Wall clock and CPU seconds of one `kgtool validate`, and its verdict."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}  # that checkout's kgtool and its bundled data
    start, cpu = time.perf_counter(), cpu_of_children()
    proc = subprocess.run([sys.executable, "-m", "kgtool", "validate"], cwd=checkout, env=env,
                          capture_output=True, text=True)
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
    print(f"# {args.runs} timed runs each after 1 warm-up, alternating; seconds")
    checkouts = {"this checkout": ROOT, "baseline": args.baseline.resolve()}
    wall: dict[str, list[float]] = {name: [] for name in checkouts}
    cpu: dict[str, list[float]] = {name: [] for name in checkouts}
    verdicts = {}
    for i in range(args.runs + 1):
        for name, checkout in checkouts.items():
            elapsed, used, verdicts[name] = run(checkout)
            if i:
                wall[name].append(elapsed)
                cpu[name].append(used)
    print()
    for name, checkout in checkouts.items():
        print(f"{name:14} wall median {statistics.median(wall[name]):6.2f} min {min(wall[name]):6.2f}   "
              f"CPU median {statistics.median(cpu[name]):6.2f} min {min(cpu[name]):6.2f}   ({checkout})")
        print(f"{'':14} {verdicts[name]}")
    ratio = statistics.median(cpu["this checkout"]) / statistics.median(cpu["baseline"])
    ok = ratio <= NOISE
    print(f"\nCPU time, this checkout / baseline = {ratio:.2f} (target <= 1.00, {NOISE - 1:.0%} noise allowed): "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
