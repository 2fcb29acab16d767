"""`codeward profile aggregate URL`: a profiling group's profiles over time, merged, windowed and checked.

    codeward profile aggregate s3://bucket/prefix/GROUP --since 6h --window 1h --output agg/ [--fail-on-regression 5]

Lists the group's objects (only the hour folders that --since/--until touch), reads them one at a time and
adds each to one merged profile (its memory grows with the distinct stacks, not with the number of files),
and to its time window's per-function totals. Writes the merged profile (aggregate.json) and its reports to
--output, prints the hottest functions, the sample counts of each window, and the functions whose share in
the latest window jumped compared with the earlier windows (the `codeward profile check` test).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import datetime, timezone
from typing import Any

from codeward.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str, option: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd])\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise UsageError(f"{option} {text!r}: expected a duration such as 30m, 1h, 2d")
    return float(match.group(1)) * UNITS[match.group(2)]


def parse_time(text: str, option: str, now: float) -> float:
    """`1h` (that long before now) or an ISO 8601 time (UTC unless it says otherwise)."""
    if re.fullmatch(r"\s*\d+(?:\.\d+)?\s*[smhd]\s*", text):
        return now - parse_duration(text, option)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{option} {text!r}: expected a duration (1h) or an ISO time (2026-12-06T08:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def split_url(url: str) -> tuple[str, str]:
    """`s3://bucket/prefix/GROUP` -> (`s3://bucket/prefix`, `GROUP`)."""
    base, _, group = url.rstrip("/").rpartition("/")
    if not group or base.endswith(":/") or base in ("s3:/", "file:/", ""):
        raise UsageError(f"{url}: name the group at the end: s3://bucket/prefix/GROUP or file:///dir/GROUP")
    return base, group


class Window:
    """One time window: what came in, and per-function sample totals for the anomaly check (not stacks)."""

    __slots__ = ("grand", "hosts", "processes", "profiles", "samples", "totals")

    def __init__(self) -> None:
        self.profiles = self.samples = 0
        self.processes: set[tuple[str, Any]] = set()
        self.hosts: set[str] = set()
        self.totals: dict[str, dict[tuple[str, str], tuple[float, float, int]]] = {"cpu": {}, "wall": {}}
        self.grand = {"cpu": 0.0, "wall": 0.0}

    def add(self, profile: dict[str, Any]) -> None:
        from codeward.profiler.compare import function_totals

        self.profiles += 1
        self.samples += int(profile.get("sampling", {}).get("rounds", 0))
        self.processes.add((str(profile.get("host", "")), profile.get("pid")))
        self.hosts.add(str(profile.get("host", "")))
        for metric in ("cpu", "wall"):
            totals, grand = function_totals(profile, metric)
            mine = self.totals[metric]
            for key, (total, self_, line) in totals.items():
                t, s, _ = mine.get(key, (0.0, 0.0, 0))
                mine[key] = (t + total, s + self_, line)
            self.grand[metric] += grand


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codeward profile aggregate",
        description="Merge a profiling group's profiles (s3://bucket/prefix/GROUP or file:///dir/GROUP) over "
        "time windows into one report, and check the latest window against the earlier ones.",
    )
    parser.add_argument("url", metavar="URL", help="the group: the store URL followed by /GROUP")
    parser.add_argument("--since", help="start: a duration before --until (6h, 2d) or an ISO time (default: all)")
    parser.add_argument("--until", help="end: a duration before now or an ISO time (default: now)")
    parser.add_argument("--window", default="1h", help="length of a time window (default 1h)")
    parser.add_argument("--output", required=True, metavar="DIR", help="where aggregate.json and reports go")
    parser.add_argument("--formats", default="html,speedscope,collapsed", help="reports besides aggregate.json")
    parser.add_argument("--metric", choices=("auto", "cpu", "wall"), default="auto")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--sigmas", type=float, default=3.0, help="how unusual a share must be (default 3)")
    parser.add_argument("--min-change", type=float, default=2.0, metavar="PCT",
                        help="ignore jumps smaller than PCT points of total time (default 2)")  # fmt: skip
    parser.add_argument("--fail-on-regression", type=float, metavar="PCT",
                        help="exit 1 when a function's share in the latest window grew by more than PCT points "
                        "over the earlier windows' mean (and is anomalous)")  # fmt: skip
    return parser


def main(words: list[str]) -> int:
    try:
        options = _parser().parse_args(words)
    except SystemExit as exc:
        return EXIT_CLEAN if exc.code == 0 else EXIT_ERROR
    from codeward.profiler.model import Merger, ProfileError, validate
    from codeward.profiler.settings import BY_NAME, SettingsError, convert
    from codeward.profiler.store import StoreError, decode, hour_prefixes, open_store

    now = time.time()
    until = parse_time(options.until, "--until", now) if options.until else now
    since = parse_time(options.since, "--since", until) if options.since else None
    window = parse_duration(options.window, "--window")
    if since is not None and since >= until:
        raise UsageError("--since must come before --until")
    try:
        formats = convert(BY_NAME["formats"], options.formats, "--formats")
    except SettingsError as exc:
        raise UsageError(str(exc)) from None
    base, group = split_url(options.url)
    try:
        store = open_store(base)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    prefixes = [f"{group}/{hour}" for hour in hour_prefixes(since, until)] if since is not None else [f"{group}/"]
    merger = Merger()
    windows: dict[int, Window] = {}
    skipped: list[str] = []
    listed = 0
    try:
        for prefix in prefixes:
            for key in store.list(prefix):
                listed += 1
                try:
                    profile = validate(decode(store.get(key), key), key)
                except (StoreError, ProfileError) as exc:
                    skipped.append(str(exc))
                    continue
                start = float(profile["start"])
                if start > until or (since is not None and start < since):
                    continue
                merger.add(profile)
                windows.setdefault(int(start // window), Window()).add(profile)
                del profile  # one profile in memory at a time
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    err = sys.stderr
    for message in skipped[:5]:
        err.write(f"codeward profile aggregate: skipped {message}\n")
    if len(skipped) > 5:
        err.write(f"codeward profile aggregate: skipped {len(skipped) - 5} more unreadable objects\n")
    if not merger.count:
        span = f" between {_iso(since)} and {_iso(until)}" if since is not None else ""
        err.write(f"codeward profile aggregate: no profiles of group {group!r} in {base}{span} ({listed} objects)\n")
        return EXIT_CLEAN
    merged = merger.result()
    _write(merged, options.output, [f for f in formats.split(",") if f.strip() and f.strip() != "none"])
    from codeward.profiler.formats import terminal
    from codeward.profiler.model import metric_for

    metric = metric_for(merged, options.metric)
    out = sys.stdout
    out.write(
        f"Group {group}: {merger.count} profiles from {len(merger.processes)} processes on "
        f"{len({h for h, _ in merger.processes})} hosts, {_iso(merger.start)} to {_iso(merger.end)}\n"
    )
    out.write(terminal(merged, metric, options.top))
    out.write(_window_table(windows, window))
    found = _check(windows, metric, options, out)
    limit = options.fail_on_regression
    failing = [a for a in found if limit is not None and a.change > limit]
    if failing:
        worst = failing[0]
        err.write(
            f"codeward profile aggregate: regression: {worst.name} grew by {worst.change:.1f} points in the latest "
            f"window (over --fail-on-regression {limit:g})\n"
        )
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _write(merged: dict[str, Any], output: str, formats: list[str]) -> None:
    import json

    from codeward.profiler.report import render_formats

    try:
        os.makedirs(output, exist_ok=True)
        base = os.path.join(output, "aggregate")
        with open(base + ".json", "w", encoding="utf-8") as handle:
            json.dump(merged, handle, separators=(",", ":"))
        written = [base + ".json", *render_formats(merged, formats, base)]
    except OSError as exc:
        raise UsageError(f"cannot write to {output}: {exc.strerror or exc}") from None
    sys.stderr.write("wrote " + ", ".join(os.path.relpath(p) for p in written) + "\n")


def _window_table(windows: dict[int, Window], length: float) -> str:
    lines = [f"Windows of {_duration(length)} (UTC start): profiles, processes, hosts, samples"]
    for index in sorted(windows):
        w = windows[index]
        lines.append(
            f"  {_iso(index * length)}  {w.profiles:6d} profiles {len(w.processes):5d} processes "
            f"{len(w.hosts):4d} hosts {w.samples:9d} samples"
        )
    return "\n".join(lines) + "\n"


def _check(windows: dict[int, Window], metric: str, options: argparse.Namespace, out: Any) -> list[Any]:
    from codeward.profiler.compare import anomalies_in, anomaly_table, as_shares

    order = sorted(windows)
    if len(order) < 3:
        out.write(
            f"Anomaly check: needs the latest window and at least 2 earlier ones; {len(order)} window"
            f"{'s' if len(order) != 1 else ''} of data (use a longer --since or a shorter --window)\n"
        )
        return []
    shares = [as_shares(windows[i].totals[metric], windows[i].grand[metric]) for i in order]
    found = anomalies_in(shares[:-1], shares[-1], options.sigmas, options.min_change)
    out.write(f"Latest window {_iso(order[-1] * parse_duration(options.window, '--window'))}: ")
    out.write(anomaly_table(found, len(order) - 1, "windows"))
    return found


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def _duration(seconds: float) -> str:
    for unit in ("d", "h", "m"):
        if seconds >= UNITS[unit] and seconds % UNITS[unit] == 0:
            return f"{seconds / UNITS[unit]:g}{unit}"
    return f"{seconds:g}s"
