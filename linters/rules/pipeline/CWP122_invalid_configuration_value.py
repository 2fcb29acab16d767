import json
import re

from codeward.linters.pipeline_form import Action, Pipeline
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
# `Artifact::path`, the form of TemplatePath and TemplateConfiguration.
_ARTIFACT_FILE = re.compile(r"^[A-Za-z0-9_-]{1,100}::\S+$")


class InvalidConfigurationValue(PipelineRule):
    """
    ## What it does
    Reports a configuration value outside the values its key accepts: CloudFormation `ActionMode`,
    `OutputArtifactFormat` of CodeCommit and connection sources, Step Functions `InputType`, and the
    `true`/`false` switches (`PollForSourceChanges`, `DetectChanges`, `BatchEnabled`, `CombineArtifacts`,
    `Extract`); and a CloudFormation action's `ParameterOverrides` written as text that is not a JSON object,
    such as `BuildArtifact::params.json`, the `Artifact::path` form of `TemplateConfiguration`. A value of
    CloudFormation functions (`!Sub`) or a whole CodePipeline variable is not judged; a placeholder is `info`.

    ## Why is this bad?
    The action fails validation, or (for switches) the value is not understood as intended. The CloudFormation
    action reference defines `ParameterOverrides` as a JSON object of parameter names and values; the action
    parses it when it runs, so text that is not one fails every execution (a file of parameters is given with
    `TemplateConfiguration`).

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
    VALID = (
        Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]), ("Deploy", [_STACK]))),
        Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]),
                       ("Deploy", [{**_STACK, "configuration": {**_STACK["configuration"],
                                    "ParameterOverrides": '{"Image": {"Fn::GetParam": ["Code", "i.json", "uri"]}}',
                                    "TemplateConfiguration": "Code::params.json"}}]))),
    )  # fmt: skip
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]),
                     ("Deploy", [{**_STACK, "configuration": {**_STACK["configuration"],
                                                              "ActionMode": "CREATE_OR_UPDATE"}}])),
            13,
            159,
            'Did you mean "CREATE_UPDATE"?',
        ),
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]),
                     ("Deploy", [{**_STACK, "configuration": {**_STACK["configuration"],
                                                              "ParameterOverrides": "Code::params.json"}}])),
            13,
            305,
            'ParameterOverrides "Code::params.json" names a file of an artifact: ParameterOverrides takes a JSON '
            "object of parameter values as text; a file of parameters is given with TemplateConfiguration",
        ),
    )  # fmt: skip

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            ident = identity(item.owner, item.category, item.provider)
            spec = CONFIGURATION.get(ident) if ident else None
            config = item.configuration
            if spec is None or config is None:
                continue
            if item.provider == "CloudFormation" and "ParameterOverrides" in config:
                self._parameter_overrides(ctx, pipeline, item, config["ParameterOverrides"])
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

    def _parameter_overrides(self, ctx: Context, pipeline: Pipeline, item: Action, raw: object) -> None:
        value = raw if isinstance(raw, str) else None  # functions and YAML mappings: not text to judge here
        if value is None or not value.strip() or (resolved_by_aws(value) and value.strip().startswith("#{")):
            return
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return
        token = placeholder(value, "ParameterOverrides", words=False)
        if token is not None:
            message = f"ParameterOverrides: {unfilled(token)}"
            self.report(ctx, pipeline, item.config_at("ParameterOverrides"), message, severity=Severity.INFO)
            return
        if _ARTIFACT_FILE.match(value.strip()):
            message = (
                f'ParameterOverrides "{value.strip()}" names a file of an artifact: ParameterOverrides takes a JSON '
                "object of parameter values as text; a file of parameters is given with TemplateConfiguration"
            )
        else:
            message = (
                "ParameterOverrides is not a JSON object of parameter names and values, which the CloudFormation "
                "action parses when it runs"
            )
        self.report(ctx, pipeline, item.config_at("ParameterOverrides"), message)
