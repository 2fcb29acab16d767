"""Every process of a profiled program reports, the agent never shows in a profile, and the census at exit
keeps to its budget: real programs in real processes, under `codeward profile` and the other entry points."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from codeward.profiler.model import function_table, load, load_many

from tests.helpers import ROOT

WORKERS = textwrap.dedent(
    """
    import multiprocessing as mp, os, sys, time
    from concurrent.futures import ProcessPoolExecutor

    def crunch_in_worker(n):
        # 0.3 s of CPU time (as many samples on a loaded machine), and at least until the worker's agent has
        # taken 20 samples, for at most 10 s a task: at load 15 a new process's sampler thread may first run
        # late, but its rounds also pause while the thread backs off (up to 60 s) and the SIGPROF timer samples;
        # 60 s a task made two tasks per worker reach the run's 120 s timeout on a quiet machine.
        agent = getattr(sys.modules.get("codeward.profiler"), "_GLOBAL", None)
        end, deadline, total = time.thread_time() + 0.3, time.monotonic() + 10, 0
        while time.thread_time() < end or (agent is not None and agent.rounds < 20 and time.monotonic() < deadline):
            total += sum([i * i for i in range(300)])
        return os.getpid()

    if __name__ == "__main__":
        method = sys.argv[1]
        if method == "executor":
            with ProcessPoolExecutor(2, mp_context=mp.get_context("fork")) as pool:
                pids = set(pool.map(crunch_in_worker, range(4)))
        elif method == "os.fork":
            pid = os.fork()
            if pid == 0:
                crunch_in_worker(0)
                sys.exit(0)
            os.waitpid(pid, 0)
            pids = {pid}
        else:
            with mp.get_context(method).Pool(2) as pool:
                pids = set(pool.map(crunch_in_worker, range(4)))
        print("workers", len(pids), flush=True)
    """
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEWARD_PROFILE")}
    env["PYTHONPATH"] = ROOT
    return env


def _profile(
    tmp_path: Path, script: str, *args: str, options: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "app.py").write_text(script)
    command = [sys.executable, "-m", "codeward", "profile", "--isolated", "-o", "out", "--formats", "collapsed",
               *options, "--", sys.executable, "app.py", *args]  # fmt: skip
    # faulthandler in every process of the run (the environment reaches the workers and multiprocessing's helpers):
    # at a hang, SIGABRT makes each write every thread's Python stack to the run's stderr (see _hung).
    env = {**_env(), "PYTHONFAULTHANDLER": "1"}
    # A session of its own, so that a timeout kills the launcher, the program and its workers together (killing
    # the launcher alone once left a spawned program and its worker running after the suite).
    with subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    ) as process:  # fmt: skip
        try:
            # Generous: a spawn or forkserver run starts four interpreters, each with the agent, and its workers
            # wait up to 10 s a task for their agents' samples; with both CPUs held and the rest of the suite
            # running alongside, one such run once reached 120 s. The timeout only bounds a hang.
            out, err = process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            raise AssertionError(_hung(process)) from None
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def _hung(process: subprocess.Popen[str]) -> str:
    """A hang, not slowness: where every process of the run's session is (the launcher, the program, its workers,
    multiprocessing's helpers), then the run ended. First each thread's kernel wait and signal state from /proc (a
    signal taken by the wrong thread, or blocked where it should not be, leaves a process waiting in a lock with the
    signal pending), then each process's Python stacks from faulthandler (SIGABRT: a C handler, it runs even where
    the main thread waits in a lock; py-spy was not installed where the forkserver case hung)."""
    listing = subprocess.run(["ps", "-s", str(process.pid), "-o", "pid=,stat=,args="], capture_output=True, text=True)
    states = [listing.stdout]
    pids = [int(line.split()[0]) for line in listing.stdout.splitlines()]
    for line, pid in zip(listing.stdout.splitlines(), pids, strict=True):
        states.append(f"--- {line}\n{_thread_states(str(pid))}")
    for pid in reversed(pids):  # the workers before the program and the launcher that wait for them
        try:  # noqa: SIM105
            os.kill(pid, signal.SIGABRT)
        except ProcessLookupError:
            pass
    try:
        _, err = process.communicate(timeout=30)  # the launcher's own stderr, and every process's dump in it
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
    try:  # noqa: SIM105  (whatever is left of the session)
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return "the run hung for 300 s; its processes:\n" + "\n".join(states) + f"\ntheir stacks (faulthandler):\n{err}"


def _thread_states(pid: str) -> str:
    """Each thread's name, state, kernel wait channel and signal masks (pending, shared pending, blocked, caught)."""
    rows = []
    for tid in sorted(os.listdir(f"/proc/{pid}/task")) if os.path.isdir(f"/proc/{pid}/task") else []:
        try:
            fields = dict(
                line.split(":\t", 1) for line in Path(f"/proc/{pid}/task/{tid}/status").read_text().splitlines()
            )
            wchan = Path(f"/proc/{pid}/task/{tid}/wchan").read_text()
        except OSError:
            continue
        keys = ("Name", "State", "SigPnd", "ShdPnd", "SigBlk", "SigCgt")
        rows.append(f"  thread {tid} wchan={wchan} " + " ".join(f"{k}={fields.get(k, '?')}" for k in keys))
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn", "executor", "os.fork"])
def test_every_worker_process_is_profiled_into_the_run(tmp_path: Path, method: str) -> None:
    result = _profile(tmp_path, WORKERS, method)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("workers ")
    paths = sorted((tmp_path / "out").glob("profile-*.json"))
    profiles = [load(str(p)) for p in paths]
    with_worker = [p for p in profiles if any(f["name"] == "crunch_in_worker" for f in p["frames"])]
    workers = int(result.stdout.split()[1])
    # Each worker that ran the function reported it (the parent never runs it); forkserver and spawn add
    # the helper processes multiprocessing starts (the fork server, the resource tracker), which report too.
    assert len(with_worker) >= workers >= 1, [(p["pid"], p["argv"]) for p in profiles]
    assert all(p["pid"] != profiles[0]["pid"] or p is profiles[0] for p in with_worker[1:])
    merged = load_many([str(tmp_path / "out")])
    table = function_table(merged, "cpu")
    assert "crunch_in_worker" in {s.name for s in table.hottest("self", 3)}
    pids = {p["pid"] for p in profiles}
    assert f"from {len(pids)} processes" in result.stderr
    assert "crunch_in_worker" in result.stderr  # the summary's table names it
    assert len({p["run"] for p in profiles}) == 1 and profiles[0]["run"]  # one run, stamped by the launcher


