"""Inline suppression: `# codeward: ignore[CODE, ...]` (or `// ...` in JSON) on the flagged line or alone
on the line above it. Without a code list it silences every finding there."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# One problem, two codes: what `codeward simulate` finds about a revision directory or a batch graph it is
# given, and what `codeward lint` finds about the same line. Suppressing either code silences both.
SAME_PROBLEM: dict[str, str] = {
    "CWA204": "CWA104",  # hook script missing
    "CWA205": "CWA106",  # hook script not executable
    "CWA206": "CWA106",  # hook script without #!
    "CWA207": "CWA105",  # files source missing
    "CWB206": "CWB108",  # batch graph cycle
    "CWB207": "CWB108",  # batch graph dependency on no task
    "CWB208": "CWB109",  # duplicate batch identifier
    "CWP201": "CWP113",  # pipeline variable that cannot resolve
}


def same_problem(code: str) -> tuple[str, ...]:
    """The codes that name the same problem as `code` (itself first)."""
    lint = SAME_PROBLEM.get(code, code)
    return (code, *sorted({lint, *(sim for sim, own in SAME_PROBLEM.items() if own == lint)} - {code}))


_COMMENT = re.compile(r"(?:#|//)\s*codeward:\s*ignore(?:\[([^\]]*)\])?")


@dataclass(slots=True)
class Suppression:
    line: int
    column: int
    # None means every code.
    codes: frozenset[str] | None
    # The line it covers besides its own (the next one, when the comment stands alone).
    covers: int
    used: set[str] = field(default_factory=set)

    def matches(self, code: str) -> bool:
        if self.codes is None:
            return True
        return any(c.startswith(prefix) for c in same_problem(code) for prefix in self.codes)


def find_suppressions(text: str) -> list[Suppression]:
    if "codeward:" not in text:
        return []
    found: list[Suppression] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "codeward:" not in line:
            continue
        match = _COMMENT.search(line)
        if match is None:
            continue
        codes = None
        if match.group(1) is not None:
            codes = frozenset(c.strip().upper() for c in match.group(1).split(",") if c.strip())
        alone = not line[: match.start()].strip()
        found.append(Suppression(number, match.start() + 1, codes, number + 1 if alone else number))
    return found


def is_suppressed(suppressions: list[Suppression], code: str, line: int) -> bool:
    for suppression in suppressions:
        if line in (suppression.line, suppression.covers) and suppression.matches(code):
            suppression.used.add(code)
            return True
    return False
