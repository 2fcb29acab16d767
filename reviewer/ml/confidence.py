"""The classifier inside a review: a calibrated `confidence` on secret and injection findings, and secrets the
rules miss (CWR205, literals the classifier scores as credentials).

Every finding keeps the confidence it got; the command hides those below `--min-confidence` (default
`DEFAULT_MIN_CONFIDENCE`, or `min-confidence` in `[tool.codeward.reviewer]`) unless `--show-all` is given.
Classifier-only findings are produced from `FLOOR`, the secret classifier's own threshold: their reported
confidence is then the finding-confidence model's (`finding.py`), whose default threshold is much lower, so
the secret classifier has to believe a literal before anything else is asked. Nothing here imports scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from codeward.findings import Finding, Severity, Span

# Chosen from the leave-one-project-out curve of the finding-confidence model on judged real findings
# (docs/ml.md) and re-checked at every refit: on 2,116 judged findings of 104 projects, 0.05 kept 237 of 272 true
# findings and 61 of 258 false ones; 0.10 would also hide 11 of the true ones (README, "Confidence and feedback").
DEFAULT_MIN_CONFIDENCE = 0.05
FLOOR = 0.5
SECRET_RULES = frozenset({"CWR201", "CWR202", "CWR203"})
CLASSIFIER_RULE = "CWR205"


def injection_rules() -> frozenset[str]:
    from codeward.reviewer.rules import all_rules
    from codeward.reviewer.rules._base import TaintSink

    return frozenset(r.code for r in all_rules() if issubclass(r, TaintSink))


def _covers(line: int, column: int, end_line: int, end_column: int, at: Span) -> bool:
    if at.line != line:
        return False
    return column <= at.column < end_column if end_line == line else at.column >= column


def secret_scores(path: str, text: str, python: bool = True) -> list[tuple[object, float]]:
    """(candidate, probability) for every secret candidate of a file."""
    from codeward.reviewer.ml.candidates import python_secret_candidates, text_secret_candidates
    from codeward.reviewer.ml.features import secret_features
    from codeward.reviewer.ml.score import shipped

    candidates = python_secret_candidates(path, text) if python else text_secret_candidates(path, text)
    if not candidates:
        return []
    scorer = shipped()["secrets"]
    return [(c, scorer.probability(secret_features(c))) for c in candidates]


def attach(
    path: str, text: str, findings: list[Finding], select: Callable[[str], bool], python: bool = True
) -> list[Finding]:
    """`findings` of one file with confidences, plus classifier-only secret findings."""
    from codeward.reviewer.ml.score import ModelError

    out = list(findings)
    try:
        if select(CLASSIFIER_RULE) or any(f.code in SECRET_RULES for f in findings):
            out = _secrets(path, text, out, select, python)
        if python and any(f.code in injection_rules() for f in out):
            out = _injection(path, text, out)
    except ModelError:
        return list(findings)  # no usable model: the rules' findings stand as they are
    return out


def _secrets(
    path: str, text: str, findings: list[Finding], select: Callable[[str], bool], python: bool
) -> list[Finding]:
    from codeward.reviewer.rules.secrets import mask

    scored = secret_scores(path, text, python)
    out = []
    claimed: set[int] = set()
    for finding in findings:
        if finding.code in SECRET_RULES:
            for index, (c, p) in enumerate(scored):
                if _covers(c.line, c.column, c.end_line, c.end_column, finding.span):  # type: ignore[attr-defined]
                    finding = replace(finding, confidence=p)
                    claimed.add(index)
                    break
        out.append(finding)
    if not select(CLASSIFIER_RULE):
        return out
    taken = {(f.span.line, f.span.column) for f in out if f.code in SECRET_RULES}
    for index, (c, p) in enumerate(scored):
        if index in claimed or p < FLOOR:
            continue
        if any(_covers(c.line, c.column, c.end_line, c.end_column, Span(line, column, line, column + 1))  # type: ignore[attr-defined]
               for line, column in taken):  # fmt: skip
            continue
        value: str = c.value  # type: ignore[attr-defined]
        where = f" bound to `{c.name}`" if c.name else ""  # type: ignore[attr-defined]
        # No score in the message: fingerprints (baselines, feedback) must not move when the model does.
        message = f"this literal{where} looks like a credential ({mask(value)}) (CWE-798)"
        end_line, end_column = c.end_line, c.end_column  # type: ignore[attr-defined]
        span = Span(c.line, c.column, end_line, end_column)  # type: ignore[attr-defined]
        severity = Severity.ERROR if p >= 0.8 else Severity.WARNING
        out.append(Finding(CLASSIFIER_RULE, message, path, span, severity, "likely-secret", confidence=p))
    return out


def _injection(path: str, text: str, findings: list[Finding]) -> list[Finding]:
    from codeward.reviewer.ml.candidates import sink_candidates
    from codeward.reviewer.ml.features import sink_features
    from codeward.reviewer.ml.score import shipped

    codes = frozenset(f.code for f in findings) & injection_rules()
    scorer = shipped()["injection"]
    found = {
        (c.code, c.line, c.column): scorer.probability(sink_features(c)) for c, _ in sink_candidates(path, text, codes)
    }
    out = []
    for finding in findings:
        p = found.get((finding.code, finding.span.line, finding.span.column))
        out.append(replace(finding, confidence=p) if p is not None else finding)
    return out


# Findings of these rule categories are reported at info below the default threshold, not hidden.
SECURITY_CATEGORIES = frozenset({"security", "secrets", "input-validation"})


def visible(
    findings: list[Finding], min_confidence: float, show_all: bool, named: Callable[[str], bool] | None = None
) -> list[Finding]:
    """What a review reports. `named`: the rules the user asked for by name, given when the threshold is the
    default one. A threshold the user set hides findings below it. The default threshold hides the other
    findings below it, except security ones: those are reported at `info` (never failing a run, never posted),
    since the evidence that a reviewer would not want them is statistical while the finding itself may be the
    one an audit looks for (a bare `hashlib.md5()`). A rule asked for by name keeps its severity."""
    if show_all:
        return findings
    from codeward.reviewer.rules import rule_for

    out = []
    for f in findings:
        if f.confidence is None or f.confidence >= min_confidence or (named is not None and named(f.code)):
            out.append(f)
        elif named is not None and getattr(rule_for(f.code), "category", "") in SECURITY_CATEGORIES:
            if f.severity is not Severity.INFO:
                note = f"reported at info: confidence {f.confidence:.2f} is below the default {min_confidence:g}"
                f = replace(f, severity=Severity.INFO, notes=(*f.notes, note))
            out.append(f)
    return out
