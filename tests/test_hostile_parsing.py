"""Small files that crash or stall a parser: refused by the pre-check, or contained by a worker process with
time and memory limits whose death is one finding for that file while every other file is still reviewed."""

from __future__ import annotations

import os
import signal
import time

import pytest

from codeward.runner import Limits, run_isolated
from tests import hostile as h

CHAINS = {
    "plus.py": "x = " + "+".join(["a"] * 10_000) + "\n",
    "attr.py": "x = a" + ".b" * 10_000 + "\n",
    "calls.py": "x = f" + "()" * 6_000 + "\n",
    "neg.py": "x = " + "-" * 20_000 + "a\n",
    "lam.py": "import os\nx = " + "lambda: " * 3_000 + "os.system(a)\n",
    "ifs.py": "import os\nx = " + "a if b else " * 3_000 + "os.system(a)\n",
    "split.py": "import os\nx = (a\n" + "    + a\n" * 5_000 + ")\nos.system(x)\n",
    # A syntax error CPython reports (nested quotes in an f-string before 3.12) behind a long chain.
    "newer.py": "x = " + "+".join(["a"] * 8_000) + '\ny = f"{f"{a}"}"\n',
    "keys.py": "X = [" + ", ".join(f'"AKIA{i:06d}QWERTYZXCV"' for i in range(5_000)) + "]\n",
}


def test_pathological_files_are_refused_and_the_others_reviewed(tmp_path) -> None:
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD, **CHAINS})
    started = time.monotonic()
    run = h.run_codeward(attack, "review", "--isolated", "--diff", "main...HEAD", "--format", "concise", timeout=300)
    elapsed = time.monotonic() - started
    h.assert_blocks(run, "app.py:7:12: CWR102", "CWR201")
    for name in CHAINS:
        if name != "keys.py":
            assert f"{name}:" in run.stdout and "CWR003" in run.stdout.split(f"{name}:", 1)[1].split("\n", 1)[0]
    assert "keys.py:1:1: CWR003" not in run.stdout  # reviewed: a window of context per candidate
    h.assert_contained(attack, run, (h.AWS_KEY,))
    # Each of these used to take libcst from seconds to minutes (or crash it); now all together take little.
    # Generous for a busy shared machine: the point is seconds, not the minutes they took.
    assert elapsed < 90, elapsed


def test_a_file_past_the_memory_limit_is_one_finding(tmp_path) -> None:
    # Below the pre-check's depth, but libcst needs ~175 MiB for it: past a 120 MiB limit the worker dies.
    heavy = "import subprocess\nx = " + "lambda: " * 900 + "subprocess.call(a, shell=True)\n"
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD, "heavy.py": heavy})
    run = h.run_codeward(attack, "review", "--isolated", "--format", "concise", ".",
                         env={"CODEWARD_FILE_MEMORY_LIMIT": "120"})  # fmt: skip
    h.assert_blocks(run, "heavy.py:1:1: CWR003 not reviewed:", "app.py:7:12: CWR102")
    assert "120 MiB memory limit" in run.stdout or "worker's memory limit" in run.stdout
    assert "memory allocation" not in run.stderr  # the native parser's own panic is not shown
    h.assert_contained(attack, run, (h.AWS_KEY,))


def test_a_file_past_the_time_limit_is_one_finding(tmp_path) -> None:
    slow = "import subprocess\n" + "subprocess.call(x, shell=True)\n" * 20_000
    attack = h.attacker_pr(tmp_path, {"app.py": h.BASE_APP}, {"app.py": h.PAYLOAD, "slow.py": slow})
    run = h.run_codeward(attack, "review", "--isolated", "--format", "concise", ".",
                         env={"CODEWARD_FILE_TIME_LIMIT": "1"})  # fmt: skip
    # The slow file takes ~10 s of CPU, app.py well under 0.1 s; the clock starts once the worker has loaded
    # the parser and rules.
    h.assert_blocks(run, "slow.py:1:1: CWR003 not reviewed: its analysis ran past the 1 s limit", "CWR102")
    h.assert_contained(attack, run, (h.AWS_KEY,))


# --- the runner itself, with real processes and real signals ----------------------------------------------


def _work(item: str) -> str:
    if item == "abort":
        os.abort()
    if item == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    if item == "slow":
        time.sleep(30)
    if item == "spin":  # CPU time without end
        while True:
            pass
    if item == "stopped":  # kept off the CPU for 1.5 s, as a busy machine would: stopped, then continued
        child = os.fork()
        if child == 0:
            time.sleep(1.5)
            os.kill(os.getppid(), signal.SIGCONT)
            os._exit(0)
        os.kill(os.getpid(), signal.SIGSTOP)
        os.waitpid(child, 0)
        return "STOPPED, THEN DONE"
    if item == "hog":
        try:
            bytearray(512 * 1024 * 1024)
        except MemoryError:
            return "hog: MemoryError"
    return item.upper()


def _failed(item: str, why: str) -> str:
    return f"{item} failed: {why}"


@pytest.mark.parametrize("jobs", [1, 2])
def test_run_isolated_replaces_dead_workers_and_keeps_order(jobs: int) -> None:
    items = ["a", "abort", "b", "segv", "c", "slow", "d", "hog", "e"]
    started = time.monotonic()
    # 0.5 s of CPU time is plenty for these items (the workers are forked, the limit counts CPU time: a loaded
    # machine does not stretch it); the sleeper costs 2 s of wall time (4x the limit), for each of the two runs.
    results = run_isolated(_work, items, jobs, _failed, Limits(seconds=0.5, memory=256 * 1024 * 1024))
    assert time.monotonic() - started < 25  # the sleeper was stopped at its limit, not waited for (30 s)
    assert results[0::2] == ["A", "B", "C", "D", "E"]
    assert results[1] == "abort failed: its analysis stopped the worker process (SIGABRT), most likely past the " \
                         "256 MiB memory limit"  # fmt: skip
    assert "(SIGSEGV)" in results[3]
    assert results[5] == "slow failed: its analysis ran past the 0.5 s limit"
    assert results[7] == "hog: MemoryError"  # the limit holds inside the worker: Python sees MemoryError


def test_run_isolated_reports_progress() -> None:
    seen: list[int] = []
    assert run_isolated(_work, list("abc"), 1, _failed, progress=seen.append) == ["A", "B", "C"]
    assert seen[-1] == 3 and seen == sorted(seen)


def test_the_time_limit_counts_cpu_time_not_a_busy_machines_waits() -> None:
    # A worker stopped for 1.5 s (SIGSTOP, then SIGCONT: what a machine busy with other jobs does to it, only
    # longer) is past a 1 s limit in wall time but has used no CPU time: it is waited for. One spinning on
    # the CPU is stopped once its CPU time reaches the limit.
    limits = Limits(seconds=1.0, memory=256 * 1024 * 1024)
    started = time.monotonic()
    results = run_isolated(_work, ["stopped", "spin"], 1, _failed, limits)
    assert results == ["STOPPED, THEN DONE", "spin failed: its analysis ran past the 1 s limit"]
    assert time.monotonic() - started < 1.5 + 4 * 1.0 + 10  # the spinner's wall time is capped at 4x its limit
