# codeward-corpus: safe CWR308
# ruff: noqa
import jwt


def current_user(token, public_key):
    claims = jwt.decode(token, public_key, algorithms=["RS256"], audience="orders-api")
    return claims["sub"]
