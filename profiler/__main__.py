"""`python -m codeward.profiler [options] app.py args` / `python -m codeward.profiler [options] -m module args`.

Runs the program in this process under the agent; its exit status and exceptions are its own. The
table of hottest functions goes to stderr when it ends. `--install-autostart` writes a .pth file so
that setting CODEWARD_PROFILE=1 profiles any Python process of this installation.
"""

from __future__ import annotations

import argparse
import os
import sys

PTH_NAME = "codeward_profiler_autostart.pth"
# Runs at every start-up of this Python, so it only looks at the environment unless asked to start.
PTH_LINE = "import os; os.environ.get('CODEWARD_PROFILE', '0') not in ('', '0') and __import__('codeward.profiler.autostart')\n"


def _parser() -> argparse.ArgumentParser:
    from codeward.profiler.options import add_setting_flags

    parser = argparse.ArgumentParser(
        prog="python -m codeward.profiler",
        description="Profile a Python program in this process: python -m codeward.profiler [options] app.py [args].",
    )
    add_setting_flags(parser)
    parser.add_argument("-m", dest="module", metavar="MODULE", help="run a library module as a script")
    parser.add_argument("--install-autostart", action="store_true", help=f"write {PTH_NAME} into site-packages")
    parser.add_argument("--uninstall-autostart", action="store_true", help=f"remove {PTH_NAME}")
    parser.add_argument("--site-dir", help="the directory for --install-autostart (default: this Python's purelib)")
    parser.add_argument("program", nargs=argparse.REMAINDER, metavar="app.py args")
    return parser


def _autostart(args: argparse.Namespace) -> int:
    import sysconfig

    directory = args.site_dir or sysconfig.get_paths()["purelib"]
    path = os.path.join(directory, PTH_NAME)
    try:
        if args.uninstall_autostart:
            if os.path.exists(path):
                os.remove(path)
            print(f"removed {path}")
            return 0
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(PTH_LINE)
    except OSError as exc:
        print(f"python -m codeward.profiler: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: CODEWARD_PROFILE=1 now profiles any program this Python runs")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.install_autostart or args.uninstall_autostart:
        return _autostart(args)
    program = args.program[1:] if args.program[:1] == ["--"] else args.program
    if not args.module and not program:
        print("python -m codeward.profiler: give a script (app.py) or -m module to run", file=sys.stderr)
        return 2
    from codeward.profiler.options import settings_from_args
    from codeward.profiler.settings import SettingsError

    try:
        settings = settings_from_args(args)
    except SettingsError as exc:
        print(f"python -m codeward.profiler: {exc}", file=sys.stderr)
        return 2
    if not args.module and not os.path.isfile(program[0]):
        print(f"python -m codeward.profiler: {program[0]}: no such file", file=sys.stderr)
        return 2
    import atexit

    from codeward.profiler.agent import Agent
    from codeward.profiler.launch import RUN_ENV, child_env, new_run_id

    # The program's own child processes (multiprocessing spawn, subprocesses running Python) are profiled too,
    # into the same run; forked ones restart the agent by themselves.
    run_id = os.environ.get(RUN_ENV) or new_run_id()
    os.environ.update(child_env(settings, run_id))
    agent = Agent(settings)
    if not args.quiet:
        atexit.register(_print_table, agent, args.top)  # registered first: runs after the agent's report
    agent.start()
    sys.argv = [args.module or program[0], *program[1 if not args.module else 0 :]]
    _run(args.module, program[0])
    return 0


def _run(module: str | None, path: str) -> None:
    """The program, as `python -m module` or `python path` would run it (the profile starts at its frames)."""
    import runpy

    if module:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    else:
        sys.path[0] = os.path.dirname(os.path.abspath(path))
        runpy.run_path(path, run_name="__main__")


def _print_table(agent: object, top: int) -> None:
    """The hottest functions of this process, from the profile in memory; HTML and the rest are rendered
    later by `codeward profile report DIR`, off the program's time."""
    try:
        profile = getattr(agent, "last_profile", None)
        paths = [p for p in getattr(agent, "written", []) if p.endswith(".json")]
        if profile is not None and paths:
            from codeward.profiler.formats import terminal

            if len(paths) > 1:  # periodic reports before the last: the whole run
                from codeward.profiler.model import load_many

                profile = load_many(paths)

            directory = os.path.dirname(paths[-1])
            sys.stderr.write("\n" + terminal(profile, "auto", top))
            sys.stderr.write(f"profile in {directory}; HTML and other formats: codeward profile report {directory}\n")
    except Exception as exc:  # the program's own exit status matters more than our table
        sys.stderr.write(f"codeward profiler: no table: {exc}\n")


if __name__ == "__main__":
    sys.exit(main())
