"""kgtool load and --store: a persistent store built once, opened read-only by every command, refused once stale."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

import kgtool
from kgtool.cli import main
from kgtool.persistent import RECORD, open_store
from tests.virtuoso import PUSH_TIMEOUT


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


EXTRA = """@prefix kgr: <https://w3id.org/llmkg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kgr:extra-thing rdfs:label "An extra thing"@en .
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store")
    extra = folder / "extra.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    location = folder / "kg"
    result = run("load", str(extra), "--store", str(location), "-q")
    assert result.exit_code == 0, result.output + result.stderr
    return location, extra


def test_load_records_what_the_store_holds(built):
    location, extra = built
    record = json.loads((location / RECORD).read_text(encoding="utf-8"))
    assert record["triples"] == len(kgtool.load_store([extra]))
    assert record["ontology_version"] and record["kgtool_version"] == kgtool.__version__
    paths = [entry["path"] for entry in record["files"]]
    assert str(extra.resolve()) in paths and len(paths) == len(kgtool.store.bundled_files()) + 1
    assert all(len(entry["sha256"]) == 64 for entry in record["files"])


@pytest.mark.parametrize("name", ["leaderboard", "model-sizes", "timeline"])
def test_query_on_the_store_gives_the_rows_of_the_files(built, name):
    location, extra = built
    expected = run("query", name, "--data", str(extra), "-f", "csv")
    from_store = run("query", name, "--store", str(location), "-f", "csv")
    from_variable = run("query", name, "-f", "csv", env={"KGTOOL_STORE": str(location)})
    assert expected.exit_code == from_store.exit_code == from_variable.exit_code == 0, from_store.stderr
    assert from_store.output == expected.output == from_variable.output and expected.output.count("\n") > 3


@pytest.mark.parametrize("command", [["stats"], ["central", "-n", "3"], ["path", "BLIP-2", "LLaMA"],
                                     ["communities", "--members", "3"], ["viz", "--focus", "LLaMA", "-o", "-"]])
def test_network_commands_on_the_store_give_what_the_files_give(built, command):
    location, extra = built
    expected = run(*command, "--data", str(extra))
    from_store = run(*command, "--store", str(location))
    assert expected.exit_code == from_store.exit_code == 0, from_store.output
    assert from_store.output == expected.output and len(expected.output) > 200


def test_a_query_on_a_store_loads_no_http_or_checksum_library(built):
    # a cold `kgtool query --store` pays for every module it imports: HTTP is for endpoints, and a
    # checksum is only needed for a file whose size or time stamp changed
    location, _ = built
    code = ("import sys; from kgtool.cli import main\n"
            f"try: main(['query', 'model-sizes', '--store', {str(location)!r}, '-f', 'csv'])\n"
            "except SystemExit as end: assert not end.code, end.code\n"
            "print(' '.join(m for m in ('urllib.request', 'http.client', 'hashlib', 'shutil') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == ""


def test_the_extra_file_is_in_the_store(built):
    location, _ = built
    result = run("query", "-e", 'SELECT ?l WHERE { <https://w3id.org/llmkg/resource/extra-thing> rdfs:label ?l }',
                 "--store", str(location))
    assert result.exit_code == 0 and "An extra thing" in result.output


def test_concurrent_readers(built):
    location, _ = built
    code = (f"import kgtool.persistent as p; s = p.open_store({str(location)!r}); "
            "print(len(list(s.query('SELECT * WHERE {{ ?s ?p ?o }}'))))")
    readers = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(3)]
    counts = {int(r.communicate(timeout=60)[0]) for r in readers}
    assert all(r.returncode == 0 for r in readers) and counts == {len(open_store(location))}


