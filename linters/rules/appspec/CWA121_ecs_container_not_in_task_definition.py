import json
import os
from typing import Any

from codeward.linters.document import Path
from codeward.linters.placeholders import placeholder
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import ECS, platform

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_APPSPEC = """version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: <TASK_DEFINITION>
        LoadBalancerInfo:
          ContainerName: ecs-service-container
          ContainerPort: 8000
"""
_TASKDEF = '{"family": "app", "containerDefinitions": [{"name": "TaskContainer", "image": "<IMAGE>"}]}'
_MAX_READ = 500_000


def _task_definitions(folder: str) -> list[tuple[str, list[Any]]]:
    """The JSON files of `folder` that are task definitions (a `containerDefinitions` list), with their lists."""
    found = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    for name in names:
        full = os.path.join(folder, name)
        if not name.lower().endswith(".json") or not os.path.isfile(full) or os.path.getsize(full) > _MAX_READ:
            continue
        try:
            with open(full, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            continue
        if isinstance(data, dict) and isinstance(data.get("taskDefinition"), dict):
            data = data["taskDefinition"]  # describe-task-definition output
        containers = data.get("containerDefinitions") if isinstance(data, dict) else None
        if isinstance(containers, list) and containers:
            found.append((name, containers))
    return found


class EcsContainerNotInTaskDefinition(DocumentRule):
    """
    ## What it does
    Reports an ECS AppSpec's `LoadBalancerInfo.ContainerName` that names no container of the task definition it
    is deployed with: the AppSpec's `TaskDefinition` is a placeholder that the deploy fills with the task
    definition registered from a file, the AppSpec's folder holds exactly one task definition JSON (a
    `containerDefinitions` list, as `taskdef.json` beside `appspec.yaml` for the CodeDeployToECS action), every
    container name there is literal, and none is the AppSpec's. Placeholder container names are not judged.

    ## Why is this bad?
    CodeDeploy routes the load balancer to the named container of the new task set; a container the task
    definition does not have fails the blue/green deployment ("The container ... does not exist in the task
    definition").

    ## Example
    ```yaml
    LoadBalancerInfo:
      ContainerName: ecs-service-container   # taskdef.json names its container TaskContainer
      ContainerPort: 8000
    ```

    ## Fix
    Write the container's name as the task definition has it.
    """

    code = "CWA121"
    name = "appspec-ecs-container-not-in-task-definition"
    severity = Severity.ERROR
    tags = ("correctness", "ecs")
    kinds = frozenset({"appspec"})
    paths = (
        "Resources/*/*/Properties/LoadBalancerInfo/ContainerName",
        "resources/*/*/Properties/LoadBalancerInfo/ContainerName",
    )
    VALID = (
        Valid(_APPSPEC.replace("ecs-service-container", "TaskContainer"), filename="appspec.yaml",
              files={"taskdef.json": _TASKDEF}),
        # The AppSpec names a task definition itself: the file beside it may be another service's.
        Valid(_APPSPEC.replace("<TASK_DEFINITION>", "arn:aws:ecs:us-east-1:123456789012:task-definition/app:3"),
              filename="appspec.yaml", files={"taskdef.json": _TASKDEF}),
        # Two task definitions: which one goes with the AppSpec is not known.
        Valid(_APPSPEC, filename="appspec.yaml", files={"taskdef.json": _TASKDEF, "taskdef-prod.json": _TASKDEF}),
        Valid(_APPSPEC, filename="appspec.yaml",
              files={"taskdef.json": _TASKDEF.replace("TaskContainer", "<CONTAINER_NAME>")}),
    )  # fmt: skip
    INVALID = (
        Invalid(
            _APPSPEC,
            8,
            26,
            'ContainerName "ecs-service-container" is no container of the task definition taskdef.json beside this '
            "AppSpec (it has TaskContainer)",
            filename="appspec.yaml",
            files={"taskdef.json": _TASKDEF},
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != ECS or not isinstance(value, str) or placeholder(value, "ContainerName") is not None:
            return
        properties = ctx.document.get(path[:-2])
        task = properties.get("TaskDefinition") if isinstance(properties, dict) else None
        if placeholder(task, "TaskDefinition") is None:
            return  # a task definition named in the AppSpec itself, or none
        found = _task_definitions(os.path.dirname(os.path.abspath(ctx.document.path)) or ".")
        if len(found) != 1:
            return
        name, containers = found[0]
        names = [c.get("name") for c in containers if isinstance(c, dict)]
        if len(names) != len(containers) or not all(isinstance(n, str) and n for n in names):
            return
        if any(placeholder(n, "name") is not None or "$" in n for n in names) or value in names:
            return
        ctx.report(
            path,
            f'ContainerName "{value}" is no container of the task definition {name} beside this AppSpec (it has '
            f"{', '.join(names)}): CodeDeploy cannot route the load balancer to it and the deployment fails",
            notes=(f"Write the container's name as {name} has it.",),
        )
