"""The network as graph tools read it: GraphML (Gephi, yEd, Cytoscape, networkx) and GEXF (Gephi)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .errors import KgtoolError

if TYPE_CHECKING:
    import networkx as nx

NETWORK_FORMATS = ("graphml", "gexf")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def exportable(network: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are strings and booleans only (what GraphML and GEXF can hold): label,
    class, class_label, details and record on nodes; property, label and details on edges."""
    import networkx as nx

    def clean(text) -> str:
        return _XML_INVALID.sub("", str(text))

    out = nx.MultiDiGraph()
    for node, data in network.nodes(data=True):
        out.add_node(
            clean(node),
            label=clean(data.get("label", node)),
            iri=clean(node),
            **{"class": clean(data.get("cls", ""))},
            class_label=clean(data.get("class_label", "")),
            details=clean(data.get("details", "")),
            record=bool(data.get("record", False)),
        )
    for a, b, key, data in network.edges(keys=True, data=True):
        out.add_edge(
            clean(a),
            clean(b),
            key=clean(key),
            property=clean(data.get("property", key)),
            label=clean(data.get("label", key)),
            details=clean(data.get("details", "")),
        )
    return out


def write_network(graph, out: str | Path | IO[bytes], fmt: str) -> None:
    """Write the network as GraphML or GEXF (``fmt``) to a path or a binary file object. ``graph`` is a
    projection (:func:`kgtool.projection.project`) or a graph to project first. A path is written
    atomically (:func:`kgtool.files.write_file`): a failure leaves no half-written file."""
    import io

    import networkx as nx

    if fmt not in NETWORK_FORMATS:
        raise KgtoolError(f"unknown network format {fmt!r}; choose one of {', '.join(NETWORK_FORMATS)}")
    if not isinstance(graph, nx.Graph):
        from .projection import project

        graph = project(graph)
    writer = nx.write_graphml if fmt == "graphml" else nx.write_gexf
    data = exportable(graph)
    if hasattr(out, "write"):
        writer(data, out)
        return
    from .files import output_target, write_file

    output_target(out)  # refused before the work, not after it
    buffer = io.BytesIO()
    writer(data, buffer)
    write_file(out, buffer.getvalue())
