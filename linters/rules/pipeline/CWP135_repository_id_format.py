import re

from codeward.linters.document import Path
from codeward.linters.pipeline_form import Action, Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import CFN_GITHUB, PipelineRule, action, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# A value that is not the id as written: a variable, a parameter, a substitution, a placeholder.
_NOT_LITERAL = re.compile(r"[${}<>%#]")
# owner/name, or group/subgroup/name on GitLab: segments without spaces, no scheme or host.
_REPOSITORY_ID = re.compile(r"^[^/\s:]+(?:/[^/\s:]+)+$")


def _problem(value: str) -> str | None:
    """What is wrong with a literal FullRepositoryId, or None when it has the owner/name form."""
    if value != value.strip():
        return "has spaces around it"
    if "://" in value or value.lower().startswith(("github.com/", "gitlab.com/", "bitbucket.org/", "git@")):
        return "is a URL; the action takes owner/name"
    if "/" not in value:
        return "has no owner: the action takes owner/name"
    if not _REPOSITORY_ID.match(value) or value.endswith("/"):
        return "is not of the form owner/name"
    return None


def _name_problem(value: str, field: str) -> str | None:
    """What is wrong with a GitHub (version 1) action's literal Owner or Repo, or None when it is one name."""
    if value != value.strip():
        return "has spaces around it"
    if "://" in value or value.lower().startswith(("github.com/", "git@")):
        return f"is a URL; the action takes the {field} alone"
    if "/" in value:
        return f"holds a slash; the action takes the {field} alone"
    return None


# CWP127's CloudFormation pipeline with its Repo given by a parameter.
_TEMPLATE = (
    "Parameters:\n  Repository:\n    Type: String\n    Default: https://github.com/octo/app\n"
    + CFN_GITHUB.replace("Repo: app,", "Repo: !Ref Repository,")
)


def _case(repository: str) -> str:
    source = action(
        "Source",
        "Source",
        "CodeStarSourceConnection",
        {
            "ConnectionArn": "arn:aws:codeconnections:us-east-1:123456789012:connection/abc",
            "FullRepositoryId": repository,
            "BranchName": "main",
        },
        outputs=("Code",),
    )
    return api_case(("Source", [source]))


