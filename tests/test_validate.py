"""kgtool validate: the bundled data conforms, and each kind of problem is reported in plain words."""

from __future__ import annotations

import subprocess
import sys

from pathlib import Path

import pytest
from click.testing import CliRunner

from kgtool.cli import main

PREFIXES = """\
@prefix kg:   <https://w3id.org/llmkg/ontology#> .
@prefix kgr:  <https://w3id.org/llmkg/resource/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@base <https://w3id.org/llmkg/resource/> .
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + body, encoding="utf-8")
    return path


def test_bundled_data_conforms(report):
    assert report.parse_errors == []
    assert [str(v) for v in report.violations] == []
    assert report.triples > 5000 and report.shapes >= 30 and report.checks >= 6


def test_cli_summary_on_bundled_data():
    result = run("validate")
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("conforms: ") and "triples" in last and "shapes" in last and "0 violations" in last


def test_syntax_error_names_file_line_and_column(tmp_path):
    bad = write(tmp_path, "typo.ttl", 'kgr:x rdfs:label "x"@en\nkgr:y rdfs:label "y"@en .\n')
    result = run("validate", str(bad))
    assert result.exit_code == 2
    line_no = PREFIXES.count("\n") + 2  # the statement runs on into the next line, where it breaks
    assert f"typo.ttl:{line_no}:" in result.output
    assert "expected" in result.output
    # the library's report says the same, not "0 violations" of checks that never ran
    import kgtool

    report = kgtool.validate([bad])
    assert not report.conforms and report.summary() == "1 of 1 files could not be parsed"


# "0.5" breaks two constraints of the property's shape (an integer, at least 1) under its one message:
# one line, counted once, as "175B" is
@pytest.mark.parametrize("count", ["175B", "0.5"])
def test_violation_names_label_property_value_and_message_once(tmp_path, count):
    data = write(tmp_path, "model.ttl", f"""
kgr:test-model a kg:LanguageModel ; rdfs:label "Test Model"@en ; kg:parameterCount "{count}" .
<statement/test-model/parameter-count/{count.lower()}> a kg:Statement ;
    rdf:subject kgr:test-model ; rdf:predicate kg:parameterCount ; rdf:object "{count}" ;
    kg:source kgr:arxiv-2005.14165 ; kg:locator "Table 2.1" .
""")
    result = run("validate", "--bundled", str(data))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("violation:")]
    assert len(lines) == 1, lines
    assert "Test Model" in lines[0] and f"'{count}': kg:parameterCount is one positive integer" in lines[0]
    summary = result.output.strip().splitlines()[-1]
    assert summary.startswith("does not conform:") and summary.endswith(" 1 violations")


@pytest.mark.parametrize("name,body,reported", [
    ("unsourced.ttl", 'kgr:llama kg:contextLength 4096 .\n', ["unsourced-fact-violation.rq", "LLaMA"]),
    ("rumour.ttl", """
kgr:gpt-4 kg:parameterCount 1760000000000 .
<statement/gpt-4/parameter-count/1760000000000> a kg:Statement ;
    rdf:subject kgr:gpt-4 ; rdf:predicate kg:parameterCount ; rdf:object 1760000000000 ;
    kg:source <web/wandb-gpt-4-speculation-2023> ; kg:locator "report" .
""", ["claimed-value-as-fact-violation.rq", "undisclosed-value-as-fact-violation.rq"]),
    ("undeclared.ttl", 'kgr:llama kg:favouriteColour "blue" .\n',
     ["kg:favouriteColour", "not declared in the ontology"]),
    ("iri.ttl", """
<statement/llama/whatever> a kg:Statement ;
    rdf:subject kgr:llama ; rdf:predicate kg:usesTechnique ; rdf:object kgr:rope ;
    kg:source kgr:arxiv-2302.13971 ; kg:locator "§2.2" .
""", ["statement/llama/uses-technique/rope"]),
], ids=["unsourced fact", "rumour stated as fact", "undeclared term", "statement IRI off the rule"])
def test_each_kind_of_violation_is_reported(tmp_path, name, body, reported):
    result = run("validate", "--bundled", str(write(tmp_path, name, body)))
    assert result.exit_code == 1
    for text in reported:
        assert text in result.output, text


def test_files_checked_alone_answer_for_themselves(tmp_path):
    """Alone, without the bundled data, a file is checked against the ontology and shapes, and what is
    reported is about the resources it describes: the ontology's own terms cite papers of the bundled
    data, which a file alone does not hold, and they are no fault of the file."""
    empty = run("validate", "--fresh", str(write(tmp_path, "empty.ttl", "")))
    assert empty.exit_code == 0, empty.output
    assert empty.output.startswith("conforms: 1 files, 0 triples,") and empty.output.endswith(" 0 violations\n")
    unlabelled = run("validate", "--fresh", str(write(tmp_path, "mine.ttl", "kgr:mine a kg:LanguageModel .\n")))
    assert unlabelled.exit_code == 1
    violations = [line for line in unlabelled.output.splitlines() if line.startswith("violation:")]
    assert violations and all(line.startswith("violation: kgr:mine ") for line in violations), unlabelled.output
    assert any("rdfs:label" in line for line in violations)


@pytest.mark.parametrize("line, column, why", [
    ("kgr:a kgr:b kgr:c, kgr:d, kgr:e, @ .", 35, "A language code should always start with a letter"),
    ('kgr:a rdfs:label "x" ;\n  kgr:c .', 9, ". is not a valid RDF object"),
])
def test_a_turtle_error_is_placed_where_the_text_goes_wrong(tmp_path, line, column, why):
    """rdflib names where the production it failed began (the space after a predicate); the position
    given is where the text goes wrong."""
    bad = write(tmp_path, "bad.ttl", line + "\n")
    result = run("validate", "--fresh", str(bad))
    assert result.exit_code == 2
    row = PREFIXES.count("\n") + 1 + line.count("\n")
    assert f"syntax error: {bad}:{row}:{column}: {why}" in result.output, result.output


def test_a_literal_whose_text_is_no_value_of_its_datatype_is_reported(tmp_path):
    data = write(tmp_path, "ill.ttl", """
