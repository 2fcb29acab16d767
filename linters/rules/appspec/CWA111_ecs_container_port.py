from typing import Any

from codeward.linters.document import Path
from codeward.linters.placeholders import placeholder, resolved_by_aws, unfilled
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import ECS, platform

from codeward.findings import Edit, Fix, Severity
from codeward.rule import Invalid, Valid


class AppSpecEcsContainerPort(DocumentRule):
    """
    ## What it does
    Reports an ECS `LoadBalancerInfo.ContainerPort` that is not a port number from 1 to 65535 (an error), or a
    port written as a quoted string (a warning). A placeholder (`<CONTAINER_PORT>`) is left for the step that
    fills it in: info.

    ## Why is this bad?
    CodeDeploy routes the load balancer's traffic to this container port; a value that is no port fails the
    deployment before any task is started. AWS's reference writes the port as a number. Quoted ports are
    common in AppSpecs that deploy (templates that quote every value), so the string form is only a
    warning: write the number to be sure.

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
                    f'ContainerPort is the string "{value}": AWS writes the port as a number, {int(text)}',
                    fix=Fix("write the port as a number", (Edit(span, str(int(text))),)),
                    severity=Severity.WARNING,
                )
            elif (token := placeholder(value, "ContainerPort")) is not None:
                ctx.report(path, f"ContainerPort: {unfilled(token)}", severity=Severity.INFO)
            elif not resolved_by_aws(value):
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
            "AWS writes the port as a number, 8080",
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
            "AWS writes the port as a number, 65535",
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
