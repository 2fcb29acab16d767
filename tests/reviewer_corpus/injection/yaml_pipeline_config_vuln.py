# codeward-corpus: vulnerable CWR106
# ruff: noqa
import yaml


def load_pipeline(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=yaml.Loader)
