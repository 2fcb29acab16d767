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
    text: `python: 3.10` is the float 3.1, `VERSION: 1.20` is 1.2. A fix quotes the value.

    ## Why is this bad?
    YAML reads an unquoted `3.10` as a number and drops the trailing zero, so CodeBuild asks for
    Python 3.1 (which no image has: the build fails in INSTALL) or the variable holds `1.2`.

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
    severity = Severity.ERROR
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
            'python: 3.10 is read by YAML as the number 3.1 (CodeBuild selects that version); quote it: "3.10"',
            fixed='version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: "3.10"\n  build:\n    commands: [make]\n',
        ),
        Invalid(
            "version: 0.2\nenv:\n  variables:\n    APP_VERSION: 2.10\nphases:\n  build:\n    commands: [make]\n",
            4,
            18,
            "APP_VERSION: 2.10 is read by YAML as the number 2.1",
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
        what = "CodeBuild selects that version" if "runtime-versions" in path else "the variable holds that value"
        ctx.report(
            path,
            f'{name}: {written} is read by YAML as the number {value!r} ({what}); quote it: "{written}"',
            fix=Fix(f'quote the value: "{written}"', (Edit(span, f'"{written}"'),)),
        )
