"""Print the seeded-defect detection table (per category) for README.

.venv/bin/python bench/seeded.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_seeded_defects import evaluate  # noqa: E402


def main() -> None:
    total, found, missed = evaluate()
    rows = ["| defect category | seeded | reported at the defect's line |", "|---|---|---|"]
    for category in sorted(total):
        rows.append(f"| {category} | {total[category]} | {found[category]} ({found[category] / total[category]:.0%}) |")
    all_total, all_found = sum(total.values()), sum(found.values())
    rows.append(f"| **all** | {all_total} | {all_found} ({all_found / all_total:.1%}) |")
    table = "\n".join(rows) + "\n"
    print(table)
    if "--write" in sys.argv:
        readme = ROOT / "README.md"
        body = readme.read_text()
        start, end = "<!-- seeded:start -->", "<!-- seeded:end -->"
        body = body[: body.index(start) + len(start)] + "\n" + table + body[body.index(end) :]
        readme.write_text(body)
    if "-v" in sys.argv:
        for case in missed:
            print(f"missed: {case.source.relative_to(ROOT)}:{case.line} {case.category}: {case.description}")


if __name__ == "__main__":
    main()
