from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class AppSpecMissingKey(SchemaRule):
    """
    ## What it does
    Reports a key the AppSpec format requires that is absent: `version` everywhere, `os` in an
    EC2/On-Premises AppSpec, `source` and `destination` of a `files` entry, `object` of a permission,
    `location` of a hook script, and `TaskDefinition` and `LoadBalancerInfo` (with `ContainerName` and
    `ContainerPort`) of an ECS service.

    ## Why is this bad?
    CodeDeploy fails the deployment when it reads the file: the agent rejects a script without a
    location or a copy instruction without a destination, and an ECS deployment cannot create the
    replacement task set without a task definition and the container to route traffic to.

    ## Example
    ```yaml
    version: 0.0
    os: linux
    hooks:
      ApplicationStart:
        - timeout: 300
    ```

    ## Fix
    Add the key the message names, with a value of the kind it expects (a hook script, for example,
    needs `location: scripts/start.sh`).
    """

    code = "CWA002"
    name = "appspec-missing-key"
    severity = Severity.ERROR
    tags = ("schema",)
    kinds = frozenset({"appspec"})
    error_kind = "required"
    VALID = (Valid("version: 0.0\nos: windows\n"),)
    INVALID = (
        Invalid("os: linux\nfiles:\n  - source: /\n    destination: /srv/app\n", 1, 1, '"version"'),
        Invalid("version: 0.0\nfiles:\n  - source: /\n    destination: /srv/app\n", 1, 1, '"os"'),
        Invalid("version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - timeout: 300\n", 5, 7, '"location"'),
        Invalid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n",
            5,
            7,
            '"LoadBalancerInfo"',
        ),
    )
