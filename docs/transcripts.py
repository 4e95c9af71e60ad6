#!/usr/bin/env python3
"""Rewrite the README's transcripts from what the commands print now.

A transcript is a ```text block whose first line is ``$ kgtool ...``; the rest of the block is replaced
by the output of that command in a 100-column terminal, exactly as tests/test_readme.py runs it (the
test fails when the two differ). Review the diff before committing it.

    python3 docs/transcripts.py
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TRANSCRIPT = re.compile(r"(```text\n\$ (kgtool [^\n]*)\n)(.*?)(```)", re.S)


def transcript_output(command: str) -> tuple[int, str]:
    """Exit code and output of ``command`` (a ``kgtool ...`` line) in a 100-column terminal."""
    from kgtool.cli import main

    result = CliRunner(env={"COLUMNS": "100"}).invoke(main, shlex.split(command)[1:])
    return result.exit_code, result.output


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
    if updated != text:
        README.write_text(updated, encoding="utf-8")
    print(f"{len(TRANSCRIPT.findall(text))} transcripts, README {'updated' if updated != text else 'unchanged'}")
    for line in failed:
        print(f"not updated, the command failed: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
