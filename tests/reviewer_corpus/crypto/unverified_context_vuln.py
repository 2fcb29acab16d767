# codeward-corpus: vulnerable CWR302
# ruff: noqa
import ssl
import urllib.request


def download(url):
    context = ssl._create_unverified_context()
    with urllib.request.urlopen(url, context=context, timeout=30) as response:
        return response.read()
