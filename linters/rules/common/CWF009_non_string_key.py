from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class NonStringKey(LoaderRule):
    """
    ## What it does
    Reports a mapping key that is itself a list or a mapping (YAML's `? [a, b]` syntax).

    ## Why is this bad?
    Definition files are JSON-shaped: AWS only understands string keys. A template placeholder written
    unquoted, `{{FunctionName}}:`, is no such key although YAML reads it as a mapping: it is read as the text
    it was written as, for the build step that fills it in (`sed -i "s/{{FunctionName}}/.../"`).

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
    VALID = (
        Valid("version: 0.2\nphases:\n  build:\n    commands: [make]\n"),
        Valid(
            "version: 0.0\nResources:\n  - {{FunctionName}}:\n      Type: AWS::Lambda::Function\n"
            "      Properties:\n        Name: '{{FunctionName}}'\n        Alias: live\n"
            "        CurrentVersion: '1'\n        TargetVersion: '2'\n",
            filename="appspec.yml",
        ),
    )
    INVALID = (Invalid("version: 0.2\n? [a, b]\n: value\nphases:\n  build:\n    commands: [make]\n", 2, 3),)
