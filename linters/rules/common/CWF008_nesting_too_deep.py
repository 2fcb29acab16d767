from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class NestingTooDeep(LoaderRule):
    """
    ## What it does
    Reports nesting deeper than 100 levels.

    ## Why is this bad?
    No definition file nests that deep; such input exists to crash parsers (deep recursion).

    ## Example
    `phases: [[[[[[ ... ]]]]]]` a thousand levels deep.

    ## Fix
    Flatten the structure.
    """

    code = "CWF008"
    name = "nesting-too-deep"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: [[make]]\n"),)
    INVALID = (Invalid("version: 0.2\nphases: " + "[" * 150 + "]" * 150 + "\n", 2, 109, "deeper than 100"),)
