"""QueryResult as a Python object: pandas columns that never lose a value, truth, iteration, str and
repr, and the type hints it ships."""

from __future__ import annotations

import datetime
import importlib.resources

import pytest

import kgtool
from kgtool.errors import QueryError
from kgtool.results import XSD, QueryResult, Term, render


@pytest.fixture(scope="module")
def store():
    return kgtool.load_store()


def literals(datatype: str, *lexicals: str) -> QueryResult:
    """A one-column SELECT result ``x`` of literals (None leaves a row unbound)."""
    rows = [{} if text is None else {"x": Term("literal", text, datatype)} for text in lexicals]
    return QueryResult("select", ["x"], rows)


def column_of(result: QueryResult, name: str = "x") -> list:
    return result.to_pandas()[name].tolist()


def dicts_column(result: QueryResult, name: str = "x") -> list:
    return [row[name] for row in result.to_dicts()]


# --- to_pandas: whole numbers beyond Int64 ---------------------------------------------------


def test_whole_numbers_beyond_int64_stay_exact_python_ints(store):
    result = kgtool.run_query("SELECT ?n WHERE { VALUES ?n { 99999999999999999999 7 UNDEF } }", store=store)
    column = result.to_pandas()["n"]
    assert column.dtype == object and column.tolist() == [99999999999999999999, 7, None]
    compute = kgtool.run_query("scaling", store=store).to_pandas()["trainingCompute"]
    assert 308000000000000000000000 in compute.tolist()


def test_whole_numbers_that_fit_stay_int64():
    result = literals(XSD + "integer", str(2**63 - 1), str(-(2**63)), None)
    assert str(result.to_pandas()["x"].dtype) == "Int64"


# --- to_pandas: a column is typed only when every value converts -----------------------------


def test_times_at_two_offsets_keep_their_offsets():
    result = literals(XSD + "dateTime", "2020-05-28T10:00:00+02:00", "2020-05-28T10:00:00-05:00", None)
    column = result.to_pandas()["x"]
    assert column.dtype == object and column.tolist() == dicts_column(result)
    assert column[0].utcoffset() == datetime.timedelta(hours=2) and column[1].hour == 10


def test_one_offset_is_kept():
    column = literals(XSD + "dateTime", "2020-05-28T10:00:00+02:00", "2021-01-01T00:00:00+02:00").to_pandas()["x"]
    assert str(column.dt.tz) == "UTC+02:00" and column[0].hour == 10


@pytest.mark.parametrize(
    "terms",
    [
        # a naive time beside a UTC one: no instant for the first
        [Term("literal", "2020-05-28T10:00:00", XSD + "dateTime"), Term("literal", "2020-05-28T10:00:00Z", XSD + "dateTime")],
        # a day beside a time
        [Term("literal", "2020-05-28", XSD + "date"), Term("literal", "2020-05-28T10:00:00", XSD + "dateTime")],
        # a year datetime64 cannot hold beside one it can (neither pandas nor Python reads the first)
        [Term("literal", "-0044-03-15", XSD + "date"), Term("literal", "2020-05-28", XSD + "date")],
        # an ill-typed number beside numbers
        [Term("literal", "abc", XSD + "integer"), Term("literal", "12", XSD + "integer")],
        [Term("literal", "abc", XSD + "decimal"), Term("literal", "1.5", XSD + "decimal")],
        # an ill-typed boolean beside a boolean
        [Term("literal", "maybe", XSD + "boolean"), Term("literal", "true", XSD + "boolean")],
        # a number beside text
        [Term("literal", "12", XSD + "integer"), Term("literal", "twelve")],
    ],
)
def test_a_column_that_does_not_convert_whole_keeps_the_python_values(terms):
    result = QueryResult("select", ["x"], [{"x": t} for t in terms])
    column = result.to_pandas()["x"]
    assert column.dtype == object
    assert column.tolist() == dicts_column(result)
    assert column.notna().all()  # no NaT or NaN for a value that is there


def test_ill_typed_boolean_stays_as_written():
    assert literals(XSD + "boolean", "maybe", "0", "true").to_dicts() == [{"x": "maybe"}, {"x": False}, {"x": True}]


# --- truth, and the rows of a result that has none -------------------------------------------


def test_an_ask_result_is_as_true_as_its_answer(store):
    assert bool(kgtool.run_query("ASK { ?s ?p ?o }", store=store)) is True
    assert bool(kgtool.run_query("ASK { <urn:nothing> ?p ?o }", store=store)) is False


def test_a_select_result_is_true_when_it_has_rows(store):
    assert kgtool.run_query("papers", store=store)
    assert not kgtool.run_query("SELECT ?s WHERE { <urn:nothing> ?p ?s }", store=store)


@pytest.mark.parametrize("method", ["to_dicts", "to_records", "values", "__iter__"])
def test_rows_of_an_ask_or_graph_result_are_refused_with_what_to_read(store, method):
    ask = kgtool.run_query("ASK { ?s ?p ?o }", store=store)
    with pytest.raises(QueryError, match=r"an ASK result has no rows: read its \.boolean"):
        getattr(ask, method)()
    graph = kgtool.run_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", store=store)
    with pytest.raises(QueryError, match=r"has triples, not rows: read its \.triples or to_pandas\(\)"):
        getattr(graph, method)()


# --- iteration, str and repr -----------------------------------------------------------------


def test_a_result_iterates_over_its_own_rows(store):
    result = kgtool.run_query("model-sizes", store=store)
    rows = list(result)
    assert len(rows) == len(result.rows) > 0
    assert all(mine is theirs for mine, theirs in zip(rows, result.rows, strict=True))
    assert [row["sizeLabel"].value for row in result][:1] == [result.rows[0]["sizeLabel"].value]


def test_str_is_the_table_the_command_prints_and_repr_is_short(store):
    result = kgtool.run_query("model-sizes", store=store)
    count = len(result.rows)
    assert count > 50
    assert str(result) == render(result, "table").rstrip("\n")
    assert str(result).endswith(f"({count} rows)") and "PaLM 540B" in str(result)
    assert repr(result) == (
        "<QueryResult select (model, modelLabel, size, sizeLabel, sizeName, parameterCount, countQualifier, "
        f"trainableParameterCount, source, locator): {count} rows>"
    )
    assert repr(kgtool.run_query("model-sizes", store=store, limit=1)).endswith(": 1 row, more exist>")
    assert repr(kgtool.run_query("ASK { ?s ?p ?o }", store=store)) == "<QueryResult ask: True>"
    assert str(kgtool.run_query("ASK { ?s ?p ?o }", store=store)) == "true"
    graph = kgtool.run_query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3", store=store)
    assert repr(graph) == "<QueryResult graph: 3 triples>"


# --- type hints ------------------------------------------------------------------------------


def test_the_package_says_it_is_typed():
    assert importlib.resources.files("kgtool").joinpath("py.typed").is_file()
