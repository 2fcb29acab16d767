# codeward-corpus: safe CWR119
# ruff: noqa
import re

from flask import Flask, request

app = Flask(__name__)
TITLES = ["Annual report", "Quarterly report", "Roadmap"]


@app.route("/search")
def search():
    pattern = re.compile(re.escape(request.args["q"]), re.IGNORECASE)
    return {"hits": [t for t in TITLES if pattern.search(t)]}
