"""Deployment simulation: what CodeDeploy does with an AppSpec.

EC2/On-Premises: the lifecycle events in CodeDeploy's order for the deployment type, batch by batch
over a fleet sized by `--instances`, with the minimum-healthy-hosts arithmetic of the deployment
configuration (a percentage is rounded up to a host count; as many instances as possible are taken
out of service without dropping below the minimum; the deployment succeeds when at least the minimum,
and at least one, instance succeeded), failures (`--fail EVENT[@N]`) and what a rollback does.
Lambda and ECS: the traffic-shifting schedule of the configuration with the hooks around it.
Hook scripts of an EC2 revision are checked on disk; `--execute` runs them locally in order.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from codeward.linters.document import Path
from codeward.linters.simulate.common import Sim, SimulationError, Trace, duration, suggest

EC2_INPLACE = (
    "ApplicationStop",
    "DownloadBundle",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
)
BLOCK = ("BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic")
ALLOW = ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
RESERVED = frozenset({"DownloadBundle", "Install", "BlockTraffic", "AllowTraffic", "AllowTestTraffic", "TestTraffic"})
# Hooks whose scripts come from the revision that last succeeded on the instance, not this one.
PREVIOUS_REVISION = frozenset({"ApplicationStop", "BeforeBlockTraffic", "AfterBlockTraffic"})
LAMBDA_EVENTS = ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
ECS_EVENTS = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)
DEFAULT_SCRIPT_TIMEOUT = 3600
# A Lambda/ECS hook function must report its status within an hour.
HOOK_FUNCTION_LIMIT = 3600

EC2_CONFIGS = {
    "CodeDeployDefault.AllAtOnce": ("HOST_COUNT", 0),
    "CodeDeployDefault.HalfAtATime": ("FLEET_PERCENT", 50),
    "CodeDeployDefault.OneAtATime": ("ONE_AT_A_TIME", 0),
}
_LAMBDA = {
    "LambdaCanary10Percent5Minutes": ("canary", 10, 5),
    "LambdaCanary10Percent10Minutes": ("canary", 10, 10),
    "LambdaCanary10Percent15Minutes": ("canary", 10, 15),
    "LambdaCanary10Percent30Minutes": ("canary", 10, 30),
    "LambdaLinear10PercentEvery1Minute": ("linear", 10, 1),
    "LambdaLinear10PercentEvery2Minutes": ("linear", 10, 2),
    "LambdaLinear10PercentEvery3Minutes": ("linear", 10, 3),
    "LambdaLinear10PercentEvery10Minutes": ("linear", 10, 10),
    "LambdaAllAtOnce": ("all", 100, 0),
}
_ECS = {
    "ECSLinear10PercentEvery1Minutes": ("linear", 10, 1),
    "ECSLinear10PercentEvery3Minutes": ("linear", 10, 3),
    "ECSCanary10Percent5Minutes": ("canary", 10, 5),
    "ECSCanary10Percent15Minutes": ("canary", 10, 15),
    "ECSAllAtOnce": ("all", 100, 0),
}
TRAFFIC_CONFIGS = {
    "lambda": {f"CodeDeployDefault.{k}": v for k, v in _LAMBDA.items()},
    "ecs": {f"CodeDeployDefault.{k}": v for k, v in _ECS.items()},
}
DEFAULT_CONFIG = {
    "ec2": "CodeDeployDefault.OneAtATime",
    "lambda": "CodeDeployDefault.LambdaAllAtOnce",
    "ecs": "CodeDeployDefault.ECSAllAtOnce",
}


def ci_get(data: Any, key: str) -> tuple[str | None, Any]:
    """A key looked up case-insensitively (AppSpecs are written both `resources` and `Resources`)."""
    if not isinstance(data, dict):
        return None, None
    for actual, value in data.items():
        if isinstance(actual, str) and actual.lower() == key.lower():
            return actual, value
    return None, None


def infer_platform(data: Any) -> str:
    if not isinstance(data, dict):
        return "ec2"
    _, resources = ci_get(data, "resources")
    if isinstance(resources, list):
        for item in resources:
            if isinstance(item, dict):
                for body in item.values():
                    _, kind = ci_get(body, "type")
                    if isinstance(kind, str) and "lambda" in kind.lower():
                        return "lambda"
                    if isinstance(kind, str) and "ecs" in kind.lower():
                        return "ecs"
    return "ec2"


@dataclass
class Script:
    location: str
    timeout: int
    runas: str | None
    path: Path


@dataclass
class EC2Config:
    name: str
    # "HOST_COUNT", "FLEET_PERCENT" or "ONE_AT_A_TIME"
    kind: str
    value: int

    def minimum(self, fleet: int) -> int:
        if self.kind == "ONE_AT_A_TIME":
            return max(fleet - 1, 0)
        if self.kind == "FLEET_PERCENT":
            return math.ceil(fleet * self.value / 100)
        return self.value

    def describe(self, fleet: int) -> str:
        minimum = self.minimum(fleet)
        if self.kind == "ONE_AT_A_TIME":
            return f"all but one instance healthy ({minimum} of {fleet})"
        if self.kind == "FLEET_PERCENT":
            return f"{self.value}% of {fleet} = {fleet * self.value / 100:g}, rounded up to {minimum} healthy"
        return f"{minimum} healthy"


@dataclass
class TrafficConfig:
    name: str
    # "canary", "linear" or "all"
    kind: str
    percent: int
    minutes: int

    def schedule(self) -> list[tuple[int, int]]:
        """(minute, percent on the new version) steps."""
        if self.kind == "all":
            return [(0, 100)]
        if self.kind == "canary":
            return [(0, self.percent), (self.minutes, 100)]
        steps = []
        share, minute = self.percent, 0
        while True:
            steps.append((minute, min(share, 100)))
            if share >= 100:
                return steps
            share += self.percent
            minute += self.minutes


def parse_config(text: str | None, platform: str) -> EC2Config | TrafficConfig | str:
    """The configuration, or why it is not one (for a CWA202 finding)."""
    name = text or DEFAULT_CONFIG[platform]
    stripped = name.strip()
    if platform == "ec2":
        if stripped in EC2_CONFIGS:
            kind, value = EC2_CONFIGS[stripped]
            return EC2Config(stripped, kind, value)
        custom = stripped.replace("=", ":")
        upper = custom.upper()
        try:
            if upper.endswith("%"):
                return EC2Config(f"minimum healthy hosts {custom}", "FLEET_PERCENT", _percent(custom[:-1]))
            if upper.startswith("FLEET_PERCENT:"):
                return EC2Config(f"minimum healthy hosts {custom[14:]}%", "FLEET_PERCENT", _percent(custom[14:]))
            if upper.startswith("HOST_COUNT:"):
                return EC2Config(f"minimum healthy hosts {custom[11:]}", "HOST_COUNT", _count(custom[11:]))
            if custom.isdigit():
                return EC2Config(f"minimum healthy hosts {custom}", "HOST_COUNT", _count(custom))
        except ValueError as exc:
            return str(exc)
        other = [p for p, table in TRAFFIC_CONFIGS.items() if stripped in table]
        if other:
            return f"{stripped} is a {other[0].upper() if other[0] == 'ecs' else 'Lambda'} configuration, not EC2"
        return f"unknown EC2 deployment configuration {stripped!r}{suggest(stripped, list(EC2_CONFIGS))}"
    table = TRAFFIC_CONFIGS[platform]
    if stripped in table:
        kind, percent, minutes = table[stripped]
        return TrafficConfig(stripped, kind, percent, minutes)
    parts = stripped.replace("=", ":").split(":")
    head = parts[0].lower()
    aliases = {"canary": "canary", "timebasedcanary": "canary", "linear": "linear", "timebasedlinear": "linear"}
    if head in ("all-at-once", "allatonce") and len(parts) == 1:
        return TrafficConfig(stripped, "all", 100, 0)
    if head in aliases and len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        percent, minutes = int(parts[1]), int(parts[2])
        if not 1 <= percent <= 99 or minutes < 1:
            return f"{stripped}: the percentage must be 1-99 and the interval at least 1 minute"
        return TrafficConfig(stripped, aliases[head], percent, minutes)
    if stripped in EC2_CONFIGS or any(stripped in t for p, t in TRAFFIC_CONFIGS.items() if p != platform):
        return f"{stripped} is not a {'Lambda' if platform == 'lambda' else 'ECS'} configuration"
    return (
        f"unknown {'Lambda' if platform == 'lambda' else 'ECS'} deployment configuration {stripped!r}"
        f"{suggest(stripped, list(table))} (custom: canary:PERCENT:MINUTES, linear:PERCENT:MINUTES, all-at-once)"
    )


def _percent(text: str) -> int:
    if not text.strip().isdigit() or not 0 <= int(text) <= 100:
        raise ValueError(f"minimum healthy hosts {text}%: expected a whole percentage 0-100")
    return int(text)


def _count(text: str) -> int:
    if not text.strip().isdigit():
        raise ValueError(f"minimum healthy hosts {text!r}: expected a whole number of hosts")
    return int(text)


@dataclass
class Failure:
    event: str
    instance: int | None  # 1-based; None = every instance
    # Why, when the file itself makes the event fail (ScriptMissing), rather than a --fail what-if.
    cause: str = ""


def parse_failures(values: list[str], events: list[str], fleet: int) -> list[Failure]:
    out = []
    for raw in values:
        event_text, _, where = raw.partition("@")
        match = next((e for e in events if e.lower() == event_text.strip().lower()), None)
        if match is None:
            raise SimulationError(
                f"--fail {raw}: {event_text!r} is not a lifecycle event of this deployment{suggest(event_text, events)} "
                f"(events: {', '.join(events)})"
            )
        instance = None
        if where:
            digits = where.strip().lower().removeprefix("i-")
            if not digits.isdigit() or not 1 <= int(digits) <= fleet:
                raise SimulationError(f"--fail {raw}: instance must be 1..{fleet} (or i-1..i-{fleet})")
            instance = int(digits)
        out.append(Failure(match, instance))
    return out


class Deployment:
    def __init__(self, document: Any, trace: Trace, args: Any) -> None:
        self.sim = Sim(document, trace)
        self.trace = trace
        self.args = args
        self.data = document.data
        self.say = trace.say

    # ---------------------------------------------------------------------------------------- EC2

    def hooks(self) -> dict[str, list[Script]] | None:
        from codeward.linters.simulate.rules.CWA200_deployment_not_simulable import DeploymentNotSimulable

        key, hooks = ci_get(self.data, "hooks")
        out: dict[str, list[Script]] = {}
        if hooks is None:
            return out
        if not isinstance(hooks, dict):
            self.sim.report(
                DeploymentNotSimulable, (key,), "EC2/On-Premises hooks must be a mapping of event to scripts"
            )
            return None
        for event, scripts in hooks.items():
            if scripts is None:
                continue
            if not isinstance(scripts, list):
                self.sim.report(DeploymentNotSimulable, (key, event), f"hook {event} must be a list of scripts")
                return None
            for i, item in enumerate(scripts):
                path = (key, event, i)
                loc_key, location = ci_get(item, "location")
                if not isinstance(location, str) or not location.strip():
                    self.sim.report(DeploymentNotSimulable, path, f"a {event} script needs a `location`")
                    return None
                _, timeout = ci_get(item, "timeout")
                seconds = DEFAULT_SCRIPT_TIMEOUT
                if timeout is not None:
                    text = self.sim.text((*path, "timeout"), timeout)
                    if not text.isdigit() or int(text) <= 0:
                        self.sim.report(
                            DeploymentNotSimulable,
                            (*path, "timeout"),
                            f"timeout {text!r} must be a positive number of seconds",
                        )
                        return None
                    seconds = int(text)
                _, runas = ci_get(item, "runas")
                out.setdefault(str(event), []).append(
                    Script(
                        location.strip(),
                        seconds,
                        self.sim.text((*path, "runas"), runas) if runas else None,
                        (*path, loc_key),
                    )
                )
        return out

    def check_revision(self, hooks: dict[str, list[Script]], revision: str, os_name: str) -> bool:
        from codeward.linters.simulate.rules.CWA203_revision_dir_missing import RevisionDirMissing
        from codeward.linters.simulate.rules.CWA204_hook_script_missing import HookScriptMissing
        from codeward.linters.simulate.rules.CWA205_hook_script_not_executable import HookScriptNotExecutable
        from codeward.linters.simulate.rules.CWA206_hook_script_no_interpreter import HookScriptNoInterpreter
        from codeward.linters.simulate.rules.CWA207_file_source_missing import FileSourceMissing

        if not os.path.isdir(revision):
            self.sim.report(
                RevisionDirMissing,
                (),
                f"revision directory {revision!r} does not exist: hook scripts and files cannot be checked",
                notes=("Pass --revision-dir DIR: the unpacked bundle whose root holds appspec.yml.",),
            )
            return False
        for event, scripts in hooks.items():
            for script in scripts:
                full = os.path.join(revision, *script.location.lstrip("/\\").replace("\\", "/").split("/"))
                if not os.path.isfile(full):
                    self.sim.report(
                        HookScriptMissing,
                        script.path,
                        f"{event} script {script.location!r} is not in the revision ({revision}): the event fails with ScriptMissing",
                    )
                    continue
                if os_name == "windows":
                    continue
                if not os.access(full, os.X_OK):
                    self.sim.report(
                        HookScriptNotExecutable,
                        script.path,
                        f"{event} script {script.location!r} is not executable (mode {oct(os.stat(full).st_mode & 0o777)})",
                        notes=(f"git update-index --chmod=+x {script.location}, or chmod +x before bundling.",),
                    )
                try:
                    with open(full, "rb") as handle:
                        head = handle.read(2)
                except OSError:
                    head = b""
                if head != b"#!":
                    self.sim.report(
                        HookScriptNoInterpreter,
                        script.path,
                        f"{event} script {script.location!r} has no interpreter line (#!): the agent runs it with /bin/sh",
                    )
        key, files = ci_get(self.data, "files")
        if isinstance(files, list):
            for i, item in enumerate(files):
                src_key, source = ci_get(item, "source")
                if not isinstance(source, str):
                    continue
                relative = source.strip().lstrip("/\\")
                if relative and not os.path.exists(os.path.join(revision, *relative.replace("\\", "/").split("/"))):
                    self.sim.report(
                        FileSourceMissing,
                        (key, i, src_key),
                        f"files source {source!r} is not in the revision ({revision}): the Install event fails",
                    )
        return True

    def ec2(self) -> None:
        from codeward.linters.simulate.rules.CWA201_minimum_healthy_hosts_unreachable import (
            MinimumHealthyHostsUnreachable,
        )
        from codeward.linters.simulate.rules.CWA202_unknown_deployment_config import UnknownDeploymentConfig

        args = self.args
        hooks = self.hooks()
        if hooks is None:
            return
        _, os_value = ci_get(self.data, "os")
        os_name = str(os_value or "linux").lower()
        revision = args.revision_dir or os.path.dirname(self.trace.path) or "."
        if args.revision_dir or args.execute:
            self.check_revision(hooks, revision, os_name)
        config = parse_config(args.deployment_config, "ec2")
        if isinstance(config, str):
            self.sim.report(UnknownDeploymentConfig, (), f"--config: {config}")
            return
        assert isinstance(config, EC2Config)
        fleet = 3 if args.instances is None else args.instances
        if fleet < 1:
            raise SimulationError("--instances must be at least 1")
        blue_green = args.deployment_type == "blue-green"
        lb = args.load_balancer or blue_green
        if args.execute:
            from codeward.linters.simulate.deploy_exec import execute_hooks

            execute_hooks(self, hooks, revision, os_name, lb)
            return
        events = self.ec2_events(lb, blue_green)
        failures = parse_failures(args.fail, events, fleet) + self.missing_scripts(hooks, events)
        minimum = config.minimum(fleet)
        kind = "blue/green" if blue_green else "in-place"
        self.say(f"Deployment simulation of {self.trace.path} (dry run)")
        self.say(f"  platform: EC2/On-Premises ({os_name}), {kind}, {fleet} instance{'s' if fleet != 1 else ''}")
        self.say(
            f"  load balancer: {'yes' if lb else 'no'}"
            + (" (blue/green always reroutes through one)" if blue_green and not args.load_balancer else "")
        )
        self.say(f"  configuration: {config.name}: minimum {config.describe(fleet)}")
        data: dict[str, Any] = {
            "mode": "dry-run",
            "platform": "ec2",
            "os": os_name,
            "deployment_type": kind,
            "instances": fleet,
            "load_balancer": lb,
            "config": config.name,
            "minimum_healthy": minimum,
        }
        self.trace.data.update(data)
        if minimum >= fleet and not (config.kind == "ONE_AT_A_TIME" or (minimum == 0 and fleet == 0)):
            self.sim.report(
                MinimumHealthyHostsUnreachable,
                (),
                f"{config.name} needs {minimum} healthy instance{'s' if minimum != 1 else ''} of {fleet}: CodeDeploy "
                "cannot take any instance out of service, so the deployment fails at once (HEALTH_CONSTRAINTS_INVALID)",
                notes=("Lower the minimum, or add instances to the deployment group (--instances).",),
            )
            self.say("\nDeployment fails immediately: the minimum healthy hosts is not below the fleet size.")
            self.trace.data["result"] = "FAILED"
            return
        batch = fleet - minimum
        self.say(f"  at most {batch} instance{'s' if batch != 1 else ''} out of service at a time")
        self.describe_hooks(hooks, events)
        per_instance = self.worst_case(hooks, events)
        self.trace.data["worst_case_seconds_per_instance"] = per_instance
        if blue_green:
            self.blue_green(hooks, config, fleet, failures)
        else:
            self.in_place(hooks, events, config, fleet, failures, per_instance)

    def missing_scripts(self, hooks: dict[str, list[Script]], events: list[str]) -> list[Failure]:
        """The events that fail on every instance because a script is not in the revision (ScriptMissing):
        the scripts lint's CWA104 reports (its model of the revision: the AppSpec's directory, or the
        artifact a buildspec packs it into), or, with --revision-dir, those CWA204 finds missing there.
        ApplicationStop and the BlockTraffic events run the revision that last succeeded on the instance,
        so a script missing from this one does not fail them in this deployment."""
        own = bool(self.args.revision_dir or self.args.execute)
        missing = {f.span.line: f for f in self.trace.lint_errors if f.code == "CWA104" and not own}
        silenced = self.trace.silenced or (lambda finding: False)
        missing.update({f.span.line: f for f in self.trace.findings if f.code == "CWA204" and not silenced(f)})
        out: list[Failure] = []
        for event in events:
            if event in PREVIOUS_REVISION:
                continue
            for script in hooks.get(event, []):
                finding = missing.get(self.sim.document.span(script.path).line)
                if finding is not None:
                    out.append(Failure(event, None, f"ScriptMissing: {script.location} is not in the revision"))
                    if finding.code == "CWA104":
                        self.trace.rejected_line = self.trace.rejected_line or finding.span.line
                        self.trace.rejected = (
                            f"the deployment fails at {event}: ScriptMissing: {script.location} "
                            f"(CWA104 line {finding.span.line}, reported by codeward lint)"
                        )
                    break
        return out

    def ec2_events(self, lb: bool, blue_green: bool) -> list[str]:
        if blue_green:
            return [*EC2_INPLACE, *ALLOW, *BLOCK]
        return [*BLOCK, *EC2_INPLACE, *ALLOW] if lb else list(EC2_INPLACE)

    def describe_hooks(self, hooks: dict[str, list[Script]], events: list[str]) -> None:
        self.say("\nLifecycle events per instance: " + " -> ".join(events))
        self.say("Hooks:")
        listed = []
        for event in events:
            for script in hooks.get(event, []):
                origin = (
                    "  [scripts of the revision that last succeeded on the instance]"
                    if event in PREVIOUS_REVISION
                    else ""
                )
                self.say(
                    f"  {event}: {script.location} (timeout {duration(script.timeout)}, runas {script.runas or 'root'}){origin}"
                )
                listed.append(
                    {"event": event, "location": script.location, "timeout": script.timeout, "runas": script.runas}
                )
        ignored = [e for e in hooks if e not in events]
        for event in ignored:
            why = (
                "needs a load balancer (--load-balancer)"
                if event in (*BLOCK, *ALLOW)
                else "is not an EC2 lifecycle event"
            )
            self.say(f"  {event}: never runs here: {why}")
        if not listed:
            self.say("  (none)")
        if self.args.first_deployment:
            self.say("  first deployment: ApplicationStop does not run (no earlier revision on the instances)")
        self.trace.data["hooks"] = listed

    def worst_case(self, hooks: dict[str, list[Script]], events: list[str]) -> int:
        total = 0
        for event in events:
            if event == "ApplicationStop" and self.args.first_deployment:
                continue
            total += (
                min(sum(s.timeout for s in hooks.get(event, [])), DEFAULT_SCRIPT_TIMEOUT) if hooks.get(event) else 0
            )
        return total

    def run_instance(
        self, name: str, number: int, events: list[str], hooks: dict[str, list[Script]], failures: list[Failure]
    ) -> tuple[bool, list[dict[str, str]], str]:
        """One instance through its events: (succeeded, event statuses, failed event)."""
        statuses: list[dict[str, str]] = []
        failed_event = ""
        for event in events:
            if failed_event:
                statuses.append({"event": event, "status": "Skipped"})
                continue
            if event == "ApplicationStop" and self.args.first_deployment:
                statuses.append({"event": event, "status": "Skipped", "why": "first deployment"})
                continue
            failure = next((f for f in failures if f.event == event and f.instance in (None, number)), None)
            fails = failure is not None
            if fails and event in PREVIOUS_REVISION and self.args.ignore_application_stop_failures:
                statuses.append(
                    {
                        "event": event,
                        "status": "Succeeded",
                        "why": "failure ignored (--ignore-application-stop-failures)",
                    }
                )
                continue
            if failure is not None:
                failed_event = event
                statuses.append(
                    {"event": event, "status": "Failed", **({"why": failure.cause} if failure.cause else {})}
                )
                continue
            statuses.append({"event": event, "status": "Succeeded"})
        return not failed_event, statuses, failed_event

    def line_for(self, name: str, statuses: list[dict[str, str]]) -> str:
        parts = []
        for item in statuses:
            if item["status"] == "Succeeded":
                parts.append(item["event"] + (" (failure ignored)" if item.get("why") else ""))
            elif item["status"] == "Failed":
                parts.append(f"{item['event']} FAILED" + (f" ({item['why']})" if item.get("why") else ""))
        skipped = [i["event"] for i in statuses if i["status"] == "Skipped" and not i.get("why")]
        text = f"    {name}: " + " -> ".join(parts)
        if skipped:
            text += f"; skipped: {', '.join(skipped)}"
        return text

    def in_place(
        self,
        hooks: dict[str, list[Script]],
        events: list[str],
        config: EC2Config,
        fleet: int,
        failures: list[Failure],
        per_instance: int,
    ) -> None:
        minimum = config.minimum(fleet)
        pending = list(range(1, fleet + 1))
        healthy = fleet
        succeeded: list[int] = []
        failed: list[int] = []
        batches: list[dict[str, Any]] = []
        stopped = ""
        self.say("")
        while pending:
            room = healthy - minimum
            if room < 1:
                stopped = (
                    f"only {healthy} healthy instance{'s' if healthy != 1 else ''} left and the minimum is {minimum}: "
                    f"CodeDeploy stops the deployment; {', '.join(f'i-{n}' for n in pending)} "
                    f"keep{'s' if len(pending) == 1 else ''} the old revision"
                )
                break
            batch, pending = pending[:room], pending[room:]
            healthy -= len(batch)
            self.say(
                f"Batch {len(batches) + 1}: {', '.join(f'i-{n}' for n in batch)} (out of service; {healthy} healthy)"
            )
            record: dict[str, Any] = {"instances": [], "healthy_during": healthy}
            for number in batch:
                ok, statuses, _ = self.run_instance(f"i-{number}", number, events, hooks, failures)
                self.say(self.line_for(f"i-{number}", statuses))
                record["instances"].append({"instance": f"i-{number}", "succeeded": ok, "events": statuses})
                if ok:
                    healthy += 1
                    succeeded.append(number)
                else:
                    failed.append(number)
            batches.append(record)
        needed = max(minimum, 1)
        if stopped:
            result = "FAILED"
            self.say(f"\nDeployment stops: {stopped}.")
        elif len(succeeded) >= needed:
            result = "SUCCEEDED"
        else:
            result = "FAILED"
            self.say(
                f"\nOnly {len(succeeded)} instance{'s' if len(succeeded) != 1 else ''} succeeded; {config.name} needs {needed}."
            )
        if failed and result == "SUCCEEDED":
            self.say(
                f"\n{', '.join(f'i-{n}' for n in failed)} failed, but {len(succeeded)} succeeded and the minimum is "
                f"{minimum}: the deployment still succeeds (failed instances stay Unhealthy with an unknown revision)."
            )
        planned = math.ceil(fleet / max(fleet - minimum, 1))
        worst = per_instance * planned
        self.say(
            f"\nWorst case for the whole fleet: {duration(worst)} ({planned} batch{'es' if planned != 1 else ''} x "
            f"{duration(per_instance)}: the sum of each event's script timeouts; DownloadBundle, Install and the "
            "load balancer's own steps not counted)"
        )
        self.say(f"Deployment would end: {result}")
        self.trace.data.update(
            {"batches": batches, "result": result, "stopped": stopped or None, "worst_case_seconds": worst}
        )
        if result == "FAILED":
            self.rollback(succeeded, failed)

    def rollback(self, succeeded: list[int], failed: list[int]) -> None:
        if not self.args.auto_rollback:
            self.say(
                "No automatic rollback configured (--auto-rollback to see one): the group keeps its last successful "
                "revision as target; instances already updated keep the new one until the next deployment."
            )
            self.trace.data["rollback"] = None
            return
        self.say(
            "\nAutomatic rollback: CodeDeploy starts a NEW deployment (new deployment ID) of the last known good revision "
            "to the group, with the same configuration and lifecycle events."
        )
        if succeeded:
            self.say(
                f"  On {', '.join(f'i-{n}' for n in succeeded)} the new revision had succeeded, so its ApplicationStop "
                "(and BeforeBlockTraffic/AfterBlockTraffic) scripts run during the rollback."
            )
        self.say(
            "  Files the failed deployment copied are removed first (the agent's cleanup list); what its scripts did "
            "is not undone."
        )
        self.trace.data["rollback"] = {"redeploys": "last known good revision", "new_deployment": True}

    def blue_green(
        self, hooks: dict[str, list[Script]], config: EC2Config, fleet: int, failures: list[Failure]
    ) -> None:
        minimum = config.minimum(fleet)
        replacement_events = [*EC2_INPLACE, *ALLOW]
        original_events = list(BLOCK)
        self.say(
            "\nReplacement fleet (green): new instances, so ApplicationStop has no earlier revision and does not run."
        )
        args_first = self.args.first_deployment
        self.args.first_deployment = True
        pending = list(range(1, fleet + 1))
        healthy_target = fleet
        succeeded, failed = [], []
        room = max(fleet - minimum, 1)
        batches = []
        while pending:
            batch, pending = pending[:room], pending[room:]
            self.say(f"Batch {len(batches) + 1}: {', '.join(f'r-{n}' for n in batch)}")
            record = []
            for number in batch:
                ok, statuses, _ = self.run_instance(f"r-{number}", number, replacement_events, hooks, failures)
                self.say(self.line_for(f"r-{number}", statuses))
                record.append({"instance": f"r-{number}", "succeeded": ok, "events": statuses})
                (succeeded if ok else failed).append(number)
            batches.append(record)
            if failed and healthy_target - len(failed) < max(minimum, 1):
                break
        self.args.first_deployment = args_first
        result = "SUCCEEDED" if len(succeeded) >= max(minimum, 1) and not pending else "FAILED"
        originals: list[dict[str, Any]] = []
        if failed and result == "SUCCEEDED":
            self.say(
                f"  {', '.join(f'r-{n}' for n in failed)} failed, but {len(succeeded)} replacement instances succeeded "
                f"and the minimum is {minimum}: the deployment goes on"
            )
        if result == "SUCCEEDED":
            self.say("\nOriginal fleet (blue): traffic blocked and instances deregistered, all of them:")
            block_failures = [f for f in failures if f.event in original_events]
            for number in range(1, fleet + 1):
                ok, statuses, _ = self.run_instance(f"i-{number}", number, original_events, hooks, block_failures)
                self.say(self.line_for(f"i-{number}", statuses))
                originals.append({"instance": f"i-{number}", "succeeded": ok, "events": statuses})
                if not ok:
                    result = "FAILED"
            if result == "FAILED":
                self.say("  Failing to block traffic on even one original instance fails the deployment.")
            else:
                self.say("  Originals are then terminated after the group's wait time, or kept alive, as configured.")
        else:
            self.say("\nThe replacement fleet failed: traffic stays on the original instances.")
        self.say(f"Deployment would end: {result}")
        self.trace.data.update({"replacement": batches, "original": originals, "result": result})
        if result == "FAILED" and self.args.auto_rollback:
            self.say(
                "\nAutomatic rollback (blue/green): the roles swap: the original instances get BeforeAllowTraffic -> "
                "AllowTraffic -> AfterAllowTraffic and serve again, the replacement instances get BeforeBlockTraffic -> "
                "BlockTraffic -> AfterBlockTraffic. It is a new deployment with its own ID."
            )
            self.trace.data["rollback"] = {"original": list(ALLOW), "replacement": list(BLOCK)}
        elif result == "FAILED":
            self.rollback([], failed)

    # ----------------------------------------------------------------------------- Lambda and ECS

    def traffic(self, platform: str) -> None:
        from codeward.linters.simulate.rules.CWA202_unknown_deployment_config import UnknownDeploymentConfig

        args = self.args
        if args.execute:
            raise SimulationError(
                f"--execute runs EC2 hook scripts; {platform.upper() if platform == 'ecs' else 'Lambda'} hooks are "
                "Lambda functions that only run in AWS"
            )
        config = parse_config(args.deployment_config, platform)
        if isinstance(config, str):
            self.sim.report(UnknownDeploymentConfig, (), f"--config: {config}")
            return
        assert isinstance(config, TrafficConfig)
        hooks = self.function_hooks()
        events = list(LAMBDA_EVENTS if platform == "lambda" else ECS_EVENTS)
        failures = parse_failures(args.fail, events, 1)
        failed_event = next((e for e in events if any(f.event == e for f in failures)), "")
        current, target = self.versions(platform)
        title = "Lambda" if platform == "lambda" else "ECS"
        self.say(f"Deployment simulation of {self.trace.path} (dry run)")
        self.say(f"  platform: {title}; configuration: {config.name}")
        self.say(f"  traffic moves from {current} to {target}")
        schedule = config.schedule()
        data: dict[str, Any] = {
            "mode": "dry-run",
            "platform": platform,
            "config": config.name,
            "from": current,
            "to": target,
            "schedule": [{"minute": m, "percent_new": p} for m, p in schedule],
            "hooks": hooks,
        }
        self.say("")
        clock = 0
        result = "SUCCEEDED"
        timeline: list[dict[str, Any]] = []
        shifted = 0
        for event in events:
            if result == "FAILED":
                timeline.append({"event": event, "status": "Skipped"})
                continue
            fails = event == failed_event
            if event in hooks:
                line = f"  t+{clock}m  {event}: runs {hooks[event]} (it must report back within 1 hour)"
            elif event in ("AllowTraffic", "Install", "AllowTestTraffic"):
                line = f"  t+{clock}m  {event}:"
            else:
                line = f"  t+{clock}m  {event}: no hook"
            if event == "Install":
                line += " the replacement (green) task set is created"
            elif event == "AllowTestTraffic":
                line += " the test listener routes to the replacement task set"
            self.say(line)
            if event == "AllowTraffic":
                for minute, percent in schedule:
                    at = clock + minute
                    if fails and minute > 0:
                        break
                    self.say(f"      t+{at}m  {percent}% to {target}, {100 - percent}% to {current}")
                    shifted = percent
                    timeline.append({"event": event, "minute": at, "percent_new": percent})
                    if fails:
                        break
                clock += schedule[-1][0] if not fails else 0
            if fails:
                result = "FAILED"
                self.say(f"      FAILED (--fail {event})")
                timeline.append({"event": event, "status": "Failed"})
            else:
                timeline.append({"event": event, "status": "Succeeded"})
        if result == "SUCCEEDED":
            end = (
                "the original task set is terminated after the wait time"
                if platform == "ecs"
                else f"the alias points at {target}"
            )
            self.say(f"\nDeployment would end: SUCCEEDED after ~{clock} minutes of shifting; {end}.")
        else:
            self.say(f"\nDeployment would end: FAILED at {failed_event} with {shifted}% of traffic on {target}.")
            if platform == "ecs" and failed_event == "BeforeInstall":
                self.say("  A BeforeInstall failure cannot roll back: no replacement task set exists yet.")
            elif args.auto_rollback:
                self.say(
                    f"  Automatic rollback: a new deployment moves all traffic back to {current}"
                    + (" (the original task set)." if platform == "ecs" else ".")
                )
            else:
                self.say(
                    f"  Without automatic rollback (--auto-rollback) traffic stays where it is: {shifted}% on {target}."
                )
        hook_time = len([e for e in events if e in hooks]) * HOOK_FUNCTION_LIMIT
        worst = clock * 60 + hook_time
        self.say(f"Worst case: {duration(worst)} (shifting time plus 1 hour for each hook function)")
        data.update({"timeline": timeline, "result": result, "worst_case_seconds": worst})
        self.trace.data.update(data)

    def function_hooks(self) -> dict[str, str]:
        _, hooks = ci_get(self.data, "hooks")
        out: dict[str, str] = {}
        if isinstance(hooks, list):
            for item in hooks:
                if isinstance(item, dict):
                    for event, function in item.items():
                        out[str(event)] = str(function)
        return out

    def versions(self, platform: str) -> tuple[str, str]:
        _, resources = ci_get(self.data, "resources")
        body: Any = None
        if isinstance(resources, list) and resources and isinstance(resources[0], dict):
            body = next(iter(resources[0].values()), None)
        _, props = ci_get(body, "properties")
        if platform == "lambda":
            _, name = ci_get(props, "name")
            _, alias = ci_get(props, "alias")
            _, current = ci_get(props, "currentversion")
            _, target = ci_get(props, "targetversion")
            prefix = f"{name}:{alias} " if name and alias else ""
            return f"{prefix}version {current}".strip(), f"version {target}"
        _, task = ci_get(props, "taskdefinition")
        revision = str(task).rsplit("/", 1)[-1] if task else "the new task definition"
        return "the original task set", f"the replacement task set ({revision})"


def simulate_deployment(document: Any, trace: Trace, args: Any) -> None:
    from codeward.linters.simulate.rules.CWA200_deployment_not_simulable import DeploymentNotSimulable

    deployment = Deployment(document, trace, args)
    if not isinstance(document.data, dict):
        deployment.sim.report(DeploymentNotSimulable, (), "an AppSpec file must be a mapping with `version`")
        return
    platform = args.platform or infer_platform(document.data)
    trace.data["platform"] = platform
    if platform == "ec2":
        deployment.ec2()
    else:
        deployment.traffic(platform)
