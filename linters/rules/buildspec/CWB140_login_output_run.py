import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands, looks_windows, shell_lines, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# A command line that is one command substitution, `$( ... )` or `` `...` ``, and nothing else.
_WHOLE_SUBSTITUTION = re.compile(r"^\s*(?:\$\((?P<paren>.*)\)|`(?P<tick>[^`]*)`)\s*;?\s*$")
# `docker login` as the last command of the substituted pipeline, its standard output not redirected.
_DOCKER_LOGIN = re.compile(r"(?:^|\|)\s*(?:sudo\s+)?docker\s+login\b(?P<rest>[^|]*)$")


class LoginOutputRun(DocumentRule):
    """
    ## What it does
    Reports a command that is a single command substitution whose last command is `docker login`, such as
    `$(aws ecr get-login-password | docker login --username AWS --password-stdin REGISTRY)`, when the login's
    output is not redirected. The old `$(aws ecr get-login ...)`, whose output is a `docker login` command meant
    to be run, is left alone.

    ## Why is this bad?
    The shell runs what a substitution standing alone prints. `docker login` prints `Login Succeeded` when it
    succeeds, so the shell then runs a program named `Login`, which does not exist: the command exits 127 and
    the phase fails right after a successful login (when the login fails, the phase fails too).

    ## Example
    ```yaml
    pre_build:
      commands:
        - $(aws ecr get-login-password --region $AWS_REGION | docker login --username AWS --password-stdin $REGISTRY)
    ```

    ## Fix
    Run the pipeline itself, without `$( )`:
    `aws ecr get-login-password --region $AWS_REGION | docker login --username AWS --password-stdin $REGISTRY`.
    """

    code = "CWB140"
    name = "buildspec-login-output-run"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  pre_build:\n    commands:\n"
            "      - aws ecr get-login-password | docker login --username AWS --password-stdin $REGISTRY\n"
            "      - $(aws ecr get-login --no-include-email --region $AWS_DEFAULT_REGION)\n"
            "      - $(aws ecr get-login-password | docker login -u AWS --password-stdin $REGISTRY > /dev/null)\n"
            "      - OUT=$(aws ecr get-login-password | docker login -u AWS --password-stdin $REGISTRY)\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  pre_build:\n    commands:\n"
            "      - $(aws ecr get-login-password | docker login --username AWS --password-stdin $REGISTRY)\n",
            5,
            9,
            "this command runs the output of docker login as a command: on success docker login prints a status "
            "line, and the shell then runs its first word, Login, as a program, which does not exist; drop the $( ) "
            "and run the pipeline itself",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict) or looks_windows(value):
            return
        for at, text in commands(value):
            for line in shell_lines(text):
                whole = _WHOLE_SUBSTITUTION.match(line)
                if not whole:
                    continue
                inner = whole.group("paren") if whole.group("paren") is not None else whole.group("tick")
                login = _DOCKER_LOGIN.search(inner)
                if not login or re.search(r"(?<![0-9&])>|&>", login.group("rest")):
                    continue
                ctx.report(
                    at,
                    "this command runs the output of docker login as a command: on success docker login prints a "
                    "status line, and the shell then runs its first word, Login, as a program, which does not exist; "
                    "drop the $( ) and run the pipeline itself",
                    span=text_span(ctx.document, at, line.strip()),
                    notes=("The command exits 127 after a successful login, and the phase fails.",),
                )
