"""The suite's throw-away folders (tests/conftest.py) leave nothing behind in the temporary folder: not when a
session ends in a process that leaves with os._exit (mutmut's forked workers: atexit never runs there), and
folders of sessions stopped by a signal are removed by the next session, while a running session's are kept."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import ROOT

PROBE = """\
import os


def pytest_sessionfinish(session):
    with open(os.environ["PROBE_OUT"], "w") as out:
        for name in ("CODEWARD_CACHE_DIR", "PYTHONPYCACHEPREFIX"):
            path = os.environ.get(name, "")
            out.write(f"{name}={path}={os.path.isdir(path)}\\n")
"""

# A session the way mutmut's workers run one: pytest.main in the process, then os._exit.
FORKED_SESSION = "import os, pytest; code = pytest.main(os.environ['PROBE_ARGS'].split()); os._exit(int(code))"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_session_ended_with_os_exit_removes_its_folders_and_those_of_sessions_that_are_gone(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp_path / "probe.py").write_text(PROBE)
    dead = _dead_pid()
    stale = [tmp / f"codeward-test-cache-{dead}-a1b2", tmp / f"codeward-test-pycache-{dead}-c3d4"]
    running = tmp / f"codeward-test-cache-{os.getpid()}-e5f6"  # this test's process: alive
    old, recent = tmp / "codeward-test-cache-0ld9x_q1", tmp / "codeward-test-pycache-n3w5y_z2"  # the earlier naming
    other = tmp / "codeward-test-cache-notes.txt"
    for folder in (*stale, running, old, recent):
        (folder / "inner").mkdir(parents=True)
    other.write_text("not a folder of the suite")
    three_hours_ago = time.time() - 3 * 3600
    os.utime(old, (three_hours_ago, three_hours_ago))
    env = {key: value for key, value in os.environ.items()
           if key not in ("CODEWARD_CACHE_DIR", "PYTHONPYCACHEPREFIX", "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS")}  # fmt: skip
    env.update(
        TMPDIR=str(tmp), PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(tmp_path), PROBE_OUT=str(tmp_path / "probe.out"),
        PROBE_ARGS="-q -n 0 -p probe -p no:cacheprovider --co tests/test_suite_folders.py",
    )  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-c", FORKED_SESSION], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    seen = dict(line.split("=", 1) for line in (tmp_path / "probe.out").read_text().splitlines())
    cache, cache_existed = seen["CODEWARD_CACHE_DIR"].rsplit("=", 1)
    pycache, pycache_existed = seen["PYTHONPYCACHEPREFIX"].rsplit("=", 1)
    # Both were made in the session's temporary folder, named for its process, and existed while it ran ...
    assert (cache_existed, pycache_existed) == ("True", "True")
    assert Path(cache).parent == tmp and Path(pycache).parent == tmp
    assert Path(cache).name.startswith("codeward-test-cache-")
    assert Path(pycache).name.startswith("codeward-test-pycache-")
    # ... and are gone, as are the folders of the dead process and the old one; the rest is kept.
    assert sorted(p.name for p in tmp.iterdir()) == sorted([running.name, recent.name, other.name])
