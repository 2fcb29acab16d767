"""SQL: DB-API cursors and connections, SQLAlchemy, Django, pandas, peewee; and the quoting helpers."""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, Sanitizer, Sink

_SQL = (0, "sql"), (0, "statement"), (0, "operation"), (0, "query")

SQL = Library(
    "sql",
    sinks=(
        Sink(".execute", "sql", _SQL),
        Sink(".executemany", "sql", ((0, "sql"), (0, "operation"))),
        Sink(".executescript", "sql", ((0, "sql_script"),)),
        Sink(".execute_sql", "sql", ((0, "sql"),)),
        Sink(".raw", "sql", ((0, "raw_query"),)),
        Sink(".extra", "sql", ((-2, "where"), (-2, "select"), (-2, "tables"))),
        Sink(".mogrify", "sql", ((0, "query"),)),
        Sink("sqlalchemy.text", "sql", ((0, "text"),)),
        # SQLAlchemy before 1.4 takes a string in these as raw SQL text (`query.filter("id = %s" % x)`); only
        # text built from a constant start counts, never a column expression (`User.name == x`).
        *(
            Sink(f".{m}", "sql", ((0, "criterion"),), when="sql-text")
            for m in ("filter", "order_by", "group_by", "having")
        ),
        Sink("sqlalchemy.sql.text", "sql", ((0, "text"),)),
        Sink("sqlalchemy.sql.expression.text", "sql", ((0, "text"),)),
        Sink("sqlalchemy.literal_column", "sql", ((0, "text"),)),
        Sink("django.db.models.expressions.RawSQL", "sql", ((0, "sql"),)),
        Sink("django.db.models.RawSQL", "sql", ((0, "sql"),)),
        Sink("pandas.read_sql", "sql", ((0, "sql"),)),
        Sink("pandas.read_sql_query", "sql", ((0, "sql"),)),
        Sink("psycopg2.sql.SQL", "sql", ((0, "string"),)),
        Sink("psycopg.sql.SQL", "sql", ((0, "string"),)),
    ),
    sanitizers=(
        Sanitizer("psycopg2.sql.Identifier", frozenset({"sql"})),
        Sanitizer("psycopg2.sql.Literal", frozenset({"sql"})),
        Sanitizer("psycopg.sql.Identifier", frozenset({"sql"})),
        Sanitizer("psycopg.sql.Literal", frozenset({"sql"})),
        Sanitizer("MySQLdb.escape_string", frozenset({"sql"})),
        Sanitizer("pymysql.converters.escape_string", frozenset({"sql"})),
        Sanitizer(".escape_string", frozenset({"sql"})),
        Sanitizer(".quote_name", frozenset({"sql"})),
        Sanitizer(".literal", frozenset({"sql"})),
    ),
)

LIBRARIES = (SQL,)