FORK_DURING_IMPORT = textwrap.dedent(
    """
    import os, sys, threading, time
    from importlib.machinery import PathFinder

    importing = threading.Event()

    class SlowCensusImport:
        # The agent's thread imports the census module when it starts; this holds that import for a second
        # while the module is half made (in sys.modules, its import lock held), as a loaded machine can.
        def find_spec(self, name, path=None, target=None):
            if name != "codeward.profiler.heap" or threading.current_thread() is threading.main_thread():
                return None
            spec = PathFinder.find_spec(name, path)
            run = spec.loader.exec_module

            def slowly(module):
                importing.set()
                time.sleep(1.0)
                run(module)

            spec.loader.exec_module = slowly
            return spec

    def crunch_in_child():
        end, total = time.thread_time() + 0.3, 0
        while time.thread_time() < end:
            total += sum([i * i for i in range(300)])

    sys.meta_path.insert(0, SlowCensusImport())
    from codeward import profiler

    profiler.start(output_dir="out", heap_budget_percent=1)
    importing.wait(30)
    pid = os.fork()  # the program forks while the agent's thread is inside that import
    if pid == 0:
        crunch_in_child()
        sys.exit(0)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            print("child", pid, os.waitstatus_to_exitcode(status), flush=True)
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        print("child", pid, "hung", flush=True)
    """
)


def test_a_fork_while_the_agent_imports_leaves_the_child_working(tmp_path: Path) -> None:
    """A module's import lock held by a thread at fork stays held in the child, where that thread is gone (Python
    resets only the global import lock): the child's agent then waits forever for it, or gets the half-made
    module. The agent's threads import only while holding the lock the fork waits for."""
    (tmp_path / "app.py").write_text(FORK_DURING_IMPORT)
    result = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, env=_env(), capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    _, child, status = result.stdout.split()
    assert status == "0", result.stderr
    assert "disabled" not in result.stderr, result.stderr
    (path,) = (tmp_path / "out").glob(f"profile-{child}-*.json")
    profile = load(str(path))
    assert "crunch_in_child" in {f["name"] for f in profile["frames"]}, profile["notes"]


AGENT_MARKS = ("Agent._on_tick", "Agent._sample", "Agent._loop", "maybe_start", "sitecustomize",
               "_run_code", "run_path", "/profiler/agent.py", "/profiler/sigtimer.py", "/profiler/__main__.py",
               "/profiler/__init__.py")  # fmt: skip

