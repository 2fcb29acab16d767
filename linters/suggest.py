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


def near_name(word: str, other: str) -> bool:
    """Whether two file names are at most two edits apart (an insertion, a deletion, a changed or two swapped
    neighbouring characters), keeping the extension: a typing slip, not another file."""
    import os

    if word == other or os.path.splitext(word)[1] != os.path.splitext(other)[1] or abs(len(word) - len(other)) > 2:
        return False
    rows = [list(range(len(other) + 1))]
    for i in range(1, len(word) + 1):
        row = [i] + [0] * len(other)
        for j in range(1, len(other) + 1):
            cost = word[i - 1] != other[j - 1]
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and word[i - 1] == other[j - 2] and word[i - 2] == other[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1] <= 2 and min(len(word), len(other)) > 4


def misspelled_file(root: str, name: str, twins: bool = False) -> str | None:
    """The one file of `name`'s folder (a path from `root`) whose name is a slip away from it
    (task-definition.jvb.json for task-definition.jbv.json), or None (none, or several that could be meant). With
    `twins`, the same name with the other YAML extension (main.yaml for main.yml) counts as a slip too."""
    import os

    folder, base = os.path.split(name)
    try:
        entries = os.listdir(os.path.join(root, folder))
    except OSError:
        return None
    stem, ext = os.path.splitext(base)
    twin = {".yml": ".yaml", ".yaml": ".yml"}.get(ext.lower()) if twins else None
    close = [
        e
        for e in entries
        if (near_name(base, e) or (twin is not None and e == stem + twin))
        and os.path.isfile(os.path.join(root, folder, e))
    ]
    return (f"{folder}/{close[0]}" if folder else close[0]) if len(close) == 1 else None
