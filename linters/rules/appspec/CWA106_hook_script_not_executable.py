import os
import stat
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import revision_path, scripts, server_os

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class AppSpecHookScriptNotExecutable(DocumentRule):
    """
    ## What it does
    On Linux, reports a hook script that has no interpreter line (`#!/bin/bash`) or is not marked
    executable in the source tree.

    ## Why is this bad?
    The agent executes hook scripts directly. Without `#!` the kernel does not know which interpreter to
    use, so the script fails with an exec format error or runs under a shell it was not written for. The
    agent tries to add the executable bit itself, but a bundle built on a system that drops file modes
    (or a zip created without them) is a common source of ScriptNotExecutable failures; keeping the bit
    in the repository makes the revision work the same everywhere.

    ## Example
    ```bash
    # scripts/start.sh, mode 644
    systemctl start app
    ```

    ## Fix
    Start the script with an interpreter line such as `#!/bin/bash` and mark it executable:
    `chmod +x` on the script (git keeps the mode: `git update-index --chmod=+x` on Windows).
    """

    code = "CWA106"
    name = "appspec-hook-script-not-executable"
    severity = Severity.WARNING
    tags = ("correctness", "files")
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if server_os(ctx) != "linux":
            return
        for script in scripts(ctx):
            location = script.script.get("location")
            if not isinstance(location, str) or not location.strip():
                continue
            target = revision_path(ctx, location)
            if target is None or not os.path.isfile(target):
                continue  # CWA104 reports it
            try:
                with open(target, "rb") as handle:
                    head = handle.read(4)
                mode = os.stat(target).st_mode
            except OSError:
                continue
            problems = []
            if not head.startswith(b"#!") and head != b"\x7fELF":
                problems.append("has no interpreter line (#!)")
            if not mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
                problems.append("is not executable")
            if problems:
                ctx.report(
                    (*script.path, "location"),
                    f'hook script "{location}" {" and ".join(problems)}',
                    notes=("Start it with a line such as #!/bin/bash and run chmod +x on it.",),
                )

    VALID = (
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n",
            files={"scripts/start.sh": "#!/bin/bash\nsystemctl start app\n"},
        ),
        Valid(
            "version: 0.0\nos: windows\nhooks:\n  ApplicationStart:\n    - location: scripts/start.ps1\n",
            files={"scripts/start.ps1": "Start-Service W3SVC\n"},
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n",
            5,
            17,
            "has no interpreter line (#!) and is not executable",
            files={"scripts/start.sh": "systemctl start app\n"},
        ),
    )
