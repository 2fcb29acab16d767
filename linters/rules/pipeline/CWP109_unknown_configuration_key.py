from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import SOURCE_ACTION, PipelineRule, action, api_case
from codeward.linters.rules.pipeline.providers import CONFIGURATION, identity
from codeward.linters.suggest import did_you_mean

from codeward.findings import Edit, Fix, Severity
from codeward.rule import Invalid, Valid

_BUILD = action("Build", "Build", "CodeBuild", {"ProjectName": "app", "BatchEnabled": "true"}, inputs=("Code",))


class UnknownConfigurationKey(PipelineRule):
    """
    ## What it does
    Reports a `configuration` key that the action's provider does not define, for AWS-owned providers
    (CodeBuild, CodeDeploy, CodeDeployToECS, ECS, Elastic Beanstalk, CloudFormation, S3, Lambda, Step
    Functions, Manual approval, CodeCommit, CodeStarSourceConnection, ECR) and GitHub version 1, with the
    closest valid key.

    ## Why is this bad?
    CodePipeline validates configuration keys against the action type and rejects unknown ones; a
    misspelled optional key (`PrimarySorce`) would otherwise be lost.

    ## Example
    ```json
    {"configuration": {"ProjectName": "app", "Batchenabled": "true"}}
    ```

    ## Fix
    Use the key as the provider's action reference spells it (keys are case-sensitive).
    """

    code = "CWP109"
    name = "pipeline-unknown-configuration-key"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [_BUILD]))),)
    INVALID = (
        Invalid(
            api_case(
                ("Source", [SOURCE_ACTION]),
                ("Build", [{**_BUILD, "configuration": {"ProjectName": "app", "Batchenabled": "true"}}]),
            ),
            10,
            161,
            'did you mean "BatchEnabled"?',
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            ident = identity(item.owner, item.category, item.provider)
            spec = CONFIGURATION.get(ident) if ident else None
            config = item.configuration
            if spec is None or config is None:
                continue
            known = spec[0] + spec[1]
            for key in config:
                if key in known:
                    continue
                suggestion = did_you_mean(key, known)
                message = f'unknown configuration key "{key}" for a {item.provider} {item.category} action'
                fix = None
                if suggestion:
                    message += f'; did you mean "{suggestion}"?'
                    span = ctx.document.span(item.config_at(key), key=True)
                    quoted = ctx.document.source(span)
                    new = f'"{suggestion}"' if quoted.startswith('"') else suggestion
                    fix = Fix(f'rename to "{suggestion}"', (Edit(span, new),))
                self.report(
                    ctx,
                    pipeline,
                    item.config_at(key),
                    message,
                    key=True,
                    fix=fix,
                    notes=(f"{item.provider} accepts: {', '.join(known) or 'no configuration'}.",),
                )
