"""Shortcuts the review takes for speed decide exactly as the slow path they skip.

CWR120 reads a project's query helper from the printed text of the callee (`db.run_query(...)`); printing
every call of a file was a large part of the rule's time, so a plain name or attribute is decided from its
name alone. These cases pin the forms where the printed text differs from the name (parentheses, blanks,
comments, line continuations, text shortened past 80 characters): each was checked against the review
before the shortcut existed.
"""

from __future__ import annotations

import pytest
from codeward.reviewer.review import review_text

# The statement is a module constant: a callee named like a query helper reads SQL text anywhere in reach, any
# other callee only text written in its own function (none here), so the name alone decides.
_HEAD = "DELETE = 'DELETE FROM sessions WHERE uid = %s'\n"
_DELETE = "(DELETE % user)\n"

CASES = {
    "attribute": ("def purge(db, user):\n    db.run_query" + _DELETE, "db.run_query()"),
    "parenthesized": ("def purge(db, user):\n    (db.run_query)" + _DELETE, "(db.run_query)()"),
    "blanks around the dot": ("def purge(db, user):\n    db . run_query" + _DELETE, "db . run_query()"),
    "comment after the dot": (
        "def purge(db, user):\n    (db.  # the helper\n        run_query)" + _DELETE,
        "(db. # the helper run_query)()",
    ),
    # The printed callee is what follows the last dot, here inside the comment: it names a query helper.
    "comment naming a query": (
        "def purge(db, user):\n    (db.  # query\n        run)" + _DELETE,
        "(db. # query run)()",
    ),
    # ... and here after the name, before the closing parenthesis.
    "comment before the parenthesis": (
        "def purge(db, user):\n    (db.run  # query\n    )" + _DELETE,
        "(db.run # query )()",
    ),
    "line continuation": ("def purge(db, user):\n    db.\\\n        run_query" + _DELETE, "db.\\ run_query()"),
    "bare name": ("def purge(user):\n    run_sql" + _DELETE, "run_sql()"),
    "not a helper": ("def purge(db, user):\n    db.run" + _DELETE, None),
    # Printed text over 80 characters is shortened to end in "...": nothing follows its last dot.
    "shortened": ("def purge(db, user):\n    db." + "a" * 90 + ".run_query" + _DELETE, None),
}


@pytest.mark.parametrize("name", CASES)
def test_query_helper_callee_is_read_as_printed(name: str) -> None:
    source, callee = CASES[name]
    found = [
        (f.code, f.span.line, f.span.column, f.message) for f in review_text("x.py", _HEAD + source, "CWR120".__eq__)
    ]
    expected = []
    if callee is not None:
        message = f"{callee} runs SQL built by formatting `user` into the text (CWE-89)"
        expected = [("CWR120", 3, 5, message)]
    assert found == expected


def test_review_workers_collect_garbage_less_often() -> None:
    """A review worker raises the collector's first threshold to GC_THRESHOLD (never lowers it), keeping the
    other two: at Python's default of 700, full collections were a fifth of Django's review time."""
    import gc

    from codeward.reviewer import review

    saved = gc.get_threshold()
    try:
        gc.set_threshold(700, 11, 12)
        review.collect_less_often()
        assert gc.get_threshold() == (10_000, 11, 12)
        gc.set_threshold(50_000, 11, 12)
        review.collect_less_often()
        assert gc.get_threshold() == (50_000, 11, 12)
    finally:
        gc.set_threshold(*saved)
