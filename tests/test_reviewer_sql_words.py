"""CWR120's pre-filter for a query helper's arguments (`_statement_words_in_reach`): the analysis is asked only
when the literals in reach hold an SQL verb and the word its whole statement needs after it, so that functions
with SQL-like text do not analyse every argument of every call they make; findings stay."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from codeward.reviewer.dataflow import module as dataflow_module
from codeward.reviewer.review import review_file
from codeward.reviewer.rules.injection import _sql_words


@pytest.mark.parametrize(
    ("source", "verbs", "words"),
    [
        ("q = 'SELECT a FROM t'", {"select"}, {"from"}),
        ("q = 'SELECT a ' + 'from t'", {"select"}, {"from"}),  # lower case, another literal
        ("q = f'  insert into {t} values'", {"insert"}, {"into"}),  # an f-string's text
        ("q = 'SELECT 1'\nlog('taken from cache')", {"select"}, {"from"}),  # words anywhere in the literals
        ("q = 'UPDATE t\\nSET a = 1'", {"update"}, {"set"}),  # an escape before the word
        ("q = 'a SELECT b FROM c'", set(), {"from"}),  # a verb counts at a literal's start only
        ("q = 'CREATE TABLE t'\nr = 'drop index i'", {"create", "drop"}, {"table", "index"}),
        ("select = fromage(into)", set(), set()),  # names are not literals
    ],
)
def test_sql_words(source: str, verbs: set[str], words: set[str]) -> None:
    assert _sql_words([cst.parse_module(source)]) == (verbs, words)


@pytest.mark.parametrize(
    ("text", "found", "analysed"),
    [
        # The verb and the word its statement needs in two literals: asked, and reported.
        (
            "def relabel(db, uid):\n    sql = 'SELECT name ' + \"FROM users WHERE id = '%s'\" % uid\n    db.add(sql)\n",
            [(3, "CWR120")],
            True,
        ),
        # SQL-like text without the word a statement needs: no argument can read as a whole statement.
        ("def relabel(db, uid):\n    sql = 'SELECT ' + uid\n    db.add(sql)\n    db.flag(uid)\n", [], False),
    ],
)
def test_helper_arguments_asked_only_with_statement_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, found: list[tuple[int, str]], analysed: bool
) -> None:
    runs: list[object] = []
    original = dataflow_module.ModuleInfo.analysis

    def counted(self: dataflow_module.ModuleInfo, node: object) -> object:
        runs.append(node)
        return original(self, node)

    monkeypatch.setattr(dataflow_module.ModuleInfo, "analysis", counted)
    path = tmp_path / "store.py"
    path.write_text(text)
    findings = review_file(str(path)).findings
    assert [(f.line, f.code) for f in findings if f.code == "CWR120"] == found
    assert bool(runs) is analysed
