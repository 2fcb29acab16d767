"""`codeward simulate FILE`: load and lint the file like `codeward lint`, then simulate it.

Exit status: a dry run exits like lint (1 when findings reach --fail-on); `--execute` exits with the
build's or deployment's result (0 succeeded, 1 failed); 2 for usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

FORMATS = ("text", "json", "concise", "sarif", "github", "gitlab", "junit", "mermaid", "dot")


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def _verdict(text: str) -> tuple[str, str]:
    name, sep, value = text.rpartition("=")
    if not sep or not name.strip() or value.strip().lower() not in ("pass", "fail"):
        raise argparse.ArgumentTypeError(f"expected STAGE.RULE=pass or STAGE.RULE=fail, got {text!r}")
    return name.strip(), value.strip().lower()


def register(sub: Any) -> argparse.ArgumentParser:
    from codeward.cli import _codes

    parser = sub.add_parser(
        "simulate",
        help="show what CodeBuild, CodeDeploy or CodePipeline would do with a file",
        description="Simulate a buildspec (phases, environment, failure paths, artifacts, batch), an AppSpec "
        "(lifecycle events over a fleet, traffic shifting, rollback) or a pipeline (stages, artifacts, "
        "variables, approvals, execution modes). Nothing is executed without --execute.",
    )
    parser.add_argument(
        "paths", nargs="+", metavar="FILE", help="buildspec, appspec or pipeline file(s); one with --execute"
    )
    parser.add_argument("--kind", choices=("buildspec", "appspec", "pipeline"), help="treat the file as this kind")
    parser.add_argument(
        "--format", choices=FORMATS, default=None, help="trace format (default: text; $CODEWARD_FORMAT)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the trace to FILE instead of stdout")
    parser.add_argument("--execute", action="store_true", help="run the build's commands / the hook scripts for real")
    parser.add_argument("--pass-env", action="append", default=[], metavar="NAME", help="--execute: pass this variable of codeward's environment on to the commands (only PATH, HOME, locale, TERM, TMPDIR and TZ are by default); repeatable")  # fmt: skip

    build = parser.add_argument_group("builds (buildspec)")
    build.add_argument("--source-dir", metavar="DIR", help="source directory (default: the buildspec's directory)")
    build.add_argument("--fail-at", action="append", default=[], metavar="PHASE[:N]", help="make the Nth command of PHASE fail (PHASE:finally:N for finally); repeatable")  # fmt: skip
    build.add_argument("--env", action="append", default=[], type=_pair, metavar="NAME=VALUE", help="StartBuild-level environment override; repeatable")  # fmt: skip
    build.add_argument("--env-file", metavar="FILE", help="NAME=VALUE lines: values for parameter-store / secrets-manager names, or project-level variables")  # fmt: skip
    build.add_argument("--timeout", default="60m", metavar="DURATION", help="build timeout for --execute (default 60m; 90s, 5m, 1h)")  # fmt: skip
    build.add_argument("--artifacts-dir", metavar="DIR", help="--execute: copy the artifacts' files here")
    build.add_argument("--region", default="us-east-1", help="AWS_REGION the build sees (default us-east-1)")
    build.add_argument("--project", default="", help="project name in CODEBUILD_BUILD_ID (default: the source dir's name)")  # fmt: skip
    build.add_argument("--batch-task", metavar="ID", help="run as this batch task (its variables, CODEBUILD_BATCH_BUILD_IDENTIFIER)")  # fmt: skip

    deploy = parser.add_argument_group("deployments (appspec)")
    deploy.add_argument("--platform", choices=("ec2", "lambda", "ecs"), help="compute platform (inferred from the file)")  # fmt: skip
    deploy.add_argument("--deployment-type", choices=("in-place", "blue-green"), default=None, help="EC2 deployment type (default in-place)")  # fmt: skip
    deploy.add_argument("--config", dest="deployment_config", metavar="NAME", help="deployment configuration: CodeDeployDefault.* name, minimum healthy hosts (3 or 75%%), canary:PCT:MIN, linear:PCT:MIN")  # fmt: skip
    deploy.add_argument("--instances", type=int, default=None, metavar="N", help="EC2 fleet size (default 3)")
    deploy.add_argument("--load-balancer", action="store_true", help="the deployment group has a load balancer (EC2 in-place)")  # fmt: skip
    deploy.add_argument("--fail", action="append", default=[], metavar="TARGET", help="EVENT[@INSTANCE] (appspec) or STAGE.ACTION[@ATTEMPT] (pipeline) fails; repeatable")  # fmt: skip
    deploy.add_argument("--revision-dir", metavar="DIR", help="revision directory with the hook scripts (default: the appspec's directory)")  # fmt: skip
    deploy.add_argument("--first-deployment", action="store_true", help="no earlier revision on the instances: ApplicationStop does not run")  # fmt: skip
    deploy.add_argument("--auto-rollback", action="store_true", help="the deployment group rolls back on failure")
    deploy.add_argument("--ignore-application-stop-failures", action="store_true", help="ApplicationStop, BeforeBlockTraffic and AfterBlockTraffic failures do not fail the deployment")  # fmt: skip
    deploy.add_argument("--application", default="codeward-app", help="APPLICATION_NAME for hook scripts")
    deploy.add_argument("--deployment-group", default="codeward-group", help="DEPLOYMENT_GROUP_NAME for hook scripts")  # fmt: skip

    pipeline = parser.add_argument_group("pipelines")
    pipeline.add_argument("--var", action="append", default=[], type=_pair, metavar="NAME=VALUE", help="pipeline variable value at start; repeatable")  # fmt: skip
    pipeline.add_argument("--approve", action="append", default=[], metavar="STAGE.ACTION", help="approve a manual approval (the default)")  # fmt: skip
    pipeline.add_argument("--reject", action="append", default=[], metavar="STAGE.ACTION", help="reject a manual approval")  # fmt: skip
    pipeline.add_argument("--executions", type=int, default=1, metavar="N", help="N executions started close together (execution modes)")  # fmt: skip
    pipeline.add_argument("--interval", type=int, default=1, metavar="MINUTES", help="minutes between the starts of --executions (default 1)")  # fmt: skip
    pipeline.add_argument("--condition", action="append", default=[], type=_verdict, metavar="STAGE.RULE=pass|fail", help="outcome of a stage-condition rule (default: rules pass); repeatable")  # fmt: skip
    pipeline.add_argument("--duration", action="append", default=[], type=_pair, metavar="STAGE.ACTION=MINUTES", help="how long an action (or a rule) takes: 90, 90m, 2h, 7d; a manual approval's time until it is answered; repeatable")  # fmt: skip
    pipeline.add_argument("--disable-transition", action="append", default=[], metavar="STAGE", help="the stage's inbound transition is disabled; repeatable")  # fmt: skip
    pipeline.add_argument("--enable-transition", action="append", default=[], metavar="STAGE", help="simulate a transition the template disables as enabled; repeatable")  # fmt: skip
    pipeline.add_argument("--first-execution", action="store_true", help="no earlier execution succeeded: a stage has nothing to roll back to")  # fmt: skip
    pipeline.add_argument("--pipeline", dest="pipeline_name", metavar="NAME", help="which pipeline of a CloudFormation template")  # fmt: skip

    common = parser.add_argument_group("findings")
    common.add_argument("--select", type=_codes, help="rule codes or prefixes to enable")
    common.add_argument("--extend-select", type=_codes, default=[], help="codes to enable in addition")
    common.add_argument("--ignore", type=_codes, default=[], help="codes or prefixes to disable")
    common.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that makes a dry run exit 1")  # fmt: skip
    common.add_argument("--exit-zero", action="store_true", help="exit 0 unless codeward itself failed")
    common.add_argument("--settings", metavar="PYPROJECT", help="read [tool.codeward] from this file")
    common.add_argument("--isolated", action="store_true", help="ignore configuration files")
    common.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    common.add_argument("-q", "--quiet", action="store_true", help="findings without why/fix explanations")
    return parser


def rule_for(code: str) -> Any:
    from codeward.linters.engine import rule_for as lint_rule_for
    from codeward.linters.simulate.rules import rules_by_code

    return rules_by_code().get(code) or lint_rule_for(code)


def _blocking(findings: list[Any]) -> list[Any]:
    """Lint errors that make a simulation meaningless: the file itself (syntax, encoding, ...) and schema
    errors (unknown, missing, mistyped or invalid keys). Semantic lint rules do not block."""
    from codeward.linters.rule import LoaderRule, SchemaRule

    from codeward.findings import Severity

    out = []
    for finding in findings:
        rule = rule_for(finding.code)
        structural = finding.code.startswith("CWF") or (rule is not None and issubclass(rule, (LoaderRule, SchemaRule)))
        if finding.severity >= Severity.ERROR and structural:
            out.append(finding)
    return out


def read_env_file(path: str) -> dict[str, str]:
    from codeward.cli import UsageError
    from codeward.safepaths import read_refusal

    refused = read_refusal(path)
    if refused is not None:  # a committed link to the runner's credentials, say
        raise UsageError(f"--env-file {path} is {refused}")
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--env-file {path}: {exc}") from None
    values: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        text = text.removeprefix("export ").strip()
        name, sep, value = text.partition("=")
        if not sep or not name.strip() or not name.strip().replace("_", "a").isalnum():
            raise UsageError(f"--env-file {path}:{number}: expected NAME=VALUE")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name.strip()] = value
    return values


def run(args: argparse.Namespace) -> int:
    """Each file in turn (pre-commit passes several); the worst exit status wins."""
    from codeward.cli import UsageError

    if len(args.paths) > 1 and (args.execute or args.output or (args.format or "text") in ("json", "mermaid", "dot")):
        raise UsageError("several files only for a dry run with a text or findings format and no --output")
    from codeward.files import display_path

    status = 0
    for path in args.paths:
        args.path = display_path(path)
        status = max(status, run_one(args))
    return status


def run_one(args: argparse.Namespace) -> int:
    from codeward.linters.engine import lint_text, load_document
    from codeward.linters.kinds import kind_by_name
    from codeward.linters.simulate.common import SimulationError, Trace

    from codeward.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, UsageError, emit, load_config_for, use_color
    from codeward.findings import Finding
    from codeward.sources import ReadError, read_text

    settings = argparse.Namespace(**vars(args))
    settings.config = args.settings
    config = load_config_for(settings, args.path)
    select = config.selector_for(args.path)
    fmt = args.format or os.environ.get("CODEWARD_FORMAT") or "text"
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} in CODEWARD_FORMAT")
    trace = Trace(args.kind or kind_by_name(args.path) or "", args.path)
    from codeward.masking import known_tokens

    for token in known_tokens():  # never printed, even if --pass-env hands one to a command that echoes it
        trace.masker.add_value(token)
    live = fmt == "text" and args.execute and not args.output
    text = read_text(args.path)
    if isinstance(text, ReadError):
        from codeward.linters.engine import unreadable

        trace.findings += unreadable(args.path, text, args.kind, explicit=True).findings
    else:
        document = load_document(args.path, text)  # one parse for lint and the simulation
        linted = lint_text(args.path, text, kind=args.kind, select=select, document=document)
        trace.kind = linted.kind or ""
        if fmt in ("mermaid", "dot") and linted.kind not in (None, "pipeline"):
            raise UsageError(f"--format {fmt} draws pipelines; {args.path} is a {linted.kind}")
        if linted.kind is None:
            trace.findings += linted.findings
            trace.say(f"{args.path}: not simulated: not a buildspec, AppSpec or pipeline.")
        else:
            document.kind = linted.kind
            trace.silenced = _silencer(document.text, select)
            _start_from_lint(trace, document, linted.findings, args, drawing=fmt in ("mermaid", "dot"))
            if not trace.rejected:
                if live:
                    trace.sink = _live
                try:
                    _simulate(linted.kind, document, trace, args)
                except SimulationError as exc:
                    raise UsageError(str(exc)) from None
                if trace.rejected:  # a lint error the simulator modelled: say which
                    trace.say(f"Verdict: {trace.rejected}")
                trace.findings = _one_report(trace.findings, linted.findings, trace.silenced)
    trace.findings.sort(key=Finding.sort_key)
    rendered = _render(fmt, trace, args, use_color(args.color, bool(args.output)))
    if trace.rejected and fmt == "github":
        # The verdict as an annotation where the run fails (it names lint's findings; it is not one).
        from codeward.output.github import _data, _prop

        rendered += (
            f"::error file={_prop(args.path)},line={trace.rejected_line or 1},title={_prop('codeward simulate')}::"
            f"{_data(f'{args.path}: {trace.rejected}')}\n"
        )
    # The last pass of the one masking step: every secret value known, in whatever the format printed.
    output = trace.masker.text(rendered)
    written = emit(output, args.output) if output else True
    if any(f.code == "CWF900" for f in trace.findings):
        return EXIT_ERROR
    if trace.rejected and fmt not in ("text", "json", "github"):
        # The findings formats carry findings only: say why the run fails where a person sees it.
        sys.stderr.write(trace.masker.text(f"{args.path}: {trace.rejected}") + "\n")
    if trace.exit_code is not None:
        status = EXIT_CLEAN if args.exit_zero else trace.exit_code
    elif trace.rejected and not args.exit_zero:
        status = EXIT_FINDINGS
    elif args.exit_zero:
        status = EXIT_CLEAN
    else:
        status = EXIT_FINDINGS if any(f.severity >= config.fail_on for f in trace.findings) else EXIT_CLEAN
    return status if written or status else EXIT_ERROR


def _start_from_lint(
    trace: Any, document: Any, findings: list[Any], args: argparse.Namespace, *, drawing: bool
) -> None:
    """Lint's verdict first (linters/simulate/verdict.py): the errors that make AWS refuse the file or fail
    on it. Unless a simulator models them (EC2 hook scripts missing from the revision) or the run executes
    or draws the definition, the simulation stops at the verdict, which names lint's findings."""
    from codeward.linters.pipeline_form import is_template
    from codeward.linters.simulate.deploy import infer_platform
    from codeward.linters.simulate.verdict import counts, verdict

    kind = document.kind
    platform = (args.platform or infer_platform(document.data)) if kind == "appspec" else ""
    errors = [f for f in findings if counts(f, kind, platform, rule_for)]
    # An EC2 deployment's hook scripts: a dry run without --revision-dir takes lint's model of the revision,
    # each script lint finds missing failing its event; with --revision-dir (or --execute) the simulator
    # checks that directory instead (CWA204).
    modelled = {"CWA104"} if platform == "ec2" else set()
    template = kind == "pipeline" and is_template(document.data)
    if template:
        # A buildspec inside the template: CloudFormation creates the project all the same, and the builds
        # fail. The pipeline's CodeBuild actions using the project fail in the simulation; a template
        # without a pipeline gets the build's verdict.
        from codeward.linters.simulate.pipeline import models

        inline = {f.code for f in errors if f.code.startswith("CWB")}
        if inline and len(inline) < len({f.code for f in errors}):
            inline = set()  # the template itself is rejected: that verdict comes first
        if inline and models(document):
            modelled |= inline
        elif inline:
            kind = "buildspec"
    trace.lint_errors = [f for f in errors if f.code in modelled]
    rejecting = [f for f in errors if f.code not in modelled]
    structural = _blocking(rejecting)
    if not rejecting or ((args.execute or drawing) and not structural):
        return
    found = verdict(kind, platform, rejecting, template=template)
    assert found is not None
    trace.rejected = found.line
    trace.rejected_line = found.reasons[0].span.line
    trace.data["verdict"] = found.data()
    trace.say(f"{trace.path}: not simulated past lint's verdict.")
    trace.say(found.line)


