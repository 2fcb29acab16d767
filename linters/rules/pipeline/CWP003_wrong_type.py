from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class WrongType(SchemaRule):
    """
    ## What it does
    Reports a value of the wrong type: a mapping where a list is expected (`stages`, `inputArtifacts`), a
    number where the API expects a string (configuration values are strings), a string `runOrder`, and
    so on.

    In a CloudFormation template, values are checked as CloudFormation passes them on: it turns numbers
    and booleans into strings where the property is a string, so `Version: 1` (as AWS's own
    `AWS::CodePipeline::Pipeline` reference example writes it) and `PollForSourceChanges: false` are
    correct there and not reported.

    ## Why is this bad?
    CodePipeline validates the JSON types of a request: the whole create or update fails. In the API form
    every configuration value is a string, so `"PollForSourceChanges": false` must be written `"false"`.

    ## Example
    ```json
    {"configuration": {"ProjectName": "app", "BatchEnabled": true}}
    ```

    ## Fix
    Write the value with the expected type: quote configuration values, write lists with `[...]`.
    """

    code = "CWP003"
    name = "pipeline-wrong-type"
    severity = Severity.ERROR
    kinds = frozenset({"pipeline"})
    error_kind = "type"
    tags = ("schema",)
    VALID = (
        Valid(
            '{"name": "p", "roleArn": "arn:aws:iam::123456789012:role/r",'
            ' "artifactStore": {"type": "S3", "location": "bkt"}, "stages": []}\n'
        ),
    )
    INVALID = (
        Invalid(
            '{"name": "p", "roleArn": "arn:aws:iam::123456789012:role/r",\n'
            ' "artifactStore": {"type": "S3", "location": "bkt"},\n'
            ' "stages": [{"name": "Build", "actions": [{"name": "B", "runOrder": "2",\n'
            '   "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}}]}]}\n',
            3,
            69,
            "must be an integer, not a string",
        ),
        Invalid(
            '{"name": "p", "roleArn": "arn:aws:iam::123456789012:role/r",\n'
            ' "artifactStore": {"type": "S3", "location": "bkt"},\n'
            ' "stages": {"name": "Build"}}\n',
            3,
            12,
            "must be a list",
        ),
    )
