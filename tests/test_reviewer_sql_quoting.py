"""A value that went through the project's SQL quoting helper on its way to the query (`quoted =
escape_sqlite(table)`, then `f"... {quoted}"`) is not CWR120's "built from a variable": the analysis marks it
(`sql_quoting_name`), and only CWR120 reads the mark; CWR101 still reports untrusted data through such a name."""

from __future__ import annotations

from pathlib import Path

import pytest
from codeward.reviewer.dataflow.analysis import sql_quoting_name
from codeward.reviewer.review import review_file


@pytest.mark.parametrize(
    ("ref", "last", "quoting"),
    [
        ("@datasette.utils.escape_sqlite", "escape_sqlite", True),
        (None, "quote_identifier", True),
        (None, "_identifier", True),  # awswrangler's identifier(name, sql_mode=...)
        (None, "escapeIdentifier", True),
        (None, "quote_name", True),
        (None, "quote", False),  # bare: urllib's or a project's for anything
        (None, "escape", False),  # bare: HTML's
        (None, "unquote", False),
        (None, "ident", False),
        (None, "shell_quote", False),  # quoting of another trade
        (None, "url_escape", False),
        ("urllib.parse.quote_plus", "quote_plus", False),
        ("re.escape", "escape", False),
        ("markupsafe.escape_silent", "escape_silent", False),
        (None, None, False),
    ],
)
def test_sql_quoting_name(ref: str | None, last: str | None, quoting: bool) -> None:
    assert sql_quoting_name(ref, last) is quoting


def _found(tmp_path: Path, text: str) -> list[tuple[int, str]]:
    path = tmp_path / "views.py"
    path.write_text(text)
    return [(f.line, f.code) for f in review_file(str(path)).findings if f.code in ("CWR101", "CWR120")]


QUOTED_BEFORE = """\
from .utils import escape_sqlite


def count(db, table):
    quoted = escape_sqlite(table)
    sql = "select count(*) from {}".format(quoted)
    return db.execute(sql)


def rows(db, table, where):
    sql = f"select * from {escape_sqlite(table)} where {where}"
    return db.execute(sql)


def plain(db, table):
    sql = f"select count(*) from {table}"
    return db.execute(sql)
"""


def test_quoted_into_a_variable_first(tmp_path: Path) -> None:
    # `count`: quoted before it is formatted; `rows`: the table is quoted, the where clause is not; `plain`: not.
    assert _found(tmp_path, QUOTED_BEFORE) == [(12, "CWR120"), (17, "CWR120")]


UNTRUSTED = """\
from flask import request

from .utils import escape_sqlite


def table_rows(db):
    name = escape_sqlite(request.args["table"])
    return db.execute(f"select * from {name}")
"""


def test_the_name_does_not_clear_untrusted_data(tmp_path: Path) -> None:
    assert _found(tmp_path, UNTRUSTED) == [(8, "CWR101")]
