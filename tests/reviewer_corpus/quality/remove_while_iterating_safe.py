# codeward-corpus: safe CWR605
# ruff: noqa
def drop_expired(sessions, now):
    for session in list(sessions):
        if session.expires_at < now:
            sessions.remove(session)
    return sessions
