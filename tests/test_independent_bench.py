"""The independent evaluation's data (bench/reviewer/independent/data) is well formed, and its scorer matches
findings to cases and keeps the validation half to aggregates. Needs no mirror: the end-to-end test builds
a tiny git repository as its mirror."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess

import pytest

from bench.reviewer.independent import __main__ as scorer
from bench.reviewer.independent import cases as cases_mod
from bench.reviewer.independent import mirror
from bench.reviewer.independent.cases import DataError, load_all, load_cases, load_suites
from bench.reviewer.independent.categories import CATEGORIES, INJECTION
from bench.reviewer.independent.extract import line_range
from bench.reviewer.independent.labelling import securityeval_half, sven_half
from bench.reviewer.independent.score import Score, flagged, in_scope, index
from bench.reviewer.independent.tools import Finding

HERE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench", "reviewer", "independent")


def test_every_suite_has_well_formed_cases():
    suites, cases = load_all()
    assert set(suites) == {name[:-4] for name in os.listdir(cases_mod.DATA) if name.endswith(".csv")}
    by_suite = {name: [c for c in cases if c.suite == name] for name in suites}
    assert all(by_suite.values()), "a suite without cases"
    assert len(cases) >= 1000
    for case in cases:
        assert case.category in CATEGORIES
        assert re.fullmatch(r"CWE-\d+", case.cwe)


def test_enough_cases_per_major_injection_category_and_safe_cases_to_measure_false_positives():
    _, cases = load_all()
    for category in ("sql", "command", "path", "xss", "code", "deserialization", "xxe"):
        assert sum(c.vulnerable for c in cases if c.category == category) >= 20, category
    safe = [c for c in cases if not c.vulnerable]
    assert len(safe) >= 400
    assert {c.category for c in safe} & INJECTION >= {"sql", "command", "path", "xss"}


def test_halves_are_split_by_project():
    suites, cases = load_all()
    halves: dict[str, set[str]] = {}
    for suite in suites.values():
        halves.setdefault(suite.repo, set()).add(suite.half)
    shared = {repo for repo, seen in halves.items() if len(seen) > 1}
    assert shared == {"eth-sri/sven", "s2e-lab/SecurityEval"}, "only collections of projects are split"
    for case in cases:
        if case.suite.startswith("sven-"):  # by the upstream project of the fixing commit
            project = re.search(r"(github\.com/[^/]+/[^/]+)/commit/", case.evidence).group(1)
            assert case.suite == f"sven-{sven_half(project)}", case.key
        if case.suite.startswith("securityeval-"):  # by where the examples come from
            assert case.suite == f"securityeval-{securityeval_half(case.path)}", case.key
    assert {s.half for s in suites.values()} == {"development", "validation", "probe"}
    for half in ("development", "validation"):
        assert sum(suites[c.suite].half == half for c in cases) >= 300


def test_readme_lists_every_fetch_source_and_the_split():
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    for suite in load_suites().values():
        assert suite.fetch in readme, suite.fetch
        assert suite.commit in readme, suite.commit
        assert re.search(rf"\b{re.escape(suite.name)}\b.*\b{suite.half}\b", readme), suite.name


def test_malformed_rows_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(cases_mod, "DATA", str(tmp_path))
    good = {"id": "a", "path": "x.py", "scope": "function:f", "label": "vulnerable", "category": "sql",
            "cwe": "CWE-89", "evidence": "the README says so"}  # fmt: skip
    bad_rows = [
        {"label": "maybe"}, {"category": "sqli"}, {"scope": "function:1x"}, {"scope": "lines:9-3"},
        {"cwe": "89"}, {"path": "/etc/x.py"}, {"path": "../x.py"}, {"evidence": ""}, {"scope": "jsonl:3:before"},
    ]  # fmt: skip
    for change in bad_rows:
        with open(tmp_path / "s.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, cases_mod.FIELDS)
            writer.writeheader()
            writer.writerow(good | change)
        with pytest.raises(DataError):
            load_cases("s")
    with open(tmp_path / "s.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, cases_mod.FIELDS)
        writer.writeheader()
        writer.writerow(good)
        writer.writerow(good)
    with pytest.raises(DataError, match="duplicate id"):
        load_cases("s")


def test_a_case_is_flagged_only_by_its_category_on_its_own_lines(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(
        "import os\n\n@app.route('/')\ndef f(x):\n    os.system(x)\n\nclass C:\n    def g(self):\n        pass\n"
    )
    case = cases_mod.Case("s", "1", "m.py", "function:f", True, "command", "CWE-78", "evidence")
    assert line_range(case, str(source)) == (3, 5)  # the decorator belongs to the function
    method = cases_mod.Case("s", "2", "m.py", "function:C.g", True, "command", "CWE-78", "evidence")
    assert line_range(method, str(source)) == (8, 9)
    missing = cases_mod.Case("s", "3", "m.py", "function:nope", True, "command", "CWE-78", "evidence")
    assert line_range(missing, str(source)) is None
    found = index([Finding(str(source), 5, 5, "CWR103"), Finding(str(source), 9, 9, "CWR101")])
    assert flagged("codeward", case, in_scope(found, str(source), (3, 5)))
    assert not flagged("codeward", method, in_scope(found, str(source), (8, 9)))  # CWR101 is SQL, not command
    assert flagged("bandit", case, [Finding(str(source), 5, 5, "B605")])
    score = Score()
    for vulnerable, hit in ((True, True), (True, False), (False, False), (False, True)):
        score.add(vulnerable, hit)
    assert (score.recall, score.fpr, score.informedness) == (0.5, 0.5, 0.0)
    assert Score(tp=1).informedness is None  # no safe case: J is not defined


def _git(*args: str, cwd: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})  # fmt: skip


def test_end_to_end_validation_half_prints_aggregates_only(tmp_path, monkeypatch, capsys):
    """A two-suite world from a real git mirror: codeward runs, the development case it misses is listed,
    nothing about a validation case is."""
    work = tmp_path / "src"
    work.mkdir()
    (work / "app.py").write_text(
        "import os\nfrom flask import Flask, request\napp = Flask(__name__)\n\n\n"
        "@app.route('/a')\ndef run_it():\n    os.system('ls ' + request.args['d'])\n    return 'ok'\n\n\n"
        "@app.route('/b')\ndef quiet():\n    return 'fine'\n"
    )
    _git("init", "-q", ".", cwd=str(work))
    _git("add", ".", cwd=str(work))
    _git("commit", "-qm", "x", cwd=str(work))
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, capture_output=True, text=True).stdout.strip()
    mirrors = tmp_path / "mirrors"
    (mirrors / "o+r").mkdir(parents=True)
    os.rename(work, mirrors / "o+r" / "repo")
    monkeypatch.setattr(mirror, "MIRRORS", str(mirrors))
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setattr(cases_mod, "DATA", str(data))
    suites = {name: {"repo": "o/r", "commit": commit, "half": half, "fetch": "github:o/r", "extract": "", "about": "t"}
              for name, half in (("dev", "development"), ("val", "validation"))}  # fmt: skip
    suites["gone"] = suites["val"] | {"repo": "o/absent", "fetch": "github:o/absent"}
    (data / "suites.json").write_text(json.dumps(suites))
    for name in ("dev", "val", "gone"):
        with open(data / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, cases_mod.FIELDS)
            writer.writeheader()
            for cid, func, label, category in (("hit", "run_it", "vulnerable", "command"),
                                               ("miss", "run_it", "vulnerable", "ssrf"),
                                               ("calm", "quiet", "safe", "command")):  # fmt: skip
                writer.writerow({"id": f"{name}-{cid}", "path": "app.py", "scope": f"function:{func}", "label": label,
                                 "category": category, "cwe": "CWE-78", "evidence": "written for this test"})  # fmt: skip
    code = scorer.main(["--tools", "codeward", "--cases", "--json", str(tmp_path / "out.json")])
    out = capsys.readouterr().out
    assert code == 0
    assert "- missed: dev:dev-miss [ssrf] app.py function:run_it" in out
    assert "val-" not in out  # no validation case is ever named
    assert "### validation half: 3 cases" in out
    assert "not scored, mirror missing: gone: no mirror of o/absent" in out and "github:o/absent" in out
    scores = json.loads((tmp_path / "out.json").read_text())["scores"]["codeward"]
    assert scores["development"]["total"]["overall"] == scores["validation"]["total"]["overall"]
    assert scores["validation"]["total"]["overall"]["tp"] == 1
    assert scores["validation"]["total"]["overall"]["fn"] == 1
    assert scores["validation"]["total"]["overall"]["tn"] == 1
    assert "val" not in scores["validation"]["suite"]  # a row of 3 cases is pooled, not shown
    assert "dev" in scores["development"]["suite"]
    assert scorer.main(["--keep", os.path.join(scorer.REPO, "bench", "out", "x")]) == 2
