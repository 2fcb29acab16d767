# codeward-corpus: vulnerable CWR303
# ruff: noqa
import hashlib


def store_user(db, username, password):
    digest = hashlib.sha256(password.encode("utf-8")).hexdigest()
    db.execute("INSERT INTO users (name, pw) VALUES (?, ?)", (username, digest))
