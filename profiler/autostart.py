"""Start the process-wide agent when CODEWARD_PROFILE is set (imported at interpreter start-up).

Reached through `codeward profile -- CMD` (which puts profiler/_bootstrap on PYTHONPATH) or through the
.pth line `python -m codeward.profiler --install-autostart` writes into site-packages. Bad settings print a
message and leave the program unprofiled: starting a profiler must never stop a program.
"""

from __future__ import annotations

import os
import sys

ENV = "CODEWARD_PROFILE"


def enabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    return environ.get(ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def maybe_start() -> None:
    if not enabled():
        return
    try:
        import codeward.profiler as profiler

        profiler.start()
    except Exception as exc:  # bad settings or an unwritable place: say so, run the program anyway
        sys.stderr.write(f"codeward profiler: not started: {exc}\n")


maybe_start()
