"""A query worker: a process of its own, holding its own Oxigraph store, loaded once from an N-Quads file.

The server keeps a few of them (see :mod:`kgtool.server.pool`) and gives each one request at a time.
Where the operating system allows it, a worker moves into a network namespace of its own before it
loads anything: whatever a query asks of the engine, the worker cannot open a connection to any host,
this one included (a second wall behind :mod:`kgtool.guard`).
A query that runs past its deadline is stopped by killing its worker, which a fresh one replaces: a
process, unlike a thread, can really be stopped. A worker also has a memory ceiling, dies with the
server, and runs queries on a thread with a deep stack, so that an engine that recurses once per
nesting level has room to spare behind the server's own depth limit.

Protocol, over standard input and output: a request is one line of JSON; the answer is one line of
JSON (the header) followed by exactly ``size`` bytes of body. The first line a worker writes is
``{"ready": true, "network": "isolated"}`` once its store is loaded (``"network"`` says why not, when not).

    python -m kgtool.server.worker DATA.nq|STORE-FOLDER [--memory-mb N] [--parent PID]

Given the folder of a persistent store (``kgtool load``), the worker opens it read-only instead of
loading a copy: every worker shares the same files, so start-up takes no longer with more workers.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import threading
import time
from typing import BinaryIO, cast

from ..files import atomic_output
from ..namespaces import PREFIXES, used_prefixes

STACK_BYTES = 64 * 1024 * 1024
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000  # from <sched.h>


class ResultTooLarge(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kgtool.server.worker")
    parser.add_argument("data", help="the N-Quads file to load, or a store folder to open read-only")
    parser.add_argument("--memory-mb", type=int, default=0, help="address-space ceiling (0: none)")
    parser.add_argument("--parent", type=int, help="the server's process id: the worker dies with it")
    args = parser.parse_args(argv)
    if args.parent:
        _die_with_parent(args.parent)
    network = isolate_network()
    if os.path.isdir(args.data):
        store = open_served(args.data)
        # opening reserves about half a gigabyte of address space (RocksDB's threads and caches), little
        # of it used: the ceiling counts from there
        _limit_memory(args.memory_mb, _address_space())
    else:
        _limit_memory(args.memory_mb)
        store = open_served(args.data)
    answers, requests = sys.stdout.buffer, sys.stdin.buffer
    sys.stdout = sys.stderr  # the protocol owns standard output
    threading.stack_size(STACK_BYTES)
    thread = threading.Thread(target=serve, args=(store, requests, answers, network), name="queries")
    thread.start()
    thread.join()
    return 0


def open_served(data: str | os.PathLike):
    """What the workers serve: a store folder opened read-only (shared), or an N-Quads file loaded in memory."""
    import pyoxigraph as ox

    if os.path.isdir(data):
        return ox.Store.read_only(str(data))
    store = ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    return store


def _limit_memory(memory_mb: int, base: int = 0) -> None:
    """Cap the address space at ``base`` bytes plus ``memory_mb`` (no cap for 0)."""
    if memory_mb:
        import resource

        ceiling = base + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _address_space() -> int:
    """The bytes of address space this process holds now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the server that started it dies, however it dies."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the server died before the request above was made
        sys.exit(0)


def isolate_network() -> str:
    """Leave the host's network for a namespace that has only a loopback interface, and that one down:
    every connection then fails with "network is unreachable". Root may do it directly; other users
    through a user namespace of their own, where the kernel allows those (which needs a process with a
    single thread: call this first). Returns "isolated", or "not isolated (why)"."""
    if not sys.platform.startswith("linux"):
        return "not isolated (network namespaces exist on Linux only)"
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    reason = ""
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return "isolated"
        reason = os.strerror(ctypes.get_errno())
    return f"not isolated (the system refused a network namespace: {reason})"


def serve(store, requests: BinaryIO, answers: BinaryIO, network: str = "not isolated") -> None:
    answers.write(json.dumps({"ready": True, "network": network}).encode("utf-8") + b"\n")
    answers.flush()
    for line in requests:
        started = time.process_time()
        header, body = answer(store, json.loads(line))
        header["size"] = len(body)
        # the processor time this request took here: the pool's "medium" rule reads it, as a busy machine
        # stretches a trivial query's wall time but not its processor time
        header["cpu_seconds"] = time.process_time() - started
        answers.write(json.dumps(header).encode("utf-8") + b"\n")
        answers.write(body)
        answers.flush()


