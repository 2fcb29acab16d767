"""Profiler reports: heap census, recommendations, diff and anomalies, and the HTML report in Chromium."""

from __future__ import annotations

import copy
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from codeward.profiler import Profile
from codeward.profiler.compare import anomalies, diff, diff_table
from codeward.profiler.model import FORMAT, VERSION
from codeward.profiler.recommend import recommendations

from tests.helpers import ROOT, run_cli

FAST = {"formats": "collapsed", "heap_budget_percent": 0, "write": False}
CHROMIUM = "/usr/bin/chromium"


def until(seconds: float) -> Any:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        yield


def on_cpu_for(seconds: float, every: int = 16) -> Any:
    """Until this thread has had `seconds` of CPU time: a workload gets as many samples on a loaded machine.
    The clock is read every `every` rounds: thread_time() is a system call, and with both CPUs held by busy
    loops the timer's samples landed mostly in it, when it was read every round (a system call's return is
    where a waiting signal is delivered), leaving the logging workload under its recommendation's threshold."""
    end = time.thread_time() + seconds
    while True:
        for _ in range(every):
            yield
        if time.thread_time() >= end:
            return


# -- heap --------------------------------------------------------------------------------------------


class Blob:
    def __init__(self, n: int) -> None:
        self.n = n
        self.text = f"blob number {n} " * 4


def test_heap_census_counts_live_objects_by_type(tmp_path: Path) -> None:
    def next_census(run: Profile, seen: int, limit: float = 120) -> None:
        # Censuses are spaced by their measured cost and the budget: the heap of a whole test run (or an xdist
        # worker's) makes them slower, so wait for the next one rather than for a fixed time. Not past it
        # silently: the first census must end before the allocation, or the comparison below means nothing.
        for _ in until(limit):
            if len(run.agent.census) > seen:
                return
            time.sleep(0.01)
        pytest.fail(f"no census in {limit:g} s after the first {seen}")

    def began_after(run: Profile, moment: float) -> list[dict[str, Any]]:
        return [c for c in list(run.agent.census) if c["t"] > moment and not c.get("at_exit")]

    with Profile(output_dir=str(tmp_path), write=False, formats="collapsed", heap_budget_percent=50) as run:
        next_census(run, 0)  # the first census runs before the allocation
        blobs = [Blob(i) for i in range(25_000)]
        next_census(run, len(run.agent.census))  # one sees half of them
        blobs += [Blob(i) for i in range(25_000, 50_000)]
        # And one all of them: a census counts the heap as it was when it began, and is listed when it ends, so
        # the next one to end may have begun before this allocation (it saw 25,005 at load 13, and 26,839 when a
        # fixed wait ran out under the full suite at load 4). Wait for one that began after it, by the census's
        # own start time ("t", on the agent's clock), however long a loaded machine makes that (at most 120 s).
        allocated = time.perf_counter() - run.agent._period_perf + 0.001  # "t" is rounded to the millisecond
        for _ in until(120):
            if began_after(run, allocated):
                break
            time.sleep(0.01)
        time.sleep(1.1)  # resident memory is read at the start, once a second and at the end
        after = began_after(run, allocated)
    census = [c for c in run.profile["heap"]["census"] if not c.get("at_exit")]  # the exit's may be thinned
    assert len(census) >= 3 and after, census
    last = after[0]["types"]
    name = f"{Blob.__module__}.Blob"
    assert name in last
    count, size = last[name]
    # An estimate when the heap is large (an even stride of containers, scaled up): within a fifth, also when its
    # budget cut the census short on a loaded machine (the passes it finished are scaled up, each an even eighth
    # of its sample: see test_a_census_stopped_at_its_deadline_scales_up_its_finished_passes). Within a third if
    # it did not finish one (then the oldest part of the heap is overweighted).
    low, high = (33_000, 67_000) if after[0].get("passes") == 0 else (40_000, 60_000)
    assert low <= count <= high, (count, after[0]["stride"], after[0].get("stopped_early"))
    assert size >= count * 40  # instances have a real size
    assert census[0]["types"].get(name, [0])[0] < count  # the census before the allocation saw fewer
    assert last["str"][0] >= 40_000  # the strings the instances hold are counted too
    from codeward.profiler.html import render

    page = render(run.profile)
    row = re.search(rf"<tr><td class='l'><code>{re.escape(name)}</code>.*?</tr>", page)
    assert row, "the type's row in the HTML table"
    spark = re.search(r'aria-label="size of [^"]+ over time"><polyline [^>]*points="([^"]+)"', row.group(0))
    assert spark, "a sparkline of the type's size across censuses"
    ys = [float(p.split(",")[1]) for p in spark.group(1).split()]
    # It grew: a later point is drawn higher (SVG y grows downwards). Not necessarily the last: the census at
    # exit may be a thinned estimate, within what the budget left.
    assert len(ys) >= 2 and min(ys[1:]) < ys[0]
    rss = run.profile["heap"]["rss"]
    assert len(rss) >= 3 and all(b > 1_000_000 for _, b in rss)
    del blobs


