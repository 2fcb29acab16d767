"""Pipeline simulation: one execution (or several, for the execution modes) through the stages.

Built on `linters.pipeline_form`'s model, so the API form and CloudFormation templates behave the same.
Within a stage, actions with the same runOrder run in parallel and lower runOrders first; a failed
action lets the rest of its group finish, then the stage fails and later stages do not run (unless the
stage's V2 `onFailure` retries or rolls back). Manual approvals are approved unless `--reject`ed.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import Any

from linters.simulate.common import Sim, SimulationError, Trace, suggest

_VARIABLE = re.compile(r"#\{([^}]*)\}")


class _Ctx:
    """The little of a lint Context that `pipeline_model` needs."""

    def __init__(self, label: str) -> None:
        self.cache: dict[str, Any] = {"view": (label, ())}


def models(document: Any) -> list[Any]:
    from linters.pipeline_form import is_template, pipeline_model, pipeline_views

    out = []
    for label, path, value in pipeline_views(document.data):
        if is_template(document.data) and not path:
            continue
        model = pipeline_model(_Ctx(label), value, path)
        if model is not None and model.stages:
            out.append(model)
    return out


def _name(action: Any) -> str:
    return f"{action.stage.name}.{action.name}"


def _strings(value: Any, path: tuple[Any, ...]) -> list[tuple[str, tuple[Any, ...]]]:
    if isinstance(value, str):
        return [(value, path)]
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in _strings(v, (*path, k))]
    if isinstance(value, list):
        return [item for i, v in enumerate(value) for item in _strings(v, (*path, i))]
    return []


def simulate_pipeline(document: Any, trace: Trace, args: Any) -> None:
    from linters.simulate.rules.CWP200_pipeline_not_simulable import PipelineNotSimulable

    sim = Sim(document, trace)
    found = models(document)
    if not found:
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
    for number, model in enumerate(found):
        if number:
            trace.say("")
        Run(sim, trace, args, model).run()


class Run:
    def __init__(self, sim: Sim, trace: Trace, args: Any, model: Any) -> None:
        self.sim, self.trace, self.args, self.model = sim, trace, args, model
        self.say = trace.say
        self.actions = {_name(a): a for a in model.actions}
        for target in [*args.fail, *args.reject, *args.approve]:
            if target not in self.actions:
                raise SimulationError(
                    f"{target!r} is not STAGE.ACTION of this pipeline{suggest(target, list(self.actions))}"
                )

    def variables(self) -> dict[str, str]:
        declared: dict[str, str] = {}
        value = self.model.raw("variables")
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    name = item.get(self.model.key("name"))
                    default = item.get(self.model.key("defaultValue"))
                    if isinstance(name, str):
                        declared[name] = str(default) if default is not None else ""
        given = dict(self.args.var)
        unknown = [n for n in given if n not in declared]
        if unknown:
            raise SimulationError(
                f"--var {unknown[0]}: the pipeline declares no such variable ({', '.join(declared) or 'none'})"
            )
        return {**declared, **given}

    def resolve(self, action: Any, values: dict[str, str]) -> list[str]:
        """Each `#{...}` in the action's configuration, resolved or reported."""
        from linters.simulate.rules.CWP201_undefined_variable import PipelineUndefinedVariable

        namespaces = {}
        for other in self.model.actions:
            ns = other.text("namespace")
            if ns:
                namespaces[ns] = other
        lines = []
        config = action.raw("configuration")
        for text, path in _strings(config, action.at("configuration")):
            for match in _VARIABLE.finditer(text):
                ref = match.group(1)
                namespace, _, key = ref.partition(".")
                if namespace == "codepipeline" and key == "PipelineExecutionId":
                    lines.append(f"#{{{ref}}} = <execution id>")
                elif namespace == "variables" and key in values:
                    lines.append(f"#{{{ref}}} = {values[key]!r}")
                elif namespace in namespaces and namespaces[namespace].runs_before(action):
                    lines.append(f"#{{{ref}}} = output of {_name(namespaces[namespace])} (known at run time)")
                else:
                    if namespace == "variables":
                        why = f"the pipeline declares no variable {key!r}"
                    elif namespace in namespaces:
                        why = f"{_name(namespaces[namespace])} does not run before {_name(action)}"
                    else:
                        why = f"no action has the namespace {namespace!r}"
                    self.sim.report(PipelineUndefinedVariable, path, f"#{{{ref}}} cannot be resolved: {why}")
                    lines.append(f"#{{{ref}}} = UNRESOLVED ({why})")
        return lines

    def run(self) -> None:
        model = self.model
        values = self.variables()
        mode = str(model.raw("executionMode") or "SUPERSEDED")
        title = model.label or "pipeline"
        self.say(f"Pipeline simulation of {self.trace.path}: {title} ({model.pipeline_type or 'V1'}, {mode})")
        if values:
            self.say("  variables: " + ", ".join(f"{k}={v!r}" for k, v in values.items()))
        producers: dict[str, str] = {}
        consumers: dict[str, list[str]] = {}
        stages_json = []
        minute = 0
        failed_at = ""
        for stage in model.stages:
            if failed_at:
                self.say(f"\nStage {stage.name}: not reached")
                stages_json.append({"name": stage.name, "status": "NotRun"})
                continue
            self.say(f"\nStage {stage.name}")
            stage_failed: list[str] = []
            groups = []
            ordered = sorted(stage.actions, key=lambda a: a.run_order or 0)
            for order, group in groupby(ordered, key=lambda a: a.run_order or 0):
                members = list(group)
                if stage_failed:
                    self.say(f"  runOrder {order}: not started ({', '.join(a.name for a in members)})")
                    groups.append(
                        {"run_order": order, "actions": [{"name": a.name, "status": "NotRun"} for a in members]}
                    )
                    continue
                together = " (in parallel)" if len(members) > 1 else ""
                self.say(f"  step {minute + 1}  runOrder {order}{together}:")
                group_json = []
                for action in members:
                    name = _name(action)
                    inputs = [a.name for a in action.inputs]
                    outputs = [a.name for a in action.outputs]
                    for artifact in inputs:
                        consumers.setdefault(artifact, []).append(name)
                    status = "Succeeded"
                    if action.category == "Approval":
                        status = "Rejected" if name in self.args.reject else "Approved"
                    if name in self.args.fail:
                        status = "Failed"
                    where = f"{action.category or '?'}/{action.provider or '?'}"
                    io = ""
                    if inputs:
                        io += f" in: {', '.join(inputs)}"
                    if outputs:
                        io += f" out: {', '.join(outputs)}"
                    self.say(f"    {action.name} [{where}]{io}  -> {status}")
                    for line in self.resolve(action, values):
                        self.say(f"      {line}")
                    if status in ("Failed", "Rejected"):
                        stage_failed.append(name)
                    else:
                        for artifact in outputs:
                            producers[artifact] = name
                    group_json.append({"name": action.name, "status": status, "inputs": inputs, "outputs": outputs})
                groups.append({"run_order": order, "actions": group_json})
                minute += 1
            result = "Succeeded"
            if stage_failed:
                result = self.on_failure(stage, stage_failed)
                if result != "Succeeded":
                    failed_at = stage.name
            stages_json.append({"name": stage.name, "status": result, "groups": groups})
        outcome = "Failed" if failed_at else "Succeeded"
        self.say(f"\nExecution would end: {outcome}" + (f" (stage {failed_at})" if failed_at else ""))
        self.say("\nArtifacts:")
        flow = []
        for artifact in sorted(set(producers) | set(consumers)):
            made_by = producers.get(artifact, "(no producer ran)")
            used_by = consumers.get(artifact, [])
            self.say(f"  {artifact}: {made_by} -> {', '.join(used_by) or '(unused)'}")
            flow.append({"artifact": artifact, "producer": producers.get(artifact), "consumers": used_by})
        self.modes(mode)
        self.trace.data.setdefault("pipelines", []).append(
            {"label": model.label, "mode": mode, "stages": stages_json, "artifacts": flow, "result": outcome}
        )
        self.trace.data["mermaid"] = self.mermaid()
        self.trace.data["dot"] = self.dot()

    def on_failure(self, stage: Any, failed: list[str]) -> str:
        on_failure = stage.raw("onFailure")
        result = ""
        if isinstance(on_failure, dict):
            result = str(on_failure.get(stage.key("result")) or "").upper()
        self.say(f"  stage {stage.name} fails ({', '.join(failed)}); the other actions of the group finished")
        if result == "RETRY":
            self.say("  onFailure RETRY: the failed actions run again; if they fail again the execution fails")
            return "Failed"
        if result == "ROLLBACK":
            self.say("  onFailure ROLLBACK: the stage rolls back to the last successful execution's revisions")
            return "RolledBack"
        self.say("  the execution stops here; later stages do not run (retry the stage to go on)")
        return "Failed"

    def modes(self, mode: str) -> None:
        count = self.args.executions
        if count <= 1:
            return
        stages = [s.name for s in self.model.stages]
        self.say(f"\n{count} executions started close together ({mode}):")
        if mode == "PARALLEL":
            self.say("  all run at the same time, independently; no stage rollback in this mode")
        elif mode == "QUEUED":
            for n in range(1, count + 1):
                self.say(
                    f"  execution {n}: waits for execution {n - 1} to leave each stage"
                    if n > 1
                    else "  execution 1: runs"
                )
        else:
            self.say(f"  execution 1 runs; each stage ({', '.join(stages)}) holds one execution at a time")
            if count > 2:
                waiting = "execution 2 waits" if count == 3 else f"executions 2..{count - 1} wait"
                self.say(
                    f"  {waiting} at the first locked stage and {'is' if count == 3 else 'are'} superseded by {count}"
                )
            self.say(f"  execution {count} runs when the stage frees up")

    def mermaid(self) -> str:
        lines = ["flowchart LR"]
        ids = {}
        for s, stage in enumerate(self.model.stages):
            lines.append(f'  subgraph S{s}["{stage.name}"]')
            for a, action in enumerate(stage.actions):
                ids[_name(action)] = f"S{s}A{a}"
                lines.append(f'    S{s}A{a}["{action.name} ({action.provider or "?"}, run {action.run_order})"]')
            lines.append("  end")
        for s in range(len(self.model.stages) - 1):
            lines.append(f"  S{s} --> S{s + 1}")
        for action in self.model.actions:
            for artifact in action.inputs:
                for other in self.model.actions:
                    if any(o.name == artifact.name for o in other.outputs):
                        lines.append(f"  {ids[_name(other)]} -. {artifact.name} .-> {ids[_name(action)]}")
        return "\n".join(lines) + "\n"

    def dot(self) -> str:
        lines = ["digraph pipeline {", "  rankdir=LR;", "  node [shape=box];"]
        for s, stage in enumerate(self.model.stages):
            lines.append(f'  subgraph cluster_{s} {{ label="{stage.name}";')
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
