"""What machine a benchmark ran on, printed at the top of every benchmark's output."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine_info() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    cpu, memory = "unknown", "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    versions = []
    for package in ("kgtool", "rdflib", "pyoxigraph", "oxigraph", "owlrl"):
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            if package == "kgtool":
                import kgtool

                versions.append(f"kgtool {kgtool.__version__} (source checkout)")
            else:
                versions.append(f"{package} not installed")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return [f"CPU: {cpu}; cores: {os.cpu_count()}; memory: {memory}; load average at start: {load}",
            f"Python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}",
            "; ".join(versions)]
