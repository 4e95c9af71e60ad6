"""Servers for the tests: a real `kgtool serve` process on a free loopback port, for the tests that need
real HTTP clients; an HTTP server answering with a handler of the test's; a loopback listener that records
every connection made to it; and the helpers that find a free port, wait for a server and stop it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
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
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server on a free loopback port that answers each request with ``handler`` on a thread of its
    own; yields its base URL. A handler still sending when the block ends is left to finish on its own."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    # shutdown() waits for the loop's next poll: every 0.05 s, not the default 0.5 s
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)  # what it wrote to standard error, line by line

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def worker_pids(self) -> set[int]:
        """The server's child processes (its query workers), from /proc."""
        children = set()
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                children |= {int(pid) for pid in (task / "children").read_text().split()}
            except FileNotFoundError:  # a thread that ended meanwhile
                continue
        return children


@contextlib.contextmanager
def running_server(*options: str, env: dict[str, str] | None = None):
    port = free_port()
    command = [sys.executable, "-m", "kgtool", "serve", "--port", str(port), *options]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    server = Server(f"http://127.0.0.1:{port}", process)
    # read its output as it comes: a server that logs every request would otherwise block on a full pipe
    def drain():
        for line in process.stderr:
            server.output.append(line.rstrip("\n"))

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        try:
            wait_for_http(f"{server.url}/sparql?query=ASK%7B%7D", seconds=60)
        except OSError:
            process.terminate()
            process.wait(timeout=10)
            reader.join(timeout=5)
            raise RuntimeError(f"kgtool serve did not start: {server.output[-20:]}") from None
        yield server
    finally:
        if process.poll() is None:
            stop(process)
        reader.join(timeout=5)


@dataclass
class Listener:
    """A TCP listener on a free loopback port that accepts, records and closes every connection."""

    port: int
    connections: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def loopback_listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    listener = Listener(server.getsockname()[1])
    closing = threading.Event()

    def accept():
        while not closing.is_set():
            try:
                connection, _ = server.accept()
            except (socket.timeout, OSError):
                continue
            with connection:
                connection.settimeout(1)
                try:
                    listener.connections.append(connection.recv(4096))
                except OSError:
                    listener.connections.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        closing.set()
        thread.join(timeout=5)
        server.close()
