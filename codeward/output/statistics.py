"""`--statistics`: how many findings each rule produced, most frequent first (ruff's layout)."""

from __future__ import annotations

import json
from collections import Counter

from codeward.output import Report


def rows(report: Report) -> list[dict[str, object]]:
    counts = Counter(f.code for f in report.findings)
    names = {f.code: f.name for f in report.findings}
    fixable = {f.code for f in report.findings if f.fix is not None}
    ordered = sorted(counts, key=lambda code: (-counts[code], code))
    return [{"code": c, "name": names[c], "count": counts[c], "fixable": c in fixable} for c in ordered]


def render(report: Report, *, as_json: bool = False) -> str:
    table = rows(report)
    if as_json:
        return json.dumps(table, indent=2) + "\n"
    if not table:
        return ""
    width = max(len(str(row["count"])) for row in table)
    code_width = max(len(str(row["code"])) for row in table)
    lines = [
        f"{row['count']:>{width}}\t{row['code']:<{code_width}}\t{'[*] ' if row['fixable'] else ''}{row['name']}"
        for row in table
    ]
    if any(row["fixable"] for row in table):
        lines.append("[*] fixable with --fix")
    return "\n".join(lines) + "\n"
