"""Where chosen rules report over every labelled real-world file, each linted inside its repository's checkout.

    python -m bench.realworld_select --select CWA121,CWB143 [--sets corpus,fresh9] [--jobs 2] [--json OUT]

Unlike `bench.sweep sets` (each file alone in a folder), this lints each file of the sets (bench/realworld/*.tsv)
from the checkout `bench/realworld.py` extracted for it (bench/out/realworld/checkouts; files whose checkout is not
there are counted as not available), so rules that read the repository around the file (the revision, artifacts,
Terraform modules, task definitions) are measured too. One `codeward lint --select` run per file, no hooks and no
`--fix`: a quick check of new or changed rules over every set. Prints the errors on files labelled `ok` or `other`
(false errors) and, per rule, the labelled-defect files it reports an error on.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.realworld import OUT, SETS


def _lint(row: dict[str, str], select: str) -> list[tuple[str, str, int, str]] | None:
    folder = OUT / "checkouts" / f"{row['repository'].replace('/', '+', 1)}@{row['commit'][:12]}"
    if not (folder / ".complete").exists():
        return None
    argv = [sys.executable, "-m", "codeward", "lint", "--isolated", "--no-cache", "--select", select]
    done = subprocess.run([*argv, "--format", "json", row["path"]], cwd=folder, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip
    try:
        findings = json.loads(done.stdout)["findings"]
    except (ValueError, KeyError):
        return [("CRASH", "error", 0, (done.stderr or done.stdout)[-200:])]
    return [(f["code"], f["severity"], f["line"], f["message"]) for f in findings]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--select", required=True)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = []
    for name in args.sets.split(","):
        with open(SETS[name], encoding="utf-8") as handle:
            rows += [{**row, "set": name} for row in csv.DictReader(handle, delimiter="\t")]
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda row: (row, _lint(row, args.select)), rows))
    report: list[dict[str, Any]] = [
        {"set": row["set"], "id": row["id"], "label": row["label"], "findings": found} for row, found in results
    ]
    if args.json:
        Path(args.json).write_text(json.dumps(report))
    missing = sum(1 for item in report if item["findings"] is None)
    print(f"{len(report)} files, {missing} not available (no checkout), rules {args.select}")
    false = [i for i in report if i["label"] in ("ok", "other") and any(f[1] == "error" for f in i["findings"] or ())]
    print(f"errors on files labelled ok or other: {len(false)}")
    for item in false:
        for code, _severity, line, message in (f for f in item["findings"] if f[1] == "error"):
            print(f"  {item['set']} {item['id']}:{line} {code} {message[:150]}")
    by_rule: dict[str, set[str]] = {}
    for item in report:
        if item["label"] == "defect":
            for code, severity, _line, _message in item["findings"] or ():
                if severity == "error":
                    by_rule.setdefault(code, set()).add(f"{item['set']} {item['id']}")
    for code, where in sorted(by_rule.items()):
        print(f"{code}: errors on {len(where)} defect files: {', '.join(sorted(where))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
