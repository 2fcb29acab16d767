# codeward-corpus: vulnerable CWR201
# ruff: noqa
import requests

GITHUB_TOKEN = "ghp_R2x9LmQ4vT7bN1kP8sZ3wY6dF0hJ5gC2aE4u"


def open_issue(repo, title):
    headers = {"Authorization": f"Bearer {GITHUB_TOKEN}"}
    return requests.post(
        f"https://api.github.com/repos/{repo}/issues", json={"title": title}, headers=headers, timeout=10
    )
