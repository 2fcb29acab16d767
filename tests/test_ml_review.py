"""The classifier inside `codeward review`: confidences, the threshold, classifier-only secrets (CWR205),
`--secrets-only` on configuration files, feedback, and no scikit-learn on the review path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]

APP = """import subprocess
import yaml
from flask import Flask, request

app = Flask(__name__)
AWS_KEY = "AKIA2OGYBAH6STMCAWQB"
DOC_KEY = "AKIAIOSFODNN7EXAMPLE"
gateway = PaymentGateway(merchant_id=MID, key="kZ8rTq2VwN5xLp9sB3mYc7Hd4FgJ")
CHECKSUM = "d41d8cd98f00b204e9800998ecf8427e"
REQUEST_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"


@app.route("/run")
def run():
    cmd = request.args["cmd"]
    subprocess.run(cmd, shell=True, timeout=5)
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    # CWR205 runs only when asked for by name (judged 0 right of 11 on real code): these tests ask for it.
    (tmp_path / "pyproject.toml").write_text('[tool.codeward]\nextend-select = ["CWR205"]\n', encoding="utf-8")
    return tmp_path


def _review(*args: str, cwd: Path | None = None) -> tuple[int, list[dict], str]:
    code, out, err = run_cli("review", *args, "--format", "json", "--no-cache", cwd=str(cwd) if cwd else None)
    return code, json.loads(out)["findings"] if out.strip() else [], err


