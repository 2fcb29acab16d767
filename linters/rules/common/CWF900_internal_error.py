from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Valid


class InternalError(LoaderRule):
    """
    ## What it does
    Reports that a check crashed on this file. The other files and the other checks still run, and
    codeward exits with status 2.

    ## Why is this bad?
    It is a bug in codeward, not in your file; the file may have defects that were not reported.

    ## Example
    Any file that makes a rule raise an exception.

    ## Fix
    Report the message and the file (or a reduced copy) to the codeward maintainers.
    """

    code = "CWF900"
    name = "internal-error"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: [make]\n"),)
