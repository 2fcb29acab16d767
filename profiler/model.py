"""The profile file (JSON, `format: codeward-profile`) and the per-function figures every report uses.

A profile holds a frame table and stacks that index into it, root first:
    {"frames": [{"name", "file", "line"}], "stacks": [[[frame, ...], wall_samples, cpu_samples, in_except]]}
`wall_samples` counts samples, `cpu_samples` adds each sample's on-CPU share (0..1, from the thread's CPU
clock), `in_except` counts samples taken while the thread was handling an exception.
"""

from __future__ import annotations

import json
import os

from codeward.profiler.snapshot import FORMAT, VERSION

TYPE_CHECKING = False  # typing is not imported: the launcher loads this module while the program runs
if TYPE_CHECKING:
    from typing import Any

METRICS = ("cpu", "wall")


class ProfileError(ValueError):
    """A file that is not a readable codeward profile."""


def load(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise ProfileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ProfileError(f"{path} is not JSON ({exc}); expected a codeward profile (profile-*.json)") from None
    return validate(data, path)


def validate(data: Any, path: str) -> dict[str, Any]:
    """`data` when it is a profile this codeward reads; a ProfileError naming `path` and the fault otherwise."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProfileError(f'{path} is not a codeward profile (no "format": "{FORMAT}"); pass a profile-*.json')
    if data.get("version") != VERSION:
        raise ProfileError(f"{path} is a version {data.get('version')} profile; this codeward reads version {VERSION}")
    frames, stacks = data.get("frames"), data.get("stacks")
    if not isinstance(frames, list) or not isinstance(stacks, list):
        raise ProfileError(f"{path}: frames and stacks must be lists")
    for row in stacks:
        if (
            not isinstance(row, list)
            or len(row) != 4
            or not isinstance(row[0], list)
            or not all(isinstance(i, int) and 0 <= i < len(frames) for i in row[0])
        ):
            raise ProfileError(f"{path}: malformed stack entry {str(row)[:80]}")
    return data


def profile_paths(target: str) -> list[str]:
    """A profile file, or every profile-*.json in a directory (a whole run: periods and processes)."""
    if os.path.isdir(target):
        found = sorted(
            os.path.join(target, name)
            for name in os.listdir(target)
            if name.endswith(".json") and not name.endswith(".speedscope.json")
        )
        if not found:
            raise ProfileError(f"{target} holds no profile (*.json); run `codeward profile -o {target} -- ...` first")
        return found
    if not os.path.exists(target):
        raise ProfileError(f"{target}: no such file or directory")
    return [target]


class Merger:
    """Adds profiles up one at a time, keeping only the sums (frames, stacks, threads): a fleet's thousands of
    profiles stream through it in the memory their distinct stacks take. Heap series are kept only while
    every profile comes from one process (then they line up in time)."""

    def __init__(self) -> None:
        self.first: dict[str, Any] | None = None
        self.count = 0
        self.index: dict[tuple[str, str, int], int] = {}
        self.frames: list[dict[str, Any]] = []
        self.totals: dict[tuple[int, ...], list[float]] = {}
        self.threads: dict[str, int] = {}
        self.pids: set[Any] = set()
        self.processes: set[tuple[str, Any]] = set()
        self.heaps: list[tuple[float, dict[str, Any]]] = []
        self.notes: list[str] = []
        self.start = float("inf")
        self.end = float("-inf")
        self.final = False
        self.sums: dict[str, float] = {}
        self.weighted = 0.0
        self.allocations: Any = None

    def add(self, p: dict[str, Any]) -> None:
        if self.first is None:
            self.first = p
        self.count += 1
        remap = []
        index, frames = self.index, self.frames
        for f in p["frames"]:
            key = (f["name"], f["file"], f["line"])
            i = index.get(key)
            if i is None:
                i = index[key] = len(frames)
                frames.append(dict(f))
            remap.append(i)
        totals = self.totals
        for ids, wall, cpu, exc in p["stacks"]:
            entry = totals.setdefault(tuple(remap[i] for i in ids), [0, 0.0, 0])
            entry[0] += wall
            entry[1] += cpu
            entry[2] += exc
        for name, n in p.get("threads", {}).items():
            self.threads[name] = self.threads.get(name, 0) + n
        self.pids.add(p.get("pid"))
        self.processes.add((p.get("host", ""), p.get("pid")))
        self.start = min(self.start, p["start"])
        self.end = max(self.end, p["start"] + p["duration"])
        self.final = self.final or bool(p.get("final"))
        heap = p.get("heap") or {}
        if len(self.pids) == 1:
            self.heaps.append((p["start"], heap))
        else:
            self.heaps = []
        if heap.get("allocations"):
            self.allocations = heap["allocations"]
        for note in p.get("notes", []):  # each once, and not without bound (a fleet repeats the same notes)
            if len(self.notes) < 100 and note not in self.notes:
                self.notes.append(note)
        sampling = p.get("sampling", {})
        for key in (
            "rounds",
            "agent_cpu_seconds",
            "agent_samples",
            "timer_samples",
            "timer_ticks",
            "timer_cpu_seconds",
        ):
            self.sums[key] = self.sums.get(key, 0) + sampling.get(key, 0)
        self.weighted += sampling.get("seconds_per_sample", 0) * sampling.get("rounds", 0)

    def result(self) -> dict[str, Any]:
        first = self.first
        if first is None:
            raise ProfileError("no profiles to merge")
        if self.count == 1:
            return first
        sampling = dict(first.get("sampling", {}))
        for key, value in self.sums.items():
            sampling[key] = int(value) if key == "rounds" else round(value, 4)
        if sampling.get("rounds"):
            sampling["seconds_per_sample"] = round(self.weighted / sampling["rounds"], 6)
        rss: list[list[float]] = []
        census: list[dict[str, Any]] = []
        for began, heap in self.heaps:  # series of one process line up in time
            shift = began - self.start
            rss += [[round(t + shift, 3), b] for t, b in heap.get("rss", [])]
            census += [{**c, "t": round(c["t"] + shift, 3)} for c in heap.get("census", [])]
        return {
            **first,
            "pid": sorted(self.pids) if len(self.pids) > 1 else first["pid"],
            "processes": len(self.processes),
            "start": self.start,
            "end": round(self.end, 3),
            "duration": round(self.end - self.start, 3),
            "final": self.final,
            "sampling": sampling,
            "notes": self.notes,
            "threads": self.threads,
            "frames": self.frames,
            "stacks": [[list(k), v[0], round(v[1], 3), v[2]] for k, v in self.totals.items()],
            "heap": {"census": census, "rss": rss, "allocations": self.allocations},
        }


def merge(profiles: list[dict[str, Any]]) -> dict[str, Any]:
    """One profile adding up several (periods of one run, or several processes)."""
    merger = Merger()
    for p in profiles:
        merger.add(p)
    return merger.result()


def load_many(targets: list[str]) -> dict[str, Any]:
    paths = [p for t in targets for p in profile_paths(t)]
    return merge([load(p) for p in paths])


# -- per-function figures --------------------------------------------------------------------------


def frame_label(frame: dict[str, Any], cwd: str | None = None) -> str:
    if not frame["file"]:
        return frame["name"]
    return f"{frame['name']} ({short_path(frame['file'], cwd)}:{frame['line']})"


def short_path(path: str, cwd: str | None = None) -> str:
    """Paths relative to the program's directory; the standard library and site-packages by their tail."""
    cwd = cwd or os.getcwd()
    for marker in ("/site-packages/", "/dist-packages/"):
        if marker in path:
            return path.split(marker, 1)[1]
    stdlib = os.path.dirname(os.__file__)
    if path.startswith(stdlib + os.sep):
        return "<stdlib>/" + path[len(stdlib) + 1 :]
    if os.path.isabs(path) and path.startswith(cwd.rstrip(os.sep) + os.sep):
        return path[len(cwd.rstrip(os.sep)) + 1 :]
    return path


class FunctionStat:
    """One function's figures in a Table (a plain class: `python -m codeward.profiler` prints a table at exit,
    and dataclasses is the costliest import there)."""

    __slots__ = ("exc", "file", "frame", "line", "name", "self_", "total")

    def __init__(self, frame: int, name: str, file: str, line: int) -> None:
        self.frame, self.name, self.file, self.line = frame, name, file, line
        self.self_ = self.total = self.exc = 0.0

    @property
    def key(self) -> str:
        return f"{self.name}\t{self.file}\t{self.line}"


class Table:
    def __init__(self, metric: str, grand_total: float) -> None:
        self.metric, self.grand_total = metric, grand_total
        self.functions: dict[int, FunctionStat] = {}

    def share(self, value: float) -> float:
        return 100.0 * value / self.grand_total if self.grand_total else 0.0

    def hottest(self, by: str = "self", limit: int = 20) -> list[FunctionStat]:
        attr = "self_" if by == "self" else "total"
        ranked = sorted(self.functions.values(), key=lambda s: (-getattr(s, attr), s.name))
        return [s for s in ranked if getattr(s, attr) > 0][:limit]

    def by_key(self) -> dict[str, FunctionStat]:
        return {s.key: s for s in self.functions.values()}


def function_table(profile: dict[str, Any], metric: str = "cpu") -> Table:
    """Self and total per function; a function counts once per stack however often it recurses."""
    column = 2 if metric == "cpu" else 1
    frames = profile["frames"]
    table = Table(metric, 0.0)
    for row in profile["stacks"]:
        ids, value = row[0], float(row[column])
        if not ids or value <= 0:
            continue
        table.grand_total += value
        for i in set(ids):
            stat = table.functions.get(i)
            if stat is None:
                f = frames[i]
                stat = table.functions[i] = FunctionStat(i, f["name"], f["file"], f["line"])
            stat.total += value
            if row[3]:
                stat.exc += value * row[3] / max(row[1], 1)
        leaf = table.functions[ids[-1]]
        leaf.self_ += value
    return table


def seconds_per_sample(profile: dict[str, Any]) -> float:
    sampling = profile.get("sampling", {})
    return float(sampling.get("seconds_per_sample") or profile["settings"]["SamplingIntervalInMilliseconds"] / 1000.0)


def metric_for(profile: dict[str, Any], metric: str) -> str:
    """CPU when the profile has any on-CPU time, else wall (an all-waiting program)."""
    if metric != "auto":
        return metric
    return "cpu" if any(row[2] > 0 for row in profile["stacks"]) else "wall"
