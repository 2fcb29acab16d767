"""`codeward simulate --execute buildspec.yml`: real bash runs checked against CodeBuild's documented
behaviour (shell persistence, phase transitions after failures, finally, on-failure, environment)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import run_cli, run_process

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="--execute needs bash")


def build(tmp_path: Path, spec: str, *args: str, files: dict[str, str] | None = None) -> tuple[int, dict]:
    (tmp_path / "buildspec.yml").write_text(spec)
    for name, content in (files or {}).items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    code, out, err = run_cli(
        "simulate", str(tmp_path / "buildspec.yml"), "--execute", "--format", "json", "--isolated", *args
    )
    assert code in (0, 1), err
    report = json.loads(out)
    assert report["exit_code"] == code
    return code, report


def statuses(report: dict) -> dict[str, str]:
    return {p["phase"]: p["status"] for p in report["trace"]["phase_details"]}


def ran(tmp_path: Path) -> list[str]:
    log = tmp_path / "ran.log"
    return log.read_text().split() if log.exists() else []


PHASE_LOG = """version: 0.2
phases:
  install:
    commands:
      - echo install >> ran.log
      - {install}
  pre_build:
    commands:
      - echo pre_build >> ran.log
      - {pre_build}
  build:
    commands:
      - echo build >> ran.log
      - {build}
  post_build:
    commands:
      - echo post_build >> ran.log
      - {post_build}
artifacts:
  files: [ran.log]
"""


@pytest.mark.parametrize(
    ("failing", "expected_ran", "upload"),
    [
        ("install", ["install"], "SKIPPED"),
        ("pre_build", ["install", "pre_build"], "SKIPPED"),
        ("build", ["install", "pre_build", "build", "post_build"], "SUCCEEDED"),
        ("post_build", ["install", "pre_build", "build", "post_build"], "SUCCEEDED"),
    ],
)
def test_which_phases_run_after_a_failure(tmp_path: Path, failing: str, expected_ran: list[str], upload: str) -> None:
    commands = {p: "true" for p in ("install", "pre_build", "build", "post_build")}
    commands[failing] = "false"
    code, report = build(tmp_path, PHASE_LOG.format(**commands))
    assert code == 1
    assert ran(tmp_path) == expected_ran
    phases = statuses(report)
    assert phases[failing.upper()] == "FAILED"
    assert phases["UPLOAD_ARTIFACTS"] == upload
    assert report["trace"]["result"] == "FAILED"
    not_run = {"install", "pre_build", "build", "post_build"} - set(expected_ran)
    assert all(phases[p.upper()] == "SKIPPED" for p in not_run)


def test_all_phases_succeed(tmp_path: Path) -> None:
    code, report = build(tmp_path, PHASE_LOG.format(install="true", pre_build="true", build="true", post_build="true"))
    assert code == 0 and report["trace"]["result"] == "SUCCEEDED"
    assert ran(tmp_path) == ["install", "pre_build", "build", "post_build"]


SHELL_STATE = """version: {version}
phases:
  build:
    commands:
      - mkdir -p sub
      - cd sub
      - pwd > "$CODEBUILD_SRC_DIR/where.txt"
      - export EXPORTED=yes
      - PLAIN=also
      - echo "${{EXPORTED:-unset}} ${{PLAIN:-unset}}" > "$CODEBUILD_SRC_DIR/vars.txt"
      - exit 0
      - echo after-exit > "$CODEBUILD_SRC_DIR/after.txt"
