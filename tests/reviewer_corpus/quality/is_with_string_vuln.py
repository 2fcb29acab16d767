# codeward-corpus: vulnerable CWR606
# ruff: noqa
def is_admin(user):
    return user.role is "admin"
