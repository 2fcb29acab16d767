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
    print("| defect category | seeded | reported at the defect's line |")
    print("|---|---|---|")
    for category in sorted(total):
        print(f"| {category} | {total[category]} | {found[category]} ({found[category] / total[category]:.0%}) |")
    all_total, all_found = sum(total.values()), sum(found.values())
    print(f"| **all** | {all_total} | {all_found} ({all_found / all_total:.1%}) |")
    if "-v" in sys.argv:
        for case in missed:
            print(f"missed: {case.source.relative_to(ROOT)}:{case.line} {case.category}: {case.description}")


if __name__ == "__main__":
    main()
