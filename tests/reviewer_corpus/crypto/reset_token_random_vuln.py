# codeward-corpus: vulnerable CWR305
# ruff: noqa
import random
import string


def create_reset_token(user):
    token = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(32))
    user.reset_token = token
    return token
