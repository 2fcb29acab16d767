"""`codeward simulate --execute appspec.yml`: the EC2 hook scripts run locally, in lifecycle order, with
the environment the CodeDeploy agent gives them and their timeouts. Nothing is copied to the `files`
destinations and permissions are not changed: only the scripts run, in the revision directory."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
import uuid
from typing import Any

from codeward.linters.simulate.common import command_environment, duration


def execute_hooks(deployment: Any, hooks: dict[str, list[Any]], revision: str, os_name: str, lb: bool) -> None:
    from codeward.linters.simulate.deploy import PREVIOUS_REVISION, RESERVED
    from codeward.linters.simulate.rules.CWA200_deployment_not_simulable import DeploymentNotSimulable
    from codeward.linters.simulate.rules.CWA208_hook_script_failed import HookScriptFailed
    from codeward.linters.simulate.rules.CWA209_hook_script_timed_out import HookScriptTimedOut

    args = deployment.args
    trace = deployment.trace
    say = trace.say
    if os_name == "windows":
        deployment.sim.report(
            DeploymentNotSimulable, (), "--execute runs Linux hook scripts; this AppSpec is for Windows"
        )
        trace.exit_code = 1
        return
    if not os.path.isdir(revision) or any(f.code in ("CWA204", "CWA206") for f in trace.findings):
        say("Not executed: fix the missing or unrunnable hook scripts reported below first.")
        trace.exit_code = 1
        return
    if args.fail:
        from codeward.linters.simulate.common import SimulationError

        raise SimulationError("--fail simulates failures in a dry run; with --execute the scripts decide")
    events = deployment.ec2_events(lb, False)
    deployment_id = "d-" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(9))
    base_env = {
        **command_environment(getattr(args, "pass_env", None) or ()),
        "DEPLOYMENT_ID": deployment_id,
        "APPLICATION_NAME": args.application,
        "DEPLOYMENT_GROUP_NAME": args.deployment_group,
        "DEPLOYMENT_GROUP_ID": str(uuid.uuid4()),
    }
    say(
        f"Deployment {deployment_id} of {trace.path}: running the hook scripts locally (revision {os.path.abspath(revision)})"
    )
    say("  files are not copied and permissions are not changed; scripts run as the current user")
    results: list[dict[str, Any]] = []
    failed_event = ""
    for event in events:
        if failed_event:
            results.append({"event": event, "status": "Skipped"})
            continue
        if event in RESERVED:
            say(f"\n[{event}] done by the agent or the load balancer: nothing runs locally")
            results.append({"event": event, "status": "Succeeded", "local": False})
            continue
        if event == "ApplicationStop" and args.first_deployment:
            say(f"\n[{event}] skipped: first deployment")
            results.append({"event": event, "status": "Skipped"})
            continue
        scripts = hooks.get(event, [])
        say(f"\n[{event}]" + ("" if scripts else " no scripts"))
        if event in PREVIOUS_REVISION and scripts:
            say("  (CodeDeploy runs the scripts of the revision that last succeeded here; this revision's stand in)")
        budget = 3600.0
        entry: dict[str, Any] = {"event": event, "status": "Succeeded", "scripts": []}
        for script in scripts:
            full = os.path.join(os.path.abspath(revision), *script.location.lstrip("/").split("/"))
            limit = min(script.timeout, budget)
            say(
                f"  Running {script.location} (timeout {duration(limit)})"
                + (f" [runas {script.runas} ignored locally]" if script.runas else "")
            )
            started = time.monotonic()
            env = {**base_env, "LIFECYCLE_EVENT": event}
            status, output, timed_out = run_script(full, os.path.abspath(revision), env, limit)
            seconds = time.monotonic() - started
            budget -= seconds
            for line in output.rstrip("\n").split("\n") if output else []:
                say(f"    {line}")
            entry["scripts"].append(
                {"location": script.location, "exit_code": status, "seconds": round(seconds, 3), "output": output}
            )
            if timed_out:
                say(f"  ScriptTimedOut after {duration(limit)}")
                deployment.sim.report(
                    HookScriptTimedOut,
                    script.path,
                    f"{event} script {script.location!r} timed out after {duration(limit)}",
                )
                entry["status"] = "Failed"
                break
            if status != 0:
                say(f"  ScriptFailed: exit status {status}")
                deployment.sim.report(
                    HookScriptFailed, script.path, f"{event} script {script.location!r} exited with status {status}"
                )
                entry["status"] = "Failed"
                break
        results.append(entry)
        if entry["status"] == "Failed":
            if event in PREVIOUS_REVISION and args.ignore_application_stop_failures:
                say("  failure ignored (--ignore-application-stop-failures)")
                entry["status"] = "Succeeded"
            else:
                failed_event = event
    outcome = "FAILED" if failed_event else "SUCCEEDED"
    say(
        f"\nDeployment {deployment_id} to this instance: {outcome}"
        + (f" ({failed_event} failed; later events skipped)" if failed_event else "")
    )
    trace.data.update({"mode": "execute", "deployment_id": deployment_id, "events": results, "result": outcome})
    trace.exit_code = 0 if outcome == "SUCCEEDED" else 1


def run_script(path: str, cwd: str, env: dict[str, str], timeout: float) -> tuple[int, str, bool]:
    """Run one script in its own process group; on timeout the whole group is killed."""
    from codeward.linters.simulate.build_exec import _kill_group

    try:
        process = subprocess.Popen(
            [path],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        return 126, f"{exc.strerror}\n", False
    try:
        out, _ = process.communicate(timeout=timeout)
        return process.returncode, out.decode("utf-8", "replace"), False
    except subprocess.TimeoutExpired:
        _kill_group(process)
        try:
            out, _ = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            out = b""
        return -1, out.decode("utf-8", "replace"), True
