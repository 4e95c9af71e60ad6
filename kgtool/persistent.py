"""A persistent Oxigraph store on disk: built once by `kgtool load`, opened read-only by every command.

The store folder holds Oxigraph's files and ``kgtool-store.json``, the record of what it holds: each
source file with its size and SHA-256, the ontology version, the triple count and the kgtool version.
Opening checks the record: a source file that changed since (or went away) makes the store stale, and
stale stores are refused with the command that rebuilds them, never used silently.

A load builds into a fresh folder beside the target and swaps it in by renaming, so an interrupted load
leaves the previous store as it was; readers open the store read-only, any number at once.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from . import __version__
from .errors import KgtoolError

# hashlib and shutil are imported where they are used: opening a store, which every command on one does,
# needs neither (a cold `kgtool query` pays for every module it loads)

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

RECORD = "kgtool-store.json"
STORE_VARIABLE = "KGTOOL_STORE"


@dataclass(frozen=True)
class StoreRecord:
    files: list[dict]  # {"path", "size", "sha256"}
    triples: int
    ontology_version: str | None
    kgtool_version: str
    seconds: float

    def as_json(self) -> str:
        return json.dumps(self.__dict__, indent=1, ensure_ascii=False)


def sha256_of(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Counting:
    """A file reader that reports how many bytes were read (for the progress bar)."""

    def __init__(self, handle: io.BufferedReader, advance):
        self.handle, self.advance = handle, advance

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.advance(len(data))
        return data

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        self.advance(count or 0)
        return count


def progress_bar(total: int, description: str, quiet: bool = False, unit: str = "B"):
    """A tqdm bar on stderr, silent when ``quiet`` or when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        unit_scale=True,
        unit_divisor=1024 if unit == "B" else 1000,
        file=sys.stderr,
        disable=quiet or not sys.stderr.isatty(),
        leave=False,
    )


def build(files: list[Path], location: Path, *, base: str | None = None, quiet: bool = False) -> StoreRecord:
    """Bulk-load ``files`` into a new store at ``location`` (replacing any store there), optimise it and
    record what it holds. Relative IRIs in the files resolve against ``base``; without it they are refused."""
    import shutil

    import pyoxigraph as ox

    from .store import _OXIGRAPH_FORMATS, compiled_file, data_error

    location = Path(location)
    for path in files:
        if Path(path).is_dir():
            raise KgtoolError(f"{path} is a folder, not a file: give the data files in it one by one")
        if not Path(path).is_file():
            raise KgtoolError(f"{path}: no such file")
    # the folder is checked and made before the work: a place that cannot hold a store is refused at once
    building, made = _building_folder(location)
    started = time.monotonic()
    store = None
    try:
        # what the engine reads: results tables and annotated Turtle compiled to N-Triples first, as for
        # every other command (kgtool.store.compiled_file)
        sources = [(Path(path), compiled_file(path, base)) for path in files]
        try:
            store = ox.Store(str(building))
        except OSError as err:
            raise KgtoolError(f"cannot make the store {location}: {err}; nothing was written") from err
        total = sum((compiled or path).stat().st_size for path, compiled in sources)
        entries = []
        with progress_bar(total, "load", quiet) as bar:
            for path, compiled in sources:
                read = compiled or path
                fmt = (
                    ox.RdfFormat.N_TRIPLES
                    if compiled
                    else getattr(ox.RdfFormat, _OXIGRAPH_FORMATS.get(path.suffix.lower(), "TURTLE"))
                )
                with open(read, "rb") as handle:
                    try:
                        # a file-like object that counts what Oxigraph reads (it needs only read and readinto);
                        # a relative IRI resolves against the base given, never against the file's own path
                        counting = cast(BinaryIO, _Counting(handle, bar.update))
                        store.bulk_load(counting, fmt, base_iri=base)
                    except SyntaxError as err:
                        raise data_error(path, err) from err
                status = path.stat()
                entries.append(
                    {
                        "path": str(path.resolve()),
                        "size": status.st_size,
                        "mtime_ns": status.st_mtime_ns,
                        "sha256": sha256_of(path),
                    }
                )
        if not quiet and sys.stderr.isatty():
            print("optimising the store...", file=sys.stderr)
        store.optimize()
        triples = len(store)
        record = StoreRecord(
            entries, triples, _ontology_version(store), __version__, round(time.monotonic() - started, 3)
        )
        store.flush()
        store = None  # closes its files before the folder moves
        (building / RECORD).write_text(record.as_json(), encoding="utf-8")
        _swap(building, location)
        return record
    except BaseException:
        store = None
        shutil.rmtree(building, ignore_errors=True)  # the previous store stays as it was
        _remove_folders(made)
        raise


def _building_folder(location: Path) -> tuple[Path, list[Path]]:
    """Make the empty folder beside ``location`` that a store is built in (``location`` itself is
    replaced only once the store is complete), and the missing folders above it. Returns it and the
    folders made above it, to remove if the load fails. A place that cannot hold a store (a path under
    a file, a name too long, no permission) is a :class:`KgtoolError` naming the folder and the reason,
    and leaves nothing made."""
    building = location.with_name(f".{location.name}.building-{os.getpid()}")
    made: list[Path] = []
    try:
        if location.exists():
            if not location.is_dir():
                raise KgtoolError(f"cannot make the store {location}: it is a file, not a folder")
            if not (location / RECORD).is_file() and any(location.iterdir()):
                raise KgtoolError(f"{location} exists and is not a kgtool store; give an empty or new folder")
        missing = [folder for folder in (location.parent, *location.parent.parents) if not folder.exists()]
        for folder in reversed(missing):
            if folder.is_symlink():  # a dangling link: mkdir would fail on it, and it is not ours to remove
                raise KgtoolError(f"cannot make the store {location}: {folder} is a link to nothing")
            try:
                folder.mkdir()
            except FileExistsError:
                if folder.is_dir():
                    continue  # made meanwhile by another process: not ours to remove
                raise
            made.insert(0, folder)
        import shutil

        shutil.rmtree(building, ignore_errors=True)  # left by an earlier load of the same process id
        building.mkdir()
    except OSError as err:
        _remove_folders(made)
        raise KgtoolError(f"cannot make the store {location}: {_reason(err, location)}; nothing was written") from err
    except BaseException:
        _remove_folders(made)
        raise
    return building, made


