# codeward-corpus: safe CWR501
# ruff: noqa
from urllib.request import urlopen


def is_up(url):
    with urlopen(url, timeout=5) as response:
        return response.status == 200
