"""--timeout is a deadline for the whole exchange with an endpoint (connecting, the headers, the body), in
every command that talks to one, and so is push's --request-timeout for each of its requests: a server that
trickles ten bytes a second cannot hold a command past it."""

from __future__ import annotations

import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pytest
from click.testing import CliRunner

from kgtool.cli import main
from tests.serving import free_port, http_server

TIMEOUT = 0.5
TRICKLE = 0.1  # seconds between two bytes: each arrives well within any per-read timeout of TIMEOUT
SLACK = 2.0  # seconds past the deadline allowed for the error to come out on a busy machine


class _Trickle(BaseHTTPRequestHandler):
    """Answers a byte every TRICKLE seconds for 30 s, in the status line and headers (/headers) or the body (/body).
    Records when each path was first asked for."""

    protocol_version = "HTTP/1.1"
    asked: ClassVar[dict[str, float]] = {}

    def do_GET(self):  # noqa: N802
        self.asked.setdefault(self.path.split("?")[0], time.monotonic())
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/n-triples\r\nContent-Length: 100000\r\n\r\n"
        if self.path.startswith("/body"):
            self.wfile.write(head)
            head = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n" * 2000
        try:
            for byte in head[: int(30 / TRICKLE)]:  # 30 s: far past the deadline
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(TRICKLE)
        except OSError:  # the client gave up: what it should do
            pass
        self.close_connection = True

    do_POST = do_PUT = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def trickle():
    with http_server(_Trickle) as url:
        yield url


CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
COMMANDS = {
    "pull": lambda url, tmp: ["pull", "--endpoint", url, "--query", CONSTRUCT, "-o", str(tmp / "out.nt")],
    "query": lambda url, tmp: ["query", "--endpoint", url, "-e", "SELECT * WHERE { ?s ?p ?o }"],
    "export": lambda url, tmp: ["export", "--endpoint", url, "--query", CONSTRUCT, "-o", str(tmp / "out.ttl")],
    "viz": lambda url, tmp: ["viz", "--endpoint", url, "-o", str(tmp / "graph.html")],
    "central": lambda url, tmp: ["central", "--endpoint", url],
    "push": lambda url, tmp: ["push", "--to", url],
}
DEADLINE_OPTION = {"push": "--request-timeout"}  # the others: --timeout


@pytest.mark.parametrize("phase", ["headers", "body"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_trickling_endpoint_cannot_hold_a_command_past_its_timeout(trickle, tmp_path, command, phase):
    refused = CliRunner().invoke(main, [*COMMANDS[command](f"http://127.0.0.1:{free_port()}/query", tmp_path)])
    assert refused.exit_code == 2 and "cannot connect" in refused.stderr, refused.output
    url = f"{trickle}/{phase}/{command}/query"
    deadline = DEADLINE_OPTION.get(command, "--timeout")
    result = CliRunner().invoke(main, [*COMMANDS[command](url, tmp_path), deadline, str(TIMEOUT)])
    ended = time.monotonic()
    assert result.exit_code == 2, (result.output, result.exception)
    # timed from the first request the endpoint received: the local work before it takes longer or shorter
    # on a busy machine, and the deadline does not cover it
    asked = min(at for path, at in _Trickle.asked.items() if path.startswith(f"/{phase}/{command}/"))
    assert ended - asked < TIMEOUT + SLACK, f"{ended - asked:.1f} s after the first request"
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and url in message and f"within {TIMEOUT} s" in message, message
    assert not [p.name for p in tmp_path.iterdir()]  # nothing written, no temporary file


def test_a_slow_connect_counts_against_the_deadline():
    # a listening socket whose backlog is full: a connection attempt waits and is never accepted
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        fillers = []
        for _ in range(8):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(server.getsockname())
            fillers.append(filler)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/query"
        started = time.monotonic()
        result = CliRunner().invoke(main, ["query", "--endpoint", url, "-e", "ASK {}", "--timeout", str(TIMEOUT)])
        seconds = time.monotonic() - started
        for filler in fillers:
            filler.close()
    assert result.exit_code == 2 and url in result.stderr, result.output
    assert seconds < TIMEOUT + SLACK, f"{seconds:.1f} s"


THINK = 1.5  # seconds a store spends on its answer, or stalls in the middle of it


class _Thinking(BaseHTTPRequestHandler):
    """Works out its answer for THINK seconds before the first byte (/think), or sends the headers and half the
    body and then stalls for THINK seconds (/stall), as a store that computes, or stops, would."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        body = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'
        if self.path.startswith("/think"):
            time.sleep(THINK)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body[:10])
            self.wfile.flush()
            if self.path.startswith("/stall"):
                time.sleep(THINK)
            self.wfile.write(body[10:])
        except OSError:  # the client gave up
            pass

    def log_message(self, *args):
        pass


def test_the_wait_for_an_answer_to_begin_is_bounded_by_the_deadline_and_each_packet_after_it_by_the_read_limit():
    import urllib.request

    from kgtool.web import exchange

    with http_server(_Thinking) as url:
        # a store may take longer than the wait for one packet to work out its answer: that is no stall
        body, _ = exchange(urllib.request.Request(f"{url}/think"), timeout=THINK + 5, read_timeout=THINK / 3)
        assert body.startswith(b'{"head"')
        started = time.monotonic()
        with pytest.raises(TimeoutError):  # once the answer has begun, a pause longer than the limit is one
            exchange(urllib.request.Request(f"{url}/stall"), timeout=THINK + 5, read_timeout=THINK / 3)
        assert time.monotonic() - started < THINK

