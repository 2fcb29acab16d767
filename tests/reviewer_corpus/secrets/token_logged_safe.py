# codeward-corpus: safe CWR204
# ruff: noqa
import logging

import requests

log = logging.getLogger(__name__)


def refresh(session, refresh_token):
    log.info("refreshing session (token of %d characters)", len(refresh_token))
    return session.post("https://auth.example.com/token", data={"refresh_token": refresh_token}, timeout=10)
