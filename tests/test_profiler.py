"""The profiler agent, its settings, entry points and text reports, on real workloads in real processes."""

from __future__ import annotations

import gc
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import weakref
from pathlib import Path
from typing import Any

import pytest
from codeward.profiler import Profile
from codeward.profiler.agent import TRUNCATED, Agent
from codeward.profiler.command import read_fast
from codeward.profiler.formats import collapsed, speedscope, terminal
from codeward.profiler.model import function_table, load, load_many
from codeward.profiler.settings import SPECS, Settings, SettingsError, resolve

from codeward.cli import build_parser, parse
from tests.helpers import ROOT, run_cli

FAST = {"formats": "collapsed", "heap_budget_percent": 0}


def spin(seconds: float) -> int:
    """CPU-bound on purpose: the expected hottest function."""
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        for i in range(200):
            n += i * i
    return n


def nap(seconds: float) -> None:
    time.sleep(seconds)


def recurse(depth: int, seconds: float) -> int:
    return recurse(depth - 1, seconds) if depth else spin(seconds)


def own_threads(profile: dict) -> dict:
    """The profile's stacks that pass through this test suite's code: the threads a test runs. Under
    pytest-xdist the harness's own threads (execnet's) are sampled too, and must not dilute a test's shares."""
    frames = profile["frames"]
    tests = os.path.join(ROOT, "tests") + os.sep
    ours = {i for i, f in enumerate(frames) if f["file"].startswith(tests)}
    if not ours:  # a program's profile (a subprocess), not this process's
        return profile
    return {**profile, "stacks": [row for row in profile["stacks"] if ours.intersection(row[0])]}


def names_by_self(profile: dict, metric: str) -> list[str]:
    return [s.name for s in function_table(own_threads(profile), metric).hottest("self", 5)]


# -- settings --------------------------------------------------------------------------------------


def test_settings_keep_codeguru_names_and_documented_defaults() -> None:
    names = [s.name for s in SPECS[:5]]
    assert names == [
        "MaxStackDepth",
        "MemoryUsageLimitPercent",
        "MinimumTimeForReportingInMilliseconds",
        "ReportingIntervalInMilliseconds",
        "SamplingIntervalInMilliseconds",
    ]
    s = Settings()
    assert (s.max_stack_depth, s.memory_usage_limit_percent, s.minimum_time_for_reporting_ms) == (1000, 10.0, 30000)
    assert (s.reporting_interval_ms, s.sampling_interval_ms) == (300000, 10.0)
    assert SPECS[4].env == "CODEWARD_PROFILER_SAMPLING_INTERVAL_IN_MILLISECONDS"
    assert SPECS[4].flag == "--sampling-interval-in-milliseconds"
    docs = (Path(ROOT) / "docs" / "profiler.md").read_text()
    for spec in SPECS:  # every setting, its variable and default are documented
        assert f"`{spec.name}`" in docs and f"`{spec.env}`" in docs, spec.name


