"""What an editor asks of codeward about one open buffer: its findings, from the same engines, configuration
and filters as `codeward lint` and `codeward review`, computed from the text being edited rather than the file
on disk. No editor protocol here (codeward.server speaks LSP); nothing here imports pygls."""

from __future__ import annotations

import os
import types
from dataclasses import dataclass

from codeward.findings import Finding

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass
class Analysis:
    findings: list[Finding]
    # Why nothing was checked (excluded, not a definition file), for the server's log; "" when checked.
    skipped: str = ""


def analyse(path: str, text: str) -> Analysis:
    """Findings for `text`, the current content of the file at `path` (an absolute path). Configuration comes
    from the nearest pyproject.toml with [tool.codeward], read anew each time so that edits to it apply."""
    from codeward.config import ConfigError, load_config

    try:
        config = load_config(None, path)
    except ConfigError as exc:
        from codeward.findings import Severity, Span

        where = Span(1, 1, 1, 2)
        return Analysis([Finding("CWF900", f"configuration: {exc}", path, where, Severity.ERROR, "configuration")])
    if config.is_excluded(path):
        return Analysis([], f"excluded by {config.source}")
    if path.lower().endswith(PYTHON_SUFFIXES):
        return Analysis(_review(path, text, config))
    from codeward.linters.engine import lint_text

    # As for a file found in a directory walk: a YAML or JSON file of no known kind is not reported on.
    result = lint_text(path, text, select=config.selector_for(path), explicit=False)
    if result.skipped:
        return Analysis([], "not a buildspec, AppSpec or pipeline")
    return Analysis(sorted(result.findings, key=Finding.sort_key))


def _review(path: str, text: str, config: object) -> list[Finding]:
    from codeward.output import Report
    from codeward.reviewer.command import min_confidence
    from codeward.reviewer.ml.confidence import visible
    from codeward.reviewer.ml.feedback import drop_not_useful
    from codeward.reviewer.review import review_text
    from codeward.reviewer.rules import rule_for

    findings = review_text(path, text, config.selector_for(path))  # type: ignore[attr-defined]
    # The same filters `codeward review` applies: the classifier's threshold, then the users' verdicts.
    threshold = min_confidence(types.SimpleNamespace(min_confidence=None), config)
    report = Report(visible(findings, threshold, False), [path], rule_for)
    report._lines[path] = text.split("\n")  # verdicts match the buffer's lines, not the file on disk
    drop_not_useful(report, os.path.dirname(path) or ".")
    return sorted(report.findings, key=Finding.sort_key)


def rule_for(code: str) -> object:
    from codeward.report_merge import rule_for as any_rule

    return any_rule(code)


def fix_all(text: str, findings: list[Finding]) -> tuple[str, int]:
    """The text with every available fix applied (what `--fix` writes), and how many were applied."""
    from codeward.fixes import apply_fixes

    return apply_fixes(text, [f for f in findings if f.fix is not None])
