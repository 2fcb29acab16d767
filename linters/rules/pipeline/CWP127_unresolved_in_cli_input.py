from __future__ import annotations

import re

from codeward.linters.pipeline_form import Pipeline, texts_in
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, PipelineRule, api_case, github_source

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# A CloudFormation dynamic reference: only CloudFormation resolves it, while it creates the stack.
_DYNAMIC = re.compile(r"\{\{resolve:(?:ssm|ssm-secure|secretsmanager):[^}]*\}\}")
# A whole value that is a shell command substitution, `$(aws ...)` or a backquoted command: a shell would run
# it, but the CLI reads `--cli-input-json file://...` as data.
_SUBSTITUTION = re.compile(r"\$\((?!\()[^()]*\s[^()]*\)|`[^`]*\s[^`]*`")


class UnresolvedInCliInput(PipelineRule):
    """
    ## What it does
    In a pipeline written for the CLI or the API (`create-pipeline`/`update-pipeline` input, a `get-pipeline`
    export), reports a value that only another tool would have filled in: a CloudFormation dynamic reference
    (`{{resolve:secretsmanager:...}}`, `{{resolve:ssm:...}}`) or a shell command substitution
    (`$(aws secretsmanager get-secret-value ...)`).

    ## Why is this bad?
    `aws codepipeline create-pipeline --cli-input-json file://pipeline.json` reads the file as data: no
    CloudFormation stack resolves `{{resolve:...}}` and no shell runs `$(...)`. CodePipeline stores the text
    itself, so a GitHub source uses the 60-odd characters of the reference as its OAuth token and fails to
    reach the repository, and any other setting gets the literal text.

    ## Example
    ```json
    "configuration": {"Owner": "octo", "Repo": "app", "Branch": "main",
                      "OAuthToken": "{{resolve:secretsmanager:github-token:SecretString:token}}"}
    ```

    ## Fix
    Put the value in when the command runs (`jq --arg token "$(aws secretsmanager ...)" ...` into a file that
    is not committed), declare the pipeline in CloudFormation where the reference resolves, or, for GitHub,
    move to a `CodeStarSourceConnection` source action, which needs no token at all.
    """

    code = "CWP127"
    name = "pipeline-unresolved-in-cli-input"
    severity = Severity.ERROR
    tags = ("correctness",)
    VALID = (
        # In a CloudFormation template the stack resolves the reference before CodePipeline sees it.
        Valid(
            "Resources:\n  Pipeline:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n"
            "      RoleArn: arn:aws:iam::123456789012:role/cp\n"
            "      ArtifactStore: {Type: S3, Location: artifact-bucket}\n"
            "      Stages:\n"
            "        - Name: Source\n          Actions:\n            - Name: Source\n"
            "              ActionTypeId: {Category: Source, Owner: ThirdParty, Provider: GitHub, Version: 1}\n"
            "              Configuration: {Owner: octo, Repo: app, Branch: main,"
            " OAuthToken: '{{resolve:secretsmanager:gh:SecretString:token}}'}\n"
            "              OutputArtifacts: [{Name: Code}]\n"
            "        - Name: Build\n          Actions:\n            - Name: Build\n"
            "              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: 1}\n"
            "              Configuration: {ProjectName: app}\n"
            "              InputArtifacts: [{Name: Code}]\n",
            filename="pipeline.yml",
        ),
        # A masked token (get-pipeline shows ****) and a placeholder a script fills are no references.
        Valid(api_case(("Source", [github_source("****")]), ("Build", [BUILD_ACTION]))),
        Valid(api_case(("Source", [github_source("${GITHUB_TOKEN}")]), ("Build", [BUILD_ACTION]))),
        # Arithmetic is not a command, and a dollar sign inside a value is text.
        Valid(api_case(("Source", [github_source("****")]), ("Build", [{**BUILD_ACTION, "configuration": {
            "ProjectName": "app", "EnvironmentVariables": '[{"name":"PRICE","value":"$(5)","type":"PLAINTEXT"}]'}}]))),
    )  # fmt: skip
    INVALID = (
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
            "3 errors in 3 files, all labelled defect (fresh3 k43, k50, k62); none on the files AWS accepts."
        )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
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
