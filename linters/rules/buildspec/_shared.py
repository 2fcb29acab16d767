"""Helpers shared by the buildspec rules (no rule lives here)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from codeward.linters.document import Document, Path
from codeward.linters.schema import describe_path

from codeward.findings import Span

PHASES = ("install", "pre_build", "build", "post_build")
# Places that hold plain-text variables (NAME: value); dynamic matrix variables hold lists of values.
VARIABLE_PATHS = (
    "env/variables",
    "environment_variables/plaintext",
    "batch/build-list/*/env/variables",
    "batch/build-graph/*/env/variables",
    "batch/build-matrix/static/env/variables",
    "batch/build-matrix/dynamic/env/variables",
)


def where(path: Path) -> str:
    """A path as messages show it: phases.build.commands[0]."""
    return describe_path(path, "")


def mask(value: str) -> str:
    return value[:4] + "****"


def is_yes(value: Any) -> bool:
    return value is True or value == "yes"


def shell_of(data: Any) -> str | None:
    env = data.get("env") if isinstance(data, dict) else None
    shell = env.get("shell") if isinstance(env, dict) else None
    return shell if isinstance(shell, str) else None


def commands(data: Any) -> Iterator[tuple[Path, str]]:
    """Every command string of every known phase (commands and finally), with its path."""
    phases = data.get("phases") if isinstance(data, dict) else None
    if not isinstance(phases, dict):
        return
    for name in PHASES:
        phase = phases.get(name)
        if not isinstance(phase, dict):
            continue
        for section in ("commands", "finally"):
            items = phase.get(section)
            if isinstance(items, list):
                for index, item in enumerate(items):
                    if isinstance(item, str):
                        yield ("phases", name, section, index), item


def text_span(document: Document, path: Path, needle: str, start: int = 0) -> Span:
    """The span of `needle` inside the scalar at `path` as written in the source; the scalar's span if it
    cannot be found there (escapes, folding)."""
    span = document.span(path)
    source = document.source(span)
    index = source.find(needle, start) if needle else -1
    if index < 0:
        index = source.find(needle) if needle else -1
    if index < 0:
        return span
    line = span.line + source.count("\n", 0, index)
    line_start = source.rfind("\n", 0, index)
    column = (span.column + index) if line_start < 0 else index - line_start
    return Span(line, column, line, column + len(needle))
