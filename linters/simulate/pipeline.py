"""Pipeline simulation: one execution (or several, for the execution modes) through the stages, minute by minute.

Built on `linters.pipeline_form`'s model, so the API form and CloudFormation templates behave the same.
Within a stage, actions with the same runOrder run in parallel (the group takes as long as its longest
action) and lower runOrders first; a failed action lets the rest of its group finish, then the stage fails
and later stages do not run, unless the stage's V2 `onFailure` retries it (once) or rolls it back. V2 stage
conditions (`beforeEntry`, `onSuccess`, `onFailure` with `conditions`) engage their result only when a rule
fails (rules pass unless `--condition STAGE.RULE=fail`). A disabled inbound transition holds the execution in
front of its stage. Manual approvals are approved unless `--reject`ed, after the time `--duration` gives them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from codeward.linters.simulate import pipeline_timing as timing
from codeward.linters.simulate.common import Sim, SimulationError, Trace, suggest
from codeward.linters.simulate.pipeline_timing import clock, span

_VARIABLE = re.compile(r"#\{([^}]*)\}")
CONDITION_KINDS = ("beforeEntry", "onSuccess", "onFailure")
# The results CodePipeline's user guide documents for each kind of condition; a missing result is FAIL.
DOCUMENTED_RESULTS = {"beforeEntry": ("FAIL", "SKIP"), "onSuccess": ("ROLLBACK", "FAIL"), "onFailure": ("ROLLBACK",)}
RETRY_MODES = ("FAILED_ACTIONS", "ALL_ACTIONS")


class _Ctx:
    """The little of a lint Context that `pipeline_model` needs."""

    def __init__(self, label: str) -> None:
        self.cache: dict[str, Any] = {"view": (label, ())}


def models(document: Any) -> list[Any]:
    from codeward.linters.pipeline_form import is_template, pipeline_model, pipeline_views

    out = []
    for label, path, value in pipeline_views(document.data):
        if is_template(document.data) and not path:
            continue
        model = pipeline_model(_Ctx(label), value, path)
        if model is not None and model.stages:
            out.append(model)
    return out


def _projects(data: Any) -> dict[str, Any]:
    """The template's CodeBuild projects by logical id."""
    from codeward.linters.inline_buildspec import PROJECT

    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return {}
    return {str(k): v for k, v in resources.items() if isinstance(v, dict) and v.get("Type") == PROJECT}


def _failing_projects(document: Any, trace: Trace) -> dict[str, str]:
    """Projects whose inline buildspec has errors lint found (trace.lint_errors): logical id -> why its
    builds fail."""
    from codeward.linters.inline_buildspec import inline_buildspecs
    from codeward.linters.simulate.verdict import named

    out: dict[str, str] = {}
    errors = [f for f in trace.lint_errors if f.code.startswith("CWB")]
    for inline in inline_buildspecs(document):
        span = document.span(inline.path[: inline.path.index("BuildSpec") + 1])
        mine = [f for f in errors if span.line <= f.span.line <= span.end_line]
        if mine:
            out[inline.project] = f"its project's inline buildspec fails: {named(mine)} (reported by codeward lint)"
    return out


def _name(action: Any) -> str:
    return f"{_stage_name(action.stage)}.{action.name}"


def _stage_name(stage: Any) -> str:
    return stage.name or f"stage{stage.index + 1}"


def _strings(value: Any, path: tuple[Any, ...]) -> list[tuple[str, tuple[Any, ...]]]:
    if isinstance(value, str):
        return [(value, path)]
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _strings(v, (*path, k))]
    if isinstance(value, list):
        return [item for i, v in enumerate(value) for item in _strings(v, (*path, i))]
    return []


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def simulate_pipeline(document: Any, trace: Trace, args: Any) -> None:
    from codeward.linters.simulate.rules.CWP200_pipeline_not_simulable import PipelineNotSimulable

    sim = Sim(document, trace)
    found = models(document)
    if not found:
        if _projects(document.data):
            trace.say(
                f"{trace.path}: no pipeline in this template, only CodeBuild projects: nothing to simulate "
                "(codeward lint checks their buildspecs)."
            )
            return
        sim.report(PipelineNotSimulable, (), "no pipeline with stages found: nothing to simulate")
        return
    if args.execute:
        raise SimulationError("--execute runs builds and hook scripts; a pipeline's actions only run in AWS")
    if args.pipeline_name:
        chosen = [m for m in found if m.label.endswith(f" {args.pipeline_name}") or m.label == args.pipeline_name]
        if not chosen:
            labels = ", ".join(m.label or "(the pipeline)" for m in found)
            raise SimulationError(f"--pipeline {args.pipeline_name}: no such pipeline (found: {labels})")
        found = chosen
    if args.executions < 1:
        raise SimulationError(f"--executions {args.executions}: give at least 1")
    if args.interval < 0:
        raise SimulationError(f"--interval {args.interval}: give 0 or more minutes")
    for number, model in enumerate(found):
        if number:
            trace.say("")
        Run(sim, trace, args, model).run()


