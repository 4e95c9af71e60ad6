"""Output files: every command that writes one refuses a path that is not a regular file (a device, a FIFO,
a symlink to a pipe), follows a symlink to a regular file, and leaves no temporary file when it fails or
is terminated."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgtool.cli import main
from tests.serving import free_port


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def special_files(folder: Path) -> dict[str, Path]:
    """Real special files under ``folder``: a character device like /dev/full (made with mknod as root,
    else a symlink to /dev/full), a FIFO and a symlink to /dev/full."""
    device = folder / "full"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        device.symlink_to("/dev/full")
    fifo = folder / "fifo"
    os.mkfifo(fifo)
    link = folder / "link-to-full"
    link.symlink_to("/dev/full")
    return {"device": device, "fifo": fifo, "symlink": link}


def assert_untouched(files: dict[str, Path]) -> None:
    assert stat.S_ISCHR(os.stat(files["device"]).st_mode)
    assert stat.S_ISFIFO(os.lstat(files["fifo"]).st_mode)
    assert os.path.islink(files["symlink"]) and os.readlink(files["symlink"]) == "/dev/full"
    assert not [p.name for p in files["fifo"].parent.iterdir() if p.name.endswith(".tmp")]


# every command that writes a file, with the output path last
WRITERS = {
    "export": ["export", "-f", "nt", "-o"],
    "export-network": ["export", "-f", "graphml", "-o"],
    "viz": ["viz", "-o"],
    "pull": ["pull", "--endpoint", "http://127.0.0.1:9/query", "--query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
             "-o"],
}


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("kind", ["device", "fifo", "symlink"])
def test_a_special_file_is_refused_not_replaced(tmp_path, command, kind):
    files = special_files(tmp_path)
    result = run(*WRITERS[command], str(files[kind]))
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert message.startswith(f"error: cannot write {files[kind]}: it is a ") and "not a regular file" in message
    assert len(message.splitlines()) == 1
    assert_untouched(files)


def test_viz_screenshot_refuses_a_special_file_before_drawing(tmp_path):
    files = special_files(tmp_path)
    result = run("viz", "-o", str(tmp_path / "graph.html"), "--screenshot", str(files["fifo"]))
    assert result.exit_code == 2 and "it is a FIFO, not a regular file" in result.stderr
    assert_untouched(files)


def test_build_refuses_a_special_file_in_the_release_folder(tmp_path):
    out = tmp_path / "dist"
    out.mkdir()
    os.mkfifo(out / "llmkg.nt")
    (out / "void.ttl").write_text("# the previous release\n")
    result = run("build", "-o", str(out))
    assert result.exit_code == 2, result.output
    assert f"cannot write {out / 'llmkg.nt'}: it is a FIFO, not a regular file" in result.stderr
    assert "validating" not in result.stderr  # refused before the long steps
    assert stat.S_ISFIFO(os.lstat(out / "llmkg.nt").st_mode)
    assert (out / "void.ttl").read_text() == "# the previous release\n"  # nothing was replaced
    assert sorted(p.name for p in out.iterdir()) == ["llmkg.nt", "void.ttl"]


def test_a_symlink_to_standard_output_is_refused(tmp_path):
    link = tmp_path / "out.nt"
    link.symlink_to("/proc/self/fd/1")
    done = subprocess.run([sys.executable, "-m", "kgtool", "export", "-f", "nt", "-o", str(link)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == f"error: cannot write {link}: it is a FIFO, not a regular file; nothing was written"
    assert os.readlink(link) == "/proc/self/fd/1"


def test_a_symlink_to_a_file_replaces_the_file_it_points_to(tmp_path):
    real = tmp_path / "data" / "llmkg.nt"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "out.nt"
    link.symlink_to(real)
    assert run("export", "-f", "nt", "-o", str(link)).exit_code == 0
    assert os.readlink(link) == str(real)  # still a link
    assert real.read_text().startswith("<") and stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out.nt"]


def test_viz_into_a_folder_it_cannot_write_is_one_line(tmp_path):
    # /sys takes no new files, even from root: a real write fault (chmod does not stop root)
    result = run("viz", "-o", "/sys/graph.html")
    assert result.exit_code == 2, result.output
    assert result.stderr == "error: cannot write /sys/graph.html: Permission denied; nothing was written\n"
    under_a_file = tmp_path / "file.txt"
    under_a_file.write_text("x")
    result = run("viz", "-o", str(under_a_file / "graph.html"))
    assert result.exit_code == 2 and result.stderr == f"error: cannot write {under_a_file / 'graph.html'}: Not a directory\n"


def test_sigterm_during_an_export_removes_the_temporary_file(tmp_path):
    # the bundled graph and these take seconds to write as JSON-LD, long enough to be caught in the middle
    big = tmp_path / "big.nt"
    with big.open("w") as out:
        for i in range(20_000):
            out.write(f'<http://example.org/s{i}> <http://example.org/p> "value {i}" .\n')
    target = tmp_path / "out.jsonld"
    target.write_text("previous\n")
    process = subprocess.Popen([sys.executable, "-m", "kgtool", "export", "--data", str(big), "-o", str(target)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".out.jsonld.*.tmp")):
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "the export never started writing"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))
    assert target.read_text() == "previous\n"


# a write whose SIGTERM is swallowed on the way, as rdflib's memory store swallows every exception while
# it adds a triple (the JSON-LD writer builds such a store within the write)
SWALLOWED = """
import os, signal, sys, time
from kgtool.files import atomic_output
with atomic_output(sys.argv[1]) as handle:
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)
    except:  # noqa: E722
        pass
    handle.write(b"new\\n")
