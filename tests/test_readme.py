"""The README cannot rot: its commands exist, its test command is what CI runs, its examples work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kgtool.cli import main
from kgtool.store import bundled_files, entailed_ntriples

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs"))
from readme import COMMAND_TABLE, TRANSCRIPT, command_table, transcript_output  # noqa: E402  (docs/readme.py)

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented():
    commands = main.list_commands(None)
    assert commands
    for name in commands:
        assert f"kgtool {name}" in README, f"`kgtool {name}` is not in the README"


def test_first_screen_has_the_two_commands():
    first_screen = "\n".join(README.splitlines()[:30])
    assert "pip install . && kgtool validate && kgtool query" in first_screen
    assert "<!-- test-command -->" in first_screen and "pytest" in first_screen


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci and "README.md" in ci


TRANSCRIPTS = [(m.group(2), m.group(3)) for m in TRANSCRIPT.finditer(README)]


def test_readme_shows_transcripts():
    commands = [c for c, _ in TRANSCRIPTS]
    assert "kgtool validate" in commands and any(c.startswith("kgtool query") for c in commands)


def transcript(command: str, shown: str):
    # a command that infers reads the OWL-RL closure, which the tests build once on one worker
    closure = [pytest.mark.xdist_group("closure")] if "--infer" in command else []
    return pytest.param(command, shown, id=command, marks=closure)


@pytest.fixture(scope="module")
def derived(tmp_path_factory) -> list[Path]:
    """What kgtool derives from the bundled files and reads in their place (the compiled results tables,
    the bundled store), made once in a cache of its own, where no validation report is saved."""
    cache = tmp_path_factory.mktemp("cache")
    subprocess.run([sys.executable, "-c", "from kgtool.persistent import bundled_store; bundled_store()"],
                   env={**os.environ, "XDG_CACHE_HOME": str(cache)}, check=True)
    return sorted((cache / "kgtool").iterdir())


@pytest.mark.parametrize("command,shown", [transcript(c, s) for c, s in TRANSCRIPTS])
def test_transcript_is_what_the_command_prints(command, shown, derived):
    # none of what is derived changes an output; the closure is taken from the tests' cache (tests/test_sparql.py)
    cached = [*derived, entailed_ntriples(bundled_files())] if "--infer" in command else derived
    code, output = transcript_output(command, cached)  # a 100-column terminal
    assert code == 0, output
    assert output == shown, "the README's transcript is stale: python3 docs/readme.py rewrites it"


def test_readme_command_table_is_the_clis_own():
    match = COMMAND_TABLE.search(README)
    assert match, "the README has no <!-- command-table --> block"
    assert match.group(2) == command_table(), "the README's command table is stale: python3 docs/readme.py rewrites it"


def test_provenance_query_in_readme_runs(graph):
    query = re.search(r"```sparql\n(.*?)```", README, re.S).group(1)
    rows = list(graph.query(query))
    assert len(rows) >= 20
    assert all(row.source is not None and row.locator is not None for row in rows)
