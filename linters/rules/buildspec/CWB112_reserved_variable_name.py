from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import VARIABLE_PATHS, where

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class ReservedVariableName(DocumentRule):
    """
    ## What it does
    Reports variables defined in the buildspec whose names start with `CODEBUILD_` (in `env.variables`,
    `parameter-store`, `secrets-manager`, version 0.1 `plaintext` and batch task variables).

    ## Why is this bad?
    CodeBuild reserves the `CODEBUILD_` prefix for its own variables (`CODEBUILD_SRC_DIR`,
    `CODEBUILD_BUILD_ID`, ...). Setting one either is ignored or changes what CodeBuild's own tooling
    sees, with surprising results.

    ## Example
    ```yaml
    env:
      variables:
        CODEBUILD_SRC_DIR: /src
    ```

    ## Fix
    Pick a name without the `CODEBUILD_` prefix (e.g. `APP_SRC_DIR`).
    """

    code = "CWB112"
    name = "buildspec-reserved-variable-name"
    severity = Severity.WARNING
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = (*VARIABLE_PATHS, "env/parameter-store", "env/secrets-manager")
    VALID = (
        Valid("version: 0.2\nenv:\n  variables:\n    APP_SRC_DIR: /src\nphases:\n  build:\n    commands: [make]\n"),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nenv:\n  parameter-store:\n    CODEBUILD_TOKEN: /ci/token\nphases:\n  build:\n    commands: [make]\n",
            4,
            5,
            '"CODEBUILD_TOKEN" in env.parameter-store uses the reserved CODEBUILD_ prefix',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict):
            return
        for name in value:
            if isinstance(name, str) and name.upper().startswith("CODEBUILD_"):
                ctx.report(
                    (*path, name),
                    f'"{name}" in {where(path)} uses the reserved CODEBUILD_ prefix: CodeBuild sets those variables '
                    "itself; rename it",
                    key=True,
                )
