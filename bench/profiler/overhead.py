"""Overhead of codeward's profiler next to cProfile, pyinstrument, yappi and py-spy, on four workloads.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/profiler/overhead.py [--rounds 15] [--only cpu,threads]

In-process profilers are measured by alternating on and off inside one process over many short rounds
(the order flips every round), so machine noise hits both sides alike; the figure is the median of the
per-round ratios on/off minus one. py-spy runs outside the process, so it is measured by alternating
whole runs of the workload with and without `py-spy record` attached. The table also gives codeward's
real sampling rate and its sampler thread's own CPU time per second of run.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


# -- workloads: each does a fixed amount of work ----------------------------------------------------


def fib(k: int) -> int:
    return k if k < 2 else fib(k - 1) + fib(k - 2)


def cpu(n: int = 2000) -> int:
    total = 0
    for i in range(n):
        total += fib(15) + i
    return total


def text(n: int = 180_000) -> int:
    counts: dict[str, int] = {}
    for i in range(n):
        line = f"user-{i % 97} visited /page/{i % 13} at {i}"
        for word in line.split():
            counts[word] = counts.get(word, 0) + 1
    return len(",".join(sorted(counts)))


class Node:
    __slots__ = ("children", "value")

    def __init__(self, value: int) -> None:
        self.value = value
        self.children: list[Node] = []


def alloc(n: int = 300_000) -> int:
    kept = 0
    for _ in range(3):
        nodes = [Node(i) for i in range(n // 3)]
        for a, b in itertools.pairwise(nodes):
            a.children.append(b)
        kept += len(nodes)
        del nodes
    return kept


def threads(n: int = 4) -> int:
    results = [0] * n

    def work(i: int) -> None:
        results[i] = cpu(500)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(results)


WORKLOADS: dict[str, Callable[[], Any]] = {"cpu": cpu, "text": text, "alloc": alloc, "threads": threads}


# -- profilers, each as (start, stop) -----------------------------------------------------------------


def codeward(interval_ms: float) -> tuple[Callable[[], Any], Callable[[Any], None]]:
    from profiler.agent import Agent
    from profiler.settings import resolve

    settings = resolve(overrides={"SamplingIntervalInMilliseconds": interval_ms, "ReportingIntervalInMilliseconds": 0,
                                  "output-dir": tempfile.mkdtemp()}, use_env=False)  # fmt: skip
    agents: list[Any] = []

    def start() -> Any:
        agent = Agent(settings, install_exit_hooks=False).start()
        agents.append(agent)
        return agent

    def stop(agent: Any) -> None:
        agent.stop()
        agent.bench_seconds = time.perf_counter() - agent._period_perf

    start.agents = agents  # type: ignore[attr-defined]
    return start, stop


def cprofile() -> tuple[Callable[[], Any], Callable[[Any], None]]:
    import cProfile

    def start() -> Any:
        p = cProfile.Profile()
        p.enable()
        return p

    return start, lambda p: p.disable()


def pyinstrument() -> tuple[Callable[[], Any], Callable[[Any], None]] | None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None

    def start() -> Any:
        p = Profiler(interval=0.001)
        p.start()
        return p

    return start, lambda p: p.stop()


def yappi_wall() -> tuple[Callable[[], Any], Callable[[Any], None]] | None:
    try:
        import yappi
    except ImportError:
        return None

    def start() -> Any:
        yappi.clear_stats()
        yappi.set_clock_type("wall")
        yappi.start()
        return None

    return start, lambda _p: yappi.stop()


def ab(
    workload: Callable[[], Any], start: Callable[[], Any], stop: Callable[[Any], None], rounds: int
) -> tuple[float, float]:
    """Medians over rounds of wall(on)/wall(off) - 1 and of process CPU(on)/CPU(off) - 1, the order flipping
    every round. CPU time counts every thread of the process (the sampler included) and is not inflated when
    other processes take the CPU, so it stays readable on a busy machine."""
    walls, cpus = [], []
    workload()  # warm up
    for r in range(rounds):
        wall, cpu_time = {}, {}
        for on in (r % 2 == 0, r % 2 == 1):
            handle = start() if on else None
            c0, t0 = time.process_time(), time.perf_counter()
            workload()
            wall[on], cpu_time[on] = time.perf_counter() - t0, time.process_time() - c0
            if on:
                stop(handle)
        walls.append(wall[True] / wall[False])
        cpus.append(cpu_time[True] / cpu_time[False])
    return statistics.median(walls) - 1.0, statistics.median(cpus) - 1.0


def py_spy(name: str, pairs: int) -> float | None:
    exe = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if not exe:
        return None
    script = (
        f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); from bench.profiler.overhead import WORKLOADS; "
        f"w = WORKLOADS[{name!r}]; w(); time.sleep(0.3); t = time.perf_counter(); [w() for _ in range(8)]; "
        "print(time.perf_counter() - t)"
    )
    ratios = []
    for r in range(pairs):
        times = {}
        for on in (r % 2 == 0, r % 2 == 1):
            out = tempfile.mktemp(suffix=".txt")
            cmd = [sys.executable, "-c", script]
            if on:
                cmd = [exe, "record", "--rate", "100", "--format", "raw", "-o", out, "--", *cmd]
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            numbers = [
                line for line in result.stdout.splitlines() if re.fullmatch(r"[0-9.]+(e-?[0-9]+)?", line.strip())
            ]
            if not numbers:  # py-spy's own messages share stdout; no number: it could not attach (ptrace)
                return None
            times[on] = float(numbers[-1])
        ratios.append(times[True] / times[False])
    return statistics.median(ratios) - 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--pairs", type=int, default=5, help="whole-run pairs for py-spy")
    parser.add_argument("--only", default=",".join(WORKLOADS))
    parser.add_argument("--py-spy-only", action="store_true", help="skip the in-process profilers")
    options = parser.parse_args()
    names = [n for n in options.only.split(",") if n in WORKLOADS]
    profilers: dict[str, Any] = {
        "codeward, 10 ms": codeward(10),
        "codeward, 1 s (CodeGuru cadence)": codeward(1000),
        "cProfile": cprofile(),
        "pyinstrument, 1 ms": pyinstrument(),
        "yappi, wall": yappi_wall(),
    }
    results: dict[str, dict[str, str]] = {}
    rates: dict[str, str] = {}
    for label, pair in profilers.items():
        if pair is None or options.py_spy_only:
            continue
        row = results.setdefault(label, {})
        for name in names:
            wall, cpu_share = ab(WORKLOADS[name], pair[0], pair[1], options.rounds)
            row[name] = f"{wall * 100:+.1f}% / {cpu_share * 100:+.1f}%"
            agents = getattr(pair[0], "agents", None)
            if agents:
                rounds = sum(a.rounds for a in agents)
                seconds = sum(a.bench_seconds for a in agents) or None
                cpu_s = sum(a._agent_cpu for a in agents)
                if seconds:
                    rates[f"{label} / {name}"] = (
                        f"{rounds / seconds:.0f} samples/s, sampler CPU {cpu_s / seconds * 100:.2f}%"
                    )
                agents.clear()
            print(f"{label:36} {name:8} {row[name]}", file=sys.stderr, flush=True)
    row = results.setdefault("py-spy, 100 Hz (out of process)", {})
    for name in names:
        value = py_spy(name, options.pairs)
        row[name] = "n/a" if value is None else f"{value * 100:+.1f}%"
        print(f"{'py-spy':36} {name:8} {row[name]}", file=sys.stderr, flush=True)
    print(
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; median of {options.rounds} alternating rounds (py-spy: {options.pairs} "
        "alternating whole-run pairs). Slowdown of the workload with the profiler on, wall time / process CPU "
        "time (py-spy: wall time only):\n"
    )
    print("| profiler | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for label, row in results.items():
        print(f"| {label} | " + " | ".join(row.get(n, "n/a") for n in names) + " |")
    if rates:
        print("\ncodeward's real sampling rate and its sampler thread's CPU time per second:\n")
        for key, value in rates.items():
            print(f"- {key}: {value}")


if __name__ == "__main__":
    main()
