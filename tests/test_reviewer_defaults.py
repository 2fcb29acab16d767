"""What a review reports by default: the rule set by measured precision, info off pull requests, same-line
merges, the test profile, other tools' suppressions, and one finding per secret across review and the scan."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from codeward.reviewer import measured
from codeward.reviewer.foreign import BANDIT, NOT_IN_RUFF, by_foreign_id, markdown_table, ruff_codes
from codeward.reviewer.measured import INFO_BAR, THRESHOLD, counts, in_default_set
from codeward.reviewer.rules import all_rules

from codeward.findings import Severity
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]


def review(tmp_path: Path, files: dict[str, str], *args: str) -> list[dict]:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    # In the test process (the command's own code, without a Python start-up per call: these tests review
    # a few lines dozens of times); the tests below that need a real process start one.
    code, out, err = run_cli("review", ".", "--no-cache", "--format", "json", "--exit-zero", *args, cwd=str(tmp_path))
    assert code == 0, err
    return [
        {"path": f["path"].removeprefix("./"), "line": f["line"], "code": f["code"], "severity": f["severity"],
         "message": f["message"], "notes": f.get("notes", [])}
        for f in json.loads(out)["findings"]
    ]  # fmt: skip


def codes(findings: list[dict]) -> list[tuple[str, int, str]]:
    return sorted((f["path"], f["line"], f["code"]) for f in findings)


# -- the default set ---------------------------------------------------------------------------------------------

LOG_INJECTION = (
    "from flask import Flask, request\nimport logging\napp = Flask(__name__)\nlog = logging.getLogger(__name__)\n\n"
    "@app.route('/login')\ndef login():\n    log.info('login for %s', request.args['user'])\n    return 'ok'\n"
)


BARE_EXCEPT = (
    "def f(run, log):\n    try:\n        return run()\n    except:\n        log('failed')\n        return None\n"
)


def test_rules_under_the_threshold_never_wrong_report_at_info_until_asked(tmp_path: Path) -> None:
    assert counts("CWR603") is not None and counts("CWR603")[1] == 0  # measured: never wrong, never wanted
    assert in_default_set("CWR603") and measured.demoted("CWR603")
    found = review(tmp_path, {"m.py": BARE_EXCEPT}, "--isolated", "--show-all")
    assert [(f["line"], f["code"], f["severity"]) for f in found] == [(4, "CWR603", "info")]
    asked = review(tmp_path, {"m.py": BARE_EXCEPT}, "--isolated", "--show-all", "--select", "CWR603")
    assert [(f["line"], f["code"], f["severity"]) for f in asked] == [(4, "CWR603", "warning")]


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch):
    """Replace the measured table (true, false, noise per rule) for one test."""

    def use(table: dict[str, tuple[int, int, int]], info: dict[str, tuple[int, int, int]] | None = None) -> None:
        """`table`: findings judged at the rule's own severity; `info`: those it reported at info."""
        rows: dict[str, dict] = {
            code: dict(zip(("true", "false", "noise"), found, strict=True)) for code, found in table.items()
        }
        for code, found in (info or {}).items():
            rows.setdefault(code, {})["info"] = dict(zip(("true", "false", "noise"), found, strict=True))
        monkeypatch.setattr(measured, "table", lambda: rows)
        for cached in (measured.in_default_set, measured.demoted, measured.mostly_wrong):
            cached.cache_clear()

    yield use
    for cached in (measured.in_default_set, measured.demoted, measured.mostly_wrong):
        cached.cache_clear()


def test_rules_mostly_judged_wrong_are_off_by_default_and_run_when_asked(tmp_path: Path, judged) -> None:
    judged({"CWR603": (1, 5, 2)})  # under INFO_BAR, and wrong: off
    assert not in_default_set("CWR603")
    assert codes(review(tmp_path, {"m.py": BARE_EXCEPT}, "--isolated", "--show-all")) == []
    assert codes(review(tmp_path, {"m.py": BARE_EXCEPT}, "--isolated", "--show-all", "--select", "CWR603")) == [
        ("m.py", 4, "CWR603")
    ]
    (tmp_path / "pyproject.toml").write_text('[tool.codeward]\nextend-select = ["CWR603"]\n', encoding="utf-8")
    assert codes(review(tmp_path, {"m.py": BARE_EXCEPT}, "--show-all")) == [("m.py", 4, "CWR603")]
    # Right half the time, though sometimes wrong: at info, not off.
    judged({"CWR603": (4, 2, 2)})
    assert in_default_set("CWR603") and measured.demoted("CWR603")
    judged({"CWR603": (3, 1, 4)})  # 0.375: under the bar for info
    assert not in_default_set("CWR603")


def test_security_rules_under_the_threshold_report_at_info_until_asked(tmp_path: Path, judged) -> None:
    judged({"CWR116": (1, 3, 2)})  # right once, wrong three times: kept at info (the labelled suites measure it)
    assert in_default_set("CWR116") and measured.demoted("CWR116") and not measured.mostly_wrong("CWR116")
    # --show-all: the classifier's confidence is not what this test is about.
    found = review(tmp_path, {"app.py": LOG_INJECTION}, "--isolated", "--show-all")
    assert [(f["line"], f["code"], f["severity"]) for f in found] == [(8, "CWR116", "info")]
    asked = review(tmp_path, {"app.py": LOG_INJECTION}, "--isolated", "--show-all", "--select", "CWR116")
    assert [(f["line"], f["code"], f["severity"]) for f in asked] == [(8, "CWR116", "warning")]


