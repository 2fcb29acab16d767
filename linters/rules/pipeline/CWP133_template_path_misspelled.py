from __future__ import annotations

import os

from codeward.linters.pipeline_form import Action, Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import SOURCE_ACTION, PipelineRule, action, api_case
from codeward.linters.suggest import misspelled_file

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Source actions whose output is a repository's tree, the tree this file is part of when the paths match.
_REPOSITORY_SOURCES = frozenset({"CodeCommit", "CodeStarSourceConnection", "GitHub", "Bitbucket", "GitLab"})
_KEYS = ("TemplatePath", "TemplateConfiguration")
_DEPLOY = action(
    "Deploy", "Deploy", "CloudFormation",
    {"ActionMode": "CREATE_UPDATE", "StackName": "site", "TemplatePath": "Code::infra/main.yml",
     "RoleArn": "arn:aws:iam::123456789012:role/cfn"},
    inputs=("Code",),
)  # fmt: skip
_FILES = {".git/HEAD": "ref: refs/heads/main\n", "infra/main.yaml": "Resources: {}\n"}


class TemplatePathMisspelled(PipelineRule):
    """
    ## What it does
    Reports a CloudFormation action's `TemplatePath` or `TemplateConfiguration` (`Artifact::path`) that reads the
    output of a repository source action (CodeCommit, a connection, GitHub) at a path the repository does not
    have, while its folder holds exactly one file a slip away: `main.yml` where the file is `main.yaml`, or at
    most two characters inserted, dropped, changed or swapped with the same extension. A path that no file of the
    repository is near is not judged: the source may be another repository.

    ## Why is this bad?
    The source action's artifact is the repository's tree at the commit; the CloudFormation action opens the path
    in it and fails when the file is not there ("The specified template file could not be found"), on every
    execution.

    ## Example
    ```yaml
    Configuration:
      TemplatePath: SourceArtifact::CloudFormation/main.yml   # the repository has CloudFormation/main.yaml
    ```

    ## Fix
    Name the file as it is in the repository.
    """

    code = "CWP133"
    name = "pipeline-template-path-misspelled"
    severity = Severity.ERROR
    tags = ("artifacts",)
    VALID = (
        Valid(api_case(("Source", [SOURCE_ACTION]), ("Deploy", [_DEPLOY])), files={**_FILES, "infra/main.yml": "{}"}),
        Valid(
            api_case(("Source", [SOURCE_ACTION]), ("Deploy", [_DEPLOY])),
            files={".git/HEAD": "ref: refs/heads/main\n", "infra/other.yaml": "{}"},
        ),
    )
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Deploy", [_DEPLOY])),
            10,
            214,
            'TemplatePath "Code::infra/main.yml" names a file the repository does not have; it has infra/main.yaml',
            files=_FILES,
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        from codeward.linters.revision import project_root

        sources = {
            artifact.name
            for item in pipeline.actions
            if item.is_source and item.provider in _REPOSITORY_SOURCES
            for artifact in item.outputs
        }
        if not sources:
            return
        top = project_root(ctx.base_dir)
        if not top:
            return
        for item in pipeline.actions:
            if item.owner == "AWS" and item.provider == "CloudFormation" and item.configuration is not None:
                self._action(ctx, pipeline, item, top, sources)

    def _action(self, ctx: Context, pipeline: Pipeline, item: Action, top: str, sources: set[str]) -> None:
        for key in _KEYS:
            value = item.config_text(key)
            if value is None or "::" not in value:
                continue
            artifact, _, relative = value.partition("::")
            relative = relative.strip()
            while relative.startswith("./"):
                relative = relative[2:]
            if artifact.strip() not in sources or not relative or relative.startswith(("/", "..")):
                continue
            if any(c in relative for c in "$#{}*?"):  # a variable or a placeholder: the path is not known here
                continue
            if os.path.exists(os.path.join(top, relative)):
                continue
            meant = misspelled_file(top, relative, twins=True)
            if meant is None:
                continue
            self.report(
                ctx,
                pipeline,
                item.config_at(key),
                f'{key} "{value}" names a file the repository does not have; it has {meant}: the source artifact '
                "is the repository's tree, so the CloudFormation action finds no template there and fails",
                notes=(f'Write "{artifact}::{meant}".',),
            )
