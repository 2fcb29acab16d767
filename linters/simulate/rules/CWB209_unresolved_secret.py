from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = (
    "version: 0.2\nenv:\n  parameter-store:\n    DB_PASSWORD: /prod/db/password\nphases:\n  build:\n"
    '    commands:\n      - test -n "$DB_PASSWORD"\n'
)


class UnresolvedSecret(SimRule):
    """
    ## What it does
    With `--execute`, reports a `parameter-store` or `secrets-manager` variable that has no local
    value. codeward never fetches secrets from AWS: they come from `--env-file`, `--env` or the
    environment codeward runs in.

    ## Why is this bad?
    CodeBuild fetches these values before INSTALL and fails the build when it cannot; running the
    commands with an empty value instead would show a build that cannot happen.

    ## Example
    ```yaml
    env:
      parameter-store:
        DB_PASSWORD: /prod/db/password
    ```
    run with `codeward simulate --execute buildspec.yml` and no DB_PASSWORD anywhere.

    ## Fix
    Put `NAME=value` for the variable the message names in a file passed with `--env-file` (keep it
    out of version control), or export the variable before running codeward.
    """

    code = "CWB209"
    name = "unresolved-secret"
    severity = Severity.ERROR
    kind = "buildspec"
    VALID = (SimValid(SPEC, args=("--execute", "--env", "DB_PASSWORD=s3cr3t-value")),)
    INVALID = (SimInvalid(SPEC, 4, 18, "never fetches", args=("--execute",)),)