def test_a_census_stopped_at_its_deadline_scales_up_its_finished_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A controlled clock stops the census halfway through its third pass (of eight, each an even eighth of the
    heap, old objects first). The newest objects, 50,000 just made, are estimated from the two finished passes:
    scaling the half pass too would count the old half of the heap twice as often as the new one (-20% here)."""
    import gc

    from codeward.profiler import heap

    blobs = [Blob(i) for i in range(50_000)]
    containers = len(gc.get_objects())
    stride = max(1, -(-containers // heap.MAX_EXAMINED))
    pass_checks = containers // stride // 8 // 256  # the census reads its clock every 256 containers
    calls = iter(range(10**9))
    # Calls: the start, the end of the listing, then one every 256 containers; the deadline is the clock's value
    # at two and a half passes.
    monkeypatch.setattr(heap, "time", type("Clock", (), {"perf_counter": staticmethod(lambda: next(calls))}))
    result = heap.census(deadline=2 + 2.5 * pass_checks)
    assert (
        result["stopped_early"]
        and result["passes"] == 2
        and 2.3 * pass_checks * 256 < result["examined"] < 2.7 * pass_checks * 256
    )
    count = result["types"][f"{Blob.__module__}.Blob"][0]
    assert 45_000 <= count <= 55_000, (count, result["examined"], stride)
    del blobs


def test_census_pauses_stay_within_the_heap_budget(tmp_path: Path) -> None:
    kept = [{"key": i, "value": [i, i]} for i in range(100_000)]  # a heap that makes a census take a while
    with Profile(output_dir=str(tmp_path), write=False, formats="collapsed", heap_budget_percent=20) as run:
        # The census's cost grows with the whole process's heap (large when the full suite runs in one
        # process), so the gaps do too: wait for two censuses rather than for a fixed time. Waiting, not
        # spinning: a spinning main thread takes half the GIL from the census (60 s were not enough at load 12).
        for _ in until(180):
            if len(run.agent.census) >= 2:
                break
            time.sleep(0.02)
    census = run.profile["heap"]["census"]
    taken = [c for c in census if not c.get("at_exit")]
    assert len(taken) >= 2, census
    # CPU time is read just after the wall clock at both ends, so it may run a little over: 5% and 2 ms.
    assert all(c["seconds"] > 0 and 0 < c["cpu_seconds"] <= c["seconds"] * 1.05 + 0.002 for c in taken)

    # Censuses wait until the budget (20% of the run so far, less what censuses took) pays for one: at the end
    # of each, all of them so far took at most 20% of the time since the agent started.
    # Each census is held to the budget by its CPU time (its own thread's: what it took from the program). Its wall
    # time also holds the time a loaded machine kept the process off the CPU, between the census's deadline checks
    # (every 256 containers) and in its summary after the last one, which no budget can control: a census off the
    # CPU a third of its time (load 14) broke the bound, and shorter stalls (under 1.5x, once held to wall time
    # here) add up past the 50 ms slack. On a quiet machine the two clocks agree (CPU time is at most the wall
    # time, checked above), so a census that overruns its budget still fails here.
    def cost(c: dict[str, Any]) -> float:
        return c["cpu_seconds"]

    # Slack: a census cannot stop while gc.get_objects() lists the heap ("list_seconds", before it can look at
    # its clock), which a loaded machine or the whole suite's heap in one worker stretches; the budget's
    # arithmetic itself is checked exactly, on a controlled clock, in the next test.
    spent = listing = 0.0
    for c in taken:
        spent += cost(c)
        listing += c.get("list_seconds", 0.0)
        assert spent <= 0.2 * (c["t"] + c["seconds"]) + listing + 0.05, taken
    # The census at exit (taken, thinned or skipped) keeps the whole run's share within the budget too.
    listing = sum(c.get("list_seconds", 0.0) for c in census)
    assert sum(cost(c) for c in census) <= 0.2 * run.profile["duration"] + listing + 0.05, census
    del kept


class _Clock:
    """A controlled clock for the agent's census budget: time moves only when the test or the fake census says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def perf_counter(self) -> float:
        return self.now

    thread_time = monotonic = time = perf_counter


