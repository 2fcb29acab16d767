import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import VARIABLE_PATHS, commands, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# $NAME, ${NAME...}, $(command): what a shell would expand.
_EXPANSION = re.compile(r"\$(?:[A-Za-z_]\w*|\{[A-Za-z_][^}]*\}|\()")


class VariableNotExpanded(DocumentRule):
    """
    ## What it does
    Reports a plain-text variable of the buildspec (`env.variables`, a batch task's variables) whose value
    holds `$NAME`, `${NAME}` or `$(command)`, which CodeBuild does not expand. Buildspecs whose commands
    run `eval` or `envsubst` (which may expand such values on purpose) are not checked.

    ## Why is this bad?
    CodeBuild sets these variables to the text as written: `AWS_REGION: $AWS_REGION` sets the variable to
    the eight characters `$AWS_REGION`, replacing the value CodeBuild gives it, and `PATH: $PATH:/opt/bin`
    replaces the image's PATH with the literal text (the CodeBuild user guide's own example), so the
    commands that use the variable get the wrong value and usually fail.

    ## Example
    ```yaml
    env:
      variables:
        AWS_REGION: $AWS_REGION
        IMAGE: $REPOSITORY_URI:latest
    ```

    ## Fix
    Drop the variable when it only repeats one that exists (`AWS_REGION` is set by CodeBuild), or build
    the value in a command: `export IMAGE="$REPOSITORY_URI:latest"` (version 0.2 keeps it for later
    commands).
    """

    code = "CWB120"
    name = "buildspec-variable-not-expanded"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = tuple(f"{p}/*" for p in VARIABLE_PATHS)
    VALID = (
        Valid(
            "version: 0.2\nenv:\n  variables:\n    PRICE: US$5\n    PATTERN: '^v[0-9]+$'\n    DOLLARS: $$HOME\n"
            "phases:\n  build:\n    commands: [echo $PRICE]\n"
        ),
        Valid(
            "version: 0.2\nenv:\n  variables:\n    TEMPLATE: ${BUCKET}/app.zip\nphases:\n  build:\n"
            "    commands: ['eval \"echo $TEMPLATE\"']\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nenv:\n  variables:\n    AWS_REGION: $AWS_REGION\nphases:\n  build:\n"
            "    commands: [aws s3 ls --region $AWS_REGION]\n",
            4,
            17,
            'AWS_REGION is set to the text "$AWS_REGION": CodeBuild does not expand',
        ),
        Invalid(
            'version: 0.2\nenv:\n  variables:\n    PATH: "$PATH:/opt/tools/bin"\nphases:\n  build:\n    commands: [make]\n',
            4,
            12,
            "replaces the PATH",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, str):
            return
        match = _EXPANSION.search(value.replace("$$", "  "))
        if match is None:
            return
        if any("eval" in text or "envsubst" in text for _, text in commands(ctx.document.data)):
            return
        name = str(path[-1])
        what = (
            f"replaces the {name} the build would otherwise have"
            if name in ("PATH", "HOME")
            else ("the commands that read it get that text")
        )
        ctx.report(
            path,
            f'{name} is set to the text "{value}": CodeBuild does not expand {match.group()} in a buildspec '
            f"variable, so it {what}; build the value in a command (export {name}=...)",
            span=text_span(ctx.document, path, match.group()) if len(value) > len(match.group()) else None,
        )
