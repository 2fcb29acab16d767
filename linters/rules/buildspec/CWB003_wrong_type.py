from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class WrongType(SchemaRule):
    """
    ## What it does
    Reports a value of the wrong type: a single string where a list is expected, a list where a mapping
    is expected, and above all a command that YAML read as a mapping because it contains an unquoted
    `: ` (colon followed by a space).

    Where AWS's reference and its own samples disagree, codeward follows what CodeBuild accepts:
    `artifacts.files` (and a secondary artifact's) is a list in the reference, but AWS's ECS tutorial
    writes one string (`files: imagedefinitions.json`) and CodeBuild takes it as a list of one, so it is
    not reported.

    ## Why is this bad?
    CodeBuild cannot read the buildspec and fails the build with a YAML_FILE_ERROR. The colon case is
    the most common: `- echo Build: done` is the mapping `{"echo Build": "done"}` to YAML, not a
    command.

    ## Example
    ```yaml
    version: 0.2
    phases:
      build:
        commands:
          - echo Build started on: $(date)
    ```

    ## Fix
    Quote a command that contains `: ` as a whole (`- "echo Build started on: $(date)"`), write lists
    with one `- ` item per line and mappings as `key: value` lines.
    """

    code = "CWB003"
    name = "buildspec-wrong-type"
    severity = Severity.ERROR
    kinds = frozenset({"buildspec"})
    error_kind = "type"
    tags = ("schema",)
    VALID = (
        Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - 'echo Build started on: $(date)'\n"),
        # One string for the list of artifact files, as AWS's ECS tutorial writes it: CodeBuild accepts it.
        Valid("version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: imagedefinitions.json\n"),
        # One string for the commands of a phase, as AWS CDK's pipelines synthesise it: CodeBuild runs it.
        Valid(
            "version: 0.2\nphases:\n  install:\n    commands: npm install -g aws-cdk\n  build:\n    commands: [make]\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - echo Build started on: $(date)\n",
            5,
            9,
            'a command must be text, but YAML read this item as a mapping or list: a command containing ": "',
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      make: all\n",
            5,
            7,
            "phases.build.commands must be a list, a string or null, not a mapping",
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: {app: dist/app.zip}\n",
            6,
            10,
            "artifacts.files must be a list or a string, not a mapping",
        ),
    )
