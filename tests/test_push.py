"""Push into a real Oxigraph server started here, query it back, kill it in the middle of a push and show that
the target graph did not change; pull CONSTRUCT results out of an endpoint within a deadline and a size cap."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from decimal import Decimal
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kgtool
from kgtool import export
from kgtool.cli import main
from kgtool.dataset import GRAPH_IRI
from kgtool.push import Credentials, _Client
from tests.serving import free_port, http_server, stop, wait_for_http

TARGET = GRAPH_IRI


class OxigraphServer:
    """`oxigraph serve` on a free loopback port, in memory or on a folder (where it can be killed and started
    again on the same data)."""

    def __init__(self, location: Path | None = None):
        self.location, self.port, self.process = location, free_port(), None
        base = f"http://127.0.0.1:{self.port}"
        self.query_url, self.update_url, self.store_url = f"{base}/query", f"{base}/update", f"{base}/store"

    def start(self) -> None:
        binary = shutil.which("oxigraph")
        if binary is None:
            pytest.fail("the `oxigraph` command is missing: pip install oxigraph")
        # the union default graph lets the named queries, which use no GRAPH clause, see the pushed graph
        on_disk = ["--location", str(self.location)] if self.location else []
        self.process = subprocess.Popen([binary, "serve", *on_disk, "--bind", f"127.0.0.1:{self.port}",
                                         "--union-default-graph"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_http(f"{self.query_url}?query=ASK%7B%7D", seconds=60)

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            stop(self.process)

    def graphs(self) -> dict[str, int]:
        result = kgtool.run_query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                                  endpoint=self.query_url)
        return {row["g"].value: int(row["n"].value) for row in result.rows}

    def triples(self, graph: str) -> set[str]:
        """What the store holds in ``graph``, read straight through its Graph Store Protocol."""
        url = f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}"
        request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return {str(t) for t in ox.parse(answer.read(), format=ox.RdfFormat.N_TRIPLES)}

    def update(self, operation: str) -> None:
        body = urllib.parse.urlencode({"update": operation}).encode()
        urllib.request.urlopen(urllib.request.Request(self.update_url, data=body), timeout=30).read()


@pytest.fixture
def server():
    # in memory: the same SPARQL service, where a MOVE of the whole graph takes a tenth of a second, not four
    store = OxigraphServer()
    store.start()
    yield store
    store.stop()


@pytest.fixture
def durable_server(tmp_path):
    store = OxigraphServer(tmp_path / "store")
    store.start()
    yield store
    store.stop()


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def as_stored(triples) -> set[str]:
    """Triples as an Oxigraph store holds them (it writes numbers in canonical form: 85.0 -> 85)."""
    store = ox.Store()
    store.extend([ox.Quad(t.subject, t.predicate, t.object) for t in triples])
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in store}


def pull_target(server: OxigraphServer, folder: Path, name: str) -> set[str]:
    query = folder / "target.rq"
    query.write_text(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{TARGET}> {{ ?s ?p ?o }} }}\n")
    out = folder / name
    result = run("pull", "--endpoint", server.query_url, "--query", str(query), "-o", str(out))
    assert result.exit_code == 0, result.output
    return {str(t) for t in ox.parse(path=str(out), format=ox.RdfFormat.N_TRIPLES)}


def rows(result_json: str) -> list[tuple]:
    """SPARQL JSON rows as comparable values (numbers by value, since a store may rewrite 85.0 as 85)."""
    document = json.loads(result_json)
    out = []
    for binding in document["results"]["bindings"]:
        row = []
        for variable in document["head"]["vars"]:
            term = binding.get(variable)
            numeric = term and term.get("datatype", "").endswith(("#decimal", "#integer", "#double"))
            row.append(Decimal(term["value"]).normalize() if numeric else term and term["value"])
        out.append(tuple(row))
    return sorted(out, key=repr)


def test_push_then_query_back(server, graph, tmp_path):
    result = run("push", "--to", server.query_url)
    assert result.exit_code == 0, result.output
    assert f"pushed {len(graph):,} triples to <{TARGET}>" in result.stdout
    assert f"0 triples before, {len(graph):,} after" in result.stdout
    assert f"verified <{TARGET}>: {len(graph):,} triples" in result.stderr
    assert server.graphs() == {TARGET: len(graph)}  # no staging graph left behind

    remote = run("query", "leaderboard", "-p", "benchmark=CoQA", "-f", "json", "--endpoint", server.query_url)
    local = run("query", "leaderboard", "-p", "benchmark=CoQA", "-f", "json")
    assert remote.exit_code == 0 and local.exit_code == 0
    assert rows(remote.stdout) == rows(local.stdout)
    # every CoQA result on the whole dev set: 16 printed by the GPT-3 paper (1 in Table C.1, beside its clean and
    # dirty examples), 16 by PaLM
    assert len(rows(local.stdout)) == 32

    assert pull_target(server, tmp_path, "back.nt") == as_stored(export.sorted_triples(graph))


def test_push_through_the_graph_store_protocol_replaces_or_adds(server, graph, tmp_path):
    data = export.select_triples(ontology=False)
    replaced = run("push", "--to", server.query_url, "--graph-store", server.store_url, "--no-ontology",
                   "--batch-size", "3000")
    assert replaced.exit_code == 0, replaced.output
    batches = -(-len(data) // 3000)  # whole batches of at most 3,000 triples
    assert f"in {batches} batches through the Graph Store Protocol" in replaced.stderr
    assert server.graphs() == {TARGET: len(data)}

    added = run("push", "--to", server.query_url, "--graph-store", server.store_url, "--add")
    assert added.exit_code == 0, added.output
    assert f"{len(data):,} triples before, {len(graph):,} after" in added.stdout
    # adding the same triples changes nothing (--endpoint, the former name of --to, still names the store)
    again = run("push", "--endpoint", server.query_url, "--add")
    assert f"{len(graph):,} triples before, {len(graph):,} after" in again.stdout
    assert server.graphs() == {TARGET: len(graph)}

    other = "https://example.org/graph/llama"
    only_llama = run("push", "--to", server.query_url, "--graph", other, "--query", "model-neighbourhood",
                     "-p", "model=LLaMA")
    assert only_llama.exit_code == 0, only_llama.output
    expected = export.select_triples(query="model-neighbourhood", params={"model": "LLaMA"})
    assert server.graphs() == {TARGET: len(graph), other: len(expected)}


def test_killing_the_server_mid_push_leaves_the_target_unchanged(durable_server, tmp_path):
    server = durable_server  # started again on its folder after the kill
    first = run("push", "--to", server.query_url, "--no-ontology")
    assert first.exit_code == 0, first.output
    before = server.triples(TARGET)
    assert len(before) > 9000

    # the new version differs from what the store holds (the ontology is in, and one more fact),
    # and goes in batches of 500 so that the kill lands in the middle of the push
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://w3id.org/llmkg/resource/llama> <http://www.w3.org/2000/01/rdf-schema#comment> '
                     '"one more fact"@en .\n')
    push = subprocess.Popen([sys.executable, "-m", "kgtool", "push", "--to", server.query_url,
                             "--batch-size", "500", "--data", str(extra)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in push.stderr:
        seen.append(line)
        if "(batch 3 of " in line:  # 1,500 triples are in the staging graph, the fourth batch is on its way
            server.kill()
            break
    stdout, rest = push.communicate(timeout=120)
    seen.append(rest)
    output = "".join(seen)
    print(f"\n$ kgtool push --to {server.query_url} --batch-size 500 --data extra.ttl   # killed by PID\n"
          f"{output}(exit code {push.returncode})")

    assert push.returncode == 2 and stdout == ""
    staging = re.search(r"staged in <(urn:kgtool:staging:[0-9a-f]+)>", output).group(1)
    error = output.strip().splitlines()[-1]
    assert error.startswith("error: push failed: loading batch 4 of ")
    assert f"The target graph <{TARGET}> was not changed." in error
    assert f"remove it with: DROP SILENT GRAPH <{staging}>" in error

    server.start()  # the same folder: what the store made durable before the kill
    after = server.triples(TARGET)
    assert after == before
    graphs = server.graphs()
    assert graphs[TARGET] == len(before)
    pushed = len(export.select_triples([extra]))
    assert 1500 <= graphs.get(staging, 0) < pushed  # part of the data, as the error said

    server.update(f"DROP SILENT GRAPH <{staging}>")  # what the error told the user to do
    assert staging not in server.graphs()
    retry = run("push", "--to", server.query_url, "--data", str(extra))
    assert retry.exit_code == 0, retry.output
    assert server.graphs() == {TARGET: pushed}


def test_an_unreachable_store_changes_nothing():
    url = f"http://127.0.0.1:{free_port()}/query"
    result = run("push", "--to", url)
    assert result.exit_code == 2
    assert f"cannot read the target graph <{TARGET}>, nothing was changed: {url}: cannot connect" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    debug = run("--debug", "push", "--to", url)
    assert debug.exit_code == 2 and debug.stderr.endswith(result.stderr)
    # beneath the one line: the store's error, and urllib's beneath that
    assert "kgtool.web.Unreachable" in debug.stderr and "urllib.error.URLError" in debug.stderr


def test_the_store_is_asked_before_the_graph_is_read(tmp_path):
    # a --data file that does not parse would stop the push while the graph is read: the store's error
    # comes out instead, so the store was asked first
    broken = tmp_path / "broken.ttl"
    broken.write_text("<https://example.org/s> <https://example.org/p> .\n")
    url = f"http://127.0.0.1:{free_port()}/query"
    result = run("push", "--to", url, "--data", str(broken))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot read the target graph <{TARGET}>, nothing was changed: {url}: "
                                    "cannot connect")
    assert result.stderr.count("\n") == 1, result.stderr
    # the file does stop a command that reads the graph
    exported = run("export", "--data", str(broken), "-o", str(tmp_path / "out.nt"))
    assert exported.exit_code == 2 and exported.stderr.startswith(f"error: {broken}:1:")


SLOW_MOVE = 3.0  # seconds the store below spends on a MOVE


class _SlowMove(BaseHTTPRequestHandler):
    """A store whose final MOVE outlasts the request's deadline (as Virtuoso's now and then does), all else quick:
    counts the triples INSERT DATA puts in each graph, and answers COUNT queries from them."""

    graphs: ClassVar[dict[str, int]] = {}

    def do_POST(self):  # noqa: N802
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if "update" in form:
            text = form["update"][0]
            if text.startswith("MOVE"):
                time.sleep(SLOW_MOVE)
            else:
                graph = re.search(r"GRAPH <([^>]+)>", text).group(1)
                triples = sum(1 for line in text.splitlines() if line.endswith(" ."))
                self.graphs[graph] = self.graphs.get(graph, 0) + triples
            body, content_type = b"", "text/plain"
        else:
            graph = re.search(r"GRAPH <([^>]+)>", form["query"][0]).group(1)
            n = {"type": "literal", "value": str(self.graphs.get(graph, 0))}
            body = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [{"n": n}]}}).encode()
            content_type = "application/sparql-results+json"
        try:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up on the MOVE
            pass

    def log_message(self, *args):
        pass


def test_a_final_move_past_the_deadline_names_the_option_that_sets_it():
    with http_server(_SlowMove) as url:
        result = run("push", "--to", f"{url}/query", "--update-endpoint", f"{url}/update", "--request-timeout", "1",
                     "--quiet")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
    # which of the deadline, the socket's timeout or the shut socket ends the MOVE depends on the machine's load;
    # the error names the store either way
    assert "the final MOVE into" in result.stderr and f"can tell: {url}/update" in result.stderr
    assert result.stderr.rstrip().endswith("A store that is only slow gets longer with --request-timeout (now 1 s)")


def test_push_needs_an_endpoint_and_a_graph_iri(server):
    result = run("push")
    assert result.exit_code == 2 and "push needs --to URL" in result.output
    result = run("push", "--to", server.query_url, "--graph", "g> } ; DROP ALL ; INSERT DATA { GRAPH <g")
    assert result.exit_code == 2 and "the target graph must be an absolute IRI" in result.stderr
    assert server.graphs() == {}


# --- credentials: faults and protocols an Oxigraph server does not have -------------------------

class _Guarded(BaseHTTPRequestHandler):
    """Records the Authorization header of each request. /basic refuses everything with 401;
    /digest asks for HTTP Digest and accepts a correct answer for user `dba`, password `secret`."""

    seen: list[str | None] = []
    realm, nonce = "SPARQL", "4f1c2a"

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        header = self.headers.get("Authorization")
        self.seen.append(header)
        if self.path.startswith("/digest") and header and header.startswith("Digest ") and self._digest_ok(header):
            self._send(200, b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"0"}}]}}')
        elif self.path.startswith("/digest"):
            self._send(401, b"", f'Digest realm="{self.realm}", nonce="{self.nonce}", qop="auth", algorithm="MD5"')
        else:
            self._send(401, b"Unauthorized", 'Basic realm="store"')

    def _digest_ok(self, header: str) -> bool:
        fields = dict(re.findall(r'(\w+)="?([^",]+)"?', header[len("Digest "):]))

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()

        ha1, ha2 = md5(f"dba:{self.realm}:secret"), md5(f"POST:{fields['uri']}")
        expected = md5(f"{ha1}:{self.nonce}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        return fields.get("username") == "dba" and fields.get("response") == expected

    def _send(self, code: int, body: bytes, challenge: str | None = None):
        self.send_response(code)
        if challenge:
            self.send_header("WWW-Authenticate", challenge)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def guarded():
    _Guarded.seen = []
    with http_server(_Guarded) as url:
        yield url


@pytest.mark.parametrize("options,header", [
    (["--user", "dba", "--password", "s3cret"], "Basic " + base64.b64encode(b"dba:s3cret").decode()),
    (["--token", "abc.def"], "Bearer abc.def"),
])
def test_credentials_are_sent_and_a_refusal_is_explained(guarded, options, header):
    result = run("push", "--to", guarded + "/basic/query", *options)
    assert result.exit_code == 2
    assert _Guarded.seen[0] == header
    assert "HTTP 401 Unauthorized; check --user/--password or --token" in result.stderr
    assert "nothing was changed" in result.stderr


def test_digest_authentication_is_answered(guarded):
    client = _Client(Credentials("dba", "secret"), 10, [guarded])
    body = client.request("POST", guarded + "/digest/sparql", b"query=ASK%7B%7D", "application/x-www-form-urlencoded")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"
    assert _Guarded.seen[0].startswith("Basic ") and _Guarded.seen[-1].startswith("Digest username=\"dba\"")


# --- pull -------------------------------------------------------------------------------------

def test_pull_writes_a_construct_result(oxigraph_endpoint, tmp_path):
    out = tmp_path / "llama.ttl"
    result = run("pull", "--endpoint", oxigraph_endpoint, "--query", "model-neighbourhood", "-p", "model=LLaMA",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    local = kgtool.run_query("model-neighbourhood", {"model": "LLaMA"})
    pulled = list(ox.parse(path=str(out), format=ox.RdfFormat.TURTLE))
    expected = [ox.Triple(*(kgtool.results.to_oxigraph(t) for t in triple)) for triple in local.triples]
    assert as_stored(pulled) == as_stored(expected) and len(pulled) > 50
    assert f"wrote {len(pulled):,} triples from {oxigraph_endpoint} to {out}" in result.stderr


def test_export_from_an_endpoint_is_a_pull(oxigraph_endpoint, tmp_path):
    pulled, exported = tmp_path / "pulled.nt", tmp_path / "exported.nt"
    query = ["--query", "model-neighbourhood", "-p", "model=PaLM"]
    assert run("pull", "--endpoint", oxigraph_endpoint, *query, "-o", str(pulled)).exit_code == 0
    assert run("export", "--endpoint", oxigraph_endpoint, *query, "-o", str(exported)).exit_code == 0
    assert pulled.read_bytes() == exported.read_bytes() and len(pulled.read_bytes()) > 1000


def test_pull_refuses_a_select_query(oxigraph_endpoint, tmp_path):
    result = run("pull", "--endpoint", oxigraph_endpoint, "--query", "models-by-organization", "-o", str(tmp_path / "x.ttl"))
    assert result.exit_code == 2 and "needs a CONSTRUCT or DESCRIBE query" in result.stderr
    assert not (tmp_path / "x.ttl").exists()


class _Flood(BaseHTTPRequestHandler):
    """/huge answers with 3 MB of Turtle; /slow sends a triple every 0.2 s for 4 s."""

    def handle(self):
        try:
            super().handle()
        except ConnectionError:  # the client left at its size cap or deadline, as it should
            pass

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.end_headers()
        line = b'<http://example.org/s> <http://example.org/p> "%d" .\n'
        if self.path.startswith("/huge"):
            for i in range(60000):
                self.wfile.write(line % i)
        else:
            for i in range(20):
                self.wfile.write(line % i)
                self.wfile.flush()
                time.sleep(0.2)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def flood():
    with http_server(_Flood) as url:
        yield url


@pytest.mark.parametrize("path,options,message", [
    ("/huge", ["--max-size", "1"], "the answer is larger than 1 MB"),
    ("/slow", ["--timeout", "1"], "no complete answer within 1 s"),
])
def test_pull_stops_at_the_size_cap_and_the_deadline(flood, tmp_path, path, options, message):
    out = tmp_path / "pulled.ttl"
    out.write_text("# the previous pull\n")
    result = run("pull", "--endpoint", flood + path, "--query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                 "-o", str(out), *options)
    assert result.exit_code == 2
    assert message in result.stderr
    assert out.read_text() == "# the previous pull\n"

