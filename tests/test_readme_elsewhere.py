"""The README's "Use the triples elsewhere" section runs as written: its sh and python blocks are run in order in
an empty folder (a line ending in & starts a server, stopped at the end), and each python block prints the text
block that follows it. The port 7878 of the examples is replaced by a free one."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serving import free_port, wait_for_http
from tests.virtuoso import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION, _, VIRTUOSO = re.search(r"\n## Use the triples elsewhere\n(.*?)\n## ", README, re.S).group(1).partition(
    "\n### Virtuoso, step by step\n")
BLOCKS = re.findall(r"```(sh|python|text)\n(.*?)```", SECTION, re.S)


def test_the_section_has_commands_and_examples():
    kinds = [kind for kind, _ in BLOCKS]
    assert kinds.count("sh") >= 3 and kinds.count("python") == 2
    text = " ".join(body for _, body in BLOCKS)
    for needle in ("kgtool export", "kgtool build", "kgtool push", "kgtool query --endpoint", "oxigraph serve",
                   "read_graphml", "pd.read_csv", "rdflib.Graph()"):
        assert needle in text, needle
    for store in ("Oxigraph", "Apache Jena Fuseki", "GraphDB", "Virtuoso", "Amazon Neptune"):
        assert f"| {store} |" in SECTION, store  # a push recipe for each


@pytest.mark.server  # oxigraph serve, as the section starts it
def test_the_section_runs_as_written(tmp_path):
    if shutil.which("kgtool") is None or shutil.which("oxigraph") is None:
        pytest.fail("the `kgtool` and `oxigraph` commands must be installed: pip install -e '.[test]'")
    port = str(free_port())
    servers = []
    try:
        for index, (kind, body) in enumerate(BLOCKS):
            body = body.replace("7878", port)
            if kind == "sh":
                for line in body.splitlines():
                    command = line.split("  #")[0].strip()
                    if not command:
                        continue
                    if command.endswith("&"):
                        servers.append(subprocess.Popen(shlex.split(command[:-1]), cwd=tmp_path,
                                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                        wait_for_http(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", seconds=60)
                        continue
                    done = subprocess.run(command, shell=True, cwd=tmp_path, capture_output=True, text=True)
                    assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
                    if command.startswith("kgtool query"):  # the pushed graph answers the named query as the local one
                        local = subprocess.run(re.sub(r"--endpoint \S+ ", "", command), shell=True, cwd=tmp_path,
                                               capture_output=True, text=True)
                        rows = re.search(r"\((\d+) rows?\)", local.stdout)
                        assert "GPT-3 175B" in done.stdout and rows and rows.group(0) in done.stdout, done.stdout
            elif kind == "python":
                done = subprocess.run([sys.executable, "-c", body], cwd=tmp_path, capture_output=True, text=True)
                assert done.returncode == 0, done.stderr
                shown_kind, shown = BLOCKS[index + 1]
                assert shown_kind == "text" and done.stdout == shown
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
    # what the commands left behind
    assert (tmp_path / "dist" / "SHA256SUMS").is_file() and (tmp_path / "llama.ttl").is_file()
    assert (tmp_path / "llmkg-store").is_dir()


def test_the_virtuoso_recipe_runs_as_written(virtuoso, tmp_path):
    """The recipe's commands, against a Virtuoso the tests start (its address for localhost:8890)."""
    import os

    blocks = re.findall(r"```sh\n(.*?)```", VIRTUOSO, re.S)
    assert blocks, "the Virtuoso recipe has no sh block"
    env = {**os.environ, "KGTOOL_PASSWORD": PASSWORD}
    commands = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]
    assert [c.split()[1] for c in commands] == ["push", "query", "query", "pull"]
    for command in commands:
        done = subprocess.run(command.replace("http://localhost:8890", virtuoso.base), shell=True, cwd=tmp_path,
                              capture_output=True, text=True, env=env)
        assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
        if " leaderboard " in command:  # (tests/test_virtuoso.py compares every row with the local engine's)
            assert "GPT-3 175B" in done.stdout and "CoQA" in done.stdout, done.stdout
        if " model-card " in command:
            assert "LLaMA" in done.stdout
    assert (tmp_path / "llama-from-virtuoso.ttl").stat().st_size > 1000
