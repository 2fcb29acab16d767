import os
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.pipeline_form import is_template
from codeward.linters.project_source import is_inline, project_buildspec
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.pipeline import PROJECT_RESOURCE

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_TEMPLATE = (
    """Parameters:
  BuildSpec:
    Type: String
    Default: buildspec.yaml
Resources:
"""
    + PROJECT_RESOURCE
    + """        Type: CODEPIPELINE
        BuildSpec: !Ref BuildSpec
"""
)
_REPO = {".git/HEAD": "ref: refs/heads/main\n", "backend/buildspec.yml": "version: 0.2\nphases: {}\n"}
_PARENT = """Resources:
  Build:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: nested/build.yml
      Parameters:
        BuildSpec: backend/buildspec.yml
"""
_SOURCE_TYPES = frozenset(
    {"CODEPIPELINE", "GITHUB", "GITHUB_ENTERPRISE", "CODECOMMIT", "BITBUCKET", "GITLAB", "GITLAB_SELF_MANAGED"}
)
_PATH = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_./-]*$")


class ProjectBuildSpecMissing(DocumentRule):
    """
    ## What it does
    In a CloudFormation template, reports a CodeBuild project whose `Source.BuildSpec` names a path that is
    not in the repository holding the template, when the repository does hold buildspecs elsewhere. The
    value is followed through a parameter: the value a parent template of the repository passes when it
    nests this one, else the parameter's `Default` when nothing else in the repository names the
    parameter (a parameters file, a deploy script or a config file may pass another value: then the rule
    stays silent). Inline buildspecs, S3 ARNs, values with variables, projects whose source type is not a
    repository (`S3`, `NO_SOURCE`), and paths in a folder the repository does not have (`simpleApp/buildspec.yaml`
    in a template whose pipeline checks out another repository) are not judged.

    ## Why is this bad?
    CodeBuild reads the buildspec from the path, resolved from the root of the source it checked out.
    A path that names no file fails every build before its first phase (`YAML_FILE_ERROR Message: stat
    /codebuild/output/src.../src/buildspec/plan-buildspec.yml: no such file or directory`, as reported in
    aws/aws-cdk#23324 for a project whose buildspec path named no file of its source). A project template whose `BuildSpec` default is `buildspec.yaml` while the
    repository's buildspec is `backend/buildspec.yml`, nested by a parent that passes nothing, is a common
    way to get there.

    ## Example
    ```yaml
    Parameters:
      BuildSpec:
        Type: String
        Default: buildspec.yaml      # the repository has backend/buildspec.yml
    ```

    ## Fix
    Give the path from the repository's root (`backend/buildspec.yml`), in the default or where the stack
    gets its parameters (the parent's `Parameters`, the deploy command).
    """

    code = "CWP129"
    name = "codebuild-project-buildspec-missing"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"pipeline"})
    paths = ("",)
    VALID = (
        Valid(_TEMPLATE.replace("Default: buildspec.yaml", "Default: backend/buildspec.yml"), filename="build.yml",
              files=_REPO),
        # A parent template nests this one and passes the path; or a config file names the parameter (it may pass
        # a value when the stack is deployed).
        Valid(_TEMPLATE, filename="nested/build.yml",
              files={**{f"../{k}": v for k, v in _REPO.items()}, "../parent.yml": _PARENT}),
        Valid(_TEMPLATE, filename="build.yml", files={**_REPO, "config.toml": "[parameters]\nBuildSpec = 'x.yml'\n"}),
        # No buildspec in the repository at all: the project may build another repository.
        Valid(_TEMPLATE, filename="build.yml", files={".git/HEAD": "ref: refs/heads/main\n"}),
        Valid(_TEMPLATE.replace("Type: CODEPIPELINE\n", "Type: S3\n"), filename="build.yml", files=_REPO),
        # A folder this repository does not have: the pipeline builds another repository; a source type that is a
        # parameter.
        Valid(_TEMPLATE.replace("Default: buildspec.yaml", "Default: service/buildspec.yml"), filename="build.yml",
              files=_REPO),
        Valid(_TEMPLATE.replace("Type: CODEPIPELINE\n", "Type: !Ref SourceType\n"), filename="build.yml", files=_REPO),
        # A Systems Manager parameter type: the Default names the SSM parameter that holds the path.
        Valid(_TEMPLATE.replace("Type: String", "Type: AWS::SSM::Parameter::Value<String>"), filename="build.yml",
              files=_REPO),
    )  # fmt: skip
    INVALID = (
        Invalid(
            _TEMPLATE,
            4,
            14,
            'the CodeBuild project "Build" runs the buildspec "buildspec.yaml" (the Default of parameter '
            '"BuildSpec"; nothing in the repository passes another value), which is not in this repository',
            filename="build.yml",
            files=_REPO,
        ),
        Invalid(
            _TEMPLATE.replace("!Ref BuildSpec", "backend/build.yml"),
            14,
            20,
            "backend/buildspec.yml",
            filename="build.yml",
            files=_REPO,
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, eight labelled sets): errors on 5 files, all "
            "labelled defect (fresh4 q8, q10, q12, q55, q58); none on the files AWS accepts."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        from codeward.linters.revision import _buildspecs, project_root

        if path != () or not is_template(value) or not isinstance(value.get("Resources"), dict):
            return
        if ctx.document.path == "inline-buildspec":
            return
        root = project_root(ctx.base_dir)
        if root is None:
            return
        template_path = os.path.join(ctx.base_dir, os.path.basename(ctx.document.path))
        buildspecs: list[str] | None = None
        for logical_id, resource in value["Resources"].items():
            if not isinstance(resource, dict) or resource.get("Type") != "AWS::CodeBuild::Project":
                continue
            properties = resource.get("Properties")
            source = properties.get("Source") if isinstance(properties, dict) else None
            kind = source.get("Type") if isinstance(source, dict) else None
            if not isinstance(kind, str) or kind not in _SOURCE_TYPES:
                continue
            named = project_buildspec(value, logical_id, root, template_path)
            if named is None or is_inline(named.value) or not _PATH.match(named.value):
                continue
            if os.path.exists(os.path.join(root, named.value)):
                continue
            folder = os.path.dirname(named.value.strip("/"))
            if folder and not os.path.isdir(os.path.join(root, folder)):
                continue  # a folder this repository does not have: the project builds another repository
            if buildspecs is None:
                buildspecs = [os.path.relpath(p, root).replace(os.sep, "/") for p in _buildspecs(root)]
            if not buildspecs:
                continue  # no buildspec here at all: the project may build another repository
            origin = {
                "literal": "",
                "default": f' (the Default of parameter "{named.parameter}"; nothing in the repository passes '
                "another value)",
                "parent": f' (the value a parent template passes to parameter "{named.parameter}")',
            }[named.origin]
            listed = ", ".join(buildspecs[:3]) + (", ..." if len(buildspecs) > 3 else "")
            ctx.report(
                named.path,
                f'the CodeBuild project "{logical_id}" runs the buildspec "{named.value}"{origin}, which is not in '
                f"this repository (its buildspecs: {listed}): CodeBuild resolves the path from the source root and "
                "every build fails with YAML_FILE_ERROR",
                notes=("Give the buildspec's path from the repository's root.",),
            )
