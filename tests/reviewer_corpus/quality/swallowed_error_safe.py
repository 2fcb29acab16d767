# codeward-corpus: safe CWR602
# ruff: noqa
import json
import logging

logger = logging.getLogger(__name__)


def load_cache(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, json.JSONDecodeError):
        logger.exception("cache %s unreadable; starting empty", path)
    return {}
