from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class SyntaxErrorRule(LoaderRule):
    """
    ## What it does
    Reports YAML or JSON that does not parse, at the character where parsing stopped.

    ## Why is this bad?
    CodeBuild, CodeDeploy and CodePipeline reject a file they cannot parse, usually only after a push,
    a queued build or a started deployment.

    ## Example
    ```yaml
    phases:
      build:
        commands: echo status: done
    ```

    ## Fix
    Quote values that contain ": " or start with a YAML indicator (`*`, `&`, `!`, `{`, `[`, `%`, `@`).
    """

    code = "CWF001"
    name = "syntax-error"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - 'echo \"a: b\"'\n"),)
    INVALID = (
        Invalid("version: 0.2\nphases:\n  build:\n    commands: echo a: b\n", 4, 21, "mapping values"),
        Invalid('{"pipeline": {"name": "x", "stages": [],}}', 1, 41, "trailing comma", filename="pipeline.json"),
    )
