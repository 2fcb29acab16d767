"""Pipeline simulation: the timeline, stage conditions, retries and rollbacks, transitions and execution modes,
checked as data (the JSON trace and the scheduler) where the golden traces check the text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from codeward.linters.simulate.pipeline_timing import (
    Path as ExecutionPath,
)
from codeward.linters.simulate.pipeline_timing import (
    clock,
    default_minutes,
    parse_minutes,
    schedule,
    span,
    timeout_minutes,
)

from tests.helpers import ROOT, run_cli

EX = "tests/simulate/examples/pipeline"
CONDITIONS = f"{EX}/v2-conditions-pipeline.json"
WEBAPP = f"{EX}/webapp-pipeline.json"
CFN = f"{EX}/cfn-release-pipeline.yml"


def simulate(path: str, *args: str) -> dict:
    code, out, err = run_cli("simulate", path, "--format", "json", "--isolated", *args, cwd=ROOT)
    assert code in (0, 1), err
    return json.loads(out)


def pipeline(path: str, *args: str) -> dict:
    report = simulate(path, *args)
    (only,) = report["trace"]["pipelines"]
    return only


def stages(data: dict) -> dict[str, dict]:
    return {s["name"]: s for s in data["stages"]}


# --- time -----------------------------------------------------------------------------------------------


def test_minutes_clock_and_spans() -> None:
    assert [parse_minutes(t) for t in ("90", "90m", "2h", "7d", " 5 min ")] == [90, 90, 120, 10080, 5]
    for bad in ("", "1.5h", "-3", "soon", "3w"):
        with pytest.raises(ValueError, match="invalid duration"):
            parse_minutes(bad)
    assert [clock(m) for m in (0, 95, 1440, 1500)] == ["T+00:00", "T+01:35", "T+1d 00:00", "T+1d 01:00"]
    assert [span(m) for m in (0, 5, 90, 10080, 1441)] == ["0m", "5m", "1h 30m", "7d", "1d 1m"]


def test_provider_defaults_and_documented_timeouts() -> None:
    assert default_minutes("Source", "S3") == 1
    assert default_minutes("Build", "CodeBuild") == 10
    assert default_minutes("Approval", "Manual") == 60
    assert default_minutes("Invoke", "SomethingNew") == 5
    assert timeout_minutes("Build", "AWS", "CodeBuild", None) == 8 * 60
    assert timeout_minutes("Deploy", "AWS", "CloudFormation", None) == 3 * 1440
    assert timeout_minutes("Deploy", "AWS", "CodeDeployToECS", None) == 5 * 1440
    assert timeout_minutes("Invoke", "AWS", "Lambda", None) == 20
    assert timeout_minutes("Deploy", "AWS", "S3", None) == 40
    assert timeout_minutes("Compute", "AWS", "Commands", None) == 55
    assert timeout_minutes("Build", "Custom", "Jenkins", None) == 1440
    assert timeout_minutes("Approval", "AWS", "Manual", None) == 7 * 1440
    assert timeout_minutes("Approval", "AWS", "Manual", 720) == 720
    assert timeout_minutes("Deploy", "AWS", "ECS", None) == 60


# --- several executions -----------------------------------------------------------------------------------

THREE = ExecutionPath([("Source", 1), ("Build", 10), ("Deploy", 5)], "Succeeded")


def visits(execution: object) -> list[tuple[str, int, int, int]]:
    return [(v.stage, v.arrived, v.enter, v.leave) for v in execution.visits]  # type: ignore[attr-defined]


def test_superseded_waiting_execution_is_overtaken_between_stages() -> None:
    one, two, three = schedule(THREE, "SUPERSEDED", 3, 1)
    assert (one.status, one.at) == ("Succeeded", 16)
    assert visits(one) == [("Source", 0, 0, 1), ("Build", 1, 1, 11), ("Deploy", 11, 11, 16)]
    # Execution 2 waits in front of the locked Build from minute 2; execution 3 arrives there at 3.
    assert (two.status, two.at, two.by, two.waiting_for, two.waiting_since) == ("Superseded", 3, 3, "Build", 2)
    assert visits(two) == [("Source", 1, 1, 2)]
    assert (three.status, three.at) == ("Succeeded", 26)
    assert visits(three) == [("Source", 2, 2, 3), ("Build", 3, 11, 21), ("Deploy", 21, 21, 26)]


def test_queued_executions_enter_in_arrival_order() -> None:
    result = schedule(THREE, "QUEUED", 3, 1)
    assert [(e.status, e.at) for e in result] == [("Succeeded", 16), ("Succeeded", 26), ("Succeeded", 36)]
    assert visits(result[1]) == [("Source", 1, 1, 2), ("Build", 2, 11, 21), ("Deploy", 21, 21, 26)]
    assert visits(result[2]) == [("Source", 2, 2, 3), ("Build", 3, 21, 31), ("Deploy", 31, 31, 36)]


def test_parallel_executions_do_not_wait() -> None:
    result = schedule(THREE, "PARALLEL", 3, 2)
    assert [(e.status, e.at) for e in result] == [("Succeeded", 16), ("Succeeded", 18), ("Succeeded", 20)]
    assert all(v.arrived == v.enter for e in result for v in e.visits)


def test_a_failed_execution_releases_the_stage() -> None:
    failing = ExecutionPath([("Source", 1), ("Build", 10)], "Failed")
    one, two = schedule(failing, "QUEUED", 2, 0)
    assert (one.status, one.at, two.status, two.at) == ("Failed", 11, "Failed", 21)
    assert visits(two) == [("Source", 0, 1, 2), ("Build", 2, 11, 21)]


def test_held_transition_supersedes_older_held_executions_only_in_superseded_mode() -> None:
    held = ExecutionPath([("Source", 1), ("Build", 10)], "Held", "Deploy")
    one, two = schedule(held, "SUPERSEDED", 2, 20)
    assert (one.status, one.at, one.by, one.waiting_for, one.waiting_since) == ("Superseded", 31, 2, "Deploy", 11)
    assert (two.status, two.at, two.waiting_for) == ("Held", 31, "Deploy")
    queued = schedule(held, "QUEUED", 2, 20)
    assert [(e.status, e.at) for e in queued] == [("Held", 11), ("Held", 31)]


# --- one execution, as data ----------------------------------------------------------------------------


def test_timeline_parallel_group_takes_its_longest_action() -> None:
    data = pipeline(CONDITIONS, "--duration", "Build.Lint=25")
    build = stages(data)["Build"]
    first = build["groups"][0]
    assert [(a["name"], a["minutes"]) for a in first["actions"]] == [("UnitTests", 10), ("Lint", 25)]
    assert (first["start"], first["end"], build["enter"], build["leave"]) == (1, 26, 1, 36)
    assert data["minutes"] == 157 and data["result"] == "Succeeded"


def test_entry_condition_skip_and_fail() -> None:
    skipped = pipeline(CONDITIONS, "--condition", "Staging.OnMainBranch=fail")
    staging = stages(skipped)["Staging"]
    assert (staging["status"], staging["enter"], staging["leave"]) == ("Skipped", 21, 21)
    assert "groups" not in staging
    assert staging["conditions"] == [
        {
            "kind": "beforeEntry",
            "result": "SKIP",
            "met": False,
            "rules": [{"name": "OnMainBranch", "provider": "VariableCheck", "passed": False, "minutes": 0}],
            "start": 21,
            "end": 21,
        }
    ]
    assert stages(skipped)["Production"]["status"] == "Succeeded" and skipped["result"] == "Succeeded"
    failed = pipeline(CONDITIONS, "--condition", "Production.ReleaseWindow=fail")
    assert [s["status"] for s in failed["stages"]] == ["Succeeded", "Succeeded", "Succeeded", "Failed", "NotRun"]
    assert failed["result"] == "Failed" and failed["minutes"] == 46


def test_success_condition_rollback_and_fail() -> None:
    rolled = stages(pipeline(CONDITIONS, "--condition", "Staging.StagingAlarms=fail"))["Staging"]
    assert rolled["status"] == "Failed"
    # The alarm rule watches for its WaitTime (10m) after DeployStaging; the rollback re-runs the stage (15m).
    assert rolled["conditions"][-1]["end"] == 46 and rolled["rollback"] == {"start": 46, "end": 61}
    assert rolled["leave"] == 61
    blocked = stages(pipeline(CONDITIONS, "--condition", "Staging.StagingAlarms=fail", "--first-execution"))
    assert blocked["Staging"]["rollback"] == {
        "blocked": "no earlier execution succeeded in this stage (--first-execution), so there is nothing to roll back to"
    }
    failed = pipeline(CONDITIONS, "--condition", "Production.ProductionAlarms=fail")
    assert stages(failed)["Production"]["status"] == "Failed" and "rollback" not in stages(failed)["Production"]
    assert stages(failed)["Verify"]["status"] == "NotRun"


def test_retry_failed_actions_once() -> None:
    once = stages(pipeline(CONDITIONS, "--fail", "Build.UnitTests@1"))["Build"]
    assert once["status"] == "Succeeded"
    retry = once["retry"]
    assert (retry["mode"], retry["start"], retry["end"]) == ("FAILED_ACTIONS", 11, 31)
    # Only the failed action runs again, then the runOrder that had not started.
    assert [[a["name"] for a in g["actions"]] for g in retry["groups"]] == [["UnitTests"], ["Package"]]
    always = stages(pipeline(CONDITIONS, "--fail", "Build.UnitTests"))["Build"]
    assert always["status"] == "Failed" and always["leave"] == 21
    assert [[(a["name"], a["status"]) for a in g["actions"]] for g in always["retry"]["groups"]] == [
        [("UnitTests", "Failed")],
        [("Package", "NotRun")],
    ]


def test_retry_all_actions_reruns_the_stage_from_the_first_run_order() -> None:
    verify = stages(pipeline(CONDITIONS, "--fail", "Verify.Report@1"))["Verify"]
    assert verify["retry"]["mode"] == "ALL_ACTIONS"
    assert [[a["name"] for a in g["actions"]] for g in verify["retry"]["groups"]] == [["SmokeTest"], ["Report"]]


def test_failure_condition_engages_its_result_only_when_a_rule_fails() -> None:
    met = stages(pipeline(CONDITIONS, "--fail", "Production.DeployProduction"))["Production"]
    assert met["conditions"][-1]["kind"] == "onFailure" and met["conditions"][-1]["met"] is True
    assert "rollback" not in met and met["status"] == "Failed"
    engaged = stages(
        pipeline(CONDITIONS, "--fail", "Production.DeployProduction", "--condition", "Production.HealthCheck=fail")
    )["Production"]
    # Approve (1h) + DeployProduction (15m) again.
    assert engaged["rollback"] == {"start": 121, "end": 196}


def test_approval_waits_and_times_out() -> None:
    approve = stages(pipeline(WEBAPP, "--duration", "Approve.ReleaseApproval=3h"))["Approve"]
    assert approve["groups"][0]["actions"][0]["status"] == "Approved"
    assert (approve["enter"], approve["leave"]) == (21, 201)
    # timeoutInMinutes 1440 in the file: a day without an answer fails the approval.
    late = pipeline(WEBAPP, "--duration", "Approve.ReleaseApproval=2d")
    action = stages(late)["Approve"]["groups"][0]["actions"][0]
    assert (action["status"], action["minutes"], late["result"]) == ("Failed", 1440, "Failed")


def test_source_stage_cannot_roll_back(tmp_path: Path) -> None:
    spec = json.loads((Path(ROOT) / CONDITIONS).read_text())
    spec["pipeline"]["stages"][0]["onFailure"] = {"result": "ROLLBACK"}
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(spec))
    source = stages(pipeline(str(path), "--fail", "Source.Checkout"))["Source"]
    assert source["rollback"] == {"blocked": "a source stage cannot be rolled back"}


def test_disabled_transitions() -> None:
    held = pipeline(CFN)
    assert (held["result"], held["held_at"], held["minutes"]) == ("InProgress", "Production", 76)
    assert stages(held)["Production"] == {"name": "Production", "status": "NotRun", "transition": "disabled"}
    enabled = pipeline(CFN, "--enable-transition", "Production")
    assert enabled["result"] == "Succeeded" and "held_at" not in enabled
    cli = pipeline(WEBAPP, "--disable-transition", "Deploy", "--executions", "2", "--interval", "90")
    assert [(e["number"], e["status"], e["at"]) for e in cli["executions"]] == [
        (1, "Superseded", 171),
        (2, "Held", 171),
    ]


def test_template_transition_naming_no_stage_is_a_note(tmp_path: Path) -> None:
    text = (Path(ROOT) / CFN).read_text().replace("- StageName: Production", "- StageName: Prodution")
    path = tmp_path / "release-pipeline.yml"
    path.write_text(text)
    code, out, err = run_cli("simulate", str(path), "--isolated", "--color", "never", cwd=str(tmp_path))
    assert code == 0, err
    assert (
        "  note: DisableInboundStageTransitions names 'Prodution', which is no stage of the pipeline: ignored; "
        'did you mean "Production"?'
    ) in out.splitlines()
    assert "Execution would end: Succeeded at T+01:21" in out


def test_variables_in_rules_and_environment_variables_are_resolved(tmp_path: Path) -> None:
    spec = json.loads((Path(ROOT) / CONDITIONS).read_text())
    rule = spec["pipeline"]["stages"][2]["beforeEntry"]["conditions"][0]["rules"][0]
    # Package (namespace BuildVariables) runs in Build, before Staging's entry condition: resolvable.
    rule["configuration"]["Value"] = "#{BuildVariables.Branch}"
    # An entry condition runs before its own stage's actions: Staging's own outputs are not known yet.
    deploy = spec["pipeline"]["stages"][2]["actions"][0]
    deploy["namespace"] = "StagingVariables"
    spec["pipeline"]["stages"][2]["beforeEntry"]["conditions"][0]["rules"][0]["configuration"]["Operator"] = (
        "#{StagingVariables.Ready}"
    )
    report_action = spec["pipeline"]["stages"][4]["actions"][1]
    report_action["environmentVariables"] = [{"name": "TARGET", "value": "#{variables.Target}"}]
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(spec, indent=1))
    # Lint's CWP113 finds the undeclared pipeline variable: CodePipeline rejects the pipeline, and that is
    # the simulation's verdict (lint's finding named, not reported again).
    report = simulate(str(path))
    assert report["trace"]["verdict"]["result"] == "REJECTED" and not report["findings"]
    assert [r["code"] for r in report["trace"]["verdict"]["reasons"]] == ["CWP113"]
    # The simulator's own resolution, with lint's rules out of the way.
    report = simulate(str(path), "--select", "CWP2")
    messages = sorted(f["message"] for f in report["findings"] if f["code"] == "CWP201")
    assert messages == [
        "#{StagingVariables.Ready} cannot be resolved: Staging.DeployStaging does not run before the beforeEntry "
        "condition of Staging",
        "#{variables.Target} cannot be resolved: the pipeline declares no variable 'Target'",
    ]


def test_pipeline_variable_without_default_needs_a_value(tmp_path: Path) -> None:
    spec = json.loads((Path(ROOT) / f"{EX}/v2-commands-pipeline.json").read_text())
    del spec["pipeline"]["variables"][0]["defaultValue"]
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps(spec, indent=1))
    report = simulate(str(path))
    assert sorted({(f["code"], f["message"]) for f in report["findings"]}) == [
        (
            "CWP201",
            "#{variables.SiteBucket} cannot be resolved: the pipeline variable 'SiteBucket' has no default value "
            "and no --var SiteBucket=VALUE gives one",
        )
    ]
    given = simulate(str(path), "--var", "SiteBucket=docs.example.org")
    assert given["findings"] == []
    code, _, err = run_cli("simulate", str(path), "--isolated", "--var", "SiteBucket=")
    assert code == 2 and "--var SiteBucket=: CodePipeline takes no empty variable value" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--condition", "Staging.Nope=fail"], "--condition Staging.Nope: not STAGE.RULE of a stage condition"),
        (["--condition", "Staging.OnMainBranch=maybe"], "expected STAGE.RULE=pass or STAGE.RULE=fail"),
        (["--fail", "Build.UnitTest"], 'did you mean "Build.UnitTests"?'),
        (["--fail", "Build.UnitTests@0"], "attempts count from 1"),
        (["--reject", "Build.Lint"], "--reject Build.Lint: a Test/CodeBuild action, not a manual approval"),
        (["--approve", "Production.Approve", "--reject", "Production.Approve"], "given to both"),
        (["--duration", "Build.Lint=soon"], "invalid duration 'soon'"),
        (["--duration", "Build.Lnt=5"], "--duration Build.Lnt: not STAGE.ACTION"),
        (["--disable-transition", "Source"], "the first stage has no inbound transition"),
        (["--disable-transition", "Stagin"], 'no such stage; did you mean "Staging"?'),
        (["--enable-transition", "Staging"], "its inbound transition is not disabled"),
        (["--executions", "0"], "give at least 1"),
        (["--interval", "-5"], "give 0 or more minutes"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    code, _, err = run_cli("simulate", CONDITIONS, "--isolated", *args, cwd=ROOT)
    assert code == 2 and message in err, (args, err)


CFN_CONDITIONS = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::111122223333:role/p
      ArtifactStore: {Type: S3, Location: bucket-name}
      PipelineType: V2
      Stages:
        - Name: Source
          Actions:
            - Name: Src
              ActionTypeId: {Category: Source, Owner: AWS, Provider: S3, Version: "1"}
              Configuration: {S3Bucket: b, S3ObjectKey: k.zip}
              OutputArtifacts: [{Name: Out}]
        - Name: Deploy
          BeforeEntry:
            Conditions:
              - Result: SKIP
                Rules:
                  - Name: Window
                    RuleTypeId: {Category: Rule, Owner: AWS, Provider: DeploymentWindow, Version: "1"}
                    Configuration: {Cron: "0 9 ? * MON *"}
          OnFailure:
            Result: RETRY
            RetryConfiguration: {RetryMode: ALL_ACTIONS}
          Actions:
            - Name: Upload
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: S3, Version: "1"}
              Configuration: {BucketName: site, Extract: "true"}
              InputArtifacts: [{Name: Out}]
"""


def test_cloudformation_form_conditions_and_retry(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yml"
    path.write_text(CFN_CONDITIONS)
    skipped = stages(pipeline(str(path), "--condition", "Deploy.Window=fail"))["Deploy"]
    assert (skipped["status"], skipped["conditions"][0]["result"]) == ("Skipped", "SKIP")
    retried = stages(pipeline(str(path), "--fail", "Deploy.Upload@1"))["Deploy"]
    assert (retried["status"], retried["retry"]["mode"], retried["leave"]) == ("Succeeded", "ALL_ACTIONS", 3)
