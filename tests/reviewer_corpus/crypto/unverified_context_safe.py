# codeward-corpus: safe CWR302
# ruff: noqa
import ssl
import urllib.request


def download(url):
    context = ssl.create_default_context(cafile="/etc/ssl/internal-ca.pem")
    with urllib.request.urlopen(url, context=context, timeout=30) as response:
        return response.read()