def _silencer(text: str, select: Any) -> Any:
    """Whether a finding of the simulation's is silenced: its code, or the code lint gives the same problem
    (codeward.suppress.SAME_PROBLEM), ignored (the selector knows) or suppressed on its line."""
    from codeward.suppress import find_suppressions, is_suppressed

    suppressions = find_suppressions(text)

    def silenced(finding: Any) -> bool:
        return not select(finding.code) or is_suppressed(suppressions, finding.code, finding.span.line)

    return silenced


def _one_report(findings: list[Any], lint_findings: list[Any], silenced: Any) -> list[Any]:
    """The simulation's own findings, each problem once: none silenced, and none that lint reports on the
    same line under the code for the same problem."""
    from codeward.suppress import same_problem

    linted = {(code, f.span.line) for f in lint_findings for code in same_problem(f.code)}
    return [f for f in findings if not silenced(f) and (f.code, f.span.line) not in linted]


def _live(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _simulate(kind: str, document: Any, trace: Any, args: argparse.Namespace) -> None:
    from codeward.cli import UsageError

    if kind == "buildspec":
        from codeward.linters.simulate.build import Options, simulate
        from codeward.linters.simulate.common import parse_duration

        try:
            timeout = parse_duration(args.timeout)
        except ValueError as exc:
            raise UsageError(f"--timeout: {exc}") from None
        env_file = read_env_file(args.env_file) if args.env_file else {}
        options = Options(
            source_dir=args.source_dir or os.path.dirname(args.path) or ".",
            execute=args.execute,
            fail_at=args.fail_at,
            region=args.region,
            project=args.project,
            env_overrides=dict(args.env),
            env_file_values=env_file,
            timeout=timeout,
            artifacts_dir=args.artifacts_dir,
            batch_task=args.batch_task,
            pass_env=tuple(args.pass_env),
            live=trace.sink,
        )
        simulate(document, trace, options)
    elif kind == "appspec":
        from codeward.linters.simulate.deploy import simulate_deployment

        simulate_deployment(document, trace, args)
    else:
        from codeward.linters.simulate.pipeline import simulate_pipeline

        simulate_pipeline(document, trace, args)


def _render(fmt: str, trace: Any, args: argparse.Namespace, color: bool) -> str:
    from codeward.output import Report, render

    report = Report(trace.findings, [trace.path], rule_for, color=color, explain=not args.quiet, masker=trace.masker)
    if fmt == "json":
        import json

        from codeward import __version__
        from codeward.output.json_format import finding_dict

        counts = report.counts()
        document = {
            "tool": {"name": "codeward", "version": __version__},
            "path": trace.path,
            "kind": trace.kind or None,
            "trace": trace.masker.data(trace.data),
            "summary": {str(s): n for s, n in counts.items()},
            "findings": [finding_dict(report, f) for f in trace.findings],
        }
        if trace.exit_code is not None:
            document["exit_code"] = trace.exit_code
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt in ("mermaid", "dot"):
        picture = trace.data.get(fmt)
        if picture is None:
            return ""
        return picture
    if fmt == "text":
        from codeward.output.text import format_finding, summary

        parts = [""] if trace.sink is not None else ["\n".join(trace.lines)]
        if trace.findings:
            parts.append("\n\n".join(format_finding(report, f) for f in trace.findings))
        parts.append(summary(report))
        return (
            "\n\n".join(p for i, p in enumerate(parts) if p or i == 0).lstrip("\n" if trace.sink is None else "") + "\n"
        )
    return render(fmt, report)
