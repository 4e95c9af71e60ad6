"""What the benchmark scripts share: the machine they ran on (printed at the top of every output), the
oxigraph executable, the default parameter values of a named query as kgtool binds them, and the peak
memory of a process.

A process's peak memory is not its ``ru_maxrss`` as Linux reports it: a process starts with the
high-water mark of the address space it was started from (the kernel carries it over fork and exec), so
a command started by a benchmark that has grown to 300 MB reports at least 300 MB, whatever it uses
itself. :func:`peak_rss_mb` reads a process's own high-water mark instead, and :func:`run_measured`
starts each command from a small process of its own."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
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


def peak_rss_mb(pid: int | str = "self") -> float:
    """The peak resident memory in MB of a live process (this one by default): the high-water mark of its
    own address space (VmHWM), which, unlike ``ru_maxrss``, starts afresh with the process (see the
    module's docstring); 0.0 when it cannot be read (the process has ended)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except (OSError, ValueError):
        pass
    return 0.0


# Starts the command, waits for it and writes its wall seconds, ru_maxrss (kB) and exit status to the file
# descriptor given first. Being small, the measurer hands the command a high-water mark of about 10 MB,
# where the benchmark itself would hand on its own peak (see the module's docstring).
_MEASURER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - start
os.write(int(sys.argv[1]), f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}".encode())
"""


def run_measured(command: list[str], env: dict | None = None) -> tuple[float, float, int, bytes]:
    """Run ``command`` (its output discarded); its wall seconds, peak resident memory in MB, exit status
    and standard error. The time is the command's alone, from its start to its exit."""
    report_read, report_write = os.pipe()
    try:
        measurer = subprocess.Popen(
            [sys.executable, "-c", _MEASURER, str(report_write), *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            pass_fds=(report_write,),
        )
    finally:
        os.close(report_write)  # the measurer holds the only writing end: its exit ends the report
    assert measurer.stderr is not None  # a pipe, asked for above
    with os.fdopen(report_read, "rb") as report_pipe:
        stderr = measurer.stderr.read()
        report = report_pipe.read().split()
    if measurer.wait() != 0 or len(report) != 3:  # the command could not be started
        return 0.0, 0.0, measurer.returncode or 1, stderr
    return float(report[0]), int(report[1]) / 1024, int(report[2]), stderr


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
