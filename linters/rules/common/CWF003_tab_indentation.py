from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class TabIndentation(LoaderRule):
    """
    ## What it does
    Reports a tab character where YAML expects indentation.

    ## Why is this bad?
    YAML forbids tabs for indentation; the file does not parse at all.

    ## Example
    ```yaml
    phases:
    <TAB>build:
    ```

    ## Fix
    Indent with spaces. Most editors convert tabs to spaces for `.yml` files when told to.
    """

    code = "CWF003"
    name = "tab-indentation"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: ['printf \"a\\tb\"']\n"),)
    INVALID = (Invalid("version: 0.2\nphases:\n\tbuild:\n\t\tcommands: [make]\n", 3, 1, "tab"),)
