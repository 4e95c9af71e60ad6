"""Writing output files: atomically, and only over regular files.

Every command that writes a file goes through :func:`atomic_output` (and ``-o -``, standard output,
through :func:`write_output`): the content goes into a temporary file in the target's folder, which
replaces the target only once complete, so that a failed or
interrupted write (an error, Ctrl-C, SIGTERM) leaves the previous file as it was and no temporary file
behind. An output path that exists and is not a regular file (a device such as /dev/full, a FIFO, a
folder, a symlink to a terminal or a pipe) is refused instead of being replaced by a file; a symlink to
a regular file is followed, and the file it points to is replaced.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from .errors import KgtoolError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def output_target(path: str | Path) -> Path:
    """The file that writing to ``path`` replaces: ``path`` itself, or the regular file a symlink at
    ``path`` points to. Anything else that exists there, or a folder that does not exist, is refused with
    a :class:`KgtoolError`: a command checks its output here before its work, not after it."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode  # follows symlinks: what a write would really reach
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise KgtoolError(f"cannot write {path}: {err.strerror or err}") from err
    if mode is not None and not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise KgtoolError(f"cannot write {path}: it is {kind}, not a regular file; nothing was written")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if not target.parent.is_dir():
        raise KgtoolError(f"cannot write {path}: the folder {target.parent} does not exist")
    return target


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` (see :func:`output_target`) only when the block completes;
    on any error or interruption the temporary file is removed and ``path`` keeps its previous content."""
    shown = Path(path)
    target = output_target(shown)
    with removed_on_sigterm(), signals_held() as release:
        try:
            handle = tempfile.NamedTemporaryFile(
                "w+b", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
            )
        except OSError as err:
            raise KgtoolError(f"cannot write {shown}: {err.strerror or err}; nothing was written") from err
        try:
            release()  # a signal held back stops the write here, where the file is removed
            with handle:
                yield handle
                stop_if_terminated()
                handle.flush()
                os.fsync(handle.fileno())
            # keep the permissions the user gave the file; a new file gets the usual ones, not 0600
            os.chmod(handle.name, target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask())
            os.replace(handle.name, target)
        except OSError as err:
            _remove(handle.name)
            left = "the previous file was left as it was" if target.exists() else "nothing was written"
            raise KgtoolError(f"cannot write {shown}: {err.strerror or err}; {left}") from err
        except BaseException:
            _remove(handle.name)
            raise


def write_file(path: str | Path, data: bytes) -> int:
    """Write ``data`` to ``path`` atomically; returns its size."""
    with atomic_output(path) as handle:
        handle.write(data)
    return len(data)


STANDARD_OUTPUT = "-"  # the -o value that means standard output


def is_standard_output(path: str | Path) -> bool:
    """Whether the output ``path`` given to a command (``-o -``) means standard output."""
    return str(path) == STANDARD_OUTPUT


def write_output(path: str | Path, data: bytes) -> int:
    """Write a command's output ``data``: to standard output for ``-`` (:func:`is_standard_output`), else
    to the file ``path`` atomically (:func:`write_file`). Returns its size."""
    if not is_standard_output(path):
        return write_file(path, data)
    sys.stdout.flush()  # what was printed as text before goes first
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return len(data)


# the SIGTERM received within removed_on_sigterm, if any: the process is to stop
_terminated: list[int] = []


def stop_if_terminated() -> None:
    """Raise again the SystemExit of a SIGTERM that a library swallowed (rdflib's memory store catches
    every exception while it adds a triple): called before a result is made final."""
    if _terminated:
        raise SystemExit(128 + _terminated[0])


@contextlib.contextmanager
def removed_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises SystemExit (exit status 143) like Ctrl-C raises KeyboardInterrupt,
    so that the cleanup of temporary files runs for both. Only the main thread can set signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        _terminated.append(signum)
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        _set_back(signal.SIGTERM, previous)


@contextlib.contextmanager
def signals_held() -> Iterator[Callable[[], None]]:
    """Within the block, SIGTERM and Ctrl-C (SIGINT) are held back until the function it gives is called
    (or the block ends), which hands the ones that arrived meanwhile on to the handlers in place before.
    For the making of a temporary file or folder: tempfile removes nothing it made if a signal stops it
    before it returns the name, so the caller makes it with the signals held, and calls the function
    first thing in the block that removes it. Only the main thread can set signal handlers: elsewhere
    nothing is held."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    arrived: list[int] = []
    previous: dict[int, Any] = {}

    def release() -> None:
        while previous:
            _set_back(*previous.popitem())
        while arrived:
            signal.raise_signal(arrived.pop(0))  # the handler set back acts on it, as on the signal itself

    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda signum, frame: arrived.append(signum))
        yield release
    finally:
        release()


@contextlib.contextmanager
def temporary_folder(prefix: str, parent: Path | None = None) -> Iterator[Path]:
    """A new folder in ``parent`` (else the system's temporary folder), removed with all it holds when the
    block ends, by an error, Ctrl-C or SIGTERM too (a signal as it is made acts once it has its name).
    It sets its own SIGTERM handler: not to be entered where another library's handlers are in place (a
    running server), though such a library may set and restore its own within the block."""
    with removed_on_sigterm(), signals_held() as release:
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        try:
            release()
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _set_back(signum: int, handler: Any) -> None:
    """Set a handler that ``signal.signal`` gave back (None: one not set from Python, taken as the default)."""
    signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name)
