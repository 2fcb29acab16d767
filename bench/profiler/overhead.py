"""Overhead of codeward's profiler next to cProfile, pyinstrument, yappi and py-spy, on five workloads.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/profiler/overhead.py [--rounds 151] [--sustained 45] [--only cpu,threads] [--codeward-only]

Workloads: CPU-bound (recursion), string/dict-heavy, allocation churn, four busy threads, and the
CPU-bound one in a program that also holds a pool of 32 idle threads (a server between requests).

In-process profilers are measured by alternating on and off inside one process over many short rounds
(the order flips every round), so machine noise hits both sides alike; the figure is the median of the
per-round ratios on/off minus one, with a distribution-free 95% confidence interval. A round repeats the
workload until it lasts long enough for the sampler to sample: 0.3 s at 10 ms, and 2.5 s at CodeGuru's
1 s cadence (two samples a round; a shorter round would measure a sampler that never wakes). py-spy
runs outside the process, so it is measured by alternating whole runs of the workload with and without
`py-spy record` attached.

Two rows calibrate the others: an A/A row (no profiler on either side) shows how far the method itself
scatters on this machine, and the floor is what every in-process sampler pays: a thread that only wakes
every 10 ms, takes the GIL and reads sys._current_frames(). Besides wall and process-CPU time, each cell
gives the time the workload's thread was kept off the CPU (wall minus its own CPU time, on minus off):
that is where a sampler thread's GIL handovers show, and it is precise to a few hundredths of a percent
where the wall figure scatters by about one percent.

codeward runs with its defaults (timer = auto: a busy main thread is sampled by a SIGPROF timer in the
thread itself) and, for comparison, with timer = thread (every sample by the sampling thread).

The list under the table gives codeward's real sampling rate, the share of samples the SIGPROF timer
took and the main thread's CPU time they took, its sampler thread's own CPU time (the median over rounds as a share of the round, and per
sample), and, at 1 s with every default, what the live-object census adds over a sustained run.
"""

from __future__ import annotations

import _thread
import argparse
import itertools
import math
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


_POOL: list[threading.Thread] = []
_POOL_QUEUE: Any = None


def pool(n: int = 32) -> int:
    """The cpu workload in a program that also has a pool of n idle threads (a server between requests)."""
    global _POOL_QUEUE
    if not _POOL:
        import queue

        _POOL_QUEUE = queue.Queue()
        _POOL.extend(threading.Thread(target=_POOL_QUEUE.get, daemon=True) for _ in range(n))
        for t in _POOL:
            t.start()
    return cpu()


WORKLOADS: dict[str, Callable[[], Any]] = {"cpu": cpu, "text": text, "alloc": alloc, "threads": threads, "pool": pool}


# -- profilers, each as (start, stop) -----------------------------------------------------------------


def codeward(interval_ms: float, timer: str = "auto") -> tuple[Callable[[], Any], Callable[[Any], None]]:
    from codeward.profiler.agent import Agent
    from codeward.profiler.settings import resolve

    settings = resolve(overrides={"SamplingIntervalInMilliseconds": interval_ms, "ReportingIntervalInMilliseconds": 0,
                                  "output-dir": tempfile.mkdtemp(), "timer": timer}, use_env=False)  # fmt: skip
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


class _Floor:
    """The floor of any in-process sampler: a thread that wakes every interval, takes the GIL and reads
    sys._current_frames(), and does nothing with it."""

    def __init__(self, interval: float) -> None:
        self.interval, self.rounds, self._agent_cpu = interval, 0, 0.0
        self.stop_lock = _thread.allocate_lock()
        self.stop_lock.acquire()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.began = time.perf_counter()
        self.thread.start()

    def run(self) -> None:
        cpu0, next_t = time.thread_time(), time.perf_counter()
        while True:
            next_t += self.interval
            delay = next_t - time.perf_counter()
            if delay > 0:
                if self.stop_lock.acquire(True, delay):
                    break
            else:
                next_t = time.perf_counter()
            sys._current_frames()
            self.rounds += 1
        self._agent_cpu = time.thread_time() - cpu0

    def stop(self) -> None:
        self.stop_lock.release()
        self.thread.join()
        self.bench_seconds = time.perf_counter() - self.began


