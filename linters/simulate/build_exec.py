"""`codeward simulate --execute buildspec.yml`: the commands run for real, with bash, in the source dir.

Version 0.2 ("one shell for the whole build") is reproduced the way CodeBuild's agent does it: each
command runs in its own bash process, which first restores the shell state the previous command left
(every variable, exported or not, functions, the working directory) and saves it again when it exits,
even through `exit`. So `cd` and `export` persist, and `exit 0` ends only that command, as in CodeBuild.
Version 0.1 runs every command in a fresh shell started in the source directory.

Each command gets /dev/null as stdin, runs in its own process group (a timeout kills the whole group),
and its output goes to the terminal with secret values masked.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from typing import Any

from codeward.linters.simulate.buildspec_model import BuildSpec, Command, Phase
from codeward.linters.simulate.common import Sim, Trace

# Variables that belong to bash itself (or to this wrapper) and must not be saved or restored.
_SKIP = (
    "__cw_*|BASH|BASH_*|BASHOPTS|SHELLOPTS|SHLVL|PWD|OLDPWD|_|PPID|UID|EUID|GROUPS|RANDOM|SRANDOM|SECONDS|LINENO|"
    "HISTCMD|FUNCNAME|PIPESTATUS|DIRSTACK|EPOCHREALTIME|EPOCHSECONDS|COMP_*|OPTIND|OPTERR|HOSTNAME|HOSTTYPE|"
    "MACHTYPE|OSTYPE|IFS|PS4|COLUMNS|LINES"
)

_WRAPPER = r"""
__cw_state=$1
__cw_cmd=$2
__cw_managed=$3
if [ -s "$__cw_state" ]; then
  # Variables the previous command unset must stay unset: clear the exported ones, then restore.
  while IFS= read -r __cw_n; do
    case $__cw_n in @SKIP@) continue ;; esac
    [[ ${!__cw_n@a} == *r* ]] || unset -v "$__cw_n" 2>/dev/null
  done < <(compgen -e)
  . "$__cw_state"