@pytest.mark.parametrize("budget", [0.2, 5.0])
def test_the_census_budget_holds_at_every_census_and_at_exit_on_a_controlled_clock(
    monkeypatch: pytest.MonkeyPatch, budget: float
) -> None:
    """The budget's arithmetic, free of the machine's load: on a controlled clock, a census that takes 2 ms to
    list the heap and 20 µs a container examined (stopping at its deadline, as heap.census does) is run whenever
    the agent says one is due, for 300 s of simulated run, then once at exit at odd moments. After every census,
    the censuses' total time is within the budget's share of the run so far; censuses do happen."""
    from codeward.profiler import agent as agent_module
    from codeward.profiler import heap
    from codeward.profiler.settings import Settings

    clock = _Clock()
    monkeypatch.setattr(agent_module, "time", clock)
    taken: list[float] = []  # what each census took, by the test's own count (not the agent's)

    def fake_census(max_examined: int = heap.MAX_EXAMINED, deadline: float | None = None, **_: Any) -> dict:
        began = clock.now
        clock.now += 0.002  # listing: before the census can look at its clock
        examined = min(max_examined, 30_000)
        end = clock.now + examined * 20e-6
        stopped = deadline is not None and end > deadline
        if stopped:
            examined = max(1, int((deadline - clock.now) / 20e-6))
            end = max(clock.now, deadline)
        clock.now = end
        taken.append(end - began)
        return {"types": {}, "objects": 1, "bytes": 1, "stride": 1, "examined": examined, "list_seconds": 0.002,
                "stopped_early": stopped, "began": began}  # fmt: skip

    monkeypatch.setattr(heap, "census", fake_census)
    for exit_after in (0.003, 7.77, 300.0):
        agent = agent_module.Agent(Settings(heap_budget_percent=budget, output_dir="unused"), install_exit_hooks=False)
        agent._started_perf = agent._period_perf = clock.now
        taken.clear()
        start, share = clock.now, budget / 100.0
        due = agent._census_due(clock.now)
        while due < start + exit_after:
            clock.now = due
            due = agent._budgeted_census(clock.now)
            assert sum(taken) <= share * (clock.now - start) + 0.002 + 1e-9  # 2 ms: the listing
        clock.now = start + exit_after
        agent._budgeted_census(clock.now, at_exit=True)
        assert sum(taken) <= share * (clock.now - start) + 0.002 + 1e-9, (exit_after, agent.census)
        assert agent._census_spent == pytest.approx(sum(taken))  # the agent counts what its censuses took
        if exit_after == 300.0:  # the budget pays for censuses: they run (a full one costs 0.6-0.9 s here)
            assert len(agent.census) >= (10 if budget >= 5 else 1), agent.census
        if exit_after == 0.003:
            assert not agent.census and any("no census at exit" in n for n in agent.notes)