def test_security_rules_never_right_on_real_code_are_off_until_asked(tmp_path: Path, judged) -> None:
    judged({"CWR116": (0, 12, 7)})  # never right, but only 19 judged: still at info
    assert in_default_set("CWR116") and not measured.mostly_wrong("CWR116")
    judged({"CWR116": (0, 13, 7)})  # never right in 20: off, its wrong findings would show even at info
    assert not in_default_set("CWR116") and measured.mostly_wrong("CWR116")
    judged({"CWR116": (2, 29, 19)})  # right twice in 50, under once in 20: off as well
    assert not in_default_set("CWR116") and measured.mostly_wrong("CWR116")
    judged({"CWR116": (3, 29, 18)})  # right 3 times in 50, over once in 20: at info
    assert in_default_set("CWR116") and not measured.mostly_wrong("CWR116")
    judged({"CWR116": (0, 13, 7)})
    assert not in_default_set("CWR116") and measured.mostly_wrong("CWR116")
    assert review(tmp_path, {"app.py": LOG_INJECTION}, "--isolated", "--show-all") == []
    asked = review(tmp_path, {"app.py": LOG_INJECTION}, "--isolated", "--show-all", "--select", "CWR116")
    assert [(f["line"], f["code"], f["severity"]) for f in asked] == [(8, "CWR116", "warning")]


def test_under_a_bar_needs_min_judged_findings_or_a_settled_figure() -> None:
    # MIN_JUDGED (5) judged findings or more: the precision itself, the bar included in "not under".
    assert [measured.under(found, THRESHOLD) for found in ((4, 1, 0), (3, 1, 1), (8, 2, 0), (7, 2, 1))] == [
        False, True, False, True,
    ]  # fmt: skip
    # Fewer: under only if the findings missing to reach 5, all judged right, would still leave it under.
    assert [measured.under(found, THRESHOLD) for found in ((0, 1, 0), (0, 0, 1), (3, 0, 1), (0, 2, 0), (2, 1, 1))] == [
        False, False, False, True, True,
    ]  # fmt: skip
    assert [measured.under(found, INFO_BAR) for found in ((0, 2, 0), (1, 2, 0), (0, 3, 0), (0, 1, 2))] == [
        False, False, True, True,
    ]  # fmt: skip


SQL_INJECTION = (
    "import sqlite3\nfrom flask import Flask, request\napp = Flask(__name__)\ndb = sqlite3.connect('app.db')\n\n"
    "@app.route('/u')\ndef user():\n    db.execute(\"DELETE FROM users WHERE name = '%s'\" % request.args['name'])\n"
    "    return 'ok'\n"
)


def test_one_judged_finding_does_not_move_a_rule(tmp_path: Path, judged) -> None:
    # SQL injection (CWR101, error) judged once, wrong: one verdict that four more could outweigh keeps its level.
    judged({"CWR101": (0, 1, 0)})
    assert in_default_set("CWR101") and not measured.demoted("CWR101") and not measured.mostly_wrong("CWR101")
    found = review(tmp_path, {"app.py": SQL_INJECTION}, "--isolated", "--show-all")
    assert [(f["line"], f["code"], f["severity"]) for f in found] == [(8, "CWR101", "error")]
    assert measured.describe("CWR101") == (
        "Precision on real code: 0.00 (0 true, 1 false, 0 not worth a comment, of 1 judged; fewer than 5 judged "
        "findings leave its level as it is unless no 5 could reach 0.8). Default: on."
    )
    # Wrong twice: no 5 judged findings can reach 0.8 any more; a security rule goes to info.
    judged({"CWR101": (0, 2, 0)})
    assert in_default_set("CWR101") and measured.demoted("CWR101")
    found = review(tmp_path, {"app.py": SQL_INJECTION}, "--isolated", "--show-all")
    assert [(f["line"], f["code"], f["severity"]) for f in found] == [(8, "CWR101", "info")]
    # Another rule (not security): at info while 5 could still reach half right, off once they cannot.
    judged({"CWR603": (2, 2, 0)})
    assert in_default_set("CWR603") and measured.demoted("CWR603")
    judged({"CWR603": (0, 3, 0)})
    assert not in_default_set("CWR603") and not measured.demoted("CWR603") and not measured.mostly_wrong("CWR603")


def test_levels_under_another_table_leave_the_current_one_in_place() -> None:
    # What `realcode score --write-precision` prints: each rule's default level under the new counts.
    current = measured.level("CWR101")
    table = {"CWR101": {"true": 0, "false": 2, "noise": 0}, "CWR603": {"true": 1, "false": 5, "noise": 2},
             "CWR610": {"true": 8, "false": 0, "noise": 2}}  # fmt: skip
    found = measured.levels(table)
    assert (found["CWR101"], found["CWR603"], found["CWR610"], found["CWR119"]) == ("info", "off", "warning", "warning")
    assert measured.levels({"CWR101": {"true": 0, "false": 1, "noise": 0}})["CWR101"] == "error"
    assert measured.level("CWR101") == current


def test_info_rules_judged_mostly_wrong_are_off(judged) -> None:
    # An info rule (unhandled ClientError) is measured at every severity it reports: info counts are under "info".
    judged({}, info={"CWR408": (1, 3, 6)})  # wrong 3 of 10: off
    assert measured.totals("CWR408") == (1, 3, 6) and not in_default_set("CWR408")
    judged({}, info={"CWR408": (1, 2, 7)})  # wrong 2 of 10: stays at info
    assert in_default_set("CWR408")
    judged({}, info={"CWR408": (0, 2, 2)})  # wrong half the time, but only 4 judged: too few to turn it off
    assert in_default_set("CWR408")


