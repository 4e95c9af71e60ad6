"""Shared fixtures: the bundled graph is loaded once per session."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.browser import browser, page  # noqa: F401  (fixtures: one browser for the whole run)

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def graph():
    import kgtool

    return kgtool.load_graph()


@pytest.fixture(scope="session")
def report():
    import kgtool

    return kgtool.validate()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen, seconds: float = 15) -> None:
    """Stop a server the tests started: terminate it, and kill it if it does not end in ``seconds``."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for_http(url: str, seconds: float = 30.0) -> None:
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def oxigraph_endpoint(tmp_path_factory):
    """A real Oxigraph server (the `oxigraph` PyPI package) on a free loopback port, holding the bundled data.
    Yields the SPARQL query URL."""
    import shutil
    import subprocess

    from kgtool.store import bundled_files, rdf_files

    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the `oxigraph` command is missing: pip install oxigraph")
    location = tmp_path_factory.mktemp("oxigraph")
    subprocess.run([binary, "load", "--location", str(location), "--file", *map(str, rdf_files(bundled_files()))],
                   check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/query"
        wait_for_http(f"{url}?query=ASK%7B%7D")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


from tests.virtuoso import virtuoso  # noqa: E402,F401  (the fixture: one Virtuoso for the whole run)
