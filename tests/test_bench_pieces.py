"""bench.reviewer.pieces: which rules force which pieces of a file (the measurement behind README's speed notes)."""

from __future__ import annotations

import ast

from bench.reviewer.pieces import measure, pieces

SOURCE = (
    "import os\n\n\n"
    "def walk(items):\n    for x in items:\n        items.remove(x)\n\n\n"
    "class K:\n    LIMIT = 3\n\n    def plain(self, a):\n        return a + 1\n"
)
WALK = "def walk(items):\n    for x in items:\n        items.remove(x)\n"
PLAIN = "    def plain(self, a):\n        return a + 1\n"


def test_pieces_are_top_level_definitions_or_methods_after_the_text_always_parsed() -> None:
    tree = ast.parse(SOURCE)
    assert pieces(SOURCE, tree, "top") == ("import os\n", ["\0" + WALK, "\0" + SOURCE[SOURCE.index("class") :]])
    assert pieces(SOURCE, tree, "member") == ("import os\n", ["\0" + WALK, "    LIMIT = 3\n\0" + PLAIN])


def test_a_rule_forces_only_the_pieces_its_pre_filter_matches(tmp_path) -> None:
    (tmp_path / "m.py").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "empty.py").write_text("x = 1\n", encoding="utf-8")  # no rule active: not counted
    tally = measure([str(tmp_path)], ["CWR605"])
    assert (tally.files, tally.bytes) == (1, len(SOURCE))
    # Modifying a list while iterating over it (CWR605) needs `walk` parsed; nothing needs `plain`.
    assert tally.forced["member", "CWR605"] == tally.sole["member", "CWR605"] == len(WALK)
    assert tally.free["member", True] == tally.free["member", False] == len(PLAIN)
    assert tally.without["member", 1] == len(WALK) + len(PLAIN)
    assert tally.always["member"] == len(SOURCE) - len(WALK) - len(PLAIN)
