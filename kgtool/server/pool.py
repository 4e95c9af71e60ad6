"""The worker pool: query worker processes (:mod:`kgtool.server.worker`), a deadline per request, and a
reserve that keeps long queries from taking every worker.

Every request waits for an idle worker (first come, first served), then for its answer, both within
its deadline. A query still running at the deadline is stopped by killing its worker; a fresh worker
loads the data and takes its place. A query that has run longer than ``slow_after`` seconds counts as
long, and at most ``long_queries`` may run at once: the pool has ``reserve`` more workers than that,
so a short query always finds a worker that no long query holds. A long query beyond that number is
stopped and told that the server is busy.

Short queries also come first for the processor and for the reserve: a long query's worker is moved
to a low scheduling priority (nice 10) for as long as the query runs, and a text that ran long
before (remembered for the last :data:`REMEMBERED` such texts, until it runs short again) counts as long
from its start: it waits for a free long slot and never takes a worker while that would leave fewer than
``reserve`` idle. A client that loops a hostile query thus holds at most a long slot, never the reserve.

An update runs in one worker, which then writes the whole store to a new N-Quads file; every worker
started afterwards loads that file, and the workers that hold the old data are replaced as soon as
they are idle, so a query sent after the update sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Iterator
from pathlib import Path

from ..errors import KgtoolError, QueryError

log = logging.getLogger("kgtool.server")

STARTUP_SECONDS = 120.0  # a worker loads the whole data before it is ready (and more for large data)
MEMORY_MB = 2048  # a worker's memory ceiling for small data


def memory_for(data: Path) -> int:
    """A worker's memory ceiling for ``data``: an N-Quads file is held in memory, about twice its size,
    with room for queries on top; a store folder is read from disk and needs no more than the default."""
    if Path(data).is_dir():
        return MEMORY_MB
    return max(MEMORY_MB, 3 * (Path(data).stat().st_size >> 20) + 1024)


def startup_for(data: Path) -> float:
    """Seconds a worker may take to be ready: a store opens at once; a file loads at 10 MB/s at worst."""
    if Path(data).is_dir():
        return STARTUP_SECONDS
    return STARTUP_SECONDS + (Path(data).stat().st_size >> 20) / 10


LONG_QUERY_NICE = 10  # a long query's priority: a tenth of the processor beside a short one, not starved by the rest
REMEMBERED = 1024  # how many texts of long queries the pool remembers


def _remember(texts: OrderedDict[str, None], text: str) -> None:
    """Note ``text`` as the most recent of ``texts``, which keep the last REMEMBERED."""
    texts[text] = None
    texts.move_to_end(text)
    while len(texts) > REMEMBERED:
        texts.popitem(last=False)


class PoolError(KgtoolError):
    """The pool could not answer: see the subclasses."""


class ServerBusy(PoolError):
    """No worker became free in time, or too many long queries run already."""


class QueryTimeout(PoolError):
    """The query ran past its deadline and was stopped."""


class WorkerDied(PoolError):
    """The worker stopped while running the query: it hit its memory ceiling, or the engine failed."""


class WorkerAnswerError(QueryError):
    """The worker answered with an error (a syntax error, a failed evaluation, a result too large...)."""

    def __init__(self, kind: str, message: str, header: dict):
        super().__init__(message)
        self.kind, self.header = kind, header


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process, generation: int):
        self.process, self.generation = process, generation
        # the priority the worker inherited from the server (`nice kgtool serve` gives them all a lower one)
        self.normal_nice = os.getpriority(os.PRIO_PROCESS, 0)
        self.lowered = False  # runs at the long queries' priority

    def lower(self) -> None:
        """Run at the long queries' priority, LONG_QUERY_NICE or the server's own when that is lower."""
        self.set_nice(max(LONG_QUERY_NICE, self.normal_nice))

    def restore(self) -> bool:
        return self.set_nice(self.normal_nice)

    def set_nice(self, nice: int) -> bool:
        """Set the scheduling priority of every thread of the worker (Linux gives each its own);
        False when the system does not allow it (raising it again needs privileges)."""
        pid = self.process.pid
        try:
            threads = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            threads = [pid]
        try:
            for thread in threads:
                os.setpriority(os.PRIO_PROCESS, thread, nice)
        except (OSError, AttributeError):
            return False
        self.lowered = nice > self.normal_nice
        return True

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def call(self, request: dict) -> tuple[dict, bytes]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None  # a worker is started with both pipes
        stdin.write(json.dumps(request).encode("utf-8") + b"\n")
        await stdin.drain()
        header = json.loads(await stdout.readline())
        body = await stdout.readexactly(header["size"]) if header["size"] else b""
        return header, body

    async def kill(self) -> None:
        if self.alive:
            self.process.kill()
        await self.process.wait()


def _worker_environment() -> dict[str, str]:
    """The server's environment, plus the folder that holds this kgtool when it is not installed (a
    checkout), so that the worker runs the same code as the server."""
    import site

    env = dict(os.environ, RUST_BACKTRACE="0")
    package_parent = str(Path(__file__).resolve().parents[2])
    installed = {str(Path(p).resolve()) for p in [*site.getsitepackages(), site.getusersitepackages()]}
    if package_parent not in installed:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))
    return env


class WorkerPool:
    def __init__(
        self,
        data: Path,
        *,
        workers: int = 2,
        reserve: int = 1,
        slow_after: float = 0.5,
        memory_mb: int | None = None,
        short_under: float = 0.1,
    ):
        self.data, self.generation = Path(data), 0
        self.size, self.long_limit = workers + reserve, workers
        self.slow_after = slow_after
        self.memory_mb = memory_mb or memory_for(data)
        # a text that last took short_under seconds of its worker's processor time or more is "medium":
        # below the long rule, but it must leave the reserve to short queries, or a stream of 0.2-0.4 s
        # queries fills every worker. Processor time, not wall time: a trivial query that waited for the
        # processor on a busy machine is not held back as medium when the machine is busiest.
        self.short_under = short_under
        self._medium_texts: OrderedDict[str, None] = OrderedDict()
        self.reserve = reserve
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[tuple[asyncio.Future, bool, bool]] = deque()  # and whether it is long, medium
        self._long = 0
        self._long_texts: OrderedDict[str, None] = OrderedDict()
        self._tasks: set[asyncio.Task] = set()
        self._busy: set[_Worker] = set()
        self._update_lock = asyncio.Lock()
        self._loading: Counter[Path] = Counter()  # the dumps starting workers are loading, and how many
        self._closed = False
        self.network = "not started"  # whether the workers can open connections, as the last one started says

    # -- life cycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        self._idle.extend(workers)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for waiter, *_ in self._waiters:
            waiter.cancel()
        workers = [*self._idle, *self._busy]
        self._idle.clear()
        await asyncio.gather(*(w.kill() for w in workers), return_exceptions=True)

    async def _spawn(self) -> _Worker:
        generation = self.generation  # before any await: an update may come meanwhile
        with self.reading() as data:
            return await self._start(data, generation)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Path]:
        """The data the workers load now (a file or a store folder), kept until the block ends although an
        update may replace it meanwhile."""
        data = self.data
        self._loading[data] += 1
        try:
            yield data
        finally:
            self._loading[data] -= 1
            self._remove_if_unused(data)

    def _remove_if_unused(self, dump: Path) -> None:
        """Remove a dump an update left behind, once no starting worker is reading it."""
        if dump != self.data and dump.name.startswith("data-") and not self._loading[dump]:
            dump.unlink(missing_ok=True)
            del self._loading[dump]

    async def _start(self, data: Path, generation: int) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "kgtool.server.worker",
            str(data),
            "--memory-mb",
            str(self.memory_mb),
            "--parent",
            str(os.getpid()),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=_worker_environment(),
        )
        worker = _Worker(process, generation)
        assert process.stdout is not None  # started with a pipe above
        try:
            ready = await asyncio.wait_for(process.stdout.readline(), startup_for(data))
        except asyncio.TimeoutError as err:
            await worker.kill()
            raise PoolError(
                f"a query worker did not load {data} within {startup_for(data):.0f} s; serve a store built "
                "once with `kgtool load` (--store): workers open it without loading"
            ) from err
        except asyncio.CancelledError:
            await worker.kill()
            raise
        if not ready.startswith(b'{"ready"'):
            await worker.kill()
            raise PoolError(
                f"a query worker could not load {data} (exit status {process.returncode}); if the data "
                f"is large, raise --worker-memory-mb (now {self.memory_mb}) or serve a store built "
                "once with `kgtool load` (--store), which the workers share"
            )
        self.network = json.loads(ready).get("network", "not isolated")
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` (if it still runs) and start another in its place, in the background."""
        self._busy.discard(worker)

        async def replace():
            await worker.kill()
            while not self._closed:
                try:
                    fresh = await self._spawn()
                except PoolError as err:
                    log.error("%s; retrying in 1 s", err)
                    await asyncio.sleep(1)
                    continue
                self._release(fresh)
                return

        task = asyncio.ensure_future(replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- handing workers out ---------------------------------------------------------------------

    def _release(self, worker: _Worker) -> None:
        self._busy.discard(worker)
        if self._closed:
            self._tasks.add(asyncio.ensure_future(worker.kill()))
            return
        if not worker.alive or worker.generation != self.generation:
            self._replace(worker)
            return
        if worker.lowered and not worker.restore():
            self._replace(worker)  # only a privileged server may raise a priority again: start afresh
            return
        self._idle.append(worker)
        self._hand_out()

    def _may_start(self, long: bool, idle: int, medium: bool = False) -> bool:
        """Whether a request may take one of ``idle`` workers: a long one needs a long slot, and a long or
        medium one must leave the reserve idle."""
        if long and self._long >= self.long_limit:
            return False
        return idle > 0 and (not (long or medium) or idle > self.reserve)

    def _hand_out(self) -> None:
        """Give idle workers to the waiting requests that may take them, in the order they came."""
        for entry in list(self._waiters):
            waiter, long, medium = entry
            if not self._idle:
                return
            if waiter.done():
                self._waiters.remove(entry)
            elif self._may_start(long, len(self._idle), medium):
                self._waiters.remove(entry)
                if long:
                    self._long += 1  # taken now, so that the next waiter sees the slot gone
                waiter.set_result(self._idle.popleft())

    async def _acquire(self, deadline: float, long: bool, medium: bool = False) -> _Worker:
        """An idle worker for a request; a long one is counted in ``_long`` (the caller gives it back)."""
        while True:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append((waiter, long, medium))
            self._hand_out()
            if not waiter.done():
                try:
                    await asyncio.wait({waiter}, timeout=max(0.0, deadline - time.monotonic()))
                except asyncio.CancelledError:
                    self._forget(waiter, long, medium)
                    raise
            if not waiter.done():
                self._forget(waiter, long, medium)
                if long:
                    raise ServerBusy(
                        f"{self._long} long queries are running already, the most this server runs "
                        "at once; this one ran long before, and waited for a free place until its "
                        "deadline: try again later"
                    )
                raise ServerBusy("every query worker stayed busy until the deadline; try again later")
            worker = waiter.result()
            if worker.alive and worker.generation == self.generation:
                self._busy.add(worker)
                return worker
            self._long -= long
            self._replace(worker)

    def _forget(self, waiter: asyncio.Future, long: bool, medium: bool = False) -> None:
        if waiter.done() and not waiter.cancelled():
            self._long -= long
            self._release(waiter.result())  # a worker arrived just as the wait ended: pass it on
        else:
            waiter.cancel()
        if (waiter, long, medium) in self._waiters:
            self._waiters.remove((waiter, long, medium))

    def _remember_long(self, text: str) -> None:
        _remember(self._long_texts, text)

    # -- running ---------------------------------------------------------------------------------

    async def run(self, request: dict, timeout: float) -> tuple[dict, bytes]:
        """Send ``request`` to a worker and return its header and body, within ``timeout`` seconds
        (waiting for a worker included). A worker error is raised as :class:`WorkerAnswerError`."""
        if self._closed:
            raise ServerBusy("the server is shutting down")
        deadline = time.monotonic() + timeout
        text = request.get("text", "")
        counted_long = text in self._long_texts
        worker = await self._acquire(deadline, counted_long, text in self._medium_texts)
        if counted_long:
            worker.lower()
        started = time.monotonic()
        call = asyncio.ensure_future(worker.call(request))
        try:
            done, _ = await asyncio.wait({call}, timeout=min(self.slow_after, max(0.0, deadline - time.monotonic())))
            if not done and time.monotonic() < deadline:
                if not counted_long:
                    self._remember_long(text)
                    if self._long >= self.long_limit:
                        await self._stop(worker, call)
                        raise ServerBusy(
                            f"{self._long} long queries are running already, the most this server "
                            "runs at once; this one was stopped: try again later"
                        )
                    self._long += 1
                    counted_long = True
                    worker.lower()  # short queries come first for the processor
                done, _ = await asyncio.wait({call}, timeout=max(0.0, deadline - time.monotonic()))
            if not done:
                await self._stop(worker, call)
                raise QueryTimeout(f"the query did not finish within {timeout:g} s and was stopped")
            try:
                header, body = call.result()
            except (asyncio.IncompleteReadError, ConnectionError, ValueError, KeyError) as err:
                self._replace(worker)
                raise WorkerDied(
                    f"the query stopped its worker: it needed more than the {self.memory_mb} MB "
                    "a worker may use, or the engine failed on it"
                ) from err
        except asyncio.CancelledError:
            await self._stop(worker, call)
            raise
        finally:
            if counted_long:
                self._long -= 1
                self._hand_out()  # a long slot is free: a waiting long query may start
        took = time.monotonic() - started
        if took < self.slow_after:
            self._long_texts.pop(text, None)  # it ran long on a busy machine once: short again now
        if header["cpu_seconds"] >= self.short_under and not counted_long:
            _remember(self._medium_texts, text)
        else:
            self._medium_texts.pop(text, None)
        if "error" in header:
            # a failed update may have changed part of the worker's store; one that did not parse changed
            # nothing (Oxigraph parses the whole text first), and keeps its worker
            if request.get("op") == "update" and header["error"] != "syntax":
                self._replace(worker)
            else:
                self._release(worker)
            raise WorkerAnswerError(header["error"], header.get("message", header["error"]), header)
        self._release(worker)
        return header, body

    async def _stop(self, worker: _Worker, call: asyncio.Future) -> None:
        if worker.alive:
            worker.process.kill()
        await asyncio.gather(call, return_exceptions=True)
        self._replace(worker)

    async def update(self, request: dict, timeout: float, directory: Path) -> dict:
        """Apply an update; the workers that hold the old data are replaced. Returns the worker's header."""
        async with self._update_lock:
            target = Path(directory) / f"data-{self.generation + 1}.nq"
            header, _ = await self.run({**request, "op": "update", "dump": str(target)}, timeout)
            self.generation += 1
            previous, self.data = self.data, target
            stale = list(self._idle)
            self._idle.clear()
            for worker in stale:
                self._replace(worker)
            self._remove_if_unused(previous)  # a replacement started before may still be loading it
            return header
