"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from codeward.findings import Severity
from codeward.output import Report

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for f in report.findings:
        props = [f"file={_prop(f.path)}", f"line={f.line}", f"endLine={f.span.end_line}"]
        if f.span.end_line == f.line:  # GitHub accepts columns only on single-line ranges
            props += [f"col={f.column}", f"endColumn={f.span.end_column}"]
        props.append(f"title={_prop(f'codeward {f.code} ({f.name})' if f.name else f'codeward {f.code}')}")
        message = f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}"
        if f.notes:
            message += "\n" + "\n".join(f.notes)
        lines.append(f"::{_LEVEL[f.severity]} {','.join(props)}::{_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
