# codeward-corpus: vulnerable CWR101
# ruff: noqa
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


def get_db():
    return sqlite3.connect("shop.db")


@app.route("/products")
def products():
    category = request.args.get("category", "all")
    with get_db() as conn:
        rows = conn.execute(f"SELECT id, name, price FROM products WHERE category = '{category}'").fetchall()
    return jsonify([{"id": r[0], "name": r[1], "price": r[2]} for r in rows])
