from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import where

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class PhaseWithoutCommands(DocumentRule):
    """
    ## What it does
    Reports a `pre_build`, `build` or `post_build` phase without a `commands` list, and a `finally`
    block in a phase that has no `commands`.

    ## Why is this bad?
    `commands` is required in every phase except `install`, so CodeBuild rejects the buildspec.
    `finally` is not a replacement: it runs after `commands`, as cleanup. A phase with `finally` alone is a
    warning: the reference requires `commands`, but CodeBuild runs such phases (companies publish every
    build this way), so only the intent is in doubt.

    ## Example
    ```yaml
    version: 0.2
    phases:
      build:
        finally:
          - docker logout
    ```

    ## Fix
    Add the phase's `commands`, turn the `finally` block into `commands`, or delete the phase.
    """

    code = "CWB102"
    name = "buildspec-phase-without-commands"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("phases/*",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  install:\n    runtime-versions:\n      python: 3.12\n  build:\n    commands: [make]\n"
        ),
        Valid("version: 0.2\nphases:\n  build:\n    commands: [make]\n    finally: [make clean]\n"),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    finally:\n      - docker logout\n",
            3,
            3,
            'phases.build has "finally" but no "commands"',
        ),
        Invalid(
            "version: 0.2\nphases:\n  post_build:\n    on-failure: CONTINUE\n",
            3,
            3,
            'phases.post_build has no "commands"',
        ),
        Invalid(
            "version: 0.2\nphases:\n  install:\n    finally:\n      - rm -rf /tmp/x\n  build:\n    commands: [make]\n",
            4,
            5,
            'phases.install has "finally" but no "commands"',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict) or "commands" in value:
            return
        name = path[-1]
        if name == "install":
            if "finally" in value:
                ctx.report(
                    (*path, "finally"),
                    f'{where(path)} has "finally" but no "commands": finally runs after the phase\'s commands, '
                    "as their cleanup; make these commands, or add the commands they clean up after",
                    key=True,
                )
            return
        if name not in ("pre_build", "build", "post_build"):
            return
        if "finally" in value:
            # The reference requires commands here, but builds with only finally run (published builds depend
            # on it): a warning, not an error.
            message = (
                f'{where(path)} has "finally" but no "commands": the reference requires commands in this phase and '
                "means finally as their cleanup; rename finally to commands if these are the phase's work"
            )
            ctx.report(path, message, key=True, severity=Severity.WARNING)
            return
        message = f'{where(path)} has no "commands": CodeBuild requires a commands list in {name}; add one or delete the phase'
        ctx.report(path, message, key=True)
