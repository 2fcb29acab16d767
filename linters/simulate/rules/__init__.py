"""Simulation rules: one class per module named after its code, discovered like the lint rules."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from codeward.linters.simulate.rule import SimRule


@cache
def all_rules() -> tuple[type[SimRule], ...]:
    found: list[type[SimRule]] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, SimRule) and value.__module__ == module.__name__:
                found.append(value)
    found.sort(key=lambda rule: rule.code)
    return tuple(found)


@cache
def rules_by_code() -> dict[str, type[SimRule]]:
    table: dict[str, type[SimRule]] = {}
    for rule in all_rules():
        if rule.code in table:
            raise RuntimeError(f"rule code {rule.code} is used by {table[rule.code].__name__} and {rule.__name__}")
        table[rule.code] = rule
    return table
