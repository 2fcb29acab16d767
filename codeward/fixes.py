"""Applying fixes: edits are spans of the original text, applied back to front, overlaps skipped."""

from __future__ import annotations

from collections.abc import Iterable

from codeward.findings import Edit, Finding


def _offset(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column - 1


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    starts.append(len(text) + 1)
    spans = sorted(
        (
            (_offset(starts, e.span.line, e.span.column), _offset(starts, e.span.end_line, e.span.end_column), e.text)
            for e in edits
        ),
        reverse=True,
    )
    out = text
    limit = len(text) + 1
    for start, end, replacement in spans:
        if end > limit:  # overlaps an edit already applied
            continue
        out = out[:start] + replacement + out[end:]
        limit = start
    return out


def apply_fixes(text: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """Return the fixed text and how many findings' fixes were applied."""
    chosen = [f.fix for f in findings if f.fix is not None]
    edits = [edit for fix in chosen for edit in fix.edits]
    return (apply_edits(text, edits), len(chosen)) if edits else (text, 0)


def write_fixed(path: str, text: str) -> bool:
    """Write a fixed file in place, never through a symbolic link (a pull request can commit a link to a
    file elsewhere); False, with a message, when refused."""
    import sys

    from codeward.safepaths import UnsafePath, write_text

    try:
        write_text(path, text, "the fix to")
        return True
    except UnsafePath as exc:
        print(f"codeward: {exc}", file=sys.stderr)
        return False
