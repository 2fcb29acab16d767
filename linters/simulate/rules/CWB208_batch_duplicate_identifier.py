from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

LIST = "version: 0.2\nbatch:\n  build-list:\n    - identifier: linux\n    - identifier: linux\nphases:\n  build:\n    commands: [make]\n"


class BatchDuplicateIdentifier(SimRule):
    """
    ## What it does
    Reports two batch tasks (build-list or build-graph) with the same `identifier`.

    ## Why is this bad?
    Identifiers name the builds of a batch (`CODEBUILD_BATCH_BUILD_IDENTIFIER`) and the targets of
    `depend-on`; a repeated one makes dependencies and results ambiguous.

    ## Example
    ```yaml
    batch:
      build-list:
        - identifier: linux
        - identifier: linux
    ```

    ## Fix
    Give every task its own identifier.
    """

    code = "CWB208"
    name = "batch-duplicate-identifier"
    severity = Severity.ERROR
    kind = "buildspec"
    VALID = (SimValid(LIST.replace("identifier: linux\nphases", "identifier: arm\nphases")),)
    INVALID = (SimInvalid(LIST, 5, 19, "used twice"),)
