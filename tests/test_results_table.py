"""The results table (tests/results_table.tsv): cells of the seven papers' result tables, read from the papers
independently of graph/results/, each looked up by SPARQL in the loaded graph with its model, benchmark,
split (with the subset of it, if any), metric, setting, shots, value and source paper, and a locator that names
the table."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from kgtool.namespaces import KG, KGR

TABLE = Path(__file__).parent / "results_table.tsv"
SEVEN = {"gpt-3": "arxiv-2005.14165", "lamda": "arxiv-2201.08239", "palm": "arxiv-2204.02311",
         "flamingo": "arxiv-2204.14198", "blip-2": "arxiv-2301.12597", "llama": "arxiv-2302.13971",
         "gpt-4": "arxiv-2303.08774"}


def read_cells() -> list[dict[str, str]]:
    lines = [line for line in TABLE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


CELLS = read_cells()
CELL_QUERY = f"""
PREFIX kg: <{KG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?model ?benchmark ?metric ?setting ?paper ?value ?locator ?split ?subset ?shots WHERE {{
  ?result a kg:EvaluationResult ; kg:evaluatedModel ?model ; kg:benchmark ?benchmark ; kg:metric ?metric ;
      kg:setting/skos:notation ?setting ; kg:value ?value ; kg:source ?paper ; kg:locator ?locator .
  OPTIONAL {{ ?result kg:split ?split }}
  OPTIONAL {{ ?result kg:subset ?subset }}
  OPTIONAL {{ ?result kg:shots ?shots }}
}}"""


@pytest.fixture(scope="module")
def store():
    import kgtool

    return kgtool.load_store()


def names_table(locator: str, table: str) -> bool:
    """'Table 3' is named by "Table 3, row ..." but not by "Table 3.1"; a cell from the text ('§3.5 text') is
    named by a locator that gives that section and says it is the text."""
    if not table.startswith(("Table", "Figure", "§")):  # a page's table without a number, named as the page heads it
        return locator.startswith(table + ",")
    if not table.startswith(("Table", "Figure")):
        section = re.match(r"§[\d.]*\d", table)
        return bool(section) and re.search(re.escape(section.group()) + r"(?![.\d]*\d)", locator) is not None \
            and ("text" not in table or "text" in locator)
    kind, number = table.split(maxsplit=1)  # a table, or a figure that prints its numbers (GPT-4's Figure 5)
    return re.search(rf"\b{kind}s?\s+(?:[\w.]+(?:,| and)\s+)*{re.escape(number)}(?![.\d]*\d)", locator) is not None


def test_the_table_covers_all_seven_papers_and_enough_cells():
    papers = {cell["paper"] for cell in CELLS}
    assert papers >= set(SEVEN.values())  # and pages that report results beside them (GPT-4's research page)
    assert len(CELLS) >= 400
    assert all(len({c["table"] for c in CELLS if c["paper"] == p}) >= 2 for p in SEVEN.values())


def test_names_table_tells_tables_apart():
    assert names_table('§6.1, Table 4, row "BoolQ"', "Table 4")
    assert names_table('Table H.1, row "PIQA"', "Table H.1")
    assert not names_table('Table 3.1, row "PTB"', "Table 3")
    assert not names_table('Table 14, row "x"', "Table 1")
    assert names_table("§3.5 text (zero-shot PIQA accuracy)", "§3.5 text")
    assert not names_table('Table 3.6, row "GPT-3 Zero-Shot"', "§3.5 text")
    assert not names_table("§3.5.1, text", "§3.5 text")
    assert names_table('Visual inputs table, row "TVQA", column "GPT-4"', "Visual inputs table")
    assert not names_table('Visual inputs table, row "TVQA"', "Visual inputs")
    assert names_table('§4, Figure 5, bar "Welsh"', "Figure 5")
    assert not names_table('§4, Table 5, row "x"', "Figure 5")
    assert not names_table('§4, Figure 5, bar "Welsh"', "Table 5")


@pytest.mark.parametrize("cell", CELLS, ids=lambda c: "{paper} {table} {model} {benchmark} {metric} {setting} {value}".format(**c))
def test_cell(store, cell):
    import pyoxigraph as ox

    bindings = {ox.Variable("model"): ox.NamedNode(KGR + cell["model"]),
                ox.Variable("benchmark"): ox.NamedNode(KGR + cell["benchmark"]),
                ox.Variable("metric"): ox.NamedNode(KGR + cell["metric"]),
                ox.Variable("setting"): ox.Literal(cell["setting"]),
                ox.Variable("paper"): ox.NamedNode(KGR + cell["paper"])}
    found = []
    for row in store.query(CELL_QUERY, substitutions=bindings):
        # the table's split names the part as the paper heads it ("test-dirty"): the graph's split and subset
        part = "-".join(term.value for term in (row["split"], row["subset"]) if term is not None)
        if cell["split"] and part != cell["split"]:
            continue
        if cell["shots"] and (row["shots"] is None or int(row["shots"].value) != int(cell["shots"])):
            continue
        found.append((Decimal(row["value"].value), row["locator"].value))
    assert found, f"no result of {cell['model']} on {cell['benchmark']} ({cell['metric']}, {cell['setting']}) from {cell['paper']}"
    matching = [loc for value, loc in found if value == Decimal(cell["value"])]
    assert matching, f"values in the graph: {sorted(v for v, _ in found)}, expected {cell['value']}"
    assert any(names_table(loc, cell["table"]) for loc in matching), \
        f"{cell['value']} is in the graph, but no locator names {cell['table']}: {matching}"


FAMILY_QUERY = f"""
PREFIX kg: <{KG}>
PREFIX kgr: <{KGR}>
SELECT ?benchmark (COUNT(DISTINCT ?family) AS ?families) WHERE {{
  VALUES ?family {{ kgr:gpt-3 kgr:lamda kgr:palm kgr:flamingo kgr:blip-2 kgr:llama kgr:gpt-4 }}
  ?model kg:variantOf? ?family .
  ?result a kg:EvaluationResult ; kg:evaluatedModel ?model ; kg:benchmark ?benchmark .
}} GROUP BY ?benchmark"""


def test_the_results_layer_covers_the_seven_papers(store):
    from kgtool import resources

    tables = {p.stem for p in resources.data_files() if p.suffix == ".csv"}
    assert tables >= set(SEVEN)
    query = f"PREFIX kg: <{KG}> SELECT ?paper (COUNT(?r) AS ?n) WHERE {{ ?r a kg:EvaluationResult ; kg:source ?paper }} GROUP BY ?paper"
    counts = {row["paper"].value.removeprefix(KGR): int(row["n"].value) for row in store.query(query)}
    assert all(counts.get(paper, 0) >= 40 for paper in SEVEN.values()), counts


def test_benchmarks_shared_by_three_or_more_of_the_seven_families(store):
    shared = {row["benchmark"].value.removeprefix(KGR) for row in store.query(FAMILY_QUERY)
              if int(row["families"].value) >= 3}
    assert {"mmlu", "hellaswag", "gsm8k", "humaneval", "triviaqa"} <= shared
    assert len(shared) >= 18  # 20 when the tables were transcribed
