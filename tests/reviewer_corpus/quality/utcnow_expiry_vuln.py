# codeward-corpus: vulnerable CWR607
# ruff: noqa
from datetime import datetime, timedelta


def expiry():
    return datetime.utcnow() + timedelta(hours=1)