def test_trace_allocations_names_the_allocating_line(tmp_path: Path) -> None:
    with Profile(output_dir=str(tmp_path), trace_allocations=True, **FAST) as run:
        kept = [bytearray(1000) for _ in range(3000)]  # the allocation site
        time.sleep(0.05)
    sites = run.profile["heap"]["allocations"]
    top = sites[0]
    assert top["traceback"][0]["file"] == __file__
    line = Path(__file__).read_text().splitlines()[top["traceback"][0]["line"] - 1]
    assert "bytearray(1000)" in line and top["size"] >= 3_000_000 and top["count"] >= 3000
    del kept


# -- recommendations ---------------------------------------------------------------------------------


def regex_heavy() -> None:
    for i, _ in enumerate(on_cpu_for(0.4)):
        re.compile(f"x{i}(ab|cd)+[0-9]{{2,{i % 7 + 3}}}w")


def deepcopy_heavy() -> None:
    data = {"a": [list(range(20)) for _ in range(20)], "b": {"c": ({"d": 1},) * 10}}
    for _ in on_cpu_for(0.4):
        copy.deepcopy(data)


def json_heavy() -> None:
    data = {"items": [{"id": i, "name": f"n{i}", "tags": ["x", "y"]} for i in range(100)]}
    for _ in on_cpu_for(0.4):
        json.dumps(data, indent=2)  # indent takes the pure-Python encoder


def logging_heavy() -> None:
    log = logging.getLogger("codeward-test-heavy")
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(logging.Formatter("%(asctime)s %(funcName)s:%(lineno)d %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    for i, _ in enumerate(on_cpu_for(0.4)):
        log.info("item %d of %s", i, "batch")
    log.removeHandler(handler)


def expensive(key: int) -> int:
    return sum(range(key % 50 + 500))


def exception_heavy() -> None:
    cache: dict[int, int] = {}
    for i, _ in enumerate(on_cpu_for(0.4)):
        try:
            value = cache[i]
        except KeyError:
            value = cache[i] = expensive(i)  # the default computed while handling the exception
        del value


def boto3_heavy(tmp_path: Path) -> None:
    # A package laid out like boto3 (boto3/session.py, Session.client) whose client() does the costly part
    # for real: it parses a service model from disk on every call.
    package = tmp_path / "boto3"
    package.mkdir()
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"operations": {f"Op{i}": {"input": {"shape": f"S{i}"}} for i in range(300)}}))
    (package / "__init__.py").write_text("from boto3.session import Session\n")
    (package / "session.py").write_text(
        "import json\n"
        "class Session:\n"
        "    def client(self, name, model):\n"
        "        with open(model) as handle:\n"
        "            return json.loads(handle.read())\n"
    )
    real = {m: sys.modules.pop(m) for m in list(sys.modules) if m == "boto3" or m.startswith("boto3.")}
    sys.path.insert(0, str(tmp_path))
    try:
        import boto3  # type: ignore[import-not-found]

        for _ in on_cpu_for(0.4):
            boto3.Session().client("s3", str(model))  # a new client per request: the anti-pattern
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "boto3" or m.startswith("boto3.")]:
            del sys.modules[name]
        sys.modules.update(real)  # the real boto3, when another test imported it