fi
. "$__cw_managed"
__cw_save() {
  __cw_rc=$?
  local IFS=$' \t\n' __cw_n
  {
    for __cw_n in $(compgen -v); do
      case $__cw_n in @SKIP@) continue ;; esac
      [[ ${!__cw_n@a} == *r* ]] && continue
      declare -p "$__cw_n" 2>/dev/null
    done
    declare -f
    printf 'cd -- %q 2>/dev/null || true\n' "$PWD"
  } > "$__cw_state.tmp" && mv -f "$__cw_state.tmp" "$__cw_state"
  exit "$__cw_rc"
}
trap __cw_save EXIT
. "$__cw_cmd"
""".replace("@SKIP@", _SKIP)

_SIMPLE = r"""
. "$3"
. "$2"
"""


def refuse_reason(spec: BuildSpec, env: list[Any], sim: Sim) -> str | None:
    """Why the build cannot run locally (a finding is reported), or None."""
    from codeward.linters.simulate.rules.CWB200_build_not_simulable import BuildNotSimulable
    from codeward.linters.simulate.rules.CWB209_unresolved_secret import UnresolvedSecret

    shell = (spec.shell or "").lower()
    if shell.endswith(("powershell.exe", "cmd.exe", "pwsh")):
        sim.report(
            BuildNotSimulable,
            ("env", "shell"),
            f"--execute runs commands with bash; env.shell {spec.shell} is a Windows shell",
        )
        return f"env.shell {spec.shell} cannot run here"
    if shutil.which("bash") is None:
        raise OSError("bash is not installed: --execute needs it")
    missing = [v for v in env if v.secret and not v.resolved]
    for var in missing:
        entry = next(e for e in spec.env if e.name == var.name)
        store = "Parameter Store" if entry.section == "parameter-store" else "Secrets Manager"
        sim.report(
            UnresolvedSecret,
            entry.path,
            f"{var.name} comes from {store} ({entry.value}); codeward never fetches it from AWS",
            notes=(f"Supply it: --env-file FILE with a line {var.name}=..., or export {var.name} before running.",),
        )
    if missing:
        names = ", ".join(v.name for v in missing)
        return f"no value for {names} (CodeBuild would fail fetching it before INSTALL)"
    return None


class BashExecutor:
    dry = False

    def __init__(self, spec: BuildSpec, options: Any, env: list[Any], trace: Trace) -> None:
        self.spec = spec
        self.options = options
        self.trace = trace
        self.source_dir = os.path.abspath(options.source_dir)
        self.tmp = tempfile.mkdtemp(prefix="codeward-build-")
        self.state = os.path.join(self.tmp, "state.sh")
        self.wrapper = os.path.join(self.tmp, "wrapper.sh")
        with open(self.wrapper, "w", encoding="utf-8") as handle:
            handle.write(_WRAPPER if spec.one_shell else _SIMPLE)
        from codeward.linters.simulate.common import command_environment

        base = {k: v for k, v in command_environment(options.pass_env).items() if not k.startswith("CODEBUILD_")}
        for var in env:
            base[var.name] = var.value
        self.env = base
        # Secret values to mask in output; very short ones would blank out ordinary text.
        # The trace's masker knows the secret variables and the tokens codeward's own environment holds (in
        # case --pass-env hands one on): the one masking step, for live output too.
        for var in env:
            if var.secret:
                trace.masker.add_value(var.value)
        self.masker = trace.masker
        self.counter = 0

    def now(self) -> float:
        return time.monotonic()

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def masked(self, text: str) -> str:
        return self.masker.text(text)

    def _managed(self, managed: dict[str, str]) -> str:
        path = os.path.join(self.tmp, "managed.sh")
        with open(path, "w", encoding="utf-8") as handle:
            for name, value in managed.items():
                handle.write(f"export {name}={_quote(value)}\n")
        return path

    def run(self, phase: Phase, command: Command, managed: dict[str, str], deadline: float) -> Any:
        from codeward.linters.simulate.build import Outcome

        self.counter += 1
        script = os.path.join(self.tmp, f"command-{self.counter}.sh")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(command.text + "\n")
        managed_path = self._managed(managed)
        remaining = deadline - self.now()
        if remaining <= 0:
            return Outcome(124, timed_out=True)
        started = self.now()
        process = subprocess.Popen(
            ["bash", "--noprofile", "--norc", self.wrapper, self.state, script, managed_path],
            cwd=self.source_dir,
            env={**self.env, **managed},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        captured: list[str] = []
        pump = threading.Thread(target=self._pump, args=(process, captured), daemon=True)
        pump.start()
        timed_out = False
        try:
            status = process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_group(process)
            status = process.wait()
        pump.join(timeout=5)
        return Outcome(status if status >= 0 else 128 - status, self.now() - started, timed_out, "".join(captured))

    def _pump(self, process: subprocess.Popen[bytes], captured: list[str]) -> None:
        assert process.stdout is not None
        size = 0
        for raw in iter(process.stdout.readline, b""):
            line = self.masked(raw.decode("utf-8", "replace"))
            if self.options.live is not None:
                self.options.live(line if line.endswith("\n") else line + "\n")
            elif size < 1_000_000:
                captured.append(line)
                size += len(line)

    def _query(self, script_body: str) -> bytes:
        script = os.path.join(self.tmp, "query.sh")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(script_body)
        managed_path = self._managed({})
        try:
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", self.wrapper, self.state, script, managed_path],
                cwd=self.source_dir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=60,
            )
        except subprocess.TimeoutExpired:
            return b""
        return result.stdout

    def exported(self, names: list[str]) -> dict[str, str | None]:
        """Each exported variable's value as the build's shell holds it now (after POST_BUILD)."""
        body = "".join(
            f"if [ -n \"${{{n}+x}}\" ]; then printf '%s\\0%s\\0' {n} \"${n}\"; else printf '%s\\0\\0' {n}-; fi\n"
            for n in names
            if n.replace("_", "a").isalnum() and not n[:1].isdigit()
        )
        parts = self._query(body).decode("utf-8", "replace").split("\0")
        out: dict[str, str | None] = dict.fromkeys(names)
        for name, value in zip(parts[0::2], parts[1::2], strict=False):
            if not name.endswith("-"):
                out[name] = value
        return out

    def artifact_names(self, spec: BuildSpec) -> dict[str, str]:
        """`artifacts.name` uses shell syntax ($VAR, $(date ...)): evaluate it in the build's shell."""
        names: dict[str, str] = {}
        for artifact in spec.artifacts:
            if artifact.name:
                expression = artifact.name.replace("\\", "\\\\").replace('"', '\\"')
                names[artifact.identifier] = self._query(f'printf "%s" "{expression}"\n').decode("utf-8", "replace")
        return names


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
