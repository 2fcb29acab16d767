"""The agent's period as a JSON-ready profile, with the agent's own frames cut out.

Imported inside the profiled program when a report is written, so it keeps to the cheapest standard
modules (no dataclasses, no typing at run time): a program's exit waits for it.

Cutting happens here, once per distinct stack, never while sampling: a sample stores the ids of every
code object on the stack, ours included, and costs nothing more. Here a stack that runs the agent's
own code (the SIGPROF handler, the sampler, the start-up, a report being written) is dropped and
counted in `sampling.agent_samples`; frames that only pass the program through (the launcher of
`python -m codeward.profiler`, the decorator's wrapper, the Lambda handler) are removed, with the
runpy frames under the launcher, so the program's stack starts where it would without the profiler.
"""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False  # typing itself is not imported: it costs the program 2 ms at start-up

if TYPE_CHECKING:
    from typing import Any

FORMAT, VERSION = "codeward-profile", 1
HERE = os.path.dirname(os.path.abspath(__file__))
# Our frames that run the program: everything under them rootward is the launcher's, not the program's.
LAUNCHERS = {
    ("__main__.py", "<module>"),
    ("__main__.py", "main"),
    ("__main__.py", "_run"),
    ("sitecustomize.py", "<module>"),
    ("sitecustomize.py", "_start"),
    ("command.py", "run"),  # `codeward profile -- python app.py` runs the program in its forked child
    ("command.py", "launch_fast"),
    ("command.py", "run_program"),
    ("command.py", "_fork"),
    ("command.py", "_run_here"),
    ("aws_lambda.py", "handler"),  # under it, the Lambda runtime's loop: the profile starts at the handler
    ("aws_lambda.py", "wrapper"),
    ("aws_lambda.py", "invoke"),
}
# Our frames between two frames of the program (a decorator's wrapper): removed, the rest kept.
WRAPPERS = {("__init__.py", "wrapper")}
# The SIGPROF handler's entry: the program was interrupted at the frame under it. A thread sample that finds
# the main thread there (the GIL is handed over where pending signals run, so that is common) counts for
# that frame: the handler's own time is reported apart (sampling.timer_cpu_seconds).
HANDLERS = {("agent.py", "_on_tick")}
_RUNPY = ("runpy.py", "<frozen runpy>")
AGENT, LAUNCHER, WRAPPER, RUNPY, PROGRAM, HANDLER = range(6)
# runpy's functions that get a script ready before its code runs (`from pkgutil import get_importer` in
# run_path, reading and compiling the file): under the launcher, what they call is not the program. A package's
# `__init__` that run_module imports (`_get_module_details`) is the program's, as under plain `python -m`.
_RUNPY_PREPARING = frozenset({"run_path", "_get_code_from_file"})


def classify(code: Any) -> int:
    """Whose a code object is: the agent's, a launcher or wrapper of ours, runpy's, or the program's."""
    if isinstance(code, str):  # the <truncated> marker
        return PROGRAM
    filename = code.co_filename
    if filename.startswith(HERE):
        where = (os.path.basename(filename), code.co_name)
        if where in LAUNCHERS:
            return LAUNCHER
        if where in HANDLERS:
            return HANDLER
        return WRAPPER if where in WRAPPERS else AGENT
    if filename.endswith(_RUNPY[0]) or filename == _RUNPY[1]:
        return RUNPY
    return PROGRAM


def program_stack(codes: tuple[Any, ...], kinds: dict[int, int]) -> list[Any] | None:
    """The program's part of a stack stored leaf first, returned root first; None for the agent's own."""
    out: list[Any] = []
    after_launcher = False
    launcher_runpy = ""  # the launcher's last runpy frame, skipped
    for code in reversed(codes):
        kind = kinds.get(id(code))
        if kind is None:
            kind = kinds[id(code)] = classify(code)
        if kind == PROGRAM:
            if launcher_runpy in _RUNPY_PREPARING:
                return None  # the launcher's runpy importing `pkgutil` or reading the script, not the program
            out.append(code)
            after_launcher = False
            launcher_runpy = ""
        elif kind == AGENT:
            return None
        elif kind == HANDLER:
            return out  # what the handler interrupted; the handler and what it called are cut
        elif kind == LAUNCHER:
            out.clear()  # what called the launcher: the interpreter's start, runpy
            after_launcher = True
        elif kind == RUNPY and not after_launcher:
            out.append(code)  # the program's own runpy (python -m app), not the launcher's
        elif kind == RUNPY:
            launcher_runpy = code.co_name
    return out