@pytest.mark.parametrize(
    ("workload", "expected", "caller"),
    [
        (regex_heavy, "regex-compile", "regex_heavy"),
        (deepcopy_heavy, "deepcopy", "deepcopy_heavy"),
        (json_heavy, "serialization", "json_heavy"),
        (logging_heavy, "logging", "logging_heavy"),
        (exception_heavy, "exceptions", "expensive"),
        (boto3_heavy, "boto3-clients", "boto3_heavy"),
    ],
)
def test_recommendations_find_costly_patterns(tmp_path: Path, workload: Any, expected: str, caller: str) -> None:
    wall, cpu = time.perf_counter(), time.thread_time()
    with Profile(output_dir=str(tmp_path), **FAST) as run:
        workload(tmp_path) if workload is boto3_heavy else workload()
    got = (time.thread_time() - cpu) / (time.perf_counter() - wall)  # the share of a CPU the workload had
    found = recommendations(run.profile)
    ids = [r["id"] for r in found]
    assert expected in ids, found
    rec = found[ids.index(expected)]
    # 30-60% on a quiet machine. With both CPUs busy (the workload got under half a CPU) samples scatter, most
    # landing in on_cpu_for's loop (seen: 3.6-62% over runs at load 9-15), so only the finding itself is asserted.
    assert rec["share"] >= (10 if got >= 0.5 else 1) and rec["metric"] == "cpu", (rec["share"], got)
    assert rec["called_from"][0].startswith(caller + " (tests/test_profiler_reports.py:"), rec["called_from"]
    # Nothing is flagged in a plain computation.
    with Profile(output_dir=str(tmp_path), **FAST) as plain:
        for _ in until(0.3):
            sum(i * i for i in range(1000))
    assert recommendations(plain.profile) == []


# -- diff and anomalies ------------------------------------------------------------------------------


def synthetic(shares: dict[str, float], samples: int = 1000, start: float = 1_700_000_000.0) -> dict[str, Any]:
    """A profile where each function is called from main and takes the given share of samples."""
    frames = [{"name": "main", "file": "/srv/app/main.py", "line": 1}]
    stacks = []
    for name, share in shares.items():
        frames.append({"name": name, "file": "/srv/app/work.py", "line": 10 + len(frames)})
        n = round(samples * share / 100)
        stacks.append([[0, len(frames) - 1], n, float(n), 0])
    return {
        "format": FORMAT, "version": VERSION, "pid": 1, "argv": ["app.py"], "cwd": "/srv/app", "python": "3.11",
        "start": start, "duration": samples / 100, "final": True,
        "settings": {"SamplingIntervalInMilliseconds": 10}, "sampling": {"rounds": samples},
        "notes": [], "threads": {"MainThread": samples}, "frames": frames, "stacks": stacks,
        "heap": {"census": [], "rss": [], "allocations": None},
    }  # fmt: skip


def test_diff_ranks_functions_by_change_of_share() -> None:
    base = synthetic({"parse": 50, "render": 30, "save": 20})
    new = synthetic({"parse": 30, "render": 60, "save": 10}, samples=3000)  # longer run: shares still compare
    result = diff(base, new)
    assert result.metric == "cpu"
    assert [(r.name, round(r.change, 1)) for r in result.rows] == [
        ("render", 30.0), ("parse", -20.0), ("save", -10.0), ("main", 0.0),
    ]  # fmt: skip
    assert [r.name for r in result.regressions(5)] == ["render"]
    assert result.regressions(30) == []
    assert diff_table(result, 2).splitlines() == [
        "Change in share of cpu time, NEW minus BASE (percentage points), largest first",
        "   change  base%   new%  self Δ  function",
        "    +30.0   30.0   60.0   +30.0  render  work.py:12",
        "    -20.0   50.0   30.0   -20.0  parse  work.py:11",
    ]


def test_diff_command_gates_ci_on_regression(tmp_path: Path) -> None:
    (tmp_path / "base.json").write_text(json.dumps(synthetic({"parse": 50, "render": 50})))
    (tmp_path / "new.json").write_text(json.dumps(synthetic({"parse": 42, "render": 58})))
    base, new = str(tmp_path / "base.json"), str(tmp_path / "new.json")
    code, out, err = run_cli("profile", "diff", base, new, "--fail-on-regression", "5")
    assert code == 1
    assert "+8.0   50.0   58.0    +8.0  render  work.py:12" in out
    assert err == (
        "codeward profile: regression: render grew by 8.0 points (over --fail-on-regression 5); "
        "1 function over the limit\n"
    )
    code, _out, err = run_cli("profile", "diff", base, new, "--fail-on-regression", "10", "--html", str(tmp_path / "d.html"))  # fmt: skip
    assert code == 0 and err == f"wrote {tmp_path / 'd.html'}\n"
    code, _out, err = run_cli("profile", "diff", base, str(tmp_path / "missing.json"))
    assert code == 2 and err == f"codeward: error: {tmp_path / 'missing.json'}: no such file or directory\n"
    (tmp_path / "other.json").write_text('{"hello": 1}')
    code, _out, err = run_cli("profile", "diff", base, str(tmp_path / "other.json"))
    assert code == 2 and 'is not a codeward profile (no "format": "codeward-profile")' in err


