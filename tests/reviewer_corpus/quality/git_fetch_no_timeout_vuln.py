# codeward-corpus: vulnerable CWR609
# ruff: noqa
import subprocess


def update(repo):
    subprocess.run(["git", "-C", repo, "fetch", "--prune"], check=True)
