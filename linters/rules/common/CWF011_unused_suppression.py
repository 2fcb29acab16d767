from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class UnusedSuppression(LoaderRule):
    """
    ## What it does
    Reports a `# codeward: ignore[...]` comment that silences nothing.

    ## Why is this bad?
    A stale suppression hides the next real finding on that line and misleads readers into thinking
    something there is wrong.

    ## Example
    ```yaml
    phases:
      build:
        commands: [make]  # codeward: ignore[CWB101]
    ```

    ## Fix
    Delete the comment, or correct the code it names.
    """

    code = "CWF011"
    name = "unused-suppression"
    severity = Severity.INFO
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  build:\n    comands: [make]  # codeward: ignore[CWB001]\n    commands: [make]\n"
        ),
    )
    INVALID = (
        Invalid("version: 0.2\nphases:\n  build:\n    commands: [make]  # codeward: ignore[CWB001]\n", 4, 23, "unused"),
    )