"""


def test_version_02_one_shell_cd_and_variables_persist(tmp_path: Path) -> None:
    code, _ = build(tmp_path, SHELL_STATE.format(version="0.2"))
    assert code == 0
    assert (tmp_path / "where.txt").read_text().strip() == str(tmp_path / "sub")
    assert (tmp_path / "vars.txt").read_text().strip() == "yes also"
    # `exit 0` ends that command only, as in CodeBuild: the build goes on.
    assert (tmp_path / "after.txt").read_text().strip() == "after-exit"


def test_version_01_each_command_in_its_own_shell(tmp_path: Path) -> None:
    code, report = build(tmp_path, SHELL_STATE.format(version="0.1"))
    assert code == 0
    assert (tmp_path / "where.txt").read_text().strip() == str(tmp_path)
    assert (tmp_path / "vars.txt").read_text().strip() == "unset unset"
    lost = [f for f in report["findings"] if f["code"] == "CWB210"]
    assert [f["line"] for f in lost] == [6, 8, 9]


def test_unset_and_functions_persist_in_02(tmp_path: Path) -> None:
    spec = """version: 0.2
env:
  variables:
    DROP_ME: here
phases:
  build:
    commands:
      - unset DROP_ME
      - greet() { echo "hi $1"; }
      - echo "${DROP_ME:-gone}" > out.txt
      - greet there >> out.txt
"""
    code, _ = build(tmp_path, spec)
    assert code == 0
    assert (tmp_path / "out.txt").read_text().split("\n")[:2] == ["gone", "hi there"]


def test_finally_runs_after_a_failed_command_and_the_rest_is_skipped(tmp_path: Path) -> None:
    spec = """version: 0.2
phases:
  build:
    commands:
      - echo one >> ran.log
      - exit 3
      - echo skipped >> ran.log
    finally:
      - echo finally1 >> ran.log
      - echo "$CODEBUILD_BUILD_SUCCEEDING" > in_finally.txt
  post_build:
    commands:
      - echo "$CODEBUILD_BUILD_SUCCEEDING" > in_post.txt
"""
    code, report = build(tmp_path, spec)
    assert code == 1
    assert ran(tmp_path) == ["one", "finally1"]
    build_phase = next(p for p in report["trace"]["phases"] if p["name"] == "BUILD")
    commands = build_phase["attempts"][0]["commands"]
    assert [(c["block"], c["index"], c["status"]) for c in commands] == [
        ("commands", 1, "SUCCEEDED"),
        ("commands", 2, "FAILED"),
        ("commands", 3, "SKIPPED"),
        ("finally", 1, "SUCCEEDED"),
        ("finally", 2, "SUCCEEDED"),
    ]
    assert commands[1]["exit_code"] == 3
    # The variable turns 0 once the phase has failed: POST_BUILD sees 0.
    assert (tmp_path / "in_post.txt").read_text().strip() == "0"
    assert (tmp_path / "in_finally.txt").read_text().strip() == "1"
    failed = [f for f in report["findings"] if f["code"] == "CWB212"]
    assert [(f["line"], f["message"]) for f in failed] == [(6, "BUILD command 2 exited with status 3")]


def test_a_failing_finally_fails_the_phase(tmp_path: Path) -> None:
    spec = "version: 0.2\nphases:\n  build:\n    commands: ['true']\n    finally: ['false', 'echo no >> ran.log']\n"
    code, report = build(tmp_path, spec)
    assert code == 1 and statuses(report)["BUILD"] == "FAILED"
    assert ran(tmp_path) == []


def test_on_failure_continue_runs_the_next_phases_and_the_build_fails(tmp_path: Path) -> None:
    spec = """version: 0.2
phases:
  install:
    on-failure: CONTINUE
    commands:
      - 'false'
  pre_build:
    commands:
      - echo "pre_build $CODEBUILD_BUILD_SUCCEEDING" >> ran.log
  build:
    commands:
      - echo build >> ran.log
"""
    code, report = build(tmp_path, spec)
    assert code == 1
    assert (tmp_path / "ran.log").read_text().splitlines() == ["pre_build 0", "build"]
    assert statuses(report)["INSTALL"] == "FAILED" and statuses(report)["BUILD"] == "SUCCEEDED"
    assert report["trace"]["result"] == "FAILED"


def test_on_failure_abort_in_build_skips_post_build_and_upload(tmp_path: Path) -> None:
    spec = """version: 0.2
