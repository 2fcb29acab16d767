from codeward.linters.pipeline_form import Pipeline
from codeward.linters.placeholders import placeholder, resolved_by_aws, unfilled
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, action, api_case
from codeward.linters.rules.pipeline.providers import CONFIG_VALUES, CONFIGURATION, identity
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_STACK = action(
    "Stack", "Deploy", "CloudFormation",
    {"ActionMode": "CREATE_UPDATE", "StackName": "app", "TemplatePath": "Code::template.yml",
     "RoleArn": "arn:aws:iam::123456789012:role/cfn"},
    inputs=("Code",),
)  # fmt: skip


class InvalidConfigurationValue(PipelineRule):
    """
    ## What it does
    Reports a configuration value outside the values its key accepts: CloudFormation `ActionMode`,
    `OutputArtifactFormat` of CodeCommit and connection sources, Step Functions `InputType`, and the
    `true`/`false` switches (`PollForSourceChanges`, `DetectChanges`, `BatchEnabled`, `CombineArtifacts`,
    `Extract`).

    ## Why is this bad?
    The action fails validation, or (for switches) the value is not understood as intended.

    ## Example
    ```json
    {"configuration": {"ActionMode": "CREATE_OR_UPDATE", "StackName": "app"}}
    ```

    ## Fix
    Use one of the listed values; they are case-sensitive.
    """

    code = "CWP122"
    name = "pipeline-invalid-configuration-value"
    severity = Severity.ERROR
    tags = ("configuration",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]), ("Deploy", [_STACK]))),)
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]),
                     ("Deploy", [{**_STACK, "configuration": {**_STACK["configuration"],
                                                              "ActionMode": "CREATE_OR_UPDATE"}}])),
            13,
            159,
            'Did you mean "CREATE_UPDATE"?',
        ),
    )  # fmt: skip

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            ident = identity(item.owner, item.category, item.provider)
            spec = CONFIGURATION.get(ident) if ident else None
            config = item.configuration
            if spec is None or config is None:
                continue
            for key, raw in config.items():
                allowed = CONFIG_VALUES.get(key)
                value = pipeline.scalar(raw)  # CloudFormation passes YAML booleans on as "true"/"false"
                if allowed is None or key not in spec[0] + spec[1] or value is None or resolved_by_aws(value):
                    continue
                token = placeholder(value, key, words=False)
                if token is not None:
                    self.report(ctx, pipeline, item.config_at(key), f"{key}: {unfilled(token)}", severity=Severity.INFO)
                    continue
                boolean = "true" in allowed
                if (value.lower() if boolean else value) in allowed:
                    continue
                suggestion = did_you_mean(value, allowed)
                message = f'"{value}" is not a valid {key} for {item.describe}; expected one of {", ".join(allowed)}'
                if suggestion:
                    message += f'. Did you mean "{suggestion}"?'
                self.report(ctx, pipeline, item.config_at(key), message)
