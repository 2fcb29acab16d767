from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class InvalidValue(SchemaRule):
    """
    ## What it does
    Reports a value outside what CodeBuild accepts: an unknown `version`, `env.shell`, `on-failure`,
    report `file-format`, `cache.action`, batch `compute-type` or environment `type`, a variable name
    that is not a valid environment variable name, more than 5 report groups or fallback keys, and
    keys of the other buildspec version (`env` in 0.1, `environment_variables` in 0.2).

    Where AWS's reference and its own samples disagree, codeward follows what CodeBuild accepts, with a
    warning for the style: `artifacts.type` (a version 0.1 key) in a version 0.2 buildspec, as AWS's
    Lambda guide writes it (`type: zip`), is ignored by CodeBuild, so it is a warning, not an error.

    ## Why is this bad?
    CodeBuild rejects the buildspec, or (for report formats and compute types) fails the build or the
    batch when it reaches that setting.

    ## Example
    ```yaml
    version: 0.2
    phases:
      build:
        on-failure: ABORTS
        commands:
          - make
    ```

    ## Fix
    Use one of the values the message lists; the did-you-mean hint shows the closest one.
    """

    code = "CWB004"
    name = "buildspec-invalid-value"
    severity = Severity.ERROR
    kinds = frozenset({"buildspec"})
    error_kind = "value"
    tags = ("schema",)
    VALID = (
        Valid(
            "version: 0.2\nenv:\n  shell: bash\nphases:\n  build:\n    on-failure: RETRY-2\n    commands: [make]\n"
            "reports:\n  unit:\n    files: ['**/*.xml']\n    file-format: junitxml\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.3\nphases:\n  build:\n    commands: [make]\n",
            1,
            10,
            "0.3 is not a valid value for version",
        ),
        Invalid(
            "version: 0.2\nenv:\n  shell: zsh\nphases:\n  build:\n    commands: [make]\n",
            3,
            10,
            '"zsh" is not a valid value for env.shell',
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    on-failure: ABORTS\n    commands: [make]\n",
            4,
            17,
            "on-failure must be ABORT, CONTINUE, RETRY",
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\ncache:\n  paths: [x]\n  action: load\n",
            7,
            11,
            'expected one of "restore", "save"',
        ),
        Invalid(
            "version: 0.2\nenvironment_variables:\n  plaintext:\n    A: b\nphases:\n  build:\n    commands: [make]\n",
            2,
            1,
            "environment_variables is the version 0.1 name",
        ),
        Invalid(
            "version: 0.2\nenv:\n  variables:\n    MY-VAR: x\nphases:\n  build:\n    commands: [make]\n",
            4,
            5,
            "letters, digits and underscores",
        ),
    )
