"""The reviewer's rules, one class each, grouped by category in the modules of this package."""

from __future__ import annotations

import importlib
from functools import cache

from codeward.reviewer.rule import ReviewRule

MODULES = ("meta", "injection", "secrets", "crypto", "aws", "leaks", "quality")


@cache
def all_rules() -> tuple[type[ReviewRule], ...]:
    found: list[type[ReviewRule]] = []
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, ReviewRule)
                and value.__module__ == module.__name__
                and "code" in value.__dict__
            ):
                found.append(value)
    found.sort(key=lambda rule: rule.code)
    return tuple(found)


@cache
def rules_by_code() -> dict[str, type[ReviewRule]]:
    table: dict[str, type[ReviewRule]] = {}
    for rule in all_rules():
        if rule.code in table:
            raise RuntimeError(f"rule code {rule.code} is used by {table[rule.code].__name__} and {rule.__name__}")
        table[rule.code] = rule
    return table


def rule_for(code: str) -> type[ReviewRule] | None:
    return rules_by_code().get(code)
