"""Files kgtool derives from the data (compiled results tables, expanded Turtle, the OWL-RL closure, the
report of `kgtool validate`, the network of a store), kept in the user's cache and keyed by the content
they come from, so each is built once per distinct input."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .errors import KgtoolError
from .files import write_file


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kgtool"


def cache_path(kind: str, inputs: Iterable[bytes], suffix: str) -> Path:
    """Where the cache keeps what is derived from these inputs. ``kind`` names what is derived and how
    (a version), so that a change to either, or to any input, gives another file."""
    digest = hashlib.sha256(kind.encode())
    for data in inputs:
        digest.update(hashlib.sha256(data).digest())
    return cache_dir() / f"{kind.split()[0]}-{digest.hexdigest()[:32]}{suffix}"


def cached_file(kind: str, inputs: Iterable[bytes], build: Callable[[], bytes], suffix: str = ".nt") -> Path:
    """The file ``build()`` writes for these inputs (see :func:`cache_path`), built only when the cache
    does not hold it yet."""
    target = cache_path(kind, inputs, suffix)
    if target.is_file():
        return target
    data = build()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_file(target, data)  # atomic: a concurrent reader sees the whole file or none
    return target


def cached_json(kind: str, inputs: Iterable[bytes], build: Callable[[], Any]) -> Any:
    """The JSON value ``build()`` gives for these inputs (see :func:`cache_path`), computed only when the
    cache does not hold it yet. It is a shortcut, never a condition: a cache that cannot be read or
    written means the value is computed (again)."""
    target = cache_path(kind, inputs, ".json")
    try:
        return json.loads(target.read_bytes())
    except (OSError, ValueError):
        pass
    value = build()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(target, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    except (OSError, KgtoolError):
        pass  # a read-only or full cache: the next run computes it again
    return value
