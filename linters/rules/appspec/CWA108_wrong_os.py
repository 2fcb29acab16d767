from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import (
    file_entries,
    is_windows_path,
    permission_entries,
    scripts,
    server_os,
)

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class AppSpecWrongOs(DocumentRule):
    """
    ## What it does
    Reports settings that only work on the other operating system than the AppSpec's `os`: a
    `permissions` section or a script's `runas` on Windows, and Windows paths (backslashes, drive
    letters) in `files`, `permissions` or hook locations on Linux.

    ## Why is this bad?
    The Windows agent fails any deployment whose AppSpec has permissions, and it has no way to switch
    users for `runas`. On Linux a backslash is an ordinary file-name character, so `scripts\\start.sh`
    names a file that does not exist and `C:\\app` becomes a directory called `C:\\app`.

    ## Example
    ```yaml
    version: 0.0
    os: windows
    permissions:
      - object: C:\\inetpub\\app
        owner: IIS_IUSRS
    ```

    ## Fix
    Remove the Linux-only settings from a Windows AppSpec (set ACLs from a hook script instead), or use
    `/` paths on Linux. Check that `os` names the instances' operating system.
    """

    code = "CWA108"
    name = "appspec-wrong-os"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        system = server_os(ctx)
        if system == "windows":
            if ctx.document.data.get("permissions"):
                ctx.report(
                    ("permissions",),
                    "permissions apply to Linux instances only; the agent fails a Windows deployment that has them",
                    key=True,
                    notes=("Set owners and ACLs on Windows from a hook script (icacls) instead.",),
                )
            for script in scripts(ctx):
                if "runas" in script.script:
                    ctx.report(
                        (*script.path, "runas"),
                        f"runas is supported on Linux only; on Windows the {script.event} script runs as the "
                        "agent's account",
                        key=True,
                        # The agent ignores it on Windows: the deployment runs, only not as that user.
                        severity=Severity.WARNING,
                    )
        elif system == "linux":
            places = [(p, e, ("source", "destination")) for p, e in file_entries(ctx)]
            places += [(p, e, ("object",)) for p, e in permission_entries(ctx)]
            places += [(s.path, s.script, ("location",)) for s in scripts(ctx)]
            for where, entry, keys in places:
                for key in keys:
                    text = entry.get(key)
                    if isinstance(text, str) and text.strip() not in ("", "\\") and is_windows_path(text):
                        ctx.report(
                            (*where, key),
                            f'{key} "{text}" is a Windows path but os is linux; write it with "/" separators',
                        )

    VALID = (
        Valid("version: 0.0\nos: windows\nfiles:\n  - source: app\\\n    destination: C:\\inetpub\\app\n",
              files={"app/web.config": "<configuration/>\n"}),
        Valid("version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\n"),
    )  # fmt: skip
    INVALID = (
        Invalid(
            "version: 0.0\nos: windows\npermissions:\n  - object: C:\\inetpub\\app\n    owner: IIS_IUSRS\n",
            3,
            1,
            "Linux instances only",
        ),
        Invalid(
            "version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: C:\\srv\\app\n",
            5,
            18,
            "Windows path but os is linux",
        ),
        Invalid(
            "version: 0.0\nos: windows\nhooks:\n  AfterInstall:\n    - location: scripts\\setup.ps1\n"
            "      runas: Administrator\n",
            6,
            7,
            "runas is supported on Linux only",
            files={"scripts/setup.ps1": "Write-Host setup\n"},
        ),
    )
