from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class BatchGraphDependency(DocumentRule):
    """
    ## What it does
    Checks the `depend-on` lists of a `batch.build-graph`: every entry must be the identifier of another
    task of the graph, and the dependencies must not form a cycle (a task depending on itself included).

    ## Why is this bad?
    A task starts only after all the tasks it depends on have completed. A dependency on an unknown
    identifier or a cycle means some tasks can never start, and CodeBuild rejects or stalls the batch.

    ## Example
    ```yaml
    batch:
      build-graph:
        - identifier: build
          depend-on: [test]
        - identifier: test
          depend-on: [build]
    ```

    ## Fix
    Fix the misspelled identifier, or remove the dependency that closes the cycle.
    """

    code = "CWB108"
    name = "buildspec-batch-graph-dependency"
    severity = Severity.ERROR
    tags = ("correctness", "batch")
    kinds = frozenset({"buildspec"})
    paths = ("batch/build-graph",)
    VALID = (
        Valid(
            "version: 0.2\nbatch:\n  build-graph:\n    - identifier: build\n    - identifier: test\n      depend-on: [build]\n"
            "    - identifier: deploy\n      depend-on:\n        - build\n        - test\nphases:\n  build:\n    commands: [make]\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nbatch:\n  build-graph:\n    - identifier: build_linux\n    - identifier: test\n"
            "      depend-on:\n        - build_linx\nphases:\n  build:\n    commands: [make]\n",
            7,
            11,
            'depends on "build_linx", which is not a task of the build-graph; did you mean "build_linux"?',
        ),
        Invalid(
            "version: 0.2\nbatch:\n  build-graph:\n    - identifier: a\n      depend-on: [b]\n    - identifier: b\n"
            "      depend-on: [a]\nphases:\n  build:\n    commands: [make]\n",
            7,
            19,
            "dependency cycle: a -> b -> a",
        ),
        Invalid(
            "version: 0.2\nbatch:\n  build-graph:\n    - identifier: a\n      depend-on: [a]\nphases:\n  build:\n    commands: [make]\n",
            5,
            19,
            'task "a" depends on itself',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, list):
            return
        ids: list[str] = []
        edges: dict[str, list[tuple[str, Path]]] = {}
        for task in value:
            if isinstance(task, dict) and isinstance(task.get("identifier"), str):
                ids.append(task["identifier"])
        known = set(ids)
        for index, task in enumerate(value):
            if not isinstance(task, dict) or not isinstance(task.get("identifier"), str):
                continue
            me = task["identifier"]
            deps = task.get("depend-on")
            if not isinstance(deps, list):
                continue
            for position, dep in enumerate(deps):
                if not isinstance(dep, str):
                    continue
                at = (*path, index, "depend-on", position)
                if dep == me:
                    ctx.report(at, f'task "{me}" depends on itself, so it can never start; remove "{dep}"')
                elif dep not in known:
                    hint = did_you_mean(dep, [i for i in ids if i != me])
                    ctx.report(
                        at,
                        f'task "{me}" depends on "{dep}", which is not a task of the build-graph'
                        + (f'; did you mean "{hint}"?' if hint else f"; known tasks: {', '.join(ids) or 'none'}"),
                    )
                else:
                    edges.setdefault(me, []).append((dep, at))
        self._cycles(ctx, edges)

    @staticmethod
    def _cycles(ctx: Context, edges: dict[str, list[tuple[str, Path]]]) -> None:
        state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
        for start in edges:
            if state.get(start):
                continue
            # Iterative DFS; the stack holds (node, next edge index) and `trail` the walk from start.
            stack: list[tuple[str, int]] = [(start, 0)]
            trail: list[str] = [start]
            state[start] = 1
            while stack:
                node, i = stack[-1]
                out = edges.get(node, [])
                if i >= len(out):
                    stack.pop()
                    trail.pop()
                    state[node] = 2
                    continue
                stack[-1] = (node, i + 1)
                dep, at = out[i]
                if state.get(dep) == 1:
                    cycle = [*trail[trail.index(dep) :], dep]
                    ctx.report(
                        at,
                        f"the build-graph has a dependency cycle: {' -> '.join(cycle)}; these tasks can never start",
                        notes=("Remove one of the depend-on entries of the cycle.",),
                    )
                elif not state.get(dep):
                    state[dep] = 1
                    stack.append((dep, 0))
                    trail.append(dep)
