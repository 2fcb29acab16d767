from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import char_span, commands, shell_of

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


def unterminated(text: str, *, powershell: bool = False) -> int | None:
    """Index of a quote that is never closed in a shell command, or None. Follows sh rules: no escapes
    inside '...', backslash escapes elsewhere, # starts a comment at the start of a word."""
    quote = ""
    opened = 0
    i = 0
    escape = "`" if powershell else "\\"
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                # PowerShell and cmd double a quote to escape it inside the same kind of quotes.
                if powershell and text[i + 1 : i + 2] == quote:
                    i += 2
                    continue
                quote = ""
            elif char == escape and quote == '"':
                i += 1
        elif char == escape:
            i += 1
        elif char in "'\"":
            quote, opened = char, i
        elif char == "#" and (i == 0 or text[i - 1] in " \t\n;&|("):
            end = text.find("\n", i)
            if end < 0:
                break
            i = end
        i += 1
    return opened if quote else None


class UnterminatedQuote(DocumentRule):
    """
    ## What it does
    Reports a command whose single or double quote is never closed, following the shell's quoting rules
    (backslash escapes, comments). Commands with here-documents are not checked.

    ## Why is this bad?
    The shell stops with "Syntax error: Unterminated quoted string" (PowerShell: "The string is missing
    the terminator"), so the phase fails. This usually comes from YAML quoting: a command wrapped in
    quotes for YAML whose inner quotes do not pair up, or a stray quote left by an edit.

    ## Example
    ```yaml
    phases:
      build:
        commands:
          - echo "Deploying to $STAGE
    ```

    ## Fix
    Close the quote. When the whole command is quoted for YAML, use the other kind of quote inside it,
    or a block scalar (`- |`).
    """

    code = "CWB116"
    name = "buildspec-unterminated-quote"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid('version: 0.2\nenv:\n  shell: bash\nphases:\n  build:\n    commands:\n      - echo "a\\"b"\n'),
        Valid(
            'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "it\'s done"\n      - echo \'say "hi"\'\n'
            "      - echo don\\'t  # it's a comment\n      - |\n        cat > a.txt <<EOF\n        it's here\n        EOF\n"
        ),
    )
    INVALID = (
        Invalid(
            'version: 0.2\nphases:\n  build:\n    commands:\n      - echo "Deploying to $STAGE\n',
            5,
            14,
            "unterminated double quote",
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - >-\n        aws s3 sync dist s3://bucket\n"
            "        --exclude '*.map\n",
            7,
            19,
            "unterminated single quote",
        ),
        # The finally block's commands run in the same shell.
        Invalid(
            'version: 0.2\nphases:\n  build:\n    commands:\n      - make\n    finally:\n      - echo "done\n',
            7,
            14,
            "unterminated double quote",
        ),
        # PowerShell does not escape a quote with a backslash: the last quote opens a string.
        Invalid(
            'version: 0.2\nenv:\n  shell: powershell.exe\nphases:\n  build:\n    commands:\n      - echo "a\\"b"\n',
            7,
            14,
            "unterminated double quote",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        shell = (shell_of(value) or "").lower()
        powershell = "powershell" in shell or shell.startswith("pwsh")
        if shell == "cmd.exe":
            return  # cmd.exe has no quoting that can be left open
        for at, text in commands(value):
            if "<<" in text:
                continue
            index = unterminated(text, powershell=powershell)
            if index is None:
                continue
            kind = "double" if text[index] == '"' else "single"
            # Locate the quote in the source through the text that follows it on its line.
            span = char_span(ctx.document, at, text, index)
            ctx.report(
                at,
                f"unterminated {kind} quote in this command: the shell fails with a syntax error; close the quote",
                span=span,
                notes=(
                    "If the whole command is quoted for YAML, use the other kind of quote inside it, or a block scalar (- |).",
                ),
            )
