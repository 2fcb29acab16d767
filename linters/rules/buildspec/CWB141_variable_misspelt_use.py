import os
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import blank_single_quotes, commands, looks_windows, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_SECTIONS = (
    ("env", "variables"),
    ("env", "parameter-store"),
    ("env", "secrets-manager"),
    ("environment_variables", "plaintext"),
)
# Names a command gives a value: NAME=..., export/readonly/local NAME, read NAME, for NAME in.
_SETS = re.compile(
    r"(?:^|[\s;&|({`])(?:export\s+|readonly\s+|local\s+)?([A-Za-z_]\w*)\+?="
    r"|\b(?:export|readonly|local)\s+(?:-\w+\s+)*((?:[A-Za-z_]\w*\s*)+)"
    r"|\bread\s+(?:-\w+\s+(?:\S+\s+)?)*((?:[A-Za-z_]\w*\s*)+)"
    r"|\bfor\s+([A-Za-z_]\w*)\s+in\b",
    re.M,
)
_USE = re.compile(r"\$\{?([A-Za-z_]\w*)")
# After these any variable may be set: sourcing a file, eval, `set -a`, `export $(...)`.
_OPAQUE = re.compile(r"(?:^|[;&|(\s])(?:source|eval|\.)\s+\S|set\s+-a\b|export\s+\$", re.M)
_PROVIDED = ("CODEBUILD_", "AWS_")
# Files that may define a project's environment variables (Terraform, CloudFormation, CLI JSON, scripts, .env).
_DEFINING = (".tf", ".json", ".yml", ".yaml", ".template", ".sh", ".env", ".toml", ".cfg", ".ini")


def _slip(used: str, defined: str) -> bool:
    """One typing slip apart (a character dropped, added, changed, or two neighbours swapped) somewhere before the
    last character, in names of eight characters or more that do not end in a digit: IMAGE_URI/IMAGE_URL,
    TAG1/TAG2 or ENV/ENVS are usually two variables; FuncionName for FunctionName is a slip."""
    if min(len(used), len(defined)) < 8 or used[-1].isdigit() or defined[-1].isdigit():
        return False
    if used[-1] != defined[-1] or abs(len(used) - len(defined)) > 1:
        return False
    if len(used) == len(defined):
        diff = [i for i, (a, b) in enumerate(zip(used, defined, strict=True)) if a != b]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and used[diff[0]] == defined[diff[1]]
            and used[diff[1]] == defined[diff[0]]
        )
    short, long = (used, defined) if len(used) < len(defined) else (defined, used)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _named_in_repository(root: str, name: str, skip: str, limit: int = 3000) -> bool:
    """Whether a file of the repository that could define a project's environment mentions `name` as a word."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("node_modules", "vendor", "target")]
        if folder[len(root) :].count(os.sep) >= 3:
            dirs[:] = []
        for file in files:
            path = os.path.join(folder, file)
            if not file.endswith(_DEFINING) or os.path.abspath(path) == skip:
                continue
            seen += 1
            if seen > limit:
                return True  # too big to tell: stay silent
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    if word.search(handle.read(200_000)):
                        return True
            except OSError:
                continue
    return False


class VariableMisspeltUse(DocumentRule):
    """
    ## What it does
    Reports `$NAME` in a command when nothing in the buildspec sets NAME (no `env` section, no assignment,
    `export`, `read` or `for`), NAME is not one CodeBuild provides (`CODEBUILD_*`, `AWS_*`), no other file of the
    repository that could define a project's environment (Terraform, CloudFormation or CLI JSON, scripts, `.env`)
    names it, and the buildspec does set a name one typing slip away from it (a character dropped, added,
    changed or two swapped, before the last character, in names of eight characters or more that do not end in a
    digit). Buildspecs that source files or use `eval` are not checked.

    ## Why is this bad?
    The shell expands an unset variable to nothing, so the command runs with an empty argument
    (`--function-name` with no name) and fails, or does something other than what it says. A variable the
    project's environment sets would be named in the file that defines the project; one slip away from a name the
    buildspec itself sets, and named nowhere else, it is the misspelling of that name. Names that differ in their
    last character or in a digit (IMAGE_URI and IMAGE_URL, TAG1 and TAG2) are often two variables and are left
    alone.

    ## Example
    ```yaml
    env:
      variables:
        FunctionName: orders
    phases:
      post_build:
        commands:
          - aws lambda list-versions-by-function --function-name $FuncionName
    ```

    ## Fix
    Write the name the buildspec sets: `$FunctionName`.
    """

    code = "CWB141"
    name = "buildspec-variable-misspelt-use"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            "version: 0.2\nenv:\n  variables:\n    FunctionName: orders\n    IMAGE_URI: x\nphases:\n  build:\n"
            "    commands:\n      - aws lambda get-function --function-name $FunctionName\n"
            "      - echo $IMAGE_URL $PROJECT_FROM_CONSOLE\n"
            "      - REPOSITORY_NAME=app\n      - echo $REPOSITORY_NAME '$REPOSITORY_NAMR'\n"
        ),
        Valid(
            "version: 0.2\nenv:\n  variables:\n    FunctionName: orders\nphases:\n  build:\n    commands:\n"
            "      - . ./settings.sh\n      - echo $FuncionName\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nenv:\n  variables:\n    FunctionName: orders\nphases:\n  post_build:\n    commands:\n"
            "      - aws lambda list-versions-by-function --function-name $FuncionName\n",
            8,
            62,
            '"$FuncionName" is set by nothing in the buildspec or the repository, and is one slip away from '
            '"FunctionName", which the buildspec sets: the command gets an empty value; did you mean "$FunctionName"?',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict) or looks_windows(value):
            return
        texts = list(commands(value))
        if any(_OPAQUE.search(text) for _, text in texts):
            return
        defined: set[str] = set()
        for section in _SECTIONS:
            block = ctx.document.get(section)
            if isinstance(block, dict):
                defined.update(name for name in block if isinstance(name, str))
        for _, text in texts:
            for match in _SETS.finditer(text):
                for group in match.groups():
                    if group:
                        defined.update(group.split())
        if not defined:
            return
        reported: set[str] = set()
        for at, text in texts:
            for match in _USE.finditer(blank_single_quotes(text)):
                used = match.group(1)
                if used in defined or used in reported or used.startswith(_PROVIDED):
                    continue
                meant = [name for name in defined if _slip(used, name)]
                if len(meant) != 1:
                    continue
                if self._named_elsewhere(ctx, used):
                    reported.add(used)
                    continue
                reported.add(used)
                token = match.group(0)
                ctx.report(
                    at,
                    f'"${used}" is set by nothing in the buildspec or the repository, and is one slip away from '
                    f'"{meant[0]}", which the buildspec sets: the command gets an empty value; did you mean '
                    f'"${meant[0]}"?',
                    span=text_span(ctx.document, at, token, match.start()),
                    notes=("The shell expands an unset variable to nothing.",),
                )

    @staticmethod
    def _named_elsewhere(ctx: Context, name: str) -> bool:
        from codeward.linters.revision import project_root

        here = os.path.abspath(os.path.join(ctx.base_dir, os.path.basename(ctx.document.path)))
        root = project_root(os.path.dirname(here)) or os.path.dirname(here)
        return _named_in_repository(root, name, here)
