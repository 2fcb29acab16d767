from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class MissingRequiredKey(SchemaRule):
    """
    ## What it does
    Reports a mapping that lacks a key CodePipeline requires: `roleArn` or `stages` of the pipeline
    (`RoleArn`, `Stages` in CloudFormation), `name` and `actions` of a stage, `name` and `actionTypeId` of
    an action, the four fields of `actionTypeId`, `type` and `location` of an artifact store.

    ## Why is this bad?
    The request or the stack update fails validation before anything runs.

    ## Example
    ```json
    {"name": "Build", "actions": [{"name": "Compile", "configuration": {"ProjectName": "app"}}]}
    ```

    ## Fix
    Add the missing key. An action always needs `actionTypeId` with `category`, `owner`, `provider` and
    `version` (usually `"1"`).
    """

    code = "CWP002"
    name = "pipeline-missing-required-key"
    severity = Severity.ERROR
    kinds = frozenset({"pipeline"})
    error_kind = "required"
    tags = ("schema",)
    VALID = (
        Valid(
            "Resources:\n  P:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n"
            "      RoleArn: !GetAtt Role.Arn\n      ArtifactStore: {Type: S3, Location: !Ref Bucket}\n"
            "      Stages: []\n",
            filename="pipeline.yml",
        ),
    )
    INVALID = (
        Invalid(
            '{\n  "pipeline": {\n    "name": "app",\n    "artifactStore": {"type": "S3", "location": "bucket"},\n'
            '    "stages": []\n  }\n}\n',
            2,
            3,
            'missing the required key "roleArn"',
        ),
        Invalid(
            "Resources:\n  P:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n"
            "      RoleArn: !GetAtt Role.Arn\n      ArtifactStore: {Type: S3, Location: !Ref Bucket}\n"
            "      Stages:\n        - Name: Source\n          Actions:\n            - Name: Src\n"
            "              ActionTypeId: {Category: Source, Owner: AWS, Version: '1'}\n",
            11,
            15,
            'missing the required key "Provider"',
            filename="pipeline.yml",
        ),
    )
