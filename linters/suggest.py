""" "Did you mean" for misspelled keys and values."""

from __future__ import annotations

from collections.abc import Iterable


def _norm(text: str) -> str:
    return text.lower().replace("-", "").replace("_", "").replace(" ", "")


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    options = [c for c in candidates if isinstance(c, str)]
    if not options or not word:
        return None
    normal = _norm(word)
    for option in options:
        if _norm(option) == normal:
            return option
    import difflib  # only on the error path: keeps start-up lean

    lowered = {option.lower(): option for option in options}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.75)
    return lowered[close[0]] if close else None
