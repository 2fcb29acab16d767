# codeward-corpus: safe CWR112
# ruff: noqa
from defusedxml.lxml import fromstring
from flask import Flask, request

app = Flask(__name__)


@app.route("/invoices", methods=["POST"])
def upload_invoice():
    document = fromstring(request.data)
    return {"number": document.findtext("number")}
