# codeward-corpus: safe CWR303
# ruff: noqa
import hashlib
import os


def store_user(db, username, password):
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, 600_000).hex()
    db.execute("INSERT INTO users (name, pw, salt) VALUES (?, ?, ?)", (username, digest, salt.hex()))
