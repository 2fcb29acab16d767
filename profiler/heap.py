"""Census of live objects by type, at a bounded cost.

The garbage collector knows most container objects; strings, bytes, numbers and dicts or tuples holding
only those are not tracked, so the census also counts the untracked objects the containers point to
(each once, and the atoms inside untracked dicts and tuples). Past MAX_EXAMINED
containers it looks at an even stride of them and scales the counts up, so one census costs about the
same however big the heap is. The agent spaces censuses out so their total time stays within
`heap-budget-percent` of wall time.
"""

from __future__ import annotations

import gc
import sys
import time

TYPE_CHECKING = False  # typing is not imported in the profiled program
if TYPE_CHECKING:
    from typing import Any

MAX_EXAMINED = 30_000  # about 70 ms a census, whatever the heap: the census holds the GIL throughout
MAX_CHILDREN = 2_000
TOP_TYPES = 25


def type_name(cls: type) -> str:
    module = getattr(cls, "__module__", "builtins")
    name = getattr(cls, "__qualname__", cls.__name__)
    return name if module in ("builtins", None) else f"{module}.{name}"


def _size(obj: Any, cls: type) -> int:
    try:
        return sys.getsizeof(obj)
    except Exception:  # a broken __sizeof__ in the program must not break the census
        return cls.__basicsize__


def census(top: int = TOP_TYPES, max_examined: int = MAX_EXAMINED, deadline: float | None = None) -> dict[str, Any]:
    """{"objects": estimated live objects, "bytes": their shallow size, "types": {name: [count, bytes]}}.

    Looks at `max_examined` containers at most (an even stride, scaled up); with a `deadline`
    (time.perf_counter()), it stops there and scales up what it has seen, saying so ("stopped_early")."""
    began = time.perf_counter()
    containers = gc.get_objects()
    total_containers = len(containers)
    stride = max(1, -(-total_containers // max(1, max_examined)))
    sample = containers[::stride]
    del containers  # dropping the list's references to the whole heap takes about as long as listing it
    listed = time.perf_counter() - began
    counts: dict[type, list[int]] = {}
    seen: set[int] = set()
    is_tracked, referents = gc.is_tracked, gc.get_referents
    examined = 0
    stopped_early = False
    # In interleaved passes (every 8th of the sample, then the next 8th, ...): a census stopped at its deadline
    # has still seen an even spread of the heap, old objects and new, not only the oldest. Within a pass it goes
    # from the oldest objects to the newest, so a census stopped partway through one scales up what the passes it
    # finished saw (each an even eighth of the sample): that pass's part would overweight the old objects (it
    # counted 39,559 of 50,000 new ones at load 20).
    passes = 8 if deadline is not None else 1
    finished: tuple[dict[type, list[int]], int] | None = None  # the counts at the end of the last finished pass
    for start in range(passes):
        for obj in sample[start::passes]:
            examined += 1
            if deadline is not None and not examined & 255 and time.perf_counter() > deadline:
                stopped_early = True
                break
            cls = type(obj)
            entry = counts.get(cls)
            if entry is None:
                entry = counts[cls] = [0, 0]
            entry[0] += 1
            entry[1] += _size(obj, cls)
            # C-level traversal (never runs the program's code); dicts with str keys do not report their keys.
            children = referents(obj) + list(obj) if cls is dict else referents(obj)
            weight = 1
            if len(children) > MAX_CHILDREN:  # a huge list of strings: look at an even stride, scale up
                weight = len(children) // MAX_CHILDREN
                children = children[::weight]
            pending = [(child, weight) for child in children]
            while pending:
                child, w = pending.pop()
                if is_tracked(child) or id(child) in seen:
                    continue
                seen.add(id(child))
                ccls = type(child)
                if (ccls is int and -5 <= child <= 256) or child is None or ccls is bool:  # shared singletons
                    continue
                centry = counts.get(ccls)
                if centry is None:
                    centry = counts[ccls] = [0, 0]
                centry[0] += w
                centry[1] += _size(child, ccls) * w
                if ccls is dict or ccls is tuple:  # untracked because they hold only atoms: count those too
                    pending += [(atom, w) for atom in (referents(child) + list(child) if ccls is dict else child)]
        if stopped_early:
            break
        if passes > 1:
            finished = {cls: entry[:] for cls, entry in counts.items()}, examined
    counted = examined
    if stopped_early and finished is not None:
        counts, counted = finished
    sampled = len(sample)
    scale = stride * (sampled / counted if stopped_early and counted else 1)
    del sample, seen
    scaled = {type_name(cls): [round(c * scale), round(b * scale)] for cls, (c, b) in counts.items()}
    ranked = sorted(scaled.items(), key=lambda kv: -kv[1][1])
    result = {
        "objects": sum(c for c, _ in scaled.values()),
        "bytes": sum(b for _, b in scaled.values()),
        "stride": stride,
        "examined": examined,
        "list_seconds": round(listed, 4),  # listing the heap's objects, before the census could look at its clock
        "types": dict(ranked[:top]),
    }
    if stopped_early:
        result["stopped_early"] = True
        result["passes"] = 0 if finished is None else round(passes * counted / max(1, sampled))
    return result
