"""`--shard K/N`: split one run's files over N CI jobs. A file belongs to shard 1 + (hash of its
repository-relative path mod N): stable across runs, machines and Python versions (sha256, not `hash()`),
independent of which other files exist, so every file lands in exactly one shard."""

from __future__ import annotations

import hashlib
import re


def parse(text: str) -> tuple[int, int]:
    """ "2/4" -> (2, 4); raises ValueError with a message for the user."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ValueError(f"--shard expects K/N, like 1/4 (got {text!r})")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"--shard {text}: K must be between 1 and N (N at least 1)")
    return index, count


def shard_of(path: str, count: int) -> int:
    """The shard (1..count) that `path` belongs to; `path` as findings report it (forward slashes)."""
    key = path.replace("\\", "/").encode("utf-8", "surrogateescape")
    return 1 + int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % count


def argument(text: str) -> tuple[int, int]:
    import argparse

    try:
        return parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
