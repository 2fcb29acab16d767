from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import VARIABLE_PATHS, mask, where
from codeward.linters.secret_values import classify

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class PlaintextSecret(DocumentRule):
    """
    ## What it does
    Reports plain-text environment variables that hold a credential: by name (`*PASSWORD*`, `*TOKEN*`,
    `*SECRET*`, `*API_KEY*`, ...) and by the value's shape (AWS access key ids, GitHub, GitLab, Slack, npm
    and Stripe tokens, private key blocks, long high-entropy strings). References such as `$OTHER_VAR`,
    parameter names and obvious placeholders are not reported. The value is masked in the message.

    ## Why is this bad?
    A buildspec lives in the repository: everyone who can read the code, its history or its forks can
    read the secret, and plain-text variables also appear in the CodeBuild console and API. Rotating it
    does not remove it from git history.

    ## Example
    ```yaml
    version: 0.2
    env:
      variables:
        DB_PASSWORD: "pW7#kd92!Lq0vZr8"
    ```

    ## Fix
    Store the value in Systems Manager Parameter Store (SecureString) or Secrets Manager and reference
    it from `env.parameter-store` or `env.secrets-manager`; rotate the exposed secret.
    """

    secret = True
    code = "CWB104"
    name = "buildspec-plaintext-secret"
    severity = Severity.WARNING
    tags = ("security",)
    cwe = 798
    security_severity = 7.5
    kinds = frozenset({"buildspec"})
    paths = VARIABLE_PATHS
    VALID = (
        Valid(
            "version: 0.2\nenv:\n  variables:\n    DB_PASSWORD: $DB_PASSWORD_FROM_SSM\n    TOKEN_URL: https://auth.example.com/token\n"
            "    API_KEY: <set-in-project>\n    DB_PASSWORD_PARAM: /prod/db/password\n  parameter-store:\n"
            "    DB_SECRET: /prod/db/password\nphases:\n  build:\n    commands: [make]\n"
        ),
    )
    INVALID = (
        Invalid(
            'version: 0.2\nenv:\n  variables:\n    DB_PASSWORD: "pW7#kd92!Lq0vZr8"\nphases:\n  build:\n    commands: [make]\n',
            4,
            18,
            'env.variables.DB_PASSWORD holds a credential in plain text ("pW7#****")',
        ),
        Invalid(
            "version: 0.2\nenv:\n  variables:\n    DEPLOY_USER_KEY: AKIAIOSFODNN7Q2XW3ZT\nphases:\n  build:\n    commands: [make]\n",
            4,
            22,
            'holds an AWS access key id in plain text ("AKIA****")',
        ),
        Invalid(
            "version: 0.1\nenvironment_variables:\n  plaintext:\n    GH: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"
            "phases:\n  build:\n    commands: [make]\n",
            4,
            9,
            "a GitHub token",
        ),
        Invalid(
            "version: 0.2\nenv:\n  variables:\n    STRIPE_API_KEY: q9Fz2LmWc7\nphases:\n  build:\n    commands: [make]\n",
            4,
            21,
            "env.variables.STRIPE_API_KEY holds a credential",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict):
            return
        for name, item in value.items():
            values = list(enumerate(item)) if isinstance(item, list) else [(None, item)]
            for index, candidate in values:
                what = classify(name, candidate)
                if what is None:
                    continue
                at = (*path, name) if index is None else (*path, name, index)
                name_only = what == "a credential"
                ctx.report(
                    at,
                    f'{where(at)} holds {what} in plain text ("{mask(candidate.strip())}"): anyone who can read '
                    "the repository can read it; store it in Parameter Store or Secrets Manager",
                    notes=(
                        "Reference it instead, e.g.\n  env:\n    parameter-store:\n"
                        f"      {name}: /my-project/{name.lower().replace('_', '-')}",
                        "Then rotate this secret: it stays in the git history."
                        + (" (Reported because of the variable's name.)" if name_only else ""),
                    ),
                )
