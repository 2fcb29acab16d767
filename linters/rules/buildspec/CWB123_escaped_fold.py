from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands

from codeward.findings import Severity, Span
from codeward.rule import Invalid, Valid

_PLAIN = """version: 0.2
phases:
  post_build:
    commands:
      - helm upgrade --install web ./chart \\
          --set image.tag=$TAG \\
          --namespace web
"""


class EscapedFold(DocumentRule):
    """
    ## What it does
    Reports a command written over several lines as a plain (unquoted) YAML scalar, or as a folded `>` block
    at one indentation, where a line ends with a backslash: the shell line continuation of a script pasted
    into YAML.

    ## Why is this bad?
    YAML folds such a scalar into one line, each line break becoming a space. The backslash then no longer
    continues a line: it escapes that space, and the shell passes the next word with a leading space
    (`" --set"`). Programs do not read `" --set"` as an option but as a stray argument, and reject it
    (helm: "accepts 2 arg(s)", docker build: "requires exactly 1 argument"): an error when the next word is
    an option, a warning otherwise.

    ## Example
    ```yaml
    - helm upgrade --install web ./chart \\
        --set image.tag=$TAG
    ```

    ## Fix
    Write the command as a literal block, which keeps the line breaks the backslashes continue
    (`- |` then the lines), or drop the backslashes: folding already joins the lines.
    """

    code = "CWB123"
    name = "buildspec-escaped-fold"
    severity = Severity.ERROR
    tags = ("correctness", "yaml")
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_PLAIN.replace("      - helm", "      - |\n        helm").replace("          --", "          --")),
        Valid(_PLAIN.replace(" \\\n", "\n")),
        Valid('version: 0.2\nphases:\n  build:\n    commands:\n      - "aws s3 cp a b \\\n        --recursive"\n'),
        Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - >\n        make \\\n          all\n"),
    )
    INVALID = (
        Invalid(_PLAIN, 5, 44, '"--set" reaches helm as " --set"', also=((6, 32),)),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - echo one \\\n        two\n",
            5,
            18,
            "folds",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        for at, text in commands(value):
            span = ctx.document.span(at)
            source = ctx.document.source(span)
            if "\n" not in source or source[:1] in ("'", '"', "|"):
                continue
            lines = source.split("\n")
            folded = source[:1] == ">"
            if folded:
                body = [line for line in lines[1:] if line.strip()]
                if not body:
                    continue
                indent = min(len(line) - len(line.lstrip()) for line in body)
            for index, line in enumerate(lines[:-1]):
                stripped = line.rstrip()
                if not stripped.endswith("\\") or stripped.endswith("\\\\"):
                    continue
                following = lines[index + 1]
                if not following.strip() or following.lstrip().startswith("#"):
                    continue
                # In a folded block a more-indented line keeps its line break, and the backslash works.
                if folded and (
                    len(line) - len(line.lstrip()) != indent or len(following) - len(following.lstrip()) != indent
                ):
                    continue
                word = following.split()[0]
                option = word.startswith("-")
                program = text.split()[0] if text.split() else "the program"
                column = (span.column if index == 0 else 1) + len(stripped) - 1
                message = (
                    f"YAML folds this unquoted multi-line command into one line: the backslash at the end of the line "
                    f'escapes the space that replaces the line break, so "{word}" reaches {program} as " {word}"'
                )
                message += (
                    ", which is no option but a stray argument: the command fails"
                    if option
                    else ", joined to a leading space"
                )
                ctx.report(
                    at,
                    message,
                    span=Span(span.line + index, column, span.line + index, column + 1),
                    severity=None if option else Severity.WARNING,
                    notes=("Write the command as a literal block (`- |`), or drop the backslashes.",),
                )
