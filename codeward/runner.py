"""Runs a per-file analysis over many files: cached by content, parallel across processes when it pays.

`run_isolated` is for analyses that parse hostile input with native code (libcst): every file is handled by
a worker process with a memory limit (RLIMIT_AS) and a time limit per file. A worker that dies (a crash in
native code, memory exhausted) or runs past the limit is replaced, the file it held gets `on_failure`'s
result, and every other file is still analysed: one pathological file never costs the run.

The time limit counts the worker's CPU time where the system reports it (Linux's /proc), so that a file is
never reported as too costly because the machine was busy (a CI runner shared with other jobs): a worker
kept off the CPU gets up to `Limits.wall_factor` (WALL_FACTOR) times the limit in wall time. Elsewhere it counts wall time.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 12
# A worker that has used less CPU time than the limit is waited for up to this many times the limit.
WALL_FACTOR = 4.0


def run_all(fn: Callable[[T], R], items: Sequence[T], jobs: int = 0) -> list[R]:
    """fn(item) for every item, in order; fn must be a module-level function (it is pickled)."""
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(items) < PARALLEL_THRESHOLD:
        return [fn(item) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context: Any = multiprocessing.get_context(_start_method())
    chunk = max(1, len(items) // (workers * 4))
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=context) as pool:
        return list(pool.map(fn, items, chunksize=chunk))


def _start_method() -> str:
    import multiprocessing

    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


@dataclass(frozen=True)
class Limits:
    """Per-file limits of an isolated run. Defaults: CODEWARD_FILE_TIME_LIMIT (seconds, 120) and
    CODEWARD_FILE_MEMORY_LIMIT (MiB of address space per worker, 2048; 0 for none)."""

    seconds: float = 120.0
    memory: int = 2048 * 1024 * 1024
    # How many times `seconds` of wall time a worker kept off the CPU is waited for (where CPU time is known).
    wall_factor: float = WALL_FACTOR

    @classmethod
    def from_environment(cls) -> Limits:
        def number(name: str, default: float) -> float:
            try:
                value = float(os.environ.get(name, ""))
            except ValueError:
                return default
            return value if value >= 0 else default

        seconds = number("CODEWARD_FILE_TIME_LIMIT", cls.seconds)
        memory = number("CODEWARD_FILE_MEMORY_LIMIT", cls.memory / (1024 * 1024))
        return cls(seconds or float("inf"), int(memory * 1024 * 1024))


def describe(limits: Limits, how: str) -> str:
    """Why a file has no result, for the finding `on_failure` makes."""
    if how == "timeout":
        return f"its analysis ran past the {limits.seconds:g} s limit"
    memory = f"{limits.memory // (1024 * 1024)} MiB" if limits.memory else "the machine's"
    return f"its analysis stopped the worker process ({how}), most likely past the {memory} memory limit"


def run_isolated(
    fn: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    on_failure: Callable[[T, str], R],
    limits: Limits | None = None,
    progress: Callable[[int], None] | None = None,
    prepare: Callable[[], object] | None = None,
) -> list[R]:
    """fn(item) for every item, in order, each in a worker process under `limits`; `on_failure(item, why)`
    stands in for the result of an item whose worker died or timed out. `progress(n)` hears of each item
    done. `prepare()` runs once in each worker before its clock starts (imports, tables)."""
    if not items:
        return []
    limits = limits or Limits.from_environment()
    import multiprocessing
    from multiprocessing.connection import wait

    context: Any = multiprocessing.get_context(_start_method())
    count = max(1, min(jobs or os.cpu_count() or 1, len(items)))
    results: list[Any] = [None] * len(items)
    pending = list(range(len(items) - 1, -1, -1))  # popped from the end: in order
    idle: list[_Worker] = []
    # A worker's clock starts when it says it is ready (prepared), then with each item it is handed.
    busy: dict[_Worker, _Clock] = {}
    try:
        while pending or busy:
            while pending and len(busy) < count:
                worker = idle.pop() if idle else _Worker(context, fn, limits.memory, prepare)
                index = pending.pop()
                if worker.send(index, items[index]):
                    busy[worker] = _Clock(index, worker, limits.seconds, limits.wall_factor)
                else:  # died before taking it (a start failure): count it as the file's failure
                    results[index] = on_failure(items[index], describe(limits, worker.how()))
                    worker.stop()
            now = time.monotonic()
            deadline = min(clock.deadline for clock in busy.values())
            timeout = None if deadline == float("inf") else max(0.0, deadline - now)
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=timeout)
            for worker in list(busy):
                clock = busy[worker]
                index = clock.index
                if worker.conn in ready:
                    answer = worker.receive()
                    if answer is _READY:
                        clock.start(worker)
                        continue
                    if answer is not None:
                        results[index] = answer
                        del busy[worker]
                        idle.append(worker)
                        continue
                if worker.process.sentinel in ready or worker.conn in ready:
                    results[index] = on_failure(items[index], describe(limits, worker.how()))
                elif clock.expired(worker):
                    results[index] = on_failure(items[index], describe(limits, "timeout"))
                else:
                    continue
                del busy[worker]
                worker.stop()
            if progress is not None:
                progress(len(items) - len(pending) - len(busy))
    finally:
        for worker in [*idle, *busy]:
            worker.stop()
    return results


_READY = object()


class _Clock:
    """The time limit of the item a worker holds: CPU time where /proc tells it, wall time otherwise."""

    def __init__(self, index: int, worker: _Worker, seconds: float, wall_factor: float) -> None:
        self.index, self.seconds, self.wall_factor = index, seconds, wall_factor
        self.deadline = float("inf")  # not started until the worker says it is ready
        if worker.ready:
            self.start(worker)

    def start(self, worker: _Worker) -> None:
        self.started = time.monotonic()
        self.cpu = _cpu_seconds(worker.process.pid)
        self.deadline = self.started + self.seconds

    def expired(self, worker: _Worker) -> bool:
        """Whether the item ran past its limit; otherwise, if the machine kept it waiting, a later deadline."""
        now = time.monotonic()
        if now < self.deadline:
            return False
        cpu = _cpu_seconds(worker.process.pid)
        if cpu is None or self.cpu is None:
            return True
        used = cpu - self.cpu
        last = self.started + self.seconds * self.wall_factor
        if used >= self.seconds or now >= last:
            return True
        # At best it gets a whole CPU from now on: look again when the rest of its CPU time could be used up.
        self.deadline = min(last, now + max(self.seconds - used, 0.05))
        return False


def _cpu_seconds(pid: int | None) -> float | None:
    """User plus system CPU time of a running process, from /proc (None where there is no /proc)."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


