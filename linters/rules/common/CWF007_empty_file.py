from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class EmptyFile(LoaderRule):
    """
    ## What it does
    Reports a definition file with no content (empty, only comments or only `---`).

    ## Why is this bad?
    Every kind needs content: a buildspec needs `version` and `phases`, an AppSpec needs `version`,
    a pipeline needs stages. An empty file fails when AWS reads it.

    ## Example
    ```yaml
    # buildspec.yml
    ```

    ## Fix
    Write the definition, or delete the file.
    """

    code = "CWF007"
    name = "empty-file"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: [make]\n"),)
    INVALID = (Invalid("# nothing yet\n", 1, 1, "empty"), Invalid("", 1, 1, "empty", filename="appspec.yml"))
