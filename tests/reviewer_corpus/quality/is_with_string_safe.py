# codeward-corpus: safe CWR606
# ruff: noqa
def is_admin(user):
    return user.role == "admin"