phases:
  build:
    on-failure: ABORT
    commands: ['false']
  post_build:
    commands: ['echo post >> ran.log']
artifacts:
  files: ['**/*']
"""
    code, report = build(tmp_path, spec)
    assert code == 1 and ran(tmp_path) == []
    assert statuses(report)["POST_BUILD"] == "SKIPPED" and statuses(report)["UPLOAD_ARTIFACTS"] == "SKIPPED"


def test_on_failure_retry_runs_the_phase_again(tmp_path: Path) -> None:
    spec = """version: 0.2
phases:
  build:
    on-failure: RETRY-2
    commands:
      - echo attempt >> ran.log
      - test "$(wc -l < ran.log)" -ge 2
"""
    code, report = build(tmp_path, spec)
    assert code == 0
    assert ran(tmp_path) == ["attempt", "attempt"]
    attempts = report["trace"]["phases"][2]["attempts"]
    assert [a["status"] for a in attempts] == ["FAILED", "SUCCEEDED"]


def test_retry_with_a_regex_that_does_not_match_does_not_retry(tmp_path: Path) -> None:
    spec = "version: 0.2\nphases:\n  build:\n    on-failure: RETRY-3-connection refused\n    commands:\n      - echo x >> ran.log; false\n"
    code, _ = build(tmp_path, spec)
    assert code == 1 and ran(tmp_path) == ["x"]


def test_codebuild_variables_and_environment_precedence(tmp_path: Path) -> None:
    spec = """version: 0.2
env:
  variables:
    STAGE: dev
    LITERAL: $HOME/not-expanded
    OVERRIDDEN: from-buildspec
  secrets-manager:
    TOKEN: prod/token:api
phases:
  build:
    commands:
      - pwd > cwd.txt
      - printf '%s|%s|%s|%s|%s\\n' "$CODEBUILD_SRC_DIR" "$STAGE" "$LITERAL" "$OVERRIDDEN" "$AWS_REGION" > env.txt
      - test "$TOKEN" = "t0ken-value"
      - echo "token is $TOKEN"
      - echo "$CODEBUILD_BUILD_ID" > id.txt
"""
    env_file = tmp_path / "secrets.env"
    env_file.write_text("# local secrets\nTOKEN='t0ken-value'\nOVERRIDDEN=from-project\n")
    code, report = build(tmp_path, spec, "--env-file", str(env_file), "--region", "eu-west-1", "--project", "shop")
    assert code == 0, report
    assert (tmp_path / "cwd.txt").read_text().strip() == str(tmp_path)
    assert (tmp_path / "env.txt").read_text().strip() == f"{tmp_path}|dev|$HOME/not-expanded|from-project|eu-west-1"
    assert (tmp_path / "id.txt").read_text().startswith("shop:")
    outputs = [c.get("output", "") for p in report["trace"]["phases"] for a in p["attempts"] for c in a["commands"]]
    assert "token is t0*********\n" in outputs and not any("t0ken-value" in o for o in outputs)
    token = next(v for v in report["trace"]["environment"] if v["name"] == "TOKEN")
    assert token["value"] == "****" and token["secret"]


def test_a_missing_secret_stops_before_running_anything(tmp_path: Path) -> None:
    spec = "version: 0.2\nenv:\n  parameter-store:\n    DB_PASS: /db/pass\nphases:\n  build:\n    commands: ['touch ran.log']\n"
    assert "DB_PASS" not in os.environ
    code, report = build(tmp_path, spec)
    assert code == 1 and not (tmp_path / "ran.log").exists()
    assert [f["code"] for f in report["findings"]] == ["CWB209"]


def test_timeout_kills_the_command_and_skips_the_rest(tmp_path: Path) -> None:
    spec = """version: 0.2
phases:
  build:
    commands:
      - sleep 30
  post_build:
    commands:
      - touch ran.log
