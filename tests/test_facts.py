"""The fact table (tests/fact_table.md): facts from the checked fact sheet, each looked up by SPARQL
in the loaded graph together with the source that must back it."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import RDFS, Literal, URIRef

from kgtool.namespaces import KGR, sparql_prologue

TABLE = Path(__file__).parent / "fact_table.md"


@dataclass(frozen=True)
class Fact:
    entity: str
    property: str
    expected: str
    source: str

    def __str__(self) -> str:
        return f"{self.entity} | {self.property} | {self.expected}"


def read_table(path: Path = TABLE) -> list[Fact]:
    facts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("entity", "") or set(cells[0]) <= set("-: "):
            continue
        facts.append(Fact(*cells))
    return facts


FACTS = read_table()


@pytest.fixture(scope="module")
def labels(graph) -> dict[str, set[URIRef]]:
    """Every resource by the text of its rdfs:label (any language): a fact names its entity by label. Built
    once, as one SPARQL filter per fact over every label costs a quarter of a second on rdflib."""
    index: dict[str, set[URIRef]] = defaultdict(set)
    for subject, label in graph.subject_objects(RDFS.label):
        index[str(label)].add(subject)
    return index


def label_to_iri(labels: dict[str, set[URIRef]], label: str) -> URIRef:
    named = labels.get(label, set())
    assert len(named) == 1, f"label {label!r} names {len(named)} resources"
    return next(iter(named))


def expected_term(labels: dict[str, set[URIRef]], text: str):
    """The table's notation: <label> for a resource, "..." for a string, else a number, date or boolean."""
    if text.startswith("<") and text.endswith(">"):
        return label_to_iri(labels, text[1:-1])
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    return Decimal(text.replace(",", ""))


def matches(value, expected) -> bool:
    if isinstance(expected, URIRef):
        return value == expected
    if isinstance(expected, str):
        return str(value) == expected
    python = value.toPython() if isinstance(value, Literal) else value
    if isinstance(expected, bool):
        return python is expected
    if isinstance(expected, Decimal):
        return not isinstance(python, bool) and isinstance(python, (int, float, Decimal)) and Decimal(str(python)) == expected
    return python == expected


def values_for(graph, fact: Fact, entity: URIRef, source: URIRef) -> list:
    """The values the graph gives for the fact's property, each backed by ``source``."""
    kind, _, rest = fact.property.partition(" ")
    bind = {"entity": entity, "source": source}
    if kind == "result":
        path, _, shots = rest.partition(" ")
        benchmark, setting, metric = path.split("/")
        query = """SELECT ?value WHERE {
            ?r a kg:EvaluationResult ; kg:evaluatedModel ?entity ; kg:benchmark ?b ; kg:setting ?st ; kg:metric ?m ;
               kg:value ?value ; kg:source ?source . %s }""" % ("?r kg:shots ?k ." if shots else "")
        bind |= {"b": URIRef(KGR + benchmark), "st": URIRef(KGR + setting), "m": URIRef(KGR + metric)}
        if shots:
            bind["k"] = Literal(int(shots.split("=")[1]))
    elif kind == "run":
        query = "SELECT ?value WHERE { ?r a kg:TrainingRun ; kg:trainedModel ?entity ; ?p ?value ; kg:source ?source . }"
        bind["p"] = graph.namespace_manager.expand_curie(rest)
    elif kind == "mix":
        query = """SELECT ?value WHERE { ?r a kg:DataMixComponent ; kg:mixOf ?entity ; kg:dataset ?d ;
                   kg:sharePercent ?value ; kg:source ?source . }"""
        bind["d"] = URIRef(KGR + rest)
    else:
        query = """SELECT ?value WHERE { ?entity ?p ?value .
            ?st rdf:subject ?entity ; rdf:predicate ?p ; rdf:object ?value ; kg:source ?source . }"""
        bind["p"] = graph.namespace_manager.expand_curie(fact.property)
    return [row.value for row in graph.query(sparql_prologue() + query, initBindings=bind)]


def test_table_is_large_enough():
    assert len(FACTS) >= 100


@pytest.mark.parametrize("fact", FACTS, ids=str)
def test_fact(graph, labels, fact):
    entity = label_to_iri(labels, fact.entity)
    expected = expected_term(labels, fact.expected)
    found = values_for(graph, fact, entity, URIRef(KGR + fact.source))
    assert any(matches(v, expected) for v in found), (
        f"{fact}: the graph gives {[str(v) for v in found] or 'nothing'} backed by {fact.source}")
