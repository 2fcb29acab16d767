"""What one call of the SIGPROF handler costs after the program has filled the caches: instructions and cache
misses counted by callgrind, so the figure does not depend on the machine's load.

    valgrind --tool=callgrind --cache-sim=yes --LL=4194304,16,64 \
        --toggle-collect=_PyErr_CheckSignalsTstate --callgrind-out-file=agent.out \
        .venv/bin/python bench/profiler/handler_cost.py agent 100 [DEPTH]
    (the same with `baseline` instead of `agent`, into baseline.out)
    .venv/bin/python bench/profiler/handler_cost.py --compare agent.out baseline.out 100

Between two ticks the main thread runs 3000 lines of the string/dict workload of overhead.py (a dict of unique
words growing to 180,000 entries), so the handler starts cold, as it does at 10 ms. Ticks are raised by hand
(signal.raise_signal) with the agent's timer disarmed and its thread stopped, so every tick runs the handler
in full, and callgrind counts only what runs inside CPython's signal dispatch (_PyErr_CheckSignalsTstate).
The `baseline` run raises the same signal with SIG_IGN: its count (the setup's cheap calls of that function
from int formatting, and the dispatch itself) is subtracted. DEPTH adds that many frames under the workload.
Figures per tick: instructions, first-level misses (instruction and data) and last-level misses; `cycles` is
a rough weighting (1 an instruction, 10 a first-level miss, 100 a last-level miss).
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
LINES = 3000  # workload lines between two ticks (about 3 ms of CPU without valgrind)


def _agent(agent_class: Any = None) -> Any:
    """A started agent (of `agent_class`, codeward's Agent by default) whose handler is installed but whose timer
    and thread are stopped."""
    from codeward.profiler import sigtimer
    from codeward.profiler.agent import Agent
    from codeward.profiler.settings import resolve

    settings = resolve(overrides={"SamplingIntervalInMilliseconds": 10, "ReportingIntervalInMilliseconds": 0,
                                  "output-dir": tempfile.mkdtemp()}, use_env=False)  # fmt: skip
    agent = (agent_class or Agent)(settings, install_exit_hooks=False).start()
    time.sleep(0.3)
    agent._stop.set()
    agent._thread.join()
    sigtimer.disarm()
    agent._tick_gap = 0.0
    agent._own_threads = 0  # its thread is stopped: the program's only thread is the main one
    if not sigtimer.owned():
        raise SystemExit("the SIGPROF timer is not usable here")
    return agent


def run(variant: str, ticks: int, depth: int) -> None:
    lines = [f"user-{i % 97} visited /page/{i % 13} at {i}" for i in range(180_000)]
    agent = _agent() if variant == "agent" else None
    if agent is None:
        signal.signal(signal.SIGPROF, signal.SIG_IGN)
    counts: dict[str, int] = {}

    def work() -> None:
        start = 0
        for _ in range(ticks):
            for i in range(start, start + LINES):
                for word in lines[i].split():
                    counts[word] = counts.get(word, 0) + 1
            start += LINES
            if start + LINES > len(lines):
                counts.clear()
                start = 0
            if agent is not None:
                agent._tick_due = 0.0
            signal.raise_signal(signal.SIGPROF)

    def down(k: int) -> None:
        return work() if k <= 0 else down(k - 1)

    down(depth)
    if agent is not None and agent._tick_calls != ticks:
        raise SystemExit(f"{agent._tick_calls} handler calls sampled, {ticks} expected")


def totals(path: str) -> list[int]:
    """Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw of a callgrind output file."""
    for line in Path(path).read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            values = [int(v) for v in line.split(":", 1)[1].split()]
            return values + [0] * (9 - len(values))
    raise SystemExit(f"no totals in {path}")


def compare(measured: str, baseline: str, ticks: int) -> str:
    ir, _dr, _dw, i1, d1r, d1w, ill, dlr, dlw = (a - b for a, b in zip(totals(measured), totals(baseline), strict=True))
    first, last = i1 + d1r + d1w, ill + dlr + dlw
    return (
        f"per tick: {ir / ticks:.0f} instructions, {i1 / ticks:.0f} I1 + {(d1r + d1w) / ticks:.0f} D1 misses, "
        f"{last / ticks:.1f} last-level misses; about {(ir + 10 * first + 100 * last) / ticks:.0f} cycles"
    )


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        print(compare(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
        print(f"{sys.argv[1]}: done ({os.getpid()})", file=sys.stderr)
