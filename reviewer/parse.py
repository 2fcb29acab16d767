"""Parsing with libcst, without re-validating what the parser itself built.

libcst validates every node in `__post_init__` (whitespace patterns, parentheses, ...). That is needed for
trees built by hand, but the native parser only builds valid trees, and on real code the checks are about a
sixth of the parse (Django's source: 1.2 of 7 CPU seconds). The parse turns them off for its own duration;
`tests/test_reviewer_engine.py` checks that the trees print back to the same source.
"""

from __future__ import annotations

from typing import Any


def parse_module(text: str) -> Any:
    import libcst
    from libcst._nodes.base import CSTNode

    original = CSTNode.__dict__.get("__post_init__")
    if original is None:  # another libcst: parse the ordinary way
        return libcst.parse_module(text)
    CSTNode.__post_init__ = _skip  # type: ignore[method-assign]
    try:
        return libcst.parse_module(text)
    finally:
        CSTNode.__post_init__ = original  # type: ignore[method-assign]


def _skip(self: object) -> None:
    return None
