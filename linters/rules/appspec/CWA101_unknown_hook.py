from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import (
    ECS,
    ECS_HOOKS,
    LAMBDA,
    LAMBDA_HOOKS,
    PLATFORM_TITLES,
    RESERVED_EVENTS,
    SERVER_HOOKS,
    VALID_HOOKS,
    hooks,
    platform,
    with_article,
)
from codeward.linters.suggest import did_you_mean

from codeward.findings import Edit, Fix, Severity
from codeward.rule import Invalid, Valid

_OWNER = {LAMBDA: LAMBDA_HOOKS, ECS: ECS_HOOKS, "server": SERVER_HOOKS}


class AppSpecUnknownHook(DocumentRule):
    """
    ## What it does
    Reports a hook for a lifecycle event that does not exist on the AppSpec's compute platform: a
    misspelled event (with the closest valid name), or an event of another platform, such as
    `AfterAllowTestTraffic` (ECS only) in a Lambda AppSpec or `ApplicationStop` (EC2 only) in an ECS one.

    ## Why is this bad?
    CodeDeploy runs hooks only for the events of the platform. A misspelled event never runs, so the
    validation or start-up step it was written for is silently skipped; for Lambda and ECS the deployment
    is rejected. An EC2/On-Premises AppSpec may also name custom events, which the agent accepts (a local
    deployment runs them with `codedeploy-local --events`): a name that is no misspelling is reported as
    `info` only.

    ## Example
    ```yaml
    version: 0.0
    os: linux
    hooks:
      ApplicationStrat:
        - location: scripts/start.sh
    ```

    ## Fix
    Use one of the platform's events: EC2/On-Premises ApplicationStop, BeforeInstall, AfterInstall,
    ApplicationStart, ValidateService and the traffic events; Lambda BeforeAllowTraffic and
    AfterAllowTraffic; ECS BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic and
    AfterAllowTraffic.
    """

    code = "CWA101"
    name = "appspec-unknown-hook"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        kind = platform(ctx)
        if kind is None:
            return
        valid = VALID_HOOKS[kind]
        title = PLATFORM_TITLES[kind]
        allowed = ", ".join(valid)
        for hook in hooks(ctx):
            name = hook.name
            if name in valid or name in RESERVED_EVENTS:
                continue
            others = [PLATFORM_TITLES[k] for k, events in _OWNER.items() if k != kind and name in events]
            if others:
                ctx.report(
                    hook.path,
                    f'"{name}" is a lifecycle event of {" and ".join(others)} deployments, not of {title}; '
                    f"{with_article(title)} AppSpec can hook {allowed}",
                    key=True,
                )
                continue
            suggestion = did_you_mean(name, valid)
            if suggestion is None and kind == "server":
                # The agent runs whatever event it is asked for: a custom name is valid for local deployments
                # (codedeploy-local --events) and simply never runs in CodeDeploy's own.
                ctx.report(
                    hook.path,
                    f'custom lifecycle event "{name}": the agent accepts it, but CodeDeploy deployments never run '
                    "it (only a local deployment that names it does)",
                    key=True,
                    notes=(f"Events CodeDeploy runs: {allowed}.",),
                    severity=Severity.INFO,
                )
                continue
            message = f'unknown lifecycle event "{name}" for {with_article(title)} AppSpec'
            fix = None
            if suggestion:
                message += f'; did you mean "{suggestion}"?'
                fix = Fix(f'rename to "{suggestion}"', (Edit(ctx.document.span(hook.path, key=True), suggestion),))
            ctx.report(hook.path, message, key=True, fix=fix, notes=(f"Events that can be hooked: {allowed}.",))

    VALID = (
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n",
            files={"scripts/start.sh": "#!/bin/bash\nsystemctl start app\n"},
        ),
        Valid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 80\nHooks:\n  - AfterAllowTestTraffic: run-smoke-tests\n"
        ),
    )
    INVALID = (
        # A custom event: reported, as info only.
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  WarmCaches:\n    - location: scripts/warm.sh\n",
            4,
            3,
            'custom lifecycle event "WarmCaches"',
            files={"scripts/warm.sh": "#!/bin/bash\ncurl -s localhost/warm\n"},
        ),
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStrat:\n    - location: scripts/start.sh\n",
            4,
            3,
            'did you mean "ApplicationStart"',
            files={"scripts/start.sh": "#!/bin/bash\nsystemctl start app\n"},
            fixed="version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n",
        ),
        Invalid(
            "version: 0.0\nresources:\n  - fn:\n      type: AWS::Lambda::Function\n      properties:\n"
            "        name: orders\n        alias: live\n        currentversion: 1\n        targetversion: 2\n"
            "hooks:\n  - AfterAllowTestTraffic: check-orders\n",
            11,
            5,
            "is a lifecycle event of ECS deployments, not of Lambda",
        ),
        Invalid(
            "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties:\n"
            "        TaskDefinition: <TASK_DEFINITION>\n        LoadBalancerInfo:\n          ContainerName: web\n"
            "          ContainerPort: 80\nHooks:\n  - ApplicationStop: drain\n",
            11,
            5,
            "EC2/On-Premises",
        ),
    )
