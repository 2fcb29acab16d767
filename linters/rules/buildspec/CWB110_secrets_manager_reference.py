import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_VERSION_ID = re.compile(r"^[A-Za-z0-9-]{32,64}$")


def problem(reference: str) -> str | None:
    """What is wrong with a `secret-id:json-key:version-stage:version-id` reference, or None."""
    text = reference.strip()
    if text.startswith("arn:"):
        parts = text.split(":")
        if len(parts) < 7 or parts[2] != "secretsmanager" or parts[5] != "secret" or not parts[6]:
            return (
                f'"{text}" is not a Secrets Manager secret ARN '
                "(arn:aws:secretsmanager:<region>:<account>:secret:<name>)"
            )
        secret_id, rest = ":".join(parts[:7]), parts[7:]
    else:
        secret_id, *rest = text.split(":")
    if not secret_id:
        return "the reference does not start with a secret id (name or ARN)"
    if len(rest) > 3:
        return (
            f'"{text}" has {len(rest) + 1} ":"-separated parts; the format is '
            'secret-id:json-key:version-stage:version-id (use the full ARN for a secret with ":" in its id)'
        )
    _json_key, stage, version_id = [*rest, "", "", ""][:3]
    if stage and version_id:
        return (
            f'"{text}" gives both a version-stage ("{stage}") and a version-id: they are mutually exclusive; '
            "keep one (leave the other empty)"
        )
    if version_id and not _VERSION_ID.match(version_id):
        return f'version-id "{version_id}" does not look like a secret version id (32 to 64 letters, digits, hyphens)'
    return None


class SecretsManagerReference(DocumentRule):
    """
    ## What it does
    Checks the references in `env.secrets-manager`: `secret-id:json-key:version-stage:version-id`, where
    only the secret id (a name or a full ARN) is required, `version-stage` and `version-id` are mutually
    exclusive, and an ARN must be a Secrets Manager secret ARN.

    ## Why is this bad?
    A malformed reference fails the build when CodeBuild resolves it (DOWNLOAD_SOURCE/PROVISIONING),
    and giving both a stage and a version id is rejected.

    ## Example
    ```yaml
    env:
      secrets-manager:
        DB_PASSWORD: prod/db:password:AWSCURRENT:3b6f2c9e-1d4a-4b8e-9f7a-0c2d5e8a1b3c
    ```

    ## Fix
    Keep either the version stage or the version id: `prod/db:password:AWSCURRENT` or
    `prod/db:password::3b6f2c9e-1d4a-4b8e-9f7a-0c2d5e8a1b3c`.
    """

    code = "CWB110"
    name = "buildspec-secrets-manager-reference"
    severity = Severity.ERROR
    tags = ("correctness", "security")
    kinds = frozenset({"buildspec"})
    paths = ("env/secrets-manager/*",)
    VALID = (
        Valid(
            "version: 0.2\nenv:\n  secrets-manager:\n    A: prod/db\n    B: prod/db:password\n    C: prod/db:password:AWSPREVIOUS\n"
            "    D: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf:password\n"
            "    E: prod/db:::3b6f2c9e-1d4a-4b8e-9f7a-0c2d5e8a1b3c\nphases:\n  build:\n    commands: [make]\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nenv:\n  secrets-manager:\n    DB_PASSWORD: prod/db:password:AWSCURRENT:3b6f2c9e-1d4a-4b8e-9f7a-0c2d5e8a1b3c\n"
            "phases:\n  build:\n    commands: [make]\n",
            4,
            18,
            "mutually exclusive",
        ),
        Invalid(
            "version: 0.2\nenv:\n  secrets-manager:\n    TOKEN: arn:aws:ssm:eu-west-1:123456789012:parameter/token\n"
            "phases:\n  build:\n    commands: [make]\n",
            4,
            12,
            "is not a Secrets Manager secret ARN",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        found = problem(value)
        if found:
            ctx.report(path, f"env.secrets-manager.{path[-1]}: {found}")
