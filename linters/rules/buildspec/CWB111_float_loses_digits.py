from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import VARIABLE_PATHS

from codeward.findings import Edit, Fix, Severity
from codeward.rule import Invalid, Valid


class FloatLosesDigits(DocumentRule):
    """
    ## What it does
    Reports a runtime version or variable value written as a number whose YAML reading differs from the
    text: `python: 3.10` is the float 3.1 to a YAML reader, `VERSION: 1.20` is 1.2. A fix quotes the value.

    ## Why is this bad?
    CodeBuild itself reads these values as the text written: AWS's runtime-versions reference writes
    `python: 3.10` and `golang: 1.20` unquoted as the way to select those versions, and buildspecs that
    do so run (for example AWS Solutions' own release buildspecs). So this is not an error for CodeBuild.
    Every other YAML reader (the tools that generate, merge or check buildspecs, PyYAML, `yq`) reads the
    number 3.1, and a buildspec round-tripped through one of them asks for Python 3.1, which no image has.
    Quoting says what you mean to every reader. Reported as a warning for that reason.

    ## Example
    ```yaml
    phases:
      install:
        runtime-versions:
          python: 3.10
    ```

    ## Fix
    Quote the version: `python: "3.10"`.
    """

    code = "CWB111"
    name = "buildspec-float-loses-digits"
    severity = Severity.WARNING
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("phases/*/runtime-versions/*", *(f"{p}/*" for p in VARIABLE_PATHS))
    VALID = (
        Valid(
            'version: 0.2\nenv:\n  variables:\n    VERSION: "1.20"\n    RATIO: 0.5\nphases:\n  install:\n    runtime-versions:\n'
            '      python: "3.10"\n      dotnet: 8.0\n      nodejs: 20\n  build:\n    commands: [make]\n'
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: 3.10\n  build:\n    commands: [make]\n",
            5,
            15,
            'python: 3.10 is the number 3.1 to YAML readers (CodeBuild uses the text as written, other tools do not); quote it: "3.10"',
            fixed='version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: "3.10"\n  build:\n    commands: [make]\n',
        ),
        Invalid(
            "version: 0.2\nenv:\n  variables:\n    APP_VERSION: 2.10\nphases:\n  build:\n    commands: [make]\n",
            4,
            18,
            "APP_VERSION: 2.10 is the number 2.1 to YAML readers",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, float):
            return
        span = ctx.document.span(path)
        written = ctx.document.source(span).strip()
        if not written or written[0] in "\"'" or written == repr(value):
            return
        if written.replace("_", "") == repr(value) or "e" in written.lower():
            return
        name = path[-1]
        ctx.report(
            path,
            f"{name}: {written} is the number {value!r} to YAML readers (CodeBuild uses the text as written, "
            f'other tools do not); quote it: "{written}"',
            fix=Fix(f'quote the value: "{written}"', (Edit(span, f'"{written}"'),)),
        )
