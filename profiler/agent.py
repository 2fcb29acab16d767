"""The sampling agent: a daemon thread that reads every thread's stack and aggregates a call tree.

Runs inside the profiled program, so it imports only the standard library, keeps code objects (never
frames) between samples, and turns any error of its own into "agent disabled" instead of an exception
in the program. Report rendering is imported only when a report is written.
"""

from __future__ import annotations

import _thread
import os
import sys
import threading
import time

from codeward.profiler import sigtimer
from codeward.profiler.settings import Settings

TYPE_CHECKING = False  # typing itself is not imported: it costs the program 2 ms at start-up
if TYPE_CHECKING:
    from typing import Any

TRUNCATED = "<truncated>"  # synthetic root frame for stacks cut at MaxStackDepth
# Leaf functions that mean "waiting" where the OS gives no per-thread CPU clock.
_WAITING_NAMES = frozenset(
    {"wait", "sleep", "select", "poll", "accept", "recv", "recv_into", "read", "acquire", "join"}
)
# Rough bytes per stored stack entry (key tuple, dict slot, counter list) and per frame in a key.
_ENTRY_BYTES, _FRAME_BYTES = 260, 8
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_NO_EXCEPTION = (None, None, None)  # what sys._current_exceptions() gives an idle thread before 3.12
# Generator, coroutine, iterable-coroutine and async-generator code (inspect.CO_*): their frames can be
# resumed by another caller, so holding one does not pin the stack under it.
_RESUMABLE = 0x20 | 0x80 | 0x100 | 0x200
_WAITING_SHARE = 0.05  # a thread that used less CPU than this since its last sample is taken to be waiting
_LEARN_FROM = 2_000  # containers a census must have examined for its measured costs to guide the next ones
_PARKED_CLOCK_EVERY = 8  # a thread parked at the same instruction has its CPU clock read every this many samples
# What the SIGPROF handler calls, as module globals (one dictionary lookup each, not two).
_perf_counter, _thread_time = time.perf_counter, time.thread_time
_thread_count = _thread._count  # threads started through _thread (threading's too) that run now, the main one not
_exception = getattr(sys, "exception", None) or (lambda: sys.exc_info()[1])  # 3.11+: no tuple made


def _merged_ticks(cpu: float, interval: float) -> int:
    """How many timer ticks `cpu` seconds of the main thread's CPU time held up (a long C call), or 0 for
    the usual gap between two ticks."""
    late = cpu / interval
    return round(late) if late > 1.5 else 0


def process_rss() -> int:
    """Resident memory of this process in bytes (0 when the OS does not say)."""
    try:  # os.open/read, not open(): no buffered-file objects, a few microseconds ten times a second
        fd = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            return int(os.read(fd, 128).split()[1]) * _PAGE
        finally:
            os.close(fd)
    except (OSError, ValueError, IndexError):
        try:
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return peak if sys.platform == "darwin" else peak * 1024
        except Exception:
            return 0


# Signals a thread causes itself (a fault): delivered to that thread whatever its mask, left to faulthandler.
_SYNCHRONOUS = ("SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGTRAP", "SIGSYS", "SIGABRT")


def block_signals() -> None:
    """In one of the agent's own threads: block every signal sent to the process, so that the kernel delivers
    them to the program's threads instead.

    A signal sent to a process (kill, a terminal's Ctrl-C, the SIGPROF timer) may be taken by any thread that
    does not block it. CPython runs the Python handler in the main thread, but only a signal delivered to the
    main thread interrupts a wait there: one the agent's thread took leaves the main thread asleep in
    lock.acquire() or a semaphore (a multiprocessing worker that Pool.terminate() sends SIGTERM to, waiting
    for the task queue's lock), and the handler never runs. Unprofiled, the program's main thread gets it."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        return
    synchronous = {getattr(signal, name) for name in _SYNCHRONOUS if hasattr(signal, name)}
    try:  # noqa: SIM105  (contextlib is one import more in the profiled program)
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals() - synchronous)
    except (OSError, ValueError):
        pass


def _warn(message: str) -> None:
    try:
        sys.stderr.write(f"codeward profiler: {message}\n")
        sys.stderr.flush()
    except Exception:  # a closed stderr must not take the program down either
        pass


class _StopFlag:
    """threading.Event's set/clear/is_set on one raw lock, held while the flag is clear.

    The sampler waits for it at every wake-up (acquiring the lock with a timeout): Event.wait runs
    Condition.wait's Python code and makes a fresh lock each time, holding the GIL longer on every sample;
    this is one C call."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = _thread.allocate_lock()
        self._lock.acquire()

    def set(self) -> None:
        try:  # noqa: SIM105  (contextlib is one import more in the profiled program)
            self._lock.release()
        except RuntimeError:  # already set (any thread may set it, and more than once)
            pass

    def clear(self) -> None:
        self._lock.acquire(False)

    def is_set(self) -> bool:
        return not self._lock.locked()


class _ThreadState:
    """What the sampler keeps of one thread between samples."""

    __slots__ = ("at", "clock", "cpu", "entry", "key", "lasti", "name", "parked", "share", "stacks", "thread", "top")

    def __init__(self, ident: int, thread: Any) -> None:
        self.thread = thread
        # The CPU clock: None where the OS has no per-thread clocks, False where this thread has none.
        self.clock: int | bool | None = None
        if hasattr(time, "pthread_getcpuclockid"):
            try:  # safe now: the thread is alive while we hold the GIL
                self.clock = time.pthread_getcpuclockid(ident)
            except (OSError, OverflowError):
                self.clock = False
        self.cpu, self.at, self.share = 0.0, None, 0.0  # last clock reading, when, and the share it gave
        self.parked = 0  # samples at the same instruction since the clock was last read
        # A thread started with _thread is not in threading._active: it is named by its ident. Otherwise the
        # name is read at each sample (the program may rename a thread).
        self.name = None if isinstance(getattr(thread, "_name", None), str) else f"thread-{ident}"
        # The top frame of a waiting thread, held until the next sample; its f_lasti, stack key and entry.
        self.top: Any = None
        self.lasti = -1
        self.key: tuple[int, ...] = ()
        self.entry: list[Any] | None = None
        self.stacks: dict[tuple[int, ...], list[Any]] | None = None  # the period's dict the entry is in


