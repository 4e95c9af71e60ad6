"""No request makes `kgtool serve` open a connection to another host (or to this one): the guard refuses
every spelling of SERVICE, LOAD, FROM and USING that the engine reads, and behind it the query workers
have no network at all."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.egress_corpus import spellings
from tests.serving import ROOT, loopback_listener, running_server

TOKEN = "a-long-random-update-token-0123456789"


def isolation_expected() -> bool:
    """Root may always make a network namespace; other users when the kernel allows user namespaces."""
    return os.geteuid() == 0 or _user_namespaces_allowed()


def _user_namespaces_allowed() -> bool:
    try:
        return int(open("/proc/sys/user/max_user_namespaces").read()) > 0 and \
            open("/proc/sys/kernel/unprivileged_userns_clone").read().strip() != "0"
    except FileNotFoundError:
        return False
    except ValueError:
        return False


def test_a_query_worker_cannot_open_connections(tmp_path):
    # straight to a worker, with no guard in front: only the worker's own isolation stands in the way
    data = tmp_path / "data.nq"
    data.write_text("<urn:x:s> <urn:x:p> <urn:x:o> .\n", encoding="utf-8")
    worker = subprocess.Popen([sys.executable, "-m", "kgtool.server.worker", str(data)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE)
    try:
        ready = json.loads(worker.stdout.readline())
        if not isolation_expected():
            pytest.skip(f"this system gives no network namespace to this user: {ready['network']}")
        assert ready == {"ready": True, "network": "isolated"}
        with loopback_listener() as listener:
            answers = []
            for request in (
                {"op": "query", "text": f"SELECT * WHERE {{ SERVICE <{listener.url}/sparql> {{ ?s ?p ?o }} }}",
                 "max_bytes": 100_000, "solutions_format": "JSON"},
                {"op": "update", "text": f"LOAD <{listener.url}/data.ttl>", "max_bytes": 0,
                 "dump": str(tmp_path / "after.nq")},
            ):
                worker.stdin.write(json.dumps(request).encode() + b"\n")
                worker.stdin.flush()
                header = json.loads(worker.stdout.readline())
                worker.stdout.read(header["size"])
                answers.append(header)
            socket.create_connection(("127.0.0.1", listener.port)).close()  # the listener does record
            time.sleep(0.3)
        assert [a["error"] for a in answers] == ["failed", "failed"], answers
        assert all("unreachable" in a["message"].lower() for a in answers), answers
        assert len(listener.connections) == 1  # only the proof
    finally:
        worker.kill()
        worker.wait()


@pytest.mark.server
def test_the_startup_line_says_whether_the_workers_are_isolated():
    with running_server("--workers", "1") as server:
        deadline = time.monotonic() + 10
        while not any(line.startswith("serving ") for line in server.output) and time.monotonic() < deadline:
            time.sleep(0.1)
        line = next(line for line in server.output if line.startswith("serving "))
    expected = "query workers: network isolated)" if isolation_expected() else "query workers: network not isolated ("
    assert expected in line, line


def _send(port: int, batch: list) -> list[tuple[str, int]]:
    """Each spelling of ``batch`` as a POST on one keep-alive connection; returns (name, status) pairs."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    statuses = []
    try:
        for spelling, text in batch:
            kind = "update" if spelling.update else "query"
            connection.request("POST", "/sparql", body=text.encode("utf-8"),
                               headers={"Content-Type": f"application/sparql-{kind}",
                                        "Authorization": f"Bearer {TOKEN}"})
            response = connection.getresponse()
            response.read()
            statuses.append((spelling.name, response.status))
    finally:
        connection.close()
    return statuses


@pytest.mark.server
def test_no_spelling_makes_the_server_call_out():
    corpus = spellings()
    assert len(corpus) >= 2000
    with running_server("--allow-update", "--workers", "2", "--query-timeout", "5",
                        env={"KGTOOL_UPDATE_TOKEN": TOKEN}) as server, loopback_listener() as listener:
        socket.create_connection(("127.0.0.1", listener.port)).close()  # the listener does record connections
        time.sleep(0.3)
        assert len(listener.connections) == 1
        port = int(server.url.rsplit(":", 1)[1])
        texts = [(spelling, spelling.at(listener.url)) for spelling in corpus]
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            statuses = [s for batch in pool.map(lambda i: _send(port, texts[i::4]), range(4)) for s in batch]
        elapsed = time.monotonic() - started
        # an answer is fine only where the keyword was part of another token (DESCRIBE kg:aFROM<x>):
        # then the same text with the keyword replaced by letters that mean nothing is answered too
        answered = {name for name, status in statuses if status not in (400, 403)}
        neutral = [(s, s.neutral(listener.url)) for s in corpus if s.name in answered]
        unexplained = [name for name, status in _send(port, neutral) if status not in range(200, 300)]
        time.sleep(0.5)
    print(f"{len(corpus)} spellings sent in {elapsed:.1f} s ({len(corpus) - len(answered)} refused, "
          f"{len(answered)} answered with the keyword read as part of another token); the listener recorded "
          f"{len(listener.connections)} connection (the control)")
    assert len(statuses) == len(corpus)
    assert not unexplained, unexplained[:10]
    assert len(listener.connections) == 1  # only the control