def test_anomaly_check_against_history(tmp_path: Path) -> None:
    history = [synthetic(s) for s in ({"a": 50, "b": 50}, {"a": 52, "b": 48}, {"a": 49, "b": 51})]
    assert anomalies(history, synthetic({"a": 51, "b": 49})) == []  # within normal variation
    found = anomalies(history, synthetic({"a": 70, "b": 30}))
    assert [(a.name, round(a.change, 2), round(a.mean, 2)) for a in found] == [("a", 19.67, 50.33)]
    for i, p in enumerate(history):
        (tmp_path / f"h{i}.json").write_text(json.dumps(p))
    (tmp_path / "new.json").write_text(json.dumps(synthetic({"a": 70, "b": 30})))
    hist = [str(tmp_path / f"h{i}.json") for i in range(3)]
    code, out, err = run_cli("profile", "check", str(tmp_path / "new.json"), "--history", *hist, "--fail-on-regression", "10")  # fmt: skip
    assert code == 1 and "a grew by 19.7 points" in err
    assert out.splitlines()[2].split() == ["+19.7", "50.3", "1.53", "70.0", "a", "work.py:11"]
    code, _out, err = run_cli("profile", "check", str(tmp_path / "new.json"), "--history", hist[0])
    assert code == 2 and "--history needs at least 2 profiles" in err


def test_show_merges_a_run_directory_and_writes_other_formats(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "profile-1-1.json").write_text(json.dumps(synthetic({"parse": 80, "render": 20})))
    (out / "profile-1-2.json").write_text(json.dumps(synthetic({"parse": 20, "render": 80}, start=1_700_000_010.0)))
    code, text, err = run_cli("profile", "show", str(out), "--speedscope", str(tmp_path / "s.json"))
    assert code == 0, err
    rows = [line.split() for line in text.splitlines()[2:4]]
    assert rows == [["50.0", "50.0", "10.000", "10.000", "parse", "work.py:11"],
                    ["50.0", "50.0", "10.000", "10.000", "render", "work.py:12"]]  # fmt: skip
    assert json.loads((tmp_path / "s.json").read_text())["profiles"][1]["endValue"] == 20000.0


# -- HTML in a real browser --------------------------------------------------------------------------


def chromium(url: str, *extra: str, profile_dir: Path) -> subprocess.CompletedProcess[str]:
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile_dir}", "--virtual-time-budget=5000", *extra, url,
    ]  # fmt: skip
    return subprocess.run(args, capture_output=True, text=True, timeout=90)


needs_chromium = pytest.mark.skipif(
    not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} is absent (apt-get install chromium) to render HTML reports"
)


def crunch_numbers() -> int:
    total = 0
    for _ in on_cpu_for(0.5):  # CPU time, as json_heavy: their shares of the wall time hold on a loaded machine
        for i in range(300):
            total += i * i
    return total


