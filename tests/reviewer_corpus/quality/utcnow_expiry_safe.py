# codeward-corpus: safe CWR607
# ruff: noqa
from datetime import datetime, timedelta, timezone


def expiry():
    return datetime.now(timezone.utc) + timedelta(hours=1)
