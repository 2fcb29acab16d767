"""Loaded at start-up by every Python that `codeward profile` runs (this directory is on PYTHONPATH).

Imports codeward's profiler from the directory above without adding it to sys.path (so the program
still sees only its own modules), starts the agent, then runs the sitecustomize this one shadows.
"""

import os
import sys

try:  # the import system's own functions, loaded already: importlib.util would cost every process 3 ms more
    from _frozen_importlib import module_from_spec
    from _frozen_importlib_external import spec_from_file_location
except ImportError:  # not CPython
    from importlib.util import module_from_spec, spec_from_file_location


def _load(name: str, folder: str) -> None:
    """Import package `name` from `folder` without putting anything on sys.path."""
    spec = spec_from_file_location(name, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder])
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {name} from {folder}")
    module = module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


def _start() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    if "codeward.profiler" not in sys.modules:
        package = os.path.dirname(here)
        # Installed, the profiler is codeward/profiler; in a development checkout the launcher names the
        # codeward package's folder, since the repository keeps profiler/ beside it.
        if "codeward" not in sys.modules:
            parent = os.environ.get("CODEWARD_PACKAGE_DIR") or os.path.dirname(package)
            if os.path.isfile(os.path.join(parent, "__init__.py")):
                _load("codeward", parent)
            else:  # a development checkout reached without the launcher: the interpreter's own codeward
                import codeward
        _load("codeward.profiler", package)
    import codeward.profiler.autostart  # noqa: F401  (starts the agent when CODEWARD_PROFILE is set)

    # Run the sitecustomize we shadow, if there is one further along the path.
    ours = sys.modules.pop("sitecustomize")
    saved = sys.path[:]
    try:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
        __import__("sitecustomize")
    except ImportError:
        pass
    finally:
        sys.path[:] = saved
        sys.modules["sitecustomize"] = ours  # the import system expects this module under its name


try:
    _start()
except Exception as exc:  # never stop the program
    sys.stderr.write(f"codeward profiler: not started: {type(exc).__name__}: {exc}\n")
