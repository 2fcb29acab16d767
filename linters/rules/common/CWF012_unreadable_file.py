from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Valid


class UnreadableFile(LoaderRule):
    """
    ## What it does
    Reports a path that was named on the command line but cannot be read: missing, a directory where
    a file was expected, or without read permission.

    ## Why is this bad?
    A typo in a CI step's path would otherwise pass silently with nothing linted.

    ## Example
    `codeward lint buildspec.yaml` when the file is `buildspec.yml`.

    ## Fix
    Correct the path.
    """

    code = "CWF012"
    name = "unreadable-file"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: [make]\n"),)
    # Missing and unreadable files are exercised in tests/test_loading.py.