def floor(interval_ms: float) -> tuple[Callable[[], Any], Callable[[Any], None]]:
    agents: list[Any] = []

    def start() -> Any:
        agents.append(_Floor(interval_ms / 1000.0))
        return agents[-1]

    start.agents = agents  # type: ignore[attr-defined]
    return start, lambda f: f.stop()


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
    workload: Callable[[], Any],
    start: Callable[[], Any],
    stop: Callable[[Any], None],
    rounds: int,
    min_seconds: float = 0.0,
) -> tuple[list[float], list[float], list[float]]:
    """Per-round figures, the order flipping every round: wall(on)/wall(off) - 1; process CPU(on)/CPU(off)
    - 1 (every thread, the sampler included); and the time the workload's thread spent off the CPU, as a
    share of the round, on minus off. CPU time is not inflated when other processes take the CPU; the
    off-CPU time is the sampler's GIL handovers (the thread waits while the sampler holds the GIL), which
    the noise of a shared machine hardly touches. A round runs the workload as many times as it takes to
    last min_seconds (timed once, before the rounds)."""
    walls, cpus, blocked = [], [], []
    workload()  # warm up
    t0 = time.perf_counter()
    workload()  # time one warm run
    repeat = max(1, math.ceil(min_seconds / max(time.perf_counter() - t0, 1e-6)))
    for r in range(rounds):
        wall, cpu_time, off_cpu = {}, {}, {}
        for on in (r % 2 == 0, r % 2 == 1):
            handle = start() if on else None
            c0, t0, m0 = time.process_time(), time.perf_counter(), time.thread_time()
            for _ in range(repeat):
                workload()
            wall[on], cpu_time[on] = time.perf_counter() - t0, time.process_time() - c0
            off_cpu[on] = wall[on] - (time.thread_time() - m0)
            if on:
                stop(handle)
        walls.append(wall[True] / wall[False] - 1.0)
        cpus.append(cpu_time[True] / cpu_time[False] - 1.0)
        blocked.append((off_cpu[True] - off_cpu[False]) / wall[False])
    return walls, cpus, blocked


def median_ci(values: list[float]) -> tuple[float, float, float]:
    """The median and a distribution-free 95% confidence interval for it (order statistics of a binomial)."""
    ordered = sorted(values)
    n = len(ordered)
    k = max(0, math.floor((n - 1.96 * math.sqrt(n)) / 2))
    return statistics.median(ordered), ordered[k], ordered[n - 1 - k]


def cell(walls: list[float], cpus: list[float], blocked: list[float]) -> str:
    """'median wall [95% interval] / median CPU / median blocked', in percent; the interval only where the
    rounds allow one."""
    wall, lo, hi = median_ci(walls)
    interval = f" [{lo * 100:+.1f}, {hi * 100:+.1f}]" if len(walls) >= 30 else ""
    return (
        f"{wall * 100:+.1f}%{interval} / {statistics.median(cpus) * 100:+.1f}% / "
        f"{statistics.median(blocked) * 100:+.2f}%"
    )


def sustained(workload: Callable[[], Any], seconds: float) -> str:
    """One agent at CodeGuru's 1 s cadence with every default (the live-object census included) over
    `seconds` of back-to-back work. The census runs in the sampler thread, so that thread's CPU time (the
    time it held the GIL the program needed) counts the censuses as well as the samples."""
    from codeward.profiler.agent import Agent
    from codeward.profiler.settings import resolve

    settings = resolve(overrides={"SamplingIntervalInMilliseconds": 1000, "ReportingIntervalInMilliseconds": 0,
                                  "output-dir": tempfile.mkdtemp()}, use_env=False)  # fmt: skip
    agent = Agent(settings, install_exit_hooks=False).start()
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        workload()
    agent.stop()
    elapsed = time.perf_counter() - began
    cpu = [c["cpu_seconds"] for c in agent.census]
    return (
        f"{agent.rounds} samples and {len(cpu)} censuses in {elapsed:.0f} s; the censuses used {sum(cpu) * 1000:.0f} ms "
        f"of CPU ({sum(cpu) / elapsed * 100:.3f}% of the run), the sampler thread {agent._agent_cpu / elapsed * 100:.3f}% "
        "in all"
    )


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


