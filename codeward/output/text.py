"""Human output: `path:line:col: CODE message`, the source line, a caret under the span, then why and how
to fix it (actionlint's layout, ruff's summary)."""

from __future__ import annotations

from codeward.findings import Finding, Severity
from codeward.output import Report

_COLORS = {Severity.ERROR: "\033[1;31m", Severity.WARNING: "\033[1;33m", Severity.INFO: "\033[1;36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.")


def _first_sentence(text: str) -> str:
    """The first sentence of a docs section, for the one-line why/fix under a finding."""
    paragraph = text.split("```", 1)[0].split("\n\n", 1)[0]
    flat = " ".join(paragraph.split())
    start = 0
    while True:
        end = flat.find(". ", start)
        if end < 0:
            sentence = flat
            break
        if not any(flat[: end + 1].endswith(abbreviation) for abbreviation in _ABBREVIATIONS):
            sentence = flat[: end + 1]
            break
        start = end + 2
    # "List the files to upload, e.g." introducing an example that was cut off: keep the instruction.
    for tail in (", e.g.", " e.g.", ", for example:", ":"):
        if sentence.endswith(tail):
            sentence = sentence[: -len(tail)] + "."
    return sentence


def _paint(report: Report, code: str, text: str) -> str:
    return f"{code}{text}{_RESET}" if report.color else text


# Source lines longer than this (minified files, a hostile pull request's 15 KB line) are shown as a window
# around the finding, so one finding cannot flood a terminal or a CI log.
_LONG = 240
_BEFORE = 60


def _window(shown: str, column: int, length: int) -> tuple[str, int, int]:
    """(the part of a long line around `column`, with "…" where it was cut; the finding's start in it, and its
    marker's length, cut at the window's end)."""
    first = max(0, column - _BEFORE)
    last = min(len(shown), first + _LONG)
    left = "…" if first else ""
    right = "…" if last < len(shown) else ""
    part = left + shown[first:last] + right
    start = _width(left + shown[first:column])
    return part, start, max(1, min(length, last - column))


def format_finding(report: Report, finding: Finding, *, concise: bool = False) -> str:
    head = f"{finding.path}:{finding.line}:{finding.column}: "
    code = _paint(report, _COLORS[finding.severity], finding.code)
    name = f" [{finding.name}]" if finding.name else ""
    first = f"{_paint(report, _BOLD, head)}{code} {finding.message}{name}"
    if concise:
        return first
    out = [first]
    source = report.source_line(finding.path, finding.line)
    if source:
        gutter = str(finding.line)
        pad = " " * len(gutter)
        shown = source.expandtabs(4)
        start = _width(source[: finding.column - 1].expandtabs(4))
        if finding.span.end_line == finding.line:
            length = max(1, _width(source[finding.column - 1 : finding.span.end_column - 1]))
        else:
            length = max(1, _width(source[finding.column - 1 :].rstrip()))
        if len(shown) > _LONG:
            shown, start, length = _window(shown, len(source[: finding.column - 1].expandtabs(4)), length)
        marker = "^" + "~" * (length - 1)
        out.append(f" {gutter} | {shown}")
        out.append(f" {pad} | {' ' * start}{_paint(report, _COLORS[finding.severity], marker)}")
    else:
        pad = " " * len(str(finding.line))
    for note in finding.notes:
        out.append(f" {pad} = note: {note}")
    rule = report.rule_for(finding.code)
    if report.explain and rule is not None:
        docs = rule.docs()
        if docs.why:
            out.append(f" {pad} = why: {_first_sentence(docs.why)}")
        if finding.fix is not None:
            out.append(f" {pad} = fix: {finding.fix.description} (codeward can apply it: --fix)")
        elif docs.fix:
            out.append(f" {pad} = fix: {_first_sentence(docs.fix)}")
    return "\n".join(out)


def summary(report: Report) -> str:
    counts = report.counts()
    total = len(report.findings)
    files = len({f.path for f in report.findings})
    if not report.checked:
        return "No files checked."
    if not total:
        return f"No findings in {len(report.checked)} file{'s' if len(report.checked) != 1 else ''}."
    parts = [
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}"
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts[s]
    ]
    fixable = sum(1 for f in report.findings if f.fix is not None)
    tail = f" {fixable} fixable with --fix." if fixable else ""
    return (
        f"Found {total} finding{'s' if total != 1 else ''} ({', '.join(parts)}) in {files} of "
        f"{len(report.checked)} file{'s' if len(report.checked) != 1 else ''}.{tail}"
    )


def render(report: Report, *, concise: bool = False) -> str:
    blocks = [format_finding(report, f, concise=concise) for f in report.findings]
    joiner = "\n" if concise else "\n\n"
    body = joiner.join(blocks)
    return (body + ("\n" if concise else "\n\n") if body else "") + summary(report) + "\n"
