#!/usr/bin/env python3
"""How long `kgtool validate` takes on the bundled data, against a baseline checkout in the same run.

Runs `python3 -m kgtool validate` as a subprocess, from a cold start to its verdict, for this checkout
and for the checkout given with --baseline (an earlier version: `git archive <commit> | tar -x -C DIR`),
alternating the two so that both see the same machine load; one warm-up each (it fills the caches
kgtool keeps, as a user's second run would find them), then --runs timed runs; median and minimum in
seconds. Target: this checkout's median no more than the baseline's (5 % allowed for noise).

    python3 benchmarks/validate.py --baseline /path/to/earlier/checkout [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import machine_info  # benchmarks/common.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
NOISE = 1.05


def run(checkout: Path) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}  # that checkout's kgtool and its bundled data
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kgtool", "validate"], cwd=checkout, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"kgtool validate failed in {checkout}:\n{proc.stdout}{proc.stderr}")
    return elapsed, proc.stdout.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout of the version to compare with")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    print("# kgtool validate on the bundled data: this checkout against a baseline checkout")
    for line in machine_info():
        print("#", line)
    print(f"# {args.runs} timed runs each after 1 warm-up, alternating; wall clock in seconds")
    checkouts = {"this checkout": ROOT, "baseline": args.baseline.resolve()}
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    verdicts = {}
    for i in range(args.runs + 1):
        for name, checkout in checkouts.items():
            elapsed, verdicts[name] = run(checkout)
            if i:
                times[name].append(elapsed)
    print()
    for name, checkout in checkouts.items():
        print(f"{name:14} median {statistics.median(times[name]):6.2f}  min {min(times[name]):6.2f}  "
              f"({checkout}) {verdicts[name]}")
    ratio = statistics.median(times["this checkout"]) / statistics.median(times["baseline"])
    ok = ratio <= NOISE
    print(f"\nthis checkout / baseline = {ratio:.2f} (target <= 1.00, {NOISE - 1:.0%} noise allowed): "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
