"""The seven models of the source article as the data lists them (the collection in
graph/shared/collections.ttl), so that no test writes the list out again."""

from __future__ import annotations

import functools

from kgtool.namespaces import KGR, sparql_prologue
from kgtool.store import load_store

_MEMBERS = sparql_prologue("rdfs", "skos", "kgr") + """
SELECT ?model ?label WHERE { kgr:collection\\/seven-models skos:member ?model . ?model rdfs:label ?label }
"""


@functools.cache
def seven_models() -> dict[str, str]:
    """Slug (``gpt-3``) -> label (``GPT-3``) of each of the seven, sorted by slug."""
    rows = load_store(read_only=True).query(_MEMBERS)
    return dict(sorted((row["model"].value[len(KGR):], row["label"].value) for row in rows))


SEVEN = list(seven_models())
