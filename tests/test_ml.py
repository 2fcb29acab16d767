"""The reviewer's classifier: candidates, features, dataset, training, the plain-Python scorer (checked against
scikit-learn on held-out data) and the shipped model."""

from __future__ import annotations

import json
import random
import zlib
from pathlib import Path

import pytest
from codeward.reviewer.ml import candidates as cand
from codeward.reviewer.ml import dataset, features, generate, score, train

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------------------------------
# Features.


def test_github_and_npm_checksums_are_verified() -> None:
    rng = random.Random(3)
    token = generate.secret_value(rng, "github")
    assert features.provider_of(token) == ("github", True)
    broken = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    assert features.provider_of(broken) == ("github", False)
    npm = generate.secret_value(rng, "npm")
    assert features.provider_of(npm) == ("npm", True)
    assert features.base62(zlib.crc32(b"x"), 6) == features.base62(zlib.crc32(b"x"), 6).rjust(6, "0")


def test_structured_formats_are_checked() -> None:
    rng = random.Random(5)
    assert features.provider_of(generate.secret_value(rng, "jwt")) == ("jwt", True)
    assert features.provider_of("eyJub3Rqc29uIjp0cnVl.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnopqrstu") == (
        "jwt",
        False,
    )
    assert features.provider_of(generate.secret_value(rng, "private-key")) == ("private-key", True)
    assert features.provider_of(generate.secret_value(rng, "azure")) == ("azure-storage-key", True)
    assert features.provider_of("just some text") == ("", False)


def test_words_split_every_naming_style() -> None:
    assert features.words("awsSecretAccessKey") == ("aws", "secret", "access", "key")
    assert features.words("AWS_SECRET_ACCESS_KEY") == ("aws", "secret", "access", "key")
    assert features.words("x-api-key2") == ("x", "api", "key")


def test_entropy() -> None:
    assert features.entropy("aaaa") == 0.0
    assert features.entropy("abcd") == pytest.approx(2.0)
    assert features.entropy("") == 0.0


def test_vectors_have_the_declared_width() -> None:
    c = features.SecretCandidate("AKIA2OGYBAH6STMCAWQB", "aws_access_key_id", "boto3.client", "app/x.py", 3, 5, 3, 27)
    numeric, hashed = features.secret_features(c)
    assert len(numeric) == len(features.SECRET_NUMERIC)
    assert hashed == sorted(set(hashed)) and all(0 <= b < features.BUCKETS for b in hashed)
    assert numeric[features.SECRET_NUMERIC.index("provider")] == 1.0
    assert numeric[features.SECRET_NUMERIC.index("credential_name")] == 1.0


# ---------------------------------------------------------------------------------------------------
# Candidates.

SOURCE = '''"""Module docstring with a long_token_like_value_1234567890 inside."""
import os
import boto3

s3 = boto3.client("s3", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCY9Q3mT8vLzq")
CONFIG = {"api_key": "a81bc81b9ead4e5dabff90865d1e13b1"}
TOKEN = os.environ.get("GITHUB_TOKEN", "ghp_defaultvalue0000000000000000000000")


def connect(host="db", password="s3cr3t-Pa55"):
    if mode == "prod-eu-west-1":
        return 1
    return "héllo" + "Zk29-fj3mQ8pLx"
'''


def test_python_candidates_carry_their_binding() -> None:
    found = {c.value: c for c in cand.python_secret_candidates("app/settings.py", SOURCE)}
    assert "long_token_like_value_1234567890" not in " ".join(found)  # docstrings are not candidates
    secret = found["wJalrXUtnFEMI/K7MDENG/bPxRfiCY9Q3mT8vLzq"]
    assert (secret.name, secret.call, secret.line, secret.column) == ("aws_secret_access_key", "boto3.client", 5, 47)
    assert secret.end_column == secret.column + len(secret.value) + 2
    assert found["a81bc81b9ead4e5dabff90865d1e13b1"].name == "api_key"
    default = found["ghp_defaultvalue0000000000000000000000"]
    assert (default.name, default.call) == ("GITHUB_TOKEN", "os.environ.get")
    assert found["s3cr3t-Pa55"].name == "password"
    compared = found["prod-eu-west-1"]
    assert compared.compared and compared.name == "mode"
    # Columns count code points, not UTF-8 bytes.
    assert found["Zk29-fj3mQ8pLx"].column == len('    return "héllo" + ') + 1
    assert found["Zk29-fj3mQ8pLx"].name == "connect"
    # The variable's name is a candidate too (a look-alike the model learns to dismiss).
    assert (found["GITHUB_TOKEN"].name, found["GITHUB_TOKEN"].call) == ("TOKEN", "os.environ.get")


