from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class AppSpecInvalidValue(SchemaRule):
    """
    ## What it does
    Reports a value outside what the AppSpec format allows: a `version` other than 0.0, an `os` other
    than linux or windows, a `file_exists_behavior` other than DISALLOW, OVERWRITE or RETAIN, a
    permission `type` other than file or directory, a Lambda version that is not a published version
    number, an ECS `AssignPublicIp` other than ENABLED or DISABLED, a malformed task definition ARN or
    hook function name, and more than one resource.

    Where AWS's reference and its own samples disagree, codeward follows what the service accepts: the
    reference gives ECS and Lambda AppSpecs `version: 0.0`, but AWS's own ECS samples and many deployed
    AppSpecs write `1.0`, and CodeDeploy deploys them; there the version is a warning. A task definition
    given by family name (`family` or `family:revision`) or left as a placeholder (`<TASK_DEFINITION>`,
    filled in by the pipeline) is accepted; a placeholder is an info "left unfilled".

    ## Why is this bad?
    CodeDeploy validates these values when the deployment starts and fails it; the agent refuses an
    AppSpec whose version or OS it does not support.

    ## Example
    ```yaml
    version: 0.0
    os: ubuntu
    ```

    ## Fix
    Use one of the values the message lists (for example `os: linux`).
    """

    code = "CWA004"
    name = "appspec-invalid-value"
    severity = Severity.ERROR
    tags = ("schema",)
    kinds = frozenset({"appspec"})
    error_kind = "value"
    VALID = (
        Valid("version: 0.0\nos: linux\nfile_exists_behavior: OVERWRITE\n"),
        Valid('{"version": "0.0", "os": "windows"}', filename="appspec.json"),
        # An empty timeout is nil for the agent, which then uses the default 3600 seconds (script_info.rb).
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: run.sh\n      timeout:\n",
            files={"run.sh": "#!/bin/sh\n"},
        ),
    )
    INVALID = (
        Invalid("version: 0.0\nos: ubuntu\n", 2, 5, 'expected one of "linux", "windows"'),
        Invalid("version: 1.0\nos: linux\n", 1, 10, "1.0 is not a valid value for"),
        Invalid("version: 0.0\nos: linux\nfile_exists_behavior: REPLACE\n", 3, 23, '"OVERWRITE"'),
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: run.sh\n      timeout: 0\n",
            6,
            16,
            "greater than 0",
            files={"run.sh": "#!/bin/sh\n"},
        ),
        Invalid(
            "version: 0.0\nresources:\n  - fn:\n      type: AWS::Lambda::Function\n      properties:\n"
            "        name: orders\n        alias: live\n        currentversion: 1\n        targetversion: $LATEST\n",
            9,
            24,
            "published version number",
        ),
    )
