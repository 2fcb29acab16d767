"""`bench.reviewer.realcode record`: a judge's verdicts join the judgments only when every line names a finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.reviewer.realcode import load_judgments, record

FINDING = {"project": "p", "path": "src/a.py", "line": 3, "column": 5, "code": "CWR617", "severity": "warning",
           "message": "`s.close` names the method without calling it", "confidence": None, "test": False}  # fmt: skip


def verdicts(tmp_path: Path, *items: dict) -> str:
    target = tmp_path / "verdicts.jsonl"
    target.write_text("".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")
    return str(target)


def test_verdicts_are_appended_with_the_judge_and_the_message(tmp_path: Path) -> None:
    judgments = tmp_path / "judgments.jsonl"
    given = {"project": "p", "path": "src/a.py", "line": 3, "code": "CWR617", "verdict": "true", "reason": "leak"}
    assert record([FINDING], [verdicts(tmp_path, given)], "J9-1", judgments) == 0
    assert json.loads(judgments.read_text(encoding="utf-8")) == {
        "project": "p", "path": "src/a.py", "line": 3, "code": "CWR617", "judge": "J9-1", "verdict": "true",
        "reason": "leak", "message": "`s.close` names the method without calling it",
    }  # fmt: skip
    assert load_judgments(judgments)[("p", "src/a.py", 3, "CWR617")]["verdict"] == "true"


@pytest.mark.parametrize(
    "bad",
    [
        {"project": "p", "path": "src/a.py", "line": 4, "code": "CWR617", "verdict": "true"},  # no such finding
        {"project": "p", "path": "src/a.py", "line": 3, "code": "CWR617", "verdict": "maybe"},
        {"project": "p", "line": 3, "code": "CWR617", "verdict": "true"},  # no path
    ],
)
def test_one_bad_line_writes_nothing(tmp_path: Path, bad: dict) -> None:
    judgments = tmp_path / "judgments.jsonl"
    good = {"project": "p", "path": "src/a.py", "line": 3, "code": "CWR617", "verdict": "noise"}
    with pytest.raises(SystemExit, match=r"verdicts\.jsonl:2"):
        record([FINDING], [verdicts(tmp_path, good, bad)], "J9-1", judgments)
    assert not judgments.exists()


def test_kept_counts_judged_findings_a_run_still_reports_by_verdict_and_severity() -> None:
    from bench.reviewer.realcode import kept

    def judged(line: int, verdict: str, project: str = "p") -> dict:
        return {"project": project, "path": "src/a.py", "line": line, "code": "CWR617", "verdict": verdict}

    judgments = {
        ("p", "src/a.py", n, "CWR617"): judged(n, v) for n, v in ((3, "true"), (4, "false"), (5, "noise"), (6, "false"))
    }
    judgments[("q", "src/a.py", 3, "CWR617")] = judged(3, "false", "q")  # another project: not counted
    run = [
        FINDING,  # line 3, warning, judged true
        {**FINDING, "line": 4, "severity": "info"},  # judged false, kept at info
        {**FINDING, "line": 4, "column": 9, "severity": "warning"},  # same judgment: the more severe one stands
        {**FINDING, "line": 5, "severity": "info"},  # judged noise, kept at info only
        {**FINDING, "line": 7},  # not judged
    ]
    result = kept(run, judgments, {"p"})
    assert result["judged"] == {"true": 1, "false": 2, "noise": 1}
    assert result["any"] == {"true": 1, "false": 1, "noise": 1}
    assert result["posted"] == {"true": 1, "false": 1, "noise": 0}
    assert result["rules"] == {("CWR617", "warning"): {"true": 1, "false": 1}, ("CWR617", "info"): {"noise": 1}}
