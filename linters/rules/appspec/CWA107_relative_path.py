import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import file_entries, is_windows_path, permission_entries, server_os

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


class AppSpecRelativePath(DocumentRule):
    """
    ## What it does
    Reports a `files` destination or a permission `object` that is not a fully qualified path on the
    instance: on Linux one starting with `/`, on Windows one starting with a drive such as `C:\\`.

    ## Why is this bad?
    Destinations are paths on the instance, not in the revision. A relative path is resolved against
    the agent's working directory, so the files land somewhere under the agent's own directories, the
    application starts from stale files, and permissions are applied to nothing.

    ## Example
    ```yaml
    version: 0.0
    os: linux
    files:
      - source: app/
        destination: srv/app
    ```

    ## Fix
    Write the full path: `destination: /srv/app` (Linux) or `destination: C:\\inetpub\\app` (Windows).
    """

    code = "CWA107"
    name = "appspec-relative-path"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        system = server_os(ctx)
        if system is None:
            return
        targets = [((*p, "destination"), e.get("destination"), "destination") for p, e in file_entries(ctx)]
        if system == "linux":
            targets += [((*p, "object"), e.get("object"), "permission object") for p, e in permission_entries(ctx)]
        for where, text, what in targets:
            if not isinstance(text, str) or not text.strip():
                continue
            if system == "linux":
                if text.startswith("/") or is_windows_path(text):
                    continue  # Windows paths on Linux: CWA108
                example = "/" + text.lstrip("./")
            else:
                if _WINDOWS_ABSOLUTE.match(text):
                    continue
                example = "C:\\" + text.lstrip("./\\").replace("/", "\\")
            ctx.report(
                where,
                f'{what} "{text}" is not an absolute path; write the full path on the instance, such as "{example}"',
            )

    VALID = (
        Valid("version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\n"),
        Valid("version: 0.0\nos: windows\nfiles:\n  - source: \\\n    destination: C:\\inetpub\\app\n"),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: srv/app\n",
            5,
            18,
            'such as "/srv/app"',
        ),
        Invalid(
            "version: 0.0\nos: windows\nfiles:\n  - source: \\\n    destination: /inetpub/app\n",
            5,
            18,
            "not an absolute path",
        ),
    )
