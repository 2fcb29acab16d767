from __future__ import annotations

import re

from codeward.linters.pipeline_form import Pipeline, texts_in
from codeward.linters.rule import Context
from codeward.linters.rules.common.CWF016_terraform_required_argument import _MODULE
from codeward.linters.rules.pipeline import BUILD_ACTION, CFN_GITHUB, PipelineRule, api_case, github_source

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# A CloudFormation dynamic reference: only CloudFormation resolves it, while it creates the stack. In Terraform the
# text may hold interpolations (`${aws_secretsmanager_secret.gh.name}`), which Terraform fills before the API call.
_DYNAMIC = re.compile(r"\{\{resolve:(?:ssm|ssm-secure|secretsmanager):(?:[^{}]|\$\{[^{}]*\})*\}\}")
# A whole value that is a shell command substitution, `$(aws ...)` or a backquoted command: a shell would run
# it, but the CLI reads `--cli-input-json file://...` as data.
_SUBSTITUTION = re.compile(r"\$\((?!\()[^()]*\s[^()]*\)|`[^`]*\s[^`]*`")
# CWF016's module with a GitHub (version 1) source, whose OAuthToken Terraform passes as it computes it.
_TERRAFORM = _MODULE.replace('owner            = "AWS"\n      provider         = "CodeStarSourceConnection"', (
    'owner            = "ThirdParty"\n      provider         = "GitHub"')).replace(
    '        FullRepositoryId = "octo/app"\n        BranchName       = "main"\n        ConnectionArn    = var.connection\n',
    '        Owner      = "octo"\n        Repo       = "app"\n        Branch     = "main"\n        OAuthToken = var.github_token\n',
)  # fmt: skip


class UnresolvedInCliInput(PipelineRule):
    """
    ## What it does
    In a pipeline written for the CLI or the API (`create-pipeline`/`update-pipeline` input, a `get-pipeline`
    export), reports a value that only another tool would have filled in: a CloudFormation dynamic reference
    (`{{resolve:secretsmanager:...}}`, `{{resolve:ssm:...}}`) or a shell command substitution
    (`$(aws secretsmanager get-secret-value ...)`). In a Terraform `aws_codepipeline`, reports a CloudFormation
    dynamic reference (with or without Terraform interpolations inside it).

    ## Why is this bad?
    `aws codepipeline create-pipeline --cli-input-json file://pipeline.json` reads the file as data: no
    CloudFormation stack resolves `{{resolve:...}}` and no shell runs `$(...)`. Terraform's AWS provider calls
    the same API with the value as Terraform computed it, and Terraform knows nothing of CloudFormation's
    references. CodePipeline stores the text itself, so a GitHub source uses the 60-odd characters of the
    reference as its OAuth token and fails to reach the repository, and any other setting gets the literal text.

    ## Example
    ```json
    "configuration": {"Owner": "octo", "Repo": "app", "Branch": "main",
                      "OAuthToken": "{{resolve:secretsmanager:github-token:SecretString:token}}"}
    ```

    ## Fix
    Put the value in when the command runs (`jq --arg token "$(aws secretsmanager ...)" ...` into a file that
    is not committed), declare the pipeline in CloudFormation where the reference resolves, or, for GitHub,
    move to a `CodeStarSourceConnection` source action, which needs no token at all. In Terraform, read the
    secret with a data source (`data.aws_secretsmanager_secret_version`) and pass its value, or use a connection.
    """

    code = "CWP127"
    name = "pipeline-unresolved-in-cli-input"
    severity = Severity.ERROR
    tags = ("correctness",)
    VALID = (
        # In a CloudFormation template the stack resolves the reference before CodePipeline sees it.
        Valid(CFN_GITHUB, filename="pipeline.yml"),
        # Terraform passes a secret it reads itself; a dynamic reference is only text there.
        Valid(_TERRAFORM, filename="pipeline.tf"),
        # A masked token (get-pipeline shows ****) and a placeholder a script fills are no references.
        Valid(api_case(("Source", [github_source("****")]), ("Build", [BUILD_ACTION]))),
        Valid(api_case(("Source", [github_source("${GITHUB_TOKEN}")]), ("Build", [BUILD_ACTION]))),
        # Arithmetic is not a command, and a dollar sign inside a value is text.
        Valid(api_case(("Source", [github_source("****")]), ("Build", [{**BUILD_ACTION, "configuration": {
            "ProjectName": "app", "EnvironmentVariables": '[{"name":"PRICE","value":"$(5)","type":"PLAINTEXT"}]'}}]))),
    )  # fmt: skip
    INVALID = (
        Invalid(
            _TERRAFORM.replace("var.github_token", '"{{resolve:secretsmanager:${aws_secretsmanager_secret.gh.name}}}"'),
            21,
            21,
            "Terraform passes it to CodePipeline as literal text",
            filename="pipeline.tf",
        ),
        Invalid(
            api_case(
                ("Source", [github_source("{{resolve:secretsmanager:github-token:SecretString:token}}")]),
                ("Build", [BUILD_ACTION]),
            ),
            7,
            209,
            "CloudFormation dynamic reference",
        ),
        Invalid(
            api_case(
                ("Source", [github_source("$(aws secretsmanager get-secret-value --secret-id gh --output text)")]),
                ("Build", [BUILD_ACTION]),
            ),
            7,
            209,
            "shell command substitution",
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, seven labelled sets): "
            "3 errors in 3 files, all labelled defect (fresh3 k43, k50, k62); none on the files AWS accepts. "
            "On Terraform pipelines (since fresh11): one error, on fresh11 z51, labelled defect."
        )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        if ctx.document.syntax == "hcl":
            self._check_terraform(ctx, pipeline)
            return
        if pipeline.form != "api":
            return
        for text, at in texts_in(pipeline.data, pipeline.path):
            match = _DYNAMIC.search(text)
            if match:
                what = f'the CloudFormation dynamic reference "{match.group(0)}"'
            else:
                match = _SUBSTITUTION.fullmatch(text.strip())
                if not match:
                    continue
                what = f'the shell command substitution "{text.strip()}"'
            self.report(
                ctx,
                pipeline,
                at,
                f"{what} is passed to CodePipeline as literal text: create-pipeline reads this file as data, so "
                "neither CloudFormation nor a shell resolves it",
                notes=(
                    "Fill the value in when the command runs, declare the pipeline in CloudFormation, or use a "
                    "CodeStarSourceConnection source, which needs no token.",
                ),
            )

    def _check_terraform(self, ctx: Context, pipeline: Pipeline) -> None:
        for text, at in texts_in(pipeline.data, pipeline.path):
            match = _DYNAMIC.search(text)
            if match is None:
                continue
            self.report(
                ctx,
                pipeline,
                at,
                f'the CloudFormation dynamic reference "{match.group(0)}" is not resolved by Terraform: Terraform '
                "passes it to CodePipeline as literal text, and only CloudFormation resolves such references",
                notes=(
                    "Read the secret with a data source (data.aws_secretsmanager_secret_version) and pass its "
                    "value, or use a CodeStarSourceConnection source, which needs no token.",
                ),
            )
