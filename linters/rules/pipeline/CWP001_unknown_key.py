from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_OK = (
    '{"pipeline": {"name": "app", "roleArn": "arn:aws:iam::123456789012:role/cp",\n'
    ' "artifactStore": {"type": "S3", "location": "my-bucket"},\n'
    ' "stages": [{"name": "Source", "actions": [{"name": "Src", "actionTypeId": {"category": "Source",'
    ' "owner": "AWS", "provider": "CodeCommit", "version": "1"}, "configuration": {"RepositoryName": "app",'
    ' "BranchName": "main"}, "outputArtifacts": [{"name": "Code"}]}]},\n'
    '  {"name": "Build", "actions": [{"name": "Build", "actionTypeId": {"category": "Build", "owner": "AWS",'
    ' "provider": "CodeBuild", "version": "1"}, "configuration": {"ProjectName": "app"},'
    ' "inputArtifacts": [{"name": "Code"}]}]}]}}\n'
)


class UnknownKey(SchemaRule):
    """
    ## What it does
    Reports a key that the pipeline structure does not define at that place, for example `runorder` in an
    action or `Stage` in a CloudFormation pipeline resource, and suggests the closest valid key.
    CloudFormation's resource attributes (`Description`, `Metadata`, `DependsOn`, `Condition`,
    `DeletionPolicy`, `UpdateReplacePolicy`) are accepted on the pipeline resource.

    ## Why is this bad?
    CodePipeline rejects a create-pipeline or update-pipeline request whose JSON holds an unknown field, and
    CloudFormation rejects the resource with "extraneous key". A misspelled optional key such as
    `runorder` would otherwise silently lose its setting.

    ## Example
    ```json
    {"name": "Build", "runorder": 2, "actionTypeId": {...}}
    ```

    ## Fix
    Correct the spelling (codeward offers the suggested name as a fix) or move the key to where it belongs.
    Remove the `metadata` block of get-pipeline output before passing it to update-pipeline.
    """

    code = "CWP001"
    name = "pipeline-unknown-key"
    severity = Severity.ERROR
    kinds = frozenset({"pipeline"})
    error_kind = "unknown-key"
    tags = ("schema",)
    VALID = (Valid(_OK),)
    INVALID = (
        Invalid(_OK.replace('"inputArtifacts"', '"inputArtifact"'), 4, 188, 'did you mean "inputArtifacts"'),
        Invalid(
            "Resources:\n  P:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n"
            "      RoleArn: !GetAtt Role.Arn\n      ArtifactStore: {Type: S3, Location: b}\n      Stage: []\n",
            7,
            7,
            'did you mean "Stages"',
            filename="pipeline.yml",
        ),
    )
