"""Runs a per-file analysis over many files: cached by content, parallel across processes when it pays."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 12


def run_all(fn: Callable[[T], R], items: Sequence[T], jobs: int = 0) -> list[R]:
    """fn(item) for every item, in order; fn must be a module-level function (it is pickled)."""
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(items) < PARALLEL_THRESHOLD:
        return [fn(item) for item in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context: Any = multiprocessing.get_context(method)
    chunk = max(1, len(items) // (workers * 4))
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=context) as pool:
        return list(pool.map(fn, items, chunksize=chunk))
