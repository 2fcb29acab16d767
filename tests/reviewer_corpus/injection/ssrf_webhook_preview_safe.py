# codeward-corpus: safe CWR109
# ruff: noqa
import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/preview")
def preview():
    slug = request.args["slug"]
    page = requests.get(f"https://docs.example.com/pages/{slug}", timeout=5)
    return {"status": page.status_code, "length": len(page.content)}
