import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import SERVER, platform

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_LEVEL = re.compile(r"^s([0-9]+)$")
_CATEGORY = re.compile(r"^c([0-9]+)$")


def range_problem(text: str) -> str | None:
    """Why an SELinux range s<n>[-s<n>][:c<n>[.c<n>][,...]] is invalid, or None."""
    levels, _, categories = text.partition(":")
    if ":" in text and not categories:
        return "has an empty category list after ':'"
    bounds = levels.split("-")
    if len(bounds) > 2 or not all(_LEVEL.match(b) for b in bounds):
        return "needs sensitivities written s<n> or s<n>-s<n>, such as s0 or s0-s15"
    if len(bounds) == 2 and int(bounds[1][1:]) < int(bounds[0][1:]):
        return "has a high sensitivity below the low one"
    if not categories:
        return None
    seen: set[int] = set()
    for part in categories.split(","):
        ends = part.split(".")
        if len(ends) > 2 or not all(_CATEGORY.match(e) for e in ends):
            return f'has the category "{part}"; write c<n> or c<n>.c<n>'
        low, high = int(ends[0][1:]), int(ends[-1][1:])
        if high > 1023:
            return f"has the category c{high}; categories go up to c1023"
        if high < low:
            return f'has the category range "{part}" running backwards'
        span = set(range(low, high + 1))
        if span & seen:
            return "lists a category twice"
        seen |= span
    return None


class AppSpecSelinuxContext(DocumentRule):
    """
    ## What it does
    Checks a permission's SELinux `context`: it must give a `type`, and its `range`, if any, must be
    a valid MLS/MCS range such as `s0` or `s0-s0:c0.c1023`.

    ## Why is this bad?
    The agent rejects a context without a type and a range it cannot parse, failing the deployment after
    the files were copied. A context is usually added to let a confined service (httpd, nginx) read the
    files, so getting it wrong also shows up as permission-denied errors in production.

    ## Example
    ```yaml
    permissions:
      - object: /var/www/html
        context:
          name: system_u
          range: s0
    ```

    ## Fix
    Add the SELinux type, for example `type: httpd_sys_content_t`, and write the range as s<n>[-s<n>]
    with optional categories c<n>[.c<n>] up to c1023.
    """

    code = "CWA115"
    name = "appspec-selinux-context"
    severity = Severity.ERROR
    tags = ("correctness", "permissions")
    kinds = frozenset({"appspec"})
    paths = ("permissions/*/context",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != SERVER or not isinstance(value, dict):
            return
        if value.get("type") is None:
            ctx.report(
                path,
                'the SELinux context has no "type"; the agent requires one, such as httpd_sys_content_t',
                key=True,
            )
        selinux_range = value.get("range")
        if isinstance(selinux_range, str):
            problem = range_problem(selinux_range.strip())
            if problem:
                ctx.report((*path, "range"), f'SELinux range "{selinux_range}" {problem}')

    VALID = (
        Valid(
            "version: 0.0\nos: linux\npermissions:\n  - object: /var/www/html\n    context:\n      name: system_u\n"
            "      type: httpd_sys_content_t\n      range: s0-s0:c0.c1023\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\npermissions:\n  - object: /var/www/html\n    context:\n      name: system_u\n"
            "      range: s0\n",
            5,
            5,
            'has no "type"',
        ),
        Invalid(
            "version: 0.0\nos: linux\npermissions:\n  - object: /var/www/html\n    context:\n"
            "      type: httpd_sys_content_t\n      range: s0:c0.c2048\n",
            7,
            14,
            "categories go up to c1023",
        ),
    )
