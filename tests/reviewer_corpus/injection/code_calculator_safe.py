# codeward-corpus: safe CWR104
# ruff: noqa
import ast

from flask import Flask, request

app = Flask(__name__)


@app.route("/calc")
def calc():
    expression = request.args.get("q", "0")
    return {"result": ast.literal_eval(expression)}
