#!/usr/bin/env python3
"""Rewrite the parts of the README that the tool itself makes: the transcripts and the command reference.

A transcript is a ```text block whose first line is ``$ kgtool ...``; the rest of the block is replaced
by the output of that command in a 100-column terminal with an empty cache, exactly as tests/test_readme.py
runs it. The command reference, between ``<!-- command-table -->`` and ``<!-- /command-table -->``, is made
from the CLI's own commands, arguments, options and help. tests/test_readme.py fails when either differs
from what this script would write. Review the diff before committing it.

    python3 docs/readme.py
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections import defaultdict
from collections.abc import Iterable
import sys
import tempfile
from pathlib import Path

import click
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TRANSCRIPT = re.compile(r"(```text\n\$ (kgtool [^\n]*)\n)(.*?)(```)", re.S)
COMMAND_TABLE = re.compile(r"(<!-- command-table -->\n)(.*?)(<!-- /command-table -->)", re.S)
SHARED = 3  # an option that this many commands take is listed once, below the table


def transcript_output(command: str, cached: Iterable[Path] = ()) -> tuple[int, str]:
    """Exit code and output of ``command`` (a ``kgtool ...`` line) in a 100-column terminal, as a
    first run prints it: with an empty cache (validate would otherwise say it read a saved report).
    ``cached``: files and folders of kgtool's cache that change no output (the compiled results tables,
    the bundled store, the OWL-RL closure), copied into it first so that they are not derived again."""
    from kgtool.cli import main

    with tempfile.TemporaryDirectory() as cache:
        (Path(cache) / "kgtool").mkdir()
        for path in cached:
            copy = shutil.copytree if path.is_dir() else shutil.copyfile
            copy(path, Path(cache) / "kgtool" / path.name)
        result = CliRunner(env={"COLUMNS": "100", "XDG_CACHE_HOME": cache}).invoke(main, shlex.split(command)[1:])
    return result.exit_code, result.output


def _option(option: click.Option, ctx: click.Context) -> str:
    former = getattr(option, "former", ())  # names still accepted but no longer shown (kgtool.cli.RenamedOption)
    names = "/".join(sorted((o for o in option.opts if o not in former), key=len))
    if option.is_flag:
        return f"`{names}`" + (f"/`{option.secondary_opts[0]}`" if option.secondary_opts else "")
    return f"`{names} {option.make_metavar(ctx)}{'...' if option.multiple else ''}`"


def _key(option: click.Option) -> str:
    shown = [o for o in option.opts if o not in getattr(option, "former", ())]
    return next((o for o in shown if o.startswith("--")), shown[0])  # its first long name


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def command_table() -> str:
    """The command reference in Markdown, from the CLI: each command with its arguments, what it does (its
    short help) and its options; the options several commands share are listed once, below."""
    from kgtool.cli import main

    ctx = click.Context(main, info_name="kgtool")
    commands = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    takers: dict[str, list[str]] = defaultdict(list)
    spellings: dict[str, set[str]] = defaultdict(set)
    for name, command in commands.items():
        sub = click.Context(command, info_name=name, parent=ctx)
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                takers[_key(param)].append(name)
                spellings[_key(param)].add(_option(param, sub))
    # an option whose values differ between commands (-f) is shown by name; each command's --help lists them
    shown = {option: next(iter(found)) if len(found) == 1 else f"`{option}` (values vary by command)"
             for option, found in spellings.items()}
    rows = ["| command | what it does | its own options |", "| --- | --- | --- |"]
    for name, command in commands.items():
        sub = click.Context(command, info_name=name, parent=ctx)
        arguments = " ".join(p.make_metavar(sub) for p in command.params if isinstance(p, click.Argument))
        own = [shown[_key(p)] for p in command.params
               if isinstance(p, click.Option) and not p.hidden and len(takers[_key(p)]) < SHARED]
        rows.append(f"| `kgtool {name}{' ' + arguments if arguments else ''}` | "
                    f"{_cell(command.get_short_help_str(limit=400))} | {', '.join(own)} |")
    shared = sorted((option, names) for option, names in takers.items() if len(names) >= SHARED)
    lines = [f"- {shown[option]}: {', '.join(names)}" for option, names in shared]
    return "\n".join(rows) + "\n\nOptions several commands take, and which:\n\n" + "\n".join(lines) + "\n"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    failed = []

    def replace(match: re.Match) -> str:
        code, output = transcript_output(match.group(2))
        if code != 0:
            failed.append(f"{match.group(2)}: exit {code}")
            return match.group(0)
        return match.group(1) + output + match.group(4)

    updated = TRANSCRIPT.sub(replace, text)
    updated = COMMAND_TABLE.sub(lambda m: m.group(1) + command_table() + m.group(3), updated)
    if updated != text:
        README.write_text(updated, encoding="utf-8")
    print(f"{len(TRANSCRIPT.findall(text))} transcripts and the command table, "
          f"README {'updated' if updated != text else 'unchanged'}")
    for line in failed:
        print(f"not updated, the command failed: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