@needs_chromium
def test_html_report_renders_in_chromium_with_the_expected_frames(tmp_path: Path) -> None:
    with Profile(output_dir=str(tmp_path / "out"), formats="html", heap_budget_percent=5) as run:
        crunch_numbers()
        json_heavy()
    page = next(p for p in run.paths if p.endswith(".html"))
    source = Path(page).read_text()
    assert "default-src 'none'" in source and not re.search(r"""(src|href)=["']?https?:""", source)
    dom = chromium(f"file://{page}#search=crunch_numbers&metric=wall", "--dump-dom", profile_dir=tmp_path / "c1").stdout
    assert 'data-ready="yes"' in dom
    frames = re.findall(r'<div class="fr( match| dim)?"[^>]*data-name="([^"]+)"', dom)
    names = {name for _, name in frames}
    assert {
        "all",
        "crunch_numbers",
        "json_heavy",
        "test_html_report_renders_in_chromium_with_the_expected_frames",
    } <= names
    assert all(cls == " match" for cls, name in frames if name == "crunch_numbers")
    matched = float(re.search(r'data-matched="([0-9.]+)"', dom).group(1))  # type: ignore[union-attr]
    # The page's own arithmetic: the share of wall time in stacks through crunch_numbers. About half on a quiet
    # machine; a loaded one shifts the two workloads' shares of the wall time, not the sum.
    frames, rows = run.profile["frames"], run.profile["stacks"]
    through = sum(row[1] for row in rows if any(frames[i]["name"] == "crunch_numbers" for i in row[0]))
    assert matched == pytest.approx(100 * through / sum(row[1] for row in rows), abs=0.01)
    assert 0 < matched < 100  # 10.7 to 14.7 seen at load 12 before both workloads ran for CPU time
    # The page shows the profile's recommendations, serialization (json_heavy's) among them. With both CPUs held
    # by busy loops under pytest-xdist, the samples of the workloads' own loops (on_cpu_for, then a system call a
    # turn) outnumbered json's: its share fell under the 5% threshold in one run of three, and the page then
    # rightly had no such recommendation. The sampling's accuracy is the subject of other tests.
    shown = re.findall(r'<div class="rec" data-id="([^"]+)">', dom)
    assert shown == [rec["id"] for rec in recommendations(run.profile)]
    assert "serialization" in shown or any(f["file"].endswith("/json/encoder.py") for f in frames)
    assert re.search(r"<td class=\"l\"><code>crunch_numbers</code></td>", dom)
    assert '<svg class="chart" id="memory"' in dom and '<table id="types">' in dom
    zoomed = chromium(f"file://{page}#zoom=json_heavy", "--dump-dom", profile_dir=tmp_path / "c2").stdout
    assert "zoomed on json_heavy" in zoomed and 'data-name="crunch_numbers"' not in zoomed
    shot = tmp_path / "report.png"
    chromium(f"file://{page}", f"--screenshot={shot}", "--window-size=1200,900", profile_dir=tmp_path / "c3")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    keep = os.environ.get("CODEWARD_TEST_ARTIFACTS")
    if keep:
        shutil.copy(shot, Path(keep) / "profiler-report.png")


@needs_chromium
def test_diff_html_colours_grown_frames_red(tmp_path: Path) -> None:
    base, new = synthetic({"parse": 50, "render": 50}), synthetic({"parse": 20, "render": 80})
    from codeward.profiler.html import render_diff

    page = tmp_path / "diff.html"
    page.write_text(render_diff(base, new, diff(base, new)))
    dom = chromium(f"file://{page}", "--dump-dom", profile_dir=tmp_path / "c").stdout
    render = re.search(r'<div class="fr"[^>]*data-name="render"[^>]*style="([^"]*)"', dom)
    parse = re.search(r'<div class="fr"[^>]*data-name="parse"[^>]*style="([^"]*)"', dom)
    main = re.search(r'<div class="fr"[^>]*data-name="main"[^>]*style="([^"]*)"', dom)
    assert render and "rgb(255, 75, 75)" in render.group(1)  # +30 points: full red
    assert parse and "rgb(75, 75, 255)" in parse.group(1)  # -30 points: full blue
    assert main and "rgb(238, 238, 238)" in main.group(1)  # unchanged: grey


def test_html_escapes_hostile_names(tmp_path: Path) -> None:
    from codeward.profiler.html import render

    profile = synthetic({"</script><script>alert(1)</script>": 100})
    text = render(profile)
    assert "</script><script>alert(1)" not in text
    assert text.count("<script") == 2  # the data block and the renderer, nothing injected
    # The page needs nothing from the repository, nor anything else, at view time: no links, no paths.
    assert not re.search(r"\b(?:src|href)\s*=|url\(|@import", text, re.I)
    assert ROOT not in text
