"""GitLab Code Quality report (a JSON array of Code Climate issues)."""

from __future__ import annotations

import hashlib
import json

from codeward.findings import Severity
from codeward.output import Report

_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _categories(report: Report, severity: Severity, code: str) -> list[str]:
    """GitLab's Code Climate categories: a finding whose rule has a CWE is a weakness, so "Security"."""
    rule = report.rule_for(code)
    if rule is not None and getattr(rule, "cwe", None):
        return ["Security"]
    return ["Bug Risk" if severity is Severity.ERROR else "Style"]


def render(report: Report) -> str:
    issues = []
    seen: dict[str, int] = {}
    for f in report.findings:
        base = report.fingerprint(f)
        # Identical findings in one file stay distinct: GitLab collapses equal fingerprints.
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        fingerprint = hashlib.md5(f"{base}:{occurrence}".encode(), usedforsecurity=False).hexdigest()
        issues.append(
            {
                "type": "issue",
                "check_name": f.code,
                "description": f"{f.code} {f.message}",
                "severity": _SEVERITY[f.severity],
                "categories": _categories(report, f.severity, f.code),
                "fingerprint": fingerprint,
                "location": {
                    "path": f.path.replace("\\", "/"),
                    "positions": {
                        "begin": {"line": f.line, "column": f.column},
                        "end": {"line": f.span.end_line, "column": f.span.end_column},
                    },
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
