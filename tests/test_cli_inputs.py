"""Bad input on the command line is refused with one clear error and exit code 2, never a traceback: a time
limit that is no time limit, a --base that is no absolute IRI, a query file that is not UTF-8, a store folder
that cannot be made, a folder given as a data file. And `-o -` writes a chart to standard output."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from kgtool.cli import main

UNREACHABLE = "http://127.0.0.1:9/sparql"  # the discard port: nothing answers, and nothing is asked before the check
RELATIVE = '<rel> <http://example.org/p> "x" .\n'  # a relative IRI, which needs --base


def run(args: list[str], **kwargs) -> Result:
    return CliRunner().invoke(main, args, prog_name="kgtool", **kwargs)


def no_traceback(result: Result) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr and "Exception in thread" not in result.stderr, result.stderr


def refused(result: Result) -> str:
    """The one line on stderr of a refusal by kgtool (a KgtoolError): ``error: ...``."""
    no_traceback(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def refused_as_usage(result: Result) -> str:
    """The one error line of a usage error (``Error: ...``): click prints only its usage and help hint
    before it, and nothing else is printed."""
    no_traceback(result)
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    others = [line for line in lines if line not in errors]
    assert all(not line or line.startswith(("Usage: ", "Try ")) for line in others), result.stderr
    return errors[0]


# ---------------------------------------------------------------------------------------------
# time limits


@pytest.mark.parametrize("value", ["-1", "0", "inf", "nan"])
@pytest.mark.parametrize(
    "args",
    [
        ["query", "--endpoint", UNREACHABLE, "models"],
        ["models", "--endpoint", UNREACHABLE],
        ["stats", "--endpoint", UNREACHABLE],
        ["pull", "--endpoint", UNREACHABLE, "--query", "models", "-o", "pulled.ttl"],
    ],
    ids=["query", "models", "stats", "pull"],
)
def test_a_timeout_must_be_a_positive_finite_number_of_seconds(args, value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = refused_as_usage(run([*args, "--timeout", value]))
    assert "'--timeout'" in line and f"{value} is not a positive, finite number of seconds" in line
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("value", ["nan", "inf"])
@pytest.mark.parametrize("args, option", [
    (["pull", "--endpoint", UNREACHABLE, "--query", "models", "-o", "pulled.ttl"], "--max-size"),
    (["communities"], "--resolution"),
], ids=["pull", "communities"])
def test_a_number_must_be_finite(args, option, value, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = refused_as_usage(run([*args, option, value]))
    assert f"'{option}'" in line and f"{value} is not a finite number" in line
    assert not any(tmp_path.iterdir())


# ---------------------------------------------------------------------------------------------
# --base


@pytest.mark.parametrize("base", ["not an iri", "relative/"])
@pytest.mark.parametrize("command", [["query", "models"], ["export", "-o", "out.nt"]], ids=["query", "export"])
def test_base_must_be_an_absolute_iri(command, base, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rel.ttl").write_text(RELATIVE, encoding="utf-8")
    result = run([*command, "--base", base, "--data", "rel.ttl"])
    line = refused_as_usage(result)
    assert "'--base'" in line and f"{base!r} is not an absolute IRI" in line
    assert str(tmp_path) not in result.stdout  # the working folder did not stand in for the base
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rel.ttl"]


# ---------------------------------------------------------------------------------------------
# query files


def test_a_query_file_that_is_not_utf8_is_named_with_the_byte(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bin.rq").write_bytes(b"SELECT \xff\xfe")
    assert refused(run(["query", "bin.rq"])) == (
        "error: bin.rq: not UTF-8 text (byte 8 is not): save the query file as UTF-8"
    )


@pytest.mark.parametrize("given", ["file", "stdin"])
def test_a_query_may_start_with_a_byte_order_mark(given, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = "\ufeffSELECT (1 AS ?one) WHERE {}".encode()
    (tmp_path / "bom.rq").write_bytes(text)
    if given == "file":
        result = run(["query", "bom.rq", "-f", "csv"])
    else:
        result = run(["query", "-", "-f", "csv"], input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == ["one", "1"]


# ---------------------------------------------------------------------------------------------
# chart -o -


@pytest.mark.parametrize(
    "fmt,start", [("svg", b"<svg"), ("png", b"\x89PNG\r\n"), ("html", b"<!DOCTYPE html>"), (None, b"<!DOCTYPE html>")]
)
def test_chart_writes_to_standard_output_with_a_dash(fmt, start, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(["chart", "timeline", "-o", "-", *(["-f", fmt] if fmt else [])])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(start)
    assert not (tmp_path / "-").exists() and not any(tmp_path.iterdir())
    assert "wrote" not in result.stderr


# ---------------------------------------------------------------------------------------------
# load --store


@pytest.mark.parametrize(
    "store,reason",
    [
        ("afile/st", "afile is a file, not a folder"),
        ("s" * 300, "File name too long"),
        ("new/deeper/" + "s" * 250, "File name too long"),  # the folders above it are made, then removed
    ],
    ids=["under-a-file", "name-too-long", "name-too-long-in-new-folders"],
)
def test_a_store_that_cannot_be_made_is_refused_and_leaves_nothing(store, reason, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("", encoding="utf-8")
    (tmp_path / "data.ttl").write_text("<http://example.org/s> <http://example.org/p> 1 .\n", encoding="utf-8")
    before = sorted(tmp_path.iterdir())
    line = refused(run(["load", "--no-bundled", "-q", "data.ttl", "--store", store]))
    assert line == f"error: cannot make the store {store}: {reason}; nothing was written"
    assert sorted(tmp_path.iterdir()) == before


# ---------------------------------------------------------------------------------------------
# a folder given as a data file


@pytest.mark.parametrize(
    "args",
    [["query", "--data", "adir", "models"], ["validate", "adir"], ["load", "--store", "st", "adir"]],
    ids=["query", "validate", "load"],
)
def test_a_folder_is_no_data_file(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir").mkdir()
    line = refused_as_usage(run(args))
    assert "adir is a folder, not a file" in line
    assert [p.name for p in tmp_path.iterdir()] == ["adir"]
