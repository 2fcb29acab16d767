import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands, looks_windows, shell_lines, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# `${` whose name starts with `$`: `${$TAG}` was meant as `${TAG}`. `${$}` alone is the shell's process id, valid.
_DOLLAR_NAME = re.compile(r"\$\{\$[A-Za-z_]\w*[^}]*\}")


def _blank_single_quotes(line: str) -> str:
    """Blank out '...' contents (kept the same length): the shell expands nothing there."""
    return re.sub(r"'[^'\n]*'", lambda m: "'" + " " * (len(m.group()) - 2) + "'", line)


class BadSubstitution(DocumentRule):
    """
    ## What it does
    Reports a parameter expansion whose name begins with a second `$`, such as `${$IMAGE_TAG}`, in a
    command of a Linux buildspec (outside single quotes; here-document bodies are not read). `${$}`, the shell's
    process id, is left alone.

    ## Why is this bad?
    A name inside `${...}` is written without `$`. bash and dash (the `sh` of Ubuntu images) both stop the
    command with "Bad substitution" when the name starts with `$`, so the phase fails every time it runs; there
    is no image or setting under which it works.

    ## Example
    ```yaml
    build:
      commands:
        - docker build -t ${IMAGE}:${$IMAGE_TAG} .
    ```

    ## Fix
    Drop the inner `$`: `${IMAGE_TAG}`.
    """

    code = "CWB139"
    name = "buildspec-bad-substitution"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n"
            "      - docker build -t ${IMAGE}:${IMAGE_TAG} .\n"
            "      - echo $$ ${$} > pid.txt\n"
            "      - echo '${$NOT_EXPANDED}'\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t ${IMAGE}:${$IMAGE_TAG} .\n",
            5,
            34,
            '"${$IMAGE_TAG}" is a bad substitution: a name inside ${...} is written without "$"; write "${IMAGE_TAG}"',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict) or looks_windows(value):
            return
        for at, text in commands(value):
            start = 0
            for line in shell_lines(text):
                for match in _DOLLAR_NAME.finditer(_blank_single_quotes(line)):
                    token = line[match.start() : match.end()]
                    meant = "${" + token[3:]
                    index = text.find(token, start)
                    start = max(index, 0) + 1
                    ctx.report(
                        at,
                        f'"{token}" is a bad substitution: a name inside ${{...}} is written without "$"; write '
                        f'"{meant}"',
                        span=text_span(ctx.document, at, token, max(index, 0)),
                        notes=('bash and dash both stop the command with "Bad substitution", so the phase fails.',),
                    )
