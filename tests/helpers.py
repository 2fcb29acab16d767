"""Shared test helpers: run the real CLI in-process or as a subprocess."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


_review_warm = False


def warm_review() -> None:
    """Load here, once per test process, what a review worker loads before its first file (the parser, the rules,
    the model). An in-process review forks its worker from this process (codeward.runner.run_isolated): without
    this every review of a few lines imported them again in its fork, 0.39 s CPU each; after it, 0.09 s. The
    worker still runs its own warm-up (now quick). Tests of what a fresh process imports start a real one."""
    global _review_warm
    if _review_warm:
        return
    import gc

    from codeward.reviewer.review import warm_up

    saved = gc.get_threshold()  # warm_up raises the collector's threshold for a worker; not for the tests
    warm_up()
    gc.set_threshold(*saved)
    _review_warm = True


def run_cli(*args: str, cwd: str | None = None) -> tuple[int, str, str]:
    """codeward in-process (fast); returns (exit code, stdout, stderr)."""
    from codeward.cli import main

    if "review" in args:
        warm_review()
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def run_process(
    *args: str, cwd: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """codeward as a real subprocess, the way hooks and CI run it."""
    full_env = {**os.environ, "PYTHONPATH": ROOT, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "codeward", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120
    )


def error_of(kind: type[BaseException], call: object, *args: object, **kwargs: object) -> str:
    """The message of the `kind` exception `call(*args, **kwargs)` raises (the test fails if it raises none)."""
    import pytest

    with pytest.raises(kind) as raised:
        call(*args, **kwargs)  # type: ignore[operator]
    return str(raised.value)
