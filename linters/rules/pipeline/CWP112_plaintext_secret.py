from __future__ import annotations

import json

from codeward.linters.document import Path
from codeward.linters.pipeline_form import Action, Pipeline, mask
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, PipelineRule, action, api_case, github_source
from codeward.linters.secret_values import classify

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


def _secret(name: str, value: object) -> str | None:
    """What secret `value` holds under `name` (OAuthToken is one by name), or None (linters.secret_values)."""
    return classify("OAUTH_TOKEN" if name == "OAuthToken" else name, value)


def _parameter_default(ctx: Context, pipeline: Pipeline, value: object) -> tuple[str, Path] | None:
    """For `{"Ref": P}` in a template whose parameter P has a literal string Default: the Default and its path."""
    if pipeline.form != "cfn" or not isinstance(value, dict) or set(value) != {"Ref"}:
        return None
    name = value["Ref"]
    parameters = ctx.document.data.get("Parameters") if isinstance(ctx.document.data, dict) else None
    parameter = parameters.get(name) if isinstance(parameters, dict) and isinstance(name, str) else None
    if not isinstance(parameter, dict) or not isinstance(parameter.get("Default"), str):
        return None
    return parameter["Default"], ("Parameters", name, "Default")


_TEMPLATE = """Parameters:
  GitHubToken:
    Type: String
    NoEcho: true
    Default: {default}
Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::123456789012:role/cp
      ArtifactStore: {{Type: S3, Location: artifact-bucket}}
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {{Category: Source, Owner: ThirdParty, Provider: GitHub, Version: 1}}
              Configuration: {{Owner: octo, Repo: app, Branch: main, OAuthToken: !Ref GitHubToken}}
              OutputArtifacts: [{{Name: Code}}]
        - Name: Build
          Actions:
            - Name: Build
              ActionTypeId: {{Category: Build, Owner: AWS, Provider: CodeBuild, Version: 1}}
              Configuration: {{ProjectName: app}}
              InputArtifacts: [{{Name: Code}}]
"""


