"""Where a simulation starts: lint's verdict.

`codeward simulate` lints the file first. An error that makes AWS refuse the definition, or fail on it
before anything it describes runs, is the simulation's verdict: a pipeline is "rejected at create/update",
a build "fails in DOWNLOAD_SOURCE", a deployment "fails at <event>", and nothing after it is simulated.
The errors are lint's findings; the verdict names them (code, line, message) without reporting them again,
so the lint and simulate pre-commit hooks never show one problem twice. A suppressed or ignored lint
finding is out of the verdict too: one suppression silences both.

Some lint errors describe a definition AWS accepts and runs, but not as written (a misspelled key CodeBuild
and the CodeDeploy agent ignore, a hook on an event that never comes, a plain-text secret). Those do not
change the verdict: the simulation follows what the service does with the file, and lint reports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from codeward.findings import Finding, Severity

# Errors the service accepts: the definition runs (the lint finding says what it does not do).
ACCEPTED: dict[str, frozenset[str]] = {
    # A plain-text secret works; it is a security finding.
    "pipeline": frozenset({"CWP112"}),
    # CodeBuild ignores keys it does not know (the phase or section is then not run); a number whose YAML
    # reading loses digits is used as read (`VERSION: 1.20` is 1.2).
    # A `$NAME` in a variable's value is set as text (CWB120): the build runs with that value.
    "buildspec": frozenset({"CWB001", "CWB111", "CWB120"}),
    # The agent reads only the keys it knows and runs hooks only for events CodeDeploy sends: a misspelled
    # key or event, or a hook on an event that runs no scripts, is ignored; a lifecycle event's scripts
    # are cut off at 3600 seconds only when they run that long.
    "ec2": frozenset({"CWA001", "CWA101", "CWA102", "CWA103"}),
    "ecs": frozenset(),
    "lambda": frozenset(),
}

# A misspelled key that stands for a required one (its fix renames it to that key) leaves the required
# key missing: CodeBuild rejects the buildspec, the agent fails on the AppSpec.
_REQUIRED = {
    "buildspec": frozenset({"version", "phases", "commands", "identifier", "files", "paths"}),
    "ec2": frozenset({"version", "os", "location", "source", "destination", "object"}),
}

# EC2/On-Premises: the agent installs files and applies permissions in Install; everything else it reads
# from the AppSpec it reads first in BeforeInstall (ApplicationStop uses the revision that last succeeded).
_EC2_INSTALL = frozenset({"CWA105", "CWA107", "CWA108", "CWA113", "CWA114", "CWA115", "CWA116"})
# Buildspec errors found when CodeBuild runs a command rather than when it reads the buildspec.
_AT_COMMAND = frozenset({"CWB116", "CWB118", "CWB119", "CWB133"})
# Pipeline errors CodePipeline accepts at create time that fail an action when it runs: a role not allowed to
# follow the build, a project whose buildspec is not in the source, an artifact without the file a deploy reads.
_AT_RUN = frozenset({"CWP128", "CWP129", "CWP130"})
_BATCH = frozenset({"CWB108", "CWB109"})


@dataclass(frozen=True)
class Verdict:
    result: str  # REJECTED (pipeline) or FAILED
    where: str  # "create/update", "DOWNLOAD_SOURCE", "BeforeInstall", ...
    line: str  # the sentence the trace ends with
    reasons: tuple[Finding, ...]

    def data(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "at": self.where,
            "reasons": [{"code": f.code, "line": f.span.line, "message": f.message} for f in self.reasons],
        }


def counts(finding: Finding, kind: str, platform: str, rule_for: Any) -> bool:
    """Whether a lint finding makes AWS refuse the definition or fail on it."""
    if finding.severity < Severity.ERROR:
        return False
    where = platform if kind == "appspec" else kind
    if finding.code in ACCEPTED.get(where, frozenset()) and not _misspelled_required(finding, where):
        return False
    rule = rule_for(finding.code)
    return not (rule is not None and "security" in rule.tags)


def _misspelled_required(finding: Finding, where: str) -> bool:
    if finding.code not in ("CWB001", "CWA001") or finding.fix is None:
        return False
    return any(edit.text.strip("\"'") in _REQUIRED.get(where, frozenset()) for edit in finding.fix.edits)


def named(findings: list[Finding] | tuple[Finding, ...]) -> str:
    shown = "; ".join(f"{f.code} line {f.span.line}: {f.message}" for f in findings[:3])
    more = f"; and {len(findings) - 3} more" if len(findings) > 3 else ""
    return f"{shown}{more}"


def verdict(kind: str, platform: str, findings: list[Finding], *, template: bool = False) -> Verdict | None:
    """The verdict for a definition whose lint errors (already filtered by `counts`) are `findings`."""
    if not findings:
        return None
    reasons = tuple(sorted(findings, key=Finding.sort_key))
    why = f"{named(reasons)} (reported by codeward lint)"
    if kind == "pipeline" and all(f.code in _AT_RUN for f in reasons):
        return Verdict(
            "FAILED",
            "execution",
            f"Execution would end: Failed when the action runs (CodePipeline accepts the pipeline): {why}",
            reasons,
        )
    if kind == "pipeline":
        who = "CloudFormation fails to create or update the pipeline" if template else "CodePipeline rejects it"
        return Verdict(
            "REJECTED", "create/update", f"Execution would not start: rejected at create/update ({who}): {why}", reasons
        )
    if kind == "buildspec":
        first = reasons[0]
        if all(f.code in _AT_COMMAND for f in reasons):
            return Verdict(
                "FAILED",
                "COMMAND_EXECUTION_ERROR",
                f"Build would end: FAILED when the shell reaches the command on line {first.span.line} "
                f"(COMMAND_EXECUTION_ERROR): {why}",
                reasons,
            )
        if any(f.code in _BATCH for f in reasons):
            return Verdict(
                "FAILED",
                "DOWNLOAD_BATCHSPEC",
                f"Build would end: the batch build FAILED in DOWNLOAD_BATCHSPEC: {why}",
                reasons,
            )
        return Verdict(
            "FAILED",
            "DOWNLOAD_SOURCE",
            f"Build would end: FAILED in DOWNLOAD_SOURCE (YAML_FILE_ERROR: CodeBuild cannot use the buildspec): {why}",
            reasons,
        )
    if platform == "ec2":
        event = "Install" if all(f.code in _EC2_INSTALL for f in reasons) else "BeforeInstall"
        return Verdict(
            "FAILED",
            event,
            f"Deployment would end: FAILED at {event} on every instance (the CodeDeploy agent cannot use the "
            f"AppSpec): {why}",
            reasons,
        )
    return Verdict(
        "FAILED",
        "BeforeInstall" if platform == "ecs" else "BeforeAllowTraffic",
        "Deployment would end: FAILED before any traffic moves (CodeDeploy cannot use the AppSpec): " + why,
        reasons,
    )
