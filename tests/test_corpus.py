"""The bundled examples are clean; every broken file in tests/corpus reports exactly its expected findings.

Each `tests/corpus/<kind>/<file>` has a sidecar `<file>.out` listing `LINE:COL CODE` lines (actionlint's
testdata style)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from codeward.linters.engine import lint_file
from codeward.linters.lint import discover

from tests.helpers import ROOT, run_cli
from tests.outputs_whole import check_whole

CORPUS = Path(ROOT) / "tests" / "corpus"
EXAMPLES = Path(ROOT) / "examples"


def _corpus_files() -> list[Path]:
    return sorted(p.with_suffix("") for p in CORPUS.rglob("*.out")) if CORPUS.is_dir() else []


def _expected(path: Path) -> list[tuple[int, int, str]]:
    out = []
    for line in Path(str(path) + ".out").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            position, code = line.split()[:2]
            row, col = position.split(":")
            out.append((int(row), int(col), code))
    return sorted(out)


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_file_reports_exactly_its_defects(path: Path) -> None:
    findings = lint_file(str(path)).findings
    check_whole(
        "lint",
        path.relative_to(CORPUS).as_posix(),
        path.read_text(encoding="utf-8", errors="surrogateescape"),
        findings,
    )
    found = sorted((f.line, f.column, f.code) for f in findings)
    assert found == _expected(path)


def test_corpus_is_substantial() -> None:
    kinds = {p.relative_to(CORPUS).parts[0] for p in _corpus_files()}
    assert kinds == {"buildspec", "appspec", "pipeline"}
    assert len(_corpus_files()) >= 35


def _example_files() -> list[str]:
    from codeward.config import Config

    return [path for path, _ in discover([str(EXAMPLES)], Config())]


@pytest.mark.parametrize("path", _example_files(), ids=lambda p: os.path.relpath(p, EXAMPLES))
def test_example_is_clean(path: str) -> None:
    result = lint_file(path, explicit=False)
    assert not result.skipped, f"{path} is not recognised as a definition file"
    assert [(f.line, f.column, f.code, f.message) for f in result.findings] == []


def test_examples_cover_every_kind_in_quantity() -> None:
    from collections import Counter

    kinds = Counter(lint_file(p, explicit=False).kind for p in _example_files())
    assert kinds["buildspec"] >= 15 and kinds["appspec"] >= 10 and kinds["pipeline"] >= 8, kinds


def test_lint_examples_command_is_clean() -> None:
    code, out, err = run_cli("lint", "--no-cache", str(EXAMPLES))
    assert (code, err) == (0, ""), out
