from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import ECS, platform

from codeward.findings import Edit, Fix, Severity
from codeward.rule import Invalid, Valid


class AppSpecEcsContainerPort(DocumentRule):
    """
    ## What it does
    Reports an ECS `LoadBalancerInfo.ContainerPort` that is not a number from 1 to 65535, most often a
    port written as a quoted string.

    ## Why is this bad?
    ContainerPort is the one numeric value of an ECS AppSpec; CodeDeploy rejects the string "8080" and
    the deployment fails before any task is started. Templates that quote every value produce this
    easily.

    ## Example
    ```yaml
    LoadBalancerInfo:
      ContainerName: web
      ContainerPort: "8080"
    ```

    ## Fix
    Write the port as a number: `ContainerPort: 8080`.
    """

    code = "CWA111"
    name = "appspec-ecs-container-port"
    severity = Severity.ERROR
    tags = ("correctness", "ecs")
    kinds = frozenset({"appspec"})
    paths = (
        "Resources/*/*/Properties/LoadBalancerInfo/ContainerPort",
        "resources/*/*/Properties/LoadBalancerInfo/ContainerPort",
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if platform(ctx) != ECS or isinstance(value, bool):
            return
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit() and 1 <= int(text) <= 65535:
                span = ctx.document.span(path)
                ctx.report(
                    path,
                    f'ContainerPort must be a number, not the string "{value}"; write {int(text)} without quotes',
                    fix=Fix("write the port as a number", (Edit(span, str(int(text))),)),
                )
            else:
                ctx.report(path, f'ContainerPort must be a port number from 1 to 65535, not "{value}"')
        elif isinstance(value, int) and not 1 <= value <= 65535:
            ctx.report(path, f"ContainerPort must be a port number from 1 to 65535, not {value}")

    VALID = (
        Valid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 8080\n"
        ),
        # The bounds themselves are ports.
        Valid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 65535\n"
        ),
        Valid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 1\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            '          ContainerPort: "8080"\n',
            9,
            26,
            "write 8080 without quotes",
            fixed="version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 8080\n",
        ),
        Invalid(
            '{"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {\n'
            '  "TaskDefinition": "<TASK_DEFINITION>",\n'
            '  "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": 80800}}}}]}\n',
            3,
            65,
            "from 1 to 65535, not 80800",
            filename="appspec.json",
        ),
        # Just past each bound, as a number and as a string (a quoted port in range is the fixable case).
        Invalid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 65536\n",
            9,
            26,
            "from 1 to 65535, not 65536",
        ),
        Invalid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 0\n",
            9,
            26,
            "from 1 to 65535, not 0",
        ),
        Invalid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            '          ContainerPort: "65535"\n',
            9,
            26,
            "write 65535 without quotes",
        ),
        Invalid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            '          ContainerPort: "65536"\n',
            9,
            26,
            'from 1 to 65535, not "65536"',
        ),
    )
