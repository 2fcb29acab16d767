"""The `codeward` command. Subcommands import their machinery lazily: a hook run pays only for what it uses."""

from __future__ import annotations

import os
import sys

from codeward import __version__

TYPE_CHECKING = False  # neither typing nor argparse at import: `codeward profile -- CMD` starts CMD without them
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMAT_CHOICES = ("text", "concise", "json", "sarif", "github", "gitlab", "junit", "github-review", "codecommit",
                  "gitlab-discussions")  # fmt: skip


class UsageError(Exception):
    pass


def _codes(text: str) -> list[str]:
    return [part.strip().upper() for part in text.split(",") if part.strip()]


def _shard(text: str) -> tuple[int, int]:
    from codeward.shard import argument

    return argument(text)


def add_common(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument(
        "--statistics", action="store_true", help="print the number of findings per rule instead of the findings"
    )
    parser.add_argument(
        "--shard",
        metavar="K/N",
        type=_shard,
        help="check only the K-th of N parts of the files (split by path hash; merge with `codeward report merge`)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="settings from this TOML file only ([tool.codeward] of a pyproject.toml under any name, or a "
        "codeward.toml); the checkout's own configuration and feedback file are ignored",
    )
    parser.add_argument(
        "--isolated", action="store_true", help="ignore configuration files (and the checkout's feedback file)"
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the results cache")
    parser.add_argument("--cache-dir", metavar="DIR", help="cache folder (default: the user cache directory)")
    parser.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (default: one per CPU)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("-q", "--quiet", action="store_true", help="text output without why/fix explanations")  # fmt: skip
    parser.add_argument(
        "--diff", metavar="BASE...HEAD", help="only findings on lines added or changed between two commits (git)"
    )
    parser.add_argument("--post", choices=("github",), help="post the findings as a review on the pull request")
    parser.add_argument("--repo", metavar="OWNER/NAME", help="repository for --post / codecommit (default: from CI)")
    parser.add_argument("--pr", metavar="NUMBER", help="pull request for --post / codecommit (default: from CI)")


# Subcommands: (name, module). Each module defines `register(subparsers)` and `run(args) -> int`, keeps
# its heavy imports inside `run`, and is imported only to build the parser.
COMMANDS: list[tuple[str, str]] = [
    ("lint", "codeward.linters.command"),
    ("rules", "codeward.rules_doc"),
    ("review", "codeward.reviewer.command"),
    ("feedback", "codeward.reviewer.ml.feedback"),
    ("simulate", "codeward.linters.simulate.command"),
    ("profile", "codeward.profiler.command"),
    ("report", "codeward.report_merge"),
    ("server", "codeward.server"),
]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with `only` that one subcommand's (`codeward profile -- CMD` starts before the
    program it runs: it does not import the linters' modules)."""
    import argparse
    import importlib

    parser = argparse.ArgumentParser(
        prog="codeward",
        description="Lint AWS CodeBuild buildspecs, CodeDeploy AppSpecs and CodePipeline definitions.",
    )
    parser.add_argument("--version", action="version", version=f"codeward {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS:
        if only is not None and name != only:
            continue
        command = importlib.import_module(module)
        command.register(sub).set_defaults(run=command.run, command=name)
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line; an unknown option is reported with the usage of the subcommand it was given
    to (`codeward lint --bogus` shows lint's usage, not the top-level one)."""
    import argparse

    args, extra = parser.parse_known_args(argv)
    if extra:
        sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        owner = sub.choices.get(args.command) if sub is not None and args.command else None
        (owner or parser).error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def load_config_for(args: argparse.Namespace, start: str):  # -> Config
    from codeward.config import Config, ConfigError, load_config

    try:
        config = Config() if args.isolated else load_config(args.config, start)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if args.config and not args.isolated:
        # A file outside the checkout (a copy pinned from the base branch) applies its patterns to the
        # checkout being analysed, as if it were that checkout's own.
        from codeward.safepaths import checkout_root

        here = checkout_root(os.getcwd()) or os.getcwd()
        if not (config.root + os.sep).startswith(here.rstrip(os.sep) + os.sep):
            config.root = here
            if config.raw.get("cache-dir") is not None:
                config.cache_dir = os.path.join(here, str(config.raw["cache-dir"]))
    if getattr(args, "cache_dir", None):
        config.cache_dir, config.cache_dir_from_cli = os.path.abspath(args.cache_dir), True
    if args.select is not None:
        config.select = list(args.select)
        config.explicit = list(args.select)
    config.select = config.select + args.extend_select
    config.explicit = config.explicit + args.extend_select
    config.ignore += args.ignore
    config.shard = getattr(args, "shard", None)
    if args.fail_on:
        from codeward.findings import Severity

        config.fail_on = Severity.parse(args.fail_on)
    return config


def use_color(choice: str, stream_is_file: bool) -> bool:
    if choice == "always":
        return True
    if choice == "never" or stream_is_file or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def emit(text: str, output: str | None) -> bool:
    """Write the report to `output` (never through a symbolic link a pull request may have committed) or
    to stdout. False when `output` was refused: the report went to stdout instead, after a message."""
    written = True
    if output:
        from codeward.safepaths import UnsafePath, write_text

        try:
            write_text(output, text, "the report")
            return True
        except UnsafePath as exc:
            print(f"codeward: error: {exc}; the report follows on standard output", file=sys.stderr)
            written = False
    sys.stdout.write(text)
    sys.stdout.flush()
    return written


def resolve_format(args: argparse.Namespace) -> str:
    fmt = args.format or os.environ.get("CODEWARD_FORMAT") or "text"
    if fmt not in FORMAT_CHOICES:
        raise UsageError(f"unknown format {fmt!r} in CODEWARD_FORMAT")
    return fmt


def warn_if_nothing_checked(report: Any, scope: Any, paths: Sequence[str], what: str, hint: str = "") -> None:
    """Say so when the paths held nothing to check: "No findings" would read as a clean bill of health."""
    if report.checked or getattr(scope, "changes", None) is not None:
        return
    where = " ".join(paths) or "."
    print(f"codeward: warning: no {what} found in {where}{'; ' + hint if hint else ''}", file=sys.stderr)


def finish(
    args: argparse.Namespace, fmt: str, report: Any, scope: Any, fail_on: Any, *, fixed: int, internal_error: bool
) -> int:
    """Write the report, post it when asked (--post), and turn the findings into the exit status."""
    from codeward.output import render

    if getattr(args, "statistics", False):
        from codeward.output import statistics

        if fmt not in ("text", "concise", "json"):
            raise UsageError(f"--statistics prints text or JSON, not --format {fmt}")
        written = emit(statistics.render(report, as_json=fmt == "json"), args.output)
    else:
        written = emit(report.masker.text(render(fmt, report)), args.output)
    scope.publish(report)
    if fixed:
        print(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}.", file=sys.stderr)
    if internal_error:
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN if written else EXIT_ERROR
    if any(f.severity >= fail_on for f in report.findings):
        return EXIT_FINDINGS  # a refused --output must not turn findings into a usage error the gate may treat apart
    return EXIT_CLEAN if written else EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        if words[:1] == ["profile"]:
            # Running a program: its options are read without argparse, so the program starts sooner (a form
            # the fast reader does not know goes through the parser below, which gives the usual messages).
            from codeward.profiler.command import launch_fast

            code = launch_fast(words[1:], whole_process=argv is None)
            if code is not None:
                return code
        parser = build_parser(only="profile" if words[:1] == ["profile"] else None)
        args = parse(parser, words)
        if args.command is None:
            parser.print_help()
            return EXIT_ERROR
        return args.run(args)
    except UsageError as exc:
        from codeward.masking import scrub_tokens

        print(scrub_tokens(f"codeward: error: {exc}"), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as exc:  # last resort: a bug must still give a clear message and status 2
        import traceback

        from codeward.masking import scrub_tokens

        # An error may quote anything it was handed, a token included: scrub every token codeward knows.
        print(scrub_tokens(f"codeward: internal error: {type(exc).__name__}: {exc}"), file=sys.stderr)
        if os.environ.get("CODEWARD_DEBUG"):
            print(scrub_tokens(traceback.format_exc()), file=sys.stderr, end="")
        else:
            print("Set CODEWARD_DEBUG=1 for the traceback, and please report it.", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
