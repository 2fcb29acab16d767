# codeward-corpus: vulnerable CWR102
# ruff: noqa
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/thumbnail", methods=["POST"])
def thumbnail():
    name = request.form["image"]
    subprocess.run(f"convert /srv/images/{name} -resize 128x128 /srv/thumbs/{name}", shell=True, timeout=60)
    return {"ok": True}
