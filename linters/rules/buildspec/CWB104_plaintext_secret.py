import itertools
import math
import re
from collections import Counter
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import VARIABLE_PATHS, mask, where

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Name parts that say "this is a credential".
_SECRET_WORDS = {"PASSWORD", "PASSWD", "PASS", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS"}
_SECRET_PAIRS = {("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"), ("SECRET", "KEY"), ("AUTH", "KEY"),
                 ("SIGNING", "KEY"), ("ENCRYPTION", "KEY"), ("CLIENT", "SECRET")}  # fmt: skip
# A last part that makes the variable describe a secret rather than hold one (DB_PASSWORD_PARAM).
_NOT_VALUE = {"URL", "URI", "ENDPOINT", "PATH", "FILE", "NAME", "ARN", "ID", "PARAM", "PARAMETER", "HEADER", "TYPE",
              "LENGTH", "TTL", "EXPIRY", "REGION", "USER", "USERNAME", "HOST", "PORT", "ENABLED", "KEY", "SECRETID",
              "VERSION", "FIELD", "LOCATION", "DIR"}  # fmt: skip
_SHAPES = (
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"), "a GitHub token"),
    (re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}"), "a Slack token"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\bglpat-[0-9A-Za-z_-]{20,}\b"), "a GitLab token"),
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), "an npm token"),
    (re.compile(r"\bsk_live_[0-9A-Za-z]{20,}\b"), "a Stripe secret key"),
)
_PLACEHOLDER = re.compile(
    r"^(?:|x+|\*+|-+|\.+|none|null|nil|n/a|todo|tbd|changeme|change[-_]?me|placeholder|dummy|example|secret|password|"
    r"token|redacted|masked|test|fake|<.*>|\{\{.*\}\}|\[.*\]|your[-_ ].*|replace[-_ ].*)$",
    re.I,
)


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _is_reference(value: str) -> bool:
    # $OTHER, ${OTHER}, $(command), parameter paths and ARNs are pointers to a secret, not the secret.
    return value.startswith(("$", "/", "arn:", "ssm:", "resolve:", "{{resolve:")) or "${" in value or "$(" in value


def _secret_name(name: str) -> bool:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", name.upper()) if p]
    if not parts:
        return False
    pairs = set(itertools.pairwise(parts))
    # API_KEY, SECRET_KEY...: the name ends in a secret pair, even though a trailing KEY alone (CACHE_KEY) is no secret.
    if ("ACCESS", "KEY") in pairs or (len(parts) >= 2 and (parts[-2], parts[-1]) in _SECRET_PAIRS):
        return True
    if parts[-1] in _NOT_VALUE and len(parts) > 1:
        return False
    return bool(_SECRET_WORDS & set(parts) or _SECRET_PAIRS & pairs)


def _high_entropy(value: str) -> bool:
    if len(value) < 20 or " " in value or "/" in value or "." in value:
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes == 3 and _entropy(value) >= 4.3


def classify(name: str, value: Any) -> str | None:
    """What kind of secret `value` looks like, or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _is_reference(text) or _PLACEHOLDER.match(text):
        return None
    for pattern, what in _SHAPES:
        if pattern.search(text):
            return what
    if _secret_name(name) and len(text) >= 4:
        return "a credential"
    if _high_entropy(text):
        return "a high-entropy secret"
    return None


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
