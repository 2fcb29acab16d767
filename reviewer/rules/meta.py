"""Findings about the file rather than its code: syntax errors, unreadable files, unused suppressions."""

from __future__ import annotations

from codeward.reviewer.rule import ReviewRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class MetaRule(ReviewRule):
    """Reported by the engine itself, never dispatched during the walk."""


class SyntaxErrorRule(MetaRule):
    """
    ## What it does
    Reports a Python file that does not parse. The rest of the run goes on. A file whose parse stops at a
    `<name>` placeholder (`{"proxy_addr": <proxy_addr>}`) is a template the reader fills in: reported at `info`,
    saying so (judged not worth a comment on a real project's sample).

    ## Why is this bad?
    Nothing in a file that does not parse can be reviewed, and the interpreter will refuse to import it.

    ## Example
    ```python
    def handler(event, context:
        return event
    ```

    ## Fix
    Correct the syntax at the position shown; `python -m py_compile FILE` gives the interpreter's view.
    """

    code = "CWR001"
    name = "python-syntax-error"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("type Pair = tuple[int, int]\nname = 'x'\nprint(f\"{name!r:>{10}} {'nested'}\")\n"),)
    INVALID = (
        Invalid("def handler(event, context:\n    return event\n", 1, 12, message="syntax error"),
        Invalid(
            "import socks\nproxy = {'proxy_addr': <proxy_addr>}\n",
            2,
            24,
            message="placeholder to fill in (<proxy_addr>)",
        ),
    )


class UnusedSuppression(MetaRule):
    """
    ## What it does
    Reports a `# codeward: ignore[...]` comment that silences no reviewer finding.

    ## Why is this bad?
    A stale suppression hides the next real finding on that line and tells readers about a problem that
    no longer exists.

    ## Example
    ```python
    data = json.loads(body)  # codeward: ignore[CWR106]
    ```

    ## Fix
    Delete the comment, or correct the code it names.
    """

    code = "CWR002"
    name = "unused-suppression"
    severity = Severity.INFO
    VALID = (Valid("import os\nos.system(input())  # codeward: ignore[CWR102]\n"),)
    INVALID = (Invalid("import json\ndata = json.loads('{}')  # codeward: ignore[CWR106]\n", 2, 26),)


class UnreadableFile(MetaRule):
    """
    ## What it does
    Reports a file that cannot be read or reviewed as Python source: missing, binary, undecodable, over
    5 MiB, a symbolic link out of the repository, expressions nested more than 1000 levels deep, or a review
    that ran past the worker's time or memory limit.

    ## Why is this bad?
    A file named for review that is silently skipped gives false confidence; a pull request could hide
    code that way.

    ## Example
    A `.py` file saved as UTF-16 without a byte-order mark; `x = a + a + ... + a` ten thousand terms long.

    ## Fix
    Correct the path if the file is missing; save an undecodable file as UTF-8 (or declare its encoding
    with a PEP 263 coding comment); split what is too deep or too large; exclude a binary, oversized or
    generated one.
    """

    code = "CWR003"
    name = "unreadable-file"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("# -*- coding: latin-1 -*-\nname = 'caf\u00e9'\n"),)


class InternalError(MetaRule):
    """
    ## What it does
    Reports a bug in codeward met while reviewing a file; the other files' findings are still reported.

    ## Why is this bad?
    The file was not (fully) reviewed.

    ## Example
    Any file that triggers a defect in a rule.

    ## Fix
    Report it with the file (or a reduced copy); `CODEWARD_DEBUG=1` shows the traceback.
    """

    code = "CWR900"
    name = "reviewer-internal-error"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("x = 1\n"),)
