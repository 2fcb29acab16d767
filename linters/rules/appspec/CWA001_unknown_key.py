from codeward.linters.rule import SchemaRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class AppSpecUnknownKey(SchemaRule):
    """
    ## What it does
    Reports a key the AppSpec format does not define at that place, with the closest valid key when the
    key looks misspelled. Which keys are valid depends on the compute platform the file is written for
    (EC2/On-Premises, Lambda or ECS), which codeward tells from the content.

    ## Why is this bad?
    The CodeDeploy agent ignores keys it does not know, so a misspelled `destinaton:` or `runAs:` is
    silently dropped: files land in the wrong place or scripts run as root. Keys of another platform
    (`os` in a Lambda AppSpec) show the file mixes two formats.

    ## Example
    ```yaml
    version: 0.0
    os: linux
    files:
      - source: app/
        destinaton: /srv/app
    ```

    ## Fix
    Correct the spelling (the message suggests the closest key) or remove the key.
    """

    code = "CWA001"
    name = "appspec-unknown-key"
    severity = Severity.ERROR
    tags = ("schema",)
    kinds = frozenset({"appspec"})
    error_kind = "unknown-key"
    VALID = (Valid("version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\n"),)
    INVALID = (
        # fresh12 b46: a stray backslash at column 0 moves the hook out of hooks, to a top-level key.
        Invalid(
            "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\nhooks:\n  BeforeInstall:\n"
            "    - location: scripts/install.sh\n\\   AfterInstall:\n    - location: scripts/restart.sh\n",
            9,
            1,
            'unknown key "\\   AfterInstall"',
            files={"scripts/install.sh": "#!/bin/sh\n", "scripts/restart.sh": "#!/bin/sh\n"},
        ),
        Invalid(
            "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destinaton: /srv/app\n",
            5,
            5,
            'did you mean "destination"',
            fixed="version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\n",
        ),
        Invalid(
            "version: 0.0\nresources:\n  - fn:\n      type: AWS::Lambda::Function\n      properties:\n"
            "        name: orders\n        alias: live\n        currentversion: 1\n        targetversion: 2\n"
            "os: linux\n",
            10,
            1,
            'unknown key "os"',
        ),
        Invalid(
            '{"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": '
            '{"TaskDefinition": "<TASK_DEFINITION>", "LoadBalancerInfo": {"ContainerName": "web", '
            '"ContainerPort": 80}, "PlatfromVersion": "LATEST"}}}]}',
            1,
            201,
            'did you mean "PlatformVersion"',
            filename="appspec.json",
        ),
    )
