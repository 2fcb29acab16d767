# codeward-corpus: safe CWR501
# ruff: noqa
import json


def read_settings(path):
    with open(path, encoding="utf-8") as handle:
        settings = json.load(handle)
    return settings
