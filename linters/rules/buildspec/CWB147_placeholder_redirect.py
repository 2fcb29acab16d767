import os
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands, looks_windows, shell_lines, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# What a placeholder holds between the brackets: a name or a number, no dot or slash (a file name has one).
_PLACEHOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_SPEC = """version: 0.2
phases:
  pre_build:
    commands:
      - export TOKEN=`aws codeartifact get-authorization-token --domain shop --domain-owner <123456789012> --query authorizationToken --output text`
"""


class PlaceholderRedirect(DocumentRule):
    """
    ## What it does
    Reports a placeholder in angle brackets left in a command outside quotes (`--domain-owner <123456789012>`,
    `--bucket <YOUR_BUCKET>`): a name or a number between `<` and `>` with nothing between them, when the
    repository has no file of that name at its root.

    ## Why is this bad?
    The shell does not pass `<NAME>` on as a word: `<NAME` redirects the command's input from a file named NAME,
    and `>` sends its output into the next word (or is a syntax error at the end of the line). With no such file the
    command is not even run: the shell prints "No such file or directory" and the command, and the phase, fail.

    ## Example
    ```yaml
    pre_build:
      commands:
        - aws codeartifact get-authorization-token --domain shop --domain-owner <123456789012>
    ```

    ## Fix
    Write the value itself (`--domain-owner 123456789012`), or a variable the project sets (`$ACCOUNT_ID`).
    """

    code = "CWB147"
    name = "buildspec-placeholder-redirect"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC.replace("<123456789012>", "123456789012")),
        # Quoted, the brackets are text (sed replaces the placeholder); spaced, they are the redirections meant.
        Valid(_SPEC.replace("<123456789012>", "'<123456789012>'")),
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n"
            '      - sed -i "s|<IMAGE>|$URI|" taskdef.json\n      - sort < names > sorted.txt\n'
        ),
        # A file of that name in the repository: a real redirection.
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - wc -l <VERSION>count.txt\n",
            files={"VERSION": "1.0\n", ".git/HEAD": "ref: refs/heads/main\n"},
        ),
    )
    INVALID = (
        # fresh12 b5: the account id left in brackets, inside a command substitution.
        Invalid(
            _SPEC,
            5,
            93,
            'the shell reads "<123456789012>" as redirections, not a value: input from a file named 123456789012, '
            "which the repository does not have, and output into the next word; the command fails with "
            '"No such file or directory"',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        from codeward.linters.revision import project_root, shell_tokens

        if path != () or not isinstance(value, dict) or looks_windows(value):
            return
        top = project_root(os.path.abspath(ctx.base_dir)) if ctx.document.path != "inline-buildspec" else None
        for at, text in commands(value):
            for line in shell_lines(text):
                words = shell_tokens(line) or ()
                for index in range(len(words) - 2):
                    if words[index] != "<" or words[index + 2] != ">" or not _PLACEHOLDER.match(words[index + 1]):
                        continue
                    name = words[index + 1]
                    if f"<{name}>" not in line or (top is not None and os.path.exists(os.path.join(top, name))):
                        continue
                    ctx.report(
                        at,
                        f'the shell reads "<{name}>" as redirections, not a value: input from a file named {name}, '
                        "which the repository does not have, and output into the next word; the command fails "
                        'with "No such file or directory"',
                        span=text_span(ctx.document, at, f"<{name}>"),
                        notes=(f"Write the value itself ({name}) or a variable that holds it.",),
                    )
