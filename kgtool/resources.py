"""Where the bundled ontology/, graph/ and queries/ live: in the installed package first
(the wheel maps them under kgtool/data/), in the source checkout second (editable installs)."""

from __future__ import annotations

from pathlib import Path

from .errors import KgtoolError

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE / "data", _PACKAGE.parent)


def data_root() -> Path:
    """The folder that holds ontology/, graph/ and queries/."""
    for root in _CANDIDATES:
        if (root / "ontology").is_dir() and (root / "graph").is_dir():
            return root
    # a broken install, which the CLI reports in one line like any other error
    raise KgtoolError(
        "kgtool's bundled data was not found: looked for ontology/ and graph/ in "
        + " and ".join(str(c) for c in _CANDIDATES)
        + "; reinstall kgtool"
    )


def ontology_dir() -> Path:
    return data_root() / "ontology"


def graph_dir() -> Path:
    return data_root() / "graph"


def queries_dir() -> Path:
    return data_root() / "queries"


def ontology_files() -> list[Path]:
    """The ontology's Turtle files, shapes excluded (shapes describe the data, they are not part of it)."""
    return sorted(p for p in ontology_dir().glob("*.ttl") if p.name != "shapes.ttl")


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def data_files() -> list[Path]:
    """Every Turtle file and results table (CSV) under graph/, in a stable order."""
    return sorted(p for p in graph_dir().rglob("*") if p.suffix in (".ttl", ".csv"))


def check_queries() -> list[Path]:
    """The violation queries under queries/checks/: each must return no rows."""
    return sorted((queries_dir() / "checks").glob("*-violation.rq"))
