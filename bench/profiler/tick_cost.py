"""What one SIGPROF tick costs the program's main thread, timed: thread CPU time, so a loaded machine hardly moves it.

    .venv/bin/python bench/profiler/tick_cost.py [--workload text|alloc] [--pairs 1000]
        [--variants none,kernel,empty,empty+wake,agent,agent+wake] [--previous PATH]

Each round runs, for every variant in a shuffled order: a chunk of the workload (about 2.5 ms of overhead.py's
string/dict or allocation-churn work, so the caches hold the program's data, as at 10 ms), then one SIGPROF raised
by hand and timed alone (the kernel's delivery, CPython's dispatch and the handler). Figures are the mean per tick
against `none` (the same system call count: a getppid instead of the signal) over the paired rounds, with a 95%
interval. Variants: `kernel`, a C handler that does nothing (libc's getppid installed with sigaction, through
ctypes): the kernel's delivery alone; `empty`, an empty Python handler; `agent`, the agent's handler (its thread
stopped, so every tick runs it in full); `+wake`, with a signal wake-up fd set (the agent sets one where the
program has none, see Agent._watch_sigterm: CPython's C handler writes a byte to it at every signal). `--previous
agent.py` adds `previous`, the handler of another version of profiler/agent.py (`git show REV:profiler/agent.py`).
The line after the table gives what counting the queued ticks costs the agent's thread (its checks), per tick.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import importlib.util
import itertools
import os
import random
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.profiler.handler_cost import _agent as stopped_agent  # noqa: E402
from bench.profiler.overhead import Node  # noqa: E402


def workloads() -> dict[str, Any]:
    """Chunks of equal work (no dict growing, a fixed number of lists freed), so rounds differ only in the tick."""
    lines = [f"user-{i % 97} visited /page/{i % 13} at {i}" for i in range(180_000)]
    counts: dict[str, int] = {}
    for line in lines:  # grown once: a chunk then updates a 180,000-entry dict, as the workload's later part does
        for word in line.split():
            counts[word] = counts.get(word, 0) + 1
    at = [0]

    def text() -> None:
        start = at[0]
        for i in range(start, start + 3000):
            for word in lines[i].split():
                counts[word] = counts.get(word, 0) + 1
        at[0] = 0 if start + 6000 > len(lines) else start + 3000

    held: list[list[Node]] = []

    def alloc() -> None:
        nodes = [Node(i) for i in range(6000)]
        for a, b in itertools.pairwise(nodes):
            a.children.append(b)
        held.append(nodes)
        if len(held) > 15:
            del held[0]

    return {"text": text, "alloc": alloc}


def load_agent_class(path: str) -> Any:
    spec = importlib.util.spec_from_file_location("codeward.profiler._previous_agent", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.Agent


class _Sigaction(ctypes.Structure):
    _fields_ = [("handler", ctypes.c_void_p), ("mask", ctypes.c_ulong * 16), ("flags", ctypes.c_int),
                ("restorer", ctypes.c_void_p)]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workload", default="text", choices=("text", "alloc"))
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--variants", default="none,kernel,empty,empty+wake,agent,agent+wake")
    parser.add_argument("--previous", help="another version of profiler/agent.py, as the `previous` variant")
    options = parser.parse_args()
    variants = options.variants.split(",")
    if options.previous and "previous" not in variants:
        variants.append("previous")
    work = workloads()[options.workload]
    from codeward.profiler.agent import Agent

    agents = {"agent": stopped_agent(Agent)}
    if options.previous:
        agents["previous"] = stopped_agent(load_agent_class(options.previous))
    libc = ctypes.CDLL(None)
    noop = ctypes.cast(libc.getppid, ctypes.c_void_p).value
    read, write = os.pipe()
    os.set_blocking(read, False)
    os.set_blocking(write, False)

    def empty(_signum: int, _frame: Any) -> None:
        pass

    def use(variant: str) -> None:
        base = variant.removesuffix("+wake")
        signal.set_wakeup_fd(write if variant.endswith("+wake") else -1, warn_on_full_buffer=False)
        if base == "kernel":
            action = _Sigaction(handler=noop, flags=0x10000000)  # SA_RESTART, as the agent's
            libc.sigaction(signal.SIGPROF, ctypes.byref(action), None)
        elif base == "empty":
            signal.signal(signal.SIGPROF, empty)
        elif base in agents:
            signal.signal(signal.SIGPROF, agents[base]._on_tick)
            agents[base]._tick_due = 0.0

    times: dict[str, list[float]] = {v: [] for v in variants}
    counted, counting = 0, 0.0
    for _ in range(20):
        work()
    began, load = time.perf_counter(), os.getloadavg()[0]
    for _ in range(options.pairs):
        order = variants[:]
        random.shuffle(order)
        for variant in order:
            use(variant)
            work()
            t0 = time.thread_time()
            if variant == "none":
                os.getppid()
            else:
                signal.raise_signal(signal.SIGPROF)
            times[variant].append(time.thread_time() - t0)
        with contextlib.suppress(BlockingIOError):
            while os.read(read, 65536):
                pass
        queued = getattr(agents["agent"], "_queued", None)
        if queued and len(queued) >= 25:  # what the agent's thread does at its checks (25 ticks at 10 ms)
            n, c0 = len(queued), time.thread_time()
            with agents["agent"]._lock:
                agents["agent"]._count_queued()
            counting += time.thread_time() - c0
            counted += n
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGPROF, signal.SIG_IGN)
    print(
        f"{options.workload}: {options.pairs} rounds in {time.perf_counter() - began:.0f} s, load average "
        f"{load:.1f} before and {os.getloadavg()[0]:.1f} after; thread CPU time of one tick, mean against `none` "
        "[95% interval]:"
    )
    for variant in variants:
        if variant == "none":
            continue
        diffs = [a - b for a, b in zip(times[variant], times["none"], strict=True)]
        half = 1.96 * statistics.stdev(diffs) / len(diffs) ** 0.5
        mean = statistics.fmean(diffs)
        print(f"  {variant:12} {mean * 1e6:6.1f} µs [{(mean - half) * 1e6:.1f}, {(mean + half) * 1e6:.1f}]")
    if counted:
        print(f"  counting the queued ticks in the agent's thread: {counting / counted * 1e6:.1f} µs a tick")


if __name__ == "__main__":
    main()
