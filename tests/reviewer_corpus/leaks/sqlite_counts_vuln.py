# codeward-corpus: vulnerable CWR501
# ruff: noqa
import sqlite3


def count_orders(path):
    conn = sqlite3.connect(path)
    total = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    return total