def test_candidate_gate() -> None:
    assert not cand.worth_scoring("short", "")
    assert not cand.worth_scoring("some prose with spaces", "")
    assert cand.worth_scoring("Bearer abcdefgh12345678", "")
    assert not cand.worth_scoring("lowercase_identifier", "field")
    assert not cand.worth_scoring("LogisticRegression", "")
    assert not cand.worth_scoring("https://example.org/api", "url")
    assert cand.worth_scoring("https://app:Xk29fj@db.internal/app", "")
    assert not cand.worth_scoring("<your-api-key>", "header")
    assert cand.worth_scoring("correcthorsebattery", "password")
    # A name that identifies a credential is not one: `SecretId="MFServiceAccount-"`; a known format still is.
    assert not cand.worth_scoring("MFServiceAccount-", "SecretId")
    assert not cand.worth_scoring("prod/db/password", "secret_name")
    assert cand.worth_scoring("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", "token_id")
    assert cand.worth_scoring("-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----", "")


def test_configuration_file_candidates() -> None:
    env = "# deploy\nexport STRIPE_KEY=sk_live_abcdefghijklmnopqrstuvwx\nREGION=eu-west-1\n"
    found = cand.text_secret_candidates("app/.env", env)
    assert [(c.name, c.value, c.line, c.column, c.file_kind) for c in found] == [
        ("STRIPE_KEY", "sk_live_abcdefghijklmnopqrstuvwx", 2, 19, "env"),
        ("REGION", "eu-west-1", 3, 8, "env"),
    ]
    yml = cand.text_secret_candidates("c/settings.yml", 'app:\n  password: "Xk29!fj-pq"\n')
    assert [(c.name, c.value, c.line) for c in yml] == [("password", "Xk29!fj-pq", 2)]
    js = cand.text_secret_candidates("c.json", '{\n  "api_token": "tok_8f7d6e5c4b3a2910",\n  "n": 3\n}\n')
    assert [(c.name, c.value, c.file_kind) for c in js] == [("api_token", "tok_8f7d6e5c4b3a2910", "json")]


def _taint_rules() -> list:
    from codeward.reviewer.rules import all_rules
    from codeward.reviewer.rules._base import TaintSink

    return [r for r in all_rules() if issubclass(r, TaintSink)]


def test_every_taint_rule_case_is_a_candidate_the_rule_flags() -> None:
    for rule in _taint_rules():
        for case in rule.INVALID:
            found = [(c.code, c.line, c.column) for c, fires in cand.sink_candidates("case.py", case.source) if fires]
            assert (rule.code, case.line, case.column) in found, (rule.code, found)
        for case in rule.VALID:
            fired = [c.code for c, fires in cand.sink_candidates("case.py", case.source) if fires]
            assert rule.code not in fired


def test_sink_candidate_features() -> None:
    source = (
        "import sqlite3\nfrom flask import Flask, request\napp = Flask(__name__)\n\n"
        "def _lookup(name):\n    cur = sqlite3.connect('a.db').cursor()\n"
        "    return cur.execute(f\"SELECT * FROM t WHERE n = '{name}'\")\n\n"
        "@app.route('/q')\ndef q():\n    sort = request.args['sort']\n    validate_column(sort)\n"
        "    cur = sqlite3.connect('a.db').cursor()\n    return cur.execute('SELECT * FROM t ORDER BY ' + sort)\n"
    )
    found = {c.line: (c, fires) for c, fires in cand.sink_candidates("views.py", source)}
    helper, fires = found[7]
    assert not fires and (helper.build, helper.role, helper.param_in_arg, helper.tainted) == (
        "fstring",
        "private",
        True,
        False,
    )
    route, fires = found[14]
    assert fires and (route.build, route.role, route.framework, route.tainted) == ("concat", "route", "flask", True)
    assert route.validation_call and route.steps == 1


