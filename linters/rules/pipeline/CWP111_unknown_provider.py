from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, action, api_case
from codeward.linters.rules.pipeline.providers import AWS_PROVIDERS
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class UnknownProvider(PipelineRule):
    """
    ## What it does
    Reports an AWS-owned action whose `provider` does not exist in its `category`: a misspelling
    (`Codebuild`), a provider of another category (`CodeDeploy` as a Build action) or a third-party
    provider declared with owner `AWS` (`GitHub`).

    ## Why is this bad?
    CodePipeline looks the action type up by category, owner, provider and version; there is no such type,
    so the pipeline is rejected. Partner (`ThirdParty`) and `Custom` action types are not checked.

    ## Example
    ```json
    {"actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeDeploy", "version": "1"}}
    ```

    ## Fix
    Use a provider of that category (codeward suggests the closest), or the right category for the
    provider. For GitHub use `CodeStarSourceConnection` with a connection ARN.
    """

    code = "CWP111"
    name = "pipeline-unknown-provider"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]))),)
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [action("Build", "Build", "Codebuild", inputs=("Code",))])),
            10,
            91,
            'did you mean "CodeBuild"?',
        ),
        Invalid(
            api_case(
                ("Source", [SOURCE_ACTION]),
                ("Build", [action("Build", "Build", "CodeDeploy", {"ApplicationName": "a"}, inputs=("Code",))]),
            ),
            10,
            91,
            "CodeDeploy is a Deploy provider",
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            category, provider = item.category, item.provider
            if item.owner != "AWS" or category not in AWS_PROVIDERS or provider is None:
                continue
            valid = AWS_PROVIDERS[category]
            if provider in valid:
                continue
            path = item.at("actionTypeId", item.key("provider"))
            elsewhere = [c for c, names in AWS_PROVIDERS.items() if provider in names]
            if elsewhere:
                message = (
                    f'"{provider}" is not a {category} provider: {provider} is a {" and ".join(elsewhere)} provider'
                )
            else:
                message = f'unknown provider "{provider}" for an AWS {category} action'
                suggestion = did_you_mean(provider, valid)
                if suggestion:
                    message += f'; did you mean "{suggestion}"?'
            notes = [f"AWS {category} providers: {', '.join(valid)}."]
            if provider.lower() in ("github", "bitbucket", "gitlab"):
                notes.append("Git hosts are reached through CodeStarSourceConnection and a connection ARN.")
            self.report(ctx, pipeline, path, message, notes=tuple(notes))