class Agent:
    """One profiling session. `start()`, `stop()`; `report()` writes the files for the period so far."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        name: str = "profile",
        install_exit_hooks: bool = True,
        render: bool = False,
    ):
        self.settings = settings or Settings()
        self.name = name
        self.install_exit_hooks = install_exit_hooks
        # Whether reports include the rendered formats (HTML, ...): only when asked for in-process (Profile);
        # a process-wide agent writes the JSON, rendered by the launcher once the program has exited.
        self.render = render
        # Reports at the end of a Lambda invocation instead of from the sampling thread (end_of_invocation).
        self.batched = False
        self.notes: list[str] = []
        self.written: list[str] = []  # paths of every file this agent wrote
        self.disabled_reason: str | None = None
        self._lock = threading.RLock()
        # Held by the uploader's thread while it imports (boto3 takes a second); the sampler imports only under
        # _lock. A fork waits for both: see _before_fork.
        self._importing = threading.Lock()
        self._stop = _StopFlag()
        self._thread: threading.Thread | None = None
        self._sequence = 0
        self._tracing = False
        self._exit_registered = False
        self._allocations: list[dict[str, Any]] | None = None
        self.last_profile: dict[str, Any] | None = None
        self._finished = False
        self.cpu_source = "thread CPU clock" if hasattr(time, "pthread_getcpuclockid") else "leaf-function heuristic"
        self._ticks = 0  # samples the SIGPROF timer counted in the main thread (see profiler.sigtimer), ever
        self._tick_calls = 0  # the handler calls that took them (a call after a long C call counts for several)
        self._tick_cpu = 0.0  # the main thread's CPU time those calls took, ever
        self._tick_mark: float | None = None  # the main thread's CPU clock when the last call ended
        self._interval = self.settings.sampling_interval_ms / 1000.0
        self._timer = False  # whether this run may use that timer
        self._states: dict[int, _ThreadState] = {}
        # The handler's short path: (leaf-first code objects, truncated, wall clock, main CPU clock, weight,
        # handling an exception) per tick, counted by the agent's thread (see _count_queued).
        self._queued: list[tuple[Any, ...]] = []
        self._sampler_ident = self._main_ident = 0
        self._tick_due = self._tick_gap = 0.0
        # For the handler's short path (see _on_tick): the threads the agent runs itself (its sampler, the
        # uploader), and whether a thread not started through _thread (a C library's) was seen at a check.
        self._own_threads = 1
        self._foreign = False
        self._depth_range = range(self.settings.max_stack_depth)
        self._started_pid = os.getpid()  # the process start() was first called in (not a fork child)
        self._started_perf = time.perf_counter()  # the census budget counts from here, across periods
        self._census_spent = 0.0  # every census's time since then
        self._uploader: Any = None  # sends reports to the profiling group's store (profiler.upload), made lazily
        self._hidden_ident = 0  # the uploader's thread: never sampled
        self._sigterm_pending = 0  # a SIGTERM that came while our own SIGPROF handler or exit report ran
        # The SIGTERM watch (see _watch_sigterm): the wake-up pipe's ends, whether our handler has run, and when
        # the pipe first said a SIGTERM came that the handler has not run for.
        self._wakeup: tuple[int, int] | None = None
        self._sigterm_ran = False
        self._sigterm_seen: float | None = None
        self._exiting = False
        self._reset_period()

    # -- lifecycle -------------------------------------------------------------------------------
    def _reset_period(self) -> None:
        self.pid = os.getpid()
        self.period_start = time.time()
        self._period_perf = time.perf_counter()
        # Stacks keyed by the ids of their code objects, leaf first: hashing ints is cheap, while a code
        # object's hash walks its constants (a module's code holds every function's code) at every sample.
        # Each entry is [wall samples, CPU samples, samples in an except block, the code objects], and the
        # code objects it holds keep the ids unique.
        self.stacks: dict[tuple[int, ...], list[Any]] = {}
        self.thread_samples: dict[str, int] = {}
        self.rounds = 0
        self._period_ticks, self._period_tick_calls, self._period_tick_cpu = (
            self._ticks,
            self._tick_calls,
            self._tick_cpu,
        )
        self._stored_frames = 0
        self._agent_cpu = 0.0
        self.census: list[dict[str, Any]] = []
        self.rss: list[tuple[float, int]] = []
        # Resident memory is read once a second: reading /proc releases the GIL three times, and each
        # re-acquisition makes a busy program hand the GIL over once more, which costs it as much as a sample.
        self._rss_step = 1.0
        self._last_rss = -1e18

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Agent:
        if self.running:
            return self
        self._stop.clear()
        self._reset_period()
        self._queued.clear()  # an earlier run's ticks
        self._started_perf = self._last_report_perf = time.perf_counter()
        self._census_spent = 0.0
        self._last_memory_flush = -1e18
        if self.settings.trace_allocations:
            import tracemalloc

            if not tracemalloc.is_tracing():
                tracemalloc.start(16)
                self._tracing = True
        interval = self._interval = self.settings.sampling_interval_ms / 1000.0
        self._timer = False
        self._tick_mark = None
        self._tick_due = 0.0
        self._own_threads, self._foreign = 1 + bool(self._hidden_ident), False
        self._depth_range = range(self.settings.max_stack_depth)
        if self.settings.timer == "auto" and interval <= sigtimer.MAX_INTERVAL:
            self._timer = sigtimer.install(self)  # only in the main thread, and where SIGPROF is free
        self._main_ident = threading.main_thread().ident or 0
        self._thread = threading.Thread(target=self._run, name="codeward-profiler", daemon=True)
        self._thread.start()
        if self.settings.store:
            self._uploader_ready()
        if self.install_exit_hooks and not self._exit_registered:
            self._exit_registered = True
            import atexit

            atexit.register(self._at_exit)
            if hasattr(os, "register_at_fork"):
                os.register_at_fork(
                    before=self._before_fork,
                    after_in_parent=self._after_fork_parent,
                    after_in_child=self._after_fork_child,
                )
            self._install_sigterm()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._tick_due = float("inf")  # a tick still pending, or our handler left installed, samples no more
        if self._timer:
            sigtimer.disarm()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        if self._timer:
            sigtimer.release(self)
            self._timer = False
        if self._tracing:
            import tracemalloc

            self._allocations = _top_allocations(tracemalloc.take_snapshot())
            tracemalloc.stop()
            self._tracing = False

    def disable(self, reason: str) -> None:
        """Stop sampling for good after an error of the agent's own; the program carries on."""
        if self.disabled_reason is None:
            self.disabled_reason = reason
            self.notes.append(f"agent disabled: {reason}")
            _warn(f"disabled after an internal error ({reason}); the program continues unprofiled")
        self._tick_due = float("inf")
        if self._timer:
            sigtimer.disarm()
        self._stop.set()

    # -- sampling ---------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            block_signals()
            self._loop()
        except BaseException as exc:
            self.disable(f"{type(exc).__name__}: {exc}")

    def _loop(self) -> None:
        settings = self.settings
        interval = settings.sampling_interval_ms / 1000.0
        me = self._sampler_ident = threading.get_ident()
        states = self._states = {}
        perf = time.perf_counter
        lock = self._lock
        with lock:  # imports (the census module): never while the program forks (see _before_fork)
            self._record_rss(perf())
            next_check = perf() + 0.25
            heap_next = float("inf")
            if settings.heap_budget_percent > 0:
                heap_next = self._census_due(perf())
        switch = sigtimer.Switch(interval, self._main_ident, perf()) if self._timer else None
        if switch is not None and os.getpid() == self._started_pid:
            # Armed at once: a program that waits instead gets the thread back at the first check. Not in a
            # fork child: it may be about to exec() in C (subprocess with preexec_fn), past the exec wrappers.
            switch.arm_now(perf())
            self._tick_mark = switch.main_cpu() if switch.armed else None
        self._tick_gap = interval / 2  # the timer may tick faster (several busy CPUs): at most twice the rate
        next_t = perf()
        thread_start_cpu = time.thread_time()
        stop = self._stop
        wait = stop._lock.acquire  # the flag's own wait, without a Python call per wake-up
        sample = self._sample
        # Everything from waking to waiting again holds the GIL the program needs: keep the round short, and
        # call nothing that releases the GIL on the way (each re-acquisition costs the program a switch).
        # While the SIGPROF timer samples, this thread wakes only for the checks, four times a second.
        while True:
            timed = switch is not None and switch.armed and self._timer
            if not timed:
                next_t += interval
            delay = (next_check if timed else next_t) - perf()
            if delay > 0:
                if wait(True, delay):
                    stop.set()  # taken to stop: leave the flag set
                    break
            else:
                if stop.is_set():
                    break
                next_t = perf()  # fell behind (GIL, suspended process): do not burst to catch up
            with lock:
                now = perf()
                if not timed:
                    sample(me, states, now)
                    self.rounds += 1
                if now >= heap_next:
                    heap_next = self._budgeted_census(now)
                if now >= next_check:  # memory and cadence, four times a second: comparisons only
                    next_check = now + 0.25
                    self._count_queued()
                    if now - self._last_rss >= self._rss_step:
                        self._record_rss(now)  # reads /proc: once a second, not at every check
                    self._agent_cpu = time.thread_time() - thread_start_cpu
                    self._check_memory()
                    self._check_cadence()
                    if self._wakeup is not None:
                        self._check_sigterm(now)
                    if switch is not None:
                        armed = switch.armed
                        if not self._foreign:
                            # A thread that C code started and that runs Python (not counted by _thread): from
                            # now on the handler samples every thread at every tick.
                            before = _thread_count()
                            seen = len(sys._current_frames())
                            self._foreign = seen > 1 + max(before, _thread_count())
                        # A long C call running now holds ticks that its end will count: counted here already,
                        # so the timer is not given up for them, nor are they made up twice.
                        pending, mark = 0, self._tick_mark
                        if armed and self._timer and mark is not None and sigtimer.owned():
                            pending = _merged_ticks(switch.main_cpu() - mark, interval)
                        owed = switch.check(now, self._ticks + pending)
                        if switch.armed != armed:  # the timer counts the main thread's CPU time from now on
                            self._tick_mark = switch.main_cpu() if switch.armed else None
                            if not switch.armed:
                                owed += pending  # the handler no longer counts them
                        if owed:
                            sample(me, states, now, weight=owed)
                            self.rounds += owed
                        if timed and not switch.armed:
                            next_t = now  # the thread samples again, from now on
        if switch is not None:
            sigtimer.disarm()
        self._agent_cpu = time.thread_time() - thread_start_cpu

    def _timer_lost(self) -> None:
        """The program installed its own SIGPROF handler: the thread samples from now on."""
        self._timer = False
        self.notes.append("the program took SIGPROF: the sampling thread took every sample after that")

    def _on_tick(self, signum: int, frame: Any) -> None:
        """The SIGPROF handler (installed as this bound method: one Python call a tick), in the main thread
        between two bytecodes: sample every thread, this one at `frame`.

        A tick comes after the program has filled the caches with its own data for a whole interval, so nearly
        every line of code or data the handler touches is a miss: what it costs the program is what it touches.
        Hence the short path for the usual case, a program whose only thread is this one (no other thread started
        through _thread or threading, and none of a C library's seen at the agent's checks): it only copies the
        stack's code objects and the main thread's CPU clock into a queue, and the agent's thread counts them at
        its checks (_count_queued), four times a second, with its caches warm. Timed on the string/dict workload
        (bench/profiler/overhead.py's, a tick raised after each 2.5 ms of it, thread CPU time, load 10), a tick
        cost 73 µs with the counting done here and 52 µs queued, against 31 µs for an empty Python handler."""
        now = _perf_counter()
        if now < self._tick_due:
            return  # also a stopped agent's handler, left installed outside the main thread
        # The handler's time is the program's: measured on the main thread's clock, so reports show the
        # agent's whole cost, not only its thread's.
        cpu = _thread_time()
        self._tick_due = now + self._tick_gap
        # Ticks that came during a long C call (a garbage collection, a sort, a big join) found no bytecode
        # to run the handler between and were merged into this one: the sample counts for the main
        # thread's CPU time since the last call, at the frame the call returned to, as a sampling thread
        # waiting for the GIL would have seen it, without giving up the timer for that thread (see
        # _merged_ticks, inlined: a call is a cold frame more).
        weight, mark = 1, self._tick_mark
        if mark is not None:
            late = (cpu - mark) / self._interval
            if late > 1.5:
                weight = round(late)
        if self._foreign or _thread_count() != self._own_threads:
            self._tick_all(frame, now, cpu, weight)
            return
        try:
            # No lock: the queue's append is one step, and the agent's thread takes only what was queued before
            # it started counting (see _count_queued). A tick that finds the agent's own code running here (a
            # report written in the main thread) records that code, which the profile counts as the agent's.
            codes = []
            append = codes.append
            for _ in self._depth_range:
                if frame is None:
                    break
                append(frame.f_code)
                frame = frame.f_back
            self._queued.append((codes, frame is not None, now, cpu, weight, _exception() is not None))
            self.rounds += weight
            self._ticks += weight
            self._tick_calls += 1
        except Exception as exc:  # never into the program: it would surface at a random line of the main thread
            self.disable(f"{type(exc).__name__}: {exc}")
        finally:
            end = _thread_time()
            self._tick_cpu += end - cpu
            self._tick_mark = end

    def _tick_all(self, frame: Any, now: float, cpu: float, weight: int) -> None:
        """The handler's path where the program has other threads: every thread sampled at this tick, under
        the agent's lock (skipped while the agent's own code holds it)."""
        lock = self._lock
        if lock._is_owned() or not lock.acquire(False):  # type: ignore[attr-defined]
            return  # the agent's own code is running here (a report), or its thread is checking: skip the tick
        try:
            self._sample(self._sampler_ident, self._states, now, self._main_ident, frame, weight, cpu)
            self.rounds += weight
            self._ticks += weight
            self._tick_calls += 1
        except Exception as exc:
            self.disable(f"{type(exc).__name__}: {exc}")
        finally:
            end = _thread_time()
            self._tick_cpu += end - cpu
            self._tick_mark = end
            lock.release()
            if self._sigterm_pending:
                self._on_sigterm(self._sigterm_pending, None)

    def _count_queued(self) -> None:
        """Count the samples the handler's short path queued (under the agent's lock, in order): what the handler
        did itself before, in the agent's thread at its checks, before any other sample and before a report."""
        queued = self._queued
        n = len(queued)
        if not n:
            return
        states = self._states
        main = self._main_ident
        state = states.get(main)
        if (state is None or len(states) > 1) and not self._foreign and _thread_count() == self._own_threads:
            state = self._main_state(states)  # first tick, or threads ended since the last generic sample
        elif state is None:
            state = states[main] = _ThreadState(main, threading._active.get(main))  # type: ignore[attr-defined]
        stacks = self.stacks
        counts = self.thread_samples
        name = state.name or state.thread._name
        for codes, truncated, now, cpu, weight, handling in queued[:n]:
            key = tuple(map(id, codes))
            if truncated:
                key += (_TRUNCATED_ID,)
            entry = stacks.get(key)
            if entry is None:
                entry = stacks[key] = [0, 0.0, 0, (*codes, TRUNCATED) if truncated else tuple(codes)]
                self._stored_frames += len(key)
            share, last = 0.0, state.at
            if last is not None and now > last:
                share = (cpu - state.cpu) / (now - last)
                share = 1.0 if share > 1.0 else 0.0 if share < 0.0 else share
            state.cpu, state.at, state.share, state.parked = cpu, now, share, 0
            entry[0] += weight
            entry[1] += share * weight
            if handling:
                entry[2] += weight
            counts[name] = counts.get(name, 0) + weight
        state.key, state.entry, state.stacks, state.top = key, entry, stacks, None  # running: frames never held
        del queued[:n]  # one step: a tick queued meanwhile stays for the next count

    def _main_state(self, states: dict[int, _ThreadState]) -> _ThreadState:
        """The main thread's state for the handler's short path; the states of threads that ended are dropped
        (a waiting thread's held frame must not outlive it). In place: the sampler thread holds the dict."""
        main = self._main_ident
        thread = threading._active.get(main)  # type: ignore[attr-defined]
        state = states.get(main)
        if state is None or state.thread is not thread:
            state = _ThreadState(main, thread)
        states.clear()
        states[main] = state
        return state

    def _sample(
        self,
        me: int,
        states: dict[int, _ThreadState],
        now: float,
        main: int = 0,
        main_frame: Any = None,
        weight: int = 1,
        main_cpu: float = -1.0,
    ) -> None:
        """Count every thread's stack but `me`'s, `weight` times; with `main_frame`, thread `main` is sampled
        at that frame (the frame the SIGPROF timer interrupted, under the handler's own), its CPU clock read
        already (`main_cpu`).

        In the SIGPROF handler every call into the system or the runtime finds cold caches (the program ran
        for a whole interval in between): a single-threaded program's exception state is read with
        sys.exc_info() rather than by building sys._current_exceptions(), and the main thread's clock is
        not read twice; cold, each of those costs about 9 µs of the handler's 40-130 µs."""
        if self._queued:
            self._count_queued()  # the main thread's clock readings in order
        max_depth = self.settings.max_stack_depth
        depth_range = range(max_depth)
        frames = sys._current_frames()
        # Our own entry is this very frame: left in the dict, it would make a reference cycle (frame ->
        # locals -> dict -> frame) that only the garbage collector frees, 9 objects a sample.
        frames.pop(me, None)
        if self._hidden_ident:
            frames.pop(self._hidden_ident, None)
        if main_frame is not None:
            frames[main] = main_frame
            # In the handler, the main thread's handled exception is this thread's own.
            handling = {main: sys.exc_info()} if len(frames) == 1 else sys._current_exceptions()
        else:
            handling = sys._current_exceptions()
        active = threading._active  # type: ignore[attr-defined]  # ident -> Thread, read-only here
        stacks = self.stacks
        counts = self.thread_samples
        clock_gettime = time.clock_gettime
        handler_ids = _HANDLER_IDS
        for ident, frame in frames.items():
            state = states.get(ident)
            if state is not None and frame is state.top:
                # The frame held since the last sample is still on top: the same frame, so the same stack (a
                # live frame's callers cannot change; generator frames, which another caller may resume, are
                # never held). At the same instruction it is most likely still in the same wait: its CPU clock
                # (a system call a thread) is read only every few samples.
                lasti = frame.f_lasti
                if lasti == state.lasti and state.parked < _PARKED_CLOCK_EVERY:
                    state.parked += 1
                    read = False
                else:
                    state.lasti = lasti
                    read = True
                if state.stacks is not stacks:  # a new period since
                    self._enter(state, frame)
            else:
                thread = active.get(ident)
                if state is None or state.thread is not thread:  # a new thread, or a new one under an ended one's ident
                    state = states[ident] = _ThreadState(ident, thread)
                if id(frame.f_code) in handler_ids:
                    # The main thread, caught in our SIGPROF handler (the GIL is handed over where pending
                    # signals run, so this is common): sampled at the frame the handler interrupted.
                    while frame is not None and id(frame.f_code) in handler_ids:
                        frame = frame.f_back
                    if frame is None:
                        continue
                top = frame
                ids = []
                append = ids.append
                for _ in depth_range:  # a counted loop: about 10% cheaper a frame than a while with a counter
                    if frame is None:
                        break
                    append(id(frame.f_code))
                    frame = frame.f_back
                if frame is not None:
                    append(id(TRUNCATED))
                key = state.key = tuple(ids)
                entry = stacks.get(key)
                if entry is None:
                    self._enter(state, top)
                else:
                    state.entry, state.stacks = entry, stacks
                frame = top
                state.top = None
                state.lasti = frame.f_lasti
                read = True
            if read:
                clock = state.clock
                cpu_share = 0.0
                if clock is None:  # no per-thread clocks on this OS: a guess from the running function's name
                    cpu_share = 0.0 if frame.f_code.co_name in _WAITING_NAMES else 1.0
                elif clock is not False:
                    try:
                        cpu = main_cpu if ident == main and main_cpu >= 0.0 else clock_gettime(clock)
                    except OSError:
                        state.clock = False
                    else:
                        last = state.at
                        if last is not None and now > last:
                            cpu_share = (cpu - state.cpu) / (now - last)
                            if cpu_share > 1.0:
                                cpu_share = 1.0
                            elif cpu_share < 0.0:
                                cpu_share = 0.0
                            if cpu_share < _WAITING_SHARE:
                                # Waiting: hold its top frame until the next sample, so that a thread parked in
                                # a wait (a pool worker, a server's idle thread) costs a comparison instead of a
                                # walk of its stack. A busy thread's frames are never held: their locals must
                                # die when they return.
                                if state.top is None and not frame.f_code.co_flags & _RESUMABLE:
                                    state.top = frame
                            else:
                                state.top = None
                        state.cpu, state.at, state.share, state.parked = cpu, now, cpu_share, 0
            else:
                cpu_share = state.share
            entry = state.entry
            entry[0] += weight
            entry[1] += cpu_share * weight
            exc = handling.get(ident)
            if exc is not None and exc != _NO_EXCEPTION:
                entry[2] += weight
            name = state.name or state.thread._name
            counts[name] = counts.get(name, 0) + weight
        if len(states) > len(frames):  # some thread ended
            for ident in [i for i in states if i not in frames]:
                del states[ident]

    def _enter(self, state: _ThreadState, top: Any) -> None:
        """Point the thread's state at the period's entry for its stack key, storing a new stack's code."""
        stacks = self.stacks
        key = state.key
        entry = stacks.get(key)
        if entry is None:
            codes = self._codes(top, self.settings.max_stack_depth, key[-1] == id(TRUNCATED))
            entry = stacks[key] = [0, 0.0, 0, codes]
            self._stored_frames += len(key)
        state.entry, state.stacks = entry, stacks

    @staticmethod
    def _codes(frame: Any, max_depth: int, truncated: bool) -> tuple[Any, ...]:
        """The code objects of a stack seen for the first time, leaf first (the key holds only their ids)."""
        codes: list[Any] = []
        while frame is not None and len(codes) < max_depth:
            codes.append(frame.f_code)
            frame = frame.f_back
        if truncated:
            codes.append(TRUNCATED)
        return tuple(codes)

    def _record_rss(self, now: float) -> None:
        self._last_rss = now
        self.rss.append((round(now - self._period_perf, 3), process_rss()))
        if len(self.rss) >= 1000:  # keep the series bounded: halve the resolution
            self.rss = self.rss[::2]
            self._rss_step *= 2

    # The census's cost: gc.get_objects() about 8 ns a heap block on a quiet machine (measured on 2.2 million
    # blocks, a third of them objects the collector tracks), then about 2.5 µs a container examined. The first
    # census assumes three times that (a loaded machine stretches wall time); later ones go by what the last one
    # measured. Five times (45 ns) left a 1.9 s run with a 1.1-million-object heap no census at all at 5%.
    _LIST_COST, _EXAMINE_COST = 25e-9, 7.5e-6

    def _census_allowance(self, now: float) -> float:
        """What the budget leaves for censuses now: its share of the run so far, less every census's time."""
        return self.settings.heap_budget_percent / 100.0 * (now - self._started_perf) - self._census_spent

    def _census_due(self, now: float) -> float:
        """When the allowance will pay for a full census of the heap as it is now."""
        from codeward.profiler.heap import MAX_EXAMINED

        blocks = sys.getallocatedblocks()  # about a third of them are containers the collector tracks
        full = blocks * self._LIST_COST + min(MAX_EXAMINED, blocks // 3) * self._EXAMINE_COST
        missing = full - self._census_allowance(now)
        return now + max(0.0, missing) * 100.0 / self.settings.heap_budget_percent

    def _budgeted_census(self, now: float, at_exit: bool = False) -> float:
        """A census within what the budget leaves (counted over the whole run): as thin as the allowance needs,
        stopped at its end, or skipped, so the budget holds at every census, the one at exit included.
        Returns when the next census is due."""
        from codeward.profiler.heap import MAX_EXAMINED, census

        allowance = self._census_allowance(now)
        examined = min(MAX_EXAMINED, int((allowance - sys.getallocatedblocks() * self._LIST_COST) / self._EXAMINE_COST))
        if examined < 200:
            if at_exit:
                self.notes.append(
                    f"no census at exit: heap-budget-percent={self.settings.heap_budget_percent:g} of the run left "
                    f"{max(allowance, 0.0) * 1000:.1f} ms, less than a census of this heap takes"
                )
            return self._census_due(now)
        started, cpu_started = time.perf_counter(), time.thread_time()
        result = census(max_examined=examined, deadline=started + allowance)
        ended = time.perf_counter()
        spent = ended - started
        self._census_spent += spent
        blocks = sys.getallocatedblocks()
        listed = result.get("list_seconds", 0.0)
        # Per-instance from now on: this machine's costs, with a margin. A census stopped after a few hundred
        # containers says little about one container's cost (its fixed costs dominate, and a busy machine
        # stretches them): that estimate learns only from censuses that examined enough.
        if blocks:
            self._LIST_COST = max(15e-9, 1.5 * listed / blocks)
            if result.get("examined", 0) >= _LEARN_FROM:
                self._EXAMINE_COST = max(1e-6, 1.5 * (spent - listed) / result["examined"])
        result["t"] = round(now - self._period_perf, 3)
        # How long it ran, and its CPU time: the GIL passes to a busy program every switch interval (5 ms)
        # during the census's Python loops, so the CPU time is what it took from the program.
        result["seconds"] = round(spent, 4)
        result["cpu_seconds"] = round(time.thread_time() - cpu_started, 4)
        if at_exit:
            result["at_exit"] = True
            if result.get("stopped_early"):
                self.notes.append(f"census at exit stopped at its budget ({allowance * 1000:.1f} ms) and was scaled up")
        self.census.append(result)
        if len(self.census) > 60:
            del self.census[1:-1:2]
        return self._census_due(ended)

    # -- limits and cadence -----------------------------------------------------------------------
    def memory_estimate(self) -> int:
        return len(self.stacks) * _ENTRY_BYTES + self._stored_frames * _FRAME_BYTES + len(self.census) * 4096

    def _check_memory(self) -> None:
        limit = self.settings.memory_usage_limit_percent
        rss = self.rss[-1][1] if self.rss else 0  # at most a second old: the agent's own use is what grows fast
        used = self.memory_estimate()
        if rss <= 0 or used <= rss * limit / 100.0:
            return
        now = time.perf_counter()
        detail = (
            f"the agent's memory ({used / 1024:.0f} KiB) is over MemoryUsageLimitPercent={limit:g}% "
            f"of the process ({rss / 1048576:.1f} MiB)"
        )
        if (now - self._last_memory_flush) * 1000 < self.settings.minimum_time_for_reporting_ms:
            self.notes.append(f"stopped: {detail} again within MinimumTimeForReportingInMilliseconds")
            _warn(f"stopped sampling: {detail} again soon after an early report; the program continues")
            self._stop.set()
            self._write_locked(final=False)
            return
        self._last_memory_flush = now
        self.notes.append(f"flushed early: {detail}")
        _warn(f"wrote a report early: {detail}")
        self._write_locked(final=False)

    def _check_cadence(self) -> None:
        settings = self.settings
        if settings.reporting_interval_ms <= 0 or self.batched:
            return
        every = max(settings.reporting_interval_ms, settings.minimum_time_for_reporting_ms) / 1000.0
        if time.perf_counter() - self._last_report_perf >= every:
            self._write_locked(final=False)

    # -- reports ----------------------------------------------------------------------------------
    def snapshot(self, *, final: bool) -> dict[str, Any]:
        """The period so far as a JSON-ready profile (see profiler.model)."""
        from codeward.profiler.snapshot import build_profile

        with self._lock:
            self._count_queued()  # the ticks the handler queued since the agent's thread last counted
            return build_profile(self, final=final)

    def report(self, *, final: bool = True, write: bool = True) -> list[str]:
        """Write this period's report files and start a new period; returns the paths written.

        The profile itself stays in `last_profile` (also with write=False, which writes nothing)."""
        with self._lock:
            if final:
                self._finished = True
            return self._write_locked(final=final, write=write)

    def _write_locked(self, *, final: bool, write: bool = True) -> list[str]:
        paths: list[str] = []
        try:
            self._count_queued()
            if final and self.settings.heap_budget_percent > 0 and self.disabled_reason is None:
                self._budgeted_census(time.perf_counter(), at_exit=True)
            if self._tracing:
                import tracemalloc

                self._allocations = _top_allocations(tracemalloc.take_snapshot())
            if self.disabled_reason is None:
                self._record_rss(time.perf_counter())  # the period's last point, so a short run has a chart too
            self._sequence += 1
            # An earlier agent of this process (a `with Profile()` block, a decorated function's previous call)
            # may have used the name in this directory: take the next free one rather than overwrite its profile.
            while write and os.path.exists(
                os.path.join(self.settings.output_dir, f"{self.name}-{self.pid}-{self._sequence}.json")
            ):
                self._sequence += 1
            data = self.last_profile = self.snapshot(final=final)
            if write and self.settings.store:
                self._upload(data)
            if write and (not self.settings.store or os.environ.get("CODEWARD_PROFILE_LOCAL")):
                from codeward.profiler.report import write_reports

                paths = write_reports(
                    data, self.settings, f"{self.name}-{self.pid}-{self._sequence}", render=self.render
                )
        except Exception as exc:  # a full disk or a bad directory must not reach the program
            _warn(f"could not write the report to {self.settings.output_dir!r}: {type(exc).__name__}: {exc}")
            return []
        finally:
            self._last_report_perf = time.perf_counter()
            self._tick_mark = None  # a report written in the main thread is not the program's time
        self.written += paths
        notes = list(self.notes)
        self._reset_period()
        self.notes = [n for n in notes if n.startswith("agent disabled")]
        return paths

    def _uploader_ready(self) -> Any:
        """The uploader, made and started on first need (at start: it opens the store in its own thread)."""
        uploader = self._uploader
        if uploader is None:
            from codeward.profiler.upload import Uploader

            uploader = self._uploader = Uploader(self.settings.store, self.settings.group, _warn, self._importing)
            uploader.start()
            self._hidden_ident = uploader.ident
            self._own_threads = 1 + bool(uploader.ident)
        return uploader

    def _upload(self, data: dict[str, Any]) -> None:
        """Queue the report for the profiling group's store; the uploader's thread sends it."""
        data["group"] = self.settings.group
        self._uploader_ready().put(data, self._sequence)

    def finish_uploads(self, timeout: float | None = None) -> None:
        """At exit: wait a bounded time for the store to take what is queued, then give up (said once)."""
        if self._uploader is not None:
            from codeward.profiler.upload import EXIT_WAIT

            self._uploader.close(EXIT_WAIT if timeout is None else timeout)

    def flush_uploads(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for queued uploads (a Lambda invocation's end: the sandbox may freeze)."""
        return self._uploader is None or self._uploader.flush(timeout)

    def end_of_invocation(self, remaining: float | None = None) -> None:
        """A Lambda invocation ended: when the reporting interval has passed (wall time, counted across
        invocations), report and wait for the upload now, before the sandbox can freeze; else nothing."""
        settings = self.settings
        every = max(settings.reporting_interval_ms, settings.minimum_time_for_reporting_ms) / 1000.0
        if time.perf_counter() - self._last_report_perf < every:
            return
        self.report(final=False)
        from codeward.profiler.upload import EXIT_WAIT

        wait = EXIT_WAIT if remaining is None else max(0.0, min(EXIT_WAIT, remaining - 0.5))
        self.flush_uploads(wait)

    # -- process events ---------------------------------------------------------------------------
    def _at_exit(self) -> None:
        try:
            if os.getpid() != self.pid or not self._thread or self._finished or self._exiting:
                return
            self._exiting = True
            self.stop()
            self.report(final=True)
            self.finish_uploads()
        except BaseException as exc:
            _warn(f"could not finish the report at exit: {type(exc).__name__}: {exc}")
        finally:
            self._exiting = False
        _keep_sigint_exit_status()
        if self._sigterm_pending:  # it came while the report was being written: die of it now
            self._die_of(self._sigterm_pending)

    def _before_fork(self) -> None:
        """Hold the agent's locks across fork, so the child inherits neither a half-written sample nor a module
        half imported by one of the agent's threads. Python resets only the global import lock in a fork child:
        a module's own import lock, held at fork by a thread that the child does not have, stays held for good,
        and the next import of that module in the child (the agent's census at exit, or the program's own)
        waits forever or gets the half-made module."""
        self._importing.acquire()
        self._lock.acquire()

    def _after_fork_parent(self) -> None:
        self._lock.release()
        self._importing.release()

    def _after_fork_child(self) -> None:
        """The child gets a fresh profile of its own and a new sampler thread (threads do not survive fork)."""
        try:
            self._lock = threading.RLock()
            self._importing = threading.Lock()
            self._queued = []  # the parent's ticks
            self._thread = None
            self._sequence = 0
            self._finished = self._exiting = False
            self._sigterm_pending = 0
            self._sigterm_ran, self._sigterm_seen = False, None
            if self._wakeup is not None:  # the parent's pipe: the child watches its own
                inherited, self._wakeup = self._wakeup, None
                self._watch_sigterm(inherited[1])
                for fd in inherited:
                    os.close(fd)
            self._uploader, self._hidden_ident = None, 0  # the parent's queue and thread are the parent's
            self.written = []
            self.notes = []
            if self.disabled_reason is not None:
                return
            self.start()
            mp_util = sys.modules.get("multiprocessing.util")
            if mp_util is not None:
                # A multiprocessing child (fork, forkserver) leaves through os._exit, skipping atexit, after
                # running multiprocessing's finalizers; its start clears the finalizers inherited from the
                # parent, then runs the after-fork hooks: ours registers the report there (and watches for a
                # missed SIGTERM again where the fork server took the wake-up fd away).
                mp_util.register_after_fork(self, _in_multiprocessing_child)
        except Exception as exc:
            self.disable(f"after fork: {type(exc).__name__}: {exc}")

    def _install_sigterm(self) -> None:
        """Write the report on SIGTERM, then die of SIGTERM as the program would have."""
        import signal

        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
            return
        try:
            if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
                return  # the program handles it; its handler decides (and atexit still reports)
            signal.signal(signal.SIGTERM, self._on_sigterm)
        except (ValueError, OSError):
            return
        self._watch_sigterm()

    def _watch_sigterm(self, inherited: int = -1) -> None:
        """Make sure a SIGTERM reaches our handler (main thread; see _check_sigterm for why).

        CPython's C handler only notes a signal; the Python handler runs when the main thread next runs
        bytecode, and a main thread waiting in a lock or semaphore is woken for it only if the signal was
        delivered to it during that wait. A SIGTERM that a program thread took, or that the main thread took
        just before it began to wait (a multiprocessing worker in Pool.terminate(), preempted there on a loaded
        machine), leaves it asleep for good, where without our handler SIGTERM would have killed the process.
        The C handler also writes the signal's number to the wake-up fd: the agent's thread reads it at its
        checks. Only where the program has no wake-up fd of its own (asyncio, trio set one when they run; they
        then replace ours, and the watch ends)."""
        import signal

        try:
            read, write = os.pipe()
        except OSError:
            return
        try:
            os.set_blocking(read, False)
            os.set_blocking(write, False)
            previous = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        except (OSError, ValueError):
            previous = None
        if previous is not None and previous in (-1, inherited):
            self._wakeup = read, write
            return
        if previous is not None:
            signal.set_wakeup_fd(previous)  # the program's own: left alone
        os.close(read)
        os.close(write)

    def _check_sigterm(self, now: float) -> None:
        """At a check: a SIGTERM the pipe reported but our handler has not run for within half a second means the
        main thread missed it (see _watch_sigterm): send it to the main thread itself, which interrupts its wait
        and runs the handler; again every half second while it has not run."""
        chunks = []
        try:
            while True:  # to the end: SIGPROF ticks write there too, a hundred a second
                chunk = os.read(self._wakeup[0], 4096)  # type: ignore[index]
                chunks.append(chunk)
                if len(chunk) < 4096:
                    break
        except BlockingIOError:
            pass
        except OSError:
            self._wakeup = None
            return
        data = b"".join(chunks)
        if self._sigterm_ran:
            return
        import signal

        if self._sigterm_seen is None:
            if signal.SIGTERM in data:
                self._sigterm_seen = now
            return
        if now - self._sigterm_seen >= 0.5 and signal.getsignal(signal.SIGTERM) == self._on_sigterm:
            self._sigterm_seen = now
            try:  # noqa: SIM105  (contextlib is one import more in the profiled program)
                signal.pthread_kill(self._main_ident, signal.SIGTERM)
            except (OSError, ValueError):
                pass

    def _on_sigterm(self, signum: int, _frame: Any) -> None:
        self._sigterm_ran = True
        if self._lock._is_owned() or self._exiting:  # type: ignore[attr-defined]
            # Delivered in the middle of our own code: the SIGPROF handler (it holds the lock the sampler thread
            # needs to stop) or the report at exit (a join in progress cannot be joined again). That code
            # finishes first and comes back here.
            self._sigterm_pending = signum
            return
        self.notes.append("interrupted by SIGTERM")
        self._at_exit()
        self._die_of(signum)

    @staticmethod
    def _die_of(signum: int) -> None:
        import signal

        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


# The SIGPROF handler's frames (by the ids of their code, cheap to hash), which the sampler looks past.
_HANDLER_IDS = frozenset({id(Agent._on_tick.__code__)})
_TRUNCATED_ID = id(TRUNCATED)


def _in_multiprocessing_child(agent: Agent) -> None:
    """In a multiprocessing child, in its main thread as it starts: write the report with multiprocessing's own
    exit (util._exit_function), and watch for a missed SIGTERM (see _watch_sigterm).

    A fork server's child has no watch of its own until now: the fork server set a wake-up fd of its own (so at
    the fork the agent left it alone), then its child cleared it (set_wakeup_fd(-1)) before running the process.
    Our SIGTERM handler, inherited from the fork server, stayed: a worker that missed Pool.terminate()'s SIGTERM
    slept for good and the program waited for it in join() (the forkserver case of test_profiler_processes hung
    for 300 s in a landing)."""
    from multiprocessing import util

    util.Finalize(agent, Agent._at_exit, args=(agent,), exitpriority=0)
    if agent._wakeup is None and threading.current_thread() is threading.main_thread():
        import signal

        try:
            ours = signal.getsignal(signal.SIGTERM) == agent._on_sigterm
        except (AttributeError, ValueError):  # no SIGTERM here
            return
        if ours:
            agent._watch_sigterm()


def _keep_sigint_exit_status() -> None:
    """After an uncaught KeyboardInterrupt CPython exits by SIGINT (status 130), but any exec() during atexit
    (dataclasses, namedtuple in the modules a report imports) clears that mark. Raising KeyboardInterrupt
    through exec() sets it again, so the program's exit status stays its own."""
    if getattr(sys, "last_type", None) is KeyboardInterrupt:
        import contextlib

        with contextlib.suppress(KeyboardInterrupt):
            exec("raise KeyboardInterrupt")


def _top_allocations(snapshot: Any, limit: int = 25) -> list[dict[str, Any]]:
    import tracemalloc

    here = os.path.dirname(os.path.abspath(__file__))
    snapshot = snapshot.filter_traces(
        (tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, os.path.join(here, "*")))
    )
    out = []
    for stat in snapshot.statistics("traceback")[:limit]:
        frames = [{"file": f.filename, "line": f.lineno} for f in reversed(stat.traceback)]  # allocation site first
        out.append({"size": stat.size, "count": stat.count, "traceback": frames})
    return out
