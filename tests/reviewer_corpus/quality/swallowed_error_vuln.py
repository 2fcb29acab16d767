# codeward-corpus: vulnerable CWR602
# ruff: noqa
import json


def load_cache(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except Exception:
        pass
    return {}