def _reason(err: OSError, location: Path) -> str:
    """Why a folder could not be made, in words: which part of the path is a file, or the system's reason."""
    for folder in (location, *location.parents):
        try:
            if folder.exists() and not folder.is_dir():
                return f"{folder} is a file, not a folder"
        except OSError:
            continue  # a name too long: said by the system's reason
    return err.strerror or str(err)


def _remove_folders(folders: list[Path]) -> None:
    """Remove the (empty) folders a failed load made, innermost first."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            break  # no longer empty: someone else uses it


def _swap(new: Path, location: Path) -> None:
    """Put ``new`` at ``location``: two renames, so the folder is always a whole store (the old one until
    the second rename). A reader that opened the old store keeps its open files."""
    import shutil

    old = location.with_name(f".{location.name}.old-{os.getpid()}")
    if location.exists():
        os.rename(location, old)
    os.rename(new, location)
    shutil.rmtree(old, ignore_errors=True)


def _ontology_version(store) -> str | None:
    found = list(
        store.query(
            "PREFIX owl: <http://www.w3.org/2002/07/owl#> "
            "SELECT ?v WHERE { ?o a owl:Ontology ; owl:versionInfo ?v } LIMIT 1"
        )
    )
    return found[0]["v"].value if found else None


def read_record(location: Path) -> StoreRecord:
    path = Path(location) / RECORD
    if not path.is_file():
        raise KgtoolError(
            f"{location} is not a kgtool store (no {RECORD}); build one with: kgtool load FILE... --store {location}"
        )
    try:
        return StoreRecord(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as err:
        raise KgtoolError(f"{path} is damaged ({err}); rebuild the store with kgtool load") from err


def check_fresh(location: Path, record: StoreRecord) -> None:
    """Refuse a store whose source files changed since it was built: same size and time stamp pass at
    once, anything else is checked by checksum (a copy or a touch is not a change)."""
    for entry in record.files:
        path = Path(entry["path"])
        if not path.is_file():
            raise KgtoolError(
                f"the store {location} is stale: {path} was loaded into it and is gone; rebuild it with kgtool load"
            )
        status = path.stat()
        if status.st_size == entry["size"] and status.st_mtime_ns == entry.get("mtime_ns"):
            continue
        if status.st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            raise KgtoolError(
                f"the store {location} is stale: {path} changed since it was loaded; rebuild it with kgtool load"
            )


def bundled_location() -> Path:
    """Where the user's cache keeps the bundled graph's store, keyed on the content of its files (and
    the engine's version)."""
    import hashlib
    from importlib.metadata import version

    from .cache import cache_dir
    from .store import bundled_files, rdf_files

    # keyed on what the engine reads (the compiled form of results tables and annotated Turtle)
    digest = hashlib.sha256(f"kgtool-store 1 pyoxigraph {version('pyoxigraph')}".encode())
    for path in rdf_files(bundled_files()):
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return cache_dir() / f"store-{digest.hexdigest()[:32]}"


def bundled_store() -> pyoxigraph.Store:
    """The bundled graph in a persistent store in the user's cache (:func:`bundled_location`): built
    once, then opened read-only."""
    import shutil

    import pyoxigraph as ox

    from .store import bundled_files

    location = bundled_location()
    if not (location / RECORD).is_file():
        # built aside and renamed into place: of two processes building at once, the second keeps the
        # first's store (a directory is not renamed onto a full one), which a reader may have open
        mine = location.with_name(f"{location.name}-{os.getpid()}")
        build(bundled_files(), mine, quiet=True)
        try:
            os.rename(mine, location)
        except OSError:
            shutil.rmtree(mine, ignore_errors=True)
    try:
        return ox.Store.read_only(str(location))
    except OSError as err:
        raise KgtoolError(f"cannot open the cached store {location}: {err}; remove the folder to rebuild it") from err


def store_identity(location: Path) -> bytes | None:
    """What tells one build of the store at ``location`` from any other, for the caches of what is
    derived from it: its record, and the record file's place and time (a rebuild swaps in a new
    folder). None when there is no store there."""
    path = Path(location) / RECORD
    try:
        status = path.stat()
        return path.read_bytes() + f"\n{status.st_dev} {status.st_ino} {status.st_mtime_ns}".encode()
    except OSError:
        return None


def graph_of(store) -> Graph:
    """The whole store as an rdflib graph with the project's prefixes (for SHACL, serialisation, networks)."""
    import pyoxigraph as ox

    from .one_graph import OneGraph
    from .store import add_oxigraph_triples, bind_prefixes

    # the store's own terms: dumping N-Triples for rdflib's parser costs ~5x more
    return add_oxigraph_triples(bind_prefixes(OneGraph()), store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def open_store(location: str | Path) -> pyoxigraph.Store:
    """The store at ``location``, read-only, after checking that it is not stale."""
    import pyoxigraph as ox

    location = Path(location)
    record = read_record(location)
    check_fresh(location, record)
    try:
        return ox.Store.read_only(str(location))
    except OSError as err:
        raise KgtoolError(f"cannot open the store {location}: {err}") from err
