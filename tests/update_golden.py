"""Rewrite the golden simulation traces, then show what changed for review: `python -m tests.update_golden
[NAME ...]` (every case without names). The tests never write what they compare; this command is the only
writer, and its `git diff` is what a person reads before committing the new traces."""

from __future__ import annotations

import subprocess
import sys

from tests.test_simulate_golden import CASES, GOLDEN, trace


def main(names: list[str]) -> int:
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(sorted(CASES))}", file=sys.stderr)
        return 2
    for name in names or sorted(CASES):
        (GOLDEN / f"{name}.txt").write_text(trace(CASES[name]), encoding="utf-8")
    subprocess.run(["git", "add", "--intent-to-add", str(GOLDEN)], check=False)
    diff = subprocess.run(["git", "diff", "--stat", "--", str(GOLDEN)], capture_output=True, text=True).stdout
    print(diff or "no golden trace changed")
    if diff:
        print(f"review every line: git diff -- {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
