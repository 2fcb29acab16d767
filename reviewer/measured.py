"""Each rule's precision on real projects the team did not write, and the default rule set it decides.

`precision.json` beside this file is written by `python -m bench.reviewer.realcode score --write-precision`
from independent judgments (bench/reviewer/judgments.jsonl): for every rule, how many of its findings on the
evaluation projects were judged true (a reviewer wants the comment), false (wrong) and noise (right but not
worth a comment), counted under the default test profile with every rule selected.

A rule whose measured precision is below `THRESHOLD` is not in the default set: it runs only when asked for
(`--select`, `--extend-select`, `select`/`extend-select` in `[tool.codeward]`). Unless none of its judged
findings was wrong (right, or right but not worth a comment: a bare `except`, a client built in a handler), at
least half of them were right (`INFO_BAR`: a deprecated call, a shared mutable default), or it is a security,
input-validation or secrets rule (what the labelled suites measure: on real projects its findings were mostly
intended behaviour, yet it finds real vulnerabilities): then it stays in the default set and reports at `info`
until it is asked for by name. Rules that report at `info` stay in the default set: `info` never fails a run
with the default `--fail-on` and is not posted to a pull request unless the rule was asked for. A rule with no
finding on the evaluation projects has no measured precision and keeps its place; `codeward rules` says so.

A few judged findings decide nothing on their own (`under`): under `MIN_JUDGED` (5) judged findings at its
severity, a rule counts as under a bar only when it would stay under even if the findings missing to reach 5 were
all judged right. At the 0.8 bar that takes two findings not right (one wrong SQL injection finding leaves CWR101
at error; a second would move it to info), at `INFO_BAR` three; a rule right in its first few judged findings keeps
its severity as before. The reason: a rule's first verdicts depend on which of its findings came up first; what
moves it must be a figure the next verdicts up to 5 cannot move back (docs/reviewer.md, "What runs by default").

Info findings are still shown (terminal, editors, SARIF), so a wrong one costs the reader's trust too: a rule
judged wrong at least `WRONG_BAR` of the time over every severity it reports (`MIN_JUDGED` judged findings at
least), and right less than `INFO_BAR`, is off by default (`mostly_wrong`), unless it is right at its own
severity (over the bar there, or never wrong there and right at least `INFO_BAR`: its wrong findings are then
its conditional `info` reports, which say they are unsure). A security, input-validation or secrets rule is spared that while real code
has shown it right at least once per `NEVER_RIGHT_AFTER` judged findings, and is off too once it has
`NEVER_RIGHT_AFTER` judged findings or more and fewer right than that (none in 20, one in 40: log injection,
right 2 times in 50, is off).
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

THRESHOLD = 0.8
# Under THRESHOLD but right at least this often: its findings are worth reading, not worth posting.
INFO_BAR = 0.5
# Judged wrong at least this share of the time, at every severity it reports, and right less than INFO_BAR: at
# info its wrong findings would still show in terminals, editors and SARIF, so the rule is off until asked for.
WRONG_BAR = 0.3
# A security rule's wrong findings are kept at info (the labelled suites measure it) only while real code has shown
# it right at least once in this many judged findings: with this many judged or more and fewer right than one in this
# many, it is off as well (never right in 20, right twice in 50).
NEVER_RIGHT_AFTER = 20
# Fewer judged findings than this say too little to move a rule on their own: under MIN_JUDGED judged findings a
# rule is off for being wrong only when it is not (`mostly_wrong`), and under a bar only when it would stay under
# even if the findings missing to reach MIN_JUDGED were all judged right (`under`).
MIN_JUDGED = 5
PRECISION_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "precision.json")
# The file's own rules: reporting them is never a matter of precision.
ALWAYS = frozenset({"CWR001", "CWR002", "CWR003", "CWR900"})


@cache
def table() -> dict[str, Any]:
    try:
        with open(PRECISION_FILE, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    rules = data.get("rules") if isinstance(data, dict) else None
    return rules if isinstance(rules, dict) else {}


def counts(code: str) -> tuple[int, int, int] | None:
    """(true, false, noise) judged for the rule, or None when it had no finding on the evaluation projects."""
    entry = table().get(code)
    if not isinstance(entry, dict):
        return None
    true, false, noise = (int(entry.get(k, 0)) for k in ("true", "false", "noise"))
    return (true, false, noise) if true + false + noise else None


def precision(code: str) -> float | None:
    found = counts(code)
    return None if found is None else found[0] / sum(found)


def under(found: tuple[int, int, int], bar: float) -> bool:
    """Whether judged counts (true, false, noise) put a rule under `bar`. With `MIN_JUDGED` judged findings or
    more: its precision. With fewer: only when it would stay under even if the findings missing to reach
    `MIN_JUDGED` were all judged right, so that one or two verdicts do not move a rule that other findings might
    move back (at the 0.8 bar over 5, two findings not right; at `INFO_BAR`, three)."""
    true, judged = found[0], sum(found)
    if judged >= MIN_JUDGED:
        return true / judged < bar
    return (true + MIN_JUDGED - judged) / MIN_JUDGED < bar


@cache
def in_default_set(code: str) -> bool:
    if code in ALWAYS:
        return True
    from codeward.reviewer.rules import rule_for

    from codeward.findings import Severity

    rule = rule_for(code)
    if rule is None or rule.opt_in or mostly_wrong(code):
        return False
    found = counts(code)
    return found is None or not under(found, THRESHOLD) or rule.severity is Severity.INFO or demoted(code)


# Categories of weaknesses that the labelled suites measure (bench/reviewer/independent): a rule of these under the
# threshold still finds real vulnerabilities there, so it reports at info (kept in reports, SARIF and editors, never
# failing a run or posted) rather than going silent.
KEPT_AT_INFO = frozenset({"security", "input-validation", "secrets"})


@cache
def demoted(code: str) -> bool:
    """Under the threshold and reported at info by default: never judged wrong, right at least `INFO_BAR` of the
    time, or a security, input-validation or secrets rule."""
    found = counts(code)
    if found is None or code in ALWAYS:
        return False
    if not under(found, THRESHOLD):
        return False
    if found[1] == 0 or not under(found, INFO_BAR):
        return True
    from codeward.reviewer.rules import rule_for

    rule = rule_for(code)
    return rule is not None and getattr(rule, "category", "") in KEPT_AT_INFO


def totals(code: str) -> tuple[int, int, int] | None:
    """(true, false, noise) judged for the rule at every severity it reported, None when never judged."""
    own, info = counts(code) or (0, 0, 0), _info_counts(code) or (0, 0, 0)
    found = (own[0] + info[0], own[1] + info[1], own[2] + info[2])
    return found if sum(found) else None


@cache
def mostly_wrong(code: str) -> bool:
    """Off by default whatever its severity: judged wrong at least `WRONG_BAR` of the time and right less than
    `INFO_BAR`; for a security, input-validation or secrets rule, right less than once in `NEVER_RIGHT_AFTER`
    judged (with that many judged at least)."""
    found = totals(code)
    if found is None or code in ALWAYS:
        return False
    own = precision(code)
    at_own = counts(code)
    if own is not None and (own >= THRESHOLD or (at_own is not None and at_own[1] == 0 and own >= INFO_BAR)):
        # Right at its own severity (over the bar, or never wrong there and right at least half the time): the
        # wrong ones are its conditional `info` reports ("if `x` is a dict"), which say they are unsure; they do
        # not cost the rule its place (under the bar it reports at info, `demoted`).
        return False
    true, false, _ = found
    judged = sum(found)
    if judged < MIN_JUDGED or true / judged >= INFO_BAR or false / judged < WRONG_BAR:
        return False
    from codeward.reviewer.rules import rule_for

    rule = rule_for(code)
    if rule is not None and getattr(rule, "category", "") in KEPT_AT_INFO:
        return judged >= NEVER_RIGHT_AFTER and true * NEVER_RIGHT_AFTER < judged
    return True


def level(code: str) -> str:
    """What the default configuration does with the rule: "off", "info" (demoted) or its own severity."""
    from codeward.reviewer.rules import rule_for

    rule = rule_for(code)
    if not in_default_set(code):
        return "off"
    if demoted(code) or rule is None:
        return "info"
    return rule.severity.name.lower()


def levels(rules: dict[str, Any]) -> dict[str, str]:
    """`level` of every rule under another table's `rules` (what a re-measured table would change)."""
    from codeward.reviewer.rules import all_rules

    global table
    saved = table
    table = lambda: rules  # noqa: E731
    try:
        for cached in (in_default_set, demoted, mostly_wrong):
            cached.cache_clear()
        return {rule.code: level(rule.code) for rule in all_rules()}
    finally:
        table = saved
        for cached in (in_default_set, demoted, mostly_wrong):
            cached.cache_clear()


