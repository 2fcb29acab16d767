"""Build simulation: the phases CodeBuild runs, in order, with the environment each command sees, the
failure path (`--fail-at`), artifacts / reports / cache resolved against the source directory, batch
builds, and (`--execute`) a real run with bash.

Phase transitions follow CodeBuild's documented behaviour (see docs/simulate.md for the sources):
- a failing command stops the rest of its phase's `commands`; `finally` still runs; the phase fails;
- no `on-failure`: a failure in INSTALL or PRE_BUILD ends the build (straight to FINALIZING); a failure
  in BUILD still runs POST_BUILD; UPLOAD_ARTIFACTS runs after BUILD/POST_BUILD whatever their result;
- `on-failure: ABORT` stops the build there; `CONTINUE` goes on to the next phase; `RETRY[-N][-regex]`
  runs the phase again up to N (default 3) times while the error message matches, then falls back to
  the default transition;
- CODEBUILD_BUILD_SUCCEEDING is 1 until a phase has failed, 0 from the next phase on.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from codeward.linters.simulate import shellscan
from codeward.linters.simulate.buildspec_model import PHASES, BuildSpec, Command, Phase, Reader
from codeward.linters.simulate.common import Sim, SimulationError, Trace, duration
from codeward.linters.simulate.files import FileSet, Tree, resolve

from codeward.findings import Severity

# The phases around the buildspec's own, in CodeBuild's order.
BEFORE = ("SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE")
AFTER = ("UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED")

# Variables a command can read without the buildspec setting them: the shell's own and the usual ones
# of CodeBuild's standard images.
SHELL_VARS = frozenset(
    [
        "PATH",
        "HOME",
        "PWD",
        "OLDPWD",
        "USER",
        "LOGNAME",
        "SHELL",
        "HOSTNAME",
        "HOSTTYPE",
        "OSTYPE",
        "MACHTYPE",
        "LANG",
        "LC_ALL",
        "TERM",
        "IFS",
        "RANDOM",
        "SRANDOM",
        "SECONDS",
        "LINENO",
        "UID",
        "EUID",
        "PPID",
        "SHLVL",
        "BASH",
        "BASH_VERSION",
        "BASH_SOURCE",
        "BASH_REMATCH",
        "BASHPID",
        "FUNCNAME",
        "PIPESTATUS",
        "REPLY",
        "OPTARG",
        "OPTIND",
        "DIRSTACK",
        "GROUPS",
        "TMPDIR",
        "EPOCHSECONDS",
        "EPOCHREALTIME",
    ]
)
# Documented CodeBuild variables that are set only in some builds (a git source, a webhook, a batch).
CODEBUILD_SOMETIMES = frozenset(
    [
        "CODEBUILD_RESOLVED_SOURCE_VERSION",
        "CODEBUILD_SOURCE_VERSION",
        "CODEBUILD_SOURCE_REPO_URL",
        "CODEBUILD_PUBLIC_BUILD_URL",
        "CODEBUILD_BATCH_BUILD_IDENTIFIER",
        "CODEBUILD_WEBHOOK_ACTOR_ACCOUNT_ID",
        "CODEBUILD_WEBHOOK_BASE_REF",
        "CODEBUILD_WEBHOOK_EVENT",
        "CODEBUILD_WEBHOOK_HEAD_REF",
        "CODEBUILD_WEBHOOK_MERGE_COMMIT",
        "CODEBUILD_WEBHOOK_PREV_COMMIT",
        "CODEBUILD_WEBHOOK_TRIGGER",
    ]
)
IMAGE_VARS = frozenset(
    [
        "JAVA_HOME",
        "JDK_HOME",
        "JRE_HOME",
        "GOPATH",
        "GOROOT",
        "ANDROID_HOME",
        "ANDROID_SDK_ROOT",
        "GRADLE_HOME",
        "MAVEN_HOME",
        "M2_HOME",
        "DOTNET_ROOT",
        "NODE_HOME",
        "PYTHONPATH",
        "PYENV_ROOT",
        "RBENV_ROOT",
        "NVM_DIR",
        "DOCKER_BUCKET",
        "DOCKER_VERSION",
        "DEBIAN_FRONTEND",
        "SRC_DIR",
    ]
)


@dataclass
class Options:
    source_dir: str
    execute: bool = False
    fail_at: list[str] = field(default_factory=list)
    region: str = "us-east-1"
    project: str = ""
    image: str = "aws/codebuild/standard:7.0"
    build_number: int = 1
    env_overrides: dict[str, str] = field(default_factory=dict)
    env_file_values: dict[str, str] = field(default_factory=dict)
    timeout: float = 3600.0
    artifacts_dir: str | None = None
    batch_task: str | None = None
    # Names passed on from codeward's environment (besides common.BASE_ENVIRONMENT), --pass-env.
    pass_env: tuple[str, ...] = ()
    # Write --execute output to the terminal as it happens.
    live: Any = None


@dataclass
class EnvVar:
    name: str
    value: str
    source: str
    secret: bool = False
    # Lower-precedence definitions this one replaces.
    replaces: list[str] = field(default_factory=list)
    resolved: bool = True


# --------------------------------------------------------------------------------------------------
# Environment


def git_revision(source_dir: str) -> str | None:
    """HEAD's commit id, read from .git without running git."""
    git = os.path.join(source_dir, ".git")
    try:
        with open(os.path.join(git, "HEAD"), encoding="utf-8") as handle:
            head = handle.read(200).strip()
        if not head.startswith("ref: "):
            return head if re.fullmatch(r"[0-9a-f]{40}", head) else None
        ref = head[5:]
        loose = os.path.join(git, *ref.split("/"))
        if os.path.isfile(loose):
            with open(loose, encoding="utf-8") as handle:
                return handle.read(64).strip() or None
        with open(os.path.join(git, "packed-refs"), encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref:
                    return parts[0]
    except OSError:
        return None
    return None


def codebuild_vars(spec: BuildSpec, options: Options, *, succeeding: bool, dry: bool) -> dict[str, str]:
    """What CodeBuild sets for every build; dry runs show placeholders for per-build values."""
    project = options.project or os.path.basename(os.path.abspath(options.source_dir)) or "project"
    build_uuid = "<build-uuid>" if dry else str(uuid.uuid4())
    build_id = f"{project}:{build_uuid}"
    account = "000000000000"
    values = {
        "AWS_REGION": options.region,
        "AWS_DEFAULT_REGION": options.region,
        "CODEBUILD_BUILD_ARN": f"arn:aws:codebuild:{options.region}:{account}:build/{build_id}",
        "CODEBUILD_BUILD_ID": build_id,
        "CODEBUILD_BUILD_IMAGE": options.image,
        "CODEBUILD_BUILD_NUMBER": str(options.build_number),
        "CODEBUILD_BUILD_SUCCEEDING": "1" if succeeding else "0",
        "CODEBUILD_INITIATOR": "codeward-simulate",
        "CODEBUILD_KMS_KEY_ID": f"arn:aws:kms:{options.region}:{account}:alias/aws/s3",
        "CODEBUILD_LOG_PATH": build_uuid,
        "CODEBUILD_SRC_DIR": os.path.abspath(options.source_dir),
        "CODEBUILD_START_TIME": "<start-time-ms>" if dry else str(int(time.time() * 1000)),
    }
    revision = git_revision(options.source_dir)
    if revision:
        values["CODEBUILD_RESOLVED_SOURCE_VERSION"] = revision
        values["CODEBUILD_SOURCE_VERSION"] = revision
    if options.batch_task:
        values["CODEBUILD_BATCH_BUILD_IDENTIFIER"] = options.batch_task
    return values


def environment(spec: BuildSpec, options: Options, *, dry: bool) -> list[EnvVar]:
    """Every variable the build's commands start with, highest-precedence definition kept.

    Lowest to highest: buildspec env.variables, env.parameter-store, env.secrets-manager (a secret
    replaces a plain variable of the same name), then the project / StartBuild level (--env-file entries
    that are not secret values, --env); CodeBuild's own CODEBUILD_* variables cannot be replaced.
    """
    table: dict[str, EnvVar] = {}

    def put(var: EnvVar) -> None:
        old = table.get(var.name)
        if old is not None:
            var.replaces = [*old.replaces, old.source]
        table[var.name] = var

    for name, value in codebuild_vars(spec, options, succeeding=True, dry=dry).items():
        if name.startswith("AWS_"):
            put(EnvVar(name, value, "CodeBuild"))
    secrets = {e.name for e in spec.env if e.section in ("parameter-store", "secrets-manager")}
    # A stored secret may be supplied by exporting it, but only under a name passed on with --pass-env: the
    # buildspec must not be able to ask for the CI's own tokens by declaring them.
    inherited = {name: os.environ[name] for name in options.pass_env if name in os.environ}
    for entry in spec.env:
        if entry.section == "variables":
            put(EnvVar(entry.name, entry.value, "buildspec env.variables"))
    for entry in spec.env:
        if entry.section in ("parameter-store", "secrets-manager"):
            supplied = options.env_overrides.get(
                entry.name, options.env_file_values.get(entry.name, inherited.get(entry.name))
            )
            where = f"buildspec env.{entry.section} {entry.value}"
            put(EnvVar(entry.name, supplied or "", where, secret=True, resolved=supplied is not None))
    if options.batch_task:
        for name, value in options_batch_variables(spec, options).items():
            put(EnvVar(name, value, f"batch task {options.batch_task}"))
    for name, value in options.env_file_values.items():
        if name not in secrets:
            put(EnvVar(name, value, "project (--env-file)"))
    for name, value in options.env_overrides.items():
        put(EnvVar(name, value, "StartBuild override (--env)", secret=name in secrets))
    for name, value in codebuild_vars(spec, options, succeeding=True, dry=dry).items():
        if not name.startswith("AWS_"):
            put(EnvVar(name, value, "CodeBuild"))
    from codeward.linters.rules.buildspec.CWB104_plaintext_secret import classify

    for var in table.values():  # plain-text credentials are shown and passed on masked, like stored ones
        if not var.secret and var.source != "CodeBuild" and classify(var.name, var.value):
            var.secret = True
    return sorted(table.values(), key=lambda v: v.name)


def options_batch_variables(spec: BuildSpec, options: Options) -> dict[str, str]:
    if spec.batch is None:
        return {}
    for task in spec.batch.tasks:
        if task.identifier == options.batch_task:
            return task.variables
    return {}


def mask(value: str) -> str:
    return "****" if value else ""


# --------------------------------------------------------------------------------------------------
# Static reading of the commands: what each sees, and problems with 0.1's separate shells


@dataclass
class CommandView:
    reads: list[tuple[str, str]]
    cwd: str | None


def analyse(spec: BuildSpec, sim: Sim, env: list[EnvVar], *, report: bool) -> dict[int, CommandView]:
    """For each command (by id()), the variables it reads and where they come from, and its directory.

    Reports CWB211 (state lost between 0.1 commands) and CWB212 (undefined variables) when `report`.
    """
    from codeward.linters.simulate.rules.CWB210_state_lost_between_commands import StateLostBetweenCommands
    from codeward.linters.simulate.rules.CWB211_undefined_variable import UndefinedVariable

    known = {v.name: v.source for v in env}
    assigned: dict[str, str] = {}
    cwd: str | None = None
    cwd_origin = ""
    views: dict[int, CommandView] = {}
    lost_reported: set[int] = set()
    for phase in spec.phases:
        for command in [*phase.commands, *phase.finally_]:
            label = (
                f"{phase.name} {command.block} #{command.index}"
                if command.block == "finally"
                else f"{phase.name} #{command.index}"
            )
            local = dict(shellscan.assignments(command.text))
            reads: list[tuple[str, str]] = []
            seen: set[str] = set()
            for ref in shellscan.references(command.text):
                if ref.name in seen:
                    continue
                seen.add(ref.name)
                if ref.name in local and local[ref.name] < ref.offset:
                    reads.append((ref.name, "this command"))
                elif ref.name in known:
                    reads.append((ref.name, known[ref.name]))
                elif ref.name in assigned and spec.one_shell:
                    reads.append((ref.name, f"set by {assigned[ref.name]}"))
                elif ref.name in CODEBUILD_SOMETIMES or ref.name.startswith("CODEBUILD_SRC_DIR_"):
                    reads.append((ref.name, "CodeBuild, when it applies to the build"))
                elif ref.name in SHELL_VARS or ref.name in IMAGE_VARS:
                    reads.append((ref.name, "shell / build image"))
                else:
                    reads.append((ref.name, "not set"))
                    if report and not ref.guarded:
                        span = sim.offset_span(command.path, command.text, ref.offset, ref.length)
                        if ref.name in assigned:
                            message = (
                                f"${ref.name} is set by {assigned[ref.name]}, but version 0.1 runs every command in "
                                "its own shell: here it is empty"
                            )
                        else:
                            message = (
                                f"${ref.name} is not set by this buildspec, CodeBuild or an earlier command: it "
                                "expands to an empty string unless the project or build image defines it"
                            )
                        sim.report(UndefinedVariable, command.path, message, span=span)
            state = shellscan.only_changes_state(command.text)
            if report and state and not spec.one_shell and id(command) not in lost_reported:
                lost_reported.add(id(command))
                sim.report(
                    StateLostBetweenCommands,
                    command.path,
                    f"this command only {state}, and version 0.1 runs every command in its own shell: the next "
                    "command does not see it",
                    notes=("Use version: 0.2 (one shell for the whole build), or chain: `cd dir && make`.",),
                )
            views[id(command)] = CommandView(reads, cwd if spec.one_shell else None)
            for name, _ in shellscan.assignments(command.text):
                assigned.setdefault(name, label)
            target = shellscan.cd_target(command.text)
            if target and spec.one_shell and shellscan.only_changes_state(command.text):
                if target.startswith("/"):
                    cwd = target
                elif target == "-":
                    cwd = None
                else:
                    cwd = os.path.normpath(os.path.join(cwd or "", target)).replace(os.sep, "/")
                    cwd = None if cwd == "." else cwd
                cwd_origin = label
    del cwd_origin
    return views


# --------------------------------------------------------------------------------------------------
# Running the phases


@dataclass
class Outcome:
    status: int
    seconds: float = 0.0
    timed_out: bool = False
    output: str = ""
    # Why the command did not run normally (the injected --fail-at, say).
    note: str = ""


class Executor(Protocol):
    dry: bool

    def run(self, phase: Phase, command: Command, managed: dict[str, str], deadline: float) -> Outcome: ...

    def now(self) -> float: ...


@dataclass(frozen=True)
class FailPoint:
    phase: str
    block: str
    index: int


def parse_fail_at(values: list[str], spec: BuildSpec) -> set[FailPoint]:
    """`PHASE[:N]` (the Nth command, default 1) or `PHASE:finally[:N]`; checked against the buildspec."""
    points: set[FailPoint] = set()
    for raw in values:
        parts = raw.strip().split(":")
        name = parts[0].strip().lower().replace("-", "_")
        if name not in PHASES:
            raise SimulationError(f"--fail-at {raw}: unknown phase {parts[0]!r} (expected {', '.join(PHASES)})")
        block = "commands"
        rest = parts[1:]
        if rest and rest[0].lower() == "finally":
            block, rest = "finally", rest[1:]
        if len(rest) > 1 or (rest and not rest[0].isdigit()) or (rest and int(rest[0]) < 1):
            raise SimulationError(f"--fail-at {raw}: expected PHASE, PHASE:N or PHASE:finally:N with N >= 1")
        index = int(rest[0]) if rest else 1
        phase = spec.phase(name)
        items = phase.commands if block == "commands" else phase.finally_
        if not phase.defined:
            raise SimulationError(f"--fail-at {raw}: the buildspec has no {name} phase")
        if index > len(items):
            have = f"has {len(items)} {block} command{'s' if len(items) != 1 else ''}" if items else f"has no {block}"
            if not items and block == "commands" and not rest:
                index = 0  # a phase without commands (install with runtime-versions only) fails as a whole
            else:
                raise SimulationError(f"--fail-at {raw}: phase {name} {have}")
        points.add(FailPoint(name, block, index))
    return points


DEFAULT_TRANSITION = {
    "install": "the build skips BUILD, POST_BUILD and UPLOAD_ARTIFACTS and goes to FINALIZING "
    "(without on-failure, a failure before BUILD ends the build)",
    "pre_build": "the build skips BUILD, POST_BUILD and UPLOAD_ARTIFACTS and goes to FINALIZING "
    "(without on-failure, a failure before BUILD ends the build)",
    "build": "POST_BUILD still runs (a failed BUILD goes on to POST_BUILD), then UPLOAD_ARTIFACTS",
    "post_build": "UPLOAD_ARTIFACTS still runs",
}


@dataclass
class PhaseRecord:
    name: str
    status: str = "SUCCEEDED"
    seconds: float = 0.0
    context: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def error_message(command: Command, outcome: Outcome) -> str:
    if outcome.timed_out:
        return f"Error while executing command: {command.text}. Reason: timed out"
    return f"Error while executing command: {command.text}. Reason: exit status {outcome.status}"


class BuildRun:
    """Walks the phases once, with a dry or a real executor, recording text and JSON."""

    def __init__(
        self,
        spec: BuildSpec,
        sim: Sim,
        trace: Trace,
        options: Options,
        executor: Executor,
        views: dict[int, CommandView],
        fail_points: set[FailPoint],
    ) -> None:
        self.spec = spec
        self.sim = sim
        self.trace = trace
        self.options = options
        self.executor = executor
        self.views = views
        self.fail_points = fail_points
        self.records: list[PhaseRecord] = []
        self.succeeding = True
        self.result = "SUCCEEDED"
        self.reason = ""

    def say(self, line: str = "") -> None:
        self.trace.say(line)

    def run(self) -> None:
        dry = self.executor.dry
        start = self.executor.now()
        deadline = start + self.options.timeout
        for name in BEFORE:
            self.records.append(PhaseRecord(name))
        self.say("SUBMITTED, QUEUED, PROVISIONING, DOWNLOAD_SOURCE: SUCCEEDED" + (" (simulated)" if not dry else ""))
        stop = False
        upload = True
        phases_json = []
        for phase in self.spec.phases:
            if stop:
                record = PhaseRecord(phase.title, "SKIPPED")
                self.records.append(record)
                phases_json.append({"name": phase.title, "status": "SKIPPED", "attempts": []})
                self.say(f"\n[{phase.title}] skipped")
                continue
            record, attempts, failed_message = self.run_phase(phase, deadline)
            self.records.append(record)
            entry: dict[str, Any] = {
                "name": phase.title,
                "defined": phase.defined,
                "run_as": phase.run_as or self.spec.run_as or "root",
                "on_failure": phase.on_failure.describe(),
                "status": record.status,
                "attempts": attempts,
            }
            if phase.runtime_versions:
                entry["runtime_versions"] = phase.runtime_versions
            if record.status == "SUCCEEDED":
                phases_json.append(entry)
                continue
            self.succeeding = False
            if record.status == "TIMED_OUT":
                self.result, self.reason = "TIMED_OUT", f"{phase.title} timed out"
                transition = "the build timed out: the remaining phases and UPLOAD_ARTIFACTS are skipped"
                stop, upload = True, False
            else:
                if self.result == "SUCCEEDED":
                    self.result, self.reason = "FAILED", f"{phase.title} failed: {failed_message}"
                action = phase.on_failure.action
                if action == "CONTINUE":
                    transition = "on-failure: CONTINUE: the next phase runs; the build will end FAILED"
                elif action == "ABORT":
                    transition = (
                        "on-failure: ABORT: the build stops; the remaining phases and UPLOAD_ARTIFACTS are skipped"
                    )
                    stop, upload = True, False
                else:
                    prefix = "retries used up; default transition: " if action == "RETRY" else ""
                    transition = prefix + DEFAULT_TRANSITION[phase.name]
                    if phase.name in ("install", "pre_build"):
                        stop, upload = True, False
            entry["transition"] = transition
            phases_json.append(entry)
            self.say(f"  -> {transition}")
            if not stop:
                self.say("     CODEBUILD_BUILD_SUCCEEDING=0 from the next phase on")
        self.trace.data["phases"] = phases_json
        self.trace.data["succeeded_before_upload"] = self.succeeding
        self.upload = upload
        self.elapsed_before_upload = self.executor.now() - start

    def run_phase(self, phase: Phase, deadline: float) -> tuple[PhaseRecord, list[dict[str, Any]], str]:
        dry = self.executor.dry
        run_as = phase.run_as or self.spec.run_as
        head = f"\n[{phase.title}]"
        facts = []
        if run_as:
            facts.append(f"run-as {run_as}")
        if phase.on_failure.action != "default":
            facts.append(f"on-failure {phase.on_failure.describe()}")
        self.say(head + (f"  {' · '.join(facts)}" if facts else ""))
        if phase.runtime_versions:
            runtimes = ", ".join(f"{k} {v}" for k, v in phase.runtime_versions.items())
            self.say(
                f"  runtime-versions: {runtimes}"
                + ("" if dry else " (not installed locally: the local toolchain is used)")
            )
        if not phase.defined:
            self.say("  (not in the buildspec: nothing to run, the phase succeeds)")
            return PhaseRecord(phase.title), [], ""
        managed = {"CODEBUILD_BUILD_SUCCEEDING": "1" if self.succeeding else "0"}
        if dry:
            self.say(f"  CODEBUILD_BUILD_SUCCEEDING={managed['CODEBUILD_BUILD_SUCCEEDING']}")
        attempts: list[dict[str, Any]] = []
        total_attempts = 1 + (phase.on_failure.retries if phase.on_failure.action == "RETRY" else 0)
        record = PhaseRecord(phase.title)
        message = ""
        started = self.executor.now()
        for attempt in range(1, total_attempts + 1):
            if attempt > 1:
                self.say(f"  retry {attempt - 1} of {total_attempts - 1}: the phase runs again from its first command")
            status, message, commands_json = self.run_blocks(phase, managed, deadline)
            attempts.append({"attempt": attempt, "status": status, "commands": commands_json, "message": message})
            record.status, record.context = status, message
            if status != "FAILED" or attempt == total_attempts:
                break
            regex = phase.on_failure.regex
            if regex is not None and not re.search(regex, message):
                self.say(f"  no retry: the error message does not match /{regex}/")
                break
        record.seconds = self.executor.now() - started
        summary = f"  Phase complete: {phase.title} State: {record.status}"
        if not dry:
            summary += f" ({duration(record.seconds)})"
        self.say(summary)
        if message:
            code = "COMMAND_EXECUTION_ERROR" if record.status == "FAILED" else "BUILD_TIMED_OUT"
            self.say(f"  Phase context status code: {code} Message: {message}")
        return record, attempts, message

    def run_blocks(
        self, phase: Phase, managed: dict[str, str], deadline: float
    ) -> tuple[str, str, list[dict[str, Any]]]:
        status = "SUCCEEDED"
        message = ""
        out: list[dict[str, Any]] = []
        injected_whole = FailPoint(phase.name, "commands", 0) in self.fail_points
        if injected_whole:
            self.say("  [FAILED] the phase fails as a whole (--fail-at; e.g. a runtime that cannot be installed)")
            status, message = "FAILED", f"Error while executing phase {phase.title} (--fail-at)"
        for block in ("commands", "finally"):
            items = phase.commands if block == "commands" else phase.finally_
            if not items:
                continue
            if block == "finally":
                self.say("  finally:" + (" (runs although a command failed)" if status != "SUCCEEDED" else ""))
            failed_here = False
            for command in items:
                entry: dict[str, Any] = {"block": block, "index": command.index, "command": command.text}
                out.append(entry)
                label = f"  {command.index}. {command.text}" if "\n" not in command.text else f"  {command.index}. |"
                if (block == "commands" and status != "SUCCEEDED") or failed_here or status == "TIMED_OUT":
                    entry["status"] = "SKIPPED"
                    reason = (
                        "a failed command stops the rest of the phase's commands"
                        if not failed_here
                        else ("a failed finally command stops the rest of finally")
                    )
                    if status == "TIMED_OUT":
                        reason = "the build timed out"
                    self.say(f"{label}   [skipped: {reason}]")
                    self.say_multiline(command)
                    continue
                if self.executor.dry:
                    self.say(label)
                    self.say_multiline(command)
                    self.describe(command)
                else:
                    self.say(f"  Running command {command.text}" if "\n" not in command.text else "  Running command |")
                    self.say_multiline(command)
                point = FailPoint(phase.name, block, command.index)
                if point in self.fail_points:
                    outcome = Outcome(1, note="--fail-at")
                else:
                    outcome = self.executor.run(phase, command, managed, deadline)
                entry.update({"status": "SUCCEEDED" if outcome.status == 0 and not outcome.timed_out else "FAILED"})
                if not self.executor.dry:
                    entry.update({"exit_code": outcome.status, "seconds": round(outcome.seconds, 3)})
                    if outcome.output and self.options.live is None:
                        entry["output"] = outcome.output
                        for line in outcome.output.rstrip("\n").split("\n"):
                            self.say(line)
                if outcome.timed_out:
                    entry["status"] = "TIMED_OUT"
                    status, message = "TIMED_OUT", error_message(command, outcome)
                    self.say(f"     [TIMED OUT] the build timeout ({duration(self.options.timeout)}) was reached")
                    self.report_failure(phase, command, outcome, timed_out=True)
                    continue
                if outcome.status != 0:
                    how = " (--fail-at)" if outcome.note else ""
                    self.say(f"     [FAILED] exit status {outcome.status}{how}")
                    if not self.executor.dry:
                        self.say(f"     Command did not exit successfully {command.text} exit status {outcome.status}")
                        self.report_failure(phase, command, outcome, timed_out=False)
                    if status == "SUCCEEDED":
                        message = error_message(command, outcome)
                    status = "FAILED"
                    if block == "finally":
                        failed_here = True
        return status, message, out

    def say_multiline(self, command: Command) -> None:
        if "\n" in command.text:
            for line in command.text.rstrip("\n").split("\n"):
                self.say(f"       {line}")

    def describe(self, command: Command) -> None:
        view = self.views.get(id(command))
        if view is None:
            return
        if view.cwd:
            self.say(f"       cwd: {view.cwd}")
        if view.reads:
            self.say("       reads: " + ", ".join(f"${name} ({origin})" for name, origin in view.reads))

    def report_failure(self, phase: Phase, command: Command, outcome: Outcome, *, timed_out: bool) -> None:
        from codeward.linters.simulate.rules.CWB212_build_command_failed import BuildCommandFailed
        from codeward.linters.simulate.rules.CWB213_build_timed_out import BuildTimedOut

        if timed_out:
            self.sim.report(
                BuildTimedOut,
                command.path,
                f"the build timed out ({duration(self.options.timeout)}) while running this {phase.title} command",
            )
        else:
            self.sim.report(
                BuildCommandFailed,
                command.path,
                f"{phase.title} command {command.index}{' (finally)' if command.block == 'finally' else ''} "
                f"exited with status {outcome.status}",
            )


# --------------------------------------------------------------------------------------------------
# Artifacts, reports, cache


def show_fileset(trace: Trace, fileset: FileSet, limit: int = 50) -> list[dict[str, str]]:
    entries = [{"path": path, "name": name} for path, name in fileset.entries]
    for path, name in fileset.entries[:limit]:
        trace.say(f"      {name}" + (f"   <- {path}" if name != path else ""))
    if len(fileset.entries) > limit:
        trace.say(f"      ... and {len(fileset.entries) - limit} more (--format json lists them all)")
    return entries


def report_unmatched(
    sim: Sim, rule: Any, path: Any, fileset: FileSet, label: str, base_directory: Any, when: str, severity: Any,
    *, label_base: bool = True,
) -> None:  # fmt: skip
    """A finding for a base-directory that matches no directory, else one per files pattern matching nothing."""
    if fileset.base_missing:
        sim.report(
            rule,
            (*path, "base-directory"),
            (f"{label}: " if label_base else "") + f"base-directory {base_directory!r} matches no directory {when}",
            severity=severity,
        )
        return
    for result in fileset.patterns:
        if not result.files and not result.outside:
            sim.report(
                rule,
                (*path, "files", result.index),
                f"{label}: {result.pattern!r} matches no file {when}",
                notes=(result.hint,) if result.hint else (),
                severity=severity,
            )


def resolve_outputs(spec: BuildSpec, sim: Sim, trace: Trace, tree: Tree, *, executed: bool) -> dict[str, Any]:
    """List what UPLOAD_ARTIFACTS would take; report patterns that match nothing."""
    from codeward.linters.simulate.rules.CWB202_artifact_pattern_matches_nothing import ArtifactPatternMatchesNothing
    from codeward.linters.simulate.rules.CWB203_report_pattern_matches_nothing import ReportPatternMatchesNothing
    from codeward.linters.simulate.rules.CWB204_cache_path_matches_nothing import CachePathMatchesNothing
    from codeward.linters.simulate.rules.CWB205_artifact_name_collision import ArtifactNameCollision

    severity = Severity.WARNING if executed else Severity.INFO
    when = "after the build" if executed else "in the source directory as it is now"
    out: dict[str, Any] = {"artifacts": [], "reports": [], "cache": None}
    for artifact in spec.artifacts:
        fileset = resolve(
            tree,
            artifact.files,
            base_directory=artifact.base_directory,
            exclude=artifact.exclude_paths,
            discard_paths=artifact.discard_paths,
        )
        label = "primary artifact" if not artifact.identifier else f"secondary artifact {artifact.identifier}"
        name = f" name {artifact.name}" if artifact.name else ""
        trace.say(f"  {label}{name}: {len(fileset.entries)} file{'s' if len(fileset.entries) != 1 else ''}")
        if artifact.base_directory:
            bases = ", ".join(b or "." for b in fileset.base_dirs) or "(none)"
            trace.say(f"    base-directory {artifact.base_directory}: {bases}")
        if artifact.discard_paths:
            trace.say("    discard-paths: yes (directories flattened)")
        report_unmatched(
            sim, ArtifactPatternMatchesNothing, artifact.path, fileset, label, artifact.base_directory, when, severity,
            label_base=False,
        )  # fmt: skip
        for name_, paths in fileset.collisions.items():
            sim.report(
                ArtifactNameCollision,
                (*artifact.path, "discard-paths"),
                f"{label}: discard-paths flattens {len(paths)} files to {name_!r} ({', '.join(paths[:4])}); only one survives",
            )
        if fileset.excluded:
            trace.say(f"    excluded by exclude-paths: {len(fileset.excluded)}")
        if not fileset.entries:
            trace.say(
                '    UPLOAD_ARTIFACTS fails if nothing matches after the build: "no matching artifact paths found"'
                if not executed
                else "    no matching artifact paths found"
            )
        listed = show_fileset(trace, fileset)
        out["artifacts"].append(
            {
                "identifier": artifact.identifier or None,
                "name": artifact.name,
                "base_directories": fileset.base_dirs,
                "files": listed,
                "excluded": fileset.excluded,
                "unmatched_patterns": [r.pattern for r in fileset.patterns if not r.files and not r.outside],
            }
        )
    for report in spec.reports:
        fileset = resolve(tree, report.files, base_directory=report.base_directory, discard_paths=report.discard_paths)
        trace.say(
            f"  report group {report.group} ({report.file_format}): {len(fileset.entries)} file{'s' if len(fileset.entries) != 1 else ''}"
        )
        report_unmatched(
            sim, ReportPatternMatchesNothing, report.path, fileset, f"report group {report.group}",
            report.base_directory, when, severity,
        )  # fmt: skip
        listed = show_fileset(trace, fileset)
        out["reports"].append({"group": report.group, "file_format": report.file_format, "files": listed})
    if spec.cache is not None:
        cache = spec.cache
        action = {"restore": "restore only", "save": "save only"}.get((cache.action or "").lower(), "restore and save")
        trace.say(f"  cache ({action})" + (f", key {cache.key}" if cache.key else ""))
        if cache.fallback_keys:
            trace.say("    fallback keys (prefix match, in order): " + ", ".join(cache.fallback_keys))
        cache_json: dict[str, Any] = {
            "key": cache.key,
            "fallback_keys": cache.fallback_keys,
            "action": cache.action,
            "paths": [],
        }
        for index, pattern in enumerate(cache.paths):
            fileset = resolve(tree, [pattern])
            result = fileset.patterns[0]
            if result.outside:
                trace.say(f"    {pattern}: outside the source directory (resolved on the build host)")
                cache_json["paths"].append({"pattern": pattern, "files": None})
                continue
            files = result.files
            trace.say(f"    {pattern}: {len(files)} file{'s' if len(files) != 1 else ''}")
            if not files:
                sim.report(
                    CachePathMatchesNothing,
                    ("cache", "paths", index),
                    f"cache path {pattern!r} matches no file {when}",
                    notes=(result.hint,) if result.hint else (),
                    severity=severity,
                )
            cache_json["paths"].append({"pattern": pattern, "files": files})
        out["cache"] = cache_json
    return out


# --------------------------------------------------------------------------------------------------
# Batch builds


def simulate_batch(spec: BuildSpec, sim: Sim, trace: Trace) -> dict[str, Any] | None:
    from codeward.linters.simulate.rules.CWB206_batch_graph_cycle import BatchGraphCycle
    from codeward.linters.simulate.rules.CWB207_batch_unknown_dependency import BatchUnknownDependency
    from codeward.linters.simulate.rules.CWB208_batch_duplicate_identifier import BatchDuplicateIdentifier

    batch = spec.batch
    if batch is None:
        return None
    trace.say(f"\nBatch ({batch.mode}, fast-fail: {'true' if batch.fast_fail else 'false'})")
    data: dict[str, Any] = {"mode": batch.mode, "fast_fail": batch.fast_fail, "tasks": [], "waves": []}
    if batch.mode == "build-fanout":
        parallelism = batch.fanout.get("parallelism", "?")
        trace.say(
            f"  {parallelism} parallel builds of this buildspec share the tests (codebuild-tests-run splits them)"
        )
        data["fanout"] = batch.fanout
        return data
    ids: dict[str, Any] = {}
    for task in batch.tasks:
        if task.identifier in ids:
            sim.report(
                BatchDuplicateIdentifier,
                (*task.path, "identifier"),
                f"batch task identifier {task.identifier!r} is used twice; CodeBuild needs each to be unique",
            )
        ids.setdefault(task.identifier, task)
    for task in batch.tasks:
        extra = []
        if task.buildspec:
            extra.append(f"buildspec {task.buildspec}")
        extra += [f"{k}={v}" for k, v in task.env.items()]
        extra += [f"${k}={v}" for k, v in task.variables.items()]
        if task.ignore_failure:
            extra.append("ignore-failure")
        data["tasks"].append(
            {
                "identifier": task.identifier,
                "buildspec": task.buildspec,
                "env": task.env,
                "variables": task.variables,
                "ignore_failure": task.ignore_failure,
                "depend_on": [d for d, _ in task.depend_on],
            }
        )
        deps = f"  after {', '.join(d for d, _ in task.depend_on)}" if task.depend_on else ""
        trace.say(f"  {task.identifier}{deps}" + (f"  ({'; '.join(extra)})" if extra else ""))
    if batch.mode == "build-graph":
        graph: dict[str, list[str]] = {}
        for task in batch.tasks:
            deps = []
            for dep, path in task.depend_on:
                if dep not in ids:
                    sim.report(
                        BatchUnknownDependency,
                        path,
                        f"task {task.identifier!r} depends on {dep!r}, which is not a task of this build-graph"
                        + _close(dep, list(ids)),
                    )
                    continue
                deps.append(dep)
            graph.setdefault(task.identifier, deps)
        waves, cycle = _waves(graph)
        if cycle:
            first = ids[cycle[0]]
            sim.report(
                BatchGraphCycle,
                (*first.path, "depend-on"),
                "build-graph cycle: " + " -> ".join([*cycle, cycle[0]]) + "; none of these tasks can start",
            )
        data["waves"] = waves
        data["cycle"] = cycle
        trace.say("  order (tasks on one line run in parallel):")
        for number, wave in enumerate(waves, 1):
            trace.say(f"    {number}. {', '.join(wave)}")
        if cycle:
            trace.say(f"    never: {', '.join(sorted(set(graph) - {t for w in waves for t in w}))} (cycle)")
    else:
        data["waves"] = [[t.identifier for t in batch.tasks]]
        trace.say(f"  all {len(batch.tasks)} builds start together")
    failing = (
        "fast-fail: true stops every running build when one fails"
        if batch.fast_fail
        else ("fast-fail: false lets running builds finish when one fails")
    )
    trace.say(f"  {failing}; the batch fails when a task without ignore-failure fails")
    return data


def _close(word: str, choices: list[str]) -> str:
    from codeward.linters.simulate.common import suggest

    return suggest(word, choices)


def _waves(graph: dict[str, list[str]]) -> tuple[list[list[str]], list[str]]:
    """Kahn's layering: each wave depends only on earlier waves; the tasks left over hold a cycle."""
    order = list(graph)
    done: set[str] = set()
    waves: list[list[str]] = []
    while True:
        wave = [t for t in order if t not in done and all(d in done for d in graph[t])]
        if not wave:
            break
        waves.append(wave)
        done.update(wave)
    left = [t for t in order if t not in done]
    if not left:
        return waves, []
    # Walk dependencies from a leftover task until a task repeats: that loop is a cycle.
    path: list[str] = []
    node = left[0]
    while node not in path:
        path.append(node)
        node = next(d for d in graph[node] if d not in done)
    return waves, path[path.index(node) :]


# --------------------------------------------------------------------------------------------------
# The whole simulation


class DryExecutor:
    dry = True

    def run(self, phase: Phase, command: Command, managed: dict[str, str], deadline: float) -> Outcome:
        return Outcome(0)

    def now(self) -> float:
        return 0.0


def simulate(document: Any, trace: Trace, options: Options) -> None:
    sim = Sim(document, trace)
    spec = Reader(sim).read(document.data)
    if spec is None:
        return
    from codeward.linters.simulate.rules.CWB201_source_dir_missing import SourceDirMissing

    fail_points = parse_fail_at(options.fail_at, spec)
    if options.batch_task and (spec.batch is None or all(t.identifier != options.batch_task for t in spec.batch.tasks)):
        known = ", ".join(t.identifier for t in spec.batch.tasks) if spec.batch else "none: the buildspec has no batch"
        raise SimulationError(f"--batch-task {options.batch_task}: no such batch task (tasks: {known})")
    if not os.path.isdir(options.source_dir):
        sim.report(
            SourceDirMissing,
            (),
            f"source directory {options.source_dir!r} does not exist: nothing to build or collect artifacts from",
            notes=("Pass --source-dir DIR (default: the directory holding the buildspec).",),
        )
        return
    dry = not options.execute
    env = environment(spec, options, dry=dry)
    for var in env:
        if var.secret:
            trace.masker.add_value(var.value)
    shell = spec.shell or "sh"
    trace.data.update(
        {
            "mode": "dry-run" if dry else "execute",
            "version": spec.version,
            "shell": shell,
            "one_shell": spec.one_shell,
            "source_dir": os.path.abspath(options.source_dir),
        }
    )
    how = (
        "one shell for the whole build: cd and variables persist"
        if spec.one_shell
        else ("each command in its own shell: cd and variables do not persist")
    )
    trace.say(f"Build simulation of {document.path} ({'dry run' if dry else 'executing with bash'})")
    trace.say(f"  version {spec.version}: {how}")
    shell_note = "" if spec.shell else " (CodeBuild's default on Linux)"
    trace.say(f"  shell: {shell}{shell_note}" + ("" if dry else "; run locally with bash"))
    trace.say(f"  source directory (CODEBUILD_SRC_DIR): {os.path.abspath(options.source_dir)}")
    if spec.run_as:
        trace.say(f"  run-as: {spec.run_as}" + ("" if dry else " (commands run as the current user locally)"))
    if options.batch_task:
        trace.say(f"  batch task: {options.batch_task}")
    trace.say("\nEnvironment (buildspec < project --env-file < --env; CodeBuild's own cannot be replaced):")
    width = max((len(v.name) for v in env), default=0)
    env_json = []
    for var in env:
        shown = mask(var.value) if var.secret else var.value
        if var.secret and not var.resolved:
            shown = "(fetched at build time)" if dry else "(not supplied)"
        extra = f"  [replaces {', '.join(var.replaces)}]" if var.replaces else ""
        trace.say(f"  {var.name:<{width}}  {shown}   <- {var.source}{extra}")
        env_json.append(
            {
                "name": var.name,
                "value": shown if var.secret else var.value,
                "source": var.source,
                "secret": var.secret,
                "replaces": var.replaces,
            }
        )
    trace.data["environment"] = env_json
    if spec.exported:
        trace.say(
            "  exported-variables (to CodePipeline, values as at the end of POST_BUILD): "
            + ", ".join(n for n, _ in spec.exported)
        )
    views = analyse(spec, sim, env, report=True)
    executor: Executor
    if dry:
        executor = DryExecutor()
    else:
        from codeward.linters.simulate.build_exec import BashExecutor, refuse_reason

        reason = refuse_reason(spec, env, sim)
        if reason:
            trace.exit_code = 1
            trace.say(f"\nNot executed: {reason}")
            return
        executor = BashExecutor(spec, options, env, trace)
    try:
        run = BuildRun(spec, sim, trace, options, executor, views, fail_points)
        run.run()
        finish(spec, sim, trace, options, run, executor)
    finally:
        if not dry:
            executor.close()  # type: ignore[attr-defined]
    simulate_batch_section = simulate_batch(spec, sim, trace)
    if simulate_batch_section is not None:
        trace.data["batch"] = simulate_batch_section


def finish(spec: BuildSpec, sim: Sim, trace: Trace, options: Options, run: BuildRun, executor: Any) -> None:
    dry = executor.dry
    exported: dict[str, str | None] = {}
    if spec.exported and not dry:
        exported = executor.exported([n for n, _ in spec.exported])
    trace.say("\n[UPLOAD_ARTIFACTS]" + ("" if run.upload else " skipped"))
    outputs: dict[str, Any] = {}
    upload_status = "SUCCEEDED" if run.upload else "SKIPPED"
    if run.upload:
        if not (spec.artifacts or spec.reports or spec.cache):
            trace.say("  nothing to upload (no artifacts, reports or cache)")
        tree = Tree.scan(options.source_dir)
        outputs = resolve_outputs(spec, sim, trace, tree, executed=not dry)
        if not dry:
            names = executor.artifact_names(spec) if spec.artifacts else {}
            empty = [a for a in outputs["artifacts"] if not a["files"]]
            if empty:
                upload_status = "FAILED"
                run.succeeding = False
                if run.result == "SUCCEEDED":
                    run.result = "FAILED"
                    run.reason = "UPLOAD_ARTIFACTS failed: no matching artifact paths found"
                trace.say("  Phase complete: UPLOAD_ARTIFACTS State: FAILED")
                trace.say("  Phase context status code: CLIENT_ERROR Message: no matching artifact paths found")
            elif options.artifacts_dir:
                copy_artifacts(spec, outputs, options, names, trace)
            for artifact, name in zip(
                outputs["artifacts"], [names.get(a.identifier) for a in spec.artifacts], strict=True
            ):
                artifact["evaluated_name"] = name
    run.records.append(PhaseRecord("UPLOAD_ARTIFACTS", upload_status))
    run.records.append(PhaseRecord("FINALIZING"))
    run.records.append(PhaseRecord("COMPLETED", ""))
    trace.data["outputs"] = outputs
    if exported:
        trace.say("\nExported variables (CodePipeline output variables):")
        secret_names = {e.name for e in spec.env if e.section in ("parameter-store", "secrets-manager")}
        for name, value in exported.items():
            shown = "(unset)" if value is None else (mask(value) if name in secret_names else value)
            trace.say(f"  {name}={shown}")
        trace.data["exported_variables"] = {
            n: (None if v is None else mask(v) if n in secret_names else v) for n, v in exported.items()
        }
    trace.say("\nPhase details:")
    for record in run.records:
        if record.name == "COMPLETED":
            continue
        timing = "" if dry else f"  {duration(record.seconds)}"
        trace.say(f"  {record.name:<17} {record.status}{timing}")
    trace.data["phase_details"] = [
        {"phase": r.name, "status": r.status, **({} if dry else {"seconds": round(r.seconds, 3)})}
        for r in run.records
        if r.name != "COMPLETED"
    ]
    verdict = run.result
    trace.say(f"\nBuild {'would end' if dry else 'ended'}: {verdict}" + (f" ({run.reason})" if run.reason else ""))
    trace.data["result"] = verdict
    trace.data["reason"] = run.reason
    if not dry:
        trace.exit_code = 0 if verdict == "SUCCEEDED" else 1


def copy_artifacts(
    spec: BuildSpec, outputs: dict[str, Any], options: Options, names: dict[str, str], trace: Trace
) -> None:
    import shutil

    from codeward.safepaths import UnsafePath, check_writable, read_refusal

    assert options.artifacts_dir is not None
    top = os.path.abspath(options.artifacts_dir)
    for artifact, listed in zip(spec.artifacts, outputs["artifacts"], strict=True):
        folder = artifact.identifier or "primary"
        target_root = os.path.join(options.artifacts_dir, folder)
        copied = 0
        for item in listed["files"]:
            target = os.path.join(target_root, *item["name"].split("/"))
            source = os.path.join(options.source_dir, *item["path"].split("/"))
            # The buildspec names the folders (an identifier "../../x") and the build made the files (links
            # anywhere): copy only regular files of the checkout, only into --artifacts-dir.
            absolute = os.path.abspath(target)
            if not absolute.startswith(top + os.sep):
                trace.say(f"  not copied: {item['name']} of {folder} would land outside {options.artifacts_dir}")
                continue
            if os.path.islink(source) or read_refusal(source) is not None:
                trace.say(f"  not copied: {item['path']} is a symbolic link")
                continue
            try:
                check_writable(target, "the artifact file")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                check_writable(target, "the artifact file")
            except UnsafePath as exc:
                trace.say(f"  {exc}")
                continue
            shutil.copyfile(source, target, follow_symlinks=False)
            shutil.copymode(source, target)
            copied += 1
        name = names.get(artifact.identifier)
        trace.say(f"  copied {copied} file(s) to {target_root}" + (f" (artifact name: {name})" if name else ""))
