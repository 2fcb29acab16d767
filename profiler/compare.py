"""Comparing profiles: two at a time (diff) and one against a history (anomalies).

Functions are matched by qualified name and short file path, not line number, so an edit above a
function does not make it look new. Shares are percentages of the profile's total time (CPU when both
profiles have CPU time, else wall), so runs of different lengths compare fairly; changes are in
percentage points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from codeward.profiler.model import function_table, metric_for, short_path

Shares = dict[tuple[str, str], tuple[float, float, int]]


def function_totals(profile: dict[str, Any], metric: str) -> tuple[Shares, float]:
    """(name, file) -> (total, self, line) in samples, summed over same-named entries; and the grand total."""
    table = function_table(profile, metric)
    cwd = profile.get("cwd")
    out: Shares = {}
    for stat in table.functions.values():
        key = (stat.name, short_path(stat.file, cwd) if stat.file else "")
        total, self_, _ = out.get(key, (0.0, 0.0, 0))
        out[key] = (total + stat.total, self_ + stat.self_, stat.line)
    return out, table.grand_total


def as_shares(totals: Shares, grand_total: float) -> Shares:
    """Sample totals as percentages of `grand_total`."""
    scale = 100.0 / grand_total if grand_total else 0.0
    return {key: (total * scale, self_ * scale, line) for key, (total, self_, line) in totals.items()}


def _shares(profile: dict[str, Any], metric: str) -> Shares:
    """(name, file) -> (total %, self %, line), summed over same-named entries."""
    return as_shares(*function_totals(profile, metric))


def _metric(profiles: list[dict[str, Any]], metric: str) -> str:
    if metric != "auto":
        return metric
    return "cpu" if all(metric_for(p, "auto") == "cpu" for p in profiles) else "wall"


@dataclass
class DiffRow:
    name: str
    file: str
    line: int
    base_total: float
    new_total: float
    base_self: float
    new_self: float

    @property
    def change(self) -> float:
        return self.new_total - self.base_total

    @property
    def self_change(self) -> float:
        return self.new_self - self.base_self


@dataclass
class DiffResult:
    metric: str
    rows: list[DiffRow] = field(default_factory=list)

    def regressions(self, limit: float | None) -> list[DiffRow]:
        if limit is None:
            return []
        return sorted((r for r in self.rows if r.change > limit), key=lambda r: -r.change)

    def by_name(self) -> dict[tuple[str, str], DiffRow]:
        return {(r.name, r.file): r for r in self.rows}


def diff(base: dict[str, Any], new: dict[str, Any], metric: str = "auto") -> DiffResult:
    metric = _metric([base, new], metric)
    before, after = _shares(base, metric), _shares(new, metric)
    result = DiffResult(metric)
    for key in before.keys() | after.keys():
        bt, bs, bl = before.get(key, (0.0, 0.0, 0))
        nt, ns, nl = after.get(key, (0.0, 0.0, 0))
        result.rows.append(DiffRow(key[0], key[1], nl or bl, bt, nt, bs, ns))
    result.rows.sort(key=lambda r: (-abs(r.change), -abs(r.self_change), r.name))
    return result


def diff_table(result: DiffResult, limit: int = 15) -> str:
    rows = [r for r in result.rows if abs(r.change) >= 0.05 or abs(r.self_change) >= 0.05][:limit]
    lines = [f"Change in share of {result.metric} time, NEW minus BASE (percentage points), largest first"]
    if not rows:
        return lines[0] + "\n  no function changed its share by 0.05 points or more\n"
    lines.append(f"  {'change':>7} {'base%':>6} {'new%':>6} {'self Δ':>7}  function")
    for r in rows:
        location = f"{r.file}:{r.line}" if r.file else ""
        lines.append(
            f"  {r.change:+7.1f} {r.base_total:6.1f} {r.new_total:6.1f} {r.self_change:+7.1f}  {r.name}  {location}"
        )
    return "\n".join(lines) + "\n"


@dataclass
class Anomaly:
    name: str
    file: str
    line: int
    mean: float
    stdev: float
    new: float

    @property
    def change(self) -> float:
        return self.new - self.mean

    @property
    def sigmas(self) -> float:
        return self.change / self.stdev if self.stdev > 0 else math.inf


def anomalies(
    history: list[dict[str, Any]],
    new: dict[str, Any],
    metric: str = "auto",
    *,
    sigmas: float = 3.0,
    min_change: float = 2.0,
) -> list[Anomaly]:
    """Functions whose share in `new` is above the history's mean by `sigmas` deviations and `min_change` points."""
    metric = _metric([*history, new], metric)
    return anomalies_in([_shares(p, metric) for p in history], _shares(new, metric), sigmas, min_change)


def anomalies_in(past: list[Shares], current: Shares, sigmas: float, min_change: float) -> list[Anomaly]:
    """`anomalies` on shares already computed (time windows of a profiling group, say)."""
    found = []
    for key, (share, _self, line) in current.items():
        values = [p.get(key, (0.0, 0.0, 0))[0] for p in past]
        mean = sum(values) / len(values)
        stdev = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
        if share - mean >= min_change and share - mean > sigmas * stdev:
            found.append(Anomaly(key[0], key[1], line, mean, stdev, share))
    found.sort(key=lambda a: -a.change)
    return found


def anomaly_table(found: list[Anomaly], runs: int, what: str = "profiles") -> str:
    head = f"Functions whose share jumped compared with {runs} earlier {what}"
    if not found:
        return head + ": none\n"
    lines = [head, f"  {'change':>7} {'mean%':>6} {'stdev':>6} {'new%':>6}  function"]
    for a in found:
        location = f"{a.file}:{a.line}" if a.file else ""
        lines.append(f"  {a.change:+7.1f} {a.mean:6.1f} {a.stdev:6.2f} {a.new:6.1f}  {a.name}  {location}")
    return "\n".join(lines) + "\n"
