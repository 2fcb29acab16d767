# codeward-corpus: safe CWR501
# ruff: noqa
import sqlite3


def count_orders(path):
    conn = sqlite3.connect(path)
    try:
        total = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    finally:
        conn.close()
    return total
