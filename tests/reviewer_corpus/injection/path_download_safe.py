# codeward-corpus: safe CWR107
# ruff: noqa
import os

from flask import Flask, request, send_from_directory

app = Flask(__name__)
REPORTS = "/srv/reports"


@app.route("/download")
def download():
    filename = request.args["file"]
    return send_from_directory(REPORTS, filename)
