from codeward.linters.pipeline_form import Action, Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, action, api_case
from codeward.linters.rules.pipeline.providers import CFN_MODE_KEYS, CONFIGURATION, identity
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_STACK = action(
    "Stack",
    "Deploy",
    "CloudFormation",
    {"ActionMode": "CREATE_UPDATE", "StackName": "app", "TemplatePath": "Code::template.yml",
     "RoleArn": "arn:aws:iam::123456789012:role/cfn"},
    inputs=("Code",),
)  # fmt: skip


def _required(item: Action, config: dict) -> list[tuple[str, str]]:
    """(key, why) for each required key of the action's configuration."""
    ident = identity(item.owner, item.category, item.provider)
    spec = CONFIGURATION.get(ident) if ident else None
    if spec is None:
        return []
    out = [(key, "") for key in spec[0]]
    if item.provider == "CloudFormation" and item.owner == "AWS":
        mode = config.get("ActionMode")
        if isinstance(mode, str):
            out += [(key, f" with ActionMode {mode}") for key in CFN_MODE_KEYS.get(mode, ())]
    if item.provider == "S3" and item.category == "Deploy" and str(config.get("Extract", "")).lower() == "false":
        out.append(("ObjectKey", " when Extract is false"))
    return out


class MissingConfigurationKey(PipelineRule):
    """
    ## What it does
    Reports an action whose `configuration` lacks a key its provider requires: `ProjectName` for CodeBuild,
    `RepositoryName` and `BranchName` for CodeCommit, `ApplicationName` and `DeploymentGroupName` for
    CodeDeploy, `ClusterName` and `ServiceName` for ECS, `FunctionName` for Lambda, `ActionMode` and
    `StackName` for CloudFormation (plus `TemplatePath`, `RoleArn` or `ChangeSetName` as the mode needs),
    `ObjectKey` for an S3 deploy that does not extract, and so on.

    ## Why is this bad?
    CodePipeline rejects an action without its required configuration.

    ## Example
    ```json
    {"actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
     "configuration": {"PrimarySource": "Code"}}
    ```

    ## Fix
    Add the missing key with its value.
    """

    code = "CWP110"
    name = "pipeline-missing-configuration-key"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]), ("Deploy", [_STACK]))),)
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [{**BUILD_ACTION, "configuration": {}}])),
            10,
            121,
            'lacks the required configuration key "ProjectName"',
        ),
        Invalid(
            api_case(
                ("Source", [SOURCE_ACTION]),
                ("Deploy", [{**_STACK, "configuration": {"ActionMode": "CREATE_UPDATE", "StackName": "app"}}]),
            ),
            10,
            127,
            '"TemplatePath" with ActionMode CREATE_UPDATE',
            also=((10, 127),),  # RoleArn is missing too: one finding per missing key
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            if item.has("configuration") and item.configuration is None:
                continue  # an intrinsic or a wrong type: nothing to know
            config = item.configuration or {}
            required = _required(item, config)
            known = {key for key, _ in required}
            ident = identity(item.owner, item.category, item.provider)
            if ident in CONFIGURATION:
                known.update(CONFIGURATION[ident][0] + CONFIGURATION[ident][1])
            strangers = [k for k in config if k not in known]
            # A misspelled required key is one defect, reported by CWP109 with its did-you-mean.
            missing = [(k, why) for k, why in required if k not in config and not did_you_mean(k, strangers)]
            if ctx.document.syntax == "hcl":
                # The AWS provider fills a GitHub (version 1) action's OAuthToken from GITHUB_TOKEN when the
                # configuration omits it.
                missing = [(k, why) for k, why in missing if k != "OAuthToken"]
            for key, why in missing:
                where = item.at("configuration") if item.has("configuration") else item.at("name")
                self.report(
                    ctx,
                    pipeline,
                    where,
                    f'{item.provider} {item.describe} lacks the required configuration key "{key}"{why}',
                    key=True,
                )