BUSY = textwrap.dedent(
    """
    import threading, time

    def crunch(seconds):
        end, total = time.thread_time() + seconds, 0
        while time.thread_time() < end:
            total += sum([i * i for i in range(300)])
        return total

    def main():
        t = threading.Thread(target=time.sleep, args=(0.5,))
        t.start()
        crunch(0.8)
        t.join()

    if __name__ == "__main__":
        main()
    """
)


def _outputs(directory: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(directory.iterdir()) if p.is_file())


def _assert_no_agent(text: str, profile: dict) -> None:
    for mark in AGENT_MARKS:
        assert mark not in text, mark
    names = [f["name"] for f in profile["frames"]]
    assert names and "main" in names and "crunch" in names
    # Every stack starts where the program does (its module, its threads), not in the launcher or runpy; a tick
    # that lands while the interpreter joins threads at exit starts in CPython's own `threading._shutdown`
    # (seen once in a clean-clone run), which is the program's exit, not the agent.
    roots = {profile["frames"][ids[0]]["name"] for ids, *_ in profile["stacks"]}
    assert roots <= {"<module>", "Thread._bootstrap", "_shutdown"}, roots
    assert "<module>" in roots, roots


def test_the_agent_is_absent_from_every_output_of_codeward_profile(tmp_path: Path) -> None:
    result = _profile(tmp_path, BUSY, options=("--formats", "html,speedscope,collapsed"))
    assert result.returncode == 0, result.stderr
    profile = load_many([str(tmp_path / "out")])
    assert profile["sampling"]["timer_samples"] > 0  # the SIGPROF handler ran, and is not in the profile
    _assert_no_agent(_outputs(tmp_path / "out"), profile)
    for mark in ("_on_tick", "_sample", "sigtimer"):
        assert mark not in result.stderr


