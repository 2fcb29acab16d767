"""Which files a run looks at: directories walked in a stable order, excluded paths dropped."""

from __future__ import annotations

import os
from collections.abc import Sequence

from codeward.config import Config


def display_path(path: str) -> str:
    """The name a finding reports a file by: relative to the working directory (the repository root in
    CI) when the file is below it, without `./`, so annotations and code-scanning alerts attach to it."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        return path if relative.startswith("..") else relative
    return os.path.normpath(path) if path else path


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
                    path = display_path(os.path.join(root, name))
                    wanted = lowered is None or name.lower().endswith(lowered)
                    if wanted and path not in seen and not config.is_excluded(path):
                        seen.add(path)
                        out.append((path, False))
        elif display_path(given) not in seen and not (os.path.exists(given) and config.is_excluded(given)):
            seen.add(display_path(given))
            out.append((display_path(given), True))
    if config.shard is not None:
        from codeward.shard import shard_of

        index, count = config.shard
        out = [(path, explicit) for path, explicit in out if shard_of(path, count) == index]
    return out