def test_a_rule_right_at_its_own_severity_keeps_its_place_despite_wrong_info_reports(judged) -> None:
    # CWR605 on real code: right 2 of 2 at error; its conditional info reports ("if `x` is a dict") wrong 3 of 3.
    judged({"CWR605": (2, 0, 0)}, info={"CWR605": (0, 3, 0)})
    assert measured.totals("CWR605") == (2, 3, 0)
    assert in_default_set("CWR605") and not measured.mostly_wrong("CWR605") and not measured.demoted("CWR605")
    # Under the bar at its own severity but never wrong there (3 true, 2 not worth a comment): at info, not off.
    judged({"CWR605": (3, 0, 2)}, info={"CWR605": (0, 3, 0)})
    assert in_default_set("CWR605") and not measured.mostly_wrong("CWR605") and measured.demoted("CWR605")
    # Wrong at its own severity as well: off.
    judged({"CWR605": (2, 1, 0)}, info={"CWR605": (0, 3, 0)})
    assert not in_default_set("CWR605") and measured.mostly_wrong("CWR605")


def test_default_set_follows_the_measured_precision() -> None:
    for rule in all_rules():
        found = counts(rule.code)
        if found is None:
            # Judged only at info (its own severity, or demoted): off only when mostly wrong there.
            assert in_default_set(rule.code) != measured.mostly_wrong(rule.code), rule.code
            continue
        # Fewer than MIN_JUDGED judged: under a bar only if the missing ones, all right, would leave it under.
        missing = max(0, measured.MIN_JUDGED - sum(found))
        best = (found[0] + missing) / (sum(found) + missing)
        precise = best >= THRESHOLD
        never_wrong = found[1] == 0 or best >= INFO_BAR  # reported at info by default (demoted)
        weakness = rule.category in ("security", "input-validation", "secrets")  # demoted too
        # Over every severity: wrong at least WRONG_BAR of the time, right under INFO_BAR; a security rule only
        # when right less than once in NEVER_RIGHT_AFTER (20) judged, with 20 judged at least.
        true, false, noise = measured.totals(rule.code) or (0, 0, 0)
        judged_all = true + false + noise
        right_at_own = found[1] == 0 and found[0] / sum(found) >= INFO_BAR  # never wrong there, right half the time
        wrong = (
            not precise  # right at its own severity: its wrong info reports do not turn it off
            and not right_at_own
            and judged_all >= measured.MIN_JUDGED
            and true / judged_all < INFO_BAR
            and false / judged_all >= measured.WRONG_BAR
            and (not weakness or (judged_all >= measured.NEVER_RIGHT_AFTER and true / judged_all < 1 / 20))
        )
        # An opt-in rule (every kind of finding it makes judged wrong, none right) is off whatever the figures.
        expected = (
            not wrong and not rule.opt_in and (precise or rule.severity is Severity.INFO or never_wrong or weakness)
        )
        assert in_default_set(rule.code) == expected, rule.code
        assert f"{found[0]} true" in rule.measured()


def test_an_opt_in_rule_is_off_by_default_and_says_so() -> None:
    # CWR205 (the secret classifier's guesses): judged on real code 0 true, 9 false, 2 not worth a comment.
    from codeward.reviewer.rules import rule_for

    rule = rule_for("CWR205")
    assert rule is not None and rule.opt_in and not in_default_set("CWR205")
    assert rule.measured().endswith("Default: off (select it to run it).")
    assert [r.code for r in all_rules() if r.opt_in] == ["CWR205"]


def test_info_findings_stay_off_pull_requests_unless_asked() -> None:
    from codeward.reviewer.command import postable

    from codeward.findings import Finding, Span

    info = Finding("CWR607", "naive", "a.py", Span(1, 1, 1, 2), Severity.INFO)
    warning = Finding("CWR610", "no timeout", "a.py", Span(2, 1, 2, 2), Severity.WARNING)
    assert postable([info, warning], []) == [warning]
    assert postable([info, warning], ["CWR6"]) == [info, warning]


