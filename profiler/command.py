"""`codeward profile`: run a program under the agent, compare profiles, check for anomalies.

codeward profile [options] -- python app.py args     run and profile (every Python process it starts)
codeward profile show PROFILE|DIR ...                 the terminal table (and --html/--speedscope/...)
codeward profile diff BASE NEW [--fail-on-regression PCT]
codeward profile check NEW --history DIR [--fail-on-regression PCT]
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import codeward
from codeward.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError

SUBCOMMANDS = ("show", "diff", "check")


def register(sub: Any) -> argparse.ArgumentParser:
    from codeward.profiler.options import add_setting_flags

    parser = sub.add_parser(
        "profile",
        help="profile a Python program (CPU, wall time, heap) and compare profiles",
        description="Run a program under codeward's sampling profiler, or work with saved profiles: "
        "`codeward profile [options] -- python app.py`, `codeward profile show|diff|check ...` "
        "(`codeward profile diff -h` for each).",
    )
    add_setting_flags(parser)
    parser.add_argument("command_line", nargs=argparse.REMAINDER, metavar="-- COMMAND ...",
                        help="the program to run (a .py file runs with this Python)")  # fmt: skip
    return parser


def run(args: argparse.Namespace) -> int:
    words = list(args.command_line)
    if words and words[0] == "--":
        words = words[1:]
    elif words and words[0] in SUBCOMMANDS:
        return _subcommand(words[0], words[1:])
    if not words:
        raise UsageError("nothing to run: codeward profile [options] -- python app.py [args]")
    return run_program(args, words)


# -- running a program ------------------------------------------------------------------------------


def run_program(args: argparse.Namespace, words: list[str]) -> int:
    import signal
    import subprocess
    import time

    from codeward.profiler.options import settings_from_args
    from codeward.profiler.settings import SettingsError

    try:
        settings = settings_from_args(args)
    except SettingsError as exc:
        raise UsageError(str(exc)) from None
    if words[0].endswith(".py"):
        words = [sys.executable, *words]
    output_dir = os.path.abspath(settings.output_dir)
    try:
        os.makedirs(output_dir, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the output directory {output_dir}: {exc.strerror or exc}") from None
    before = set(os.listdir(output_dir))
    bootstrap = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bootstrap")
    env = dict(os.environ)
    env.update(settings.to_env())
    env["CODEWARD_PROFILE"] = "1"
    env["CODEWARD_PACKAGE_DIR"] = os.path.dirname(os.path.abspath(codeward.__file__))
    env["PYTHONPATH"] = os.pathsep.join([bootstrap, *filter(None, [env.get("PYTHONPATH")])])
    started = time.time()
    try:
        child = subprocess.Popen(words, env=env)
    except OSError as exc:
        raise UsageError(f"cannot run {words[0]!r}: {exc.strerror or exc}") from None
    # Ctrl-C reaches the child from the terminal; the parent waits for its report instead of dying first.
    forwarded = {signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)}
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, *forwarded)}
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for sig in forwarded:
            signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    new = sorted(
        os.path.join(output_dir, name)
        for name in set(os.listdir(output_dir)) - before
        if name.endswith(".json") and not name.endswith(".speedscope.json")
    )
    if not args.quiet:
        _summarise(new, output_dir, args.top, time.time() - started)
    return 128 - code if code < 0 else code  # killed by signal N: 128+N, as a shell reports it


def _summarise(paths: list[str], output_dir: str, top: int, elapsed: float) -> None:
    from codeward.profiler.model import ProfileError, load_many

    err = sys.stderr
    if not paths:
        err.write(
            f"codeward profile: no profile was written to {output_dir} ({elapsed:.1f} s). Was the program Python "
            "(started without -I/-S)? Did it end through os._exit?\n"
        )
        return
    try:
        profile = load_many(paths)
    except ProfileError as exc:
        err.write(f"codeward profile: {exc}\n")
        return
    from codeward.profiler.formats import terminal
    from codeward.profiler.recommend import recommendations

    err.write("\n" + terminal(profile, "auto", top))
    for rec in recommendations(profile)[:5]:
        err.write(f"  recommendation: {rec['title']} ({rec['share']:.1f}% of {rec['metric']} time): {rec['advice']}\n")
    for note in profile.get("notes", []):
        err.write(f"  note: {note}\n")
    pids = {p.rsplit("-", 2)[-2] for p in paths}
    shown = [p[:-5] + ".html" for p in paths if os.path.exists(p[:-5] + ".html")]
    err.write(f"reports ({len(paths)} from {len(pids)} process{'es' if len(pids) != 1 else ''}) in {output_dir}\n")
    for path in shown[-3:]:
        err.write(f"  {os.path.relpath(path)}\n")


# -- show / diff / check ----------------------------------------------------------------------------


def _subcommand(name: str, words: list[str]) -> int:
    from codeward.profiler.model import ProfileError

    parser = argparse.ArgumentParser(prog=f"codeward profile {name}")
    if name == "show":
        parser.description = "Print the hottest functions of saved profiles (files or output directories, merged)."
        parser.add_argument("profiles", nargs="+", metavar="PROFILE")
        parser.add_argument("--metric", choices=("auto", "cpu", "wall"), default="auto")
        parser.add_argument("--top", type=int, default=15)
        parser.add_argument("--html", metavar="FILE", help="also write the HTML report of the merged profiles")
        parser.add_argument("--speedscope", metavar="FILE", help="also write speedscope JSON")
        parser.add_argument("--collapsed", metavar="FILE", help="also write collapsed stacks (wall samples)")
    elif name == "diff":
        parser.description = "Compare two profiles: the functions whose share of time changed most."
        parser.add_argument("base", metavar="BASE", help="profile file or output directory")
        parser.add_argument("new", metavar="NEW", help="profile file or output directory")
        parser.add_argument("--metric", choices=("auto", "cpu", "wall"), default="auto")
        parser.add_argument("--top", type=int, default=15)
        parser.add_argument("--html", metavar="FILE", help="write the differential flame graph")
        parser.add_argument("--fail-on-regression", type=float, metavar="PCT",
                            help="exit 1 when a function's share of total time grew by more than PCT points")  # fmt: skip
    else:
        parser.description = "Flag functions whose share jumped compared with a history of profiles."
        parser.add_argument("new", metavar="NEW", help="profile file or output directory")
        parser.add_argument("--history", nargs="+", required=True, metavar="PROFILE",
                            help="earlier profiles (files or directories; each file is one run)")  # fmt: skip
        parser.add_argument("--metric", choices=("auto", "cpu", "wall"), default="auto")
        parser.add_argument("--sigmas", type=float, default=3.0, help="how unusual a share must be (default 3)")
        parser.add_argument("--min-change", type=float, default=2.0, metavar="PCT",
                            help="ignore jumps smaller than PCT points of total time (default 2)")  # fmt: skip
        parser.add_argument("--fail-on-regression", type=float, metavar="PCT",
                            help="exit 1 when an anomalous function grew by more than PCT points")  # fmt: skip
    try:
        options = parser.parse_args(words)
    except SystemExit as exc:
        return EXIT_CLEAN if exc.code == 0 else EXIT_ERROR
    try:
        if name == "show":
            return _show(options)
        if name == "diff":
            return _diff(options)
        return _check(options)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None


def _write_file(path: str, text: str) -> None:
    from codeward.cli import emit

    emit(text, path)
    print(f"wrote {path}", file=sys.stderr)


def _show(options: argparse.Namespace) -> int:
    from codeward.profiler.formats import collapsed, speedscope, terminal
    from codeward.profiler.model import load_many
    from codeward.profiler.recommend import recommendations

    profile = load_many(options.profiles)
    sys.stdout.write(terminal(profile, options.metric, options.top))
    for rec in recommendations(profile):
        sys.stdout.write(f"recommendation: {rec['title']} ({rec['share']:.1f}%): {rec['advice']}\n")
    if options.html:
        from codeward.profiler.html import render

        _write_file(options.html, render(profile, title=os.path.basename(options.profiles[0])))
    if options.speedscope:
        _write_file(options.speedscope, speedscope(profile))
    if options.collapsed:
        _write_file(options.collapsed, collapsed(profile))
    return EXIT_CLEAN


def _diff(options: argparse.Namespace) -> int:
    from codeward.profiler.compare import diff, diff_table
    from codeward.profiler.model import load_many

    base, new = load_many([options.base]), load_many([options.new])
    result = diff(base, new, options.metric)
    sys.stdout.write(diff_table(result, options.top))
    if options.html:
        from codeward.profiler.html import render_diff

        _write_file(options.html, render_diff(base, new, result))
    return _gate(result.regressions(options.fail_on_regression), options.fail_on_regression)


def _check(options: argparse.Namespace) -> int:
    from codeward.profiler.compare import anomalies, anomaly_table
    from codeward.profiler.model import load, load_many, profile_paths

    history = [load(p) for target in options.history for p in profile_paths(target)]
    if len(history) < 2:
        raise UsageError(f"--history needs at least 2 profiles to tell normal variation; got {len(history)}")
    new = load_many([options.new])
    found = anomalies(history, new, options.metric, sigmas=options.sigmas, min_change=options.min_change)
    sys.stdout.write(anomaly_table(found, len(history)))
    limit = options.fail_on_regression
    failing = [a for a in found if limit is not None and a.change > limit]
    return _gate(failing, limit)


def _gate(failing: list[Any], limit: float | None) -> int:
    if limit is None or not failing:
        return EXIT_CLEAN
    worst = failing[0]
    print(
        f"codeward profile: regression: {worst.name} grew by {worst.change:.1f} points (over --fail-on-regression "
        f"{limit:g}); {len(failing)} function{'s' if len(failing) != 1 else ''} over the limit",
        file=sys.stderr,
    )
    return EXIT_FINDINGS
