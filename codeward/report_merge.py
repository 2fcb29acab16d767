"""`codeward report merge PART.json...`: the JSON results of `--shard K/N` runs, combined into any output
format or one pull-request review, exactly as one unsharded run would have written them."""

from __future__ import annotations

import argparse
import json
from typing import Any

from codeward.cli import FORMAT_CHOICES, UsageError, emit, finish, resolve_format, use_color


def register(sub: Any) -> argparse.ArgumentParser:
    report = sub.add_parser(
        "report",
        help="combine results (codeward report merge PART.json...)",
        description="Work on saved results.",
    )
    actions = report.add_subparsers(dest="action", metavar="ACTION", required=True)
    merge = actions.add_parser(
        "merge",
        help="merge the --format json results of --shard runs into one report",
        description="Merge the --format json results of `codeward lint|review --shard K/N` runs (one per CI job) "
        "into one report in any format, or one pull-request review with --post github. The files named in the "
        "results must be present (the merge reads their lines for snippets and fingerprints): run it in the "
        "same checkout, from the same directory as the shards.",
    )
    merge.add_argument("parts", nargs="+", metavar="PART.json", help="results of `--format json` runs")
    merge.add_argument(
        "--format", "--output-format", dest="format", choices=FORMAT_CHOICES, help="report format (default: text)"
    )
    merge.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    merge.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        help="lowest severity that makes the exit status 1 (default: fail-on in [tool.codeward], else warning)",
    )
    merge.add_argument("--config", metavar="PYPROJECT", help="read fail-on from this file's [tool.codeward]")
    merge.add_argument("--isolated", action="store_true", help="ignore configuration files")
    merge.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    merge.add_argument("--statistics", action="store_true", help="print the number of findings per rule")
    merge.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    merge.add_argument("-q", "--quiet", action="store_true", help="text output without why/fix explanations")
    merge.add_argument("--diff", metavar="BASE...HEAD", help="the --diff the shards ran with (for --post and review formats)")  # fmt: skip
    merge.add_argument("--post", choices=("github",), help="post the findings as one review on the pull request")
    merge.add_argument("--repo", metavar="OWNER/NAME", help="repository for --post / codecommit (default: from CI)")
    merge.add_argument("--pr", metavar="NUMBER", help="pull request for --post / codecommit (default: from CI)")
    return report


def rule_for(code: str) -> Any:
    """The rule behind a code, whichever command reported it."""
    if code.startswith("CWR"):
        from codeward.reviewer.rules import rule_for as review_rule

        return review_rule(code)
    from codeward.linters.simulate.command import rule_for as lint_rule

    return lint_rule(code)


def _finding(entry: dict[str, Any]) -> Any:
    from codeward.findings import Edit, Finding, Fix, Severity, Span

    fix = None
    if entry.get("fix"):
        edits = tuple(
            Edit(Span(e["line"], e["column"], e["end_line"], e["end_column"]), e["text"]) for e in entry["fix"]["edits"]
        )
        fix = Fix(entry["fix"]["description"], edits)
    finding = Finding(
        code=entry["code"],
        message=entry["message"],
        path=entry["path"],
        span=Span(entry["line"], entry["column"], entry["end_line"], entry["end_column"]),
        severity=Severity.parse(entry["severity"]),
        name=entry.get("name", ""),
        fix=fix,
        confidence=entry.get("confidence"),
        notes=tuple(entry.get("notes", ())),
    )
    from dataclasses import replace

    if entry.get("related"):
        finding = replace(finding, related=tuple(entry["related"]))  # type: ignore[call-arg]
    if entry.get("flow"):
        steps = tuple(
            (Span(s["line"], s["column"], s["end_line"], s["end_column"]), s["message"]) for s in entry["flow"]
        )
        finding = replace(finding, flow=steps)  # type: ignore[call-arg]
    return finding


def read_parts(paths: list[str]) -> tuple[list[Any], list[str], str, dict[str, list[Any]]]:
    """(findings, checked files, tool version, masked spans by file) of every part; a file checked by two
    parts is an error."""
    from codeward.findings import Span

    findings: list[Any] = []
    checked: dict[str, str] = {}
    masked: dict[str, list[Any]] = {}
    versions = set()
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
            versions.add(document["tool"]["version"])
            entries = [_finding(entry) for entry in document["findings"]]
            files = document["checked"]
            for name, spans in document.get("masked", {}).items():
                masked.setdefault(name, []).extend(Span(*span) for span in spans)
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(
                f"{path} is not a result of `codeward lint|review --format json` from this version ({exc})"
            ) from None
        for name in files:
            if name in checked:
                raise UsageError(f"{name} is in both {checked[name]} and {path}: were the shards run with one N?")
            checked[name] = path
        findings += entries
    if len(versions) > 1:
        raise UsageError(f"the parts come from different codeward versions ({', '.join(sorted(versions))})")
    return findings, list(checked), versions.pop() if versions else "", masked


def run(args: argparse.Namespace) -> int:
    from codeward.diff import Scope
    from codeward.findings import Finding
    from codeward.output import Report

    fmt = resolve_format(args)
    findings, checked, version, masked = read_parts(args.parts)
    # --diff here only tells the review formats and --post which lines changed: each part already kept the
    # findings its own --diff selected.
    scope = Scope.from_args(args, fmt)
    # Within one file the shard kept codeward's order; the stable sort restores the order across files.
    findings = sorted(findings, key=Finding.sort_key)
    report = Report(findings, checked, rule_for, color=use_color(args.color, bool(args.output)), explain=not args.quiet)
    if version:
        report.tool_version = version
    # The spans the parts masked, hidden findings' included: snippets and fingerprints never carry a secret.
    for name, spans in masked.items():
        for span in spans:
            if span not in report.masker.spans.get(name, ()):
                report.masker.add_span(name, span)
    scope.attach(report)
    internal = any(f.code in ("CWF900", "CWR900") for f in findings)
    return finish(args, fmt, report, scope, _fail_on(args), fixed=0, internal_error=internal)


def _fail_on(args: argparse.Namespace) -> Any:
    """--fail-on, else the configuration's (what the shards' own exit status would have used)."""
    from codeward.config import Config, ConfigError, load_config
    from codeward.findings import Severity

    if args.fail_on:
        return Severity.parse(args.fail_on)
    try:
        return (Config() if args.isolated else load_config(args.config, ".")).fail_on
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


__all__ = ["emit", "register", "run"]
