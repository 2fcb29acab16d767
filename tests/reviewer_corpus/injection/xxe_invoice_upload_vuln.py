# codeward-corpus: vulnerable CWR112
# ruff: noqa
from flask import Flask, request
from lxml import etree

app = Flask(__name__)


@app.route("/invoices", methods=["POST"])
def upload_invoice():
    document = etree.fromstring(request.data)
    return {"number": document.findtext("number")}
