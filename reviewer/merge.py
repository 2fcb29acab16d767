"""One comment per problem: findings on the same line that say the same thing become one finding.

Two findings of one rule on one line (`def f(a={}, b={})`, `if x == None or y == None`) merge into the first,
the others' messages becoming notes; and where one rule's finding restates another's on the same line (a
bare `except: pass` is both a swallowed exception and a bare except), the finding of the rule named in
`SUBSUMED` goes into the other's as a note.
"""

from __future__ import annotations

from dataclasses import replace

from codeward.findings import Finding

# rule -> the rule whose finding on the same line already says it.
SUBSUMED = {
    "CWR603": "CWR602",  # `except: pass`: swallowed, and bare
    "CWR120": "CWR101",  # SQL built from a variable that is request data: the injection says it
    "CWR121": "CWR104",  # eval of a variable that is request data: the code injection says it
    "CWR103": "CWR102",  # a shell command from a variable that is request data
    "CWR124": "CWR110",  # HTML marked safe from a variable that is request data
    "CWR205": "CWR201",  # the classifier's credential where a rule found the token
}


def merge_same_line(findings: list[Finding]) -> list[Finding]:
    if len(findings) < 2:
        return findings
    kept: dict[tuple[str, int, str], int] = {}
    out: list[Finding] = []
    for finding in findings:
        line = (finding.path, finding.span.line)
        target = kept.get((*line, finding.code))
        if target is None and finding.code in SUBSUMED:
            target = kept.get((*line, SUBSUMED[finding.code]))
        if target is None:
            kept[(*line, finding.code)] = len(out)
            out.append(finding)
            continue
        into = out[target]
        note = f"also {finding.code}: {finding.message}" if finding.code != into.code else f"also: {finding.message}"
        out[target] = replace(into, notes=(*into.notes, note), severity=max(into.severity, finding.severity))
    # A subsuming finding that came later on the line takes over one reported before it.
    return _absorb_earlier(out)


def _absorb_earlier(findings: list[Finding]) -> list[Finding]:
    index = {(f.path, f.span.line, f.code): i for i, f in enumerate(findings)}
    drop: set[int] = set()
    for i, finding in enumerate(findings):
        target = index.get((finding.path, finding.span.line, SUBSUMED.get(finding.code, "")))
        if target is None or target in drop or i in drop:
            continue
        into = findings[target]
        note = f"also {finding.code}: {finding.message}"
        findings[target] = replace(into, notes=(*into.notes, note), severity=max(into.severity, finding.severity))
        drop.add(i)
    return [f for i, f in enumerate(findings) if i not in drop]
