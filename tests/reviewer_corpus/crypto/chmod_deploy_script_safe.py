# codeward-corpus: safe CWR307
# ruff: noqa
import os


def install_hook(path, script):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(script)
    os.chmod(path, 0o750)
