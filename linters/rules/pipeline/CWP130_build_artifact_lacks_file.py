from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from codeward.linters.pipeline_form import Action, Pipeline, is_intrinsic
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import PipelineRule, action, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_APPSPECS = ("appspec.yml", "appspec.yaml", "appspec.json")
_CODE = action("Code", "Source", "CodeCommit", {"RepositoryName": "app", "BranchName": "main"}, outputs=("Code",))
_BUILD = action("Build", "Build", "CodeBuild", {"ProjectName": "app-build"}, inputs=("Code",), outputs=("Out",))
_ECS = action("Deploy", "Deploy", "ECS", {"ClusterName": "c", "ServiceName": "s"}, inputs=("Out",))
_EC2 = action("Deploy", "Deploy", "CodeDeploy", {"ApplicationName": "a", "DeploymentGroupName": "g"}, inputs=("Out",))
_PROJECT = '{"name": "app-build", "source": {"type": "CODEPIPELINE", "buildspec": "ci/buildspec.yml"}}\n'
_WRITES = "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files:\n    - {files}\n"
_REPO = {"../.git/HEAD": "ref: refs/heads/main\n", "project.json": _PROJECT}
_TERRAFORM = """resource "aws_codebuild_project" "build" {
  name = "app-build"
  source {
    type      = "CODEPIPELINE"
    buildspec = file("${path.module}/../ci/buildspec.yml")
  }
}
"""
_CFN = """Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Source:
        Type: CODEPIPELINE
        BuildSpec: |
          version: 0.2
          phases: {build: {commands: ['make > web-imagedefinitions.json']}}
          artifacts: {files: [web-imagedefinitions.json]}
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      Stages:
        - Name: Source
          Actions:
            - Name: Code
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeCommit, Version: 1}
              OutputArtifacts: [{Name: Code}]
              Configuration: {RepositoryName: app, BranchName: main}
        - Name: Build
          Actions:
            - Name: Build
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: 1}
              InputArtifacts: [{Name: Code}]
              OutputArtifacts: [{Name: Out}]
              Configuration: {ProjectName: !Ref Build}
        - Name: Deploy
          Actions:
            - Name: Web
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: ECS, Version: 1}
              InputArtifacts: [{Name: Out}]
              Configuration: {ClusterName: c, ServiceName: web}
"""
_ECS_APPSPEC = (
    "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
    "        TaskDefinition: <TASK_DEFINITION>\n"
    "        LoadBalancerInfo: {ContainerName: app, ContainerPort: 80}\n"
)


@dataclass(frozen=True)
class _Build:
    """What a CodeBuild action's output can hold: its project's buildspec as the repository defines it."""

    project: str
    defined_in: str
    buildspec: str
    patterns: tuple[str, ...]
    base: str | None
    flattened: bool
    root: str
    written: frozenset[str]

    def could_hold(self, wanted: str) -> bool:
        """Whether a file could sit at `wanted` (a path from the artifact's root) in the output."""
        from codeward.linters.simulate.files import glob_regex

        path = wanted.strip().lstrip("./") if wanted.strip().startswith("./") else wanted.strip().lstrip("/")
        for pattern in self.patterns:
            if "$" in pattern or "#{" in pattern:
                return True
            if self.flattened:
                if "/" not in path and glob_regex(os.path.basename(pattern.rstrip("/")) or "*").fullmatch(path):
                    return True
            elif glob_regex(pattern).fullmatch(path):
                return True
        return False

    def source_of(self, name: str) -> str | None:
        """The repository file a literal pattern ships as `name` at the artifact's root, unless a build command
        writes a file of that name (the build may rewrite it)."""
        if self.flattened or name in self.written:
            return None
        for pattern in self.patterns:
            if pattern.strip().lstrip("./") == name:
                full = os.path.join(self.root, self.base or "", name)
                return full if os.path.isfile(full) else None
        return None

    def describe(self) -> str:
        files = ", ".join(self.patterns[:4]) + (", ..." if len(self.patterns) > 4 else "")
        defined = os.path.relpath(self.defined_in, self.root).replace(os.sep, "/")
        spec = "an inline buildspec" if "\n" in self.buildspec else self.buildspec
        extra = f", base-directory {self.base}" if self.base else ""
        extra += ", discard-paths" if self.flattened else ""
        return f'project "{self.project}" ({defined}) runs {spec}, whose artifacts.files ({files}{extra})'


