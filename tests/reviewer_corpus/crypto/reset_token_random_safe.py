# codeward-corpus: safe CWR305
# ruff: noqa
import secrets


def create_reset_token(user):
    token = secrets.token_urlsafe(32)
    user.reset_token = token
    return token
