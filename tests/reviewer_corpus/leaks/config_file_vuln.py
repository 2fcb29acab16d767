# codeward-corpus: vulnerable CWR501
# ruff: noqa
import json


def read_settings(path):
    handle = open(path, encoding="utf-8")
    settings = json.load(handle)
    handle.close()
    return settings
