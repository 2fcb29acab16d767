"""Runs a per-file analysis over many files: cached by content, parallel across processes when it pays.

`run_isolated` is for analyses that parse hostile input with native code (libcst): every file is handled by
a worker process with a memory limit (RLIMIT_AS) and a time limit per file. A worker that dies (a crash in
native code, memory exhausted) or runs past the limit is replaced, the file it held gets `on_failure`'s
result, and every other file is still analysed: one pathological file never costs the run.
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
    busy: dict[_Worker, tuple[int, float]] = {}
    starting = float("inf")
    try:
        while pending or busy:
            while pending and len(busy) < count:
                worker = idle.pop() if idle else _Worker(context, fn, limits.memory, prepare)
                index = pending.pop()
                if worker.send(index, items[index]):
                    busy[worker] = (index, time.monotonic() if worker.ready else starting)
                else:  # died before taking it (a start failure): count it as the file's failure
                    results[index] = on_failure(items[index], describe(limits, worker.how()))
                    worker.stop()
            now = time.monotonic()
            deadline = min(started + limits.seconds for _, started in busy.values())
            timeout = None if deadline == float("inf") else max(0.0, deadline - now)
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=timeout)
            for worker in list(busy):
                index, started = busy[worker]
                if worker.conn in ready:
                    answer = worker.receive()
                    if answer is _READY:
                        busy[worker] = (index, time.monotonic())
                        continue
                    if answer is not None:
                        results[index] = answer
                        del busy[worker]
                        idle.append(worker)
                        continue
                if worker.process.sentinel in ready or worker.conn in ready:
                    results[index] = on_failure(items[index], describe(limits, worker.how()))
                elif time.monotonic() - started >= limits.seconds:
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
