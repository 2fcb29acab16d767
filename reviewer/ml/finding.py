"""Confidence for every finding of a review: how likely a reviewer wants it as a comment.

The model (`reviewer/ml/findings.json`, trained by `python -m codeward.reviewer.ml.judged` on findings of real
projects that independent judges labelled) sees what the review itself knows about a finding: the rule and
its family, the severity, the data flow (how the source is described, how many steps, how far the source
is), the score of the secret or injection classifier when there is one, where the finding sits (test code,
a test function, a Lambda handler, a private helper, module level, `__main__`, scripts and examples) and what
its line holds (literals only, a call, its identifiers). It never sees which project the file belongs to.
Scoring is plain Python over a JSON file, like the category classifiers (`score.py`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from codeward.reviewer import measured
from codeward.reviewer.ml.features import Vector, hashed, words

from codeward.findings import Finding, Severity

MODEL_FILE = "findings.json"
# Which hashed tokens finding_features() emits: a model trained on other tokens is refused (its bucket weights
# would mean other things), as a model with other numeric features is.
TOKENS = "rule-tied/1"
# Training turns scoring off: it needs the category classifiers' scores the findings carry before this model.
ENABLED = True

FINDING_NUMERIC = (
    "severity",
    "test_file",
    "test_function",
    "handler_function",
    "private_function",
    "module_level",
    "main_guard",
    "script_or_example",
    "has_flow",
    "flow_steps",
    "source_distance",
    "category_score",
    "has_category_score",
    "has_fix",
    "line_literal_share",
    "line_only_literals",
    "line_length",
    "message_length",
)

_TEST_DIRS = frozenset({"tests", "test", "testing", "__tests__"})
_SCRIPT_DIRS = frozenset({"scripts", "script", "examples", "example", "docs", "doc", "samples", "sample", "tools"})
_DEF = re.compile(r"(\s*)(?:async\s+)?def\s+(\w+)")
_STRING = re.compile(r"""[rbfuRBFU]{0,2}("[^"\\]*(?:\\.[^"\\]*)*"|'[^'\\]*(?:\\.[^'\\]*)*')""")
_IDENT = re.compile(r"[A-Za-z_]\w*")
_LITERAL_WORDS = frozenset({"True", "False", "None"})
# How far up to look for the enclosing definition: bounded so that a hostile file costs little.
_SCAN = 400


def is_test_file(path: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    return (
        any(p in _TEST_DIRS or p.endswith("_tests") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def _enclosing(lines: list[str], line: int) -> tuple[str | None, bool]:
    """(name of the function the line is in, whether it is under `if __name__ == "__main__":`)."""
    if not 1 <= line <= len(lines):
        return None, False
    here = lines[line - 1]
    indent = len(here) - len(here.lstrip())
    if indent == 0:  # nothing encloses a top-level line (and the scan below would read _SCAN lines for nothing)
        return None, False
    name = None
    main = False
    for number in range(line - 1, max(0, line - 1 - _SCAN), -1):
        text = lines[number - 1]
        stripped = text.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        level = len(text) - len(stripped)
        if level >= indent:
            continue
        indent = level
        found = _DEF.match(text)
        if found and name is None:
            name = found.group(2)
        if level == 0:
            main = stripped.startswith("if __name__")
            break
    return name, main


def _line_facts(text: str) -> tuple[float, float, set[str]]:
    """(share of the line's code inside string literals, 1 when every argument is a literal, identifiers)."""
    code = text.split("#", 1)[0].strip() if "#" in text and "'" not in text and '"' not in text else text.strip()
    if not code:
        return 0.0, 0.0, set()
    literal = sum(len(m.group(0)) for m in _STRING.finditer(code))
    rest = _STRING.sub("", code)
    names = set(_IDENT.findall(rest)) - _LITERAL_WORDS
    inside = rest[rest.find("(") + 1 :] if "(" in rest else ""
    only_literals = 1.0 if "(" in rest and not (set(_IDENT.findall(inside)) - _LITERAL_WORDS) else 0.0
    return literal / len(code), only_literals, names


def finding_features(finding: Finding, lines: list[str], category_score: float | None = None) -> Vector:
    """The model's features of one finding of a file whose lines are `lines`."""
    line = finding.span.line
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    function, main = _enclosing(lines, line)
    share, only_literals, names = _line_facts(text)
    parts = finding.path.replace("\\", "/").split("/")
    flow = finding.flow
    distance = 0.0
    if flow:
        distance = min(abs(line - flow[0][0].line), 200) / 50.0
    numeric = [
        float(finding.severity),
        1.0 if is_test_file(finding.path) else 0.0,
        1.0 if function and (function.startswith("test") or function in ("setUp", "tearDown")) else 0.0,
        1.0 if function and (function.endswith("handler") or function == "handle") else 0.0,
        1.0 if function and function.startswith("_") and not function.startswith("__") else 0.0,
        1.0 if function is None else 0.0,
        1.0 if main else 0.0,
        1.0 if any(p.lower() in _SCRIPT_DIRS for p in parts[:-1]) else 0.0,
        1.0 if flow else 0.0,
        float(min(len(flow), 10)),
        distance,
        category_score if category_score is not None else 0.0,
        0.0 if category_score is None else 1.0,
        1.0 if finding.fix is not None else 0.0,
        share,
        only_literals,
        min(len(text.strip()), 200) / 100.0,
        min(len(finding.message), 300) / 100.0,
    ]
    tokens = {f"rule:{finding.code}", f"family:{finding.code[:5]}", f"sev:{finding.severity}"}
    tokens |= {f"rule:{finding.code}:test:{numeric[1]:.0f}"}
    tokens |= {f"m:{w}" for w in words(finding.message.split(" (CWE-")[0])}
    tokens |= {f"l:{w}" for name in names for w in words(name)}
    if flow:
        tokens |= {f"src:{w}" for w in words(flow[0][1].replace("(the source)", ""))}
    if function:
        tokens |= {f"fn:{w}" for w in words(function)}
    # The same facts again, tied to the rule: what tells a rule's right findings from its wrong ones differs by
    # rule (a handler makes a timeout finding likelier, a log line's names make a logging finding less so).
    # Leave-one-project-out on 58 projects: within-rule ROC AUC 0.53 -> 0.58, overall 0.865 -> 0.879.
    rule = finding.code
    tokens |= {f"{rule}:flag:{name}" for name, value in zip(_FLAGS, numeric[1:8], strict=True) if value}
    tokens |= {f"{rule}:{t}" for t in tokens if t.startswith(("l:", "src:", "fn:"))}
    return numeric, hashed(tokens)


# Names of the location flags, FINDING_NUMERIC[1:8].
_FLAGS = ("test", "testfn", "handler", "private", "module", "main", "script")


def is_secret_rule(code: str) -> bool:
    """A rule whose findings are hard-coded values that the secret classifier scores (CWR201-203, and its own
    CWR205): their confidence is that classifier's alone, since it reads the value itself. Judged real findings
    of these rules are mostly test fixtures, and a model that learnt from them would score a live key in
    production code by its rule's history (0.07 for an AWS key)."""
    from codeward.reviewer.ml.confidence import CLASSIFIER_RULE, SECRET_RULES

    return code in SECRET_RULES or code == CLASSIFIER_RULE


@cache
def _model() -> tuple[object, frozenset[str]]:
    """(the scorer, the rules it was trained on): other rules' findings have no judged material to go by."""
    import json
    import os

    from codeward.reviewer.ml.score import ModelError, load

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), MODEL_FILE)
    scorer = load(path)["findings"]
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        rules = frozenset(document["rules"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path} does not list its rules ({exc}); retrain it") from None
    if document.get("tokens") != TOKENS:
        raise ModelError(f"{path} was trained on other features than this version of codeward's; retrain it")
    return scorer, rules


def score_findings(text: str, findings: list[Finding]) -> list[Finding]:
    """`findings` of one file, those of the rules the model was trained on with its confidence (the category
    classifier's score, when it gave one, becomes a feature). Without a usable model they are unchanged."""
    from codeward.reviewer.ml.score import ModelError

    if not findings or not ENABLED:
        return findings
    try:
        scorer, rules = _model()
    except ModelError:
        return findings
    lines = text.split("\n")
    out = []
    for f in findings:
        if f.code in measured.ALWAYS:
            pass  # a file not reviewed, a stale suppression, an internal error: always shown, never scored
        elif f.code in rules:
            p = combine(scorer.probability(finding_features(f, lines, f.confidence)), f.confidence)  # type: ignore[attr-defined]
            f = replace(f, confidence=round(p, 4))
        elif not is_secret_rule(f.code):
            # No judged material the model learnt from: the rule's judged rate at this severity, when there is one
            # (a rule without either keeps its category score, or none).
            rate = measured.prior(f.code, f.severity is Severity.INFO)
            if rate is not None:
                f = replace(f, confidence=round(combine(rate, f.confidence), 4))
        out.append(f)
    return out


def combine(model: float, category: float | None) -> float:
    """The confidence reported. A secret or injection finding needs both models to believe it: the category
    classifier knows the value or the flow, this one how such findings fared with judges on real code (a
    classifier-only secret it scored 0.3 must not become likely because its rule often is)."""
    return model if category is None else min(model, category)
