from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import PHASES

from codeward.findings import Severity, Span
from codeward.rule import Invalid, Valid

_SPEC = """version: 0.2
phases:
  install:
    commands:
      npm install -g serverless
      npm install
  build:
    commands:
      - serverless deploy
"""
# Programs a build line starts with: a line of a folded scalar that starts with one was a command of its own.
_PROGRAMS = frozenset({
    "npm", "npx", "yarn", "pnpm", "node", "pip", "pip3", "python", "python3", "pipenv", "poetry", "cd", "echo",
    "aws", "sam", "cdk", "docker", "mvn", "gradle", "./gradlew", "./mvnw", "make", "sh", "bash", "go", "cargo",
    "dotnet", "terraform", "terragrunt", "kubectl", "helm", "serverless", "sls", "git", "cp", "mv", "rm", "mkdir",
    "chmod", "export", "apt-get", "yum", "dnf", "apk", "curl", "wget", "unzip", "tar", "zip", "composer", "php",
    "bundle", "gem", "ruby", "java", "printf", "ls", "cat", "sed", "source", ".",
})  # fmt: skip


class FoldedCommandList(DocumentRule):
    """
    ## What it does
    Reports a phase's `commands` (or `finally`) written as one plain, unquoted scalar over several lines, each
    line a command of its own, where a list of commands was meant (the `- ` of each item left out).

    ## Why is this bad?
    YAML folds a plain scalar into one line, each line break becoming a space, and CodeBuild runs a string
    under `commands` as one command. `npm install -g serverless` and `npm install` on two lines become
    `npm install -g serverless npm install`: one command that installs the packages `npm` and `install`
    globally, while the project's own dependencies are never installed; other pairs fail outright
    (`cd app make` is a cd with two arguments).

    ## Example
    ```yaml
    install:
      commands:
        npm install -g serverless
        npm install
    ```

    ## Fix
    Write each command as a list item: `- npm install -g serverless`, then `- npm install`.
    """

    code = "CWB130"
    name = "buildspec-folded-command-list"
    severity = Severity.ERROR
    tags = ("correctness", "yaml")
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC.replace("      npm install -g", "      - npm install -g").replace("      npm install\n", "      - npm install\n")),
        # One long command wrapped over lines: the next line continues it with options.
        Valid(_SPEC.replace("npm install -g serverless\n      npm install", "aws cloudformation package --template-file t.yml\n"
                            "      --s3-bucket artifacts --output-template-file packaged.yml")),
        # One string on one line is one command (CDK synthesises `commands: "npm ci"`).
        Valid(_SPEC.replace("npm install -g serverless\n      npm install", "npm ci")),
    )  # fmt: skip
    INVALID = (Invalid(_SPEC, 6, 7, 'folds these lines into one command: "npm install -g serverless npm install"'),)

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, seven labelled sets): "
            "1 error, on a file labelled defect (fresh3 k29); none on the files AWS accepts."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        phases = value.get("phases") if isinstance(value, dict) else None
        if not isinstance(phases, dict):
            return
        for name in PHASES:
            phase = phases.get(name)
            for section in ("commands", "finally"):
                text = phase.get(section) if isinstance(phase, dict) else None
                if isinstance(text, str):
                    self._judge(ctx, ("phases", name, section), text)

    def _judge(self, ctx: Context, at: Path, text: str) -> None:
        span = ctx.document.span(at)
        source = ctx.document.source(span)
        if "\n" not in source or source[:1] in ("'", '"', "|", ">"):
            return
        lines = [line.strip() for line in source.split("\n")]
        for index in range(1, len(lines)):
            line, previous = lines[index], lines[index - 1]
            if not line or line.startswith("#") or previous.endswith(("\\", "|", "&&", "||", "&", ";")):
                continue
            if line.split()[0] not in _PROGRAMS:
                continue
            column = len(source.split("\n")[index]) - len(source.split("\n")[index].lstrip()) + 1
            ctx.report(
                at,
                f"{at[-1]} is one unquoted scalar over {len([x for x in lines if x])} lines, not a list: YAML folds "
                f'these lines into one command: "{text}", so "{line.split()[0]}" on line {span.line + index} '
                "never runs as a command of its own",
                span=Span(span.line + index, column, span.line + index, column + len(line)),
                notes=("Write each command as a list item (`- ` in front of each line).",),
            )
            return