kgr:test-model a kg:LanguageModel ; rdfs:label "Test Model"@en ;
    kg:parameterCount "about 7B"^^xsd:integer ; kg:releaseDate "2023-13-45"^^xsd:date .
""")
    result = run("validate", "--fresh", str(data))
    assert result.exit_code == 1
    reported = [line for line in result.output.splitlines() if "[literal-values]" in line]
    assert len(reported) == 2, result.output
    assert "kg:parameterCount) = 'about 7B': the text is not a value of its datatype, xsd:integer" in reported[0]
    assert "kg:releaseDate) = '2023-13-45': the text is not a value of its datatype, xsd:date" in reported[1]
    # rdflib's own complaint (a traceback for each such literal) is not printed, here or by other commands
    assert "Traceback" not in result.stderr and "Failed to convert" not in result.stderr
    exported = run("export", "--no-ontology", "-f", "nt", "--data", str(data))
    assert exported.exit_code == 0 and "Traceback" not in exported.stderr and '"about 7B"' in exported.stdout


def test_the_library_leaves_a_program_s_logging_and_warnings_as_they_are(tmp_path):
    """Quieting rdflib's complaints is the command's choice; a program that imports kgtool keeps its own."""
    data = write(tmp_path, "ill.ttl", 'kgr:x kg:parameterCount "about 7B"^^xsd:integer .\n')
    program = (
        "import logging, warnings, kgtool\n"
        "before = (logging.getLogger('rdflib.term').level, list(warnings.filters))\n"
        f"kgtool.load_graph([{str(data)!r}], bundled=False)\n"
        "kgtool.run_query('models')\n"
        "assert (logging.getLogger('rdflib.term').level, list(warnings.filters)) == before\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_missing_file_is_exit_2(tmp_path):
    result = run("validate", str(tmp_path / "nope.ttl"))
    assert result.exit_code == 2
    assert "nope.ttl" in result.output


def test_every_class_used_has_a_shape(graph):
    from rdflib import RDF, Graph, Namespace

    from kgtool import resources

    sh = Namespace("http://www.w3.org/ns/shacl#")
    shapes = Graph().parse(resources.shapes_file())
    targeted = set(shapes.objects(None, sh.targetClass))
    data = Graph()
    from kgtool.store import parse_file

    for path in resources.data_files():
        parse_file(path, data)
    used = set(data.objects(None, RDF.type))
    # kg:LanguageModel etc. are covered by the shapes of their superclasses (pySHACL follows rdfs:subClassOf)
    def covered(cls):
        return cls in targeted or any(covered(sup) for sup in graph.objects(cls, graph.namespace_manager.expand_curie("rdfs:subClassOf")) if sup != cls)
    assert sorted(str(c) for c in used if not covered(c)) == []


def test_a_second_run_on_unchanged_files_reads_the_report_from_the_cache(tmp_path, monkeypatch):
    from kgtool import validation

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = write(tmp_path, "model.ttl", 'kgr:test-model a kg:LanguageModel ; rdfs:label "Test Model"@en ; '
                                        'kg:parameterCount "175B" .\n')
    first = validation.validate([data], bundled=False)
    assert any(v.value == "'175B'" for v in first.violations)
    assert list((tmp_path / "cache" / "kgtool").glob("validation-report-*.json"))

    validate_afresh = validation._validate

    def not_again(files):
        raise AssertionError("validated again although nothing changed")

    monkeypatch.setattr(validation, "_validate", not_again)
    second = validation.validate([data], bundled=False)
    assert second.violations == first.violations and second.summary() == first.summary()

    # any change to a file validates afresh
    data.write_text(data.read_text(encoding="utf-8").replace("175B", "176B"), encoding="utf-8")
    with_change = []
    monkeypatch.setattr(validation, "_validate", lambda files, **how: with_change.append(files) or validate_afresh(files, **how))
    third = validation.validate([data], bundled=False)
    assert with_change and any(v.value == "'176B'" for v in third.violations)
    assert not any(v.value == "'175B'" for v in third.violations)


def test_a_broken_or_unwritable_cache_costs_time_not_the_report(tmp_path, monkeypatch):
    from kgtool import validation

    data = write(tmp_path, "model.ttl", 'kgr:test-model a kg:LanguageModel ; rdfs:label "Test Model"@en ; '
                                        'kg:parameterCount "175B" .\n')
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    expected = validation.validate([data], bundled=False).violations
    for stored in (cache / "kgtool").glob("validation-report-*.json"):
        stored.write_bytes(b'{"triples": ')  # cut short
    assert validation.validate([data], bundled=False).violations == expected

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))
    assert validation.validate([data], bundled=False).violations == expected


def test_the_command_says_when_its_report_was_saved_and_fresh_runs_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = write(tmp_path, "model.ttl", 'kgr:test-model a kg:LanguageModel ; rdfs:label "Test Model"@en .\n')
    first = run("validate", str(data))
    assert first.exit_code in (0, 1) and "saved report" not in first.stderr
    second = run("validate", str(data))
    assert second.exit_code == first.exit_code and second.stdout == first.stdout
    assert "unchanged since a saved report" in second.stderr and "--fresh" in second.stderr
    again = run("validate", "--fresh", str(data))
    assert again.stdout == first.stdout and "saved report" not in again.stderr
