"""Which files a run looks at: directories walked in a stable order, excluded paths dropped."""

from __future__ import annotations

import os
from collections.abc import Sequence

from codeward.config import Config


def walk_paths(paths: Sequence[str], config: Config, suffixes: tuple[str, ...] | None) -> list[tuple[str, bool]]:
    """(path, explicit) for the files below the given directories whose names end with one of `suffixes`
    (case-insensitive; None: every file) and for the files named themselves (explicit=True), each once.
    Configured excludes apply to both, as ruff's --force-exclude does, so pre-commit's file lists obey them."""
    lowered = tuple(s.lower() for s in suffixes) if suffixes is not None else None
    out: list[tuple[str, bool]] = []
    seen: set[str] = set()
    from codeward.safepaths import read_refusal

    for given in paths:
        # A named folder that is a link out of the checkout is not walked: reading it reports the link.
        if os.path.isdir(given) and read_refusal(given) is None:
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not config.is_excluded(os.path.join(root, d)))
                for name in sorted(files):
                    path = os.path.join(root, name)
                    wanted = lowered is None or name.lower().endswith(lowered)
                    if wanted and path not in seen and not config.is_excluded(path):
                        seen.add(path)
                        out.append((path, False))
        elif given not in seen and not (os.path.exists(given) and config.is_excluded(given)):
            seen.add(given)
            out.append((given, True))
    return out
