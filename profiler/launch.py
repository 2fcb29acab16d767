"""The environment that starts the agent in every Python process a profiled program runs.

`codeward profile -- CMD` gives it to CMD; `python -m codeward.profiler` to the children of the program it
runs in-process. Every process of one run is stamped with the same run id, so the launcher (and
`codeward profile report`) can tell the run's profiles from others in the same directory.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is not imported in the profiled program
if TYPE_CHECKING:
    from codeward.profiler.settings import Settings

RUN_ENV = "CODEWARD_PROFILE_RUN"


def new_run_id() -> str:
    return f"{os.getpid()}-{os.urandom(4).hex()}"


def child_env(settings: Settings, run_id: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    """`environ` (default: this process's) with what starts the agent, these settings and the run id."""
    import codeward

    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ if environ is None else environ)
    env.update(settings.to_env())
    env["CODEWARD_PROFILE"] = "1"
    env[RUN_ENV] = run_id
    env["CODEWARD_PACKAGE_DIR"] = os.path.dirname(os.path.abspath(codeward.__file__))
    bootstrap = os.path.join(here, "_bootstrap")
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != bootstrap]
    env["PYTHONPATH"] = os.pathsep.join([bootstrap, *paths])
    return env
