# codeward-corpus: vulnerable CWR306
# ruff: noqa
import tempfile


def render_report(rows):
    path = tempfile.mktemp(suffix=".csv")
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(",".join(map(str, row)) + "\n" for row in rows)
    return path
