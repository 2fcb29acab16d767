"""Shared test helpers: run the real CLI in-process or as a subprocess."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args: str, cwd: str | None = None) -> tuple[int, str, str]:
    """codeward in-process (fast); returns (exit code, stdout, stderr)."""
    from codeward.cli import main

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