def test_info_never_fails_a_run(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text("import datetime\nstamp = datetime.datetime.utcnow()\n", encoding="utf-8")
    # --show-all: the finding-confidence threshold may hide this info finding (judges never wanted CWR607).
    run = subprocess.run([sys.executable, "-m", "codeward", "review", "t.py", "--isolated", "--no-cache", "--show-all"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert "CWR607" in run.stdout and run.returncode == 0


# -- same-line duplicates ----------------------------------------------------------------------------------------


def test_a_bare_except_pass_is_one_finding(tmp_path: Path) -> None:
    text = "def f(run):\n    try:\n        run()\n    except:\n        pass\n"
    found = review(tmp_path, {"m.py": text}, "--isolated", "--select", "ALL")
    assert codes(found) == [("m.py", 4, "CWR602")]
    assert any(note.startswith("also CWR603: bare except") for note in found[0]["notes"])


def test_two_findings_of_one_rule_on_a_line_merge(tmp_path: Path) -> None:
    text = "def f(a, b):\n    if a == None or b == None:\n        return 0\n"
    # Named, so that the default confidence threshold does not hide it (judges never wanted this comment).
    found = review(tmp_path, {"m.py": text}, "--isolated", "--select", "CWR616")
    assert codes(found) == [("m.py", 2, "CWR616")]
    assert found[0]["notes"][-1].startswith("also: compare with None")


def test_full_loader_is_an_error_only_for_a_document_from_outside(tmp_path: Path) -> None:
    # FullLoader no longer runs code since PyYAML 5.4; formica-cli's full_load of the operator's own templates
    # was judged not worth a comment, migration-factory's of uploaded packages true.
    text = (
        "import yaml\nfrom flask import request\n\ndef own():\n    return yaml.full_load(open('stack.yml'))\n\n"
        "def upload():\n    return yaml.full_load(request.files['f'])\n"
    )
    found = review(tmp_path, {"app.py": text}, "--isolated", "--show-all")
    assert [(f["line"], f["code"], f["severity"]) for f in found] == [(5, "CWR106", "info"), (8, "CWR106", "error")]


# -- the test profile --------------------------------------------------------------------------------------------

FIXTURES = (
    "import pickle, boto3, requests\n\n"
    "def test_roundtrip(obj):\n    assert pickle.loads(pickle.dumps(obj)) == obj\n\n"
    "def test_server(port):\n    assert requests.get(f'http://127.0.0.1:{port}/').ok\n\n"
    "def test_region():\n    s3 = boto3.client('s3', region_name='us-east-1')\n    s3.create_bucket(Bucket='b')\n\n"
    "KEY = '''-----BEGIN RSA PRIVATE KEY-----\nMIICWwIBAAKBgQCXVuwcMk+JmVSKuQ1K4dZx4Z1dEcRQ\n-----END RSA PRIVATE KEY-----'''\n"
    "LIVE = 'AKIA2OGYBAH6STMCAWQB'\n\n"
    "def test_listing():\n    s3 = boto3.client('s3')\n    assert s3.list_objects_v2(Bucket='b')['KeyCount'] == 1\n\n"
    "from flask import Flask, request\napp = Flask(__name__)\n\n@app.route('/echo')\ndef echo():\n"
    "    return request.args['q']\n\n"
    "import ssl, tempfile\n\ndef test_tls():\n    ctx = ssl.create_default_context()\n    ctx.check_hostname = False\n"
    "    return ctx, tempfile.mktemp()\n\n"
    "import subprocess\n\ndef test_cli(tmp):\n    subprocess.run(f'ls {tmp}', shell=True, check=True, timeout=9)\n\n"
    "import random\n\ndef test_config():\n    password = str(random.randint(10000, 99999))\n    return password\n\n"
    "def test_batch():\n    ddb = boto3.client('dynamodb')\n    ddb.batch_write_item(RequestItems={'t': []})\n"
)


# A secret access key next to the access key id makes the pair a usable credential.
PAIR = "\nSECRET = 'q8Vn3TfY0bLr7WkEo2Zs9HcXu5Ad1Gm4Pj6Ki/+N'\n"


def test_test_code_gets_the_test_profile(tmp_path: Path) -> None:
    found = review(tmp_path, {"tests/test_app.py": FIXTURES + PAIR}, "--isolated", "--select", "ALL", "--show-all")
    # A live AWS key pair is reported in tests too; fixtures, round trips, local servers and regions are not.
    assert codes(found) == [("tests/test_app.py", 16, "CWR201")]


def test_a_lone_access_key_id_in_tests_is_a_fixture(tmp_path: Path) -> None:
    # aws-config-rules' IAM_ACCESS_KEY_ROTATED_test.py makes up ids for mocked IAM answers: an id grants nothing.
    found = review(tmp_path, {"tests/test_app.py": FIXTURES}, "--isolated", "--select", "ALL", "--show-all")
    assert codes(found) == []
    strict = review(tmp_path, {"tests/test_app.py": FIXTURES}, "--isolated", "--profile", "strict")
    assert ("tests/test_app.py", 16, "CWR201") in codes(strict)


def test_a_tests_module_named_with_a_plural_suffix_is_test_code(tmp_path: Path) -> None:
    # `token_authorizer_tests.py` (virtual-waiting-room-on-aws): its fixture JWT is test data, as in test_*.py.
    jwt = "'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJTYW1wbGUiLCJleHAiOjE2NjM5Nzc5NjJ9.UkYE9edglO6kPN5_r3wy9OeP15w7iB3M'"
    files = {"authorizer_tests.py": f"TOKEN = {jwt}\n", "authorizer.py": f"TOKEN = {jwt}\n"}
    assert codes(review(tmp_path, files, "--isolated", "--show-all")) == [("authorizer.py", 1, "CWR201")]


def test_nosec_b105_silences_a_token_found_by_its_format(tmp_path: Path) -> None:
    # bandit's B105 looks at the literal a name such as TOKEN is given, where CWR201 finds a JWT; `#nosec` without
    # a space is bandit's spelling too.
    jwt = "'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJTYW1wbGUiLCJleHAiOjE2NjM5Nzc5NjJ9.UkYE9edglO6kPN5_r3wy9OeP15w7iB3M'"
    text = f"TOKEN = {jwt}{{comment}}\n"
    assert codes(review(tmp_path, {"m.py": text.format(comment="")}, "--isolated")) == [("m.py", 1, "CWR201")]
    assert codes(review(tmp_path, {"m.py": text.format(comment="  #nosec B105")}, "--isolated")) == []
    assert codes(review(tmp_path, {"m.py": text.format(comment="  # noqa: S105")}, "--isolated")) == []


def test_strict_profile_reviews_tests_like_production(tmp_path: Path) -> None:
    found = {code for _, _, code in codes(review(tmp_path, {"tests/test_app.py": FIXTURES}, "--isolated", "--select",
                                                "ALL", "--profile", "strict"))}  # fmt: skip
    # A pickle round trip loads only what the code itself dumped: the data-flow analysis knows (no CWR105).
    assert {"CWR610", "CWR409", "CWR201", "CWR402", "CWR110", "CWR103", "CWR305", "CWR404"} <= found
    assert "CWR105" not in found


def test_the_same_code_outside_tests_is_reviewed(tmp_path: Path) -> None:
    found = {code for _, _, code in codes(review(tmp_path, {"app/roundtrip.py": FIXTURES}, "--isolated", "--select",
                                                "ALL"))}  # fmt: skip
    assert {"CWR610", "CWR409", "CWR402", "CWR110", "CWR302", "CWR306", "CWR103", "CWR305", "CWR404"} <= found


@pytest.mark.parametrize("folder", ["examples", "samples"])
def test_example_code_keeps_its_placeholders_quiet(tmp_path: Path, folder: str) -> None:
    text = (
        "import boto3\n\nPASSWORD = 'h7Qw!pL2zX'\nBROKER = 'amqp://guest:guest@localhost//'\n"
        "KEY = 'AKIA2OGYBAH6STMCAWQB'\ns3 = boto3.client('s3', region_name='us-west-2')\n"
    )
    quiet = codes(review(tmp_path, {f"{folder}/app.py": text}, "--isolated", "--select", "ALL"))
    assert quiet == []  # a lone access key id grants nothing: an example's placeholder
    paired = codes(review(tmp_path, {f"{folder}/app.py": text + PAIR}, "--isolated", "--select", "ALL"))
    assert paired == [(f"{folder}/app.py", 5, "CWR201")]  # a key pair is a credential wherever it is
    loud = {code for _, _, code in codes(review(tmp_path, {"app/main.py": text}, "--isolated", "--select", "ALL"))}
    assert {"CWR201", "CWR202", "CWR203", "CWR409"} <= loud
    strict = {code for _, _, code in codes(review(tmp_path, {f"{folder}/app.py": text}, "--isolated", "--select",
                                                   "ALL", "--profile", "strict"))}  # fmt: skip
    assert {"CWR202", "CWR203", "CWR409"} <= strict


def test_celery_style_t_folders_are_tests(tmp_path: Path) -> None:
    found = review(tmp_path, {"t/unit/test_app.py": FIXTURES + PAIR}, "--isolated", "--select", "ALL", "--show-all")
    assert codes(found) == [("t/unit/test_app.py", 16, "CWR201")]


def test_test_paths_are_configurable(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.codeward]\nselect = ["ALL"]\n[tool.codeward.reviewer]\ntest-paths = ["checks/**"]\n', encoding="utf-8"
    )
    found = review(tmp_path, {"checks/roundtrip.py": FIXTURES + PAIR, "tests/test_app.py": FIXTURES}, "--show-all")
    paths = {path for path, _, _ in codes(found)}
    assert "checks/roundtrip.py" in paths and codes(found)[0][0] == "checks/roundtrip.py"
    assert {code for path, _, code in codes(found) if path.startswith("checks/")} == {"CWR201"}
    assert {"CWR610"} <= {code for path, _, code in codes(found) if path.startswith("tests/")}


def test_bad_reviewer_options_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.codeward.reviewer]\nprofile = "lenient"\n', encoding="utf-8")
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "codeward", "review", "a.py"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert run.returncode == 2 and 'profile must be "default" or "strict"' in run.stderr


# -- suppressions teams already have -----------------------------------------------------------------------------


def test_the_mapping_works_both_ways() -> None:
    table = by_foreign_id()
    for code, tests in BANDIT.items():
        for test in tests:
            assert code in table[test], (code, test)
            if test not in NOT_IN_RUFF:
                assert code in table["S" + test[1:]], (code, test)
        assert set(ruff_codes(code)) == {"S" + t[1:] for t in tests if t not in NOT_IN_RUFF}
    for foreign, rules in table.items():
        assert all(foreign[1:] in {t[1:] for t in BANDIT[rule]} for rule in rules), foreign


def test_the_mapping_table_in_the_docs_is_current() -> None:
    assert markdown_table() in (ROOT / "docs" / "reviewer.md").read_text(encoding="utf-8")


NO_TIMEOUT = "import requests\n\ndef get(u):\n    return requests.get(u){comment}\n"


@pytest.mark.parametrize("comment", ["  # nosec", "  # nosec B113", "  # nosec: B113", "  # noqa: S113",
                                     "  # noqa: E501,S113", "  # NOSONAR python:S4423"])  # fmt: skip
def test_foreign_comments_silence_the_mapped_rule(tmp_path: Path, comment: str) -> None:
    found = review(tmp_path, {"m.py": NO_TIMEOUT.format(comment=comment)}, "--isolated")
    assert codes(found) == []
    again = review(tmp_path, {"m.py": NO_TIMEOUT.format(comment=comment)}, "--isolated", "--no-foreign-suppressions")
    assert codes(again) == [("m.py", 4, "CWR610")]


def test_nosec_b601_silences_the_paramiko_command_finding(tmp_path: Path) -> None:
    # bandit's B601 is paramiko's exec_command: the same call CWR103 reports when the command is built unquoted.
    text = (
        "import paramiko\n\ndef add(ssh: paramiko.SSHClient, user):\n"
        "    ssh.exec_command('sudo useradd ' + user){comment}\n"
    )
    # A command built from a variable is an opt-in kind of CWR103's findings: asked for by name here.
    asked = ("--isolated", "--extend-select", "CWR103")
    assert codes(review(tmp_path, {"m.py": text.format(comment="")}, *asked)) == [("m.py", 4, "CWR103")]
    assert codes(review(tmp_path, {"m.py": text.format(comment="  # nosec B601")}, *asked)) == []
    assert codes(review(tmp_path, {"m.py": text.format(comment="  # noqa: S601")}, *asked)) == []


@pytest.mark.parametrize("comment", ["  # nosec B602", "  # noqa: S602", "  # noqa: E501"])
def test_foreign_comments_for_other_checks_do_not(tmp_path: Path, comment: str) -> None:
    found = review(tmp_path, {"m.py": NO_TIMEOUT.format(comment=comment)}, "--isolated")
    assert ("m.py", 4, "CWR610") in codes(found)


def test_unused_foreign_suppressions_are_reported_like_our_own(tmp_path: Path) -> None:
    text = "import requests\n\ndef get(u):\n    return requests.get(u, timeout=5)  # nosec B113\n"
    found = review(tmp_path, {"m.py": text}, "--isolated")
    assert codes(found) == [("m.py", 4, "CWR002")]
    assert "# nosec B113" in found[0]["message"]
    # A bare `# nosec` may serve bandit's own checks: codeward cannot call it unused.
    bare = review(tmp_path, {"m.py": text.replace("nosec B113", "nosec")}, "--isolated")
    assert codes(bare) == []


@pytest.mark.parametrize(
    "line",
    [
        # bandit's B601 flags every paramiko exec_command, B602 every shell=True, B608 every SQL-looking string,
        # B113 a request without timeout=: codeward, quiet on these constants, cannot call the comments unused.
        "    ssh.exec_command('uptime')  # nosec B601",
        "    subprocess.run('ls -l', shell=True)  # nosec B602",
        "    cur.execute('SELECT 1 FROM t')  # noqa: S608",
        "    requests.get(**params)  # nosec B113",
    ],
)
def test_foreign_suppressions_bandit_may_still_need_are_not_called_unused(tmp_path: Path, line: str) -> None:
    text = f"import requests, subprocess\n\ndef run(ssh, cur, params):\n{line}\n"
    assert codes(review(tmp_path, {"m.py": text}, "--isolated")) == []
    # Where bandit's test has nothing to look at, the comment is stale: reported.
    stale = text.replace(line.split("  #")[0], "    x = 1")
    assert codes(review(tmp_path, {"m.py": stale}, "--isolated")) == [("m.py", 4, "CWR002")]


# -- secrets -----------------------------------------------------------------------------------------------------

SECRETS = (
    "import requests\n"
    "TWILIO_AUTH_TOKEN = '3f9a6c2e8b1d4f7a9c0e2b5d8f1a3c6e'\n"
    "STRIPE_SECRET = 'c2VjcmV0LWtleS1mb3ItdGhlLXN0cmlwZS1hY2NvdW50'\n"
    "AWS_ACCESS_KEY_ID = 'AKIA2OGYBAH6STMCAWQB'\n"
    "DOC_KEY = 'AKIAIOSFODNN7EXAMPLE'\n"
    "SENDER = 'AIDAIENQZJOLO23YVJ4VO'\n"
    "TOKEN = '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'\n"
    "r = requests.get('https://x.example', auth=('deploy', 'Xk9#mP2$vL7q'), timeout=5)\n"
)


def test_one_finding_per_secret_in_review_and_the_secrets_scan(tmp_path: Path) -> None:
    # CWR202 reports at info in review by default (judged 0 of 3 on real code: fixtures of a test task); the
    # secrets hook checks every secret, and a review that asks for the secrets rules reports the same findings.
    by_default = review(tmp_path, {"settings.py": SECRETS}, "--isolated", "--show-all")
    assert [(f["line"], f["code"], f["severity"]) for f in by_default] == [
        (2, "CWR202", "info"), (3, "CWR202", "info"), (4, "CWR201", "warning"), (7, "CWR201", "warning"),
        (8, "CWR202", "info")]  # fmt: skip
    reviewed = review(tmp_path, {"settings.py": SECRETS}, "--isolated", "--show-all", "--extend-select", "CWR2")
    scanned = review(tmp_path, {"settings.py": SECRETS}, "--isolated", "--secrets-only", "--show-all")
    expected = [("settings.py", 2, "CWR202"), ("settings.py", 3, "CWR202"), ("settings.py", 4, "CWR201"),
                ("settings.py", 7, "CWR201"), ("settings.py", 8, "CWR202")]  # fmt: skip
    assert codes(reviewed) == expected
    assert [(f["line"], f["code"], f["message"]) for f in reviewed] == [
        (f["line"], f["code"], f["message"]) for f in scanned
    ]
    assert {f["severity"] for f in reviewed} == {"warning"}  # as lint's CWB104 for the same secrets
    assert all(not re.search(r"[A-Za-z0-9]{8}", f["message"].split("(")[1]) for f in reviewed if "(" in f["message"])


# -- confidence of every finding ----------------------------------------------------------------------------------

NONE_COMPARE = "def f(a):\n    if a == None:\n        return 0\n"


def scored(tmp_path: Path, files: dict[str, str], *args: str) -> dict[str, float]:
    """Confidence by rule code of what a review reports."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "codeward", "review", ".", "--no-cache", "--format", "json", "--exit-zero", *args],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {f["code"]: f["confidence"] for f in json.loads(result.stdout)["findings"]}


def test_the_default_threshold_hides_findings_judges_never_wanted_unless_named(tmp_path: Path) -> None:
    # `== None` (CWR616): 0 of its judged real findings were worth a comment; the finding-confidence model scores
    # it under the default threshold (0.05), so the default configuration does not report it.
    assert review(tmp_path, {"m.py": NONE_COMPARE}, "--isolated") == []
    shown = scored(tmp_path, {"m.py": NONE_COMPARE}, "--isolated", "--show-all")
    assert list(shown) == ["CWR616"] and 0 < shown["CWR616"] < 0.05
    # Asked for by name, or with a threshold the user chose, the default threshold no longer decides.
    assert codes(review(tmp_path, {"m.py": NONE_COMPARE}, "--isolated", "--select", "CWR616")) == [
        ("m.py", 2, "CWR616")
    ]
    assert codes(review(tmp_path, {"m.py": NONE_COMPARE}, "--isolated", "--min-confidence", "0")) == [
        ("m.py", 2, "CWR616")
    ]
    assert review(tmp_path, {"m.py": NONE_COMPARE}, "--isolated", "--select", "CWR616", "--min-confidence", "0.5") == []


def test_confidence_ranks_the_findings_judges_wanted_above_the_ones_they_did_not(tmp_path: Path) -> None:
    handler = (
        "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n"
        "    return s3.list_objects_v2(Bucket=event['bucket'])\n"
    )
    score = scored(tmp_path, {"fn.py": handler}, "--isolated", "--select", "ALL", "--show-all")
    # A single page read (CWR402) was mostly worth a comment on real projects; a missing ExpectedBucketOwner
    # (CWR405) almost never was, and since round thirteen nor was a client made on every invocation (CWR401: 7
    # true, 28 not worth a comment, 3 false, most of them in Lambdas invoked only by stack or Config-rule events).
    assert set(score) == {"CWR401", "CWR402", "CWR405"}, score
    assert score["CWR402"] > 0.4 and score["CWR405"] < 0.2 and score["CWR401"] < 0.2, score


DEPRECATED = 'import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef f():\n    log.warn("x")\n'


def test_a_rule_never_judged_wrong_but_under_the_bar_reports_at_info_until_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codeward.reviewer import measured
    from codeward.reviewer.review import _review_configured

    from codeward.config import Config

    # A measurement where deprecated-api (CWR608) had 5 true, 0 false, 2 not worth a comment (0.71 < 0.8), the
    # modify-while-iterating rule (CWR605) 1 true and 3 false (under INFO_BAR), log injection (CWR116, a security rule) 1 true and 2
    # false, and the timeout rule (CWR610) 8 true of 10 (at the bar).
    table = {"CWR608": {"true": 5, "false": 0, "noise": 2}, "CWR605": {"true": 1, "false": 3, "noise": 0},
             "CWR116": {"true": 1, "false": 2, "noise": 0}, "CWR610": {"true": 8, "false": 0, "noise": 2}}  # fmt: skip
    for cached in (measured.table, measured.in_default_set, measured.demoted, measured.mostly_wrong):
        cached.cache_clear()
    monkeypatch.setattr(measured, "table", lambda: table)
    try:
        assert measured.demoted("CWR608") and measured.in_default_set("CWR608")
        # Under the bar and judged wrong: off, unless it is a security rule (info); at or above: its own severity.
        assert not measured.demoted("CWR605") and not measured.in_default_set("CWR605")
        assert measured.demoted("CWR116") and measured.in_default_set("CWR116")
        assert not measured.demoted("CWR610") and measured.in_default_set("CWR610")
        path = tmp_path / "d.py"
        path.write_text(DEPRECATED, encoding="utf-8")
        config = Config(root=str(tmp_path))
        found = _review_configured(str(path), config).findings
        assert [(f.code, f.span.line, f.severity) for f in found] == [("CWR608", 7, Severity.INFO)]
        named = _review_configured(str(path), Config(root=str(tmp_path), explicit=["CWR608"])).findings
        assert [(f.code, f.span.line, f.severity) for f in named] == [("CWR608", 7, Severity.WARNING)]
    finally:
        for cached in (measured.in_default_set, measured.demoted, measured.mostly_wrong):
            cached.cache_clear()


def test_deprecated_calls_follow_the_measured_precision(tmp_path: Path) -> None:
    # CWR608 is under the bar on the judged projects, right more than half the time (reviewer/precision.json):
    # info by default, its own severity when asked for.
    true, false, noise = counts("CWR608")
    assert INFO_BAR <= true / (true + false + noise) < THRESHOLD and false > 0
    assert in_default_set("CWR608") and measured.demoted("CWR608")
    found = review(tmp_path, {"d.py": DEPRECATED}, "--isolated", "--show-all")
    assert [(f["code"], f["line"], f["severity"]) for f in found] == [("CWR608", 7, "info")]
    found = review(tmp_path, {"d.py": DEPRECATED}, "--isolated", "--select", "CWR608")
    assert [(f["code"], f["line"], f["severity"]) for f in found] == [("CWR608", 7, "warning")]


# -- trusted sources in the non-taint rules (section 4) ----------------------------------------------------------

TRUSTED_SOURCES = (
    "import json\nimport logging\nimport os\nimport urllib.request\n\nimport boto3\n\nlogger = logging.getLogger()\n"
    'URL = os.environ["API_URL"]\niam = boto3.client("iam", region_name="us-east-1")\n\n\n'
    "def handler(event, context):\n"
    '    logger.info("request id %s remaining %s", context.aws_request_id, context.get_remaining_time_in_millis())\n'
    '    logger.info("rule %s", event["configRuleName"])\n'
    '    logger.info("config event %s", event["invokingEvent"])\n'
    '    logger.info("source %s %s state %s", event["source"], event["detail-type"], event["detail"]["state"])\n'
    '    logger.info("url %s", os.environ.get("TARGET"))\n'
    '    body = urllib.request.urlopen(URL + "/status", timeout=5).read()\n'
    '    data = open("/tmp/x").read()\n'
    '    counts = {"a": 1}\n    for k, v in counts.items():\n        counts[k] = v + 1\n'
    "    return body, data\n"
)
CUSTOM_RESOURCE = (
    "import json, cfnresponse\n\n\ndef handler(event, context):\n    print(json.dumps(event))\n"
    '    if event["RequestType"] == "Create":\n        return cfnresponse.send(event, context, "SUCCESS", {})\n'
)
# A handler that never answers CloudFormation runs behind a framework that does (CDK's Provider framework), which
# hands it the event with ResponseURL replaced by '...': nothing to leak.
PROVIDER_HANDLER = (
    "import json\n\n\ndef on_event(event, _):\n    print(json.dumps(event))\n"
    '    if event["RequestType"] == "Create":\n        return {"PhysicalResourceId": "id", "Data": {}}\n'
)


def test_lambda_context_environment_config_and_eventbridge_events_are_not_attacker_input(tmp_path: Path) -> None:
    # Every rule, every finding: nothing here is untrusted, a leak, a missing timeout or a hard-coded region
    # smell (IAM is a global service), and an inline read or a dict updated while iterating is fine.
    assert review(tmp_path, {"fn.py": TRUSTED_SOURCES}, "--isolated", "--select", "ALL", "--show-all") == []


def test_logging_a_whole_custom_resource_event_is_a_leak_of_its_response_url(tmp_path: Path) -> None:
    found = review(tmp_path, {"cr.py": CUSTOM_RESOURCE}, "--isolated", "--select", "ALL", "--show-all")
    assert codes(found) == [("cr.py", 5, "CWR204")]
    assert "pre-signed ResponseURL" in found[0]["message"] and "injection" not in found[0]["message"]
    assert review(tmp_path, {"cr.py": PROVIDER_HANDLER}, "--isolated", "--select", "ALL", "--show-all") == []


SHARED_DEFAULTS = (
    "class Cursor:\n    def __init__(self, raw, meta={}):\n        self.meta = meta\n"
    "        self.meta['kind'] = type(raw).__name__\n\n"
    "class Conn:\n    def __init__(self, raw, meta={}):\n        self.meta = meta\n\n"
    "    def cursor(self):\n        return Cursor(self.raw.cursor(), self.meta)\n\n"
    "def upload(path, extra={}):\n    return send(path, ExtraArgs=extra)\n"
)


def test_a_mutable_default_is_a_warning_when_something_changes_it(tmp_path: Path) -> None:
    # Changed through the attribute it is stored in, or by the class it is handed to: a warning saying who
    # changes it; only read or handed to code of another module: info.
    found = review(tmp_path, {"m.py": SHARED_DEFAULTS}, "--isolated", "--select", "CWR601")
    assert [(f["line"], f["severity"], f["message"].split(", and ")[-1]) for f in found] == [
        (2, "warning", "this function changes it (CWE-665)"),
        (7, "warning", "Cursor changes it (CWE-665)"),
        (13, "info", "the default of `extra` is created once and shared by every call (CWE-665)"),
    ]


DEBUG_LOGGED = (
    "import logging\nimport os, cfnresponse\n\nlogger = logging.getLogger(__name__)\n{level}\n\ndef handler(event, context):\n"
    '    logger.debug(f"The event is {{event}}")\n    if event["RequestType"] == "Delete":\n'
    '        return cfnresponse.send(event, context, "SUCCESS", {{}})\n'
)


@pytest.mark.parametrize(
    ("level", "severity"),
    [
        ("", "info"),  # debug output is written only where someone turns it on
        ('logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))', "info"),
        ('logger.setLevel(os.environ.get("LOG_LEVEL", "DEBUG"))', "warning"),  # on unless configured otherwise
        ("logging.basicConfig(level=logging.DEBUG)", "warning"),
        ('LEVEL = "DEBUG"\nlogger.setLevel(os.environ.get("LOG_LEVEL", LEVEL))', "warning"),
        ('LEVEL = "INFO"\nlogger.setLevel(os.environ.get("LOG_LEVEL", LEVEL))', "info"),
    ],
)
def test_a_debug_log_is_info_unless_the_module_turns_debug_on(tmp_path: Path, level: str, severity: str) -> None:
    found = review(tmp_path, {"cr.py": DEBUG_LOGGED.format(level=level)}, "--isolated", "--select", "CWR204")
    assert [(f["code"], f["line"], f["severity"]) for f in found] == [("CWR204", 8 + level.count("\n"), severity)]


BARE_MD5 = "import hashlib\n\n\ndef digest(data):\n    return hashlib.md5(data).hexdigest()\n"


def test_the_default_threshold_keeps_security_findings_at_info(tmp_path: Path) -> None:
    # A bare MD5 (CWR304) is rarely worth a comment on real code (score under 0.05) but is what an audit looks
    # for: the default threshold leaves it at info; a threshold the user sets hides it.
    shown = review(tmp_path, {"h.py": BARE_MD5}, "--isolated")
    assert [(f["line"], f["code"], f["severity"]) for f in shown] == [(5, "CWR304", "info")]
    assert review(tmp_path, {"h.py": BARE_MD5}, "--isolated", "--min-confidence", "0.05") == []


def test_below_the_default_threshold_a_security_warning_becomes_info_with_a_note() -> None:
    from codeward.reviewer.ml.confidence import visible

    from codeward.findings import Finding, Severity, Span

    def finding(code: str, severity: Severity) -> Finding:
        return Finding(code, "m", "a.py", Span(1, 1, 1, 2), severity, confidence=0.01)

    out = visible([finding("CWR103", Severity.WARNING), finding("CWR616", Severity.WARNING)], 0.05, False,
                  named=lambda code: False)  # fmt: skip
    assert [(f.code, f.severity, f.notes) for f in out] == [
        ("CWR103", Severity.INFO, ("reported at info: confidence 0.01 is below the default 0.05",))
    ]
    assert visible([finding("CWR103", Severity.WARNING)], 0.05, False) == []  # a threshold the user set
