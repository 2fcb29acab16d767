"""Time in a pipeline simulation: how long actions take, when they time out, and where several executions
are at each minute under the SUPERSEDED, QUEUED and PARALLEL execution modes.

Durations are whole minutes. The default duration of an action is a typical figure per provider, chosen by
codeward (AWS publishes none) and listed in docs/simulate.md; `--duration STAGE.ACTION=MINUTES` replaces
it. Timeouts are CodePipeline's documented per-provider action timeouts (cicd-spec §3.8); an action that
would run longer fails when its timeout runs out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

DAY = 24 * 60

# (category, provider) -> typical minutes. Category None: any category with that provider.
_DURATIONS: dict[tuple[str | None, str], int] = {
    ("Build", "CodeBuild"): 10,
    ("Test", "CodeBuild"): 10,
    ("Build", "ECRBuildAndPublish"): 10,
    ("Build", "Jenkins"): 10,
    ("Test", "Jenkins"): 10,
    ("Test", "DeviceFarm"): 30,
    ("Compute", "Commands"): 5,
    ("Deploy", "S3"): 1,
    ("Deploy", "CloudFormation"): 5,
    ("Deploy", "CloudFormationStackSet"): 20,
    ("Deploy", "CloudFormationStackInstances"): 20,
    ("Deploy", "CodeDeploy"): 15,
    ("Deploy", "CodeDeployToECS"): 20,
    ("Deploy", "ECS"): 10,
    ("Deploy", "ElasticBeanstalk"): 10,
    ("Deploy", "OpsWorks"): 10,
    ("Deploy", "ServiceCatalog"): 5,
    ("Deploy", "AppConfig"): 10,
    ("Deploy", "EKS"): 10,
    ("Deploy", "EC2"): 10,
    ("Deploy", "Lambda"): 5,
    ("Deploy", "AlexaSkillsKit"): 5,
    ("Invoke", "Lambda"): 1,
    ("Invoke", "StepFunctions"): 5,
    ("Approval", "Manual"): 60,
}
# Every source action (it records a revision and uploads an artifact), and anything not listed.
SOURCE_MINUTES = 1
OTHER_MINUTES = 5

# Documented default action timeouts in minutes (cicd-spec §3.8, CodePipeline quotas).
_TIMEOUTS: dict[str, int] = {
    "CloudFormation": 3 * DAY,
    "CloudFormationStackSet": 3 * DAY,
    "CloudFormationStackInstances": 3 * DAY,
    "CodeBuild": 8 * 60,
    "CodeDeploy": 5 * DAY,
    "CodeDeployToECS": 5 * DAY,
    "StepFunctions": 7 * DAY,
    "Commands": 55,
}
APPROVAL_TIMEOUT = 7 * DAY
OTHER_TIMEOUT = 60
CUSTOM_TIMEOUT = DAY


def default_minutes(category: str | None, provider: str | None) -> int:
    if category == "Source":
        return SOURCE_MINUTES
    return _DURATIONS.get((category, provider or ""), OTHER_MINUTES)


def timeout_minutes(category: str | None, owner: str | None, provider: str | None, declared: int | None) -> int:
    """How long CodePipeline lets the action run; `declared` is the action's timeoutInMinutes (approvals)."""
    if category == "Approval":
        return declared if declared else APPROVAL_TIMEOUT
    if owner == "Custom":
        return CUSTOM_TIMEOUT
    if category == "Invoke" and provider == "Lambda":
        return 20
    if category == "Deploy" and provider == "S3":
        return 40
    return _TIMEOUTS.get(provider or "", OTHER_TIMEOUT)


_MINUTES = re.compile(r"^\s*(\d+)\s*(m|min|h|d)?\s*$", re.I)


def parse_minutes(text: str) -> int:
    """`90`, `90m`, `2h`, `7d` -> minutes. Raises ValueError."""
    match = _MINUTES.match(text)
    if not match:
        raise ValueError(f"invalid duration {text!r} (whole minutes, or with a unit: 90, 90m, 2h, 7d)")
    factor = {"m": 1, "min": 1, "h": 60, "d": DAY}[(match.group(2) or "m").lower()]
    return int(match.group(1)) * factor


def clock(minutes: int) -> str:
    """Minutes since the first execution started: 95 -> "T+01:35", 1500 -> "T+1d 01:00"."""
    days, rest = divmod(minutes, DAY)
    hours, mins = divmod(rest, 60)
    return f"T+{days}d {hours:02d}:{mins:02d}" if days else f"T+{hours:02d}:{mins:02d}"