def opt_in_code(code: str) -> str:
    """The name a review's selector is asked about for a rule's opt-in findings (a kind of finding judged wrong too
    often on real code to show by default, even at info): selected only when the rule is asked for by name, a
    prefix of it or ALL (`--select`, `--extend-select`), and ignored with the rule."""
    return f"{code}.opt-in"


def describe(code: str) -> str:
    """One line for the rule's docs: its measured precision and whether it runs by default."""
    found = counts(code)
    if code in ALWAYS:
        return "Default: always on."
    from codeward.reviewer.rules import rule_for

    rule = rule_for(code)
    if rule is not None and rule.opt_in:
        true, false, noise = totals(code) or (0, 0, 0)
        return (
            f"Precision on real code, every severity: {true} true, {false} false, {noise} not worth a comment of its "
            "findings measured here; every kind of finding it makes was judged wrong, none right (the rule's "
            "description says where). Default: off (select it to run it)."
        )
    if mostly_wrong(code):
        true, false, noise = totals(code) or (0, 0, 0)
        return (
            f"Precision on real code: {true / (true + false + noise):.2f} ({true} true, {false} false, {noise} not "
            f"worth a comment, of {true + false + noise} judged at every severity). Default: off, wrong too often "
            "even for info (select it to run it)."
        )
    if found is None:
        info = _info_counts(code)
        if info:
            return (
                f"Reported at info; on real code {info[0]} true, {info[1]} false, {info[2]} not worth a comment "
                "of its findings. Default: on (info never fails a run and is not posted unless asked)."
            )
        return "Precision on real code: not measured (no finding on the evaluation projects). Default: on."
    true, false, noise = found
    judged = true + false + noise
    state = (
        "on, at info (under the bar; select it for its own severity)"
        if demoted(code)
        else "on"
        if in_default_set(code)
        else "off (select it to run it)"
    )
    info = _info_counts(code)
    extra = f"; at info, {info[0]} true, {info[1]} false, {info[2]} not worth a comment" if info else ""
    if judged < MIN_JUDGED:
        extra += (
            f"; fewer than {MIN_JUDGED} judged findings leave its level as it is unless no {MIN_JUDGED} could reach "
            f"{THRESHOLD}"
        )
    return (
        f"Precision on real code: {true / judged:.2f} ({true} true, {false} false, {noise} not worth a comment, "
        f"of {judged} judged{extra}). Default: {state}."
    )


def _info_counts(code: str) -> tuple[int, int, int] | None:
    entry = table().get(code, {}).get("info")
    if not isinstance(entry, dict):
        return None
    found = tuple(int(entry.get(k, 0)) for k in ("true", "false", "noise"))
    return found if sum(found) else None  # type: ignore[return-value]


# A rule's judged findings count as this many of the overall rate's, so that a rule judged twice is not "certain".
PRIOR_WEIGHT = 4.0
# The share of judged findings that were right over every rule (bench/reviewer/judgments.jsonl, about one in ten).
OVERALL_TRUE = 0.1


def prior(code: str, info: bool) -> float | None:
    """How often a finding of this rule at this severity was judged right on real code, smoothed toward the
    overall rate; None for a rule never judged. The confidence of findings the finding model has no material
    for: a rule judged 0 right in 250 must not read as certain."""
    found = (_info_counts(code) if info else counts(code)) or totals(code)
    if found is None:
        return None
    true, judged = found[0], sum(found)
    return (true + PRIOR_WEIGHT * OVERALL_TRUE) / (judged + PRIOR_WEIGHT)
