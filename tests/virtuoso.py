"""A real Virtuoso server for the tests (Debian's `virtuoso-opensource`), started once by the worker that
runs the tests needing it (tests/conftest.py puts them on one worker).

It gets a fresh database in a temporary folder, its own virtuoso.ini, and free loopback ports for SQL and
HTTP. Without Virtuoso installed the tests that need it skip, unless KGTOOL_REQUIRE_VIRTUOSO=1 (CI sets
it), where they fail. A new database's administrator is `dba` with the password `dba`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.serving import free_port, stop

USER, PASSWORD = "dba", "dba"


@dataclass(frozen=True)
class Virtuoso:
    base: str        # http://127.0.0.1:PORT
    version: str

    @property
    def sparql(self) -> str:         # anonymous, read-only
        return f"{self.base}/sparql"

    @property
    def sparql_auth(self) -> str:    # Digest authentication, updates allowed for dba
        return f"{self.base}/sparql-auth"

    @property
    def graph_store(self) -> str:    # the SPARQL 1.1 Graph Store Protocol, Digest authentication
        return f"{self.base}/sparql-graph-crud-auth"


# Now and then Virtuoso spends 45 to 60 s on a push's final MOVE of the whole graph, where it usually takes 2 s
# (3 of 36 pushes of the bundled graph in a row, on an idle machine): more than push's default 30 s per request
PUSH_TIMEOUT = ("--request-timeout", "120")


def _config(folder: Path, sql_port: int, http_port: int) -> str:
    return f"""[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = {folder}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}/www
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def _missing() -> str | None:
    if shutil.which("virtuoso-t") is None:
        return "Virtuoso is not installed (apt-get install virtuoso-opensource)"
    return None


def _version() -> str:
    done = subprocess.run(["virtuoso-t", "--help"], capture_output=True, text=True)
    for line in (done.stdout + done.stderr).splitlines():
        if line.startswith("Version "):
            return line.split()[1]
    return "unknown"


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    missing = _missing()
    if missing:
        if os.environ.get("KGTOOL_REQUIRE_VIRTUOSO") == "1":
            pytest.fail(f"Virtuoso tests are required (KGTOOL_REQUIRE_VIRTUOSO=1) but {missing}")
        pytest.skip(missing)
    folder = tmp_path_factory.mktemp("virtuoso")
    (folder / "www").mkdir()  # the HTTP server's document root: nothing is served from it
    http_port = free_port()
    (folder / "virtuoso.ini").write_text(_config(folder, free_port(), http_port), encoding="utf-8")
    log = open(folder / "stdout.log", "wb")
    server = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", "virtuoso.ini"], cwd=folder,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{http_port}"
        deadline = time.monotonic() + 120  # a new database is created first: 10-30 s
        while True:
            try:
                urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=5).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    text = (folder / "stdout.log").read_text(errors="replace")[-2000:]
                    pytest.fail(f"Virtuoso did not start: {text}")
                time.sleep(0.5)
        yield Virtuoso(base, _version())
    finally:
        stop(server, 30)
        log.close()