class PlaintextSecret(PipelineRule):
    """
    ## What it does
    Reports a secret written in plain text in a pipeline definition: the `OAuthToken` of a GitHub (version
    1) source action (also when a template passes it with `!Ref` to a parameter whose `Default` is the
    token), any configuration key named like a token, password or secret, and plaintext
    environment variables with such names (CodeBuild `EnvironmentVariables` of type `PLAINTEXT`, Commands
    action `environmentVariables`). The value is shown masked.

    ## Why is this bad?
    Pipeline definitions live in repositories, templates and CLI history, and `get-pipeline` hands the
    configuration to anyone with read access to the pipeline. A token written there is leaked to all of
    them and stays in the Git history.

    ## Example
    ```json
    {"configuration": {"Owner": "octo", "Repo": "app", "Branch": "main", "OAuthToken": "ghp_abc123..."}}
    ```

    ## Fix
    Reference the secret instead: `{{resolve:secretsmanager:github-token:SecretString:token}}` in
    CloudFormation, a `NoEcho` parameter, or an environment variable of type `SECRETS_MANAGER` or
    `PARAMETER_STORE`. Better, replace GitHub version 1 actions by `CodeStarSourceConnection`. Rotate a
    token that was committed.
    """

    secret = True
    code = "CWP112"
    name = "pipeline-plaintext-secret"
    severity = Severity.ERROR
    tags = ("security",)
    cwe = 798
    security_severity = 7.5
    VALID = (
        Valid(api_case(("Source", [github_source("{{resolve:secretsmanager:gh:SecretString:token}}")]),
                       ("Build", [BUILD_ACTION]))),
        Valid(api_case(("Source", [github_source("****")]), ("Build", [BUILD_ACTION]))),
        # Placeholders a script fills in, and stand-ins too short to be a token.
        Valid(api_case(("Source", [github_source("%GitHubToken%")]), ("Build", [BUILD_ACTION]))),
        Valid(api_case(("Source", [github_source("123")]), ("Build", [BUILD_ACTION]))),
        # A long mixed-case name is still a name: words joined by dashes, under a key that names something.
        Valid(api_case(("Source", [action(
            "Source", "Source", "CodeCommit",
            {"RepositoryName": "NT548-Practice02-Group18-P2-CloudFormation-CodePipeline-hello", "BranchName": "main"},
            outputs=("Code",),
        )]), ("Build", [BUILD_ACTION]))),
        # A parameter whose Default is a stand-in, not a token.
        Valid(_TEMPLATE.format(default="token"), filename="pipeline.yml"),
    )  # fmt: skip
    INVALID = (
        Invalid(
            _TEMPLATE.format(default="f5ebe839c1787a78b9efdd56d60704630bb8b6f9"),
            5,
            14,
            'parameter "GitHubToken" gives',
            filename="pipeline.yml",
        ),
        Invalid(
            api_case(("Source", [github_source("ghp_9f8e7d6c5b4a39281706f5e4d3c2b1a09876")]), ("Build", [BUILD_ACTION])),
            7,
            209,
            '"ghp_****"',
        ),
        Invalid(
            api_case(
                ("Source", [github_source("****")]),
                ("Build", [{**BUILD_ACTION, "configuration": {"ProjectName": "app", "EnvironmentVariables": json.dumps(
                    [{"name": "DB_PASSWORD", "value": "hunter2hunter2", "type": "PLAINTEXT"}])}}]),
            ),
            10,
            185,
            'environment variable "DB_PASSWORD"',
        ),
    )  # fmt: skip

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            config = item.configuration or {}
            for key, value in config.items():
                default = _parameter_default(ctx, pipeline, value)
                if default is not None and _secret(key, default[0]) is not None:
                    # `OAuthToken: !Ref GitHubToken` with the token as the parameter's Default: the template
                    # commits it all the same (NoEcho only hides it from describe-stacks).
                    self.report(
                        ctx,
                        pipeline,
                        default[1],
                        f'parameter "{value["Ref"]}" gives {item.describe} the secret "{key}" in plain text as '
                        f'its Default ("{mask(default[0])}")',
                        notes=(
                            "Delete the Default and pass the value at deploy time, or reference it: "
                            "{{resolve:secretsmanager:<secret>:SecretString:<key>}}; rotate the exposed value.",
                        ),
                    )
                elif _secret(key, value) is not None:
                    self.report(
                        ctx,
                        pipeline,
                        item.config_at(key),
                        f'{item.describe} has the secret "{key}" in plain text ("{mask(value)}")',
                        notes=(
                            "Reference it instead: {{resolve:secretsmanager:<secret>:SecretString:<key>}} or a "
                            "NoEcho parameter; rotate the exposed value.",
                        ),
                    )
            if isinstance(config.get("EnvironmentVariables"), str):
                self._codebuild_env(ctx, pipeline, item, config["EnvironmentVariables"])
            env = item.raw("environmentVariables")
            for index, var in enumerate(env if isinstance(env, list) else []):
                if not isinstance(var, dict):
                    continue
                name, value = var.get(item.key("name")), var.get(item.key("value"))
                kind = var.get(item.key("type"), "PLAINTEXT")
                if isinstance(name, str) and kind == "PLAINTEXT" and _secret(name, value) is not None:
                    self.report(
                        ctx,
                        pipeline,
                        item.at("environmentVariables", index, item.key("value")),
                        f'environment variable "{name}" of {item.describe} holds a plaintext secret '
                        f'("{mask(value)}"); use type SECRETS_MANAGER with the secret\'s name',
                    )

    def _codebuild_env(self, ctx: Context, pipeline: Pipeline, item: Action, text: str) -> None:
        try:
            variables = json.loads(text)
        except ValueError:
            return
        for var in variables if isinstance(variables, list) else []:
            if not isinstance(var, dict):
                continue
            name, value, kind = var.get("name"), var.get("value"), var.get("type", "PLAINTEXT")
            if isinstance(name, str) and kind == "PLAINTEXT" and _secret(name, value) is not None:
                self.report(
                    ctx,
                    pipeline,
                    item.config_at("EnvironmentVariables"),
                    f'environment variable "{name}" of {item.describe} is PLAINTEXT with a secret value '
                    f'("{mask(value)}"); use type SECRETS_MANAGER or PARAMETER_STORE and the secret\'s name',
                )
