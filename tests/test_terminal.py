"""Text from the data never reaches the terminal as control codes: the table output, the markdown output,
`central`, `stats`, `path`, `communities` and error messages strip them; the data formats (CSV) keep the
text as it is."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kgtool.cli import main

# an OSC that retitles the window, a CSI that clears the screen, the same in 8-bit form, DEL, NUL and BEL
HOSTILE = "Evil\x1b]0;pwned title\x07 model\x1b[2J\x9b31m\x9d0;t\x9c\x7f\x00\x07!"
HOSTILE_TURTLE = HOSTILE.encode("unicode_escape").decode("ascii").replace("\\x", "\\u00")
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def hostile_data(tmp_path):
    path = tmp_path / "hostile.ttl"
    path.write_text(
        "@prefix kg: <https://w3id.org/llmkg/ontology#> .\n"
        "@prefix kgr: <https://w3id.org/llmkg/resource/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://example.org/evil> a <https://example.org/EvilModel> ; rdfs:label "{HOSTILE_TURTLE}" ;\n'
        "  kg:developedBy kgr:meta-ai .\n"
        f'<https://example.org/EvilModel> rdfs:subClassOf kg:LanguageModel ; rdfs:label "Class{HOSTILE_TURTLE}" .\n',
        encoding="utf-8")
    return path


def run(*args):
    # the whole table, as a pipe gets it, whatever $COLUMNS the tests inherit: a label cut to fit a terminal
    # could not be checked (pytest imports readline, which sets COLUMNS for the processes it starts)
    return CliRunner(env={"COLUMNS": ""}).invoke(main, [str(a) for a in args])


def test_the_helper_strips_every_control_code():
    from kgtool.results import terminal_text

    assert terminal_text(HOSTILE) == "Evil model!"
    assert terminal_text("tab\tand\nnewline stay, é and 模型 too") == "tab\tand\nnewline stay, é and 模型 too"


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_query_output_for_people_has_no_control_codes(hostile_data, fmt):
    result = run("query", "-e", "SELECT ?label WHERE { <https://example.org/evil> rdfs:label ?label }",
                 "--data", hostile_data, "-f", fmt)
    assert result.exit_code == 0, result.output
    assert "Evil model!" in result.stdout and not CONTROLS.search(result.stdout)


def test_construct_for_the_terminal_escapes_control_codes(hostile_data):
    result = run("query", "-e", "CONSTRUCT WHERE { <https://example.org/evil> rdfs:label ?label }", "--data", hostile_data)
    assert result.exit_code == 0, result.output
    # the table of a CONSTRUCT is its triples, label-first, with the control codes dropped
    assert not CONTROLS.search(result.stdout) and "pwned title" not in result.stdout.split("rdfs:label")[0]


def test_csv_keeps_the_text_raw(hostile_data):
    result = run("query", "-e", "SELECT ?label WHERE { <https://example.org/evil> rdfs:label ?label }",
                 "--data", hostile_data, "-f", "csv")
    # (click itself drops 7-bit CSI sequences when standard output is not a terminal)
    assert result.exit_code == 0 and HOSTILE.replace("\x1b[2J", "") in result.stdout


@pytest.mark.parametrize("command", [["central", "-n", "1000"], ["stats"], ["communities", "--members", "1000"],
                                     ["path", "https://example.org/evil", "Meta AI"]])
def test_network_commands_strip_control_codes(hostile_data, command):
    result = run(*command, "--data", hostile_data)
    assert result.exit_code == 0, result.output
    assert ("ClassEvil model!" if command[0] == "stats" else "Evil model!") in result.stdout
    assert not CONTROLS.search(result.stdout) and not CONTROLS.search(result.stderr)


def test_messages_strip_control_codes(hostile_data, tmp_path):
    lonely = tmp_path / "lonely.ttl"
    lonely.write_text('<https://example.org/lonely> a <https://w3id.org/llmkg/ontology#LanguageModel> ;\n'
                      f'  <http://www.w3.org/2000/01/rdf-schema#label> "Lonely{HOSTILE_TURTLE}" .\n')
    result = run("path", "https://example.org/evil", "https://example.org/lonely", "--data", hostile_data,
                 "--data", lonely)
    assert result.exit_code == 1, result.output
    assert result.stderr == "no path between Evil model! and LonelyEvil model!\n"


INVISIBLE = "\u061c\u200e\u202e\u2066\ufeff\u180e\u2060\u00ad\U000e0041\U000e007f"


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_invisible_format_characters_are_dropped_from_tables(tmp_path, fmt):
    """Bidirectional marks and overrides reorder what a terminal prints after them, and the others show
    nothing (tag characters can carry a hidden text): none reaches a table."""
    data = tmp_path / "invisible.ttl"
    escaped = "".join(f"\\U{ord(c):08X}" for c in INVISIBLE)
    data.write_text(f'<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "a{escaped}b" .\n')
    result = run("query", "-e", "SELECT ?l WHERE { <https://example.org/x> rdfs:label ?l }", "--data", data, "-f", fmt)
    assert result.exit_code == 0, result.output
    assert "ab" in result.stdout and not set(INVISIBLE) & set(result.stdout)


def test_a_table_of_wide_characters_is_measured_in_columns(tmp_path):
    """A CJK character takes two columns of a terminal: the table is padded and cut by columns, not
    characters, so that it stays aligned and within the width."""
    import unicodedata

    data = tmp_path / "wide.ttl"
    rows = {"https://example.org/a": "大規模言語モデルの評価と比較に関する研究報告書の要約と付録",
            "https://example.org/b": "short", "https://example.org/c": "混合 mixed テキスト"}
    data.write_text("".join(f'<{s}> <http://www.w3.org/2000/01/rdf-schema#comment> "{t}" .\n' for s, t in rows.items()),
                    encoding="utf-8")

    def columns(text):
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    result = CliRunner(env={"COLUMNS": "60"}).invoke(main, [
        "query", "-e", "SELECT ?c ?s WHERE { ?s rdfs:comment ?c FILTER(STRSTARTS(STR(?s), 'https://example.org/')) } "
        "ORDER BY ?s", "--data", str(data)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "<https://example.org/" in line]
    assert len(lines) == 3 and all(columns(line) <= 60 for line in lines), result.stdout
    assert len({columns(line[: line.index("<https")]) for line in lines}) == 1, result.stdout  # aligned
    assert "…" in lines[0] and "short" in lines[1]


def test_validate_prints_each_violation_on_one_line(tmp_path):
    data = tmp_path / "lines.ttl"
    data.write_text('@prefix kg: <https://w3id.org/llmkg/ontology#> .\n'
                    '<https://w3id.org/llmkg/resource/m> a kg:LanguageModel ;\n'
                    '  <http://www.w3.org/2000/01/rdf-schema#label> "line1\\nline2\\ttab"@en ; kg:parameterCount "x" .\n')
    result = run("validate", "--fresh", data)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("does not conform")
    assert all(line.startswith("violation: line1 line2 tab (kgr:m)") for line in lines[:-1]), lines
