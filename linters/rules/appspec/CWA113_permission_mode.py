import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import SERVER, platform

from codeward.findings import Edit, Fix, Severity
from codeward.rule import Invalid, Valid

_OCTAL_LITERAL = re.compile(r"^[-+]?0(?:o)?[0-7_]+$")


class AppSpecPermissionMode(DocumentRule):
    """
    ## What it does
    Reports a permission `mode` the agent cannot apply as intended: a symbolic mode (`u+x`, `rwxr-xr-x`),
    more than four digits, a digit outside 0-7, or an unquoted mode with a leading zero such as
    `mode: 0644`.

    ## Why is this bad?
    The agent only understands 1 to 4 octal digits and fails the deployment on anything else. The
    leading-zero case is worse: YAML reads `0644` as an octal number, so the agent receives 420 and
    applies mode 420 (`r---w----`) without any error; `0755` becomes 493 and fails the deployment.

    ## Example
    ```yaml
    permissions:
      - object: /srv/app
        mode: 0644
    ```

    ## Fix
    Write the digits without a leading zero (`mode: 644`) or quote them (`mode: "0644"`).
    """

    code = "CWA113"
    name = "appspec-permission-mode"
    severity = Severity.ERROR
    tags = ("correctness", "permissions")
    kinds = frozenset({"appspec"})
    paths = ("permissions/*/mode",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != SERVER or isinstance(value, bool):
            return
        if isinstance(value, int):
            span = ctx.document.span(path)
            source = ctx.document.source(span).strip()
            digits = source.replace("_", "").lstrip("+-").lstrip("0o") or "0"
            # 0644 changes meaning when read as octal; 00 or 01 do not.
            if _OCTAL_LITERAL.match(source) and not (digits.isdigit() and int(digits) == value):
                quoted = f'"{source}"'
                ctx.report(
                    path,
                    f"mode {source} is read by YAML as the octal number {value}, so the agent would apply mode "
                    f"{value}; quote it: {quoted}",
                    fix=Fix("quote the mode", (Edit(span, quoted),)),
                )
                return
            text = str(value)
        elif isinstance(value, str):
            text = value.strip()
        else:
            return
        if re.fullmatch(r"[0-7]{1,4}", text):
            return
        if re.search(r"[ugoarwxXst+=-]", text) and not text.isdigit():
            message = f'mode "{text}" is symbolic; the agent accepts only octal digits such as 644 or 755'
        elif len(text) > 4:
            message = f'mode "{text}" has {len(text)} digits; a mode has 1 to 4 octal digits, such as 644 or 2775'
        else:
            message = f'mode "{text}" is not an octal mode: each digit must be 0 to 7, such as 644 or 755'
        ctx.report(path, message)

    VALID = (
        Valid('version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    mode: 755\n  - object: /etc/app\n    mode: "0640"\n'),
    )  # fmt: skip
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    mode: 0644\n",
            5,
            11,
            "read by YAML as the octal number 420",
            fixed='version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    mode: "0644"\n',
        ),
        Invalid("version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    mode: u+x\n", 5, 11, "symbolic"),
        Invalid("version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    mode: 10755\n", 5, 11, "5 digits"),
        Invalid("version: 0.0\nos: linux\npermissions:\n  - object: /srv/app\n    mode: 648\n", 5, 11, "0 to 7"),
    )
