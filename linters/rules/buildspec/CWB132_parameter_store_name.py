import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.placeholders import placeholder, unfilled
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import where

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Systems Manager: a parameter name holds letters, digits and . - _, with / separating the levels of a
# hierarchy; a parameter's ARN names it too (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME).
_NAME = re.compile(r"^/?[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)*$")
_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/?[A-Za-z0-9_.\-/]+$")
_SPEC = "version: 0.2\nenv:\n  parameter-store:\n    DB_URL: /app/db-url\nphases:\n  build:\n    commands: [make]\n"


class ParameterStoreName(DocumentRule):
    """
    ## What it does
    Reports a value under `env.parameter-store` that cannot be the name of a Systems Manager parameter:
    a URL, text with spaces, or other characters a parameter name cannot hold (letters, digits, `.`, `-`,
    `_`, and `/` between the levels of a hierarchy; or the parameter's ARN). Placeholders a build step fills
    in (`<PARAM>`, `${PARAM}`) are reported as `info`, values built from variables are left alone.

    ## Why is this bad?
    `parameter-store` maps a variable to a parameter's *name*: CodeBuild asks Parameter Store for each
    one before the first phase and fails the build when one cannot be fetched. A value written there
    (`BACKEND_URL: https://api.example.com`, the value that belongs in `env.variables`) is looked up as
    a parameter name and the build fails every time.

    ## Example
    ```yaml
    env:
      parameter-store:
        BACKEND_URL: https://api.example.com
    ```

    ## Fix
    Move plain values to `env.variables`; keep under `parameter-store` only names of parameters
    (`/app/backend-url`).
    """

    code = "CWB132"
    name = "buildspec-parameter-store-name"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("env/parameter-store",)
    VALID = (
        Valid(_SPEC),
        Valid(_SPEC.replace("/app/db-url", "arn:aws:ssm:us-east-1:123456789012:parameter/app/db-url")),
        Valid(_SPEC.replace("/app/db-url", "db.url_v2")),
        Valid(_SPEC.replace("/app/db-url", "/$STAGE/db-url")),
    )
    INVALID = (
        Invalid(
            _SPEC.replace("/app/db-url", "https://db.example.com"),
            4,
            13,
            '"https://db.example.com" in env.parameter-store (DB_URL) cannot be a Parameter Store name',
        ),
        Invalid(
            _SPEC.replace("/app/db-url", "<DB_PARAMETER>"),
            4,
            13,
            "<DB_PARAMETER> is left unfilled",
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, eight labelled sets): errors on 1 file, "
            "labelled defect (fresh4 q4); none on the files AWS accepts."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict):
            return
        for variable, name in value.items():
            if not isinstance(name, str) or "$" in name:
                continue
            text = name.strip()
            if _NAME.match(text) or _ARN.match(text):
                continue
            token = placeholder(text, words=False)
            if token is not None:
                ctx.report((*path, variable), unfilled(token), severity=Severity.INFO)
                continue
            ctx.report(
                (*path, variable),
                f'"{text}" in {where(path)} ({variable}) cannot be a Parameter Store name (letters, digits, '
                '".", "-", "_" and "/" only, or the parameter\'s ARN): CodeBuild looks it up before the first phase '
                "and the build fails; a plain value belongs in env.variables",
            )
