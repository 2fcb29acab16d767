# codeward-corpus: vulnerable CWR116
# ruff: noqa
import logging

from flask import Flask, request

app = Flask(__name__)
logger = logging.getLogger("auth")


@app.route("/login", methods=["POST"])
def login():
    username = request.form["username"]
    logger.warning("failed login for user %s", username)
    return {"ok": False}, 401