def test_sink_features_stay_in_their_own_function() -> None:
    """A check, an allow-list test or an assignment in one function says nothing of another's sink. The facts were
    keyed by the id() of the walk's scope object, which is freed when its function ends: the next function's
    scope could take that id and inherit them, so a finding's confidence depended on the heap's history (what a
    worker reviewed before: tornado web.py:2896 scored 0.1769 in one run and 0.0026 in others). Each function,
    first and last, in both orders, must see only its own facts."""
    checked = (
        "@app.route('/a')\ndef first():\n    target = request.args.get('next')\n"
        "    if target in ALLOWED:\n        check_target(target)\n    return redirect(target)\n\n"
    )
    plain = "@app.route('/b')\ndef second():\n    target = request.args.get('next')\n    return redirect(target)\n\n"
    head = "from flask import Flask, request, redirect\napp = Flask(__name__)\n\n"
    for body in (checked + plain * 3, plain * 3 + checked):
        found = [
            (c.function_words[0], c.validation_call, c.allow_list)
            for c, fires in cand.sink_candidates("views.py", head + body)
            if fires
        ]
        assert sorted(found) == [("first", True, True)] + [("second", False, False)] * 3, found


def test_a_value_used_by_many_sinks_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A variable's assigned value is walked once however many sinks use it (a large value and thousands of sink
    calls were quadratic), and every sink still gets that value's facts."""
    walked: list[int] = []
    real = cand._builds
    monkeypatch.setattr(cand, "_builds", lambda node, cst: walked.append(id(node)) or real(node, cst))
    value = "'http://example.com/' " + " ".join(["'ab'"] * 200)
    source = (
        "import subprocess\n\ndef run(y):\n    x = " + value + " + y\n" + "    subprocess.call(x, shell=True)\n" * 50
    )
    found = cand.sink_candidates("app.py", source)
    assert len(found) == 50
    assert {(c.build, c.fixed_prefix, tuple(c.arg_names)) for c, _ in found} == {("concat", True, ("x", "y"))}
    # Each sink's own argument `x` (50 nodes) and the value once: without the memo the value was walked 50 times.
    assert len(walked) == len(set(walked)) == 51


def test_literal_str_of_a_long_implicit_concatenation() -> None:
    from codeward.reviewer.engine import literal_str
    from codeward.reviewer.parse import parse_module

    expr = parse_module("x = " + " ".join(f"'{i},'" for i in range(3000)) + "\n").body[0].body[0].value
    assert literal_str(expr) == "".join(f"{i}," for i in range(3000))
    assert literal_str(parse_module("x = 'a' f'{b}'\n").body[0].body[0].value) is None


def test_sink_candidates_of_unparsable_source() -> None:
    assert cand.sink_candidates("x.py", "def (:\n") == []
    assert cand.python_secret_candidates("x.py", "def (:\n") == []


# ---------------------------------------------------------------------------------------------------
# Dataset, training, scorer.


