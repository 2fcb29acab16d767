from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class MissingKey(SchemaRule):
    """
    ## What it does
    Reports a required key that is missing: `version` and `phases` at the top, `identifier` of a batch
    task, `files` of a report group, `paths` of the cache.

    ## Why is this bad?
    CodeBuild rejects the buildspec with a YAML_FILE_ERROR before running any command, so the build
    fails in its first seconds, typically after a push has already triggered it.

    ## Example
    ```yaml
    phases:
      build:
        commands:
          - make
    ```

    ## Fix
    Add the key. A buildspec starts with `version: 0.2`.
    """

    code = "CWB002"
    name = "buildspec-missing-key"
    severity = Severity.ERROR
    kinds = frozenset({"buildspec"})
    error_kind = "required"
    tags = ("schema",)
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - make\n"),)
    INVALID = (
        Invalid("phases:\n  build:\n    commands:\n      - make\n", 1, 1, 'missing the required key "version"'),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nreports:\n  unit:\n    file-format: JUNITXML\n",
            6,
            3,
            'reports.unit is missing the required key "files"',
        ),
        Invalid(
            "version: 0.2\nbatch:\n  build-list:\n    - id: linux\nphases:\n  build:\n    commands: [make]\n",
            4,
            7,
            'missing the required key "identifier"',
        ),
    )
