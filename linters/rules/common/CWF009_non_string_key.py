from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class NonStringKey(LoaderRule):
    """
    ## What it does
    Reports a mapping key that is itself a list or a mapping (YAML's `? [a, b]` syntax).

    ## Why is this bad?
    Definition files are JSON-shaped: AWS only understands string keys.

    ## Example
    ```yaml
    ? [a, b]
    : value
    ```

    ## Fix
    Use a plain string key.
    """

    code = "CWF009"
    name = "non-string-key"
    severity = Severity.ERROR
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: [make]\n"),)
    INVALID = (Invalid("version: 0.2\n? [a, b]\n: value\nphases:\n  build:\n    commands: [make]\n", 2, 3),)
