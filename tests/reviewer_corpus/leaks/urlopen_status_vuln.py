# codeward-corpus: vulnerable CWR501
# ruff: noqa
from urllib.request import urlopen


def is_up(url):
    response = urlopen(url, timeout=5)
    return response.status == 200
