# codeward-corpus: safe CWR301
# ruff: noqa
import requests


def fetch_rates():
    response = requests.get(
        "https://rates.internal.example.com/v1/latest", verify="/etc/ssl/internal-ca.pem", timeout=10
    )
    response.raise_for_status()
    return response.json()
