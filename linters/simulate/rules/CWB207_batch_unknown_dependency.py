from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

GRAPH = (
    "version: 0.2\nbatch:\n  build-graph:\n    - identifier: build1\n    - identifier: build2\n"
    "      depend-on:\n        - biuld1\nphases:\n  build:\n    commands: [make]\n"
)


class BatchUnknownDependency(SimRule):
    """
    ## What it does
    Reports a `depend-on` entry of a batch `build-graph` that names no task of the graph.

    ## Why is this bad?
    The dependency can never complete, so the task waiting for it never starts (or the batch is
    rejected), and its own dependents wait forever too.

    ## Example
    ```yaml
    batch:
      build-graph:
        - identifier: build1
        - identifier: build2
          depend-on: [biuld1]
    ```

    ## Fix
    Use the exact `identifier` of an existing task.
    """

    code = "CWB207"
    name = "batch-unknown-dependency"
    severity = Severity.ERROR
    kind = "buildspec"
    VALID = (SimValid(GRAPH.replace("biuld1", "build1")),)
    INVALID = (SimInvalid(GRAPH, 7, 11, 'did you mean "build1"'),)
