"""A buildspec read into the shape CodeBuild runs: phases with commands, environment, artifacts, batch.

Every value keeps its document path so findings point at the spot. Shapes the schema rules did not
already reject but that cannot be simulated (a phase that is not a mapping, say) become CWB200 findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from codeward.linters.document import Path
from codeward.linters.simulate.common import Sim

PHASES = ("install", "pre_build", "build", "post_build")
PHASE_TITLES = {name: name.upper() for name in PHASES}


@dataclass
class Command:
    text: str
    path: Path
    # "commands" or "finally"
    block: str
    index: int  # 1-based within its block


@dataclass
class OnFailure:
    # "default", "ABORT", "CONTINUE" or "RETRY"
    action: str
    retries: int = 0
    regex: str | None = None
    raw: str = ""

    def describe(self) -> str:
        if self.action == "RETRY":
            match = f" when the error message matches /{self.regex}/" if self.regex else ""
            return f"RETRY: up to {self.retries} retr{'y' if self.retries == 1 else 'ies'}{match}"
        return self.action if self.action != "default" else "default transition"


@dataclass
class Phase:
    name: str
    defined: bool
    commands: list[Command] = field(default_factory=list)
    finally_: list[Command] = field(default_factory=list)
    run_as: str | None = None
    on_failure: OnFailure = field(default_factory=lambda: OnFailure("default"))
    runtime_versions: dict[str, str] = field(default_factory=dict)
    path: Path = ()

    @property
    def title(self) -> str:
        return PHASE_TITLES[self.name]


@dataclass
class EnvEntry:
    name: str
    # Plain value, or the reference (parameter name, secret id) for secrets.
    value: str
    # "variables", "parameter-store", "secrets-manager", "exported"
    section: str
    path: Path


@dataclass
class ArtifactSpec:
    identifier: str  # "" for the primary artifact
    files: list[str]
    path: Path
    base_directory: str | None = None
    discard_paths: bool = False
    exclude_paths: list[str] = field(default_factory=list)
    name: str | None = None


@dataclass
class ReportSpec:
    group: str
    files: list[str]
    path: Path
    base_directory: str | None = None
    discard_paths: bool = False
    file_format: str = "JUNITXML"


@dataclass
class CacheSpec:
    paths: list[str]
    path: Path
    key: str | None = None
    fallback_keys: list[str] = field(default_factory=list)
    action: str | None = None


@dataclass
class BatchTask:
    identifier: str
    path: Path
    buildspec: str | None = None
    depend_on: list[tuple[str, Path]] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    ignore_failure: bool = False


@dataclass
class Batch:
    # "build-list", "build-graph" or "build-matrix" (or "build-fanout")
    mode: str
    path: Path
    fast_fail: bool = False
    tasks: list[BatchTask] = field(default_factory=list)
    fanout: dict[str, Any] = field(default_factory=dict)


@dataclass
class BuildSpec:
    version: str
    shell: str | None
    run_as: str | None
    env: list[EnvEntry]
    exported: list[tuple[str, Path]]
    phases: list[Phase]
    artifacts: list[ArtifactSpec]
    reports: list[ReportSpec]
    cache: CacheSpec | None
    batch: Batch | None

    @property
    def one_shell(self) -> bool:
        return self.version != "0.1"

    def phase(self, name: str) -> Phase:
        return next(p for p in self.phases if p.name == name)


_TRUE = {"yes", "true", "on", "y"}


def parse_on_failure(raw: str) -> OnFailure | None:
    upper = raw.strip().upper()
    if upper in ("ABORT", "CONTINUE"):
        return OnFailure(upper, raw=raw)
    if upper == "RETRY":
        return OnFailure("RETRY", 3, None, raw)
    if upper.startswith("RETRY-"):
        rest = raw.strip()[6:]
        match = re.fullmatch(r"(\d+)(?:-(.+))?", rest, re.S)
        if match:
            count = int(match.group(1))
            if count > 100:
                return None
            return OnFailure("RETRY", count, match.group(2), raw)
        return OnFailure("RETRY", 3, rest, raw) if rest else None
    return None


class Reader:
    """Reads a loaded buildspec; shape problems go to CWB200."""

    def __init__(self, sim: Sim) -> None:
        from codeward.linters.simulate.rules.CWB200_build_not_simulable import BuildNotSimulable

        self.sim = sim
        self.rule = BuildNotSimulable
        self.ok = True

    def problem(self, path: Path, message: str) -> None:
        self.ok = False
        self.sim.report(self.rule, path, message)

    def scalar(self, path: Path, value: Any, what: str) -> str | None:
        if isinstance(value, (dict, list)):
            self.problem(
                path, f"{what} must be a single value, not a {'mapping' if isinstance(value, dict) else 'list'}"
            )
            return None
        return self.sim.text(path, value)

    def mapping(self, path: Path, value: Any, what: str) -> dict[str, Any] | None:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"{what} must be a mapping")
            return None
        return value

    def strings(self, path: Path, value: Any, what: str) -> list[tuple[str, Path]]:
        if value is None:
            return []
        if not isinstance(value, list):
            value, single = [value], True
        else:
            single = False
        out = []
        for i, item in enumerate(value):
            item_path = path if single else (*path, i)
            text = self.scalar(item_path, item, f"each entry of {what}")
            if text is not None:
                out.append((text, item_path))
        return out

    def flag(self, path: Path, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        return self.sim.text(path, value).strip().lower() in _TRUE

    def read(self, data: Any) -> BuildSpec | None:
        if not isinstance(data, dict):
            self.problem((), "a buildspec must be a mapping with `version` and `phases`")
            return None
        version = self.sim.text(("version",), data.get("version")) if "version" in data else ""
        if version not in ("0.1", "0.2"):
            where = ("version",) if "version" in data else ()
            self.problem(
                where, f"cannot simulate buildspec version {version or '(missing)'!r}: CodeBuild runs 0.1 or 0.2"
            )
            return None
        env_key = "env" if "env" in data else "environment_variables" if "environment_variables" in data else "env"
        env = self.mapping((env_key,), data.get(env_key), f"`{env_key}`") or {}
        entries: list[EnvEntry] = []
        for section in ("variables", "plaintext", "parameter-store", "secrets-manager"):
            table = self.mapping((env_key, section), env.get(section), f"`{env_key}.{section}`")
            for name, value in (table or {}).items():
                text = self.scalar((env_key, section, name), value, f"the value of {name}")
                if text is not None:
                    kind = "variables" if section == "plaintext" else section
                    entries.append(EnvEntry(str(name), text, kind, (env_key, section, name)))
        exported = self.strings((env_key, "exported-variables"), env.get("exported-variables"), "exported-variables")
        shell = env.get("shell")
        shell_text = self.scalar((env_key, "shell"), shell, "`env.shell`") if shell is not None else None
        run_as = self.scalar(("run-as",), data["run-as"], "`run-as`") if data.get("run-as") is not None else None
        phases_data = data.get("phases")
        if phases_data is None:
            self.problem((), "a buildspec needs `phases`: without it CodeBuild has nothing to run")
            return None
        phases_map = self.mapping(("phases",), phases_data, "`phases`")
        if phases_map is None:
            return None
        phases = [self.read_phase(name, phases_map) for name in PHASES]
        artifacts = self.read_artifacts(data)
        reports = self.read_reports(data)
        cache = self.read_cache(data)
        batch = self.read_batch(data)
        if not self.ok:
            return None
        return BuildSpec(
            version,
            shell_text,
            run_as,
            entries,
            exported,
            phases,
            artifacts,
            reports,
            cache,
            batch,
        )

    def read_phase(self, name: str, phases: dict[str, Any]) -> Phase:
        path: Path = ("phases", name)
        if name not in phases:
            return Phase(name, False, path=path)
        body = self.mapping(path, phases[name], f"phase `{name}`") or {}
        phase = Phase(name, True, path=path)
        for block in ("commands", "finally"):
            items = self.strings((*path, block), body.get(block), f"`{name}.{block}`")
            target = phase.commands if block == "commands" else phase.finally_
            for i, (text, item_path) in enumerate(items, 1):
                target.append(Command(text, item_path, block, i))
        if body.get("run-as") is not None:
            phase.run_as = self.scalar((*path, "run-as"), body["run-as"], "`run-as`")
        if body.get("on-failure") is not None:
            raw = self.scalar((*path, "on-failure"), body["on-failure"], "`on-failure`") or ""
            parsed = parse_on_failure(raw)
            if parsed is None:
                self.problem(
                    (*path, "on-failure"),
                    f"cannot simulate on-failure {raw!r}: expected ABORT, CONTINUE, RETRY, RETRY-<count>, "
                    "RETRY-<regex> or RETRY-<count>-<regex>",
                )
            else:
                if parsed.regex is not None:
                    try:
                        re.compile(parsed.regex)
                    except re.error as exc:
                        self.problem(
                            (*path, "on-failure"), f"the retry pattern {parsed.regex!r} is not a valid regex: {exc}"
                        )
                phase.on_failure = parsed
        versions = self.mapping((*path, "runtime-versions"), body.get("runtime-versions"), "`runtime-versions`")
        for runtime, version in (versions or {}).items():
            text = self.scalar((*path, "runtime-versions", runtime), version, f"the version of {runtime}")
            phase.runtime_versions[str(runtime)] = text or ""
        return phase

    def artifact(self, identifier: str, path: Path, value: Any) -> ArtifactSpec | None:
        body = self.mapping(path, value, "an artifact")
        if body is None:
            return None
        files = [text for text, _ in self.strings((*path, "files"), body.get("files"), "`files`")]
        spec = ArtifactSpec(identifier, files, path)
        if body.get("base-directory") is not None:
            spec.base_directory = self.scalar((*path, "base-directory"), body["base-directory"], "`base-directory`")
        if body.get("discard-paths") is not None:
            spec.discard_paths = self.flag((*path, "discard-paths"), body["discard-paths"])
        spec.exclude_paths = [
            t for t, _ in self.strings((*path, "exclude-paths"), body.get("exclude-paths"), "`exclude-paths`")
        ]
        if body.get("name") is not None:
            spec.name = self.scalar((*path, "name"), body["name"], "`name`")
        return spec

    def read_artifacts(self, data: dict[str, Any]) -> list[ArtifactSpec]:
        if data.get("artifacts") is None:
            return []
        body = self.mapping(("artifacts",), data["artifacts"], "`artifacts`")
        if body is None:
            return []
        out = []
        if "files" in body:
            primary = self.artifact("", ("artifacts",), body)
            if primary:
                out.append(primary)
        secondary = self.mapping(
            ("artifacts", "secondary-artifacts"), body.get("secondary-artifacts"), "`secondary-artifacts`"
        )
        for identifier, value in (secondary or {}).items():
            spec = self.artifact(str(identifier), ("artifacts", "secondary-artifacts", identifier), value)
            if spec:
                out.append(spec)
        return out

    def read_reports(self, data: dict[str, Any]) -> list[ReportSpec]:
        groups = self.mapping(("reports",), data.get("reports"), "`reports`") or {}
        out = []
        for group, value in groups.items():
            path: Path = ("reports", group)
            body = self.mapping(path, value, f"report group {group}")
            if body is None:
                continue
            files = [t for t, _ in self.strings((*path, "files"), body.get("files"), "`files`")]
            spec = ReportSpec(str(group), files, path)
            if body.get("base-directory") is not None:
                spec.base_directory = self.scalar((*path, "base-directory"), body["base-directory"], "`base-directory`")
            if body.get("discard-paths") is not None:
                spec.discard_paths = self.flag((*path, "discard-paths"), body["discard-paths"])
            if body.get("file-format") is not None:
                spec.file_format = (
                    self.scalar((*path, "file-format"), body["file-format"], "`file-format`") or ""
                ).upper()
            out.append(spec)
        return out

    def read_cache(self, data: dict[str, Any]) -> CacheSpec | None:
        if data.get("cache") is None:
            return None
        body = self.mapping(("cache",), data["cache"], "`cache`")
        if body is None:
            return None
        spec = CacheSpec([t for t, _ in self.strings(("cache", "paths"), body.get("paths"), "`paths`")], ("cache",))
        if body.get("key") is not None:
            spec.key = self.scalar(("cache", "key"), body["key"], "`cache.key`")
        spec.fallback_keys = [
            t for t, _ in self.strings(("cache", "fallback-keys"), body.get("fallback-keys"), "`fallback-keys`")
        ]
        if body.get("action") is not None:
            spec.action = self.scalar(("cache", "action"), body["action"], "`cache.action`")
        return spec

    def task(self, path: Path, value: Any, graph: bool) -> BatchTask | None:
        body = self.mapping(path, value, "a batch task")
        if body is None:
            return None
        identifier = (
            self.scalar((*path, "identifier"), body.get("identifier"), "`identifier`") if "identifier" in body else None
        )
        if not identifier:
            self.problem(path, "a batch task needs an `identifier`")
            return None
        task = BatchTask(identifier, path)
        if body.get("buildspec") is not None:
            task.buildspec = self.scalar((*path, "buildspec"), body["buildspec"], "`buildspec`")
        if body.get("ignore-failure") is not None:
            task.ignore_failure = self.flag((*path, "ignore-failure"), body["ignore-failure"])
        if graph:
            task.depend_on = self.strings((*path, "depend-on"), body.get("depend-on"), "`depend-on`")
        env = self.mapping((*path, "env"), body.get("env"), "`env`") or {}
        for key, item in env.items():
            if key == "variables":
                for name, v in (self.mapping((*path, "env", "variables"), item, "`env.variables`") or {}).items():
                    text = self.scalar((*path, "env", "variables", name), v, f"the value of {name}")
                    if text is not None:
                        task.variables[str(name)] = text
            else:
                text = self.scalar((*path, "env", key), item, f"`env.{key}`")
                if text is not None:
                    task.env[str(key)] = text
        return task

    def read_batch(self, data: dict[str, Any]) -> Batch | None:
        if data.get("batch") is None:
            return None
        body = self.mapping(("batch",), data["batch"], "`batch`")
        if body is None:
            return None
        modes = [m for m in ("build-list", "build-graph", "build-matrix", "build-fanout") if m in body]
        if not modes:
            self.problem(("batch",), "`batch` needs one of build-list, build-graph, build-matrix or build-fanout")
            return None
        mode = modes[0]
        batch = Batch(mode, ("batch", mode))
        if body.get("fast-fail") is not None:
            batch.fast_fail = self.flag(("batch", "fast-fail"), body["fast-fail"])
        if mode in ("build-list", "build-graph"):
            items = body.get(mode)
            if not isinstance(items, list):
                self.problem(("batch", mode), f"`{mode}` must be a list of tasks")
                return None
            for i, item in enumerate(items):
                task = self.task(("batch", mode, i), item, mode == "build-graph")
                if task:
                    batch.tasks.append(task)
        elif mode == "build-matrix":
            batch.tasks = self.expand_matrix(body.get(mode))
        else:
            fanout = self.mapping(("batch", mode), body.get(mode), "`build-fanout`") or {}
            batch.fanout = {str(k): self.sim.text(("batch", mode, k), v) for k, v in fanout.items()}
        return batch

    def expand_matrix(self, value: Any) -> list[BatchTask]:
        """One task per combination of the dynamic values, in declaration order."""
        path: Path = ("batch", "build-matrix")
        body = self.mapping(path, value, "`build-matrix`") or {}
        static = self.mapping((*path, "static"), body.get("static"), "`static`") or {}
        dynamic = self.mapping((*path, "dynamic"), body.get("dynamic"), "`dynamic`") or {}
        ignore_failure = bool(static.get("ignore-failure")) and self.flag(
            (*path, "static", "ignore-failure"), static["ignore-failure"]
        )
        static_env = self.mapping((*path, "static", "env"), static.get("env"), "`static.env`") or {}
        axes: list[tuple[str, list[str]]] = []
        if "buildspec" in dynamic:
            axes.append(
                (
                    "buildspec",
                    [t for t, _ in self.strings((*path, "dynamic", "buildspec"), dynamic["buildspec"], "`buildspec`")],
                )
            )
        denv = self.mapping((*path, "dynamic", "env"), dynamic.get("env"), "`dynamic.env`") or {}
        for key in ("compute-type", "image", "type"):
            if key in denv:
                axes.append(
                    (f"env.{key}", [t for t, _ in self.strings((*path, "dynamic", "env", key), denv[key], f"`{key}`")])
                )
        variables = self.mapping((*path, "dynamic", "env", "variables"), denv.get("variables"), "`variables`") or {}
        for name, values in variables.items():
            axes.append(
                (
                    f"var.{name}",
                    [t for t, _ in self.strings((*path, "dynamic", "env", "variables", name), values, f"`{name}`")],
                )
            )
        combos: list[list[tuple[str, str]]] = [[]]
        for axis, values in axes:
            combos = [[*combo, (axis, v)] for combo in combos for v in values]
        tasks = []
        for number, combo in enumerate(combos, 1):
            task = BatchTask(f"build{number}", path, ignore_failure=ignore_failure)
            task.env = {
                str(k): self.sim.text((*path, "static", "env", k), v) for k, v in static_env.items() if k != "variables"
            }
            for axis, v in combo:
                if axis == "buildspec":
                    task.buildspec = v
                elif axis.startswith("env."):
                    task.env[axis[4:]] = v
                else:
                    task.variables[axis[4:]] = v
            tasks.append(task)
        return tasks
