import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Commands after which any variable may be set: sourcing a file, eval, `set -a`, `export $(...)`.
_OPAQUE = re.compile(r"(?:^|[;&|(\s])(?:source|eval|\.)\s+\S|set\s+-a\b|export\s+\$|\bxargs\b[^\n]*\bexport\b", re.M)


def _assigns(name: str) -> re.Pattern[str]:
    n = re.escape(name)
    return re.compile(
        rf"(?:^|[\s;&|({{`])(?:export\s+|readonly\s+|local\s+|(?:declare|typeset)\s+(?:-\w+\s+)*)?{n}\+?="  # sh
        rf"|\bexport\s+(?:-\w+\s+)*(?:\w+\s+)*{n}\b"  # export NAME (value set elsewhere)
        rf"|\bread\s+(?:-\w+\s+(?:\S+\s+)?)*(?:\w+\s+)*{n}\b"  # read NAME
        rf"|\bfor\s+{n}\s+in\b"  # for NAME in ...
        rf"|\$env:{n}\s*="  # PowerShell
        rf"|\bset\s+\"?{n}="  # cmd.exe
        rf"|\bsetx\s+{n}\b",
        re.M,
    )


class ExportedVariableNeverSet(DocumentRule):
    """
    ## What it does
    Reports a name in `env.exported-variables` that the buildspec never gives a value: it is not defined
    in `env.variables`, `parameter-store` or `secrets-manager`, and no command assigns, exports or reads it.
    Buildspecs whose commands source files or use `eval` (which can set anything) are not checked.

    ## Why is this bad?
    CodePipeline receives the variable's final value as an output variable of the build action. A name
    nothing sets (usually a typo of the name the commands use) exports an empty value, and the actions
    that consume it (an image tag, a version) fail later or deploy the wrong thing.

    ## Example
    ```yaml
    version: 0.2
    env:
      exported-variables:
        - IMAGE_TAG
    phases:
      build:
        commands:
          - export IMAGETAG=$(git rev-parse --short HEAD)
    ```

    ## Fix
    Export the name the commands set (or set the exported name in a command, e.g.
    `export IMAGE_TAG=...`).
    """

    code = "CWB105"
    name = "buildspec-exported-variable-never-set"
    severity = Severity.WARNING
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            "version: 0.2\nenv:\n  variables:\n    STAGE: prod\n  exported-variables:\n    - STAGE\n    - IMAGE_TAG\n"
            "    - BUILD_NUMBER\nphases:\n  build:\n    commands:\n      - IMAGE_TAG=$(git rev-parse --short HEAD)\n"
            "      - export BUILD_NUMBER=$CODEBUILD_BUILD_NUMBER\n"
        ),
        Valid(
            "version: 0.2\nenv:\n  exported-variables: [VERSION]\nphases:\n  build:\n    commands:\n      - . ./version.sh\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nenv:\n  exported-variables:\n    - IMAGE_TAG\nphases:\n  build:\n    commands:\n"
            "      - export IMAGETAG=$(git rev-parse --short HEAD)\n",
            4,
            7,
            'exported variable "IMAGE_TAG" is never set',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        env = value.get("env") if isinstance(value, dict) else None
        exported = env.get("exported-variables") if isinstance(env, dict) else None
        if not isinstance(exported, list):
            return
        defined: set[str] = set()
        for section in ("variables", "parameter-store", "secrets-manager"):
            block = env.get(section)
            if isinstance(block, dict):
                defined.update(block)
        texts = [text for _, text in commands(value)]
        if any(_OPAQUE.search(text) for text in texts):
            return
        script = "\n".join(texts)
        for index, name in enumerate(exported):
            if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_]\w*", name):
                continue
            if name in defined or name.startswith("CODEBUILD_") or _assigns(name).search(script):
                continue
            ctx.report(
                (*path, "env", "exported-variables", index),
                f'exported variable "{name}" is never set: it is not defined in env and no command assigns it, '
                "so CodePipeline receives an empty value",
                notes=(
                    f"Set it in a command, e.g. export {name}=..., or fix the name if the commands use another one.",
                ),
            )
