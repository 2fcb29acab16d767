# codeward-corpus: safe CWR201
# ruff: noqa
import os

import requests

GITHUB_TOKEN = os.environ["GITHUB_TOKEN"]


def open_issue(repo, title):
    headers = {"Authorization": f"Bearer {GITHUB_TOKEN}"}
    return requests.post(
        f"https://api.github.com/repos/{repo}/issues", json={"title": title}, headers=headers, timeout=10
    )
