"""The serve command: the graph as a SPARQL endpoint with a query page, entity pages and the ontology."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..cli import (
    DataFile,
    RenamedOption,
    Seconds,
    bundled_option,
    data_file_option,
    given_store_dir,
    infer_option,
    store_option,
)
from ..errors import KgtoolError

if TYPE_CHECKING:
    import pyoxigraph

TOKEN_VARIABLE = "KGTOOL_UPDATE_TOKEN"


@click.command("serve")
@click.argument("files", nargs=-1, type=DataFile())
@data_file_option
@click.option("--host", default="127.0.0.1", help="The address to listen on.")
@click.option("--port", default=8000, type=click.IntRange(1, 65535), help="The port to listen on.")
@bundled_option
@infer_option
@click.option(
    "--query-timeout",
    cls=RenamedOption,
    former=("--timeout",),
    type=Seconds(minimum=0.1),
    default=10.0,
    help="Seconds a query may take (waiting for a worker included); then it is stopped (--timeout, its "
    "former name, is still accepted).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=max(2, os.cpu_count() or 2),
    help="Queries that may run at once; one more worker is kept for short queries.",
)
@click.option("--max-result-mb", type=click.FloatRange(min=0.001), default=16.0, help="The largest answer, in MB.")
@click.option(
    "--worker-memory-mb",
    type=click.IntRange(min=128),
    help="The memory a query worker may use; a query that needs more is stopped (default: 2048; with "
    "--allow-update, where each worker holds a copy, three times the data's size in N-Quads plus 1024).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Let scripts from this origin (https://example.org) read answers (repeatable; default: none).",
)
@click.option(
    "--allow-update",
    is_flag=True,
    help=f"Accept SPARQL updates from clients that send the bearer token given by ${TOKEN_VARIABLE} "
    "or --update-token-file (changes live until the server stops).",
)
@click.option(
    "--update-token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file holding the bearer token for updates.",
)
@click.option(
    "--public-url",
    metavar="URL",
    help="The URL clients reach the server at (behind a proxy: https://example.org/kg/), named in its "
    "service and VoID descriptions; default: the address it listens on.",
)
@store_option
@click.option(
    "--client-timeout",
    type=Seconds(minimum=0.1),
    default=10.0,
    help="Seconds a client has to send a whole request; slower connections are closed.",
)
def serve(
    files: tuple[Path, ...],
    extra: tuple[Path, ...],
    host: str,
    port: int,
    bundled: bool | None,
    infer: bool,
    query_timeout: float,
    workers: int,
    max_result_mb: float,
    worker_memory_mb: int | None,
    cors_origins: tuple[str, ...],
    allow_update: bool,
    update_token_file: Path | None,
    public_url: str | None,
    client_timeout: float,
) -> None:
    """Serve the graph (and any FILES, or --data FILE) over HTTP: the SPARQL 1.1 Protocol at /sparql, a
    query page at /, every resource at /resource/<slug>, the ontology at /ontology and the VoID
    description at /.well-known/void.

    With --store DIR, or files (a store is built from them first, with progress on stderr), the workers
    share one store on disk, opened read-only (every worker opens it, none loads a copy); the bundled
    graph alone, or any data with --allow-update, is copied into each worker's memory.

    Read-only and closed to other hosts by default: no SERVICE, no LOAD, no FROM of documents, a
    deadline for every query in a worker process that is killed when it passes, bounded query text,
    nesting and answer size, no CORS unless --cors-origin is given."""
    from ..server import Settings

    data = (*files, *extra)
    store_dir = given_store_dir()
    if store_dir is not None and (data or bundled is not None or infer or allow_update):
        raise KgtoolError(
            "--store serves the store as it is: load files into it with `kgtool load`, and leave "
            "out --bundled/--no-bundled, --infer and --allow-update"
        )
    if bundled is False and not data:
        raise KgtoolError("--no-bundled needs files to serve (FILE or --data FILE)")
    token = _update_token(update_token_file) if allow_update else None
    for origin in cors_origins:
        if origin == "*" or not origin.startswith(("http://", "https://")):
            raise KgtoolError(
                f"--cors-origin {origin!r}: give an origin such as https://example.org ('*' is not allowed)"
            )
    if public_url is not None and (
        not public_url.startswith(("http://", "https://"))
        or "?" in public_url
        or "#" in public_url
        or any(c.isspace() or c in '<>"' for c in public_url)
    ):
        raise KgtoolError(f"--public-url {public_url!r}: give an http:// or https:// URL without query or fragment")
    _check_port(host, port)
    settings = Settings(
        timeout=query_timeout,
        workers=workers,
        max_result_bytes=int(max_result_mb * 1024 * 1024),
        worker_memory_mb=worker_memory_mb,
        cors_origins=tuple(o.rstrip("/") for o in cors_origins),
        allow_update=allow_update,
        update_token=token,
        public_url=public_url,
        client_timeout=client_timeout,
    )
    run_server(data, settings, host=host, port=port, bundled=bundled is not False, infer=infer, store_dir=store_dir)


def run_server(
    data, settings, *, host: str, port: int, bundled: bool = True, infer: bool = False, store_dir: Path | None = None
) -> None:
    from ..files import temporary_folder

    # SIGTERM too ends in the removal of a store built here (uvicorn hands the signal on once it stops)
    with temporary_folder("kgtool-serve-store-") as scratch:
        if store_dir is None and data and not settings.allow_update:
            # the workers share one store on disk, opened read-only, instead of each loading a copy
            # (the bundled graph alone is small: each worker holds it in memory, where it answers faster)
            store_dir = _store_for(data, bundled, infer, scratch / "store")
        _serve(data, settings, host=host, port=port, bundled=bundled, infer=infer, store_dir=store_dir)


def _store_for(data, bundled: bool, infer: bool, scratch: Path) -> Path:
    """A persistent store of what is served, built in ``scratch`` (with progress on stderr) from the
    files, or from their entailments with ``infer``."""
    from ..persistent import build
    from ..store import bundled_files, data_files, entailed_ntriples

    files = bundled_files() if bundled else []
    sources = [entailed_ntriples(files, data_files(data))] if infer else files + list(data)
    click.echo(f"building a store of {len(sources)} files for the workers to share...", err=True)
    build(sources, scratch)
    return scratch


def _serve(data, settings, *, host: str, port: int, bundled: bool, infer: bool, store_dir: Path | None) -> None:
    import uvicorn

    from ..server import create_app
    from ..server.protocol import with_client_timeout
    from ..store import load_store

    if store_dir is not None:
        from ..persistent import open_store, read_record

        open_store(store_dir)  # refuses a stale store, or one that does not open, before anything starts
        # the count the store records: counting it again would read the whole store, and the memory that
        # takes would stay with the server
        size = read_record(store_dir).triples
        served: Path | pyoxigraph.Store = Path(store_dir).resolve()
    else:  # each worker loads a copy: the bundled graph alone, or data that updates may change
        served = load_store(data, bundled=bundled, infer=infer)
        size = len(served)
    shown = f"[{host}]" if ":" in host else host
    mode = "updates allowed with the bearer token" if settings.allow_update else "read-only"

    def ready(network: str) -> None:  # once the query workers have loaded the data
        click.echo(
            f"serving {size:,} triples at http://{shown}:{port}/ (SPARQL endpoint /sparql, {mode}; "
            f"query workers: network {network}); "
            "Ctrl-C stops",
            err=True,
        )

    app = create_app(served, settings, on_ready=ready)
    del served  # the app writes it for its workers at start-up and keeps no copy
    # the request's own headers decide nothing: no X-Forwarded-* (the public URL is a setting)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        server_header=False,
        proxy_headers=False,
        http=with_client_timeout(settings.client_timeout),
        h11_max_incomplete_event_size=settings.max_body_bytes,
        timeout_graceful_shutdown=5,
    )


def _update_token(path: Path | None) -> str:
    if path is not None:
        token = path.read_text(encoding="utf-8").strip()
        where = str(path)
    else:
        token = os.environ.get(TOKEN_VARIABLE, "").strip()
        where = f"${TOKEN_VARIABLE}"
    if not token:
        raise KgtoolError(
            f"--allow-update needs a bearer token: set {TOKEN_VARIABLE} or give --update-token-file ({where} is empty)"
        )
    if len(token) < 16:
        raise KgtoolError(f"the update token in {where} is shorter than 16 characters; use a long random one")
    return token


def _check_port(host: str, port: int) -> None:
    """Fail with one line, before loading anything, when the address cannot be listened on."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise KgtoolError(f"cannot listen on {host}:{port}: {err.strerror}") from err
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            raise KgtoolError(f"cannot listen on {host}:{port}: {err.strerror}") from err
