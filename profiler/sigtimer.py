"""The SIGPROF timer: samples taken in the main thread itself while it is busy running Python.

A sampling thread has to take the GIL from a busy program at every sample: the program stops, the
sampler's CPU wakes up, samples, hands the GIL back, and the program's CPU wakes up again. On machines
whose idle CPUs sleep deeply (virtual machines without halt polling) that handover costs more than the
sample. A process-CPU timer (setitimer ITIMER_PROF) needs none: the kernel signals the running thread,
and CPython runs the handler in the main thread between two bytecodes, with the GIL it already holds.

The agent arms this timer only while the main thread is busy and the handler keeps up; otherwise its
thread samples (see Agent._loop). What the timer must never do to the program:
- take SIGPROF or ITIMER_PROF from it: the timer is used only where both are unclaimed, and never
  touched again once the program (or another profiler) installs a handler of its own;
- interrupt its system calls: the handler is installed with SA_RESTART, and the kernel sends a CPU-timer
  signal to the thread that is running, not to one asleep in a call;
- outlive an exec(): an interval timer survives execve() and SIGPROF's default action kills the new
  program, so os.execv/os.execve are wrapped to disarm it first. fork() children start without it.
"""

from __future__ import annotations

import os
import signal
import threading
import time

TYPE_CHECKING = False  # typing itself is not imported: it costs the program 2 ms at start-up

if TYPE_CHECKING:
    from typing import Any

MAX_INTERVAL = 0.05  # above 20 Hz a handover is rare enough; the thread alone samples then
_owner: Any = None  # the agent whose handler is installed and may sample (one per process)
# The handler installed: that agent's bound Agent._on_tick, so that a tick costs one Python call, not two (a
# module function forwarding to the agent). It stays ours after its agent is released outside the main thread
# (idle: a stopped agent's _on_tick returns at once) and in a fork child (inherited, until the child's agent
# installs its own).
_handler: Any = None
_exec_wrapped = False