"""


def test_a_sigterm_a_library_swallowed_still_stops_the_write(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("previous\n")
    done = subprocess.run([sys.executable, "-c", SWALLOWED, str(target)], capture_output=True, timeout=60)
    assert done.returncode == 128 + signal.SIGTERM
    assert target.read_text() == "previous\n" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


# a signal that arrives as the temporary file or folder comes into being, before tempfile has handed its
# name back (tempfile removes nothing then): os.open and os.mkdir, which tempfile calls, signal the
# process itself as soon as they have made it (kgtool-serve-store-* in the system's temporary folder)
SIGNALLED_AS_MADE = """
import os, signal, sys
from kgtool.cli import main
signum = getattr(signal, sys.argv[1])
# Ctrl-C as a terminal delivers it, even where the tests were started as a background job, which ignores it
signal.signal(signal.SIGINT, signal.default_int_handler)
signalled = []
for name in ("open", "mkdir"):
    def made_then_signalled(path, *args, made=getattr(os, name), **kwargs):
        result = made(path, *args, **kwargs)
        # the first temporary name (.out.txt.*.tmp, .build-*, kgtool-*), not the cleanup's reading of it
        if os.path.basename(path).startswith((".", "kgtool-")) and not signalled:
            signalled.append(path)
            os.kill(os.getpid(), signum)
        return result
    setattr(os, name, made_then_signalled)
main(sys.argv[2:])
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.parametrize("command", ["export", "build", "serve"])
def test_a_signal_as_the_temporary_file_is_made_leaves_nothing_behind(tmp_path, command, signum):
    system_temporary = tmp_path / "tmp"  # where serve makes its folder
    system_temporary.mkdir()
    target = tmp_path / "dist" / "llmkg.ttl" if command == "build" else tmp_path / "out.nt"
    target.parent.mkdir(exist_ok=True)
    target.write_text("previous\n")
    args = {"export": ["export", "-o", str(target)], "build": ["build", "-o", str(target.parent)],
            "serve": ["serve", "--port", str(free_port())]}[command]
    done = subprocess.run([sys.executable, "-c", SIGNALLED_AS_MADE, signum.name, *args], capture_output=True,
                          timeout=120, env={**os.environ, "TMPDIR": str(system_temporary)})
    if signum == signal.SIGTERM:
        assert done.returncode == 128 + signum, done.stderr
    else:  # Ctrl-C, as click ends on it
        assert done.returncode == 1 and done.stderr.endswith(b"Aborted!\n"), done.stderr
    assert target.read_text() == "previous\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == sorted(
        p.relative_to(tmp_path).as_posix() for p in {target, target.parent, system_temporary} if p != tmp_path
    )