class _Worker:
    """One worker process and its end of a pipe: it says it is ready, then gets (index, item) and sends back
    (index, fn(item))."""

    def __init__(self, context: Any, fn: Callable[[Any], Any], memory: int, prepare: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, fn, memory, prepare), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def send(self, index: int, item: Any) -> bool:
        try:
            self.conn.send((index, item))
            return True
        except (OSError, EOFError, ValueError):
            return False

    def receive(self) -> Any:
        try:
            message = self.conn.recv()
        except (OSError, EOFError, ValueError, TypeError):
            return None  # the worker died mid-answer
        if message == "ready":
            self.ready = True
            return _READY
        return message[1]

    def how(self) -> str:
        self.process.join(0.5)
        code = self.process.exitcode
        if code is None or code >= 0:
            return f"exit status {code}" if code is not None else "no answer"
        import signal

        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"

    def stop(self) -> None:
        with contextlib.suppress(OSError, EOFError, ValueError):
            self.conn.send(None)
        self.process.join(0.2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.conn.close()


def _serve(conn: Any, fn: Callable[[Any], Any], memory: int, prepare: Any) -> None:
    if not os.environ.get("CODEWARD_DEBUG"):
        # A native parser dying of its memory limit prints its own panic; the file's finding says it all.
        import faulthandler

        faulthandler.disable()  # inherited from a parent that enabled it (pytest does)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)
        os.close(quiet)
    if memory:
        try:
            import resource

            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        except (ImportError, ValueError, OSError):  # Windows, or a tighter limit already
            pass
    if prepare is not None:
        prepare()
    conn.send("ready")
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, item = message
        conn.send((index, fn(item)))
