"""`codeward profile`: run a program under the agent, compare profiles, check for anomalies.

codeward profile [options] -- python app.py args     run and profile (every Python process it starts)
codeward profile show PROFILE|DIR ...                 the terminal table (and --html/--speedscope/...)
codeward profile diff BASE NEW [--fail-on-regression PCT]
codeward profile check NEW --history DIR [--fail-on-regression PCT]
codeward profile report DIR|PROFILE ...               render HTML, speedscope, collapsed from JSON profiles
codeward profile aggregate URL --output DIR           merge a profiling group's profiles over time windows
"""

from __future__ import annotations

import os
import sys

from codeward.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError

TYPE_CHECKING = False  # argparse and typing are not imported before `codeward profile -- CMD` starts CMD
if TYPE_CHECKING:
    import argparse
    from typing import Any, NoReturn

SUBCOMMANDS = ("show", "diff", "check", "report", "aggregate")


def register(sub: Any) -> argparse.ArgumentParser:
    import argparse

    from codeward.profiler.options import add_setting_flags

    parser = sub.add_parser(
        "profile",
        help="profile a Python program (CPU, wall time, heap) and compare profiles",
        description="Run a program under codeward's sampling profiler, or work with saved profiles: "
        "`codeward profile [options] -- python app.py`, `codeward profile show|diff|check|report|aggregate ...` "
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


class _Options:
    """The launcher's options as argparse would give them (the attributes `run_program` reads)."""

    def __init__(self) -> None:
        from codeward.profiler.settings import SPECS

        for spec in SPECS:
            setattr(self, spec.attr, None)
        self.config: str | None = None
        self.isolated = self.quiet = False
        self.top = 15


def launch_fast(words: list[str], whole_process: bool = False) -> int | None:
    """`codeward profile [options] -- CMD ...` read without argparse (whose import and parser building cost
    the program's start about 10 ms), then run; None when `read_fast` leaves the words to argparse.

    `whole_process`: this process is the `codeward` command itself (not a caller's `main([...])`), so the
    program may run in its forked child and the launcher may leave without tearing its interpreter down."""
    read = read_fast(words)
    if read is None:
        return None
    return run_program(*read, whole_process=whole_process)  # type: ignore[arg-type]


def read_fast(words: list[str]) -> tuple[_Options, list[str]] | None:
    """The options and the program of `[options] -- CMD ...`, as argparse would read them; None for anything
    else, or any option form not known here (abbreviations, -h, a value that looks like an option, a bad
    --top): the argparse parser handles those and gives its messages."""
    try:
        end = words.index("--")
    except ValueError:
        return None
    if end == len(words) - 1:
        return None
    from codeward.profiler.settings import SPECS

    valued: dict[str, str] = {"--config": "config", "--top": "top"}
    flags: dict[str, str] = {"--isolated": "isolated", "-q": "quiet", "--quiet": "quiet"}
    for spec in SPECS:
        names = [spec.flag] + (["--" + spec.name] if spec.name[0].isupper() else [])
        names += ["--interval"] if spec.attr == "sampling_interval_ms" else []
        names += ["-o"] if spec.attr == "output_dir" else []
        for name in names:
            (flags if spec.kind is bool else valued)[name] = spec.attr
    options = _Options()
    i = 0
    while i < end:
        word = words[i]
        name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in flags and not eq:
            setattr(options, flags[name], True)
            i += 1
            continue
        if name not in valued:
            return None
        if not eq:
            if i + 1 >= end:
                return None
            value = words[i + 1]
            i += 1
        i += 1
        if value.startswith("-") or (valued[name] == "top" and not value.strip().isdigit()):
            return None
        setattr(options, valued[name], int(value) if valued[name] == "top" else value)
    return options, words[end + 1 :]


def _spawn(words: list[str], env: dict[str, str]) -> tuple[int, Any]:
    """Start the program; its pid, and the Popen object where there is no posix_spawnp (subprocess, with its
    threads, selectors and signal enums, is the launcher's costliest import otherwise)."""
    if hasattr(os, "posix_spawnp"):
        import _signal

        # As subprocess does (restore_signals): Python ignores SIGPIPE and SIGXFSZ; the program starts with
        # the defaults.
        defaults = [getattr(_signal, name) for name in ("SIGPIPE", "SIGXFSZ") if hasattr(_signal, name)]
        return os.posix_spawnp(words[0], words, env, setsigdef=defaults), None
    import subprocess

    child = subprocess.Popen(words, env=env)
    return child.pid, child


FORK_ENV = "CODEWARD_PROFILE_FORK"  # 0: always start a new interpreter for the program


def _same_interpreter(words: list[str]) -> list[str] | None:
    """The program's arguments (`app.py args` or `-m module args`) when CMD runs this very interpreter with no
    options of its own, from a launcher itself started without interpreter options; None otherwise (another
    Python, `-c`, `-X`, `-I`, a program that is not Python, not Linux, CODEWARD_PROFILE_FORK=0).

    Then the launcher forks and the child runs the program in the interpreter that is already started,
    instead of starting a second one (about 9 ms of CPU): the same executable in the same directory has the
    same prefix, site-packages and flags."""
    if not sys.platform.startswith("linux") or os.environ.get(FORK_ENV, "").strip() == "0" or len(words) < 2:
        return None
    started = getattr(sys, "orig_argv", [])
    if len(started) < 2 or (started[1].startswith("-") and started[1] != "-m") or sys._xoptions:
        return None
    if "codeward.profiler.agent" in sys.modules:  # an agent (autostart) in the launcher: keep the two apart
        return None
    exe = words[0]
    if os.sep not in exe:  # as posix_spawnp looks it up
        for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
            found = os.path.join(folder or ".", exe)
            if os.path.isfile(found) and os.access(found, os.X_OK):
                exe = found
                break
        else:
            return None
    ours = sys.executable
    if not ours or os.path.dirname(os.path.abspath(exe)) != os.path.dirname(os.path.abspath(ours)):
        return None
    if os.path.realpath(exe) != os.path.realpath(ours):
        return None
    rest = words[1:]
    if rest[0] == "-m" and len(rest) > 1 and not rest[1].startswith("-"):
        return rest
    if not rest[0].startswith("-") and os.path.isfile(rest[0]):
        return rest
    return None


def _fork(python: str, program: list[str], env: dict[str, str]) -> int:
    """Fork; in the child, run the program (it never comes back here). The parent gets the child's pid."""
    import gc

    # JSON is needed on both sides (the child writes its profile, the launcher reads it): imported once.
    import json  # noqa: F401

    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # nothing written twice
    # The launcher's objects go to the permanent generation: the child's collections never walk them, so
    # its pages stay shared instead of being copied (gc headers are written on every walk).
    gc.freeze()
    pid = os.fork()
    if pid:
        return pid
    try:
        os.environ.update(env)
        import codeward.profiler.autostart  # noqa: F401  (starts the agent from the environment, as the bootstrap does)
    except BaseException as exc:  # never stop the program: run it unprofiled
        sys.stderr.write(f"codeward profiler: not started: {type(exc).__name__}: {exc}\n")
    _run_here(python, program)


def _run_here(python: str, program: list[str]) -> NoReturn:
    """In the forked child: the program, as `python app.py args` or `python -m module args` runs it (a fresh
    `__main__`, sys.argv, sys.path[0], tracebacks from the program's frames). Ends with SystemExit, which the
    interpreter handles as for any program: threads joined, atexit (the agent's report), streams flushed."""
    import builtins

    main = type(sys)("__main__")
    main.__builtins__ = builtins  # type: ignore[attr-defined]
    sys.modules["__main__"] = main
    sys.orig_argv = [python, *program]
    try:
        if program[0] == "-m":
            import runpy

            sys.argv = ["-m", *program[2:]]
            if not sys.flags.safe_path:
                sys.path[0] = os.getcwd()
            runpy._run_module_as_main(program[1], alter_argv=True)  # type: ignore[attr-defined]
        else:
            from _frozen_importlib_external import SourceFileLoader

            path = os.path.abspath(program[0])  # __file__ and code filenames, as Python 3.9+ makes them
            sys.argv = list(program)
            if not sys.flags.safe_path:
                sys.path[0] = os.path.dirname(os.path.realpath(path))
            main.__file__ = path
            main.__cached__ = None  # type: ignore[attr-defined]
            main.__loader__ = SourceFileLoader("__main__", path)
            with open(path, "rb") as handle:
                source = handle.read()
            # dont_inherit: this module's `from __future__` imports are not the program's
            exec(compile(source, path, "exec", dont_inherit=True), main.__dict__)
    except SystemExit:
        raise
    except BaseException as exc:  # uncaught in the program: Python prints it and exits 1 (130 for Ctrl-C)
        tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None  # this frame is not the program's
        exc.__traceback__ = tb  # the hook prints the exception's own traceback
        sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
        sys.excepthook(type(exc), exc, tb)
        raise SystemExit(130 if isinstance(exc, KeyboardInterrupt) else 1) from None
    raise SystemExit(0)


def _prepare_reports(formats: list[str], quiet: bool) -> None:
    """Import what the reports need while the program runs (another CPU is usually free): once it has ended,
    only the rendering itself is left. An error here shows again when the reports are made."""
    if not formats and quiet:
        return  # the launcher only waits (see _finish_run)
    try:
        from codeward.profiler import model  # noqa: F401

        if formats:
            from codeward.profiler import report  # noqa: F401
        if "html" in formats:
            from codeward.profiler import html  # noqa: F401
        if "html" in formats or not quiet:
            from codeward.profiler import formats as _formats  # noqa: F401
            from codeward.profiler import recommend  # noqa: F401
    except Exception:
        pass


def run_program(args: argparse.Namespace, words: list[str], whole_process: bool = False) -> int:
    import _signal
    import time

    from codeward.profiler.launch import child_env, new_run_id
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
    run_id = new_run_id()
    env = child_env(settings, run_id)
    env["CODEWARD_PROFILE_LOCAL"] = "1"  # the launcher reads the run from the output directory (store or not)
    started = time.time()
    formats = settings.report_formats()
    program = _same_interpreter(words) if whole_process else None
    if program is not None:
        pid, child = _fork(words[0], program, env), None
    else:
        try:
            pid, child = _spawn(words, env)
        except OSError as exc:
            raise UsageError(f"cannot run {words[0]!r}: {exc.strerror or exc}") from None
    # Ctrl-C reaches the child from the terminal; the parent waits for its report instead of dying first.
    # (_signal, not signal: the launcher's start-up has no use for signal's enums.)
    forwarded = {_signal.SIGTERM, getattr(_signal, "SIGHUP", _signal.SIGTERM)}
    previous = {sig: _signal.getsignal(sig) for sig in (_signal.SIGINT, *forwarded)}
    try:
        _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
        for sig in forwarded:
            _signal.signal(sig, lambda signum, _frame: os.kill(pid, signum))
        _prepare_reports(formats, args.quiet)
        code = child.wait() if child is not None else os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    finally:
        for sig, handler in previous.items():
            _signal.signal(sig, handler)
    # The program has ended (its exit status is known). Helpers it started may still be writing their profiles
    # (multiprocessing's fork server and resource tracker end just after it): wait for them, not for long.
    _wait_for_run(run_id, STRAGGLER_WAIT)
    # The reports are rendered now, in this process, off the program's time.
    new = sorted(os.path.join(output_dir, name) for name in set(os.listdir(output_dir)) - before if _is_profile(name))
    _finish_run(new, output_dir, formats, args, time.time() - started)
    status = 128 - code if code < 0 else code  # killed by signal N: 128+N, as a shell reports it
    if whole_process:
        # Nothing of the launcher's needs finalizing: leaving now saves the interpreter's teardown (its
        # collection and module clearing, about 2 ms of CPU).
        for stream in (sys.stdout, sys.stderr):
            try:  # noqa: SIM105  (contextlib is one more import)
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(status)
    return status


STRAGGLER_WAIT = 3.0  # seconds the launcher waits for the run's other processes once the program has ended


def _run_processes(run_id: str) -> list[int]:
    """Processes started with this run's id in their environment (Linux: /proc; elsewhere none known)."""
    mark = f"CODEWARD_PROFILE_RUN={run_id}".encode() + b"\0"
    found = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as handle:
                if mark in handle.read():
                    found.append(int(name))
        except OSError:  # ended meanwhile, or not ours to read
            continue
    return found


def _wait_for_run(run_id: str, limit: float) -> None:
    import time

    deadline = time.monotonic() + limit
    delay = 0.01
    while _run_processes(run_id) and time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def _is_profile(name: str) -> bool:
    return name.endswith(".json") and not name.endswith(".speedscope.json")


def _finish_run(
    paths: list[str], output_dir: str, formats: list[str], args: argparse.Namespace, elapsed: float
) -> None:
    err = sys.stderr
    if not paths:
        if not args.quiet:
            err.write(
                f"codeward profile: no profile was written to {output_dir} ({elapsed:.1f} s). Was the program "
                "Python (started without -I/-S)? Did it end through os._exit?\n"
            )
        return
    if not formats and args.quiet:
        return  # nothing to render or print: the JSON profiles are the result
    from codeward.profiler.model import ProfileError, load, merge

    try:
        profiles = [load(p) for p in paths]
    except ProfileError as exc:
        err.write(f"codeward profile: {exc}\n")
        return
    rendered = []
    if formats:
        from codeward.profiler.report import render_formats

        for path, profile in zip(paths, profiles, strict=True):
            rendered += render_formats(profile, formats, path[: -len(".json")])
    if not args.quiet:
        _summarise(merge(profiles), profiles, output_dir, args.top, [p for p in rendered if p.endswith(".html")])


def _summarise(
    profile: dict[str, Any], profiles: list[dict[str, Any]], output_dir: str, top: int, shown: list[str]
) -> None:
    from codeward.profiler.formats import terminal
    from codeward.profiler.recommend import recommendations

    err = sys.stderr
    err.write("\n" + terminal(profile, "auto", top))
    for rec in recommendations(profile)[:5]:
        err.write(f"  recommendation: {rec['title']} ({rec['share']:.1f}% of {rec['metric']} time): {rec['advice']}\n")
    for note in dict.fromkeys(profile.get("notes", [])):
        err.write(f"  note: {note}\n")
    processes = {(p.get("host", ""), p["pid"]) for p in profiles}
    err.write(
        f"reports ({len(profiles)} from {len(processes)} process{'es' if len(processes) != 1 else ''}) in {output_dir}\n"
    )
    for path in shown[-3:]:
        err.write(f"  {os.path.relpath(path)}\n")


# -- show / diff / check ----------------------------------------------------------------------------


def _subcommand(name: str, words: list[str]) -> int:
    import argparse

    from codeward.profiler.model import ProfileError

    if name == "aggregate":
        from codeward.profiler.aggregate import main as aggregate_main

        return aggregate_main(words)
    parser = argparse.ArgumentParser(prog=f"codeward profile {name}")
    if name == "report":
        parser.description = (
            "Render the JSON profiles a run wrote (processes started through CODEWARD_PROFILE, "
            "python -m codeward.profiler, a fleet's downloads) as HTML, speedscope and collapsed stacks, next to "
            "each profile. Profiles whose reports are newer than them are skipped."
        )
        parser.add_argument("profiles", nargs="+", metavar="PROFILE|DIR")
        parser.add_argument("--formats", help="comma-separated: html, speedscope, collapsed (default: the "
                            "formats setting, html,speedscope,collapsed)")  # fmt: skip
        parser.add_argument("--force", action="store_true", help="render again even where reports are up to date")
    elif name == "show":
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
        if name == "report":
            return _report(options)
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


def _report(options: argparse.Namespace) -> int:
    from codeward.profiler.model import load, profile_paths
    from codeward.profiler.report import render_formats
    from codeward.profiler.settings import BY_NAME, SettingsError, convert, resolve

    try:
        if options.formats is not None:
            formats = convert(BY_NAME["formats"], options.formats, "--formats")
        else:
            formats = resolve().formats
    except SettingsError as exc:
        raise UsageError(str(exc)) from None
    wanted = [f for f in (part.strip() for part in formats.split(",")) if f and f != "none"]
    suffixes = {"html": (".html",), "speedscope": (".speedscope.json",), "collapsed": (".collapsed", ".cpu.collapsed")}
    written = skipped = 0
    for target in options.profiles:
        for path in profile_paths(target):
            base = path[: -len(".json")]
            stamp = os.path.getmtime(path)
            todo = [
                f
                for f in wanted
                if options.force
                or not all(os.path.exists(base + x) and os.path.getmtime(base + x) >= stamp for x in suffixes[f])
            ]
            if not todo:
                skipped += 1
                continue
            for out in render_formats(load(path), todo, base):
                print(out)
                written += 1
    print(f"codeward profile report: wrote {written} files; {skipped} profiles were up to date", file=sys.stderr)
    return EXIT_CLEAN


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