@dataclass
class Rule:
    """One rule of a stage condition."""

    stage: str
    kind: str
    name: str
    provider: str
    config: Any
    path: tuple[Any, ...]

    @property
    def key(self) -> str:
        return f"{self.stage}.{self.name}"


@dataclass
class Condition:
    kind: str
    # Upper-cased; "" when the condition gives none.
    result: str
    rules: list[Rule]


@dataclass
class Pass:
    """One pass over a stage's runOrder groups (the first attempt, or the automatic retry)."""

    end: int
    failed: list[str] = field(default_factory=list)
    # Index of the group in which the first failure happened.
    failed_group: int | None = None
    lines: list[str] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Outcome:
    """How an execution leaves a stage."""

    status: str
    leave: int
    lines: list[str]
    data: dict[str, Any]


class Run:
    def __init__(self, sim: Sim, trace: Trace, args: Any, model: Any) -> None:
        self.sim, self.trace, self.args, self.model = sim, trace, args, model
        self.say = trace.say
        self.mode = str(model.raw("executionMode") or "SUPERSEDED").upper()
        self.actions = {_name(a): a for a in model.actions}
        self.stage_names = [_stage_name(s) for s in model.stages]
        self.rules: dict[str, list[Rule]] = {}
        for stage in model.stages:
            for kind in CONDITION_KINDS:
                for condition in self.conditions(stage, kind):
                    for rule in condition.rules:
                        self.rules.setdefault(rule.key, []).append(rule)
        self.fail = self._failures(args.fail)
        # CodeBuild actions whose project's inline buildspec lint finds broken fail every attempt.
        self.causes: dict[str, str] = {}
        failing = _failing_projects(sim.document, trace)
        names = {
            str(body.get("Properties", {}).get("Name")): key
            for key, body in _projects(sim.document.data).items()
            if isinstance(body.get("Properties"), dict)
        }
        for name, action in self.actions.items():
            if action.provider != "CodeBuild" or action.configuration is None:
                continue
            project = action.configuration.get("ProjectName")
            key = project.get("Ref") if isinstance(project, dict) else names.get(str(project))
            if key in failing:
                self.fail[name] = None
                self.causes[name] = failing[key]
                trace.rejected = trace.rejected or f"the CodeBuild action {name} fails: {failing[key]}"
                trace.rejected_line = trace.rejected_line or next(
                    f.span.line for f in trace.lint_errors if f.code.startswith("CWB")
                )
        for option, targets in (("--reject", args.reject), ("--approve", args.approve)):
            for target in targets:
                action = self._action(target, option)
                if action.category != "Approval":
                    raise SimulationError(
                        f"{option} {target}: a {action.category}/{action.provider} action, not a manual approval"
                    )
        both = set(args.reject) & set(args.approve)
        if both:
            raise SimulationError(f"{sorted(both)[0]}: given to both --approve and --reject")
        self.reject = set(args.reject)
        self.rule_passes: dict[str, bool] = {}
        for target, verdict in args.condition:
            if target not in self.rules:
                known = list(self.rules)
                where = (
                    f" (the pipeline's rules: {', '.join(known)})"
                    if known
                    else " (the pipeline has no stage conditions)"
                )
                raise SimulationError(
                    f"--condition {target}: not STAGE.RULE of a stage condition{suggest(target, known)}{where}"
                )
            if verdict.lower() not in ("pass", "fail"):
                raise SimulationError(f"--condition {target}={verdict}: give pass or fail")
            self.rule_passes[target] = verdict.lower() == "pass"
        self.durations: dict[str, int] = {}
        for target, text in args.duration:
            if target not in self.actions and target not in self.rules:
                known = [*self.actions, *self.rules]
                raise SimulationError(f"--duration {target}: not STAGE.ACTION of this pipeline{suggest(target, known)}")
            try:
                self.durations[target] = timing.parse_minutes(text)
            except ValueError as exc:
                raise SimulationError(f"--duration {target}={text}: {exc}") from None
        self.disabled = self._transitions()

    # --- command line ---------------------------------------------------------------------------------

    def _action(self, target: str, option: str) -> Any:
        if target not in self.actions:
            raise SimulationError(
                f"{option} {target}: not STAGE.ACTION of this pipeline{suggest(target, list(self.actions))}"
            )
        return self.actions[target]

    def _failures(self, targets: list[str]) -> dict[str, set[int] | None]:
        """--fail STAGE.ACTION (every attempt) or STAGE.ACTION@N (attempt N only; 2 is the automatic retry)."""
        out: dict[str, set[int] | None] = {}
        for target in targets:
            name, attempt = target, None
            head, at, tail = target.rpartition("@")
            if at and tail.isdigit() and target not in self.actions:
                name, attempt = head, int(tail)
                if attempt < 1:
                    raise SimulationError(f"--fail {target}: attempts count from 1")
            self._action(name, "--fail")
            if attempt is None:
                out[name] = None
            elif name not in out or out[name] is not None:
                out.setdefault(name, set()).add(attempt)  # type: ignore[union-attr]
        return out

    def _transitions(self) -> dict[str, str]:
        """Stages whose inbound transition is disabled -> the reason: the template's
        DisableInboundStageTransitions, plus --disable-transition, minus --enable-transition."""
        disabled: dict[str, str] = {}
        self.transition_notes: list[str] = []
        value = self.model.data.get("DisableInboundStageTransitions") if self.model.form == "cfn" else None
        for item in value if isinstance(value, list) else []:
            stage = item.get("StageName") if isinstance(item, dict) else None
            if not isinstance(stage, str):
                continue
            reason = item.get("Reason")
            if stage not in self.stage_names:
                self.transition_notes.append(
                    f"DisableInboundStageTransitions names {stage!r}, which is no stage of the pipeline: ignored"
                    f"{suggest(stage, self.stage_names)}"
                )
            elif stage == self.stage_names[0]:
                self.transition_notes.append(
                    f"DisableInboundStageTransitions: the first stage {stage!r} has no inbound transition: ignored"
                )
            else:
                disabled[stage] = reason if isinstance(reason, str) else "DisableInboundStageTransitions"
        for option, stages in (
            ("--disable-transition", self.args.disable_transition),
            ("--enable-transition", self.args.enable_transition),
        ):
            for stage in stages:
                if stage not in self.stage_names:
                    raise SimulationError(f"{option} {stage}: no such stage{suggest(stage, self.stage_names)}")
                if stage == self.stage_names[0]:
                    raise SimulationError(f"{option} {stage}: the first stage has no inbound transition")
                if option == "--disable-transition":
                    disabled[stage] = "--disable-transition"
                elif stage not in disabled:
                    raise SimulationError(f"--enable-transition {stage}: its inbound transition is not disabled")
                else:
                    del disabled[stage]
        return disabled

    # --- the document ---------------------------------------------------------------------------------

    def conditions(self, stage: Any, kind: str) -> list[Condition]:
        block = stage.raw(kind)
        if not isinstance(block, dict):
            return []
        items = block.get(stage.key("conditions"))
        out = []
        for c_index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            rules = []
            found = item.get(stage.key("rules"))
            for r_index, rule in enumerate(found if isinstance(found, list) else []):
                if not isinstance(rule, dict):
                    continue
                type_id = rule.get(stage.key("ruleTypeId"))
                provider = type_id.get(stage.key("provider")) if isinstance(type_id, dict) else None
                name = rule.get(stage.key("name"))
                path = stage.at(kind, stage.key("conditions"), c_index, stage.key("rules"), r_index)
                rules.append(
                    Rule(
                        _stage_name(stage),
                        kind,
                        name if isinstance(name, str) else f"rule{r_index + 1}",
                        provider if isinstance(provider, str) else "?",
                        rule.get(stage.key("configuration")),
                        path,
                    )
                )
            result = item.get(stage.key("result"))
            out.append(Condition(kind, result.upper() if isinstance(result, str) else "", rules))
        return out

    def variables(self) -> dict[str, str | None]:
        """Pipeline variables at start: --var, else the default; None when the variable has neither."""
        declared: dict[str, str | None] = {}
        value = self.model.raw("variables")
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    name = item.get(self.model.key("name"))
                    default = item.get(self.model.key("defaultValue"))
                    if isinstance(name, str):
                        declared[name] = str(default) if default not in (None, "") else None
        given = dict(self.args.var)
        unknown = [n for n in given if n not in declared]
        if unknown:
            raise SimulationError(
                f"--var {unknown[0]}: the pipeline declares no such variable ({', '.join(declared) or 'none'})"
            )
        empty = [n for n, v in given.items() if not v]
        if empty:
            raise SimulationError(f"--var {empty[0]}=: CodePipeline takes no empty variable value")
        return {**declared, **given}

    def resolve(
        self, strings: list[tuple[str, tuple[Any, ...]]], who: str, available: Any, skipped: set[str]
    ) -> list[str]:
        """Each `#{...}` in `strings`, resolved or reported. `available(action)` says whether an action with a
        namespace has finished by then; actions of skipped stages produced no variables."""
        from codeward.linters.simulate.rules.CWP201_undefined_variable import PipelineUndefinedVariable

        namespaces = {}
        for other in self.model.actions:
            ns = other.text("namespace")
            if ns:
                namespaces[ns] = other
        lines = []
        for text, path in strings:
            for match in _VARIABLE.finditer(text):
                ref = match.group(1)
                namespace, _, key = ref.partition(".")
                if namespace == "codepipeline" and key == "PipelineExecutionId":
                    lines.append(f"#{{{ref}}} = <execution id>")
                elif namespace == "variables" and self.values.get(key) is not None:
                    lines.append(f"#{{{ref}}} = {self.values[key]!r}")
                elif namespace in namespaces and available(namespaces[namespace]):
                    producer = namespaces[namespace]
                    if _stage_name(producer.stage) in skipped:
                        lines.append(f"#{{{ref}}} = not set: {_name(producer)} did not run (its stage was skipped)")
                    else:
                        lines.append(f"#{{{ref}}} = output of {_name(producer)} (known at run time)")
                else:
                    if namespace == "variables" and key in self.values:
                        why = f"the pipeline variable {key!r} has no default value and no --var {key}=VALUE gives one"
                    elif namespace == "variables":
                        why = f"the pipeline declares no variable {key!r}"
                    elif namespace in namespaces:
                        why = f"{_name(namespaces[namespace])} does not run before {who}"
                    else:
                        why = f"no action has the namespace {namespace!r}"
                    self.sim.report(PipelineUndefinedVariable, path, f"#{{{ref}}} cannot be resolved: {why}")
                    lines.append(f"#{{{ref}}} = UNRESOLVED ({why})")
        return lines

    def action_strings(self, action: Any) -> list[tuple[str, tuple[Any, ...]]]:
        out = []
        for name in ("configuration", "environmentVariables", "commands"):
            out += _strings(action.raw(name), action.at(name))
        return out

    # --- time and outcomes ----------------------------------------------------------------------------

    def minutes(self, action: Any) -> int:
        return self.durations.get(_name(action), timing.default_minutes(action.category, action.provider))

    def timeout(self, action: Any) -> int:
        declared = _int(action.raw("timeoutInMinutes")) if action.category == "Approval" else None
        return timing.timeout_minutes(action.category, action.owner, action.provider, declared)

    def fails(self, name: str, attempt: int) -> bool:
        if name not in self.fail:
            return False
        attempts = self.fail[name]
        return attempts is None or attempt in attempts

    def outcome(self, action: Any, attempt: int) -> tuple[str, int, str]:
        """(status, minutes it takes, why) of one attempt of an action."""
        name = _name(action)
        minutes, limit = self.minutes(action), self.timeout(action)
        if minutes > limit:
            if action.category == "Approval":
                return (
                    "Failed",
                    limit,
                    f"nobody answered within its timeout of {span(limit)}: a timed-out approval fails",
                )
            return "Failed", limit, f"still running at its {span(limit)} timeout"
        if self.fails(name, attempt):
            return "Failed", minutes, self.causes.get(name, "")
        if action.category == "Approval":
            return ("Rejected" if name in self.reject else "Approved"), minutes, ""
        return "Succeeded", minutes, ""

    def rule_minutes(self, rule: Rule) -> int:
        if rule.key in self.durations:
            return self.durations[rule.key]
        if rule.provider == "CloudWatchAlarm" and isinstance(rule.config, dict):
            return _int(rule.config.get("WaitTime")) or 0
        return 0

    def groups(self, stage: Any) -> list[tuple[int, list[Any]]]:
        ordered = sorted(stage.actions, key=lambda a: a.run_order or 0)
        return [(order, list(members)) for order, members in groupby(ordered, key=lambda a: a.run_order or 0)]

    def stage_minutes(self, stage: Any) -> int:
        """How long a clean run of the stage takes: each group as long as its longest action."""
        return sum(max(self.minutes(a) for a in members) for _, members in self.groups(stage))

    def rollback_blocked(self, stage: Any, index: int) -> str:
        if index == 0 or any(a.is_source for a in stage.actions):
            return "a source stage cannot be rolled back"
        if self.mode == "PARALLEL":
            return "PARALLEL mode has no stage rollback"
        if self.args.first_execution:
            return (
                "no earlier execution succeeded in this stage (--first-execution), so there is nothing to roll back to"
            )
        return ""

    # --- one execution --------------------------------------------------------------------------------

    def run(self) -> None:
        model = self.model
        self.values = self.variables()
        title = model.label or "pipeline"
        self.say(f"Pipeline simulation of {self.trace.path}: {title} ({model.pipeline_type or 'V1'}, {self.mode})")
        if self.values:
            shown = (f"{k}={v!r}" if v is not None else f"{k}=(no value)" for k, v in self.values.items())
            self.say("  variables: " + ", ".join(shown))
        self.say(
            "  times: T+HH:MM after the execution starts; action durations from --duration or the provider defaults"
        )
        for note in self.transition_notes:
            self.say(f"  note: {note}")
        self.producers: dict[str, str] = {}
        self.consumers: dict[str, list[str]] = {}
        self.skipped: set[str] = set()
        stages_json: list[dict[str, Any]] = []
        path: list[tuple[str, int]] = []
        now = 0
        ended, ended_at = "", ""
        for index, stage in enumerate(model.stages):
            name = _stage_name(stage)
            if ended:
                self.say(f"\nStage {name}: not reached")
                stages_json.append({"name": name, "status": "NotRun"})
                continue
            if name in self.disabled:
                self.say(f"\nStage {name}: not entered: its inbound transition is disabled ({self.disabled[name]})")
                self.say(
                    f"  {clock(now)}  the execution waits at the transition; when the transition is enabled, the newest "
                    "waiting execution enters (after 30 days disabled, only a new change or a manual start goes on)"
                )
                stages_json.append({"name": name, "status": "NotRun", "transition": "disabled"})
                ended, ended_at = "InProgress", name
                continue
            outcome = self.stage(stage, index, now)
            self.say(f"\nStage {name}  {clock(now)} → {clock(outcome.leave)}  {outcome.status}")
            for line in outcome.lines:
                self.say(line)
            stages_json.append(outcome.data)
            path.append((name, outcome.leave - now))
            now = outcome.leave
            if outcome.status == "Skipped":
                self.skipped.add(name)
            if outcome.status == "Failed":
                ended, ended_at = "Failed", name
        result = ended or "Succeeded"
        if result == "InProgress":
            self.say(f"\nExecution would wait: InProgress at the disabled transition into {ended_at} from {clock(now)}")
        elif result == "Failed":
            self.say(f"\nExecution would end: Failed at {clock(now)} (stage {ended_at})")
        else:
            self.say(f"\nExecution would end: Succeeded at {clock(now)}")
        self.say("\nArtifacts:")
        flow = []
        for artifact in sorted(set(self.producers) | set(self.consumers)):
            made_by = self.producers.get(artifact, "(no producer ran)")
            used_by = self.consumers.get(artifact, [])
            self.say(f"  {artifact}: {made_by} -> {', '.join(used_by) or '(unused)'}")
            flow.append({"artifact": artifact, "producer": self.producers.get(artifact), "consumers": used_by})
        data: dict[str, Any] = {
            "label": model.label,
            "mode": self.mode,
            "stages": stages_json,
            "artifacts": flow,
            "result": result,
            "minutes": now,
        }
        if ended == "InProgress":
            data["held_at"] = ended_at
        end = "Held" if ended == "InProgress" else result
        data["executions"] = self.executions(timing.Path(path, end, ended_at if end == "Held" else None))
        self.trace.data.setdefault("pipelines", []).append(data)
        self.trace.data["mermaid"] = self.mermaid()
        self.trace.data["dot"] = self.dot()

    def stage(self, stage: Any, index: int, start: int) -> Outcome:
        name = _stage_name(stage)
        lines: list[str] = []
        data: dict[str, Any] = {"name": name, "enter": start}
        now = start

        def done(status: str, leave: int) -> Outcome:
            data.update(status=status, leave=leave)
            return Outcome(status, leave, lines, data)

        for condition in self.conditions(stage, "beforeEntry"):
            passed, now = self.evaluate(stage, index, condition, now, lines, data)
            if not passed:
                result = self.result_of(condition, "beforeEntry", lines)
                if result == "SKIP":
                    lines.append(
                        f"  {clock(now)}  result SKIP: the stage is skipped; the execution goes on to the next stage"
                    )
                    return done("Skipped", now)
                lines.append(f"  {clock(now)}  result FAIL: the stage fails without running its actions")
                return done("Failed", now)
            lines.append(f"  {clock(now)}  entry condition met: the execution enters the stage")

        first = self.actions_pass(stage, index, now, 1, None)
        lines += first.lines
        data["groups"] = first.groups
        now = first.end
        if first.failed:
            failed_at, retried = self.on_failure(stage, index, first, lines, data)
            if retried is None:
                return done("Failed", failed_at)
            now = retried
        for condition in self.conditions(stage, "onSuccess"):
            passed, now = self.evaluate(stage, index, condition, now, lines, data)
            if passed:
                lines.append(f"  {clock(now)}  success condition met: the stage succeeds")
                continue
            result = self.result_of(condition, "onSuccess", lines)
            if result == "ROLLBACK":
                return done("Failed", self.rollback(stage, index, now, "result ROLLBACK", lines, data))
            lines.append(f"  {clock(now)}  result FAIL: the stage fails although its actions succeeded")
            return done("Failed", now)
        return done("Succeeded", now)

    def result_of(self, condition: Condition, kind: str, lines: list[str]) -> str:
        result = condition.result or "FAIL"
        if kind == "onFailure" and not condition.result:
            return ""
        if result not in DOCUMENTED_RESULTS[kind]:
            documented = " or ".join(DOCUMENTED_RESULTS[kind])
            lines.append(f"  note: result {result} is not documented for {kind} ({documented}): simulated as FAIL")
            return "FAIL"
        return result

    def evaluate(
        self, stage: Any, index: int, condition: Condition, start: int, lines: list[str], data: dict[str, Any]
    ) -> tuple[bool, int]:
        """Run a condition's rules together: met when every rule passes. Returns (met, when it is known)."""
        kind = condition.kind
        took = max((self.rule_minutes(r) for r in condition.rules), default=0)
        end = start + took
        when = f"{clock(start)} → {clock(end)}" if took else clock(start)
        rules_json = []
        lines.append(f"  {when}  {kind} condition (result {condition.result or 'not set'}):")
        for rule in condition.rules:
            passed = self.rule_passes.get(rule.key, True)
            minutes = self.rule_minutes(rule)
            waits = f" (watches for {span(minutes)})" if minutes else ""
            lines.append(f"    rule {rule.name} [{rule.provider}]  -> {'passes' if passed else 'fails'}{waits}")
            strings = _strings(rule.config, (*rule.path, stage.key("configuration")))
            who = f"the {kind} condition of {_stage_name(stage)}"

            def available(producer: Any, kind: str = kind) -> bool:
                if kind == "beforeEntry":
                    return producer.stage.index < index
                return producer.stage.index <= index

            for line in self.resolve(strings, who, available, self.skipped):
                lines.append(f"      {line}")
            rules_json.append({"name": rule.name, "provider": rule.provider, "passed": passed, "minutes": minutes})
        met = all(r["passed"] for r in rules_json)
        data.setdefault("conditions", []).append(
            {
                "kind": kind,
                "result": condition.result or None,
                "met": met,
                "rules": rules_json,
                "start": start,
                "end": end,
            }
        )
        return met, end

    def actions_pass(self, stage: Any, index: int, start: int, attempt: int, retry: tuple[str, Pass] | None) -> Pass:
        """Run the stage's runOrder groups from `start`. A retry (mode, first pass) starts at the failed group
        (FAILED_ACTIONS: only its failed actions) or at the first group (ALL_ACTIONS)."""
        out = Pass(start)
        groups = self.groups(stage)
        begin = 0
        if retry is not None and retry[0] == "FAILED_ACTIONS" and retry[1].failed_group is not None:
            begin = retry[1].failed_group
        now = start
        for number, (order, members) in enumerate(groups):
            if number < begin:
                continue
            if retry is not None and number == begin and retry[0] == "FAILED_ACTIONS":
                members = [a for a in members if _name(a) in retry[1].failed]
            if out.failed:
                names = ", ".join(a.name for a in members)
                out.lines.append(f"  runOrder {order}: not started ({names})")
                out.groups.append(
                    {"run_order": order, "actions": [{"name": a.name, "status": "NotRun"} for a in members]}
                )
                continue
            results = [(action, *self.outcome(action, attempt)) for action in members]
            end = now + max(minutes for _, _, minutes, _ in results)
            together = " (in parallel)" if len(members) > 1 else ""
            again = f", attempt {attempt}" if attempt > 1 else ""
            out.lines.append(f"  {clock(now)} → {clock(end)}  runOrder {order}{together}{again}:")
            group_json = []
            for action, status, minutes, why in results:
                name = _name(action)
                inputs = [a.name for a in action.inputs]
                outputs = [a.name for a in action.outputs]
                where = f"{action.category or '?'}/{action.provider or '?'}"
                io = (f" in: {', '.join(inputs)}" if inputs else "") + (
                    f" out: {', '.join(outputs)}" if outputs else ""
                )
                out.lines.append(f"    {action.name} [{where}]{io}  -> {status} ({span(minutes)})")
                if why:
                    out.lines.append(f"      {why}")
                for artifact in inputs:
                    users = self.consumers.setdefault(artifact, [])
                    if name not in users:
                        users.append(name)
                    producer = self.producers.get(artifact)
                    if producer is None and self._skipped_producer(artifact):
                        out.lines.append(
                            f"      input {artifact} was not produced in this execution: "
                            f"{self._skipped_producer(artifact)} did not run (its stage was skipped)"
                        )
                if attempt == 1:

                    def available(producer: Any, action: Any = action) -> bool:
                        return bool(producer.runs_before(action))

                    for line in self.resolve(self.action_strings(action), name, available, self.skipped):
                        out.lines.append(f"      {line}")
                if status in ("Failed", "Rejected"):
                    out.failed.append(name)
                else:
                    for artifact in outputs:
                        self.producers[artifact] = name
                group_json.append(
                    {"name": action.name, "status": status, "minutes": minutes, "inputs": inputs, "outputs": outputs}
                )
            if out.failed and out.failed_group is None:
                out.failed_group = number
            out.groups.append({"run_order": order, "start": now, "end": end, "attempt": attempt, "actions": group_json})
            now = end
        out.end = now
        return out

    def _skipped_producer(self, artifact: str) -> str:
        for action in self.model.actions:
            if _stage_name(action.stage) in self.skipped and any(o.name == artifact for o in action.outputs):
                return _name(action)
        return ""

    def on_failure(
        self, stage: Any, index: int, first: Pass, lines: list[str], data: dict[str, Any]
    ) -> tuple[int, int | None]:
        """The stage failed in its first pass. Returns (when the execution leaves the failed stage, None) when
        the stage stays failed, or (_, when the retry ended) when the automatic retry succeeded."""
        name = _stage_name(stage)
        now = first.end
        lines.append(
            f"  {clock(now)}  stage {name} fails ({', '.join(first.failed)}); the other actions of the group finished"
        )
        block = stage.raw("onFailure")
        block = block if isinstance(block, dict) else {}
        result = block.get(stage.key("result"))
        result = result.upper() if isinstance(result, str) else ""
        for condition in self.conditions(stage, "onFailure"):
            met, now = self.evaluate(stage, index, condition, now, lines, data)
            if met:
                lines.append(f"  {clock(now)}  failure condition met (every rule passed): its result does not engage")
                result = ""
            else:
                result = self.result_of(condition, "onFailure", lines) or result
        if result == "RETRY":
            config = block.get(stage.key("retryConfiguration"))
            mode = config.get(stage.key("retryMode")) if isinstance(config, dict) else None
            mode = mode.upper() if isinstance(mode, str) and mode.upper() in RETRY_MODES else "FAILED_ACTIONS"
            what = (
                "the failed actions run again, then the runOrders not started yet"
                if mode == "FAILED_ACTIONS"
                else "every action of the stage runs again from the first runOrder"
            )
            lines.append(f"  {clock(now)}  onFailure RETRY ({mode}): {what} (one automatic retry)")
            second = self.actions_pass(stage, index, now, 2, (mode, first))
            lines += second.lines
            data["retry"] = {"mode": mode, "start": now, "end": second.end, "groups": second.groups}
            if not second.failed:
                lines.append(f"  {clock(second.end)}  the retry succeeded")
                return second.end, second.end
            lines.append(
                f"  {clock(second.end)}  the retry failed too ({', '.join(second.failed)}): the stage fails "
                "(the automatic retry happens once)"
            )
            return second.end, None
        if result == "ROLLBACK":
            return self.rollback(stage, index, now, "onFailure ROLLBACK", lines, data), None
        if result not in ("", "FAIL"):
            lines.append(f"  note: onFailure result {result} is not documented: simulated as FAIL")
        lines.append("  the execution stops here; later stages do not run (retry the stage to go on)")
        return now, None

    def rollback(self, stage: Any, index: int, now: int, why: str, lines: list[str], data: dict[str, Any]) -> int:
        """The stage rolls back: a new execution (type Rollback) runs the stage again with the source revisions,
        artifacts and variables of the last execution that succeeded in it; this execution ends Failed. The
        stage stays busy until the rollback execution is through."""
        blocked = self.rollback_blocked(stage, index)
        if blocked:
            lines.append(f"  {clock(now)}  {why}: {blocked}; the stage fails")
            data["rollback"] = {"blocked": blocked}
            return now
        end = now + self.stage_minutes(stage)
        lines.append(
            f"  {clock(now)} → {clock(end)}  {why}: a new rollback execution runs {_stage_name(stage)} again with "
            "the source revisions, artifacts and variables of the last execution that succeeded in it"
        )
        lines.append("  this execution ends Failed; later stages do not run")
        data["rollback"] = {"start": now, "end": end}
        return end

    # --- several executions ---------------------------------------------------------------------------

    def executions(self, path: timing.Path) -> list[dict[str, Any]]:
        count, interval = self.args.executions, self.args.interval
        if count <= 1:
            return []
        explain = {
            "SUPERSEDED": "each stage holds one execution at a time; an execution waiting in front of a locked "
            "stage is superseded by a newer one arriving there",
            "QUEUED": "each stage holds one execution at a time; waiting executions enter in the order they arrived",
            "PARALLEL": "executions run at the same time, independently (no stage locks, no stage rollback)",
        }.get(self.mode, "")
        self.say(f"\n{count} executions started {span(interval)} apart ({self.mode}): {explain}")
        out = []
        for execution in timing.schedule(path, self.mode, count, interval):
            if execution.status == "Superseded":
                held = path.end == "Held" and execution.waiting_for == path.held_at
                place = (
                    f"at the disabled transition into {execution.waiting_for}"
                    if held
                    else f"in front of {execution.waiting_for}"
                )
                state = (
                    f"Superseded by execution {execution.by} at {clock(execution.at)} "
                    f"(waiting {place} since {clock(execution.waiting_since or 0)})"
                )
            elif execution.status == "Held":
                state = f"waits at the disabled transition into {execution.waiting_for} from {clock(execution.at)}"
            else:
                state = f"{execution.status} at {clock(execution.at)}"
            self.say(f"  execution {execution.number}, started {clock(execution.start)}: {state}")
            visits = []
            for visit in execution.visits:
                waited = f" (waited from {clock(visit.arrived)})" if visit.arrived < visit.enter else ""
                visits.append(f"{visit.stage} {clock(visit.enter)} → {clock(visit.leave)}{waited}")
            if visits:
                self.say("    " + ", ".join(visits))
            out.append(
                {
                    "number": execution.number,
                    "start": execution.start,
                    "status": execution.status,
                    "at": execution.at,
                    "superseded_by": execution.by,
                    "waiting_for": execution.waiting_for,
                    "stages": [
                        {"name": v.stage, "arrived": v.arrived, "enter": v.enter, "leave": v.leave}
                        for v in execution.visits
                    ],
                }
            )
        return out

    # --- pictures -------------------------------------------------------------------------------------

    def _title(self, stage: Any) -> str:
        name = _stage_name(stage)
        return f"{name} (inbound transition disabled)" if name in self.disabled else name

    def mermaid(self) -> str:
        lines = ["flowchart LR"]
        ids = {}
        for s, stage in enumerate(self.model.stages):
            lines.append(f'  subgraph S{s}["{self._title(stage)}"]')
            for a, action in enumerate(stage.actions):
                ids[_name(action)] = f"S{s}A{a}"
                lines.append(f'    S{s}A{a}["{action.name} ({action.provider or "?"}, run {action.run_order})"]')
            lines.append("  end")
        for s in range(len(self.model.stages) - 1):
            arrow = "--x" if _stage_name(self.model.stages[s + 1]) in self.disabled else "-->"
            lines.append(f"  S{s} {arrow} S{s + 1}")
        for action in self.model.actions:
            for artifact in action.inputs:
                for other in self.model.actions:
                    if any(o.name == artifact.name for o in other.outputs):
                        lines.append(f"  {ids[_name(other)]} -. {artifact.name} .-> {ids[_name(action)]}")
        return "\n".join(lines) + "\n"

    def dot(self) -> str:
        lines = ["digraph pipeline {", "  rankdir=LR;", "  node [shape=box];"]
        for s, stage in enumerate(self.model.stages):
            lines.append(f'  subgraph cluster_{s} {{ label="{self._title(stage)}";')
            for action in stage.actions:
                lines.append(f'    "{_name(action)}" [label="{action.name}\\n{action.provider or "?"}"];')
            lines.append("  }")
        for action in self.model.actions:
            for artifact in action.inputs:
                for other in self.model.actions:
                    if any(o.name == artifact.name for o in other.outputs):
                        lines.append(
                            f'  "{_name(other)}" -> "{_name(action)}" [label="{artifact.name}", style=dashed];'
                        )
        lines.append("}")
        return "\n".join(lines) + "\n"
