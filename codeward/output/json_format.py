"""Machine-readable findings: a stable JSON document."""

from __future__ import annotations

import json
from typing import Any

from codeward.findings import Finding
from codeward.output import Report


def finding_dict(report: Report, finding: Finding) -> dict[str, Any]:
    rule = report.rule_for(finding.code)
    span = finding.span
    out: dict[str, Any] = {
        "code": finding.code,
        "name": finding.name,
        "severity": str(finding.severity),
        "message": finding.message,
        "path": finding.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "notes": list(finding.notes),
        "docs_url": rule.help_uri() if rule else None,
        "fingerprint": report.fingerprint(finding),
        "fix": None,
    }
    if finding.confidence is not None:
        out["confidence"] = round(finding.confidence, 4)
    flow = getattr(finding, "flow", ())
    if flow:  # the data flow, source first: where and what
        out["flow"] = [
            {
                "line": at.line,
                "column": at.column,
                "end_line": at.end_line,
                "end_column": at.end_column,
                "message": text,
            }
            for at, text in flow
        ]
    related = getattr(finding, "related", ())
    if related:  # a data flow's other lines (--diff keeps the finding when one of them changed)
        out["related"] = list(related)
    if finding.fix is not None:
        out["fix"] = {
            "description": finding.fix.description,
            "edits": [
                {
                    "line": e.span.line,
                    "column": e.span.column,
                    "end_line": e.span.end_line,
                    "end_column": e.span.end_column,
                    "text": e.text,
                }
                for e in finding.fix.edits
            ],
        }
    return out


def render(report: Report) -> str:
    counts = report.counts()
    document = {
        "tool": {"name": "codeward", "version": report.tool_version},
        "summary": {"files": len(report.checked), **{str(s): n for s, n in counts.items()}},
        "findings": [finding_dict(report, f) for f in report.findings],
        # Every file checked, with or without findings: `codeward report merge` rebuilds JUnit and the
        # summary from it. Sorted, so that shards merge to what one run writes.
        "checked": sorted(report.checked),
        # Where every format masks a credential, findings hidden from this report (below the confidence
        # threshold) included: `codeward report merge` masks the same spans.
        "masked": {
            path: [list(span) for span in sorted({(s.line, s.column, s.end_line, s.end_column) for s in spans})]
            for path, spans in sorted(report.masker.spans.items())
            if spans
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
