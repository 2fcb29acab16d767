from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
)


class AliasExpansion(LoaderRule):
    """
    ## What it does
    Reports YAML aliases that expand into an enormous document, or that refer to a node containing
    them.

    ## Why is this bad?
    A few lines of nested aliases (the "billion laughs" pattern) expand to billions of nodes and take
    down any tool that expands them. No real definition file needs that, so such a file is either an
    attack or a mistake.

    ## Example
    ```yaml
    a: &a [x, x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    ```

    ## Fix
    Write the data out, or use anchors only for small shared blocks.
    """

    code = "CWF004"
    name = "alias-expansion"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: &c [make]\n  post_build:\n    commands: *c\n"),)
    INVALID = (
        Invalid("version: 0.2\n" + _BOMB, 2, 29, "larger than"),
        Invalid("version: 0.2\nphases: &p\n  build: *p\n", 2, 9, "cycle"),
    )
