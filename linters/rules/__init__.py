"""Rule discovery: one rule class per module, the rule code in the module name (cfn-lint style)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from linters.rule import DocumentRule

PACKAGES = ("common", "buildspec", "appspec", "pipeline")


@cache
def all_rules() -> tuple[type[DocumentRule], ...]:
    found: list[type[DocumentRule]] = []
    for package in PACKAGES:
        module = importlib.import_module(f"{__name__}.{package}")
        for info in pkgutil.iter_modules(module.__path__):
            sub = importlib.import_module(f"{module.__name__}.{info.name}")
            for value in vars(sub).values():
                if isinstance(value, type) and issubclass(value, DocumentRule) and value.__module__ == sub.__name__:
                    found.append(value)
    found.sort(key=lambda rule: rule.code)
    return tuple(found)


@cache
def rules_by_code() -> dict[str, type[DocumentRule]]:
    table: dict[str, type[DocumentRule]] = {}
    for rule in all_rules():
        if rule.code in table:
            raise RuntimeError(f"rule code {rule.code} is used by {table[rule.code].__name__} and {rule.__name__}")
        table[rule.code] = rule
    return table
