"""The pre-commit hooks: manifest validity, file patterns, and real pre-commit runs of the hooks (tests/hook_repo.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT
from tests.hook_repo import HookRepo
from tests.test_terraform import ON_CODEDEPLOY_APP, PIPELINE

MANIFEST = Path(ROOT) / ".pre-commit-hooks.yaml"
GOOD_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"
BAD_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands: [make]\n  build:\n    commands: [make test]\n"


def hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}


def test_manifest_validates() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("hook", "matches", "ignores"),
    [
        (
            "codeward-buildspec",
            [
                "buildspec.yml",
                "ci/buildspec-prod.yaml",
                "BuildSpec.yml",
                "infra/buildspec_test.yml",
                "app.buildspec.yml",
            ],
            ["buildspec.json", "docs/buildspec.md", "build.yml"],
        ),
        (
            "codeward-appspec",
            ["appspec.yml", "deploy/appspec.yaml", "ecs/appspec.json", "appspec-lambda.yml"],
            ["appspec.md", "app.yml"],
        ),
        (
            "codeward-pipeline",
            [
                "pipeline.json",
                "infra/release-pipeline.yml",
                "cfn/pipeline.template",
                "Pipeline.yaml",
                "cdk.out/AppStack.template.json",
                "template.yaml",
                "infra/codebuild.yml",
            ],
            ["pipeline.md", "pipelines.txt", "stack.yml", "cdk.json"],
        ),
        ("codeward-terraform", ["main.tf", "infra/codepipeline.tf"], ["main.tf.json", "terraform.tfvars", "x.tfstate"]),
    ],
)
def test_hook_file_patterns(hook: str, matches: list[str], ignores: list[str]) -> None:
    pattern = re.compile(hooks()[hook]["files"])
    for name in matches:
        assert pattern.search(name), name
    for name in ignores:
        assert not pattern.search(name), name


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_hooks_pass_good_and_fail_bad_files(tmp_path: Path, hook_repo: HookRepo) -> None:
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "buildspec.yml").write_text(GOOD_BUILDSPEC)
    (repo / "README.md").write_text("hello\n")
    _git(repo, "add", ".")
    good = hook_repo.run_hooks(repo, "codeward-buildspec")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    simulated = hook_repo.run_hooks(repo, "codeward-simulate")
    assert simulated.returncode == 0, simulated.stdout + simulated.stderr
    assert "codeward (simulate, dry run)" in simulated.stdout and "Passed" in simulated.stdout

    (repo / "ci").mkdir()
    (repo / "ci" / "buildspec-release.yml").write_text(BAD_BUILDSPEC)
    _git(repo, "add", ".")
    bad = hook_repo.run_hooks(repo, "codeward-buildspec")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert 'ci/buildspec-release.yml:5:3: CWF002 duplicate key "build"' in bad.stdout
    assert "buildspec.yml:" not in bad.stdout.replace("ci/buildspec-release.yml:", "")


def test_the_lint_and_simulate_hooks_report_a_problem_once(tmp_path: Path, hook_repo: HookRepo) -> None:
    """A hook script missing from the revision: the appspec hook reports it (CWA104), the simulate hook
    fails the deployment at AfterInstall naming lint's finding, without a finding of its own."""
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "appspec.yml").write_text("version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: gone.sh\n")
    _git(repo, "add", ".")
    lint = hook_repo.run_hooks(repo, "codeward-appspec")
    simulate = hook_repo.run_hooks(repo, "codeward-simulate")
    assert lint.returncode == 1 and simulate.returncode == 1, lint.stdout + simulate.stdout
    assert "appspec.yml:5:17: CWA104" in lint.stdout
    assert "CWA104 line 5, reported by codeward lint" in simulate.stdout
    assert not re.search(r"appspec\.yml:\d+:\d+: CW", simulate.stdout), simulate.stdout


def test_terraform_hook_passes_a_module_and_fails_a_pipeline_defect(tmp_path: Path, hook_repo: HookRepo) -> None:
    """The Terraform hook lints the pipeline file and passes over the module's other files (their info is not a
    failure); a CodeDeploy action on the ECS application of codedeploy.tf fails it (CWP132)."""
    repo = tmp_path / "user-repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "codepipeline.tf").write_text(PIPELINE)
    (repo / "codedeploy.tf").write_text('resource "aws_codedeploy_app" "app" {\n  compute_platform = "ECS"\n}\n')
    _git(repo, "add", ".")
    good = hook_repo.run_hooks(repo, "codeward-terraform")
    assert good.returncode == 0 and "Passed" in good.stdout, good.stdout + good.stderr
    (repo / "codepipeline.tf").write_text(ON_CODEDEPLOY_APP)
    _git(repo, "add", ".")
    failed = hook_repo.run_hooks(repo, "codeward-terraform")
    assert failed.returncode == 1 and "codepipeline.tf:49:25: CWP132" in failed.stdout, failed.stdout
