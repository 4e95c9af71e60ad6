"""An option means one thing in every command: a name two commands share has the same help, default and
short form in both; a format is spelled one way and takes the same aliases everywhere; a former name is
still accepted but no longer shown."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from kgtool import export
from kgtool.cli import FormatChoice, Seconds, main
from kgtool.formats import ALIASES

# options whose meaning is the command's own: where it writes (a page, a folder, a file, each with its own
# default), which formats it writes (their spellings are checked below), what it counts (rows, models, paths)
PER_COMMAND = {"-o", "--output", "-f", "--format", "--limit"}
# `kgtool load --store DIR` names the store it builds, the one the other commands read with --store
PER_COMMAND_OPTIONS = {("load", "--store")}


def commands() -> dict[str, click.Command]:
    ctx = click.Context(main)
    return {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}


def shown_names(option: click.Option) -> list[str]:
    return [name for name in option.opts + option.secondary_opts if name not in getattr(option, "former", ())]


def help_records() -> dict[str, dict[str, tuple]]:
    """option name -> {command: what its --help shows for that option (names, metavar, help, default)}."""
    parent = click.Context(main, info_name="kgtool", **main.context_settings)  # as --help shows them, defaults too
    found: dict[str, dict[str, tuple]] = {}
    for name, command in commands().items():
        ctx = click.Context(command, info_name=name, parent=parent)
        for option in command.params:
            if isinstance(option, click.Option) and not option.hidden:
                shown = (option.get_help_record(ctx), option.default, option.envvar, option.name)
                for option_name in shown_names(option):
                    found.setdefault(option_name, {})[name] = shown
    return found


def test_every_command_shows_its_help():
    for name in commands():
        result = CliRunner().invoke(main, [name, "--help"], prog_name="kgtool")
        assert result.exit_code == 0 and result.output.startswith(f"Usage: kgtool {name} "), result.output


def test_a_shared_option_has_one_name_help_and_default_everywhere():
    shared = {option: where for option, where in help_records().items() if len(where) > 1}
    # the options the commands share: the walk finds them all (else this test would check nothing)
    assert {"--data", "--bundled", "--infer", "--endpoint", "--timeout", "--store", "--param", "--query", "--quiet",
            "--hubs", "--user", "--token"} <= set(shared)
    for option, where in shared.items():
        if option in PER_COMMAND:
            continue
        declared = {command: shown for command, shown in where.items() if (command, option) not in PER_COMMAND_OPTIONS}
        distinct = set(declared.values())
        assert len(distinct) == 1, f"{option} differs between commands: " + "; ".join(
            f"{', '.join(c for c in declared if declared[c] == shown)}: {shown[0]}" for shown in distinct)


def test_a_short_option_stands_for_one_long_option():
    long_names: dict[str, set[str]] = {}
    for command in commands().values():
        for option in command.params:
            if isinstance(option, click.Option):
                names = shown_names(option)
                for short in (n for n in names if not n.startswith("--")):
                    long_names.setdefault(short, set()).update(n for n in names if n.startswith("--"))
    assert long_names["-q"] == {"--quiet"}  # as the conventions keep it; --query has no short form
    assert long_names["-p"] == {"--param"}
    assert {short: names for short, names in long_names.items() if len(names) != 1} == {}


def test_the_time_limits_have_a_name_each():
    everywhere = help_records()
    # --timeout is the deadline of a whole exchange with an endpoint, in every command that has it
    assert set(everywhere["--timeout"]) == {"query", "models", "compare", "export", "pull", "chart", "viz", "stats",
                                            "central", "path", "communities"}
    assert set(everywhere["--query-timeout"]) == {"serve"}  # a query's deadline in the server
    assert set(everywhere["--client-timeout"]) == {"serve"}  # a client's time to send its request
    assert set(everywhere["--request-timeout"]) == {"push"}  # each of a push's requests


def test_pull_and_push_offer_only_what_they_use():
    pull, push = commands()["pull"], commands()["push"]
    pulled = {name for option in pull.params if isinstance(option, click.Option) for name in shown_names(option)}
    assert not pulled & {"--data", "--infer", "--base", "--allow-remote-context", "--store"}  # pull reads no local data
    pushed = {name for option in push.params if isinstance(option, click.Option) for name in shown_names(option)}
    assert "--to" in pushed and not pushed & {"--endpoint", "--timeout"}  # the target is no endpoint to query


def test_every_time_limit_takes_only_a_positive_finite_number_of_seconds():
    checked = set()
    for name, command in commands().items():
        # what the command requires (chart's KIND, pull's -o), so that only the time limit can be refused
        required = [p.type.choices[0] if isinstance(p.type, click.Choice) else "x" for p in command.params
                    if isinstance(p, click.Argument) and p.required]
        required += [given for p in command.params if isinstance(p, click.Option) and p.required
                     for given in (p.opts[0], "x")]
        for option in command.params:
            if isinstance(option, click.Option) and option.name.endswith("timeout"):
                assert isinstance(option.type, Seconds), f"{name} {option.opts[0]} is not of the type Seconds"
                for value in ("-1", "0", "inf", "nan", "-inf"):
                    with pytest.raises(click.BadParameter) as refused:
                        command.make_context(name, [*required, option.opts[0], value])
                    assert refused.value.param is option, (name, option.opts[0], value)
                given = command.make_context(name, [*required, option.opts[0], "2.5"])
                assert given.params[option.name] == 2.5
                checked.add((name, option.opts[0]))
    # the walk finds every time limit (else this test would check nothing)
    assert {("query", "--timeout"), ("pull", "--timeout"), ("push", "--request-timeout"),
            ("serve", "--query-timeout"), ("serve", "--client-timeout")} <= checked


@pytest.mark.parametrize("command,args,param,value", [
    ("push", ["--endpoint", "http://localhost:7878/query"], "to", "http://localhost:7878/query"),
    ("push", ["--timeout", "5"], "request_timeout", 5.0),
    ("serve", ["--timeout", "3"], "query_timeout", 3.0),
])
def test_a_former_name_is_still_accepted_and_said_so(command, args, param, value):
    cmd = commands()[command]
    assert cmd.make_context(command, list(args)).params[param] == value
    option = next(o for o in cmd.params if o.name == param)
    names, text = option.get_help_record(click.Context(cmd, info_name=command))
    assert args[0] not in names.split()  # not listed as a name of its own...
    assert f"{args[0]}, its former name, is still accepted" in text  # ...but said in the help


def test_every_format_option_takes_the_aliases_of_its_formats():
    checked = 0
    for name, command in commands().items():
        for option in command.params:
            if isinstance(option, click.Option) and "--format" in option.opts:
                assert isinstance(option.type, FormatChoice), f"{name} -f does not take the format aliases"
                for alias, fmt in ALIASES.items():
                    if fmt in option.type.choices:
                        ctx = click.Context(command, info_name=name)
                        assert option.type.convert(alias.upper(), option, ctx) == fmt
                        checked += 1
    assert checked >= 10  # query, models, export and pull take ttl, jsonld, ntriples...


def test_query_and_export_write_json_ld_under_either_spelling():
    construct = ["-e", "CONSTRUCT { kgr:llama ?p ?o } WHERE { kgr:llama ?p ?o }"]
    spelled = {fmt: CliRunner().invoke(main, ["query", *construct, "-f", fmt]) for fmt in ("json-ld", "jsonld")}
    assert spelled["json-ld"].exit_code == 0 and spelled["json-ld"].stdout == spelled["jsonld"].stdout
    assert json.loads(spelled["jsonld"].stdout)
    exported = {fmt: CliRunner().invoke(main, ["export", "--query", "model-neighbourhood", "-p", "model=LLaMA",
                                               "-f", fmt]) for fmt in ("json-ld", "jsonld")}
    assert exported["json-ld"].exit_code == 0 and exported["json-ld"].stdout == exported["jsonld"].stdout
    assert json.loads(exported["jsonld"].stdout)["@graph"]
    assert export.format_for("out.jsonld", None) == export.known_format("JSONLD") == "json-ld"


def test_data_files_are_given_the_same_way_in_every_command(tmp_path):
    data = tmp_path / "unsourced.ttl"
    data.write_text("@prefix kg: <https://w3id.org/llmkg/ontology#> .\n"
                    "@prefix kgr: <https://w3id.org/llmkg/resource/> .\n"
                    "kgr:llama kg:contextLength 4096 .\n")
    as_argument = CliRunner().invoke(main, ["validate", "--fresh", str(data)])
    as_option = CliRunner().invoke(main, ["validate", "--fresh", "--data", str(data)])
    assert as_argument.exit_code == as_option.exit_code == 1
    assert as_argument.stdout == as_option.stdout and "unsourced-fact-violation" in as_option.stdout
    for name in ("validate", "load", "serve", "query", "export", "push", "viz", "chart"):
        assert any("--data" in o.opts for o in commands()[name].params), name
