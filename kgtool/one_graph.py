"""The rdflib graph kgtool loads (:func:`kgtool.store.load_graph`): one graph, in a store without
contexts, made for the library loops that question it millions of times (pyshacl's validation, owlrl's
closure). rdflib is imported here, so that only the commands that need an rdflib graph pay for it."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.plugins.stores.memory import SimpleMemory


class OneGraphStore(SimpleMemory):
    """rdflib's store without contexts, for a graph that is the only one in its store.

    - pyshacl asks the data graph for triples ~300,000 times on the bundled data, and this store answers in
      half the time of the default one, which keeps the contexts of each triple. pyshacl wraps the graph in
      a Dataset, which only accepts a store that says it is context- and graph-aware; with one graph there
      is nothing to keep apart, so the store says so, ignores the context it is given and lists none.
    - It keeps its length: pyshacl tests the graph for truth often, and SimpleMemory counts by walking it.
    - It keeps its triples in a set too, for :class:`OneGraph`'s membership test.
    """

    context_aware = True
    graph_aware = True

    def __init__(self) -> None:
        super().__init__()
        self._length: int | None = None
        self.members: set[tuple] = set()

    def add(self, triple, context, quoted=False) -> None:
        self._length = None
        self.members.add(triple)
        super().add(triple, context, quoted)

    def remove(self, triple_pattern, context=None) -> None:
        self._length = None
        for triple, _ in list(self.triples(triple_pattern)):
            self.members.discard(triple)
            super().remove(triple, context)

    def __len__(self, context=None) -> int:
        if self._length is None:
            self._length = super().__len__()
        return self._length

    def contexts(self, triple=None):
        return iter(())

    def add_graph(self, graph) -> None:
        pass

    def remove_graph(self, graph) -> None:
        pass


class OneGraph(Graph):
    """A graph in a :class:`OneGraphStore` that tells whether it holds a triple by a set lookup. owlrl asks
    that ~7.5 million times for the closure of the bundled graph; rdflib answers through three generators,
    which took a fifth of the closure's time."""

    def __init__(self) -> None:
        store = OneGraphStore()
        super().__init__(store=store)
        self._members = store.members

    def __contains__(self, triple) -> bool:
        s, p, o = triple
        if s is None or o is None or not isinstance(p, URIRef):  # a pattern or a path goes the usual way
            return super().__contains__(triple)
        return (s, p, o) in self._members
