# codeward-corpus: vulnerable CWR301
# ruff: noqa
import requests


def fetch_rates():
    response = requests.get("https://rates.internal.example.com/v1/latest", verify=False, timeout=10)
    response.raise_for_status()
    return response.json()
