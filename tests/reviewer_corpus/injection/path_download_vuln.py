# codeward-corpus: vulnerable CWR107
# ruff: noqa
import os

from flask import Flask, request, send_file

app = Flask(__name__)
REPORTS = "/srv/reports"


@app.route("/download")
def download():
    filename = request.args["file"]
    return send_file(os.path.join(REPORTS, filename))
