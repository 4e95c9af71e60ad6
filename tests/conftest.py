"""Shared fixtures (the bundled graph is loaded once per worker), and the markers and worker groups that
follow from them. The helpers the tests import live in tests/serving.py, tests/browser.py and
tests/virtuoso.py."""

from __future__ import annotations

import pytest

from tests.browser import browser, page  # noqa: F401  (fixtures: one browser per worker)
from tests.serving import free_port, stop, wait_for_http
from tests.virtuoso import virtuoso  # noqa: F401  (the fixture: one Virtuoso per worker)

# A test that uses one of these fixtures carries its marker, so that `pytest -m "not browser"` leaves it out
# (a module's `server` or `durable_server` fixture is a real server process; the tests that start one themselves
# are marked where they are written).
MARKERS = {"browser": "browser", "virtuoso": "virtuoso", "server": "server", "durable_server": "server",
           "oxigraph_endpoint": "server"}
# A worker starts these once, when a test first needs them: their tests run on one worker (xdist's loadgroup).
ONE_PER_RUN = ("browser", "virtuoso")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        used = set(item.fixturenames)
        for fixture, marker in MARKERS.items():
            if fixture in used:
                item.add_marker(marker)
        shared = next((fixture for fixture in ONE_PER_RUN if fixture in used), None)
        if shared:
            item.add_marker(pytest.mark.xdist_group(shared))


@pytest.fixture(scope="session")
def graph():
    import kgtool

    return kgtool.load_graph()


@pytest.fixture(scope="session")
def bundled_source():
    """The bundled graph as the network commands read it, an Oxigraph store loaded once per worker (given the
    rdflib ``graph``, they would copy it into a new store at each call)."""
    import kgtool
    from kgtool.projection import source_of

    return source_of(kgtool.load_store())


@pytest.fixture(scope="session")
def report():
    import kgtool

    return kgtool.validate()


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
        stop(server)
