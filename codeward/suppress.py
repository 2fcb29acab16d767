"""Inline suppression: `# codeward: ignore[CODE, ...]` (or `// ...` in JSON) on the flagged line or alone
on the line above it. Without a code list it silences every finding there.

Other tools' comments are found here too (`find_foreign`): bandit's `# nosec` (bare, or with test ids such as
`B602`), ruff's `# noqa: S602` and SonarQube's `NOSONAR`, on the flagged line only, as those tools read them. Which codeward rules
they silence is the reviewer's business (`codeward.reviewer.foreign`)."""

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
    # For another tool's comment: its own words (`nosec B602`), and the ids it names (None: bare `# nosec`).
    foreign: str | None = None
    foreign_ids: frozenset[str] | None = None

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


# bandit: `nosec`, `nosec B602, B607`, `nosec: B602` comments; ruff: `noqa: S602, S607` (other codes ignored).
_NOSEC = re.compile(r"#\s*nosec\b:?((?:[ \t]*,?[ \t]*[Bb]\d{3}\b)*)")
_NOQA = re.compile(r"#\s*noqa\s*:\s*([A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)")
_ID = re.compile(r"[A-Za-z]+\d+")


def find_foreign(text: str) -> list[Suppression]:
    """bandit's and ruff's suppression comments, each covering its own line; `codes` is left empty for the
    caller to fill with its own rule codes."""
    if "nosec" not in text and "noqa" not in text and "NOSONAR" not in text:
        return []
    found: list[Suppression] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "#" not in line:
            continue
        nosec = _NOSEC.search(line) if "nosec" in line else None
        if nosec is not None:
            ids = frozenset(i.upper() for i in _ID.findall(nosec.group(1))) or None
            words = "nosec" + (" " + ", ".join(sorted(ids)) if ids else "")
            found.append(Suppression(number, nosec.start() + 1, frozenset(), number, foreign=words, foreign_ids=ids))
        sonar = line.rfind("NOSONAR") if "NOSONAR" in line else -1  # the comment's, after any in a string
        if sonar >= 0 and "#" in line[:sonar]:
            found.append(Suppression(number, sonar + 1, frozenset(), number, foreign="NOSONAR"))
        noqa = _NOQA.search(line) if "noqa" in line else None
        if noqa is not None:
            ids = frozenset(i.upper() for i in _ID.findall(noqa.group(1)) if i[:1] in "Ss" and i[1:].isdigit())
            if ids:
                words = "noqa: " + ", ".join(sorted(ids))
                found.append(Suppression(number, noqa.start() + 1, frozenset(), number, foreign=words, foreign_ids=ids))
    return found


def is_suppressed(suppressions: list[Suppression], code: str, line: int) -> bool:
    for suppression in suppressions:
        if line in (suppression.line, suppression.covers) and suppression.matches(code):
            suppression.used.add(code)
            return True
    return False
