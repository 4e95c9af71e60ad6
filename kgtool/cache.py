"""Files kgtool derives from the data (compiled results tables, expanded Turtle, the OWL-RL closure), kept
in the user's cache and keyed by the content they come from, so each is built once per distinct input."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from .files import write_file


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kgtool"


def cached_file(kind: str, inputs: Iterable[bytes], build: Callable[[], bytes], suffix: str = ".nt") -> Path:
    """The file ``build()`` writes for these inputs, built only when the cache does not hold it yet.
    ``kind`` names what is built and how (a version), so that a change to either builds afresh."""
    digest = hashlib.sha256(kind.encode())
    for data in inputs:
        digest.update(hashlib.sha256(data).digest())
    target = cache_dir() / f"{kind.split()[0]}-{digest.hexdigest()[:32]}{suffix}"
    if target.is_file():
        return target
    data = build()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_file(target, data)  # atomic: a concurrent reader sees the whole file or none
    return target
