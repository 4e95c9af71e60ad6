"""Shared fixtures: the bundled graph is loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

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