def answer(store, request: dict) -> tuple[dict, bytes]:
    """Run one request; errors become a header with ``error`` (``syntax``, ``not-acceptable``,
    ``too-large`` or ``failed``) and a one-line ``message``."""
    try:
        if request["op"] == "update":
            return run_update(store, request)
        return run_query(store, request)
    except SyntaxError as err:
        return {"error": "syntax", "message": syntax_message(str(err), request.get("text", ""))}, b""
    except ResultTooLarge:
        limit = request.get("max_bytes", 0)
        return {
            "error": "too-large",
            "message": f"the answer is larger than {limit:,} bytes, the limit of this "
            "endpoint; narrow the query (LIMIT, fewer variables)",
        }, b""
    except MemoryError:
        return {"error": "too-large", "message": "the query needed more memory than a worker may use"}, b""
    except (OSError, RuntimeError, ValueError, TypeError) as err:
        message = " ".join(str(err).split()) or type(err).__name__
        return {"error": "failed", "message": f"the query failed: {message[:300]}"}, b""


def syntax_message(error: str, query: str) -> str:
    """Oxigraph's message with line and column, and the likely cause when it is an undeclared prefix
    (which Oxigraph reports as an unexpected character)."""
    from ..guard import undeclared_prefixes
    from ..queries import NamedQuery
    from ..sparql import syntax_error

    message = str(syntax_error(NamedQuery("request", ""), SyntaxError(error)))
    message = message[message.index("syntax error") :]
    missing = undeclared_prefixes(query)
    if missing:
        names = ", ".join(f"{p}:" for p in missing)
        message += f" (the prefix {names} is not declared: declare it with PREFIX)"
    return message


def run_query(store, request: dict) -> tuple[dict, bytes]:
    import pyoxigraph as ox

    answer = store.query(
        request["text"],
        prefixes=PREFIXES,
        default_graph=_graphs(request.get("default_graphs")),
        named_graphs=_graphs(request.get("named_graphs")),
    )
    limit = request["max_bytes"]
    if limit is None:  # the server's own queries for its pages: bounded by the data, not by a client's cap
        limit = math.inf
    if isinstance(answer, (ox.QueryBoolean, ox.QuerySolutions)):
        kind = "boolean" if isinstance(answer, ox.QueryBoolean) else "solutions"
        fmt = request.get("solutions_format")
        if fmt is None:
            return {"error": "not-acceptable", "kind": kind}, b""
        out = _Capped(limit)
        answer.serialize(out.file(), getattr(ox.QueryResultsFormat, fmt))
        if fmt == "XML":  # Oxigraph writes every character as it is, those XML cannot hold too
            from ..results import check_xml_text

            check_xml_text([("answer", out.getvalue().decode("utf-8"))], "JSON, CSV or TSV")
        return {"kind": kind, "format": fmt}, out.getvalue()
    fmt = request.get("graph_format")
    if fmt is None:
        return {"error": "not-acceptable", "kind": "graph"}, b""
    rdf_format = getattr(ox.RdfFormat, fmt)
    if fmt in ("TURTLE", "RDF_XML"):  # written with the project's prefixes, which needs every triple first
        triples, size = [], 0
        for triple in answer:
            size += len(str(triple))
            if size > limit:
                raise ResultTooLarge
            triples.append(triple)
        from ..results import rdf_bytes

        body = rdf_bytes(triples, rdf_format, used_prefixes(triples, PREFIXES))
        if len(body) > limit:
            raise ResultTooLarge
        return {"kind": "graph", "format": fmt}, body
    out = _Capped(limit)
    answer.serialize(out.file(), rdf_format)
    return {"kind": "graph", "format": fmt}, out.getvalue()


def run_update(store, request: dict) -> tuple[dict, bytes]:
    """Apply the update, then write the whole store to ``dump`` (atomically), from which the server
    starts the workers that serve the new data."""
    import pyoxigraph as ox

    store.update(request["text"], prefixes=PREFIXES)
    with atomic_output(request["dump"]) as out:
        store.dump(out, ox.RdfFormat.N_QUADS)
    return {
        "kind": "update",
        "graphs": sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)),
    }, b""


def _graphs(iris: list[str] | None):
    if not iris:
        return None
    import pyoxigraph as ox

    return [ox.NamedNode(iri) for iri in iris]


class _Capped:
    """A write-only buffer that refuses to grow past ``limit`` bytes, which stops the serialiser."""

    def __init__(self, limit: int):
        self.limit, self.size = limit, 0
        self.parts: list[bytes] = []

    def file(self) -> BinaryIO:
        """Itself, typed as the binary file Oxigraph writes to (it calls write only)."""
        return cast(BinaryIO, self)

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


if __name__ == "__main__":
    sys.exit(main())
