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


JOINED_FIRST = """\
from .db import quote_identifier


def lookup(db, table, cols, values):
    where = " and ".join(f"{quote_identifier(c)} = ?" for c in cols)
    return db.execute(f"select rowid from {quote_identifier(table)} where {where}", values)


def lookup_raw(db, table, cols, values):
    where = " and ".join(f"{c} = ?" for c in cols)
    return db.execute(f"select rowid from {quote_identifier(table)} where {where}", values)
"""


def test_pieces_quoted_in_a_variable_before_the_query(tmp_path: Path) -> None:
    # The where clause is joined from quoted names first (sqlite-utils' upsert); unquoted names stay reported.
    assert _found(tmp_path, JOINED_FIRST) == [(11, "CWR120")]


FUNCTION_NAME = """\
def register(db, fn):
    sql = f"select {fn.__name__}(1)"
    return db.execute(sql)


def register_label(db, fn):
    sql = f"select {fn.label}(1)"
    return db.execute(sql)
"""


def test_a_python_name_holds_no_sql(tmp_path: Path) -> None:
    # `fn.__name__` is an identifier (sqlite-utils registers functions by it); another attribute is any text.
    assert _found(tmp_path, FUNCTION_NAME) == [(8, "CWR120")]
