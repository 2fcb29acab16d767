"""Write a suite's labelled files into a scratch folder, from the mirrors, for the tools to read.

Whole folders are written, not only the labelled files, so that a tool that follows calls across modules
sees the project's other modules. A jsonl record (SVEN) becomes one file holding the function's source.
"""

from __future__ import annotations

import ast
import json
import os
import textwrap

from .cases import Case, Suite
from .mirror import list_files, show


def _safe_join(root: str, path: str) -> str:
    target = os.path.normpath(os.path.join(root, path))
    if not target.startswith(os.path.normpath(root) + os.sep):
        raise ValueError(f"refusing to write outside the scratch folder: {path}")
    return target


def materialize(suite: Suite, cases: list[Case], root: str) -> dict[str, str]:
    """Write SUITE's files under ROOT; return, per case key, the written file the case is about."""
    os.makedirs(root, exist_ok=True)
    where: dict[str, str] = {}
    records: dict[str, list[str]] = {}
    file_cases = [c for c in cases if not c.scope.startswith("jsonl:")]
    if file_cases:
        prefixes = {suite.extract} if suite.extract else {c.path.split("/", 1)[0] + "/" for c in file_cases}
        wanted = {c.path for c in file_cases}
        for prefix in sorted(prefixes):
            for path in list_files(suite.repo, suite.commit, prefix.rstrip("/")):
                if path.endswith(".py") or path in wanted:
                    _write(root, path, show(suite.repo, suite.commit, path))
        missing = wanted - {p for p in wanted if os.path.exists(_safe_join(root, p))}
        for path in sorted(missing):  # a labelled file outside the extracted folders
            _write(root, path, show(suite.repo, suite.commit, path))
        for case in file_cases:
            where[case.key] = _safe_join(root, case.path)
    for case in cases:
        if not case.scope.startswith("jsonl:"):
            continue
        if case.path not in records:
            records[case.path] = show(suite.repo, suite.commit, case.path).decode("utf-8").splitlines()
        _, number, side = case.scope.split(":")
        record = json.loads(records[case.path][int(number) - 1])
        source = textwrap.dedent(record[f"func_src_{side}"])
        name = f"{case.id}.py"
        target = _safe_join(root, os.path.join("records", name))
        _write(root, os.path.join("records", name), source.encode("utf-8"))
        where[case.key] = target
    return where


def _write(root: str, path: str, data: bytes) -> None:
    target = _safe_join(root, path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as handle:
        handle.write(data)


def line_range(case: Case, file: str) -> tuple[int, int] | None:
    """The lines a case is about in FILE: the whole file, a line range, or a function (by name, with its
    decorators). None when the function is not in the file (the data no longer fits the commit)."""
    if case.scope.startswith("lines:"):
        start, end = map(int, case.scope[6:].split("-"))
        return start, end
    if not case.scope.startswith("function:"):
        return 1, 10**9
    wanted = case.scope.split(":", 1)[1].split(".")
    try:
        with open(file, "rb") as handle:
            tree = ast.parse(handle.read())
    except (SyntaxError, ValueError):
        return None
    found = _find(tree.body, wanted)
    if found is None:
        return None
    start = min([found.lineno] + [d.lineno for d in found.decorator_list])
    return start, found.end_lineno or found.lineno


def _find(body: list[ast.stmt], names: list[str]) -> ast.AST | None:
    """The first definition called names[0] (breadth first, so a top-level one wins), then names[1:] inside it."""
    module = ast.Module(body=body, type_ignores=[])
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == names[0]:
            return node if len(names) == 1 else _find(node.body, names[1:])
    return None
