"""Rules for problems found while simulating: ordinary `codeward.rule.Rule` classes whose cases run
through `codeward simulate` (tests/test_simulate_rules.py) with the case's extra command-line arguments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from codeward.rule import Invalid, Rule, Valid


@dataclass(frozen=True)
class SimValid(Valid):
    # Extra `codeward simulate` arguments for this case (`--execute`, `--instances 1`, ...).
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class SimInvalid(Invalid):
    args: tuple[str, ...] = ()


class SimRule(Rule):
    # "buildspec", "appspec" or "pipeline".
    kind: ClassVar[str]
