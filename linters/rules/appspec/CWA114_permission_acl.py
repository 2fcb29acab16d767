from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import SERVER, platform

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_TYPES = {"u": "user", "user": "user", "g": "group", "group": "group", "m": "mask", "mask": "mask", "o": "other",
          "other": "other"}  # fmt: skip
_DEFAULT = ("d", "default")


def acl_problem(entry: str) -> str | None:
    """Why the agent would reject a setfacl-style entry ([d[efault]:][type:]name:perms), or None."""
    parts = entry.split(":")
    if not 2 <= len(parts) <= 4:
        return "needs 2 to 4 parts separated by ':', such as u:deploy:rwx"
    default = False
    if len(parts) == 4:
        if parts[0] not in _DEFAULT:
            return f'starts with "{parts[0]}" where d or default is expected'
        default = True
        parts = parts[1:]
    kind = None
    if len(parts) == 3:
        head = parts[0]
        if head in _DEFAULT:
            if default:
                return "says default twice"
            default = True
        elif head in _TYPES:
            kind = _TYPES[head]
        else:
            return f'has the entry type "{head}"; expected u(ser), g(roup), m(ask), o(ther) or d(efault)'
    qualifier, perms = parts[-2], parts[-1]
    name = ""
    if _TYPES.get(qualifier) in ("mask", "other"):
        if kind is None:
            kind = _TYPES[qualifier]
        else:
            name = qualifier
    else:
        kind = kind or "user"
        name = qualifier
    if kind in ("mask", "other") and name:
        return f"gives a name to a {kind} entry, which takes none"
    if not default and kind != "mask" and not name:
        return f"has no {kind} name; set the owner's, group's and others' base permissions with mode instead"
    if len(perms) == 1 and perms in "01234567":
        return None
    bad = [c for c in perms if c not in "rwx-"]
    if bad:
        return f'has "{bad[0]}" in its permissions; use r, w, x and - or one octal digit'
    return None


class AppSpecPermissionAcl(DocumentRule):
    """
    ## What it does
    Checks each entry of a permission's `acls` list the way the CodeDeploy agent parses it:
    `[d[efault]:][u[ser]|g[roup]|m[ask]|o[ther]:]name:perms`, with perms made of r, w, x and - or a
    single octal digit.

    ## Why is this bad?
    The agent fails the deployment on an entry it cannot parse, after the files have been copied. Base
    entries without a name (`u::rwx`, `g::rx`) are rejected too: the owner's and group's permissions are
    set with `mode`.

    ## Example
    ```yaml
    permissions:
      - object: /srv/app/uploads
        acls:
          - u::rwx
          - group:www:rwz
    ```

    ## Fix
    Name the user or group of each entry (`u:deploy:rwx`), use only r, w, x and -, and move base
    permissions to `mode`.
    """

    code = "CWA114"
    name = "appspec-permission-acl"
    severity = Severity.ERROR
    tags = ("correctness", "permissions")
    kinds = frozenset({"appspec"})
    paths = ("permissions/*/acls/*",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != SERVER or not isinstance(value, str):
            return
        problem = acl_problem(value.strip())
        if problem:
            ctx.report(path, f'ACL entry "{value}" {problem}')

    VALID = (
        Valid(
            "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    acls:\n      - u:deploy:rwx\n"
            "      - d:g:www:r-x\n      - m::rx\n      - default:user:ci:7\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    acls:\n      - u::rwx\n",
            6,
            9,
            "has no user name",
        ),
        Invalid(
            "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    acls:\n      - group:www:rwz\n",
            6,
            9,
            '"z"',
        ),
        Invalid(
            "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    acls:\n      - bob\n",
            6,
            9,
            "2 to 4 parts",
        ),
    )
