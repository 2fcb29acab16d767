from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

GRAPH = (
    "version: 0.2\nbatch:\n  build-graph:\n    - identifier: build1\n      depend-on: [build2]\n"
    "    - identifier: build2\n      depend-on: [build1]\nphases:\n  build:\n    commands: [make]\n"
)


class BatchGraphCycle(SimRule):
    """
    ## What it does
    Reports a cycle in a batch `build-graph`: tasks that (directly or through others) depend on each other.

    ## Why is this bad?
    A task waits until every task in its `depend-on` has completed, so none of the tasks on a cycle can
    ever start, nor can anything that depends on them.

    ## Example
    ```yaml
    batch:
      build-graph:
        - identifier: build1
          depend-on: [build2]
        - identifier: build2
          depend-on: [build1]
    ```

    ## Fix
    Remove one dependency of the loop so the graph runs in a definite order.
    """

    code = "CWB206"
    name = "batch-graph-cycle"
    severity = Severity.ERROR
    kind = "buildspec"
    VALID = (SimValid(GRAPH.replace("      depend-on: [build2]\n", "")),)
    INVALID = (SimInvalid(GRAPH, 5, 18, "build1 -> build2 -> build1"),)
