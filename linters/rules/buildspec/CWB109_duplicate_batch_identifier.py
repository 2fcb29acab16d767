from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class DuplicateBatchIdentifier(DocumentRule):
    """
    ## What it does
    Reports two tasks of a `batch.build-list` or `batch.build-graph` with the same `identifier`.

    ## Why is this bad?
    The identifier names the build inside the batch (CODEBUILD_BATCH_BUILD_IDENTIFIER) and is what
    `depend-on` refers to; CodeBuild rejects a batch whose identifiers repeat, and a dependency on a
    repeated identifier is ambiguous.

    ## Example
    ```yaml
    batch:
      build-list:
        - identifier: linux
        - identifier: linux
          env:
            type: ARM_CONTAINER
    ```

    ## Fix
    Give every task its own identifier (`linux_x86`, `linux_arm`).
    """

    code = "CWB109"
    name = "buildspec-duplicate-batch-identifier"
    severity = Severity.ERROR
    tags = ("correctness", "batch")
    kinds = frozenset({"buildspec"})
    paths = ("batch/build-list", "batch/build-graph")
    VALID = (
        Valid(
            "version: 0.2\nbatch:\n  build-list:\n    - identifier: linux_x86\n    - identifier: linux_arm\nphases:\n"
            "  build:\n    commands: [make]\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nbatch:\n  build-list:\n    - identifier: linux\n    - identifier: linux\n      env:\n"
            "        type: ARM_CONTAINER\nphases:\n  build:\n    commands: [make]\n",
            5,
            19,
            'duplicate batch identifier "linux" (first used on line 4)',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, list):
            return
        first: dict[str, int] = {}
        for index, task in enumerate(value):
            if not isinstance(task, dict) or not isinstance(task.get("identifier"), str):
                continue
            ident = task["identifier"]
            at = (*path, index, "identifier")
            if ident in first:
                line = ctx.document.span((*path, first[ident], "identifier")).line
                ctx.report(
                    at,
                    f'duplicate batch identifier "{ident}" (first used on line {line}): every task of '
                    f"{path[-1]} needs its own identifier",
                )
            else:
                first[ident] = index
