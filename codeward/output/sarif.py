"""SARIF 2.1.0 in the shape GitHub code scanning accepts: rules with help, tags and security-severity,
repository-relative locations, partial fingerprints that do not depend on line numbers, and fixes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from codeward.findings import Finding, Severity
from codeward.output import Report

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}


def _uri(path: str) -> tuple[str, bool]:
    """A URI relative to the working directory (the repository root in CI) when possible."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    if relative.startswith(".."):
        return Path(absolute).as_uri(), False
    return quote(relative.replace(os.sep, "/")), True


def _rule_entry(report: Report, code: str, name: str, severity: Severity) -> dict[str, Any]:
    rule = report.rule_for(code)
    if rule is None:
        return {
            "id": code,
            "shortDescription": {"text": code},
            "fullDescription": {"text": code},
            "help": {"text": code},
        }
    docs = rule.docs()
    text = "\n\n".join(part for part in (docs.what, docs.why, docs.fix) if part)
    properties: dict[str, Any] = {"tags": list(rule.tags), "precision": "high"}
    if rule.security_severity is not None:
        properties["security-severity"] = f"{rule.security_severity:.1f}"
        if "security" not in properties["tags"]:
            properties["tags"].append("security")
    else:
        properties["problem.severity"] = _PROBLEM[rule.severity]
    if rule.cwe:
        properties["tags"].append(f"external/cwe/cwe-{rule.cwe}")
    return {
        "id": code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()[:1024]},
        "fullDescription": {"text": " ".join(docs.what.split())[:1024]},
        "help": {"text": text, "markdown": docs.markdown()},
        "helpUri": rule.help_uri(),
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": properties,
    }


def _result(report: Report, finding: Finding, rule_index: int) -> dict[str, Any]:
    uri, relative = _uri(finding.path)
    span = finding.span
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    region = {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }
    snippet = report.source_line(finding.path, span.line)
    if snippet:
        region["snippet"] = {"text": snippet}
    message = finding.message + "".join(f"\n{note}" for note in finding.notes)
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": region}}],
        "partialFingerprints": {"codeward/v1": report.fingerprint(finding)},
    }
    if finding.flow:
        # The data flow, source to sink, as a code flow: GitHub shows it as "Show paths".
        result["codeFlows"] = [
            {
                "threadFlows": [
                    {
                        "locations": [
                            {
                                "location": {
                                    "physicalLocation": {
                                        "artifactLocation": artifact,
                                        "region": {
                                            "startLine": at.line,
                                            "startColumn": at.column,
                                            "endLine": at.end_line,
                                            "endColumn": at.end_column,
                                        },
                                    },
                                    "message": {"text": text},
                                }
                            }
                            for at, text in finding.flow
                        ]
                    }
                ]
            }
        ]
    if finding.confidence is not None:
        result["properties"] = {"confidence": round(finding.confidence, 4)}
    if finding.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": finding.fix.description},
                "artifactChanges": [
                    {
                        "artifactLocation": artifact,
                        "replacements": [
                            {
                                "deletedRegion": {
                                    "startLine": e.span.line,
                                    "startColumn": e.span.column,
                                    "endLine": e.span.end_line,
                                    "endColumn": e.span.end_column,
                                },
                                "insertedContent": {"text": e.text},
                            }
                            for e in finding.fix.edits
                        ],
                    }
                ],
            }
        ]
    return result


def build(report: Report) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results = []
    for finding in report.findings:
        if finding.code not in index:
            index[finding.code] = len(rules)
            rules.append(_rule_entry(report, finding.code, finding.name, finding.severity))
        results.append(_result(report, finding, index[finding.code]))
    root = Path(os.getcwd()).as_uri().rstrip("/") + "/"
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "codeward",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "informationUri": "https://github.com/codeward-dev/codeward",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root}},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "invocations": [{"executionSuccessful": not any(f.code == "CWF900" for f in report.findings)}],
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(build(report), indent=2, ensure_ascii=False) + "\n"
