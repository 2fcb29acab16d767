"""`codeward lint`."""

from __future__ import annotations

import argparse
from typing import Any

from codeward.cli import (
    add_common,
    finish,
    load_config_for,
    resolve_format,
    use_color,
    warn_if_nothing_checked,
)

# What `lint` looks for, said when a path holds none of it.
NOTHING_TO_LINT = (
    "buildspec, AppSpec or pipeline files",
    "codeward looks for names like buildspec*.yml, appspec.yml and *pipeline*.json, and for YAML or JSON files "
    "whose content shows their kind (name a file with --kind to lint it as that kind)",
)


def register(sub: Any) -> argparse.ArgumentParser:
    lint = sub.add_parser(
        "lint",
        help="check buildspec, appspec and pipeline files",
        description="Check definition files. Directories are searched for buildspec*, appspec* and pipeline files "
        "(and YAML/JSON files whose content shows their kind).",
    )
    lint.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    lint.add_argument("--kind", choices=("buildspec", "appspec", "pipeline"), help="treat every file as this kind")
    lint.add_argument("--fix", action="store_true", help="apply safe fixes (renaming misspelled keys) in place")
    add_common(lint)
    return lint


def run(args: argparse.Namespace) -> int:
    from codeward.linters.engine import rule_for
    from codeward.linters.kinds import DEFINITION_SUFFIXES
    from codeward.linters.lint import fix_files, run_lint

    from codeward.diff import Scope
    from codeward.findings import Finding
    from codeward.output import Report

    fmt = resolve_format(args)
    config = load_config_for(args, args.paths[0] if args.paths else ".")
    scope = Scope.from_args(args, fmt, DEFINITION_SUFFIXES)  # --diff narrows the paths and findings, --post posts
    paths = scope.paths(args.paths)
    results = run_lint(paths, config, kind=args.kind, use_cache=not args.no_cache and not args.fix, jobs=args.jobs)
    findings: list[Finding] = []
    fixed = 0
    if args.fix:
        fixed, findings = fix_files(results, config, lambda found: scope.keep(found, rule_for))
    else:
        for result in results:
            findings += result.findings
    findings = scope.keep(findings, rule_for)
    findings.sort(key=Finding.sort_key)
    checked = [r.path for r in results if not r.skipped]
    report = Report(findings, checked, rule_for, color=use_color(args.color, bool(args.output)), explain=not args.quiet)
    scope.attach(report)
    warn_if_nothing_checked(report, scope, args.paths, *NOTHING_TO_LINT)
    internal = any(f.code == "CWF900" for f in findings) or any(r.internal_error for r in results)
    return finish(args, fmt, report, scope, config.fail_on, fixed=fixed, internal_error=internal)
