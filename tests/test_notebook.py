"""Results in notebooks: Python and pandas values, the HTML a cell shows, and the README's notebook
section run in a real Jupyter kernel."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import kgtool
from kgtool.results import QueryResult, Term, XSD

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def store():
    return kgtool.load_store()


def test_to_dicts_and_records_give_python_values(store):
    result = kgtool.run_query("leaderboard", {"benchmark": "CoQA"}, store=store)
    first = result.to_dicts()[0]
    assert first["value"] == Decimal("90.7") and first["lowerIsBetter"] is False and first["shots"] is None
    assert first["model"] == "https://w3id.org/llmkg/resource/coqa-fine-tuned-sota"
    assert result.to_records()[0] == tuple(first.values())
    dated = kgtool.run_query("timeline", store=store).to_dicts()[0]
    assert dated["date"] == datetime.date(2020, 5, 28)


def test_to_pandas_types_the_columns_and_puts_labels_beside_iris(store):
    pd = pytest.importorskip("pandas")
    frame = kgtool.run_query("model-sizes", store=store).to_pandas()
    assert str(frame["parameterCount"].dtype) == "Int64"
    largest = frame.sort_values("parameterCount", ascending=False)["sizeLabel"].tolist()
    assert largest[0] == "PaLM 540B"                           # numbers sort as numbers, not as text
    assert largest.index("Flamingo-9B") > largest.index("PaLM 62B")
    board = kgtool.run_query("leaderboard", {"benchmark": "CoQA"}, store=store).to_pandas()
    assert str(board["value"].dtype) == "float64" and str(board["lowerIsBetter"].dtype) == "boolean"
    assert "sourceLabel" in board and board["sourceLabel"][0].startswith("GPT-3 paper")
    assert "modelLabel" in board and "modelLabelLabel" not in board     # the query's own label is kept
    timeline = kgtool.run_query("timeline", store=store).to_pandas()
    assert pd.api.types.is_datetime64_any_dtype(timeline["date"])


def test_to_pandas_without_pandas_says_how_to_get_it(tmp_path):
    blocker = tmp_path / "pandas.py"
    blocker.write_text("raise ImportError('no pandas here')\n")
    code = ("import kgtool\nr = kgtool.run_query('papers')\ntry:\n    r.to_pandas()\n"
            "except ImportError as e:\n    print('MSG', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}).stdout
    assert "MSG QueryResult.to_pandas needs pandas: pip install 'kgtool[notebook]'" in out


def test_repr_html_is_label_first_and_escaped():
    hostile = QueryResult("select", ["x", "n"], [{"x": Term("literal", "<script>alert(1)</script>"),
                                                  "n": Term("literal", "1500", XSD + "integer")}])
    html = hostile._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and ">1,500</td>" in html


def test_dir_lists_the_public_api():
    public = {name for name in dir(kgtool) if not name.startswith("_")}
    assert {"run_query", "load_graph", "validate", "compare", "Comparison", "QueryResult", "QueryError"} <= public
    assert not public & {"TYPE_CHECKING", "import_module", "annotations"}  # what loads the API is not of it


def notebook_cells() -> list[str]:
    section = re.search(r"<!-- notebook -->\n```python\n(.*?)```", README, re.S).group(1)
    return [cell.strip() for cell in section.split("\n\n") if cell.strip()]


def test_the_readme_notebook_section_runs_in_a_kernel():
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in notebook_cells()]
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = [cell.outputs for cell in notebook.cells]
    assert not [o for cell in outputs for o in cell if o.output_type == "error"]
    sizes_html = outputs[1][0]["data"]["text/html"]
    assert sizes_html.startswith('<table class="kgtool-result">')
    assert '<td title="https://w3id.org/llmkg/resource/palm-540b">PaLM 540B</td>' in sizes_html  # label, IRI on hover
    ranked = outputs[2][0]["data"]["text/plain"]
    assert ranked.index("PaLM 540B") < ranked.index("Gopher 280B")   # 540,350,000,000 before 280,000,000,000
    compared = outputs[3][0]["data"]["text/html"]
    assert compared.startswith('<table class="kgtool-compare">') and 'href="https://arxiv.org/abs/2302.13971"' in compared
