from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t app:$IMAGE_TAG .\n"


class UndefinedVariable(SimRule):
    """
    ## What it does
    Reports a `$VARIABLE` a command reads that nothing defines before it: not the buildspec's `env`,
    not CodeBuild, not an earlier command of the build (in version 0.1, not the same command), not the
    shell or the usual build-image variables. `${X:-default}` and friends are not reported.

    ## Why is this bad?
    An unset variable silently expands to an empty string: `docker build -t app:$IMAGE_TAG` tags
    `app:`. The variable may come from the CodeBuild project's own environment settings, which the
    buildspec does not show, hence the severity info.

    ## Example
    ```yaml
    phases:
      build:
        commands:
          - docker build -t app:$IMAGE_TAG .
    ```

    ## Fix
    Define it under `env.variables`, set it in an earlier command, or give a default: `${IMAGE_TAG:-latest}`.
    """

    code = "CWB211"
    name = "undefined-variable"
    severity = Severity.INFO
    kind = "buildspec"
    VALID = (
        SimValid(SPEC.replace("version: 0.2\n", "version: 0.2\nenv:\n  variables:\n    IMAGE_TAG: latest\n")),
        SimValid(SPEC.replace("      - docker", "      - IMAGE_TAG=$(date +%s)\n      - docker")),
        SimValid(SPEC.replace("$IMAGE_TAG", "${IMAGE_TAG:-latest}")),
    )
    INVALID = (
        SimInvalid(SPEC, 5, 29, "$IMAGE_TAG is not set"),
        SimInvalid(
            SPEC.replace("0.2", "0.1").replace("      - docker", "      - IMAGE_TAG=1\n      - docker"),
            6,
            29,
            "own shell",
        ),
    )
