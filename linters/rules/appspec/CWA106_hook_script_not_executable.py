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
    It seldom is, hence `info`. The agent adds the executable bit itself when a script lacks it
    (`hook_executor.rb`: "Trying to make it executable"), and a script without `#!` is run by `/bin/sh`
    (Ruby retries a file the kernel cannot execute with the shell; with `runas`, `su -c` runs it in the
    user's shell). A script written for bash then runs under sh, where bash syntax fails; an explicit
    interpreter line and a kept mode make the revision behave the same everywhere.

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
    severity = Severity.INFO
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
                    f'hook script "{location}" {" and ".join(problems)}: the agent runs it anyway (chmod +x, /bin/sh)',
                    notes=("Start it with a line such as #!/bin/bash and run chmod +x on it, so it runs as written.",),
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
