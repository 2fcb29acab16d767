"""The finding-confidence model: its features, its plain-Python scoring against scikit-learn, its evaluation
arithmetic (ROC AUC, Brier score, reliability bins) and the shipped model file."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from codeward.reviewer.ml import finding, judged, score

from codeward.findings import Finding, Severity, Span

ROOT = Path(__file__).resolve().parents[1]


def _finding(code: str, path: str, line: int, message: str = "m", flow: tuple = ()) -> Finding:
    return Finding(code, message, path, Span(line, 1, line, 2), Severity.WARNING, flow=flow)


def test_features_see_test_code_handlers_literals_and_the_source_of_a_flow() -> None:
    lines = ["import boto3", "", "def lambda_handler(event, context):", "    log.info('done %s', 'x')", ""]
    numeric, hashed = finding.finding_features(_finding("CWR116", "src/tests/test_app.py", 4), lines)
    by_name = dict(zip(finding.FINDING_NUMERIC, numeric, strict=True))
    assert by_name["test_file"] == 1.0 and by_name["handler_function"] == 1.0 and by_name["module_level"] == 0.0
    assert by_name["line_only_literals"] == 1.0 and by_name["has_flow"] == 0.0
    source = ((Span(3, 1, 3, 5), "request.args (the source)"), (Span(4, 1, 4, 5), "the sink"))
    numeric, flow_hashed = finding.finding_features(_finding("CWR116", "app.py", 4, flow=source), lines)
    by_name = dict(zip(finding.FINDING_NUMERIC, numeric, strict=True))
    assert by_name["test_file"] == 0.0 and by_name["has_flow"] == 1.0 and by_name["flow_steps"] == 2.0
    from codeward.reviewer.ml.features import bucket

    assert bucket("src:request") in flow_hashed and bucket("src:request") not in hashed
    # Module level, under `if __name__ == "__main__":`.
    script = ["import sys", "if __name__ == '__main__':", "    run(sys.argv[1])"]
    numeric, _ = finding.finding_features(_finding("CWR102", "tools/run.py", 3), script)
    by_name = dict(zip(finding.FINDING_NUMERIC, numeric, strict=True))
    assert by_name["main_guard"] == 1.0 and by_name["module_level"] == 1.0 and by_name["script_or_example"] == 1.0


def test_features_are_also_tied_to_the_rule() -> None:
    from codeward.reviewer.ml.features import bucket

    lines = ["def lambda_handler(event, context):", "    requests.get(url)", ""]
    source = ((Span(1, 1, 1, 5), "event (the source)"), (Span(2, 1, 2, 5), "the sink"))
    _, timeout = finding.finding_features(_finding("CWR610", "app.py", 2, flow=source), lines)
    _, other = finding.finding_features(_finding("CWR109", "app.py", 2, flow=source), lines)
    # The plain facts are shared; the rule-tied copies are the rule's own.
    for token in ("fn:handler", "l:requests", "src:event"):
        assert bucket(token) in timeout and bucket(token) in other
    for token in ("CWR610:flag:handler", "CWR610:fn:handler", "CWR610:l:requests", "CWR610:src:event"):
        assert bucket(token) in timeout and bucket(token) not in other
    assert bucket("CWR610:flag:test") not in timeout


def test_a_model_trained_on_other_tokens_is_refused(tmp_path: Path, monkeypatch) -> None:
    document = json.loads((ROOT / "reviewer" / "ml" / "findings.json").read_text(encoding="utf-8"))
    assert document["tokens"] == finding.TOKENS
    document["tokens"] = "plain/0"
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr(finding, "MODEL_FILE", str(path))  # absolute: os.path.join keeps it
    finding._model.cache_clear()
    try:
        with pytest.raises(score.ModelError, match="other features"):
            finding._model()
        # A review then keeps each finding's own confidence rather than score it with the wrong weights.
        timeout = _finding("CWR610", "app.py", 1)
        assert finding.score_findings("x = 1\n", [timeout]) == [timeout]
    finally:
        finding._model.cache_clear()


def test_the_project_is_no_feature() -> None:
    lines = ["def f(a):", "    if a == None:", "        return 0"]
    one = finding.finding_features(_finding("CWR616", "alpha/lib/m.py", 2), lines)
    other = finding.finding_features(_finding("CWR616", "omega/lib/m.py", 2), lines)
    assert one == other


def test_plain_python_scores_equal_scikit_learn(tmp_path: Path) -> None:
    rng = random.Random(7)
    rows = []
    for i in range(300):
        label = int(rng.random() < 0.3)
        numeric = [rng.gauss(label, 1.0) for _ in finding.FINDING_NUMERIC]
        hashed = sorted({rng.randrange(4096) for _ in range(3)} | ({11} if label else {12}))
        rows.append({"group": f"p{i % 5}", "label": label, "numeric": numeric, "hashed": hashed, "code": "CWR1"})
    model, scale = judged.fit(rows)
    expected = judged.predict(model, scale, rows)
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(judged.export(model, scale, {}, ["CWR1"])), encoding="utf-8")
    scorer = score.load(str(path))["findings"]
    got = [scorer.probability((r["numeric"], r["hashed"])) for r in rows]
    assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) < 1e-9


def test_auc_brier_and_bins_match_their_definitions() -> None:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    rng = random.Random(3)
    labels = [int(rng.random() < 0.2) for _ in range(200)]
    scores = [round(min(1.0, max(0.0, rng.gauss(0.3 + 0.4 * y, 0.2))), 2) for y in labels]  # ties included
    assert abs(judged.auc(labels, scores) - roc_auc_score(labels, scores)) < 1e-12  # type: ignore[operator]
    assert abs(judged.brier(labels, scores) - brier_score_loss(labels, scores)) < 1e-12
    assert judged.auc([1, 1], [0.2, 0.3]) is None
    bins = judged.reliability([0, 1, 1], [0.01, 0.95, 1.0])
    assert bins == [("0.00-0.05", 1, 0.01, 0.0), ("0.90-1.00", 2, 0.975, 1.0)]


def test_the_shipped_model_loads_and_names_the_rules_it_was_trained_on() -> None:
    document = json.loads((ROOT / "reviewer" / "ml" / "findings.json").read_text(encoding="utf-8"))
    assert document["format"] == score.FORMAT and document["categories"]["findings"]["kind"] == "linear"
    assert {"CWR401", "CWR610", "CWR616", "CWR204"} <= set(document["rules"])
    _scorer, rules = finding._model()
    assert rules == frozenset(document["rules"])
    # A finding of a rule it never saw keeps the confidence it had.
    unknown = _finding("CWR999", "m.py", 1)
    assert finding.score_findings("x = 1\n", [unknown]) == [unknown]


def test_rules_the_model_lacks_get_their_judged_rate_and_secrets_keep_the_classifier(monkeypatch) -> None:
    from codeward.reviewer import measured

    scorer, _ = finding._model()
    # A model fitted before any of these rules was judged: CWR610 then falls back on its measured precision.
    monkeypatch.setattr(finding, "_model", lambda: (scorer, frozenset()))
    monkeypatch.setattr(
        measured, "table", lambda: {"CWR610": {"true": 6, "false": 0, "noise": 2, "info": {"true": 0, "noise": 8}}}
    )
    warning = _finding("CWR610", "app.py", 1)
    info = Finding("CWR610", "m", "app.py", Span(1, 1, 1, 2), Severity.INFO)
    secret = Finding("CWR202", "m", "app.py", Span(1, 1, 1, 2), Severity.WARNING, confidence=0.9)
    never = _finding("CWR613", "app.py", 1)
    out = finding.score_findings("x = 1\n", [warning, info, secret, never])
    # (true + 4 x 0.1) / (judged + 4): 6.4/12 at its own severity, 0.4/12 at info.
    assert [f.confidence for f in out] == [round(6.4 / 12, 4), round(0.4 / 12, 4), 0.9, None]


def test_the_shipped_model_leaves_secret_values_to_the_secret_classifier() -> None:
    document = json.loads((ROOT / "reviewer" / "ml" / "findings.json").read_text(encoding="utf-8"))
    assert not {"CWR201", "CWR202", "CWR203", "CWR205"} & set(document["rules"])


def test_judged_taint_findings_are_matched_to_their_sink_candidate_by_rule_and_line() -> None:
    text = (
        "from flask import Flask, request\napp = Flask(__name__)\n\n\n@app.route('/f')\ndef read():\n"
        "    return open(request.args['name']).read()\n"
    )
    items = [
        {"code": "CWR107", "line": 7, "verdict": "true"},
        {"code": "CWR107", "line": 6, "verdict": "false"},  # no sink on that line: counted as without candidate
        {"code": "CWR109", "line": 7, "verdict": "noise"},  # another rule's judgment: not this sink
    ]
    rows, missing = judged.sink_rows("demo", "app.py", text, items)
    assert [(r["group"], r["code"], r["label"], r["verdict"]) for r in rows] == [("demo", "CWR107", 1, "true")]
    assert missing == 2 and 0.0 <= rows[0]["shipped"] <= 1.0
