"""A real `kgtool serve` process on a free loopback port, for the tests that need real HTTP clients,
and a loopback listener that records every connection made to it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import free_port, stop, wait_for_http

ROOT = Path(__file__).resolve().parent.parent


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
    stop = threading.Event()

    def accept():
        while not stop.is_set():
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
        stop.set()
        thread.join(timeout=5)
        server.close()
