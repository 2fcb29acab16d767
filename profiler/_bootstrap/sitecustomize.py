"""Loaded at start-up by every Python that `codeward profile` runs (this directory is on PYTHONPATH).

Imports codeward's profiler from the directory above without adding it to sys.path (so the program
still sees only its own modules), starts the agent, then runs the sitecustomize this one shadows.
"""

import importlib.util
import os
import sys


def _start() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    if "profiler" not in sys.modules:
        package = os.path.dirname(here)
        spec = importlib.util.spec_from_file_location("profiler", os.path.join(package, "__init__.py"))
        if spec is None or spec.loader is None:
            return
        module = importlib.util.module_from_spec(spec)
        sys.modules["profiler"] = module
        spec.loader.exec_module(module)
    import profiler.autostart  # noqa: F401  (starts the agent when CODEWARD_PROFILE is set)

    # Run the sitecustomize we shadow, if there is one further along the path.
    ours = sys.modules.pop("sitecustomize")
    saved = sys.path[:]
    try:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
        importlib.import_module("sitecustomize")
    except ImportError:
        pass
    finally:
        sys.path[:] = saved
        sys.modules["sitecustomize"] = ours  # the import system expects this module under its name


try:
    _start()
except Exception as exc:  # never stop the program
    sys.stderr.write(f"codeward profiler: not started: {type(exc).__name__}: {exc}\n")
