import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_RETRY = re.compile(r"^RETRY-(?:(\d+)(?:-(.*))?|(.*))$", re.I | re.S)


class OnFailureRetry(DocumentRule):
    """
    ## What it does
    Checks the RETRY forms of a phase's `on-failure`: the retry count of `RETRY-<count>` and
    `RETRY-<count>-<regex>` must be between 0 and 100, and the regular expression must be valid.

    ## Why is this bad?
    CodeBuild rejects a count outside 0..100, and a regular expression that does not compile can never
    match an error message, so the phase is not retried when you expect it to be.

    ## Example
    ```yaml
    phases:
      build:
        on-failure: RETRY-500
    ```

    ## Fix
    Use a count from 0 to 100 (`RETRY-5`) and a valid expression (`RETRY-3-.*timed out.*`).
    """

    code = "CWB113"
    name = "buildspec-on-failure-retry"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("phases/*/on-failure",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  install:\n    on-failure: RETRY-100\n    commands: [npm ci]\n  build:\n"
            "    on-failure: RETRY-3-.*Unable to connect.*\n    commands: [make]\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    on-failure: RETRY-500\n    commands: [make]\n",
            4,
            17,
            "retry count 500 is out of range",
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    on-failure: RETRY-2-(timeout\n    commands: [make]\n",
            4,
            17,
            'the retry expression "(timeout" is not a valid regular expression',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, str):
            return
        match = _RETRY.match(value.strip())
        if not match:
            return
        count, counted_regex, regex = match.groups()
        if count is not None and int(count) > 100:
            ctx.report(
                path,
                f"retry count {int(count)} is out of range in on-failure: {value}; CodeBuild allows 0 to 100 retries",
            )
            return
        expression = counted_regex if count is not None else regex
        if expression:
            try:
                re.compile(expression)
            except re.error as exc:
                ctx.report(
                    path,
                    f'the retry expression "{expression}" is not a valid regular expression ({exc.msg}), '
                    "so it can never match a failure",
                )
