from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import where

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class RuntimeVersionsOutsideInstall(DocumentRule):
    """
    ## What it does
    Reports `runtime-versions` in a phase other than `install`.

    ## Why is this bad?
    CodeBuild selects runtimes only while it runs the install phase; the section is not allowed in
    `pre_build`, `build` or `post_build`, and the build fails (or runs with the image's default runtimes)
    instead of using the versions you asked for.

    ## Example
    ```yaml
    version: 0.2
    phases:
      build:
        runtime-versions:
          nodejs: 20
        commands:
          - npm test
    ```

    ## Fix
    Move `runtime-versions` under `phases.install` (an install phase may hold nothing else).
    """

    code = "CWB101"
    name = "buildspec-runtime-versions-outside-install"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("phases/*/runtime-versions",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  install:\n    runtime-versions:\n      nodejs: 20\n  build:\n    commands: [npm test]\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    runtime-versions:\n      nodejs: 20\n    commands:\n      - npm test\n",
            4,
            5,
            "runtime-versions is only read in the install phase, not in phases.build",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        phase = path[-2]
        # Unknown phase names are CWB001's; install is the right place.
        if phase not in ("pre_build", "build", "post_build"):
            return
        has_install = isinstance(ctx.document.get(("phases", "install")), dict)
        remedy = "move it into phases.install" if has_install else "move it into a new install phase (phases.install)"
        ctx.report(
            path,
            f"runtime-versions is only read in the install phase, not in {where(path[:-1])}; {remedy}",
            key=True,
            notes=("CodeBuild selects language runtimes before the install phase's commands run.",),
        )
