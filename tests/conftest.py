import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# The results cache of every run the tests start goes to one throw-away folder, never the user's cache
# directory, whatever CI says (tests/test_hostile_cache.py checks the defaults themselves).
if "CODEWARD_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["CODEWARD_CACHE_DIR"] = _CACHE = tempfile.mkdtemp(prefix="codeward-test-cache-")
    atexit.register(shutil.rmtree, _CACHE, True)
