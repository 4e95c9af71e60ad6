"""What the benchmark scripts share: the machine they ran on (printed at the top of every output), the
oxigraph executable, and the default parameter values of a named query as kgtool binds them."""

from __future__ import annotations

import os
import platform
import shutil
import sys
from pathlib import Path


def machine_info() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    cpu, memory = "unknown", "unknown"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    try:
        kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
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
    return [
        f"CPU: {cpu}; cores: {os.cpu_count()}; memory: {memory}; load average at start: {load}",
        f"Python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}",
        "; ".join(versions),
    ]


def oxigraph_binary() -> str:
    """The oxigraph executable itself, not a pyenv shim (a shim adds ~0.1 s of bash to every call)."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        sys.exit("the oxigraph CLI is not installed (pip install oxigraph)")
    return found


def default_bindings(named, store) -> dict:
    """The query's default parameter values as kgtool binds them (labels resolved on the graph)."""
    from kgtool.queries import parse_value
    from kgtool.results import Term
    from kgtool.sparql import LocalEngine

    bindings = {}
    for param in named.params:
        if param.default is None:
            continue
        value = parse_value(param.default)
        if not isinstance(value, Term):
            value = LocalEngine(store).resolve_label(value, param.name)
        bindings[param.name] = value
    return bindings