def _frame_of(code: Any) -> tuple[str, str, int]:
    if isinstance(code, str):
        return (code, "", 0)
    return (getattr(code, "co_qualname", code.co_name), code.co_filename, code.co_firstlineno)


def build_profile(agent: Any, *, final: bool) -> dict[str, Any]:
    settings = agent.settings
    index: dict[tuple[str, str, int], int] = {}
    frames: list[dict[str, Any]] = []
    totals: dict[tuple[int, ...], list[float]] = {}
    by_code: dict[int, int] = {}  # by id: the agent holds the code objects
    kinds: dict[int, int] = {}
    agent_samples = 0
    for wall, cpu, exc, codes in agent.stacks.values():
        stack = program_stack(codes, kinds)
        if not stack:  # the agent's own time (or a thread with nothing of the program's on it)
            agent_samples += wall
            continue
        ids = []
        for code in stack:
            i = by_code.get(id(code))
            if i is None:
                frame = _frame_of(code)
                i = index.get(frame)
                if i is None:
                    i = index[frame] = len(frames)
                    frames.append({"name": frame[0], "file": frame[1], "line": frame[2]})
                by_code[id(code)] = i
            ids.append(i)
        entry = totals.get(tuple(ids))
        if entry is None:
            totals[tuple(ids)] = [wall, cpu, exc]
        else:  # two stacks that differed only in our frames
            entry[0] += wall
            entry[1] += cpu
            entry[2] += exc
    stacks = [[list(k), int(v[0]), round(v[1], 3), int(v[2])] for k, v in totals.items()]
    end = time.time()
    duration = end - agent.period_start
    interval = settings.sampling_interval_ms
    return {
        "format": FORMAT,
        "version": VERSION,
        "pid": agent.pid,
        "host": host_name(),
        "run": os.environ.get("CODEWARD_PROFILE_RUN", ""),
        "argv": list(sys.argv),
        "cwd": os.getcwd(),
        "python": sys.version.split()[0],
        "start": round(agent.period_start, 3),
        "end": round(end, 3),
        "duration": round(duration, 3),
        "final": final,
        "settings": settings.as_dict(),
        "sampling": {
            "rounds": agent.rounds,
            "requested_hz": round(1000.0 / interval, 2),
            "actual_hz": round(agent.rounds / duration, 2) if duration > 0 else 0.0,
            "cpu_source": agent.cpu_source,
            "agent_cpu_seconds": round(agent._agent_cpu, 4),
            # Thread samples that found a thread in the agent's own code: cut from the stacks, counted here.
            "agent_samples": int(agent_samples),
            # Samples the SIGPROF timer counted in the main thread while it was busy (profiler.sigtimer),
            # in timer_ticks calls of its handler; the sampling thread took the others.
            "timer_samples": agent._ticks - agent._period_ticks,
            "timer_ticks": agent._tick_calls - agent._period_tick_calls,
            "timer_cpu_seconds": round(agent._tick_cpu - agent._period_tick_cpu, 4),  # theirs, in the main thread
            # The real spacing of samples (the GIL makes it longer than asked): turns counts into seconds.
            "seconds_per_sample": round(duration / agent.rounds, 6) if agent.rounds else interval / 1000.0,
        },
        "notes": list(agent.notes),
        "threads": dict(agent.thread_samples),
        "frames": frames,
        "stacks": stacks,
        "heap": {
            "census": list(agent.census),
            "rss": [list(p) for p in agent.rss],
            "allocations": agent._allocations,
        },
    }


def host_name() -> str:
    try:
        return os.uname().nodename or "localhost"
    except (AttributeError, OSError):  # no uname (Windows)
        import socket

        return socket.gethostname() or "localhost"
