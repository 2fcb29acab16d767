from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class AppSpecWrongType(SchemaRule):
    """
    ## What it does
    Reports a value of the wrong type: a mapping where the AppSpec expects a list (EC2 hook scripts,
    Lambda and ECS `hooks`), a string where it expects a number, and so on. (An EC2 lifecycle event left
    empty is not a wrong type: the agent ignores it, see CWA120.)

    ## Why is this bad?
    The agent walks these values as lists and mappings; a wrong shape makes it stop with an error at
    deployment time (`ApplicationStart: scripts/start.sh` is a string, which the agent cannot walk as
    script entries), long after the revision was built and uploaded.

    ## Example
    ```yaml
    version: 0.0
    os: linux
    hooks:
      ApplicationStart:
        location: scripts/start.sh
    ```

    ## Fix
    Write the value in the expected shape; for hook scripts, a list entry starting with `- `.
    """

    code = "CWA003"
    name = "appspec-wrong-type"
    severity = Severity.ERROR
    tags = ("schema",)
    kinds = frozenset({"appspec"})
    error_kind = "type"
    VALID = (
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n",
            files={"scripts/start.sh": "#!/bin/bash\nsystemctl start app\n"},
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    location: scripts/start.sh\n",
            5,
            5,
            "must be a list",
        ),
        Invalid("version: 0.0\nos: linux\nhooks:\n  ApplicationStart: scripts/start.sh\n", 4, 21, "not a string"),
        Invalid(
            "version: 0.0\nresources:\n  - fn:\n      type: AWS::Lambda::Function\n      properties:\n"
            "        name: orders\n        alias: live\n        currentversion: 1\n        targetversion: 2\n"
            "hooks:\n  BeforeAllowTraffic: check-orders\n",
            11,
            3,
            "must be a list",
        ),
    )
