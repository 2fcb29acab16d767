# codeward-corpus: safe CWR102
# ruff: noqa
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/thumbnail", methods=["POST"])
def thumbnail():
    name = request.form["image"]
    subprocess.run(
        ["convert", f"/srv/images/{name}", "-resize", "128x128", f"/srv/thumbs/{name}"], check=True, timeout=60
    )
    return {"ok": True}