@pytest.fixture(scope="module")
def slice_records(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """A small slice: a few projects, no mined packages (mining has its own test)."""
    out = tmp_path_factory.mktemp("ml")
    return dataset.build(out, secret_projects=30, injection_projects=25, site=out / "no-site", root=ROOT)


def test_groups_never_straddle_the_split(slice_records: list[dict]) -> None:
    sides: dict[str, set[str]] = {}
    for record in slice_records:
        sides.setdefault(record["group"], set()).add(dataset.held_out(record["group"]))
    assert all(len(s) == 1 for s in sides.values())
    assert {side for s in sides.values() for side in s} == {"train", "calibration", "test"}
    assert dataset.held_out("pkg-numpy") == dataset.held_out("pkg-numpy")


def test_generated_labels(slice_records: list[dict]) -> None:
    secrets = [r for r in slice_records if r["category"] == "secrets"]
    injection = [r for r in slice_records if r["category"] == "injection"]
    assert 0.05 < sum(r["label"] for r in secrets) / len(secrets) < 0.5
    assert 0.2 < sum(r["label"] for r in injection) / len(injection) < 0.8
    # The rule cases: every INVALID case of a taint rule is a positive the rule flags.
    cases = [r for r in injection if r["source"] == "rule-cases"]
    assert sum(r["label"] for r in cases) == sum(len(r.INVALID) for r in _taint_rules())
    assert all(r["rule"] == r["label"] for r in cases)


def test_mined_literals_are_negatives_grouped_by_distribution(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "tinypkg").mkdir(parents=True)
    (site / "tinypkg" / "core.py").write_text(
        'CHECKSUM = "d41d8cd98f00b204e9800998ecf8427e"\nTAG = "release-2024.06-rc1"\n'
        'LEAK = "ghp_' + "a" * 36 + '"\nNAME = "lowercase_words"\n',
        encoding="utf-8",
    )
    (site / "tinypkg-1.0.dist-info").mkdir()
    (site / "tinypkg-1.0.dist-info" / "RECORD").write_text("tinypkg/core.py,,\n", encoding="utf-8")
    (site / "detect_secrets").mkdir()
    (site / "detect_secrets" / "x.py").write_text('K = "AKIAIOSFODNN7EXAMPLE1"\n', encoding="utf-8")
    (site / "detect_secrets-1.5.0.dist-info").mkdir()
    (site / "detect_secrets-1.5.0.dist-info" / "RECORD").write_text("detect_secrets/x.py,,\n", encoding="utf-8")
    records = list(dataset.mined_secrets(site, files_per_package=5, per_package=50, seed=1))
    assert {r["group"] for r in records} == {"pkg-tinypkg"}
    assert all(r["label"] == 0 for r in records)
    # A literal in a known provider format is dropped, not trusted either way.
    assert sorted(r["line"] for r in records) == [1, 2]


@pytest.fixture(scope="module")
def trained(slice_records: list[dict]) -> dict:
    out = {}
    for category in train.CATEGORIES:
        sides = train.split([r for r in slice_records if r["category"] == category])
        out[category] = (sides, train.fit_category(category, sides, trees=15))
    return out


def test_plain_python_scores_match_scikit_learn_on_held_out_data(trained: dict) -> None:
    for category, (sides, fitted_models) in trained.items():
        held = sides["test"]
        assert held, category
        names = set()
        for fitted in fitted_models:
            spec = json.loads(json.dumps(fitted.export(category)))  # through JSON, as shipped
            scorer = score.Scorer(spec, score.NUMERIC[category])
            ours = [scorer.probability((r["numeric"], r["hashed"])) for r in held]
            theirs = fitted.predict_proba(held)
            assert max(abs(a - b) for a, b in zip(ours, theirs, strict=True)) < 1e-9, (category, fitted.name)
            names.add(fitted.name)
        assert names == {"logistic-regression", "gradient-boosted-trees"}


def test_average_precision_matches_scikit_learn() -> None:
    from sklearn.metrics import average_precision_score

    rng = random.Random(0)
    labels = [rng.random() < 0.3 for _ in range(300)]
    scores = [round(rng.random(), 1) + (0.3 if y else 0) for y in labels]
    ours = train.average_precision([int(y) for y in labels], scores)
    assert ours == pytest.approx(average_precision_score(labels, scores))


@pytest.fixture(scope="module")
def small_model(slice_records: list[dict]) -> dict:
    """One model document trained on the slice (training is the slow part; the tests below only read it)."""
    document, _ = train.train(slice_records, trees=10)
    return document


def test_model_document_is_json_and_versioned(tmp_path: Path, small_model: dict) -> None:
    document = json.loads(json.dumps(small_model))  # a copy: the version is changed below
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    loaded = score.load(str(path))
    assert set(loaded) == {"secrets", "injection"}
    assert set(document["comparison"]["secrets"]) == {"logistic-regression", "gradient-boosted-trees"}
    document["version"] = 99
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(score.ModelError, match="version 1"):
        score.load(str(path))
    path.write_text("\x80\x04\x95 not json", encoding="latin-1")
    with pytest.raises(score.ModelError, match="cannot read the model"):
        score.load(str(path))
    with pytest.raises(score.ModelError, match="train one"):
        score.load(str(tmp_path / "missing.json"))


def test_evaluation_report_shape(tmp_path: Path, slice_records: list[dict], small_model: dict) -> None:
    from codeward.reviewer.ml import evaluate

    path = tmp_path / "model.json"
    path.write_text(json.dumps(small_model), encoding="utf-8")
    report = evaluate.evaluate(slice_records, str(path), detect_secrets=False)
    assert set(report) == {
        "secrets",
        "secrets (generated)",
        "secrets, by line",
        "secrets (generated), by line",
        "injection",
    }
    assert set(report["injection"]) == {"classifier", "sink pattern", "rules alone"}
    text = evaluate.markdown(report)
    assert text.startswith("| category | method | precision |") and "| secrets | regex + entropy |" in text


# ---------------------------------------------------------------------------------------------------
# The shipped model.


def test_shipped_model_on_held_out_slice_beats_both_baselines(slice_records: list[dict]) -> None:
    """The slice's held-out groups are held out from the shipped model too (the split is by group name)."""
    from codeward.reviewer.ml import evaluate

    report = evaluate.evaluate(slice_records, score.MODEL_PATH, detect_secrets=False)
    for category in ("secrets", "injection"):
        table = report[category]
        best_baseline = max(s.f1 for name, s in table.items() if name != "classifier")
        assert table["classifier"].f1 > best_baseline, (category, {k: round(v.f1, 3) for k, v in table.items()})


def test_shipped_model_scores_obvious_cases() -> None:
    scorer = score.shipped()["secrets"]

    def p(value: str, name: str, path: str = "app/settings.py", call: str = "") -> float:
        c = features.SecretCandidate(value, name, call, path, 1, 1, 1, len(value) + 3, f"{name} = ")
        return scorer.probability(features.secret_features(c))

    rng = random.Random(11)
    assert p(generate.secret_value(rng, "github"), "GITHUB_TOKEN") > 0.9
    assert p(generate.secret_value(rng, "aws-secret"), "aws_secret_access_key", call="boto3.client") > 0.5
    assert p("AKIAIOSFODNN7EXAMPLE", "AWS_ACCESS_KEY_ID") < 0.5
    assert p("YOUR_API_KEY", "api_key") < 0.5
    assert p("3f786850e387550fdab836ed7e6dc881de23001b", "expected_sha1") < 0.5
    assert p("prod/orders/db-password", "SECRET_ID") < 0.5


def test_train_and_evaluate_commands(tmp_path: Path, slice_records: list[dict], capsys: pytest.CaptureFixture) -> None:
    from codeward.reviewer.ml import evaluate

    data = tmp_path / "dataset.jsonl"
    dataset.write(slice_records, data)
    assert dataset.read(data) == slice_records
    model = tmp_path / "model.json"
    assert train.main(["--dataset", str(data), "--out", str(model), "--trees", "5"]) == 0
    assert "exporting" in capsys.readouterr().err
    assert set(score.load(str(model))) == {"secrets", "injection"}
    assert evaluate.main(["--dataset", str(data), "--model", str(model), "--no-detect-secrets"]) == 0
    out = capsys.readouterr().out
    assert out.count("| injection |") == 3 and "| secrets, by line | classifier |" in out
    assert evaluate.main(["--dataset", str(tmp_path / "missing.jsonl")]) == 2
    assert "build it with python -m codeward.reviewer.ml.dataset" in capsys.readouterr().err