def span(minutes: int) -> str:
    """A length of time: 0 -> "0m", 90 -> "1h 30m", 10080 -> "7d"."""
    if minutes <= 0:
        return "0m"
    parts = []
    for unit, size in (("d", DAY), ("h", 60), ("m", 1)):
        if minutes >= size:
            parts.append(f"{minutes // size}{unit}")
            minutes %= size
    return " ".join(parts)


# --- several executions ---------------------------------------------------------------------------------


@dataclass
class Path:
    """The way one execution goes through the pipeline, as the single-execution simulation found it:
    the stages it enters with the minutes each keeps it (stage locked), then how it ends."""

    stages: list[tuple[str, int]]
    # "Succeeded" or "Failed": after the last stage entered; "Held": waits at the disabled inbound
    # transition of the stage `held_at`.
    end: str
    held_at: str | None = None


@dataclass
class Visit:
    stage: str
    enter: int
    leave: int
    # When the execution arrived in front of the stage (earlier than `enter` when it had to wait).
    arrived: int


@dataclass
class Execution:
    number: int
    start: int
    visits: list[Visit] = field(default_factory=list)
    # Succeeded, Failed, Superseded or Held (waiting at a disabled transition).
    status: str = ""
    at: int = 0
    # Superseded: by which execution, and where it was waiting. Held: the stage behind the transition.
    by: int | None = None
    waiting_for: str | None = None
    waiting_since: int | None = None


def schedule(path: Path, mode: str, count: int, interval: int) -> list[Execution]:
    """Executions 1..count started `interval` minutes apart, all taking `path`.

    SUPERSEDED: a stage holds one execution at a time (it is locked while an execution runs in it, also while
    an approval waits); an execution that finds the next stage locked waits in front of it, and a newer
    execution arriving there supersedes the waiting one (executions are superseded only between stages).
    QUEUED: the same locks, but waiting executions enter one by one in the order they arrived. PARALLEL: no
    locks; every execution runs on its own. A disabled transition holds executions in front of its stage;
    in SUPERSEDED mode the newest held execution supersedes the older ones there too.
    """
    executions = [Execution(n, (n - 1) * interval) for n in range(1, count + 1)]
    names = [name for name, _ in path.stages]
    minutes = [m for _, m in path.stages]
    locked = mode != "PARALLEL"
    occupant: list[Execution | None] = [None] * len(names)
    # Stage index (len(names) = the held transition) -> executions waiting in front of it, with arrival time.
    waiting: dict[int, list[tuple[Execution, int]]] = {}
    inside: dict[int, tuple[int, int]] = {}  # execution number -> (stage index, leaves at)
    not_started = list(executions)

    def arrive(execution: Execution, index: int, when: int) -> None:
        if index < len(names):
            waiting.setdefault(index, []).append((execution, when))
        elif path.end == "Held":
            waiting.setdefault(index, []).append((execution, when))
            execution.status, execution.at = "Held", when
            execution.waiting_for, execution.waiting_since = path.held_at, when
        else:
            execution.status, execution.at = path.end, when

    while not_started or inside:
        now = min([e.start for e in not_started] + [leave for _, leave in inside.values()])
        for execution in sorted(executions, key=lambda e: e.number):
            if execution.number in inside and inside[execution.number][1] == now:
                index, _ = inside.pop(execution.number)
                if occupant[index] is execution:
                    occupant[index] = None
                arrive(execution, index + 1, now)
        while not_started and not_started[0].start == now:
            arrive(not_started.pop(0), 0, now)
        if mode == "SUPERSEDED":
            for index, queue in waiting.items():
                if len(queue) > 1:
                    newest = max(queue, key=lambda item: item[0].number)
                    for execution, since in queue:
                        if execution is not newest[0]:
                            execution.status, execution.at, execution.by = "Superseded", now, newest[0].number
                            execution.waiting_for = names[index] if index < len(names) else path.held_at
                            execution.waiting_since = since
                    waiting[index] = [newest]
        for index in range(len(names)):
            queue = waiting.get(index, [])
            while queue and (not locked or occupant[index] is None):
                queue.sort(key=lambda item: (item[1], item[0].number))
                execution, since = queue.pop(0)
                execution.visits.append(Visit(names[index], now, now + minutes[index], since))
                inside[execution.number] = (index, now + minutes[index])
                if locked:
                    occupant[index] = execution
    return executions
