# codeward-corpus: vulnerable CWR104
# ruff: noqa
from flask import Flask, request

app = Flask(__name__)


@app.route("/calc")
def calc():
    expression = request.args.get("q", "0")
    return {"result": eval(expression)}
