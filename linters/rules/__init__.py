"""Rule discovery: one rule class per module, the rule code in the module name (cfn-lint style)."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from codeward.linters.rule import DocumentRule

PACKAGES = ("common", "buildspec", "appspec", "pipeline")


@cache
def package_rules(package: str) -> tuple[type[DocumentRule], ...]:
    """The rules of one package (common, buildspec, appspec, pipeline), imported on first use."""
    found: list[type[DocumentRule]] = []
    module = importlib.import_module(f"{__name__}.{package}")
    for info in pkgutil.iter_modules(module.__path__):
        if info.name.startswith("_"):
            continue
        sub = importlib.import_module(f"{module.__name__}.{info.name}")
        for value in vars(sub).values():
            if isinstance(value, type) and issubclass(value, DocumentRule) and value.__module__ == sub.__name__:
                found.append(value)
    return tuple(sorted(found, key=lambda rule: rule.code))


def rules_for(kind: str | None) -> tuple[type[DocumentRule], ...]:
    """The file-level rules and those of `kind`: a hook run on one buildspec imports no pipeline rule."""
    common = package_rules("common")
    return common + package_rules(kind) if kind in PACKAGES else common


@cache
def all_rules() -> tuple[type[DocumentRule], ...]:
    return tuple(sorted((rule for package in PACKAGES for rule in package_rules(package)), key=lambda r: r.code))


@cache
def rules_by_code() -> dict[str, type[DocumentRule]]:
    table: dict[str, type[DocumentRule]] = {}
    for rule in all_rules():
        if rule.code in table:
            raise RuntimeError(f"rule code {rule.code} is used by {table[rule.code].__name__} and {rule.__name__}")
        table[rule.code] = rule
    return table
