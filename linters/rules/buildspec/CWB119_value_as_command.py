import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands, shell_lines, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# A word that is a value, never a program: a URL, an ARN, an image in a registry (ECR, Docker Hub, ...).
_VALUE = re.compile(
    r"(?:https?|s3|git|ssh)://\S+"
    r"|arn:aws[\w-]*:\S+"
    r"|\d{12}\.dkr\.ecr\.[\w-]+\.amazonaws\.com(?:\.cn)?(?:/\S*)?"
    r"|(?:public\.ecr\.aws|docker\.io|registry-1\.docker\.io|ghcr\.io|quay\.io|gcr\.io|[\w-]+\.pkg\.dev)/\S+"
)


class ValueAsCommand(DocumentRule):
    """
    ## What it does
    Reports a command that is a value and nothing else: a URL, an ARN, or an image URI such as
    `123456789012.dkr.ecr.us-east-1.amazonaws.com/app`, usually the right-hand side of an assignment
    whose `NAME=` got lost.

    ## Why is this bad?
    The shell looks the word up as a program, finds none and exits with status 127 (`not found`), so the
    phase fails; and the variable the line was meant to set is never set.

    ## Example
    ```yaml
    phases:
      pre_build:
        commands:
          - 123456789012.dkr.ecr.us-east-1.amazonaws.com/app
    ```

    ## Fix
    Write the assignment: `REPOSITORY_URI=123456789012.dkr.ecr.us-east-1.amazonaws.com/app`.
    """

    code = "CWB119"
    name = "buildspec-value-as-command"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n"
            "      - REPOSITORY_URI=123456789012.dkr.ecr.us-east-1.amazonaws.com/app\n"
            "      - docker pull public.ecr.aws/docker/library/node:20\n"
            "      - curl -fsS https://example.com/health\n"
        ),
        Valid(
            "version: 0.2\nphases:\n  pre_build:\n    commands:\n      - |\n"
            "        aws ecr get-login-password --region us-east-1 | \\\n"
            "        docker login --username AWS --password-stdin \\\n"
            "        123456789012.dkr.ecr.us-east-1.amazonaws.com\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  pre_build:\n    commands:\n"
            "      - 257394479309.dkr.ecr.us-east-1.amazonaws.com/docker-mastery\n",
            5,
            9,
            "is not a command",
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - https://example.com/install.sh\n",
            5,
            9,
            "exits with status 127",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        for at, text in commands(value):
            # A backslash at the end of a line continues the command (a literal block keeps it for the shell).
            for line in shell_lines(text):
                word = line.strip()
                if not _VALUE.fullmatch(word):
                    continue
                ctx.report(
                    at,
                    f'"{word}" is not a command: the shell finds no program of that name and exits with status '
                    "127, so the phase fails; to set a variable, write NAME=value",
                    span=text_span(ctx.document, at, word),
                )
