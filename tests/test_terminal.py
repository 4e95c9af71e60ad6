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
