"""`codeward review`: review Python files for security, leaks, AWS practices and code quality."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from codeward.cli import (
    EXIT_CLEAN,
    UsageError,
    add_common,
    finish,
    load_config_for,
    resolve_format,
    use_color,
    warn_if_nothing_checked,
)


def register(sub: Any) -> argparse.ArgumentParser:
    review = sub.add_parser(
        "review",
        help="review Python code for injection, leaks, secrets, AWS practices",
        description="Review Python files (directories are searched for *.py) the way CodeGuru Reviewer does: "
        "security vulnerabilities, resource leaks, hard-coded secrets, input validation, AWS best practices "
        "and code quality, each with a recommendation.",
    )
    review.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    review.add_argument(
        "--fix", action="store_true", help="apply safe rewrites in place (e.g. yaml.load -> yaml.safe_load)"
    )
    review.add_argument(
        "--baseline", metavar="FILE", help="accept the findings recorded in FILE: only new ones are reported"
    )
    review.add_argument(
        "--write-baseline", action="store_true", help="record the current findings in the --baseline FILE and exit 0"
    )
    review.add_argument(
        "--secrets-only",
        action="store_true",
        help="only look for credentials in known token formats, in any text file (fast; for pre-commit)",
    )
    review.add_argument(
        "--min-confidence",
        type=_confidence,
        metavar="P",
        help="hide scored findings (secrets, injection) whose classifier confidence is below P, 0 to 1 "
        "(default: 0.05, or min-confidence in [tool.codeward.reviewer])",
    )
    review.add_argument("--show-all", action="store_true", help="also show findings below the confidence threshold")
    review.add_argument(
        "--profile",
        choices=("default", "strict"),
        help="default: test code (tests/, test_*.py, ...; test-paths) gets the test profile; strict: review tests "
        "like production code",
    )
    review.add_argument(
        "--no-foreign-suppressions",
        action="store_true",
        help="ignore bandit's `# nosec`, ruff's `# noqa: S...` and SonarQube's NOSONAR comments",
    )
    review.add_argument(
        "--feedback",
        metavar="FILE",
        help="verdicts of `codeward feedback` (default: .codeward-feedback.json at the repository root; "
        "with --config or --isolated only when named)",
    )
    add_common(review)
    return review


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is outside 0 to 1")
    return value


def min_confidence(args: argparse.Namespace, config: Any) -> float:
    """--min-confidence, else `min-confidence` in [tool.codeward.reviewer], else the default."""
    from codeward.reviewer.ml.confidence import DEFAULT_MIN_CONFIDENCE

    if getattr(args, "min_confidence", None) is not None:
        return args.min_confidence
    table = config.raw.get("reviewer", {})
    value = table.get("min-confidence") if isinstance(table, dict) else None
    if value is None:
        return DEFAULT_MIN_CONFIDENCE
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise UsageError(f"{config.source}: [tool.codeward.reviewer] min-confidence must be a number from 0 to 1")
    return float(value)


def threshold_is_set(args: argparse.Namespace, config: Any) -> bool:
    """The user chose the threshold (flag or configuration), rather than leaving the default."""
    table = config.raw.get("reviewer", {})
    return getattr(args, "min_confidence", None) is not None or (
        isinstance(table, dict) and table.get("min-confidence") is not None
    )


def apply_flags(args: argparse.Namespace, config: Any) -> None:
    """--profile and --no-foreign-suppressions override `[tool.codeward.reviewer]`; bad values there are usage
    errors."""
    from codeward.reviewer.profile import OptionsError, options

    table = config.raw.get("reviewer")
    table = dict(table) if isinstance(table, dict) else ({} if table is None else table)
    if getattr(args, "profile", None):
        table["profile"] = args.profile
    if getattr(args, "no_foreign_suppressions", False):
        table["foreign-suppressions"] = False
    if table:
        config.raw = {**config.raw, "reviewer": table}
    try:
        options(config)
    except OptionsError as exc:
        raise UsageError(str(exc)) from None


def postable(findings: list[Any], explicit: list[str]) -> list[Any]:
    """What may go to a pull request: no `info` finding unless its rule was asked for by name or prefix."""
    from codeward.reviewer.profile import asked

    from codeward.findings import Severity

    return [f for f in findings if f.severity is not Severity.INFO or asked(f.code, explicit)]


def run(args: argparse.Namespace) -> int:
    from codeward.reviewer.review import fix_files, run_review, scan_secrets
    from codeward.reviewer.rules import rule_for

    from codeward.findings import Finding
    from codeward.output import Report

    fmt = resolve_format(args)
    if args.write_baseline and not args.baseline:
        raise UsageError("--write-baseline needs --baseline FILE to say where to write")
    if args.write_baseline and args.fix:
        raise UsageError("--write-baseline and --fix do not go together: fix first, then record the baseline")
    config = load_config_for(args, args.paths[0] if args.paths else ".")
    threshold = min_confidence(args, config)
    apply_flags(args, config)
    from codeward.reviewer.dataflow.models import ModelError
    from codeward.reviewer.review import taint_models

    try:
        taint_models(config)
    except ModelError as exc:
        raise UsageError(f"{config.source}: {exc}") from None
    from codeward.diff import Scope

    # --diff narrows the paths and the findings to changed lines; --post github posts them as a review.
    scope = Scope.from_args(args, fmt, None if args.secrets_only else (".py", ".pyi"))
    paths = scope.paths(args.paths)
    if args.secrets_only:
        results = scan_secrets(paths, config)
    else:
        use_cache = not args.no_cache and not args.fix
        progress = sys.stderr.isatty() and not os.environ.get("CI")
        results = run_review(paths, config, use_cache=use_cache, jobs=args.jobs, progress=progress)
    findings: list[Finding] = []
    fixed = 0
    if args.fix:
        fixed, findings = fix_files(results, config)
    else:
        for result in results:
            findings += result.findings
    findings = scope.keep(findings, rule_for)
    findings.sort(key=Finding.sort_key)
    report = Report(findings, [r.path for r in results], rule_for, color=use_color(args.color, bool(args.output)),
                    explain=not args.quiet)  # fmt: skip
    mask_secrets(report)
    from codeward.reviewer.ml.confidence import visible
    from codeward.reviewer.ml.feedback import drop_not_useful
    from codeward.reviewer.profile import asked

    # The classifier's verdict, then the users': low-confidence and not-useful findings are not reported.
    named = None if threshold_is_set(args, config) else (lambda code: asked(code, config.explicit))
    report.findings = visible(report.findings, threshold, args.show_all, named)
    # The checkout's verdicts hide findings: with a pinned configuration (--config) or none (--isolated) they
    # count only when named, since a pull request can commit verdicts for its own findings.
    if args.feedback or not (args.isolated or args.config):
        drop_not_useful(report, args.paths[0] if args.paths else ".", args.feedback)
    if fmt in REVIEW_FORMATS or args.post:
        # Pull-request comments: info findings stay off them unless their rule was asked for.
        report.findings = postable(report.findings, config.explicit)
    scope.attach(report)
    warn_if_nothing_checked(
        report, scope, args.paths, "text files" if args.secrets_only else "Python files (*.py, *.pyi)"
    )
    if args.baseline:
        from codeward.reviewer.baseline import filter_new, write_baseline

        if args.write_baseline:
            count = write_baseline(args.baseline, report)
            print(f"codeward: recorded {count} finding{'s' if count != 1 else ''} in {args.baseline}", file=sys.stderr)
            return EXIT_CLEAN
        report.findings, accepted = filter_new(args.baseline, report)
        if accepted:
            print(
                f"codeward: {accepted} finding{'s' if accepted != 1 else ''} accepted by the baseline", file=sys.stderr
            )
    internal = any(r.internal_error for r in results)
    return finish(args, fmt, report, scope, config.fail_on, fixed=fixed, internal_error=internal)


REVIEW_FORMATS = frozenset({"github-review", "codecommit", "gitlab-discussions"})


def mask_secrets(report: Any) -> None:
    """Mask the flagged credentials in the source lines every format shows (text, SARIF snippets,
    fingerprints); the Report does it for the findings it was made with (codeward.masking)."""
    report.protect(report.findings)