def test_the_agent_is_absent_in_process_too(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(BUSY)
    result = subprocess.run(
        [sys.executable, "-m", "codeward.profiler", "--isolated", "-o", "out", "--formats", "html,speedscope,collapsed",
         "app.py"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    subprocess.run([sys.executable, "-m", "codeward", "profile", "report", "out"], cwd=tmp_path, env=_env(),
                   capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    profile = load_many([str(tmp_path / "out")])
    _assert_no_agent(_outputs(tmp_path / "out"), profile)
    decorated = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, ".")
        from app import crunch, main
        from codeward import profiler

        @profiler.profile(output_dir="deco", formats="collapsed", heap_budget_percent=0)
        def run():
            main()

        run()
        """
    )
    (tmp_path / "deco.py").write_text(decorated)
    result = subprocess.run([sys.executable, "deco.py"], cwd=tmp_path, env=_env(), capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    profile = load_many([str(tmp_path / "deco")])
    text = _outputs(tmp_path / "deco")
    for mark in AGENT_MARKS:
        assert mark not in text, mark
    frames = profile["frames"]
    chains = [[frames[i]["name"] for i in ids] for ids, *_ in profile["stacks"]]
    assert any(chain[:3] == ["<module>", "run", "main"] for chain in chains)  # the wrapper is gone between them


def test_agent_samples_are_counted_apart_from_the_program() -> None:
    from codeward.profiler.agent import Agent
    from codeward.profiler.settings import Settings
    from codeward.profiler.snapshot import build_profile

    agent = Agent(Settings(heap_budget_percent=0), install_exit_hooks=False)

    def program() -> object:
        return sys._getframe()

    frame = program()  # a stack of the program's: this test's frames under pytest's
    own = Agent.report.__code__
    handler = (Agent._sample.__code__, Agent._on_tick.__code__)
    agent.stacks = {
        (1,): [5, 2.0, 0, (frame.f_code, *_callers(frame))],
        (2,): [3, 1.0, 0, (own, frame.f_code, *_callers(frame))],  # the agent's own work, called from here
        (3,): [4, 1.0, 0, (*handler, frame.f_code, *_callers(frame))],  # the program, interrupted by the handler
    }
    profile = build_profile(agent, final=True)
    assert profile["sampling"]["agent_samples"] == 3
    (row,) = profile["stacks"]  # the handler's samples count for the frame it interrupted
    assert row[1] == 9 and profile["frames"][row[0][-1]]["name"].endswith("program")
    assert not {"Agent._on_tick", "Agent._sample", "Agent.report"} & {f["name"] for f in profile["frames"]}


def _code(filename: str, name: str) -> object:
    """A code object as a sample holds it: `name` defined in `filename`."""
    module = compile(f"def {name}():\n    pass\n", filename, "exec")
    return next(c for c in module.co_consts if hasattr(c, "co_name") and c.co_name == name)


def test_the_launchers_runpy_getting_the_script_ready_is_not_the_program() -> None:
    from codeward.profiler.snapshot import HERE, program_stack

    launcher = _code(os.path.join(HERE, "__main__.py"), "_run")
    run_path, run_code = _code("<frozen runpy>", "run_path"), _code("<frozen runpy>", "_run_code")
    find_and_load = _code("<frozen importlib._bootstrap>", "_find_and_load")
    app = compile("x = 1\n", "app.py", "exec")
    # Stored leaf first. runpy.run_path importing pkgutil before the program runs (seen once in a run whose
    # profile then started at `_find_and_load`): the launcher's work, counted as the agent's.
    assert program_stack((find_and_load, run_path, launcher), {}) is None
    # The program, and an import the program makes, start at its module.
    assert program_stack((app, run_code, run_path, launcher), {}) == [app]
    assert program_stack((find_and_load, app, run_code, run_path, launcher), {}) == [app, find_and_load]


def _callers(frame: object) -> list[object]:
    out = []
    frame = frame.f_back  # type: ignore[attr-defined]
    while frame is not None:
        out.append(frame.f_code)  # type: ignore[attr-defined]
        frame = frame.f_back  # type: ignore[attr-defined]
    return out


LARGE_HEAP = textwrap.dedent(
    """
    import time
    kept = [{"k": i, "v": [i, str(i)]} for i in range(370_000)]  # about 1.1 million live objects
    end = time.perf_counter() + 1.5
    n = 0
    while time.perf_counter() < end:
        n += 1
    print("done", time.time(), flush=True)
    """
)


@pytest.mark.parametrize("budget", ["0.2", "5"])
def test_the_census_at_exit_keeps_to_its_budget_on_a_large_heap(tmp_path: Path, budget: str) -> None:
    result = _profile(tmp_path, LARGE_HEAP, options=("-q", "--heap-budget-percent", budget))
    assert result.returncode == 0, result.stderr
    (path,) = (tmp_path / "out").glob("profile-*.json")
    profile = load(str(path))
    census = profile["heap"]["census"]
    spent = sum(c["seconds"] for c in census)
    cpu = sum(c["cpu_seconds"] for c in census)
    # The whole run's census time, the one at exit included, within the budget; the slack covers
    # gc.get_objects() (about 20 ms on this heap), which runs before the census can look at its clock. On a
    # machine so busy that the census was off the CPU for a third of its time (both cores held by other
    # processes at load 15, where two censuses of 256 containers went over), its wall time says more about
    # the load than about the census: then its CPU time is held to the budget.
    limit = float(budget) / 100 * profile["duration"] + 0.05
    assert (spent if spent <= 1.5 * cpu else cpu) <= limit, census
    at_exit = [c for c in census if c.get("at_exit")]
    if budget == "0.2":  # 3 ms for a heap whose census costs tens: skipped, and said so
        assert not at_exit
        assert any(re.match(r"no census at exit: heap-budget-percent=0.2 of the run left [\d.]+ ms", n)
                   for n in profile["notes"]), profile["notes"]  # fmt: skip
    else:  # a census thinned to fit (during the run or at exit): few containers examined, scaled up to the heap
        assert census and max(c["objects"] for c in census) > 500_000, census
        assert all(c["examined"] < c["objects"] / 10 for c in census if c["objects"] > 500_000)


def test_profiles_carry_host_pid_times_and_settings(tmp_path: Path) -> None:
    result = _profile(tmp_path, BUSY, options=("-q",))
    assert result.returncode == 0, result.stderr
    (path,) = (tmp_path / "out").glob("profile-*.json")
    profile = json.loads(path.read_text())
    assert profile["host"] == os.uname().nodename
    assert profile["end"] >= profile["start"] + profile["duration"] - 0.01
    assert profile["settings"]["SamplingIntervalInMilliseconds"] == 10.0


MISSED_SIGTERM = textwrap.dedent(
    """
    import multiprocessing, signal, threading, time
    from codeward import profiler

    profiler.start(output_dir="out", formats="collapsed", heap_budget_percent=0)
    lock = multiprocessing.Lock()  # a semaphore, as a Pool worker waits on for its next task
    lock.acquire()

    def take_it():
        time.sleep(0.5)  # the main thread waits in the semaphore by then
        # The signal is taken here, not by the main thread: CPython's C handler notes it and the main thread's
        # wait goes on, as when a worker takes Pool.terminate()'s SIGTERM just before it begins to wait.
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)

    threading.Thread(target=take_it, daemon=True).start()
    print("waiting", flush=True)
    lock.acquire()
    print("woken without dying", flush=True)
    """
)


def test_a_sigterm_the_main_thread_missed_still_ends_the_program_with_its_report(tmp_path: Path) -> None:
    """The agent's SIGTERM handler (write the report, then die of SIGTERM) runs only when the main thread runs
    bytecode: a SIGTERM the main thread missed while it waits in a semaphore left it asleep for good (Pool
    .terminate() then waits for that worker forever: the spawn test's hang at load 20, 1 run in 60, py-spy showed
    the worker in SemLock.__enter__ with nothing pending). Without the agent SIGTERM would have killed it: the
    agent's thread sees the signal on the wake-up fd and sends it to the main thread, whose wait it interrupts."""
    (tmp_path / "app.py").write_text(MISSED_SIGTERM)
    began = time.monotonic()
    with subprocess.Popen([sys.executable, "app.py"], cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as process:  # fmt: skip
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise AssertionError("the program never ended: the missed SIGTERM left its main thread waiting") from None
    assert process.returncode == -signal.SIGTERM, err
    assert out == "waiting\n"
    (path,) = (tmp_path / "out").glob("profile-*.json")
    assert "interrupted by SIGTERM" in load(str(path))["notes"]
    assert time.monotonic() - began < 50


MISSED_SIGTERM_IN_WORKER = textwrap.dedent(
    """
    import multiprocessing as mp, signal, sys, threading, time

    def wait_for_a_task():
        lock = mp.Lock()  # a semaphore, as a Pool worker waits on for its next task
        lock.acquire()

        def take_it():
            time.sleep(0.5)  # the main thread waits in the semaphore by then
            signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # taken here, as in MISSED_SIGTERM

        threading.Thread(target=take_it, daemon=True).start()
        lock.acquire()

    if __name__ == "__main__":
        worker = mp.get_context(sys.argv[1]).Process(target=wait_for_a_task)
        worker.start()
        worker.join(60)  # bounds the hang; the agent's thread resends a missed SIGTERM within a second
        print("worker", worker.pid, worker.exitcode, flush=True)
        if worker.exitcode is None:
            worker.kill()
            worker.join()
    """
)


def test_a_fork_server_worker_that_missed_its_sigterm_still_ends_with_its_report(tmp_path: Path) -> None:
    """The fork server sets a wake-up fd of its own and its child clears it before running the process, so the
    agent's SIGTERM watch, set where the program has no wake-up fd, was missing in every forkserver worker while
    our SIGTERM handler (inherited from the fork server) stayed: a worker that missed Pool.terminate()'s SIGTERM
    slept for good (test_every_worker_process_is_profiled_into_the_run[forkserver] hung for 300 s in a landing;
    this program printed `worker PID None` after its 60 s before the fix). The watch is set again in the child
    once multiprocessing has started it."""
    result = _profile(tmp_path, MISSED_SIGTERM_IN_WORKER, "forkserver", options=("-q",))
    assert result.returncode == 0, result.stderr
    word, pid, code = result.stdout.split()
    assert (word, code) == ("worker", str(-signal.SIGTERM)), result.stdout
    (worker,) = [p for p in map(load, map(str, (tmp_path / "out").glob("profile-*.json"))) if p["pid"] == int(pid)]
    assert "interrupted by SIGTERM" in worker["notes"]


WAKEUP_FDS = textwrap.dedent(
    """
    import os, signal, sys
    from codeward import profiler

    if sys.argv[1] == "own":  # the program set a wake-up fd of its own before the agent started: left alone
        read, write = os.pipe()
        os.set_blocking(write, False)
        signal.set_wakeup_fd(write)
        agent = profiler.start(output_dir="out", formats="none", heap_budget_percent=0)
        print("kept", signal.set_wakeup_fd(-1) == write, agent._wakeup is None)
    else:  # ours; a fork child watches a pipe of its own, not the parent's
        agent = profiler.start(output_dir="out", formats="none", heap_budget_percent=0)
        parent = agent._wakeup
        pid = os.fork()
        if pid == 0:
            child = agent._wakeup
            print("child", child is not None and not set(child) & set(parent), signal.set_wakeup_fd(-1) == child[1],
                  flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
        print("parent", signal.set_wakeup_fd(-1) == parent[1])
    """
)


def test_the_sigterm_watch_leaves_a_programs_wakeup_fd_alone_and_a_fork_child_has_its_own(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(WAKEUP_FDS)
    outputs = []
    for mode in ("own", "fork"):
        result = subprocess.run([sys.executable, "app.py", mode], cwd=tmp_path, env=_env(), capture_output=True,
                                text=True, timeout=60)  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs == ["kept True True\n", "child True True\nparent True\n"]
