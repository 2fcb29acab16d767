from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Valid


class NotText(LoaderRule):
    """
    ## What it does
    Reports a file that is binary or not valid UTF-8 (or UTF-16/32 with a byte-order mark), at the
    first byte that is not text.

    ## Why is this bad?
    AWS reads definition files as UTF-8. A file saved in Latin-1 or with stray binary bytes fails to
    load, or loads with mangled values.

    ## Example
    A `buildspec.yml` saved as Windows-1252 with `echo "café"` in it.

    ## Fix
    Re-save the file as UTF-8.
    """

    code = "CWF006"
    name = "not-text"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: ['echo \"café\"']\n"),)
    # Byte-level cases live in tests/test_loading.py: examples here are text.
