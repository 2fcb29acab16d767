"""Glob patterns as regular expressions, the one translation every part of codeward uses.

`*` and `?` stay within one path segment, `**/` spans any number of directories, `**` anything, and
`[...]` is a character class (`[!...]` or `[^...]` negated). Paths use `/`.
"""

from __future__ import annotations

import re
from functools import cache


@cache
def glob_regex(pattern: str, *, subtree: bool = False) -> re.Pattern[str]:
    """Compile `pattern`; with `subtree`, a match on a directory also covers everything below it."""
    out: list[str] = []
    i = 0
    text = pattern
    while i < len(text):
        if text.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif text.startswith("**", i):
            out.append(".*")
            i += 2
        elif text[i] == "*":
            out.append("[^/]*")
            i += 1
        elif text[i] == "?":
            out.append("[^/]")
            i += 1
        elif text[i] == "[" and "]" in text[i + 1 :]:
            end = text.index("]", i + 1)
            body = text[i + 1 : end]
            negate = body.startswith(("!", "^"))
            body = re.escape(body[1:] if negate else body).replace("\\-", "-")
            out.append(f"[{'^' if negate else ''}{body}]")
            i = end + 1
        else:
            out.append(re.escape(text[i]))
            i += 1
    return re.compile("".join(out) + ("(?:/.*)?" if subtree else ""))
