import atexit
import os
import re
import shutil
import sys
import tempfile
import time

# The shared pre-commit environment (`hook_repo`) for the tests that run the hooks for real.
pytest_plugins = ["tests.hook_repo"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# Throw-away folders of a test session, made by the process that runs it (the pytest controller, never an
# xdist worker: the workers inherit the variables):
# - the results cache of every run the tests start, never the user's cache directory, whatever CI says
#   (tests/test_hostile_cache.py checks the defaults themselves);
# - bytecode. With PYTHONDONTWRITEBYTECODE set and no __pycache__ in the checkout (a fresh clone), every
#   interpreter the suite starts (the xdist workers, a few hundred codeward subprocesses, pre-commit's and the
#   profiler's children) compiled codeward from source again. The checkout stays free of .pyc files, as the
#   variable asks: this session's bytecode goes to one folder that every process below shares.
# They are removed when the session ends (pytest_unconfigure), not only at interpreter exit: mutmut runs
# each session in a forked process that leaves with os._exit, where atexit handlers never run. A session
# stopped by a signal (a budget's SIGTERM, a timeout's SIGKILL) runs neither; its folders carry the owner's
# process id, and the next session removes those whose owner is gone.
THROWAWAY = re.compile(r"codeward-test-(?:cache|pycache)-(?:(\d+)-)?[\w-]+")
_made: list[tuple[int, str]] = []  # (owner pid, folder)
_restore: dict[str, str | None] = {}


def _mkdtemp(kind: str) -> str:
    path = tempfile.mkdtemp(prefix=f"codeward-test-{kind}-{os.getpid()}-")
    _made.append((os.getpid(), path))
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep(folder: str | None = None, stale_after: float = 2 * 3600) -> list[str]:
    """Remove the throw-away folders of sessions whose process is gone: named with a pid that is not running,
    or (folders of the earlier naming, without a pid) untouched for `stale_after` seconds."""
    removed = []
    with os.scandir(folder or tempfile.gettempdir()) as entries:
        for entry in entries:
            match = THROWAWAY.fullmatch(entry.name)
            if not match or not entry.is_dir(follow_symlinks=False):
                continue
            pid = match[1]
            if pid is not None and (int(pid) == os.getpid() or _alive(int(pid))):
                continue
            if pid is None and time.time() - entry.stat(follow_symlinks=False).st_mtime < stale_after:
                continue
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def _remove_own() -> None:
    """The folders this process made; a fork that inherited the list leaves them to their owner."""
    for owner, path in [item for item in _made if item[0] == os.getpid()]:
        shutil.rmtree(path, ignore_errors=True)
        _made.remove((owner, path))


atexit.register(_remove_own)


def pytest_configure(config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller made them
        return
    sweep()
    if "CODEWARD_CACHE_DIR" not in os.environ:
        _restore["CODEWARD_CACHE_DIR"] = None
        os.environ["CODEWARD_CACHE_DIR"] = _mkdtemp("cache")
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
        _restore["PYTHONDONTWRITEBYTECODE"] = os.environ.pop("PYTHONDONTWRITEBYTECODE")
        _restore["PYTHONPYCACHEPREFIX"] = None
        os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix = _mkdtemp("pycache")
        sys.dont_write_bytecode = False


def pytest_unconfigure(config) -> None:
    if hasattr(config, "workerinput"):
        return
    _remove_own()
    # A second session in this process (pytest.main called again) makes its own.
    for name, value in _restore.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if "PYTHONPYCACHEPREFIX" in _restore:
        sys.pycache_prefix = None
        sys.dont_write_bytecode = True
    _restore.clear()
