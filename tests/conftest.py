import atexit
import os
import shutil
import sys
import tempfile

# The shared pre-commit environment (`hook_repo`) for the tests that run the hooks for real.
pytest_plugins = ["tests.hook_repo"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# The results cache of every run the tests start goes to one throw-away folder, never the user's cache
# directory, whatever CI says (tests/test_hostile_cache.py checks the defaults themselves).
if "CODEWARD_CACHE_DIR" not in os.environ:
    os.environ["CODEWARD_CACHE_DIR"] = _CACHE = tempfile.mkdtemp(prefix="codeward-test-cache-")
    atexit.register(shutil.rmtree, _CACHE, True)

# Bytecode. With PYTHONDONTWRITEBYTECODE set and no __pycache__ in the checkout (a fresh clone), every
# interpreter the suite starts (the xdist workers, a few hundred codeward subprocesses, pre-commit's and the
# profiler's children) compiled codeward from source again. The checkout stays free of .pyc files, as the
# variable asks: this run's bytecode goes to one throw-away folder that every process below shares (the
# workers and subprocesses inherit the variable).
if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
    os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix = tempfile.mkdtemp(prefix="codeward-test-pycache-")
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    sys.dont_write_bytecode = False
    atexit.register(shutil.rmtree, sys.pycache_prefix, True)
