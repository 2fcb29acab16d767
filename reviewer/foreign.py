"""Suppressions that teams already have: bandit's `# nosec` and ruff's `# noqa: S…` (flake8-bandit codes).

A line that bandit or ruff was told to ignore for a check was triaged already; the codeward rules that look
for the same problem stay quiet there. The table below maps each codeward rule to the bandit tests that
find the same problem; ruff's flake8-bandit rules carry bandit's numbers (`B602` is ruff's `S602`), except
for the few that ruff does not implement. `docs/reviewer.md` shows the table; `--no-foreign-suppressions`
(or `foreign-suppressions = false` in `[tool.codeward.reviewer]`) turns this off.
"""

from __future__ import annotations

from functools import cache

# codeward rule -> bandit test ids that look for the same problem.
BANDIT: dict[str, tuple[str, ...]] = {
    "CWR101": ("B608", "B610", "B611"),
    "CWR102": ("B601", "B602", "B604", "B605", "B609"),
    "CWR103": ("B602", "B604", "B605"),
    "CWR104": ("B102", "B307"),
    "CWR105": ("B301", "B302", "B614"),
    "CWR106": ("B506",),
    "CWR108": ("B202",),
    "CWR109": ("B310",),
    "CWR110": ("B308", "B701", "B703", "B704"),
    "CWR111": ("B701", "B702"),
    "CWR112": ("B313", "B314", "B315", "B316", "B317", "B318", "B319", "B320"),
    "CWR120": ("B608",),
    "CWR121": ("B102", "B307"),
    "CWR202": ("B105", "B106", "B107"),
    "CWR301": ("B501",),
    "CWR302": ("B323",),
    "CWR303": ("B303", "B324"),
    "CWR304": ("B303", "B324"),
    "CWR305": ("B311",),
    "CWR306": ("B306",),
    "CWR307": ("B103",),
    "CWR309": ("B201",),
    "CWR310": ("B304", "B305"),
    "CWR311": ("B502", "B503", "B504"),
    "CWR312": ("B505",),
    "CWR313": ("B507",),
    "CWR602": ("B110", "B112"),
    "CWR603": ("B110", "B112"),
    "CWR610": ("B113",),
}
# Bandit tests that ruff's flake8-bandit rules do not implement (no S code with that number).
NOT_IN_RUFF = frozenset({"B613", "B614", "B615", "B703"})


def ruff_codes(code: str) -> tuple[str, ...]:
    """ruff's flake8-bandit codes for a codeward rule (`S602` for bandit's `B602`)."""
    return tuple("S" + test[1:] for test in BANDIT.get(code, ()) if test not in NOT_IN_RUFF)


@cache
def by_foreign_id() -> dict[str, frozenset[str]]:
    """Bandit id (`B602`) or ruff code (`S602`) -> the codeward rules it silences."""
    table: dict[str, set[str]] = {}
    for code, tests in BANDIT.items():
        for test in tests:
            table.setdefault(test, set()).add(code)
        for ruff in ruff_codes(code):
            table.setdefault(ruff, set()).add(code)
    return {key: frozenset(codes) for key, codes in table.items()}


def mapped_rules(ids: frozenset[str] | None) -> frozenset[str]:
    """The codeward rules a foreign comment silences: those of its ids, or every mapped rule for a bare `# nosec`."""
    if ids is None:
        return frozenset(BANDIT)
    table = by_foreign_id()
    return frozenset(code for foreign in ids for code in table.get(foreign, ()))


def markdown_table() -> str:
    """The mapping as the Markdown table in docs/reviewer.md (a test keeps the two equal)."""
    from codeward.reviewer.rules import rules_by_code

    rows = ["| codeward | bandit (`# nosec …`) | ruff (`# noqa: …`) |", "|---|---|---|"]
    for code, tests in BANDIT.items():
        name = rules_by_code()[code].name
        rows.append(f"| `{code}` {name} | {', '.join(tests)} | {', '.join(ruff_codes(code)) or '-'} |")
    return "\n".join(rows) + "\n"
