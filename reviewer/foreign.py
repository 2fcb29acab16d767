"""Suppressions that teams already have: bandit's `# nosec` and ruff's `# noqa: S…` (flake8-bandit codes).

A line that bandit or ruff was told to ignore for a check was triaged already; the codeward rules that look
for the same problem stay quiet there. The table below maps each codeward rule to the bandit tests that
find the same problem; ruff's flake8-bandit rules carry bandit's numbers (`B602` is ruff's `S602`), except
for the few that ruff does not implement. `docs/reviewer.md` shows the table; `--no-foreign-suppressions`
(or `foreign-suppressions = false` in `[tool.codeward.reviewer]`) turns this off.
"""

from __future__ import annotations

import re
from functools import cache

# codeward rule -> bandit test ids that look for the same problem.
BANDIT: dict[str, tuple[str, ...]] = {
    "CWR101": ("B608", "B610", "B611"),
    "CWR102": ("B601", "B602", "B604", "B605", "B609"),
    "CWR103": ("B601", "B602", "B604", "B605"),
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
    "CWR124": ("B308", "B703", "B704"),
    # Bandit's hard-coded password tests look at the literal a name such as `TOKEN` is given, which is where
    # codeward finds a token in a known format too (`TESTING_TOKEN = "eyJ..."  # nosec B105`).
    "CWR201": ("B105", "B106", "B107"),
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


# What each mapped bandit test looks at, as text on the commented line and the lines just before it (where a
# call that the comment ends may start): (must appear, or None; must not appear, or None). Bandit's tests are
# broader than codeward's rules (B601 flags every paramiko `exec_command`, B608 every SQL-looking string, B310
# every `urlopen`), so a `# nosec` that silences no codeward finding may still silence bandit: it is reported as
# unused only where bandit's test has nothing to look at. Judged on real code, reporting it wherever codeward was
# quiet was wrong or not worth a comment 44 times out of 44 (bench/reviewer/judgments.jsonl, round "fifth").
_NETWORK = r"\b(?:requests|httpx|session|client)\.(?:get|post|put|patch|delete|head|options|request|stream)\s*\("
BANDIT_LOOKS_AT: dict[str, tuple[str | None, str | None]] = {
    "B102": (r"\bexec\b", None),
    "B103": (r"\bchmod\b", None),
    "B105": (r"(?i)pass|pwd|secret|token|key|cred", None),
    "B106": (r"(?i)pass|pwd|secret|token|key|cred", None),
    "B107": (r"(?i)pass|pwd|secret|token|key|cred", None),
    "B110": (r"\bexcept\b|\bpass\b", None),
    "B112": (r"\bexcept\b|\bcontinue\b", None),
    "B113": (_NETWORK, r"\btimeout\s*="),
    "B201": (r"\bdebug\s*=", None),
    "B202": (r"extractall|extract\s*\(", None),
    "B301": (r"(?i)pickle|\bloads?\s*\(|Unpickler|shelve", None),
    "B302": (r"\bmarshal\b|\bloads?\s*\(", None),
    "B303": (r"(?i)md[245]|sha1?\b|hash", None),
    "B304": (r"(?i)cipher|arc4|blowfish|\bdes\b|idea|\bmodes?\b|ecb|xor", None),
    "B305": (r"(?i)cipher|\bmodes?\b|ecb", None),
    "B306": (r"\bmktemp\b", None),
    "B307": (r"\beval\b", None),
    "B308": (r"mark_safe|SafeString|format_html", None),
    "B310": (r"urlopen|urlretrieve|URLopener|Request\s*\(", None),
    "B313": (r"(?i)xml|etree|sax|minidom|pulldom|expat|parse", None),
    "B314": (r"(?i)xml|etree|parse", None),
    "B315": (r"(?i)xml|expat|parse", None),
    "B316": (r"(?i)xml|expat|parse", None),
    "B317": (r"(?i)xml|sax|parse", None),
    "B318": (r"(?i)xml|minidom|parse", None),
    "B319": (r"(?i)xml|pulldom|parse", None),
    "B320": (r"(?i)xml|lxml|etree|parse", None),
    "B323": (r"_create_unverified_context|ssl", None),
    "B324": (r"(?i)md[245]|sha1?\b|hash", None),
    "B501": (r"verify\s*=", None),
    "B502": (r"(?i)ssl|tls|protocol", None),
    "B503": (r"(?i)ssl|tls|protocol", None),
    "B504": (r"(?i)ssl|tls|wrap_socket", None),
    "B505": (r"(?i)generate|key_size|rsa|dsa|ec\b|bits", None),
    "B506": (r"\byaml\b|\bload\s*\(", None),
    "B507": (r"(?i)MissingHostKeyPolicy|AutoAddPolicy|WarningPolicy|host_key", None),
    "B601": (r"exec_command|\.invoke_shell|paramiko", None),
    "B602": (r"\bshell\s*=", None),
    "B604": (r"\bshell\s*=", None),
    "B605": (r"\bos\.(?:system|popen|spawn|exec)|\bsystem\s*\(|\bpopen\d?\s*\(|commands\.", None),
    "B608": (r"(?i)\b(?:select|insert|update|delete|replace|create|drop|alter|from|where)\b", None),
    "B609": (r"\*", None),
    "B610": (r"\.extra\s*\(", None),
    "B611": (r"RawSQL", None),
    "B614": (r"torch|\bload\s*\(", None),
    "B701": (r"(?i)jinja|Environment|autoescape|Template", None),
    "B702": (r"(?i)mako|Template", None),
    "B703": (r"mark_safe|SafeString|format_html", None),
    "B704": (r"Markup|markupsafe", None),
}
# Lines before the comment that still count as its statement (a call spread over lines ends where it is).
_STATEMENT_LINES = 6


@cache
def _looks_at(test: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None:
    entry = BANDIT_LOOKS_AT.get(test)
    if entry is None:
        return None
    return tuple(None if p is None else re.compile(p) for p in entry)  # type: ignore[return-value]


def bandit_may_need(ids: frozenset[str], lines: list[str], line: int) -> bool:
    """Whether bandit's tests `ids` (bandit `B602` or ruff `S602`) may flag the statement a comment on `line` (1-based)
    ends: then the comment may still be needed, whatever codeward found. An id whose test is not tabled counts as
    needed."""
    window = "\n".join(lines[max(0, line - _STATEMENT_LINES) : line])
    for foreign in ids:
        test = "B" + foreign[1:] if foreign[:1] in "BS" and foreign[1:].isdigit() else foreign
        patterns = _looks_at(test)
        if patterns is None:
            return True
        must, must_not = patterns
        if (must is None or must.search(window)) and (must_not is None or not must_not.search(window)):
            return True
    return False


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
