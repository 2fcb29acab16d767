# codeward-corpus: safe CWR306
# ruff: noqa
import os
import tempfile


def render_report(rows):
    fd, path = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(",".join(map(str, row)) + "\n" for row in rows)
    return path
