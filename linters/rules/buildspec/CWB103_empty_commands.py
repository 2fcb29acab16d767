from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import PHASES, where

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class EmptyCommands(DocumentRule):
    """
    ## What it does
    Reports places where the buildspec has nothing to run: an empty `phases` section, a phase with no
    content, an empty `commands` or `finally` list, an `install` phase with neither commands nor
    runtime-versions, and empty command items.

    ## Why is this bad?
    An empty phase or list is almost always a leftover or an indentation slip (the commands ended up
    somewhere else). CodeBuild either rejects it or runs nothing, and the build "succeeds" without
    building anything.

    ## Example
    ```yaml
    version: 0.2
    phases:
      build:
        commands:
      post_build:
        commands:
          - make package
    ```

    ## Fix
    Add the commands the phase should run, or delete the empty phase or list.
    """

    code = "CWB103"
    name = "buildspec-empty-commands"
    severity = Severity.WARNING
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("phases", "phases/*", "phases/*/commands", "phases/*/finally", "phases/*/commands/*", "phases/*/finally/*")
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  install:\n    runtime-versions:\n      java: corretto21\n  build:\n    commands:\n      - mvn package\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n  post_build:\n    commands:\n      - make package\n",
            4,
            5,
            "phases.build.commands is empty",
        ),
        Invalid("version: 0.2\nphases:\n  build:\n", 3, 3, "phases.build is empty"),
        Invalid("version: 0.2\nphases:\n", 2, 1, "phases is empty"),
        Invalid("version: 0.2\nphases:\n  build:\n    commands:\n      - make\n      -\n", 6, 8, "empty command"),
        Invalid(
            "version: 0.2\nphases:\n  install:\n    run-as: builder\n  build:\n    commands: [make]\n",
            3,
            3,
            "phases.install has nothing to run",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        depth = len(path)
        if depth == 1:
            if value is None or value == {}:
                ctx.report(path, "phases is empty: the build would run no commands; add a build phase", key=True)
            return
        phase = path[1]
        if phase not in PHASES or not isinstance(ctx.document.get(path[:2]), (dict, type(None))):
            return
        if depth == 2:
            if value is None:
                ctx.report(path, f"{where(path)} is empty: give it commands or delete it", key=True)
            elif (
                phase == "install"
                and isinstance(value, dict)
                and not value.keys() & {"commands", "runtime-versions", "finally"}
            ):
                ctx.report(path, f"{where(path)} has nothing to run: no commands and no runtime-versions", key=True)
        elif depth == 3:
            if value is None or value == []:
                ctx.report(path, f"{where(path)} is empty: list the commands to run, or delete {path[2]}", key=True)
        elif value is None or (isinstance(value, str) and not value.strip()):
            ctx.report(path, f"empty command at {where(path)}: remove the item or write the command", key=False)
