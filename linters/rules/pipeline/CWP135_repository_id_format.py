import re

from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import PipelineRule, action, api_case

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
    URL. Values given by a parameter, a variable or a placeholder are not judged.

    ## Why is this bad?
    The CodePipeline action reference: FullRepositoryId is "the owner and name of the repository where source
    changes are to be detected", for example `some-user/my-repo`. The connection looks the repository up by that
    id; any other text names no repository, and the source action fails on every execution.

    ## Example
    ```yaml
    Configuration:
      ConnectionArn: arn:aws:codeconnections:us-east-1:123456789012:connection/abc
      FullRepositoryId: my-repo
      BranchName: main
    ```

    ## Fix
    Write the owner and the name: `FullRepositoryId: some-user/my-repo`.
    """

    code = "CWP135"
    name = "pipeline-repository-id-format"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (
        Valid(_case("octo/app")),
        Valid(_case("group/sub/app")),
        Valid(_case("#{variables.repo}")),
    )
    INVALID = (
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
