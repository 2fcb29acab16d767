"""The `codeward` command. Subcommands import their machinery lazily: a hook run pays only for what it uses."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from codeward import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMAT_CHOICES = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")


class UsageError(Exception):
    pass


def _codes(text: str) -> list[str]:
    return [part.strip().upper() for part in text.split(",") if part.strip()]


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        "--output-format",
        dest="format",
        choices=FORMAT_CHOICES,
        default=None,
        help="report format (default: text; $CODEWARD_FORMAT)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--select", type=_codes, help="rule codes or prefixes to enable (comma-separated)")
    parser.add_argument("--extend-select", type=_codes, default=[], help="codes to enable in addition")
    parser.add_argument("--ignore", type=_codes, default=[], help="codes or prefixes to disable")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        help="lowest severity that makes the exit status 1 (default: warning)",
    )
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--config", metavar="PYPROJECT", help="read [tool.codeward] from this file")
    parser.add_argument("--isolated", action="store_true", help="ignore configuration files")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the results cache")
    parser.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: one per CPU)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("-q", "--quiet", action="store_true", help="text output without why/fix explanations")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codeward",
        description="Lint AWS CodeBuild buildspecs, CodeDeploy AppSpecs and CodePipeline definitions.",
    )
    parser.add_argument("--version", action="version", version=f"codeward {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    lint = sub.add_parser(
        "lint",
        help="check buildspec, appspec and pipeline files",
        description="Check definition files. Directories are searched for buildspec*, appspec* and "
        "pipeline files (and YAML/JSON files whose content shows their kind).",
    )
    lint.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    lint.add_argument("--kind", choices=("buildspec", "appspec", "pipeline"), help="treat every file as this kind")
    lint.add_argument("--fix", action="store_true", help="apply safe fixes (renaming misspelled keys) in place")
    _add_common(lint)
    rules = sub.add_parser("rules", help="list the rules, or explain one")
    rules.add_argument("code", nargs="?", help="a rule code such as CWB101")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return parser


def _load_config(args: argparse.Namespace, start: str):  # -> Config
    from codeward.config import Config, ConfigError, load_config

    try:
        config = Config() if args.isolated else load_config(args.config, start)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if args.select is not None:
        config.select = list(args.select)
    config.select += args.extend_select
    config.ignore += args.ignore
    if args.fail_on:
        from codeward.findings import Severity

        config.fail_on = Severity.parse(args.fail_on)
    return config


def _use_color(choice: str, stream_is_file: bool) -> bool:
    if choice == "always":
        return True
    if choice == "never" or stream_is_file or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _emit(text: str, output: str | None) -> None:
    if output:
        directory = os.path.dirname(output)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def cmd_lint(args: argparse.Namespace) -> int:
    from codeward.findings import Finding
    from codeward.output import Report, render
    from linters.engine import rule_for
    from linters.lint import fix_files, run_lint

    start = args.paths[0] if args.paths else "."
    config = _load_config(args, start)
    results = run_lint(args.paths, config, kind=args.kind, use_cache=not args.no_cache and not args.fix, jobs=args.jobs)
    findings: list[Finding] = []
    fixed = 0
    if args.fix:
        fixed, findings = fix_files(results, config)
    else:
        for result in results:
            findings += result.findings
    findings.sort(key=Finding.sort_key)
    checked = [r.path for r in results if not r.skipped]
    fmt = args.format or os.environ.get("CODEWARD_FORMAT") or "text"
    if fmt not in FORMAT_CHOICES:
        raise UsageError(f"unknown format {fmt!r} in CODEWARD_FORMAT")
    report = Report(
        findings, checked, rule_for, color=_use_color(args.color, bool(args.output)), explain=not args.quiet
    )
    _emit(render(fmt, report), args.output)
    if fixed:
        print(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}.", file=sys.stderr)
    if any(f.code == "CWF900" for f in findings) or any(r.internal_error for r in results):
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if any(f.severity >= config.fail_on for f in findings) else EXIT_CLEAN


def cmd_rules(args: argparse.Namespace) -> int:
    from codeward.rules_doc import describe, listing

    if args.code:
        text = describe(args.code.upper(), args.format)
        if text is None:
            raise UsageError(f"no rule {args.code!r}; `codeward rules` lists them")
        _emit(text, None)
    else:
        _emit(listing(args.format), None)
    return EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    try:
        return {"lint": cmd_lint, "rules": cmd_rules}[args.command](args)
    except UsageError as exc:
        print(f"codeward: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as exc:  # last resort: a bug must still give a clear message and status 2
        import traceback

        print(f"codeward: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("CODEWARD_DEBUG"):
            traceback.print_exc()
        else:
            print("Set CODEWARD_DEBUG=1 for the traceback, and please report it.", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
