"""Golden traces: the text trace of `codeward simulate` for example files and every failure path.

The test only reads the golden files. After an intended change, `python -m tests.update_golden [NAME ...]`
rewrites them and prints `git diff` of tests/simulate/golden/ for a person to review before committing. The
examples are snapshots under tests/simulate/examples/ so that edits to examples/ do not
move these traces; tests/test_simulate_examples.py runs the live examples/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli

EX = "tests/simulate/examples"
BUILD = f"{EX}/buildspec/python-app/buildspec.yml"
FAILS = "tests/simulate/builds/buildspec-failure-paths.yml"
EC2 = f"{EX}/appspec/ec2-linux-python-api/appspec.yml"
BLUE_GREEN = f"{EX}/appspec/ec2-linux-bluegreen-alb/appspec.yml"
LAMBDA = f"{EX}/appspec/lambda-canary-lowercase/appspec.yml"
ECS = f"{EX}/appspec/ecs-fargate-bluegreen/appspec.yml"
PIPELINE = f"{EX}/pipeline/webapp-pipeline.json"
CONDITIONS = f"{EX}/pipeline/v2-conditions-pipeline.json"
PARALLEL = f"{EX}/pipeline/v2-parallel-rollback.json"

CASES: dict[str, tuple[str, ...]] = {
    "build-python": (BUILD,),
    "build-python-fail-install": (BUILD, "--fail-at", "install:2"),
    "build-python-fail-pre-build": (BUILD, "--fail-at", "pre_build"),
    "build-python-fail-build": (BUILD, "--fail-at", "build:1"),
    "build-python-fail-post-build": (BUILD, "--fail-at", "post_build"),
    "build-legacy-v01": (f"{EX}/buildspec/legacy-v01/buildspec.yml",),
    "build-docker": (f"{EX}/buildspec/docker-image/buildspec-docker.yml", "--fail-at", "build:1"),
    "build-batch-graph": (f"{EX}/buildspec/monorepo-batch/buildspec.yml",),
    "build-batch-matrix": (f"{EX}/buildspec/matrix-tests/buildspec.yml",),
    "build-on-failure-continue": (FAILS, "--fail-at", "install"),
    "build-on-failure-retry": (FAILS, "--fail-at", "pre_build"),
    "build-on-failure-abort-finally": (FAILS, "--fail-at", "build:1"),
    "build-failing-finally": (FAILS, "--fail-at", "build:finally:1"),
    "ec2-one-at-a-time": (EC2,),
    "ec2-fail-rollback": (EC2, "--fail", "ValidateService@2", "--auto-rollback"),
    "ec2-last-instance-fails": (EC2, "--fail", "ValidateService@3"),
    "ec2-half-at-a-time-9": (
        EC2,
        "--config",
        "CodeDeployDefault.HalfAtATime",
        "--instances",
        "9",
        "--fail",
        "AfterInstall@1",
    ),
    "ec2-all-at-once-lb": (EC2, "--config", "CodeDeployDefault.AllAtOnce", "--load-balancer", "--first-deployment"),
    "ec2-min-healthy-too-high": (EC2, "--config", "95%", "--instances", "10"),
    "ec2-blue-green": (BLUE_GREEN, "--deployment-type", "blue-green", "--instances", "2"),
    "ec2-blue-green-fail": (
        BLUE_GREEN,
        "--deployment-type",
        "blue-green",
        "--fail",
        "AfterAllowTraffic@1",
        "--auto-rollback",
    ),
    "lambda-canary": (LAMBDA, "--config", "CodeDeployDefault.LambdaCanary10Percent5Minutes"),
    "lambda-linear-fail": (LAMBDA, "--config", "linear:25:2", "--fail", "AllowTraffic", "--auto-rollback"),
    "ecs-fail-before-install": (
        ECS,
        "--config",
        "CodeDeployDefault.ECSCanary10Percent15Minutes",
        "--fail",
        "BeforeInstall",
    ),
    "ecs-linear": (ECS, "--config", "CodeDeployDefault.ECSLinear10PercentEvery3Minutes"),
    "pipeline-webapp": (PIPELINE, "--executions", "3"),
    "pipeline-fail-build": (PIPELINE, "--fail", "Build.UnitTests"),
    "pipeline-reject": (PIPELINE, "--reject", "Approve.ReleaseApproval"),
    "pipeline-cfn": (f"{EX}/pipeline/cfn-release-pipeline.yml",),
    "pipeline-v2": (f"{EX}/pipeline/v2-commands-pipeline.json", "--executions", "2"),
    "pipeline-fail-build-executions": (PIPELINE, "--fail", "Build.UnitTests", "--executions", "3", "--interval", "5"),
    "pipeline-durations": (
        PIPELINE,
        "--duration",
        "Build.UnitTests=25",
        "--duration",
        "Approve.ReleaseApproval=2h",
        "--executions",
        "2",
        "--interval",
        "30",
    ),
    "pipeline-approval-timeout": (PIPELINE, "--duration", "Approve.ReleaseApproval=2d"),
    "pipeline-disable-transition": (
        PIPELINE,
        "--disable-transition",
        "Deploy",
        "--executions",
        "3",
        "--interval",
        "10",
    ),
    "pipeline-cfn-held-executions": (f"{EX}/pipeline/cfn-release-pipeline.yml", "--executions", "2"),
    "pipeline-cfn-enabled": (f"{EX}/pipeline/cfn-release-pipeline.yml", "--enable-transition", "Production"),
    "pipeline-conditions-pass": (CONDITIONS, "--executions", "3", "--interval", "5"),
    "pipeline-entry-skip": (CONDITIONS, "--condition", "Staging.OnMainBranch=fail"),
    "pipeline-entry-fail": (CONDITIONS, "--condition", "Production.ReleaseWindow=fail", "--executions", "2"),
    "pipeline-success-rollback": (CONDITIONS, "--condition", "Staging.StagingAlarms=fail"),
    "pipeline-success-rollback-first-execution": (
        CONDITIONS,
        "--condition",
        "Staging.StagingAlarms=fail",
        "--first-execution",
    ),
    "pipeline-success-fail": (CONDITIONS, "--condition", "Production.ProductionAlarms=fail"),
    "pipeline-retry-failed-actions-succeeds": (CONDITIONS, "--fail", "Build.UnitTests@1"),
    "pipeline-retry-failed-actions-fails": (CONDITIONS, "--fail", "Build.UnitTests"),
    "pipeline-retry-all-actions": (CONDITIONS, "--fail", "Verify.Report@1"),
    "pipeline-failure-rollback": (CONDITIONS, "--fail", "Staging.DeployStaging", "--executions", "2"),
    "pipeline-failure-condition-met": (CONDITIONS, "--fail", "Production.DeployProduction"),
    "pipeline-failure-condition-rollback": (
        CONDITIONS,
        "--fail",
        "Production.DeployProduction",
        "--condition",
        "Production.HealthCheck=fail",
    ),
    "pipeline-reject-condition-rollback": (
        CONDITIONS,
        "--reject",
        "Production.Approve",
        "--condition",
        "Production.HealthCheck=fail",
    ),
    "pipeline-parallel-no-rollback": (PARALLEL, "--fail", "Deploy.Stack", "--executions", "2", "--interval", "0"),
    "pipeline-mermaid": (PIPELINE, "--format", "mermaid"),
    "pipeline-cfn-mermaid": (f"{EX}/pipeline/cfn-release-pipeline.yml", "--format", "mermaid"),
    "pipeline-cfn-dot": (f"{EX}/pipeline/cfn-release-pipeline.yml", "--format", "dot"),
    "pipeline-dot": (PIPELINE, "--format", "dot"),
}


def trace(args: tuple[str, ...]) -> str:
    code, out, err = run_cli("simulate", *args, "--isolated", "--color", "never", cwd=ROOT)
    assert code in (0, 1), err
    return out.replace(ROOT, "<ROOT>")


GOLDEN = Path(ROOT) / "tests" / "simulate" / "golden"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_trace(name: str) -> None:
    golden = GOLDEN / f"{name}.txt"
    assert golden.exists(), f"no golden trace yet: python -m tests.update_golden {name}, then review the diff"
    assert trace(CASES[name]) == golden.read_text(encoding="utf-8")


def test_every_golden_file_has_its_case() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(CASES)