def test_review_never_imports_scikit_learn(repo: Path) -> None:
    # The worker processes answer over a pipe with pickled results: what is unpickled must be codeward's
    # own classes, never a model (the audit hook sees every class an unpickler looks up).
    script = (
        "import json, sys\nfound = set()\n"
        "sys.addaudithook(lambda e, a: found.add(a[0]) if e == 'pickle.find_class' else None)\n"
        "from codeward.cli import main\n"
        f"code = main(['review', {str(repo / 'app.py')!r}, '--no-cache', '--format', 'json', '-o', {str(repo / 'out.json')!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy', 'numpy'))\n"
        "foreign = sorted(m for m in found if m.split('.')[0] not in ('codeward', 'copyreg', 'builtins'))\n"
        "print(json.dumps([code, heavy, foreign]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    code, heavy, foreign = json.loads(done.stdout.strip().splitlines()[-1])
    assert code == 1 and heavy == [] and foreign == []
    findings = json.loads((repo / "out.json").read_text())["findings"]
    assert {"CWR201", "CWR102", "CWR205"} <= {f["code"] for f in findings}


def test_findings_carry_calibrated_confidence(repo: Path) -> None:
    code, findings, _ = _review(str(repo / "app.py"))
    assert code == 1
    by_code = {f["code"]: f for f in findings}
    # The finding-confidence model (trained on judged real findings) scores every finding of the rules it knows:
    # a live-format AWS key and a request reaching a shell stay well above the default threshold (0.05).
    assert 0.3 <= by_code["CWR201"]["confidence"] <= 1.0 and by_code["CWR201"]["line"] == 6
    assert 0.8 <= by_code["CWR102"]["confidence"] <= 1.0 and by_code["CWR102"]["line"] == 16
    likely = by_code["CWR205"]
    assert (likely["line"], likely["column"]) == (8, 47) and likely["confidence"] >= 0.5
    assert "kZ8r" in likely["message"] and "kZ8rTq2VwN5xLp9sB3mYc7Hd4FgJ" not in json.dumps(findings)
    # The look-alikes (documentation key, digest, UUID) are not reported, and unscored rules carry no confidence.
    assert not [f for f in findings if f["line"] in (7, 9, 10)]
    assert all("confidence" in f for f in findings if f["code"] in ("CWR201", "CWR102", "CWR205"))


def test_threshold_show_all_and_config(repo: Path) -> None:
    _, everything, _ = _review(str(repo / "app.py"), "--min-confidence", "0")
    scored = sorted(f["confidence"] for f in everything if "confidence" in f)
    lowest = scored[0]
    _, above, _ = _review(str(repo / "app.py"), "--min-confidence", str(min(1.0, lowest + 1e-4)))
    assert len(above) == len(everything) - scored.count(lowest)
    _, shown, _ = _review(str(repo / "app.py"), "--min-confidence", "1", "--show-all")
    assert len(shown) == len(everything)
    _, strict, _ = _review(str(repo / "app.py"), "--min-confidence", "1")
    assert all("confidence" not in f for f in strict)  # only findings of unscored rules could remain
    (repo / "pyproject.toml").write_text("[tool.codeward.reviewer]\nmin-confidence = 1.0\n", encoding="utf-8")
    _, configured, _ = _review(str(repo / "app.py"))
    assert configured == strict
    (repo / "pyproject.toml").write_text('[tool.codeward.reviewer]\nmin-confidence = "high"\n', encoding="utf-8")
    code, _, err = _review(str(repo / "app.py"))
    assert code == 2 and "min-confidence must be a number from 0 to 1" in err


def test_bad_threshold_is_a_usage_error(repo: Path) -> None:
    code, _, err = run_cli("review", str(repo / "app.py"), "--min-confidence", "1.5")
    assert code == 2 and "outside 0 to 1" in err


def test_secrets_only_scores_configuration_values(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "REGION=eu-west-1\nPAYMENTS_API_KEY=Zq8mT3vWx9LpB2nR7sKd4HfJ6gYc\nAPI_KEY=YOUR_API_KEY\n"
        "GITHUB_TOKEN=ghp_Xy7k2LmN9pQrS4tUvW8xYz1aBcDeFgHiJkLm\n",
        encoding="utf-8",
    )
    # CWR205 runs in the hook as in review: only when asked for by name (judged 0 right of 11 on real code).
    code, out, _ = run_cli("review", "--secrets-only", str(tmp_path), "--format", "json", "--no-cache")
    assert code == 1
    assert [(f["line"], f["code"]) for f in json.loads(out)["findings"]] == [(4, "CWR201")]
    code, out, _ = run_cli(
        "review", "--secrets-only", str(tmp_path), "--format", "json", "--no-cache", "--extend-select", "CWR205"
    )
    findings = json.loads(out)["findings"]
    assert code == 1
    assert sorted((f["line"], f["code"]) for f in findings) == [(2, "CWR205"), (4, "CWR201")]
    assert "Zq8mT3vWx9LpB2nR7sKd4HfJ6gYc" not in out


def test_feedback_not_useful_stops_a_finding(repo: Path) -> None:
    _, findings, _ = _review("app.py", cwd=repo)
    target = next(f for f in findings if f["code"] == "CWR205")
    code, _, err = run_cli("feedback", target["fingerprint"][:10], "--not-useful", cwd=str(repo))
    assert code == 0, err
    assert "recorded CWR205" in err and "will not be reported again" in err
    stored = json.loads((repo / ".codeward-feedback.json").read_text())
    (entry,) = stored["findings"].values()
    assert entry["verdict"] == "not-useful" and entry["category"] == "secrets" and entry["path"] == "app.py"
    assert len(entry["features"]["numeric"]) > 10 and "kZ8rTq2VwN5xLp9sB3mYc7Hd4FgJ" not in json.dumps(stored)
    # Gone however the path is named, the other findings stay.
    _, after, _ = _review(str(repo / "app.py"))
    assert {f["code"] for f in after} == {f["code"] for f in findings} - {"CWR205"}
    # The verdict can be reversed, and it is a training label.
    assert run_cli("feedback", target["fingerprint"], "--useful", cwd=str(repo))[0] == 0
    _, again, _ = _review("app.py", cwd=repo)
    assert "CWR205" in {f["code"] for f in again}
    from codeward.reviewer.ml.train import feedback_records

    (record,) = feedback_records(repo / ".codeward-feedback.json")
    assert (record["category"], record["label"], record["source"]) == ("secrets", 1, "feedback")


def test_feedback_errors_are_actionable(repo: Path) -> None:
    code, _, err = run_cli("feedback", "0123456789abcdef", "--useful", cwd=str(repo))
    assert code == 2 and "no finding with fingerprint 0123456789abcdef" in err and "--format json" in err
    code, _, err = run_cli("feedback", "nothex!", "--useful", cwd=str(repo))
    assert code == 2 and "is not a fingerprint" in err
    (repo / ".codeward-feedback.json").write_text("[1, 2", encoding="utf-8")
    code, _, err = run_cli("review", "app.py", cwd=str(repo))
    assert code == 2 and "cannot read the feedback file" in err and "fix or delete it" in err