def test_settings_precedence_pyproject_then_env_then_flags(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.codeward.profiler]\nMaxStackDepth = 50\nSamplingIntervalInMilliseconds = 20\n")
    s = resolve(str(pyproject), environ={})
    assert (s.max_stack_depth, s.sampling_interval_ms) == (50, 20.0)
    env = {"CODEWARD_PROFILER_SAMPLING_INTERVAL_IN_MILLISECONDS": "7"}
    s = resolve(str(pyproject), environ=env)
    assert (s.max_stack_depth, s.sampling_interval_ms) == (50, 7.0)
    s = resolve(str(pyproject), environ=env, overrides={"SamplingIntervalInMilliseconds": "3"})
    assert s.sampling_interval_ms == 3.0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("MaxStackDepth = 0", "MaxStackDepth must be between 1 and 100000, not 0"),
        ('MaxStackDepth = "deep"', "MaxStackDepth must be a whole number, not 'deep'"),
        ("SamplingIntervallInMilliseconds = 5", 'did you mean "SamplingIntervalInMilliseconds"?'),
        ('formats = "html,pdf"', "unknown format 'pdf'; choose from html, speedscope, collapsed"),
        ("trace-allocations = 3", "trace-allocations must be true or false, not 3"),
    ],
)
def test_bad_settings_name_source_and_fix(tmp_path: Path, table: str, message: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[tool.codeward.profiler]\n{table}\n")
    with pytest.raises(SettingsError) as info:
        resolve(str(pyproject), environ={})
    assert str(pyproject) in str(info.value) and message in str(info.value)


def test_bad_setting_on_the_command_line_is_a_usage_error(tmp_path: Path) -> None:
    code, _out, err = run_cli("profile", "--isolated", "--max-stack-depth", "-3", "--", "true")
    assert code == 2
    assert err.strip() == "codeward: error: option: MaxStackDepth must be between 1 and 100000, not -3"
    code, _out, err = run_cli("profile", "--isolated")
    assert code == 2 and "nothing to run: codeward profile [options] -- python app.py" in err


@pytest.mark.parametrize(
    "form",
    [
        ["--", "python", "app.py"],
        ["--isolated", "-q", "-o", "out", "--formats", "none", "--", "python", "app.py", "-q", "--", "x"],
        ["--interval=5", "--MaxStackDepth", "20", "--trace-allocations", "--top", "3", "--config", "p.toml", "--", "x"],
        ["--output-dir=o", "--quiet", "--group", "g", "--store", "file:///s", "--heap-budget-percent", "0", "--", "x"],
        ["--timer", "thread", "-o", "a", "-o", "b", "--sampling-interval-in-milliseconds=2.5", "--", "x", "-o", "c"],
    ],
)
def test_the_launchers_fast_reader_reads_options_as_argparse_does(form: list[str]) -> None:
    read = read_fast(form)
    assert read is not None
    options, program = read
    args = parse(build_parser(only="profile"), ["profile", *form])
    assert ["--", *program] == args.command_line
    for name, value in vars(args).items():
        if name not in ("command_line", "run", "command"):
            assert getattr(options, name) == value, name


@pytest.mark.parametrize(
    "form",
    [
        ["--iso", "--", "x"],  # an abbreviation: argparse's
        ["-h"],
        ["--top", "many", "--", "x"],
        ["show", "out"],
        ["--max-stack-depth", "-3", "--", "x"],
        ["-oout", "--", "x"],
        ["--isolated", "--"],
        ["--config", "--", "x"],
        ["--bogus", "--", "x"],
        ["python", "app.py"],
    ],
)
def test_the_launchers_fast_reader_leaves_other_forms_to_argparse(form: list[str]) -> None:
    assert read_fast(form) is None


LEAN_LAUNCH = textwrap.dedent(
    """
    import os, sys
    HEAVY = ("argparse", "subprocess", "typing", "dataclasses", "tomllib", "json", "signal", "threading")
    already = {m for m in HEAVY if m in sys.modules}  # the interpreter's start-up (an editable install's finder)
    spawn = os.posix_spawnp

    def spy(*args, **kwargs):
        print("imported before the program:", [m for m in HEAVY if m in sys.modules and m not in already],
              file=sys.stderr, flush=True)
        return spawn(*args, **kwargs)

    os.posix_spawnp = spy
    from codeward.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.skipif(not hasattr(os, "posix_spawnp"), reason="the launcher spawns with posix_spawnp where it can")
def test_codeward_profile_starts_the_program_before_its_heavy_imports(tmp_path: Path) -> None:
    """The launcher's own start-up delays the program: what the reports need is imported while it runs. A
    project whose codeward table has no profiler settings does not make it import tomllib either."""
    (tmp_path / "pyproject.toml").write_text('[tool.codeward]\nselect = ["CW"]\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEWARD_PROFILE")}
    result = subprocess.run(
        [sys.executable, "-c", LEAN_LAUNCH, "profile", "-q", "-o", "out", "--", sys.executable, "-c", "print(42)"],
        cwd=tmp_path, env={**env, "PYTHONPATH": ROOT}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == "42\n"
    assert "imported before the program: []" in result.stderr, result.stderr
    assert len(list((tmp_path / "out").glob("profile-*.html"))) == 1  # the reports were still made


def test_the_program_starts_with_default_sigpipe_as_under_subprocess(tmp_path: Path) -> None:
    """Python ignores SIGPIPE; a program run by the launcher must not inherit that (`yes | head` would print
    'Broken pipe' instead of ending quietly)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEWARD_PROFILE")}
    result = subprocess.run(
        [sys.executable, "-m", "codeward", "profile", "--isolated", "-q", "--formats", "none", "-o", "out", "--",
         "sh", "-c", "yes | head -n 1"],
        cwd=tmp_path, env={**env, "PYTHONPATH": ROOT}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and result.stdout == "y\n", result.stderr
    assert "Broken pipe" not in result.stderr, result.stderr


def test_a_program_that_cannot_start_is_a_usage_error(tmp_path: Path) -> None:
    code, _out, err = run_cli("profile", "--isolated", "-o", str(tmp_path / "out"), "--", "no-such-program-cw")
    assert code == 2
    assert err.strip() == "codeward: error: cannot run 'no-such-program-cw': No such file or directory"


# -- the agent in-process --------------------------------------------------------------------------


def test_cpu_bound_workload_hottest_function_and_cpu_vs_wall(tmp_path: Path) -> None:
    sleeper = threading.Thread(target=nap, args=(0.6,), name="napper")
    with Profile(output_dir=str(tmp_path), **FAST) as run:
        sleeper.start()
        spin(0.6)
        sleeper.join()
    profile = run.profile
    assert names_by_self(profile, "cpu")[0] == "spin"
    cpu = function_table(own_threads(profile), "cpu")
    wall = function_table(own_threads(profile), "wall")
    by_name_cpu = {s.name: s for s in cpu.functions.values()}
    by_name_wall = {s.name: s for s in wall.functions.values()}
    # The sleeping thread is there in wall time, about half of it, and nearly absent from CPU time.
    assert 35 < wall.share(by_name_wall["nap"].total) < 65
    assert cpu.share(by_name_cpu["nap"].total if "nap" in by_name_cpu else 0.0) < 5
    assert cpu.share(by_name_cpu["spin"].total) > 90
    assert profile["threads"]["napper"] > 20
    assert run.paths == [str(tmp_path / f"profile-{os.getpid()}-1.json"), *[
        str(tmp_path / f"profile-{os.getpid()}-1{ext}") for ext in (".collapsed", ".cpu.collapsed")
    ]]  # fmt: skip


def test_multithreaded_workload_every_thread_is_sampled(tmp_path: Path) -> None:
    def worker_a() -> None:
        spin(0.5)

    def worker_b() -> None:
        nap(0.5)

    threads = [threading.Thread(target=worker_a, name="a"), threading.Thread(target=worker_b, name="b")]
    with Profile(output_dir=str(tmp_path), write=False, **FAST) as run:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    names = {s.name for s in function_table(run.profile, "wall").functions.values()}
    assert {"test_multithreaded_workload_every_thread_is_sampled.<locals>.worker_a", "spin", "nap"} <= names
    assert run.profile["threads"]["a"] > 10 and run.profile["threads"]["b"] > 10
    assert not any(name == "codeward-profiler" for name in run.profile["threads"])  # never samples itself


def test_max_stack_depth_cuts_stacks_near_the_running_function(tmp_path: Path) -> None:
    with Profile(output_dir=str(tmp_path), write=False, MaxStackDepth=12, **FAST) as run:
        recurse(40, 0.4)
    profile = run.profile
    frames = profile["frames"]
    deep = [row for row in profile["stacks"] if any(frames[i]["name"] == "spin" for i in row[0])]
    assert deep
    for ids, *_ in profile["stacks"]:
        assert len(ids) <= 13
    for ids, *_ in deep:  # 12 frames kept, the leaf included, under a <truncated> root
        # Fewer when the sampling thread caught the main thread in the SIGPROF handler: its one or two frames
        # counted against the depth, and are cut from the report.
        assert 11 <= len(ids) <= 13 and frames[ids[0]]["name"] == TRUNCATED
        assert [frames[i]["name"] for i in ids[-2:]] == ["recurse", "spin"]
    full = sum(row[1] for row in deep if len(row[0]) == 13)
    assert full >= 0.8 * sum(row[1] for row in deep)


@pytest.mark.parametrize("interval_ms", [5, 25])
def test_sampling_interval_is_honoured_and_real_rate_reported(tmp_path: Path, interval_ms: int) -> None:
    with Profile(output_dir=str(tmp_path), write=False, SamplingIntervalInMilliseconds=interval_ms, **FAST) as run:
        nap(0.5)  # an idle program: the sampler gets the GIL at once
    sampling = run.profile["sampling"]
    expected = 0.5 / (interval_ms / 1000)
    # At least 0.8 of the asked rate on a quiet machine; a loaded one wakes the thread late (78 of 100 at 5 ms
    # with both CPUs held by busy loops at load 13; it never bursts to catch up): then what matters is that it
    # never samples faster than asked, and that the real rate is what is reported. A quarter, generously.
    assert 0.25 * expected <= sampling["rounds"] <= 1.1 * expected + 1
    assert sampling["requested_hz"] == 1000 / interval_ms
    assert abs(sampling["actual_hz"] - sampling["rounds"] / run.profile["duration"]) < 0.5


def test_reporting_cadence_never_faster_than_the_minimum(tmp_path: Path) -> None:
    agent = Agent(
        resolve(overrides={"ReportingIntervalInMilliseconds": 100, "MinimumTimeForReportingInMilliseconds": 400,
                           "output-dir": str(tmp_path), "formats": "collapsed", "heap-budget-percent": 0}, use_env=False),
        install_exit_hooks=False,
    )  # fmt: skip
    began = time.monotonic()
    agent.start()
    nap(1.4)  # three reports on a quiet machine: every 0.4 s, not 0.1 s
    # Reports are written at the agent's checks, which a loaded machine delays (they come late, never early):
    # wait for two, by count rather than time.
    while len(list(tmp_path.glob("profile-*.json"))) < 2 and time.monotonic() - began < 60:
        nap(0.05)
    agent.stop()
    elapsed = time.monotonic() - began
    periodic = sorted(tmp_path.glob("profile-*.json"))
    assert 2 <= len(periodic) <= elapsed / 0.4 + 1, (len(periodic), elapsed)
    starts = [load(str(p))["start"] for p in periodic]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # Never under the minimum (less a check's jitter); late by up to a check's span on a quiet machine (0.65 s),
    # and generously a second late with both CPUs held by busy loops.
    assert all(0.35 <= gap <= 1.4 for gap in gaps), gaps
    assert all(not load(str(p))["final"] for p in periodic)
    agent.report(final=True)
    assert load(str(sorted(tmp_path.glob("profile-*.json"), key=os.path.getmtime)[-1]))["final"] is True


def test_reporting_interval_zero_reports_only_at_the_end(tmp_path: Path) -> None:
    with Profile(
        output_dir=str(tmp_path), ReportingIntervalInMilliseconds=0, MinimumTimeForReportingInMilliseconds=0, **FAST
    ) as run:
        nap(0.5)
    assert [p.name for p in tmp_path.glob("*.json")] == [f"profile-{os.getpid()}-1.json"]
    assert run.profile["final"] is True


def test_memory_limit_flushes_early_then_stops_and_says_so(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    agent = Agent(
        resolve(overrides={"MemoryUsageLimitPercent": 0.0001, "output-dir": str(tmp_path), "formats": "collapsed",
                           "heap-budget-percent": 0, "SamplingIntervalInMilliseconds": 5}, use_env=False),
        install_exit_hooks=False,
    )  # fmt: skip
    agent.start()
    for _ in range(20):  # the limit is checked four times a second: two checks trip it twice
        recurse(30, 0.2)
        if not agent.running:
            break
    stopped_by_itself = not agent.running
    agent.stop()
    err = capfd.readouterr().err
    assert stopped_by_itself
    assert "codeward profiler: wrote a report early: the agent's memory" in err
    assert "is over MemoryUsageLimitPercent=0.0001% of the process" in err
    assert "codeward profiler: stopped sampling:" in err
    notes = [n for p in tmp_path.glob("*.json") for n in load(str(p))["notes"]]
    assert any(n.startswith("flushed early: ") for n in notes) and any(n.startswith("stopped: ") for n in notes)


def test_stop_wakes_a_slow_sampler_at_once_and_the_agent_restarts() -> None:
    settings = Settings(sampling_interval_ms=2000, heap_budget_percent=0, reporting_interval_ms=0)
    agent = Agent(settings, install_exit_hooks=False)
    for _ in range(2):
        agent.start()
        began = time.perf_counter()
        while agent.rounds < 1 and time.perf_counter() - began < 60:  # one sample, at 2 s (later under load)
            time.sleep(0.05)
        began = time.perf_counter()
        agent.stop()
        # Not the rest of the 2 s wait (well under a second with both CPUs held by busy loops: the sampler only
        # has to be scheduled once).
        assert time.perf_counter() - began < 1.0
        assert not agent.running and agent.rounds == 1


def test_a_sample_leaves_nothing_for_the_garbage_collector() -> None:
    """Every object a sample makes dies with it: a reference cycle per sample (our own frame in the
    sys._current_frames() dict) would make the program pay for collections it never asked for."""
    release = threading.Event()

    def park(depth: int) -> None:
        park(depth - 1) if depth else release.wait()

    worker = threading.Thread(target=park, args=(20,), name="parked")
    worker.start()
    agent = Agent(Settings(heap_budget_percent=0), install_exit_hooks=False)
    states: dict = {}
    me = threading.get_ident()
    gc.disable()
    try:
        agent._sample(me, states, time.perf_counter())  # the first sample stores the stack and the thread
        gc.collect()
        before = gc.get_count()[0]
        for _ in range(200):
            agent._sample(me, states, time.perf_counter())
        grown = gc.get_count()[0] - before
    finally:
        gc.enable()
        release.set()
        worker.join()
    # 9 a sample (1,800 here) when the sampler's own frame stays in the dict; a few others when a harness
    # thread (pytest-xdist's) changes its stack meanwhile.
    assert grown < 100
    assert agent.thread_samples["parked"] == 201
    parked = [e for e in agent.stacks.values() if any(getattr(c, "co_name", "") == "park" for c in e[3])]
    assert len(parked) == 1 and parked[0][0] == 201
    assert [c.co_name for c in parked[0][3] if c.co_name == "park"] == ["park"] * 21  # keys map back to code


class Big:
    """A local whose death a weak reference can watch."""


def held_names(state: Any) -> list[str]:
    frame, names = state.top, []
    while frame is not None:
        names.append(frame.f_code.co_name)
        frame = frame.f_back
    return names


def parked_in(thread: threading.Thread, inside: str, outside: str = "", limit: float = 30.0) -> None:
    """Wait until `thread` waits on a lock under function `inside` (and not under `outside`): a controlled
    wait, where a fixed sleep (50 ms) did not let a machine with both CPUs busy run the thread that far."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        frame = sys._current_frames().get(thread.ident)  # type: ignore[arg-type]
        names = []
        while frame is not None:
            names.append(frame.f_code.co_name)
            frame = frame.f_back
        del frame
        # Its top frame is the lock's wait, or `inside` itself when that calls the lock's C method directly.
        if names and names[0] in ("wait", inside) and inside in names and outside not in names:
            return
        time.sleep(0.005)
    raise AssertionError(f"{thread.name} did not reach {inside} in {limit} s")


def _sampler_and_worker(target: object, *args: object) -> tuple[Agent, dict, threading.Thread]:
    worker = threading.Thread(target=target, args=args, daemon=True)
    worker.start()
    return Agent(Settings(heap_budget_percent=0), install_exit_hooks=False), {}, worker


def test_a_waiting_threads_stack_is_walked_once_and_its_clock_read_every_few_samples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()

    def park(depth: int) -> None:
        park(depth - 1) if depth else release.wait()

    agent, states, worker = _sampler_and_worker(park, 30)
    time.sleep(0.05)
    reads: list[int] = []
    real = time.clock_gettime
    monkeypatch.setattr(time, "clock_gettime", lambda clock: reads.append(clock) or real(clock))
    me = threading.get_ident()
    try:
        for _ in range(2):  # the first reading, then a share of zero: a waiting thread
            agent._sample(me, states, time.perf_counter())
        state = states[worker.ident]
        held = state.top
        assert held is not None and held.f_code.co_name == "wait"  # Condition.wait, under Event.wait
        clock = state.clock
        reads.clear()
        for _ in range(36):
            agent._sample(me, states, time.perf_counter())
            assert state.top is held
        assert reads.count(clock) == 4  # every 9th sample (8 skipped), not 36 system calls
    finally:
        release.set()
        worker.join()
    (entry,) = [e for e in agent.stacks.values() if any(getattr(c, "co_name", "") == "park" for c in e[3])]
    assert entry[0] == 38 and entry[1] == 0.0  # every sample counted on the one stack, no CPU


@pytest.mark.skipif(not hasattr(time, "pthread_getcpuclockid"), reason="no per-thread CPU clocks")
def test_a_busy_threads_frames_are_never_held(monkeypatch: pytest.MonkeyPatch) -> None:
    stop, returned, done = threading.Event(), threading.Event(), threading.Event()
    watch: list[weakref.ref] = []

    def busy() -> None:
        local = Big()
        watch.append(weakref.ref(local))
        while not stop.is_set():
            sum(range(200))

    def work() -> None:
        busy()
        returned.set()
        done.wait()

    agent, states, worker = _sampler_and_worker(work)
    try:
        while not watch:  # busy() has started
            time.sleep(0.001)
        # A controlled clock: the worker's CPU clock says it ran a quarter of each 10 ms between samples (a busy
        # thread's share on a loaded machine; its real share there may be anything, even under the 5% that
        # means waiting). Every other thread's clock is the real one.
        worker_clock = time.pthread_getcpuclockid(worker.ident)  # type: ignore[arg-type]
        real, cpu, now = time.clock_gettime, [0.0], 1000.0
        monkeypatch.setattr(time, "clock_gettime", lambda c: cpu[0] if c == worker_clock else real(c))
        for _ in range(3):
            now += 0.01
            cpu[0] += 0.0025
            agent._sample(threading.get_ident(), states, now)
        assert states[worker.ident].share == pytest.approx(0.25)
        assert states[worker.ident].top is None  # busy: its frames are never held
        stop.set()
        assert returned.wait(5)
        assert watch[0]() is None  # died when busy() returned, with no sample since
    finally:
        stop.set()
        done.set()
        worker.join()


def test_a_held_frame_lets_go_at_the_next_sample_and_generators_are_never_held() -> None:
    first, second = threading.Event(), threading.Event()
    watch: list[weakref.ref] = []
    gate = threading.Lock()
    gate.acquire()

    def waits() -> None:
        local = Big()
        watch.append(weakref.ref(local))
        first.wait()

    def resumable() -> Any:
        gate.acquire()  # a C call straight from the generator's frame: its frame is the thread's top
        yield 1

    def work() -> None:
        waits()
        second.wait()
        next(resumable())

    agent, states, worker = _sampler_and_worker(work)
    me = threading.get_ident()
    try:
        parked_in(worker, "waits")
        for _ in range(3):
            agent._sample(me, states, time.perf_counter())
        assert states[worker.ident].top.f_code.co_name == "wait"
        first.set()
        parked_in(worker, "work", outside="waits")  # waits() has returned; the thread waits on `second` now
        assert watch[0]() is not None  # the held frame (Condition.wait) keeps its callers' frames
        agent._sample(me, states, time.perf_counter())
        assert watch[0]() is None  # held until the next sample, no longer
        time.sleep(0.01)
        agent._sample(me, states, time.perf_counter())
        assert held_names(states[worker.ident])[:3] == ["wait", "wait", "work"]  # parked again, elsewhere
        second.set()
        parked_in(worker, "resumable")
        for _ in range(4):
            agent._sample(me, states, time.perf_counter())
            assert states[worker.ident].top is None  # parked in the generator: walked at every sample
        assert any(getattr(c, "co_name", "") == "resumable" for e in agent.stacks.values() for c in e[3])
    finally:
        first.set()
        second.set()
        gate.release()
        worker.join()


def test_an_agent_error_disables_the_agent_not_the_program(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    class Broken(Agent):
        def _sample(self, *args: object, **kwargs: object) -> None:  # weight=: ticks owed (seen under load)
            raise RuntimeError("simulated sampler fault")

    agent = Broken(resolve(overrides={"output-dir": str(tmp_path)}, use_env=False), install_exit_hooks=False).start()
    assert spin(0.2) > 0  # the program carries on
    # The first tick disables it; on a loaded machine (a mutation run, both cores busy) it may come late.
    deadline = time.monotonic() + 10
    while agent.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not agent.running
    assert agent.disabled_reason == "RuntimeError: simulated sampler fault"
    assert "disabled after an internal error (RuntimeError: simulated sampler fault)" in capfd.readouterr().err


def test_unwritable_output_is_reported_not_raised(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with Profile(output_dir=str(blocker / "sub"), **FAST) as run:
        nap(0.05)
    assert run.paths == []
    assert f"could not write the report to '{blocker / 'sub'}'" in capfd.readouterr().err


# -- report formats --------------------------------------------------------------------------------


def test_collapsed_speedscope_and_terminal_reports(tmp_path: Path) -> None:
    with Profile(output_dir=str(tmp_path), write=False, **FAST) as run:
        spin(0.4)
    profile = run.profile
    text = collapsed(profile, "wall")
    lines = text.splitlines()
    assert lines and all(re.fullmatch(r"[^;]+(;[^;]+)* \d+", line) for line in lines)
    assert sum(int(line.rsplit(" ", 1)[1]) for line in lines) == sum(row[1] for row in profile["stacks"])
    spin_label = f"spin (tests/test_profiler.py:{spin.__code__.co_firstlineno})"
    assert any(spin_label in line.split(";")[-1] or f";{spin_label};" in line for line in lines)
    document = json.loads(speedscope(profile))
    assert document["$schema"] == "https://www.speedscope.app/file-format-schema.json"
    frames = document["shared"]["frames"]
    for prof in document["profiles"]:
        assert prof["type"] == "sampled" and prof["unit"] == "milliseconds"
        assert len(prof["samples"]) == len(prof["weights"])
        assert all(0 <= i < len(frames) for sample in prof["samples"] for i in sample)
        assert abs(prof["endValue"] - sum(prof["weights"])) < 0.01
    assert document["activeProfileIndex"] == 1  # CPU time
    table = terminal(profile, "cpu", 5).splitlines()
    assert table[0].startswith("CPU time by function: ")
    assert table[1].split() == ["self%", "total%", "self", "s", "total", "s", "function"]
    assert table[2].split()[4:] == ["spin", f"tests/test_profiler.py:{spin.__code__.co_firstlineno}"]


# -- entry points in real processes ------------------------------------------------------------------

APP = textwrap.dedent(
    """
    import os, sys, threading, time

    def crunch(seconds):
        end = time.perf_counter() + seconds
        n = 0
        while time.perf_counter() < end:
            for i in range(300):
                n += i * i

    def idle(seconds):
        time.sleep(seconds)

    if __name__ == "__main__":
        mode = sys.argv[1]
        print("program output", mode, flush=True)
        t = threading.Thread(target=idle, args=(0.4,), name="idler")
        t.start()
        crunch(0.4)
        t.join()
        if mode == "raise":
            raise ValueError("from the program")
        if mode == "interrupt":
            raise KeyboardInterrupt
        if mode == "term":
            print("ready", flush=True)
            time.sleep(30)
        if mode == "fork":
            print("parent", os.getpid(), flush=True)
            pid = os.fork()
            if pid == 0:
                # A controlled clock: the child works until its agent has taken 20 samples (at most 60 s), not
                # for a fixed 0.4 s, which at load 15 could end before its new sampler thread first ran.
                agent = getattr(sys.modules.get("codeward.profiler"), "_GLOBAL", None)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and (agent is None or agent.rounds < 20):
                    crunch(0.01)
                sys.exit(0)
            os.waitpid(pid, 0)
        sys.exit(int(mode) if mode.isdigit() else 0)
    """
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEWARD_PROFILE")}
    env["PYTHONPATH"] = ROOT
    return env


def _codeward(tmp_path: Path, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    (tmp_path / "app.py").write_text(APP)
    return subprocess.run(
        [sys.executable, "-m", "codeward", "profile", "--isolated", "-o", "out", "--formats", "collapsed", *args],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60, **kwargs,
    )  # fmt: skip


def test_codeward_profile_runs_the_program_and_passes_its_exit_status(tmp_path: Path) -> None:
    result = _codeward(tmp_path, "--", sys.executable, "app.py", "3")
    assert result.returncode == 3, result.stderr
    assert result.stdout == "program output 3\n"  # the program's output is untouched
    reports = sorted((tmp_path / "out").glob("profile-*.json"))
    assert len(reports) == 1
    profile = load(str(reports[0]))
    assert profile["final"] is True and profile["argv"] == ["app.py", "3"]
    assert names_by_self(profile, "cpu")[0] == "crunch"
    err = result.stderr
    assert "CPU time by function:" in err and "crunch  app.py:4" in err
    assert "reports (1 from 1 process) in " in err


def test_program_exceptions_pass_through_and_the_report_is_still_written(tmp_path: Path) -> None:
    result = _codeward(tmp_path, "--", "app.py", "raise")  # a .py file runs with this Python
    assert result.returncode == 1
    assert "ValueError: from the program" in result.stderr
    assert len(list((tmp_path / "out").glob("profile-*.json"))) == 1


def test_keyboard_interrupt_still_writes_the_report(tmp_path: Path) -> None:
    result = _codeward(tmp_path, "--", sys.executable, "app.py", "interrupt")
    assert result.returncode == 130  # as Python reports an uncaught KeyboardInterrupt
    assert len(list((tmp_path / "out").glob("profile-*.json"))) == 1


def test_sigterm_writes_the_report_and_the_program_still_dies_of_sigterm(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    child = subprocess.Popen(
        [sys.executable, "-m", "codeward", "profile", "--isolated", "-q", "-o", "out", "--formats", "collapsed",
         "--", sys.executable, "app.py", "term"],
        cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdout is not None
    while "ready" not in child.stdout.readline():
        pass
    child.send_signal(signal.SIGTERM)  # to codeward, which forwards it to the program
    child.wait(timeout=30)
    assert child.returncode == 128 + signal.SIGTERM
    profile = load_many([str(tmp_path / "out")])
    assert "interrupted by SIGTERM" in profile["notes"]


def test_forked_child_gets_its_own_profile(tmp_path: Path) -> None:
    result = _codeward(tmp_path, "--", sys.executable, "app.py", "fork")
    assert result.returncode == 0, result.stderr
    reports = sorted((tmp_path / "out").glob("profile-*.json"))
    pids = {load(str(p))["pid"] for p in reports}
    assert len(pids) == 2, [p.name for p in reports]
    assert "reports (2 from 2 processes)" in result.stderr
    parent = int(result.stdout.split("parent ")[1].split()[0])
    assert parent in pids
    (child,) = (profile for profile in map(load, map(str, reports)) if profile["pid"] != parent)
    # The child's own work after the fork is in its profile.
    names = {child["frames"][i]["name"] for row in child["stacks"] for i in row[0]}
    assert "crunch" in names, names


SAME_PYTHON = textwrap.dedent(
    """
    import os, sys

    def typed(x: int) -> None:
        pass

    line = sys.stdin.readline().strip()
    print("argv", sys.argv[1:], "name", __name__, "stdin", line, "annotations", typed.__annotations__["x"])
    print("file", __file__ == os.path.abspath(sys.argv[0]), "path0", sys.path[0] == os.path.dirname(__file__))
    print("launcher in this interpreter", "codeward.cli" in sys.modules, file=sys.stderr)
    if sys.argv[1] == "raise":
        raise ValueError("from the program")
    if sys.argv[1] == "interrupt":
        raise KeyboardInterrupt
    sys.exit(int(sys.argv[1]))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the launcher forks on Linux only")
@pytest.mark.parametrize("how", ["script", "module"])
def test_a_program_of_this_python_runs_in_the_launchers_forked_child_as_in_its_own(tmp_path: Path, how: str) -> None:
    """`codeward profile -- python app.py` (this very interpreter, no options) forks instead of starting a second
    interpreter; the program cannot tell (argv, __main__, sys.path[0], stdin, its own annotations semantics, exit
    status, tracebacks that start in the program) except by the launcher's modules. CODEWARD_PROFILE_FORK=0
    starts a new interpreter as before."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "app.py").write_text(SAME_PYTHON)
    target = [os.path.join("pkg", "app.py")] if how == "script" else ["-m", "pkg.app"]
    outcomes = {}
    for fork in ("1", "0"):
        for mode, status in (("3", 3), ("raise", 1), ("interrupt", 130)):
            result = subprocess.run(
                [sys.executable, "-m", "codeward", "profile", "--isolated", "-q", "-o", "out", "--formats", "none",
                 "--", sys.executable, *target, mode],
                cwd=tmp_path, env={**_env(), "CODEWARD_PROFILE_FORK": fork}, input="typed line\n",
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert result.returncode == status, result.stderr
            assert f"launcher in this interpreter {fork == '1'}" in result.stderr
            assert "command.py" not in result.stderr
            # The program's output and its traceback (frames, lines) are the same either way.
            outcomes[fork, mode] = result.stdout + result.stderr.replace(f"interpreter {fork == '1'}", "")
            if mode == "raise":
                assert result.stderr.rstrip().endswith("ValueError: from the program"), result.stderr
                frames = re.findall(r'File "([^"]+)"', result.stderr)
                assert frames and frames[-1] == str(tmp_path / "pkg" / "app.py"), frames
        assert outcomes[fork, "3"] == (
            f"argv ['3'] name __main__ stdin typed line annotations <class 'int'>\nfile True path0 "
            f"{how == 'script'}\nlauncher in this \n"
        )
    assert {k[1]: v for k, v in outcomes.items() if k[0] == "1"} == {
        k[1]: v for k, v in outcomes.items() if k[0] == "0"
    }
    assert len(list((tmp_path / "out").glob("profile-*.json"))) == 6


def test_python_dash_m_profiler(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    result = subprocess.run(
        [sys.executable, "-m", "codeward.profiler", "--isolated", "-o", "out", "--formats", "collapsed", "app.py", "4"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert result.stdout == "program output 4\n"
    assert "crunch  app.py:4" in result.stderr
    assert len(list((tmp_path / "out").glob("profile-*.json"))) == 1


def test_environment_variable_starts_the_agent_in_any_python(tmp_path: Path) -> None:
    """The .pth line that --install-autostart writes, loaded from a site directory, starts the agent."""
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    install = subprocess.run(
        [sys.executable, "-m", "codeward.profiler", "--install-autostart", "--site-dir", str(site_dir)],
        env=_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert install.returncode == 0 and (site_dir / "codeward_profiler_autostart.pth").exists()
    code = f"import site; site.addsitedir({str(site_dir)!r}); import time; time.sleep(0.3)"
    env = {**_env(), "CODEWARD_PROFILER_OUTPUT_DIR": str(tmp_path / "out"), "CODEWARD_PROFILER_FORMATS": "collapsed"}
    off = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert off.returncode == 0 and not (tmp_path / "out").exists()  # not set: nothing happens
    on = subprocess.run(
        [sys.executable, "-c", code], env={**env, "CODEWARD_PROFILE": "1"}, capture_output=True, text=True, timeout=60
    )
    assert on.returncode == 0, on.stderr
    profile = load_many([str(tmp_path / "out")])
    assert any(f["name"] == "<module>" for f in profile["frames"]) and profile["sampling"]["rounds"] >= 10


def test_bad_environment_setting_leaves_the_program_running(tmp_path: Path) -> None:
    env = {**_env(), "CODEWARD_PROFILE": "1", "CODEWARD_PROFILER_MAX_STACK_DEPTH": "lots",
           "PYTHONPATH": os.path.join(ROOT, "profiler", "_bootstrap")}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", "print('ran')"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == "ran\n"
    assert result.stderr == (
        "codeward profiler: not started: environment variable CODEWARD_PROFILER_MAX_STACK_DEPTH: "
        "MaxStackDepth must be a whole number, not 'lots'\n"
    )


def test_profile_command_does_not_import_what_it_does_not_use() -> None:
    code = "import sys; from codeward.cli import build_parser; build_parser(); print(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True, text=True, timeout=60)
    modules = set(result.stdout.split())
    assert (
        not {
            "codeward.profiler.agent",
            "codeward.profiler.html",
            "codeward.profiler.heap",
            "codeward.profiler.model",
            "tracemalloc",
        }
        & modules
    )


def test_docs_readme_and_help_give_the_codes_defaults() -> None:
    """One documented default per setting: the docs' table, --help and (for the census budget) the README."""
    docs = (Path(ROOT) / "docs" / "profiler.md").read_text()
    code, out, _err = run_cli("profile", "--help")
    assert code == 0
    help_text = "".join(out.split())  # argparse wraps long words too
    for spec in SPECS:
        row = next(line for line in docs.splitlines() if line.startswith(f"| `{spec.name}` |"))
        documented = row.split("|")[3].strip().strip("`")
        expected = {True: "on", False: "off", "": "unset"}.get(spec.default, f"{spec.default:g}" if isinstance(
            spec.default, (int, float)) else spec.default)  # fmt: skip
        assert documented == expected, (spec.name, documented, expected)
        if spec.kind is not bool and spec.default != "":
            assert f"(default{spec.default};{spec.env})" in help_text, spec.name
    budget = Settings().heap_budget_percent
    assert f"default {budget:g}% of wall time" in " ".join((Path(ROOT) / "README.md").read_text().split())
