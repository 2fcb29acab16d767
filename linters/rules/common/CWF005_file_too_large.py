from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Valid


class FileTooLarge(LoaderRule):
    """
    ## What it does
    Reports a file larger than the size limit (5 MiB) without parsing it.

    ## Why is this bad?
    Definition files are a few kilobytes; a file of megabytes is generated output or not a definition
    at all, and parsing it would slow every commit down.

    ## Example
    A 20 MB `buildspec.yml` produced by a template gone wrong.

    ## Fix
    Exclude the file (`exclude` in `[tool.codeward]`) or shrink it.
    """

    code = "CWF005"
    name = "file-too-large"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: [make]\n"),)
    # Exercised in tests/test_loading.py: a 5 MiB example does not belong in a docstring.