def _load_buildspec(root: str, definition: Any) -> tuple[Any, str] | None:
    from codeward.linters.engine import load_document

    if definition.inline:
        return load_document("inline-buildspec.yml", definition.buildspec).data, definition.buildspec
    path = os.path.join(root, definition.buildspec)
    if not os.path.isfile(path):
        return None  # the buildspec is not here: what the build packs cannot be read
    with open(path, encoding="utf-8", errors="replace") as handle:
        return load_document(path, handle.read()).data, definition.buildspec


def _is_ecs_appspec(path: str) -> bool:
    from codeward.linters.engine import load_document

    with open(path, encoding="utf-8", errors="replace") as handle:
        data = load_document(path, handle.read()).data
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, list):
        return False
    for item in resources:
        for body in item.values() if isinstance(item, dict) else ():
            if isinstance(body, dict) and body.get("Type") == "AWS::ECS::Service":
                return True
    return False


class BuildArtifactLacksFile(PipelineRule):
    """
    ## What it does
    Reports a deploy action that reads a file the build action before it cannot produce, when the repository
    defines that build's CodeBuild project: a `create-project` JSON input, a CloudFormation
    `AWS::CodeBuild::Project` (named, or referenced with `!Ref` in the same template) or a Terraform
    `aws_codebuild_project`, whose buildspec (its path from the source root, default `buildspec.yml`, or
    inline) is read for its `artifacts`. Reported:
    - an `ECS` action whose `FileName` (default `imagedefinitions.json`) no `artifacts.files` pattern can put at
      the artifact's root;
    - a `CodeDeploy` (EC2/On-Premises) action whose input can hold no AppSpec file at its root, or whose
      AppSpec, shipped unchanged from the repository, is an ECS AppSpec (`AWS::ECS::Service` resources);
    - a `CodeDeployToECS` action whose task definition or AppSpec template the artifact cannot hold.

    A project defined nowhere in the repository (made in the console, or in another repository) is not
    judged: which buildspec it runs, and so what its artifact holds, cannot be known from here. Patterns
    with variables, secondary artifacts and build actions with several outputs are not judged either.

    ## Why is this bad?
    CodePipeline accepts the pipeline, CodeBuild uploads exactly what `artifacts.files` matches, and the
    deploy action fails on every execution: the ECS action does not find its image definitions file, the
    CodeDeploy action no `appspec.yml` at the revision's root. An EC2/On-Premises `CodeDeploy` action
    deploys a zipped revision; an ECS deployment group takes an AppSpec and task definition through the
    `CodeDeployToECS` action.

    ## Example
    ```yaml
    artifacts:
      files:
        - backend-imagedefinitions.json   # the ECS action reads imagedefinitions.json
    ```

    ## Fix
    Name the file the action reads (`FileName`), or write it under the name the action expects; for ECS
    blue/green deployments use the `CodeDeployToECS` provider.
    """

    code = "CWP130"
    name = "pipeline-build-artifact-lacks-file"
    severity = Severity.ERROR
    tags = ("artifacts",)
    VALID = (
        Valid(api_case(("Source", [_CODE]), ("Build", [_BUILD]), ("Deploy", [_ECS])), filename="aws/pipeline.json",
              files={**_REPO, "../ci/buildspec.yml": _WRITES.format(files="imagedefinitions.json")}),
        Valid(api_case(("Source", [_CODE]), ("Build", [_BUILD]), ("Deploy", [_ECS])), filename="aws/pipeline.json",
              files={**_REPO, "../ci/buildspec.yml": _WRITES.format(files="'**/*'")}),
        # No definition of the project in the repository: what it builds cannot be known.
        Valid(api_case(("Source", [_CODE]), ("Build", [_BUILD]), ("Deploy", [_ECS])), filename="aws/pipeline.json",
              files={"../.git/HEAD": "ref: refs/heads/main\n",
                     "../ci/buildspec.yml": _WRITES.format(files="backend-imagedefinitions.json")}),
        Valid(api_case(("Source", [_CODE]), ("Build", [_BUILD]), ("Deploy", [_EC2])), filename="aws/pipeline.json",
              files={**_REPO, "../ci/buildspec.yml": _WRITES.format(files="appspec.yml"),
                     "../appspec.yml": "version: 0.0\nos: linux\n"}),
    )  # fmt: skip
    INVALID = (
        Invalid(
            api_case(("Source", [_CODE]), ("Build", [_BUILD]), ("Deploy", [_ECS])),
            13,
            204,
            'the ECS action reads imagedefinitions.json from "Out", the output of CodeBuild action "Build": project '
            '"app-build" (aws/project.json) runs ci/buildspec.yml, whose artifacts.files (backend-imagedefinitions'
            ".json) cannot put it at the artifact's root",
            filename="aws/pipeline.json",
            files={**_REPO, "../ci/buildspec.yml": _WRITES.format(files="backend-imagedefinitions.json")},
        ),
        Invalid(
            api_case(("Source", [_CODE]), ("Build", [_BUILD]), ("Deploy", [_EC2])),
            13,
            93,
            "is an ECS AppSpec",
            filename="aws/pipeline.json",
            files={**_REPO, "../ci/buildspec.yml": _WRITES.format(files="appspec.yml"), "../appspec.yml": _ECS_APPSPEC},
        ),
        # The project in Terraform (buildspec = file(...), read as the buildspec's text), or in the same template.
        Invalid(
            api_case(("Source", [_CODE]), ("Build", [_BUILD]), ("Deploy", [_ECS])),
            13,
            204,
            'project "app-build" (infra/main.tf) runs an inline buildspec',
            filename="aws/pipeline.json",
            files={"../.git/HEAD": "ref: refs/heads/main\n", "../infra/main.tf": _TERRAFORM,
                   "../ci/buildspec.yml": _WRITES.format(files="backend-imagedefinitions.json")},
        ),
        Invalid(_CFN, 32, 39, "web-imagedefinitions.json", filename="pipeline.yml",
                files={".git/HEAD": "ref: refs/heads/main\n"}),
    )  # fmt: skip

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, eight labelled sets): errors on 2 files, "
            "both labelled defect (fresh3 k34, k69); none on the files AWS accepts."
        )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        from codeward.linters.revision import project_root

        root = project_root(ctx.base_dir)
        if root is None:
            return
        # Only builds whose output a deploy action reads are looked up (the lookup reads the repository).
        consumed = {
            artifact.name
            for item in pipeline.actions
            if item.owner == "AWS" and item.category == "Deploy" and item.provider in ("ECS", "CodeDeploy")
            for artifact in item.inputs
        }
        builds: dict[str, tuple[Action, _Build | None]] = {}
        for item in pipeline.actions:
            outputs = item.outputs
            for artifact in outputs:
                builds[artifact.name] = (item, None)
            if (
                item.owner == "AWS"
                and item.provider == "CodeBuild"
                and len(outputs) == 1
                and outputs[0].name in consumed
            ):
                builds[outputs[0].name] = (item, self._build(ctx, pipeline, item, root))
        for item in pipeline.actions:
            if item.owner != "AWS" or item.category != "Deploy":
                continue
            provider = item.provider or ""
            inputs = item.inputs
            if provider in ("ECS", "CodeDeploy") and len(inputs) == 1:
                producer, build = builds.get(inputs[0].name, (None, None))
                if producer is None or build is None:
                    continue
                head = f'from "{inputs[0].name}", the output of CodeBuild {producer.describe}: {build.describe()}'
                if provider == "ECS":
                    wanted = item.config_text("FileName") or "imagedefinitions.json"
                    if "#{" in wanted or build.could_hold(wanted):
                        continue
                    at = item.config_at("FileName") if item.config_text("FileName") else inputs[0].path
                    self.report(
                        ctx,
                        pipeline,
                        at,
                        f"the ECS action reads {wanted} {head} cannot put it at the artifact's root: the deploy action "
                        "fails on every execution",
                        notes=("Write the file under that name, or set FileName to the name the build writes.",),
                    )
                    continue
                held = [name for name in _APPSPECS if build.could_hold(name)]
                if not held:
                    self.report(
                        ctx,
                        pipeline,
                        inputs[0].path,
                        f"the CodeDeploy action deploys the revision {head} cannot put an AppSpec file (appspec.yml) at "
                        "its root: every deployment fails",
                    )
                    continue
                shipped = build.source_of(held[0]) if len(held) == 1 else None
                if shipped and _is_ecs_appspec(shipped):
                    self.report(
                        ctx,
                        pipeline,
                        item.at("actionTypeId", item.key("provider")),
                        f'the CodeDeploy (EC2/On-Premises) action deploys a zipped revision, but the AppSpec in "'
                        f'{inputs[0].name}" is an ECS AppSpec: CodeBuild {producer.describe}\'s {build.describe()} ship '
                        f"{os.path.relpath(shipped, root)} unchanged, and it has an AWS::ECS::Service resource; ECS "
                        "deployments take the AppSpec and task definition through the CodeDeployToECS action, so every "
                        "deployment fails",
                        notes=("Use the CodeDeployToECS provider with TaskDefinitionTemplateArtifact, "
                               "AppSpecTemplateArtifact and Image1ArtifactName.",),
                    )  # fmt: skip

    def _build(self, ctx: Context, pipeline: Pipeline, item: Action, root: str) -> _Build | None:
        from codeward.linters.project_source import ProjectDefinition, find_project, is_inline, project_buildspec
        from codeward.linters.revision import _artifact_specs, _commands, _patterns, names_written_by

        definition = None
        name = item.config_text("ProjectName")
        config = item.configuration or {}
        reference = config.get("ProjectName")
        template = ctx.document.data
        if pipeline.form == "cfn" and is_intrinsic(reference) and isinstance(reference.get("Ref"), str):
            resources = template.get("Resources") if isinstance(template, dict) else None
            project = resources.get(reference["Ref"]) if isinstance(resources, dict) else None
            if isinstance(project, dict) and project.get("Type") == "AWS::CodeBuild::Project":
                here = os.path.join(ctx.base_dir, os.path.basename(ctx.document.path))
                named = project_buildspec(template, reference["Ref"], root, here)
                source = (
                    project.get("Properties", {}).get("Source") if isinstance(project.get("Properties"), dict) else None
                )
                if named is not None:
                    definition = ProjectDefinition(reference["Ref"], here, named.value, is_inline(named.value))
                elif isinstance(source, dict) and "BuildSpec" not in source:
                    definition = ProjectDefinition(reference["Ref"], here, "buildspec.yml", False)
        elif name and "#{" not in name and "$" not in name:
            definition = find_project(root, name)
        if definition is None:
            return None
        loaded = _load_buildspec(root, definition)
        if loaded is None:
            return None
        data, spec = loaded
        specs = _artifact_specs(data)
        if not specs or "secondary-artifacts" in specs[0]:
            return None
        primary = specs[0]
        patterns = tuple(_patterns(primary.get("files")))
        base = primary.get("base-directory")
        if not patterns or (base is not None and not isinstance(base, str)):
            return None
        flattened = primary.get("discard-paths") in (True, "yes", "true", "Yes", "True")
        written = frozenset(names_written_by(_commands(data), root))
        return _Build(definition.name, definition.defined_in, spec, patterns, base, flattened, root, written)