def sampler_figures(agents: list[Any]) -> str:
    """A sampler's real rate and its sampler thread's CPU time over the on-rounds of one row and workload.

    The CPU share is the median over rounds: a garbage collection the program's allocations make due can
    start in the sampler thread and would otherwise be charged to it."""
    rounds = sum(a.rounds for a in agents)
    seconds = sum(a.bench_seconds for a in agents)
    if not rounds or not seconds:
        return "no samples"
    shares = statistics.median(a._agent_cpu / a.bench_seconds for a in agents)
    per_sample = statistics.median(a._agent_cpu / a.rounds for a in agents if a.rounds)
    timed = sum(getattr(a, "_ticks", 0) for a in agents)
    calls = sum(getattr(a, "_tick_calls", 0) for a in agents)
    handler = sum(getattr(a, "_tick_cpu", 0.0) for a in agents)
    return (
        f"{rounds / seconds:.1f} samples/s ({rounds} in {seconds:.0f} s"
        + (f", {timed / rounds * 100:.0f}% by the SIGPROF timer" if timed else "")
        + f"), sampler thread CPU {shares * 100:.3f}% of the run, {per_sample * 1e6:.0f} µs a sample"
        + (
            f"; timer samples in the main thread {handler / seconds * 100:.3f}% of the run, "
            f"{handler / max(calls, 1) * 1e6:.0f} µs a call ({calls} calls)"
            if timed
            else ""
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=151, help="alternating rounds at 10 ms (and of the A/A row)")
    parser.add_argument("--round-seconds", type=float, default=0.3, help="length of a round at 10 ms")
    parser.add_argument("--peer-rounds", type=int, default=15, help="alternating rounds for cProfile and the others")
    parser.add_argument("--slow-rounds", type=int, default=15, help="rounds for codeward at 1 s (2.5 s each)")
    parser.add_argument("--sustained", type=float, default=45.0, help="seconds of one agent at 1 s, census included")
    parser.add_argument("--pairs", type=int, default=5, help="whole-run pairs for py-spy")
    parser.add_argument("--only", default=",".join(WORKLOADS), help="workloads, comma-separated")
    parser.add_argument("--py-spy-only", action="store_true", help="skip the in-process profilers")
    parser.add_argument("--codeward-only", action="store_true", help="only codeward's rows")
    parser.add_argument("--rows", default="aa,floor,codeward,thread,slow",
                        help="of those rows: aa, floor, codeward (10 ms), thread (timer = thread), slow (1 s)")  # fmt: skip
    options = parser.parse_args()
    names = [n for n in options.only.split(",") if n in WORKLOADS]
    began, load_before = time.perf_counter(), os.getloadavg()
    # label -> (start, stop), rounds, seconds a round must last at least
    short = options.round_seconds
    rows = {
        "aa": ("no profiler (A/A: the method's own noise)", lambda: (lambda: None, lambda _h: None), options.rounds, short),
        "floor": ("minimal sampler, 10 ms (the floor)", lambda: floor(10), options.rounds, short),
        "codeward": ("codeward, 10 ms", lambda: codeward(10), options.rounds, short),
        "thread": ("codeward, 10 ms, timer = thread", lambda: codeward(10, "thread"), options.rounds, short),
        "slow": ("codeward, 1 s (CodeGuru cadence)", lambda: codeward(1000), options.slow_rounds, 2.5),
    }  # fmt: skip
    chosen = set(options.rows.split(","))
    profilers: dict[str, Any] = {
        label: (make(), rounds, seconds) for key, (label, make, rounds, seconds) in rows.items() if key in chosen
    }
    if not options.codeward_only:
        profilers.update({
            "cProfile": (cprofile(), options.peer_rounds, 0.0),
            "pyinstrument, 1 ms": (pyinstrument(), options.peer_rounds, 0.0),
            "yappi, wall": (yappi_wall(), options.peer_rounds, 0.0),
        })  # fmt: skip
    results: dict[str, dict[str, str]] = {}
    rates: dict[str, str] = {}
    for label, (pair, rounds, min_seconds) in profilers.items():
        if pair is None or options.py_spy_only:
            continue
        row = results.setdefault(label, {})
        for name in names:
            row[name] = cell(*ab(WORKLOADS[name], pair[0], pair[1], rounds, min_seconds))
            agents = getattr(pair[0], "agents", None)
            if agents is not None:
                rates[f"{label} / {name}"] = sampler_figures(agents)
                agents.clear()
            print(f"{label:36} {name:8} {row[name]}  {rates.get(f'{label} / {name}', '')}", file=sys.stderr, flush=True)
    if options.sustained > 0 and not options.py_spy_only:
        for name in names:
            rates[f"codeward, 1 s, census included, {options.sustained:.0f} s / {name}"] = line = sustained(
                WORKLOADS[name], options.sustained
            )
            print(f"{'codeward, 1 s, sustained':36} {name:8} {line}", file=sys.stderr, flush=True)
    if not options.codeward_only:
        row = results.setdefault("py-spy, 100 Hz (out of process)", {})
        for name in names:
            value = py_spy(name, options.pairs)
            row[name] = "n/a" if value is None else f"{value * 100:+.1f}%"
            print(f"{'py-spy':36} {name:8} {row[name]}", file=sys.stderr, flush=True)
    load_after = os.getloadavg()
    print(
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {load_before[0]:.2f} before and {load_after[0]:.2f} after "
        f"({time.perf_counter() - began:.0f} s); median of {options.rounds} alternating rounds of {short:g} s for the "
        f"A/A row, the floor and codeward at 10 ms (with a 95% confidence interval), {options.slow_rounds} of 2.5 s "
        f"for codeward at 1 s, {options.peer_rounds} for the other in-process profilers; py-spy: {options.pairs} "
        "alternating whole-run pairs. Slowdown of the workload with the profiler on: wall time / process CPU time "
        "/ time the workload's thread was kept off the CPU, as a share of the run (py-spy: wall time only):\n"
    )
    print("| profiler | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for label, row in results.items():
        print(f"| {label} | " + " | ".join(row.get(n, "n/a") for n in names) + " |")
    if rates:
        print("\nReal sampling rate and the sampler thread's own CPU time:\n")
        for key, value in rates.items():
            print(f"- {key}: {value}")


if __name__ == "__main__":
    main()