class RepositoryIdFormat(PipelineRule):
    """
    ## What it does
    Reports the literal `FullRepositoryId` of a `CodeStarSourceConnection` source action that is not of the form
    `owner/name` (`group/subgroup/name` on GitLab): a repository name without its owner, spaces around the id, a
    URL. For a GitHub (version 1) source action, reports an `Owner` or `Repo` that is not one name: a URL, an
    `owner/name` pair, spaces around it. A CloudFormation parameter is judged by the value the repository gives it:
    the value a parent template passes, or its `Default` when nothing in the repository may pass one (no parameters
    file, script or configuration naming it); a parameter of a Systems Manager type
    (`AWS::SSM::Parameter::Value<String>`), whose Default names the parameter holding the value, is not judged.
    Other values given by a variable or a placeholder are not judged.

    ## Why is this bad?
    The CodePipeline action reference: FullRepositoryId is "the owner and name of the repository where source
    changes are to be detected", for example `some-user/my-repo`. The connection looks the repository up by that
    id; any other text names no repository, and the source action fails on every execution. The GitHub (version
    1) action takes them apart: `Owner` is the user or organization, `Repo` the repository's name, and a URL in
    `Repo` names no repository of the owner.

    ## Example
    ```yaml
    Configuration:
      ConnectionArn: arn:aws:codeconnections:us-east-1:123456789012:connection/abc
      FullRepositoryId: my-repo
      BranchName: main
    ```

    ## Fix
    Write the owner and the name: `FullRepositoryId: some-user/my-repo`; for a GitHub (version 1) action, each
    alone: `Owner: some-user` and `Repo: my-repo`.
    """

    code = "CWP135"
    name = "pipeline-repository-id-format"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (
        Valid(_case("octo/app")),
        Valid(_case("group/sub/app")),
        Valid(_case("#{variables.repo}")),
        Valid(
            _TEMPLATE.replace("https://github.com/octo/app", "app"), filename="pipeline.yml", files={".git/HEAD": "x\n"}
        ),
        # A Systems Manager parameter type: the Default names the SSM parameter that holds the value.
        Valid(
            _TEMPLATE.replace(
                "Type: String\n    Default: https://github.com/octo/app",
                ("Type: AWS::SSM::Parameter::Value<String>\n    Default: /pipeline/github/repo"),
            ),
            filename="pipeline.yml",
            files={".git/HEAD": "x\n"},
        ),
        # A parameters file of the repository may pass another value at deploy time.
        Valid(
            _TEMPLATE,
            filename="pipeline.yml",
            files={".git/HEAD": "x\n", "params.json": '[{"ParameterKey": "Repository"}]'},
        ),
    )
    INVALID = (
        Invalid(
            _TEMPLATE,
            4,
            14,
            'Repo "https://github.com/octo/app" (the Default of parameter Repository) of action "Source" is a URL',
            filename="pipeline.yml",
            files={".git/HEAD": "x\n"},
        ),
        Invalid(
            _case("app"),
            7,
            258,
            'FullRepositoryId "app" of action "Source" has no owner: the action takes owner/name',
        ),
        Invalid(
            _case(" octo/app "),
            7,
            258,
            'FullRepositoryId " octo/app " of action "Source" has spaces around it',
        ),
        Invalid(
            _case("https://github.com/octo/app"),
            7,
            258,
            "is a URL",
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            if item.owner == "ThirdParty" and item.provider == "GitHub":
                self._check_github(ctx, pipeline, item)
            if item.owner != "AWS" or item.provider != "CodeStarSourceConnection":
                continue
            value = item.config_text("FullRepositoryId")
            if value is None or _NOT_LITERAL.search(value):
                continue
            problem = _problem(value)
            if problem is None:
                continue
            self.report(
                ctx,
                pipeline,
                item.config_at("FullRepositoryId"),
                f'FullRepositoryId "{value}" of action "{item.name}" {problem}',
                notes=(
                    "The connection looks the repository up by owner/name; any other text names no repository "
                    "and the source action fails on every execution.",
                ),
            )

    def _check_github(self, ctx: Context, pipeline: Pipeline, item: Action) -> None:
        config = item.configuration
        if config is None:
            return
        for field, what in (("Owner", "owner"), ("Repo", "repository's name")):
            found = self._value(ctx, pipeline, config.get(field))
            if found is None:
                continue
            value, origin, at = found
            if _NOT_LITERAL.search(value):
                continue
            problem = _name_problem(value, what)
            if problem is None:
                continue
            self.report(
                ctx,
                pipeline,
                at or item.config_at(field),
                f'{field} "{value}"{origin} of action "{item.name}" {problem}',
                notes=(
                    "The GitHub (version 1) action finds the repository by Owner and Repo, each one name; any "
                    "other text names no repository and the source action fails on every execution.",
                ),
            )

    @staticmethod
    def _value(ctx: Context, pipeline: Pipeline, raw: object) -> tuple[str, str, Path | None] | None:
        """The text of a configuration value, with where it comes from and where to report it when that is not the
        action: a literal, or a CloudFormation parameter's value as the repository gives it (see
        project_source.parameter_value); a Default is reported at the Default, the text to change."""
        scalar = pipeline.scalar(raw)
        if isinstance(scalar, str):
            return scalar, "", None
        if not (isinstance(raw, dict) and len(raw) == 1 and isinstance(raw.get("Ref"), str)):
            return None
        template = ctx.document.data
        if not isinstance(template, dict):
            return None
        from codeward.linters.project_source import parameter_value
        from codeward.linters.revision import project_root

        found = parameter_value(template, raw["Ref"], project_root(ctx.base_dir), ctx.document.path)
        if found is None:
            return None
        if found.origin == "parent":
            return found.value, f" (passed to parameter {found.parameter})", None
        return found.value, f" (the Default of parameter {found.parameter})", found.path