def usable() -> bool:
    """Whether this process may use the timer now: in the main thread, with SIGPROF and ITIMER_PROF free."""
    if not hasattr(signal, "setitimer") or not hasattr(signal, "SIGPROF"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    try:
        handler = signal.getsignal(signal.SIGPROF)
        if handler is _handler and handler is not None:  # ours: a fork child, or a later agent in the same process
            return _owner is None or not _owner.running
        return handler is signal.SIG_DFL and signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    except (OSError, ValueError):
        return False


def install(agent: Any) -> bool:
    """Make `agent` the handler's target (main thread only); False when the timer is not usable here."""
    global _owner, _handler
    if not usable():
        return False
    previous = _owner, _handler
    # Ours before it is installed, so that the wrapped signal.signal does not take it for the program's own.
    _owner, _handler = None, agent._on_tick
    try:
        signal.signal(signal.SIGPROF, _handler)
        signal.siginterrupt(signal.SIGPROF, False)  # SA_RESTART: a system call the signal meets goes on
    except (OSError, ValueError):
        if signal.getsignal(signal.SIGPROF) is not _handler:
            _owner, _handler = previous
        return False
    _owner = agent
    _wrap_exec()
    return True


def owned() -> bool:
    """Whether the SIGPROF handler is still ours (the program may have installed its own since)."""
    try:
        return _handler is not None and signal.getsignal(signal.SIGPROF) is _handler
    except (OSError, ValueError):
        return False


def arm(interval: float) -> bool:
    """Start the timer (from any thread); False, and nothing armed, when the handler is no longer ours."""
    if not owned():
        return False
    signal.setitimer(signal.ITIMER_PROF, interval, interval)
    return True


def disarm() -> None:
    """Stop the timer if it is ours; a timer the program armed for its own handler is left alone."""
    if owned():
        signal.setitimer(signal.ITIMER_PROF, 0.0, 0.0)


def disarm_lost(interval: float) -> None:
    """The handler was replaced behind the wrappers' back (C code, the _signal module): stop the timer too
    when it still runs at our interval (after SIG_DFL went back, a tick would kill the process)."""
    if not owned():
        try:
            if abs(signal.getitimer(signal.ITIMER_PROF)[1] - interval) < 1e-6:
                signal.setitimer(signal.ITIMER_PROF, 0.0, 0.0)
        except (OSError, ValueError):
            pass


def release(agent: Any) -> None:
    """Disarm, and in the main thread give SIGPROF back to its default; elsewhere the handler stays, idle."""
    global _owner
    if _owner is not agent:
        return
    disarm()
    disarm_lost(agent.settings.sampling_interval_ms / 1000.0)
    _owner = None
    if threading.current_thread() is threading.main_thread() and owned():
        try:  # noqa: SIM105  (contextlib is one import more in the profiled program)
            signal.signal(signal.SIGPROF, signal.SIG_DFL)
        except (OSError, ValueError):
            pass


def _give_way() -> None:
    """The program takes SIGPROF: stop the timer before its handler could get our ticks, for good."""
    global _owner
    disarm()
    if _owner is not None:
        _owner._timer_lost()
        _owner = None


def _wrap(module: Any, name: str, before: Any) -> None:
    original = getattr(module, name, None)
    if original is None:
        return

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        before(*args)
        return original(*args, **kwargs)

    wrapper.__name__ = wrapper.__qualname__ = name
    wrapper.__doc__ = original.__doc__
    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(module, name, wrapper)


def _wrap_exec() -> None:
    """Disarm the timer before os.execv/os.execve (os.execl*, execvp* and execvpe call these two), and give
    SIGPROF up when the program installs a handler of its own (another profiler)."""
    global _exec_wrapped
    if _exec_wrapped:
        return
    _exec_wrapped = True
    _wrap(os, "execv", lambda *args: disarm())
    _wrap(os, "execve", lambda *args: disarm())

    def taking_sigprof(signalnum: Any = None, handler: Any = None, *rest: Any) -> None:
        if signalnum == signal.SIGPROF and handler is not _handler and _owner is not None:
            _give_way()

    _wrap(signal, "signal", taking_sigprof)


class Switch:
    """Decides, at each of the agent's checks (four times a second), whether the timer or the thread samples.

    The timer is armed once the main thread was busy: running, or ready to run and waiting for a CPU, 90% of
    a check's span (its CPU clock plus its time in the run queue, from /proc's schedstat where there is one, so
    a busy program on a loaded machine still counts as busy). It is disarmed when the main thread stopped
    being busy (it waits: no CPU, no ticks, or blocks while another thread works) or when the timer delivered
    less than 3/4 of the samples the main thread's CPU time asked for (long C calls that gave the handler no
    bytecode to run between). Flapping between the two backs off, up to a minute."""

    BUSY, IDLE, DELIVERED = 0.9, 0.5, 0.75
    MAX_OWED_SPAN = 1.0  # a longer span without a check is a suspended process (a frozen Lambda sandbox)

    def __init__(self, interval: float, main_ident: int, now: float) -> None:
        self.interval = interval
        self.armed = False
        self.clock: int | None = None
        if hasattr(time, "pthread_getcpuclockid"):
            try:  # noqa: SIM105
                self.clock = time.pthread_getcpuclockid(main_ident)
            except (OSError, OverflowError):
                pass
        self._clock_read = time.clock_gettime
        native = getattr(threading.main_thread(), "native_id", None)
        self._schedstat = f"/proc/self/task/{native}/schedstat" if native else ""
        self.given_up = self.clock is None
        self.since, self.cpu, self.ticks = now, self.main_cpu(), 0
        self.demand: float | None = None
        self.armed_at = self.not_before = 0.0
        self.backoff = 0.125  # doubled at each stint shorter than a second (flapping), up to a minute

    def main_cpu(self) -> float:
        """The main thread's CPU time (its thread_time(), read from another thread)."""
        if self.clock is None:
            return 0.0
        try:
            return self._clock_read(self.clock)
        except OSError:  # the main thread has ended: the thread samples what is left
            self.given_up = True
            return 0.0

    def main_demand(self) -> float:
        """The main thread's time on a CPU plus its time ready to run in the run queue (seconds); its CPU time
        alone where the kernel does not say."""
        if self._schedstat:
            try:
                fd = os.open(self._schedstat, os.O_RDONLY)
                try:
                    fields = os.read(fd, 96).split()
                finally:
                    os.close(fd)
                return (int(fields[0]) + int(fields[1])) / 1e9
            except (OSError, ValueError, IndexError):
                self._schedstat = ""
        return self.main_cpu()

    def arm_now(self, now: float) -> None:
        if not self.given_up and arm(self.interval):
            self.armed, self.armed_at = True, now

    def check(self, now: float, ticks: int) -> int:
        """Arm or disarm for the next span. Returns how many samples the timer owes for the span that ended
        (the time the main thread did not run bytecode: waiting, mostly, or waiting for a CPU on a loaded
        machine); the agent's thread makes them up with one sample that counts as many, so wall time stays
        accounted for in either mode."""
        span = now - self.since
        cpu = self.main_cpu()
        busy = (cpu - self.cpu) / span if span > 0 else 0.0
        demand = None
        if busy < self.BUSY:
            # Partly on a CPU or not at all: waiting for one on a loaded machine (load 10 on two CPUs leaves a
            # busy thread a tenth of one), or waiting for something else. Only then is the run queue read (a /proc
            # read hands the GIL over three times, at a cost to a running program like a sample's, four times a
            # second at most); the first such span has no earlier reading and goes by CPU time alone.
            demand = self.main_demand()
            if self.demand is not None and span > 0:
                busy = (demand - self.demand) / span
        delivered = ticks - self.ticks
        owed = max(0, round(min(span, self.MAX_OWED_SPAN) / self.interval) - delivered) if self.armed else 0
        if self.given_up:
            if self.armed:
                disarm()
                self.armed = False
        elif self.armed:
            if not owned():  # the program installed a SIGPROF handler of its own: never touch the timer again
                disarm_lost(self.interval)
                self.armed, self.given_up = False, True
            elif busy < self.IDLE or delivered < self.DELIVERED * (cpu - self.cpu) / self.interval:
                disarm()
                self.armed = False
                self.backoff = min(self.backoff * 2, 60.0) if now - self.armed_at < 1.0 else 0.25
                self.not_before = now + self.backoff
        elif now >= self.not_before and busy >= self.BUSY:
            self.arm_now(now)
            self.given_up = not self.armed  # the handler is no longer ours
        self.since, self.cpu, self.ticks, self.demand = now, cpu, ticks, demand
        return owed