def test_a_changed_file_makes_the_store_stale(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    location = tmp_path / "kg"
    assert run("load", str(extra), "--store", str(location), "-q").exit_code == 0
    extra.write_text(EXTRA.replace("An extra", "A changed"), encoding="utf-8")
    result = run("query", "model-sizes", "--store", str(location))
    assert result.exit_code == 2
    assert f"the store {location} is stale: {extra.resolve()} changed since it was loaded" in result.stderr
    extra.unlink()
    assert "is gone" in run("query", "model-sizes", "--store", str(location)).stderr


def test_an_interrupted_load_leaves_the_previous_store(tmp_path):
    location = tmp_path / "kg"
    assert run("load", "--store", str(location), "-q").exit_code == 0
    before = sorted(p.name for p in location.iterdir())
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix : <urn:x:> .\n:a :b :c ;; .\n:d :e", encoding="utf-8")
    result = run("load", str(broken), "--store", str(location), "-q")
    assert result.exit_code == 2 and "broken.ttl" in result.stderr
    assert sorted(p.name for p in location.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no half-built folder left
    assert run("query", "model-sizes", "--store", str(location)).exit_code == 0


def test_store_refuses_other_sources_and_folders_that_are_no_store(built, tmp_path):
    location, extra = built
    result = run("query", "model-sizes", "--store", str(location), "--data", str(extra))
    assert result.exit_code == 2 and "--store holds the whole graph" in result.stderr
    result = run("query", "model-sizes", "--store", str(tmp_path))
    assert result.exit_code == 2 and "is not a kgtool store" in result.stderr


@pytest.mark.server
def test_serve_opens_the_store_in_every_worker(built):
    from tests.serving import running_server

    location, extra = built
    with running_server("--store", str(location), "--workers", "3") as server:
        workers = server.worker_pids()
        assert len(workers) == 4  # three, and one kept for short queries
        for pid in workers:  # no worker holds a copy: each has the store's files open, read-only
            opened = {os.readlink(f) for f in glob.glob(f"/proc/{pid}/fd/*") if os.path.islink(f)}
            assert any(path.startswith(str(location.resolve())) for path in opened), opened
        answer = kgtool.run_query("model-sizes", endpoint=server.sparql)
        expected = kgtool.run_query("model-sizes", extra=[extra])
        assert answer.values() == expected.values()
        found = kgtool.run_query("ASK { <https://w3id.org/llmkg/resource/extra-thing> ?p ?o }", endpoint=server.sparql)
        assert found.boolean


def test_serve_refuses_a_store_with_files_or_updates(built):
    location, extra = built
    result = run("serve", str(extra), "--store", str(location))
    assert result.exit_code == 2 and "--store serves the store as it is" in result.stderr


def _stderr_on_a_terminal(command: list[str]) -> str:
    """What ``command`` writes to its standard error when that is a terminal (a pseudo-terminal here)."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    # a terminal of 24 rows and 100 columns (a fresh pseudo-terminal has none, and a bar needs the width)
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", errors="replace")


def test_load_shows_progress_on_a_terminal_only(tmp_path):
    command = [sys.executable, "-m", "kgtool", "load", "--store", str(tmp_path / "kg")]
    shown = _stderr_on_a_terminal(command)
    assert "load:" in shown and "%|" in shown and "optimising" in shown and "loaded " in shown
    quiet = _stderr_on_a_terminal([*command, "--quiet"])
    assert "load:" not in quiet and "loaded " in quiet  # the summary line stays
    piped = subprocess.run(command, capture_output=True, text=True)
    assert piped.returncode == 0 and "load:" not in piped.stderr and "%" not in piped.stderr


def test_push_quiet_says_nothing_on_stderr(virtuoso):
    # the graph every Virtuoso test reads, replaced by the same triples
    result = run("push", "--to", virtuoso.sparql_auth, "--graph-store", virtuoso.graph_store, "--quiet",
                 "--user", "dba", "--password", "dba", *PUSH_TIMEOUT)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "" and "pushed " in result.output



def test_validate_checks_what_the_store_holds(built, tmp_path):
    location, extra = built
    from_store = run("validate", "--store", str(location))
    from_files = run("validate", str(extra), "--bundled")
    assert from_store.exit_code == from_files.exit_code == 0, from_store.output + from_store.stderr
    assert from_store.output == from_files.output and "conforms: 22 files" in from_store.output
    wrong = tmp_path / "wrong.ttl"
    wrong.write_text(EXTRA + "kgr:extra-thing a <https://w3id.org/llmkg/ontology#NoSuchClass> .\n", encoding="utf-8")
    assert run("load", str(wrong), "--store", str(tmp_path / "kg"), "-q").exit_code == 0
    result = run("validate", "--store", str(tmp_path / "kg"))
    assert result.exit_code == 1 and "kg:NoSuchClass: class is used in the data but not declared" in result.output
    refused = run("validate", str(extra), "--store", str(location))
    assert refused.exit_code == 2 and "--store is validated as it is" in refused.stderr


def test_build_releases_what_the_store_holds(built, tmp_path):
    location, _ = built
    result = run("build", "--store", str(location), "-o", str(tmp_path / "dist"), "-q")
    assert result.exit_code == 0, result.stderr
    lines = (tmp_path / "dist" / "llmkg.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(open_store(location))
    assert any(line.startswith("<https://w3id.org/llmkg/resource/extra-thing>") for line in lines)


def test_commands_read_the_bundled_graph_from_a_cached_store(tmp_path, monkeypatch):
    import pyoxigraph as ox

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    store = kgtool.load_store(read_only=True)
    cached = [p for p in (tmp_path / "kgtool").iterdir() if p.name.startswith("store-")]
    assert len(cached) == 1 and (cached[0] / RECORD).is_file()
    assert len(store) == len(kgtool.load_store())  # the same triples as the files
    with pytest.raises((OSError, RuntimeError)):  # opened read-only: nothing can change it by accident
        store.update("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")
    kgtool.load_store().update("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }")  # the API's own store is the caller's
    # a command opens the same cached store again, and answers as from the files
    opened = [p.name for p in (tmp_path / "kgtool").iterdir() if p.name.startswith("store-")]
    from kgtool.results import render

    from_files = render(kgtool.run_query("models", store=kgtool.load_store()), "csv")
    assert run("query", "models", "-f", "csv").output.splitlines() == from_files.splitlines()
    assert len(from_files.splitlines()) == 8
    assert [p.name for p in (tmp_path / "kgtool").iterdir() if p.name.startswith("store-")] == opened


def test_without_a_cache_to_write_commands_parse_the_files(tmp_path, monkeypatch):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("", encoding="utf-8")  # no cache can be made under a file, whoever runs this
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))
    result = run("query", "models", "-f", "csv")
    assert result.exit_code == 0 and len(result.output.splitlines()) == 8, result.stderr


@pytest.mark.server
def test_serve_with_files_builds_one_store_that_every_worker_shares(built):
    from tests.serving import running_server

    _, extra = built
    with running_server(str(extra), "--workers", "2") as server:
        assert any("building a store of" in line for line in server.output), server.output
        folders = set()
        for pid in server.worker_pids():  # no worker loads a copy: each has the same store's files open
            opened = {os.readlink(f) for f in glob.glob(f"/proc/{pid}/fd/*") if os.path.islink(f)}
            folders.add(next(os.path.dirname(p) for p in opened if "kgtool-serve-store-" in p))
        assert len(folders) == 1 and len(server.worker_pids()) == 3
        found = kgtool.run_query("ASK { <https://w3id.org/llmkg/resource/extra-thing> ?p ?o }", endpoint=server.sparql)
        assert found.boolean
    assert not os.path.exists(next(iter(folders)))  # the store is removed when the server stops


def test_validating_a_store_gives_back_exactly_what_it_holds(built, tmp_path):
    from kgtool.validation import validate_store

    location, extra = built
    report, graph = validate_store(location)  # what a build of the store is made from
    assert report.conforms and len(graph) == len(open_store(location))
    alone = tmp_path / "alone"  # a store without the ontology, which the checks add for themselves
    assert run("load", str(extra), "--no-bundled", "--store", str(alone), "-q").exit_code == 0
    report, graph = validate_store(alone)
    assert report.triples == 1 and len(graph) == len(open_store(alone)) == 1


LINKED = """@prefix kgr: <https://w3id.org/llmkg/resource/> .
@prefix kg: <https://w3id.org/llmkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kgr:new-model a kg:LanguageModel ; rdfs:label "New model"@en ; kg:builtOn kgr:llama .
"""


def test_a_stores_network_is_read_once_then_answered_from_the_cache(built, tmp_path, monkeypatch):
    from kgtool.projection import Projector

    location, extra = built
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = run("stats", "--store", str(location))
    assert first.exit_code == 0, first.output
    assert len(list((tmp_path / "kgtool").glob("network-*.json"))) == 1
    from_files = run("path", "BLIP-2", "LLaMA", "--data", str(extra))
    # from now on no command reads the whole network from the engine
    monkeypatch.setattr(Projector, "_read_whole", lambda self: pytest.fail("the whole network was read again"))
    assert run("stats", "--store", str(location)).output == first.output
    from_cache = run("path", "BLIP-2", "LLaMA", "--store", str(location))
    assert from_cache.exit_code == 0 and from_cache.output == from_files.output, from_cache.output


def test_a_rebuilt_store_is_never_answered_from_the_previous_network(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    location, extra = tmp_path / "kg", tmp_path / "linked.ttl"
    assert run("load", "--store", str(location), "-q").exit_code == 0
    before = run("stats", "--store", str(location))
    extra.write_text(LINKED, encoding="utf-8")
    assert run("load", str(extra), "--store", str(location), "-q").exit_code == 0
    after = run("stats", "--store", str(location))
    assert after.exit_code == before.exit_code == 0
    assert after.output == run("stats", "--data", str(extra)).output != before.output
    assert len(list((tmp_path / "cache" / "kgtool").glob("network-*.json"))) == 2  # one for each build


@pytest.mark.parametrize("damage", ["garbage", "unwritable"])
def test_a_damaged_or_unwritable_cache_only_costs_time(built, tmp_path, monkeypatch, damage):
    location, _ = built
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = run("stats", "--store", str(location))
    (kept,) = (tmp_path / "kgtool").glob("network-*.json")
    if damage == "garbage":
        kept.write_bytes(b'{"nodes": [')
    else:
        not_a_folder = tmp_path / "file"
        not_a_folder.write_text("", encoding="utf-8")  # no cache can be made under a file, whoever runs this
        monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))
    again = run("stats", "--store", str(location))
    assert again.exit_code == 0 and again.output == expected.output, again.output
    if damage == "garbage":
        assert json.loads(kept.read_bytes())["nodes"]  # written again, whole


@pytest.mark.parametrize("records", [False, True])
def test_an_outline_comes_back_whole_from_its_json(records):
    from kgtool.projection import Outline, outline

    original = outline(kgtool.load_store(), records=records)
    assert len(original.types) > 100 and len(original.edges) > 100
    assert Outline.from_json(json.loads(json.dumps(original.as_json()))) == original