"""
    code, report = build(tmp_path, spec, "--timeout", "1s")
    assert code == 1
    assert report["trace"]["result"] == "TIMED_OUT"
    assert statuses(report)["BUILD"] == "TIMED_OUT" and statuses(report)["POST_BUILD"] == "SKIPPED"
    assert not (tmp_path / "ran.log").exists()
    assert [f["code"] for f in report["findings"]] == ["CWB213"]
    build_seconds = next(p for p in report["trace"]["phase_details"] if p["phase"] == "BUILD")["seconds"]
    assert build_seconds < 10


def test_exported_variables_are_reported(tmp_path: Path) -> None:
    spec = """version: 0.2
env:
  exported-variables: [IMAGE_TAG, NEVER_SET]
phases:
  pre_build:
    commands:
      - IMAGE_TAG=v1.2
  build:
    commands:
      - export IMAGE_TAG="$IMAGE_TAG-final"
"""
    code, report = build(tmp_path, spec)
    assert code == 0
    assert report["trace"]["exported_variables"] == {"IMAGE_TAG": "v1.2-final", "NEVER_SET": None}


def test_artifacts_are_collected_and_copied(tmp_path: Path) -> None:
    spec = """version: 0.2
phases:
  build:
    commands:
      - mkdir -p out/lib out/tmp
      - echo app > out/app.txt
      - echo lib > out/lib/lib.txt
      - echo junk > out/tmp/junk.txt
artifacts:
  base-directory: out
  files: ['**/*']
  exclude-paths: ['tmp/**/*']
  name: build-$CODEBUILD_BUILD_NUMBER
  secondary-artifacts:
    flat:
      files: [out/**/*.txt]
      discard-paths: yes
"""
    dest = tmp_path / "artifacts"
    code, report = build(tmp_path, spec, "--artifacts-dir", str(dest))
    assert code == 0
    primary, flat = report["trace"]["outputs"]["artifacts"]
    assert [f["name"] for f in primary["files"]] == ["app.txt", "lib/lib.txt"]
    assert primary["excluded"] == ["out/tmp/junk.txt"]
    assert primary["evaluated_name"] == "build-1"
    assert sorted(f["name"] for f in flat["files"]) == ["app.txt", "junk.txt", "lib.txt"]
    assert (dest / "primary" / "lib" / "lib.txt").read_text() == "lib\n"
    assert sorted(os.listdir(dest / "flat")) == ["app.txt", "junk.txt", "lib.txt"]


def test_no_matching_artifact_fails_the_upload_and_the_build(tmp_path: Path) -> None:
    spec = "version: 0.2\nphases:\n  build:\n    commands: ['true']\nartifacts:\n  files: [dist/*.zip]\n"
    code, report = build(tmp_path, spec)
    assert code == 1
    assert statuses(report)["UPLOAD_ARTIFACTS"] == "FAILED"
    assert report["trace"]["reason"] == "UPLOAD_ARTIFACTS failed: no matching artifact paths found"
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("CWB202", "warning")]


def test_fail_at_injects_a_failure_into_a_real_run(tmp_path: Path) -> None:
    spec = "version: 0.2\nphases:\n  build:\n    commands: ['echo a >> ran.log', 'echo b >> ran.log']\n"
    code, _ = build(tmp_path, spec, "--fail-at", "build:2")
    assert code == 1 and ran(tmp_path) == ["a"]


def test_text_output_streams_phase_headers_output_and_summary(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - echo hello from bash\n      - 'false'\n"
    )
    result = run_process("simulate", "buildspec.yml", "--execute", "--isolated", cwd=str(tmp_path))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    order = [
        "[BUILD]",
        "Running command echo hello from bash",
        "hello from bash",
        "Running command false",
        "Command did not exit successfully false exit status 1",
        "Phase complete: BUILD State: FAILED",
        "Phase details:",
        "Build ended: FAILED",
        "CWB212",
    ]
    positions = [out.index(piece) for piece in order]
    assert positions == sorted(positions), out
