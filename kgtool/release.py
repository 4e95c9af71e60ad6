"""The release folder: the graph in every format, a VoID/DCAT description computed from the data,
SHA-256 checksums, the HTML graph, HTML documentation of the ontology and the version's changelog entry.

Everything in it is deterministic: two builds of the same data are byte-identical. The files are built
in a temporary folder inside the target and moved into place only when all of them are complete, so a
build that fails leaves the previous release as it was.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__, export, resources
from .dataset import DATASET_IRI, DESCRIPTION_PREFIXES
from .errors import KgtoolError
from .files import output_target, stop_if_terminated, temporary_folder, write_file
from .namespaces import KG, used_prefixes

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

STEM = "llmkg"  # the data files are llmkg.ttl, llmkg.nt...
CHECKSUMS = "SHA256SUMS"

# distributions are described by relative IRIs (<llmkg.ttl>), which a reader resolves against the
# location of void.ttl itself; this base only marks them while the description is built
_RELEASE_BASE = "http://release.invalid/"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ReleaseFile:
    name: str
    size: int
    sha256: str


def build(
    out_dir: str | Path = "dist",
    *,
    progress: Progress | None = None,
    validate: bool = True,
    store: str | Path | None = None,
) -> list[ReleaseFile]:
    """Build the release into ``out_dir`` (created when missing) and return its files, checksums included:
    of the bundled graph, or of what the persistent ``store`` (a folder built by `kgtool load`) holds."""
    say = progress or (lambda message: None)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise KgtoolError(f"cannot create {out_dir}: {err.strerror or err}") from err
    for name in release_names():  # a target that cannot be replaced stops the build before its long steps
        output_target(out_dir / name)
    changelog = changelog_entry(__version__)
    graph = None
    if validate:
        say("validating the data")
        from .validation import validate as run_validation
        from .validation import validate_store

        if store is not None:  # the store's triples as validated: converted once
            report, graph = validate_store(store)
        else:
            report = run_validation()
        if not report.conforms:
            raise KgtoolError(f"the data does not conform ({report.summary()}); run `kgtool validate` and fix it first")
    if graph is not None:  # the store's, as validated
        triples = export.sorted_triples(graph)
    else:
        from .persistent import open_store

        say("loading the graph")
        triples = export.select_triples(store=None if store is None else open_store(store))
    with temporary_folder(".build-", out_dir) as staging:
        from .network_formats import write_network
        from .projection import project, source_of
        from .visualize import render_html

        sizes: dict[str, int] = {}
        # one Oxigraph copy of the graph for every step that queries it (the network formats, the HTML
        # graph, the description, the ontology's page), and one projection for both network formats and
        # the HTML graph
        copy = export.store_of(triples)
        source = source_of(copy)
        network = project(source)
        for fmt in export.FORMATS.values():
            name = STEM + fmt.suffix
            say(f"writing {name} ({fmt.description})")
            if fmt.kind == "network":
                data = io.BytesIO()
                write_network(network, data, fmt.name)
                sizes[fmt.name] = _write(staging / name, data.getvalue())
            else:
                sizes[fmt.name] = _write(staging / name, export.to_bytes(graph, fmt.name, triples))
        shutil.copyfile(export.context_path(), staging / "context.jsonld")
        say("writing void.ttl (VoID and DCAT description)")
        _write(staging / "void.ttl", description_turtle(copy, sizes, changelog.date))
        say("writing graph.html (the graph as an interactive network)")
        _write(staging / "graph.html", render_html(source, projected=network).encode("utf-8"))
        say("writing ontology.html (the ontology's documentation)")
        _write(staging / "ontology.html", ontology_html(copy).encode("utf-8"))
        _write(staging / "CHANGELOG.md", changelog.text.encode("utf-8"))
        say(f"writing {CHECKSUMS}")
        files = [ReleaseFile(p.name, p.stat().st_size, _sha256(p)) for p in sorted(staging.iterdir())]
        _write(staging / CHECKSUMS, "".join(f"{f.sha256}  {f.name}\n" for f in files).encode())
        _install(sorted(staging.iterdir()), out_dir)
    checksums = out_dir / CHECKSUMS
    return [*files, ReleaseFile(CHECKSUMS, checksums.stat().st_size, _sha256(checksums))]


def release_names() -> list[str]:
    """The names of the files a build writes into the release folder."""
    pages = ["context.jsonld", "void.ttl", "graph.html", "ontology.html", "CHANGELOG.md", CHECKSUMS]
    return sorted([STEM + fmt.suffix for fmt in export.FORMATS.values()] + pages)


def _install(built: list[Path], out_dir: Path) -> None:
    """Move the built files into the release folder. Every target is checked first, so that one that is
    not a regular file stops the build before anything is replaced; a symlink to a file is followed."""
    stop_if_terminated()
    targets = [output_target(out_dir / path.name) for path in built]
    for path, target in zip(built, targets, strict=True):
        if target == out_dir / path.name:
            os.replace(path, target)
        else:  # the file a symlink points to, maybe on another file system: copied into place atomically
            write_file(out_dir / path.name, path.read_bytes())


def _write(path: Path, data: bytes) -> int:
    try:
        path.write_bytes(data)
    except OSError as err:
        raise KgtoolError(
            f"cannot write {path.name}: {err.strerror or err}; the previous release was left as it was"
        ) from err
    return len(data)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# the changelog


@dataclass(frozen=True)
class ChangelogEntry:
    version: str
    date: str | None
    text: str


def changelog_path() -> Path:
    return resources.data_root() / "CHANGELOG.md"


_HEADING = re.compile(r"^## \[?(?P<version>[^\]\s]+)\]?(?:\s+-\s+(?P<date>\d{4}-\d{2}-\d{2}))?\s*$", re.M)


def changelog_entry(version: str, text: str | None = None) -> ChangelogEntry:
    """The section of CHANGELOG.md for ``version`` (``## 0.1.0 - 2026-11-27`` up to the next ``## ``)."""
    if text is None:
        path = changelog_path()
        if not path.is_file():
            raise KgtoolError(f"{path}: no such file; a release needs the changelog")
        text = path.read_text(encoding="utf-8")
    headings = list(_HEADING.finditer(text))
    for i, heading in enumerate(headings):
        if heading.group("version") == version:
            end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
            return ChangelogEntry(version, heading.group("date"), text[heading.start() : end].strip() + "\n")
    raise KgtoolError(f"CHANGELOG.md has no entry for version {version}; add a `## {version} - YYYY-MM-DD` section")


# ---------------------------------------------------------------------------------------------
# VoID and DCAT, computed from the data


def describe(graph: Graph | pyoxigraph.Store, sizes: dict[str, int] | None = None, issued: str | None = None) -> Graph:
    """The VoID and DCAT description of ``graph`` (an rdflib graph or an Oxigraph store;
    :func:`kgtool.dataset.void_graph`, the one the server also gives), with one distribution per file
    format (``sizes`` gives their byte sizes)."""
    from .dataset import Distribution, store_stats, void_graph

    store = export.store_of(graph)
    files = [
        Distribution(
            _RELEASE_BASE + STEM + fmt.suffix,
            fmt.description,
            fmt.media_type,
            (sizes or {}).get(fmt.name),
            fmt.kind == "rdf",
        )
        for fmt in export.FORMATS.values()
    ]
    return void_graph(store_stats(store), DATASET_IRI, issued=issued, distributions=files)


def description_turtle(
    graph: Graph | pyoxigraph.Store, sizes: dict[str, int] | None = None, issued: str | None = None
) -> bytes:
    """:func:`describe` as Turtle, the distributions as IRIs relative to the description's own location."""
    description = describe(graph, sizes, issued)
    triples = export.sorted_triples(description)
    return export.rdf_bytes(triples, "turtle", used_prefixes(triples, DESCRIPTION_PREFIXES), relative_to=_RELEASE_BASE)


# ---------------------------------------------------------------------------------------------
# the ontology's documentation


def ontology_html(graph: Graph | pyoxigraph.Store) -> str:
    """The ontology's documentation of ``graph`` (an rdflib graph or an Oxigraph store) as one standalone
    page: the server's /ontology page (the same queries, :func:`kgtool.server.pages.ontology_page`, and the
    same template), linking within itself. All text from the data is escaped."""
    from importlib.resources import files

    from markupsafe import Markup

    from .results import select_rows
    from .server import pages

    store = export.store_of(graph)

    def href(iri: str) -> str | None:  # the ontology's terms are on this page; the rest is on the web
        if iri.startswith(KG):
            return "#" + pages.anchor_for(iri)
        return iri if iri.startswith(("http://", "https://")) else None

    page = pages.ontology_page(
        select_rows(store, pages.ONTOLOGY_HEADER), select_rows(store, pages.ONTOLOGY_TERMS), href=href
    )
    environment = pages.templates(keep_trailing_newline=True)  # with the offline pages' common head
    css = (files("kgtool.server") / "static" / "kgtool.css").read_text(encoding="utf-8")  # the server's look
    return environment.get_template("ontology-file.html").render(page=page, version=__version__, css=Markup(css))
