"""Text reports: collapsed stacks (flamegraph.pl, inferno), speedscope JSON, the terminal table."""

from __future__ import annotations

import json

from codeward.profiler.model import frame_label, function_table, metric_for, seconds_per_sample, short_path

TYPE_CHECKING = False  # typing is not imported: the launcher loads this module while the program runs
if TYPE_CHECKING:
    from typing import Any


def _clean(label: str) -> str:
    # `;` separates frames and the last space separates the count in the collapsed format.
    return label.replace(";", ":").replace("\n", " ")


def collapsed(profile: dict[str, Any], metric: str = "wall") -> str:
    """One line per distinct stack, root first: `a;b;c COUNT`. CPU counts are milliseconds of CPU time."""
    frames = profile["frames"]
    cwd = profile.get("cwd")
    labels = [_clean(frame_label(f, cwd)) for f in frames]
    interval = seconds_per_sample(profile) * 1000.0
    totals: dict[str, int] = {}
    for ids, wall, cpu, _exc in profile["stacks"]:
        value = wall if metric == "wall" else round(cpu * interval)
        if value <= 0 or not ids:
            continue
        line = ";".join(labels[i] for i in ids)
        totals[line] = totals.get(line, 0) + int(value)
    return "".join(f"{line} {count}\n" for line, count in sorted(totals.items()))


def speedscope(profile: dict[str, Any], name: str = "codeward profile") -> str:
    """speedscope's file format: shared frames and two sampled profiles (wall time, CPU time) in ms."""
    cwd = profile.get("cwd")
    frames = [
        {"name": f["name"], **({"file": short_path(f["file"], cwd), "line": f["line"]} if f["file"] else {})}
        for f in profile["frames"]
    ]
    interval = seconds_per_sample(profile) * 1000.0
    profiles = []
    for metric, column in (("wall", 1), ("cpu", 2)):
        samples, weights = [], []
        for row in profile["stacks"]:
            weight = row[column] * interval
            if weight > 0 and row[0]:
                samples.append(row[0])
                weights.append(round(weight, 3))
        profiles.append(
            {
                "type": "sampled",
                "name": f"{name} ({'wall time' if metric == 'wall' else 'CPU time'})",
                "unit": "milliseconds",
                "startValue": 0,
                "endValue": round(sum(weights), 3),
                "samples": samples,
                "weights": weights,
            }
        )
    document = {
        "$schema": "https://www.speedscope.app/file-format-schema.json",
        "shared": {"frames": frames},
        "profiles": profiles,
        "name": name,
        "activeProfileIndex": 1 if metric_for(profile, "auto") == "cpu" else 0,
        "exporter": "codeward profiler",
    }
    return json.dumps(document, separators=(",", ":"))


def terminal(profile: dict[str, Any], metric: str = "auto", limit: int = 15, color: bool = False) -> str:
    """The hottest functions by self time, with their total time, as an aligned table."""
    metric = metric_for(profile, metric)
    table = function_table(profile, metric)
    interval = seconds_per_sample(profile)
    cwd = profile.get("cwd")
    sampling = profile.get("sampling", {})
    head = (
        f"{'CPU' if metric == 'cpu' else 'Wall'} time by function: {table.grand_total * interval:.2f} s in "
        f"{sampling.get('rounds', 0)} samples over {profile['duration']:.2f} s "
        f"({sampling.get('actual_hz', 0):g} samples/s; asked {sampling.get('requested_hz', 0):g})"
    )
    lines = [head]
    rows = table.hottest("self", limit)
    if not rows:
        lines.append(
            "  no samples: the program ended before the first sample (lower --sampling-interval-in-milliseconds)"
        )
        return "\n".join(lines) + "\n"
    lines.append(f"  {'self%':>6} {'total%':>7} {'self s':>8} {'total s':>8}  function")
    bold, reset = ("\033[1m", "\033[0m") if color else ("", "")
    for stat in rows:
        location = short_path(stat.file, cwd) + f":{stat.line}" if stat.file else ""
        lines.append(
            f"  {table.share(stat.self_):6.1f} {table.share(stat.total):7.1f} {stat.self_ * interval:8.3f} "
            f"{stat.total * interval:8.3f}  {bold}{stat.name}{reset}  {location}"
        )
    return "\n".join(lines) + "\n"
