from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class UnknownTag(LoaderRule):
    """
    ## What it does
    Reports a local YAML tag (`!Name`) that is not one of CloudFormation's short-form functions
    (`!Ref`, `!Sub`, `!GetAtt`, `!Join`, `!If`, ...).

    ## Why is this bad?
    Only CloudFormation gives meaning to `!` tags, and only to its own; anywhere else the tag is
    dropped or rejected, so the value is not what the author meant.

    ## Example
    ```yaml
    env:
      variables:
        TOKEN: !Secret build/token
    ```

    ## Fix
    Remove the tag, or use the mechanism the service provides (for example `env.secrets-manager`).
    """

    code = "CWF010"
    name = "unknown-tag"
    severity = Severity.WARNING
    VALID = (
        Valid(
            "Resources:\n  P:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n      RoleArn: !GetAtt Role.Arn\n",
            filename="pipeline.yml",
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nenv:\n  variables:\n    TOKEN: !Secret build/token\nphases:\n  build:\n    commands: [make]\n",
            4,
            12,
            "!Secret",
        ),
    )
