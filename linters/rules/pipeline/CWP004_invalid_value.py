from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class InvalidValue(SchemaRule):
    """
    ## What it does
    Reports a value outside what CodePipeline accepts: an unknown `category`, `owner`, `executionMode` or
    `pipelineType`, a `runOrder` outside 1..999, a name with characters the API refuses, an artifact name
    with a dot, a role that is not an IAM role ARN, both or neither of `artifactStore` and
    `artifactStores`, too many actions in a stage.

    ## Why is this bad?
    The API validates these constraints and rejects the whole pipeline definition.

    ## Example
    ```json
    {"actionTypeId": {"category": "Compile", "owner": "AWS", "provider": "CodeBuild", "version": "1"}}
    ```

    ## Fix
    Use one of the listed values (codeward suggests the closest one), or respect the stated limits.
    """

    code = "CWP004"
    name = "pipeline-invalid-value"
    severity = Severity.ERROR
    kinds = frozenset({"pipeline"})
    error_kind = "value"
    tags = ("schema",)
    VALID = (
        Valid(
            '{"name": "p", "roleArn": "arn:aws:iam::123456789012:role/r", "executionMode": "SUPERSEDED",'
            ' "artifactStore": {"type": "S3", "location": "bkt"}, "stages": []}\n'
        ),
    )
    INVALID = (
        Invalid(
            '{"name": "p", "roleArn": "arn:aws:iam::123456789012:role/r", "executionMode": "SUPERSEEDED",\n'
            ' "artifactStore": {"type": "S3", "location": "bkt"}, "stages": []}\n',
            1,
            79,
            'Did you mean "SUPERSEDED"?',
        ),
        Invalid(
            "Resources:\n  P:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n"
            "      RoleArn: !GetAtt Role.Arn\n      ArtifactStore: {Type: S3, Location: !Ref Bucket}\n"
            "      Stages:\n        - Name: Build\n          Actions:\n            - Name: B\n"
            "              RunOrder: 1000\n"
            "              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: '1'}\n",
            11,
            25,
            "must be at most 999",
            filename="pipeline.yml",
        ),
        Invalid(
            '{"name": "p", "roleArn": "arn:aws:iam::123456789012:role/r", "stages": []}\n',
            1,
            1,
            "exactly one of artifactStore and artifactStores",
        ),
    )
