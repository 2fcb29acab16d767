from itertools import pairwise
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands

from codeward.findings import Severity, Span
from codeward.rule import Invalid, Valid

_SPEC = """version: 0.2
phases:
  build:
    commands:
      - >-
        docker run --rm
          -e DATABASE_URL=$DATABASE_URL
          $IMAGE sh -c "npx prisma migrate deploy"
"""
# What a line may end with when the shell reads on into the next one.
_CONTINUED = ("\\", "|", "&&", "||", "&", ";", "(", "{", "do", "then", "else", "in")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class FoldedBlockKeptBreak(DocumentRule):
    """
    ## What it does
    Reports a command written as a folded block scalar (`>` or `>-`) in which a line indented deeper than the
    block's first line starts with an option (`-e ...`, `--rm`) and the line before it does not continue
    (no `\\` at its end): YAML keeps the line break before a more-indented line of a folded block, so the
    option starts a command of its own.

    ## Why is this bad?
    The YAML specification folds the lines of a `>` block into one, except around lines indented more than
    the block's first line, which keep their line breaks. Indenting an option under its command, as one does in
    a script, leaves the shell two commands: `docker run --rm` alone (docker: requires at least 1 argument) and
    `-e DATABASE_URL=...`, which is no program. The phase fails.

    ## Example
    ```yaml
    - >-
      docker run --rm
        -e DATABASE_URL=$DATABASE_URL
        $IMAGE sh -c "npx prisma migrate deploy"
    ```

    ## Fix
    Indent every line of the block alike (YAML then folds them into one line), or use a literal block (`|`)
    with a `\\` at the end of each continued line.
    """

    code = "CWB138"
    name = "buildspec-folded-block-kept-break"
    severity = Severity.ERROR
    tags = ("correctness", "yaml")
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC.replace("\n          -e", "\n        -e").replace("\n          $IMAGE", "\n        $IMAGE")),
        Valid(
            _SPEC.replace("- >-", "- |").replace("--rm\n", "--rm \\\n").replace("$DATABASE_URL\n", "$DATABASE_URL \\\n")
        ),
        Valid(_SPEC.replace("--rm\n", "--rm \\\n")),
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - >\n        echo start\n\n"
            "          - a listed item\n"
        ),
    )
    INVALID = (
        Invalid(
            _SPEC,
            7,
            11,
            'in this folded block (>-) the line "-e DATABASE_URL=$DATABASE_URL" is indented deeper than the '
            'first, so YAML keeps the line break before it: the shell runs "docker run --rm" alone and then '
            '"-e DATABASE_URL=$DATABASE_URL" as a command of its own',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict):
            return
        for at, _text in commands(value):
            span = ctx.document.span(at)
            source = ctx.document.source(span)
            if not source.startswith(">"):
                continue
            self._judge(ctx, at, span, source)

    def _judge(self, ctx: Context, at: Path, span: Span, source: str) -> None:
        lines = source.split("\n")
        body = [(index, line) for index, line in enumerate(lines) if index and line.strip()]
        if len(body) < 2:
            return
        base = _indent(body[0][1])
        for (_, previous), (index, line) in pairwise(body):
            stripped = line.strip()
            # A blank line between them is a line break of its own, written on purpose: not judged.
            if _indent(line) <= base or not stripped.startswith("-") or previous.rstrip().endswith(_CONTINUED):
                continue
            if lines[index - 1].strip() == "" or stripped.startswith("- "):
                continue  # an empty line before it, or a list item written as text: not an option
            column = _indent(line) + 1
            ctx.report(
                at,
                f'in this folded block ({lines[0].split()[0]}) the line "{stripped}" is indented deeper than the '
                f'first, so YAML keeps the line break before it: the shell runs "{previous.strip()}" alone and '
                f'then "{stripped}" as a command of its own',
                span=Span(span.line + index, column, span.line + index, column + len(stripped)),
                notes=("Indent the block's lines alike, or use `|` with a `\\` at the end of each continued line.",),
            )
            return
