"""Lint one definition file: read, load, validate against the kind's schema, run the rules, suppress."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from codeward.linters.document import Document, PMap, Problem
from codeward.linters.kinds import KINDS, describe_other, kind_by_content, kind_by_name, kind_by_text
from codeward.linters.rule import Context, DocumentRule, LoaderRule, PathIndex, SchemaRule
from codeward.linters.rules import rules_by_code, rules_for
from codeward.linters.schema import SchemaError, load_schema

from codeward.findings import Edit, Finding, Fix, Severity, Span
from codeward.sources import MAX_BYTES, ReadError, read_text
from codeward.suppress import find_suppressions, is_suppressed

Selector = Callable[[str], bool]


@dataclass(slots=True)
class FileResult:
    path: str
    kind: str | None = None
    findings: list[Finding] = field(default_factory=list)
    # True when the file was not a definition file (directory walks skip those quietly).
    skipped: bool = False
    internal_error: bool = False
    # The content established the kind (not --kind alone): only then may --fix rewrite the file.
    confirmed: bool = False


def _problem_finding(path: str, problem: Problem) -> Finding:
    """The finding for a problem found while loading, at the rule's severity unless the problem says why not."""
    finding = _finding(path, problem.code, problem.message, problem.span, problem.notes)
    if problem.downgrade:
        finding = replace(finding, severity=Severity.WARNING, notes=(*finding.notes, problem.downgrade))
    return finding


def _finding(path: str, code: str, message: str, span: Span, notes: tuple[str, ...] = ()) -> Finding:
    rule = next((r for r in rules_for(None) if r.code == code), None)
    severity = rule.severity if rule else Severity.ERROR
    return Finding(code, message, path, span, severity, rule.name if rule else "", notes=notes)


def lint_file(
    path: str,
    *,
    kind: str | None = None,
    select: Selector = lambda code: True,
    explicit: bool = True,
    max_bytes: int = MAX_BYTES,
) -> FileResult:
    text = read_text(path, max_bytes)
    if isinstance(text, ReadError):
        return _filtered(unreadable(path, text, kind, explicit), select)
    return lint_text(path, text, kind=kind, select=select, explicit=explicit)


def unreadable(path: str, error: ReadError, kind: str | None, explicit: bool) -> FileResult:
    """The result for a file that could not be read as text."""
    if error.code == "CWF006" and error.span.line == 1 and error.message.startswith("binary"):
        # Binary from its first line (macOS `._buildspec.yml` resource forks, archives): no definition at all,
        # unlike a text file with stray bytes further down.
        result = FileResult(path, None, skipped=not explicit)
        if explicit:
            message = "skipped: binary content, not a buildspec, AppSpec or pipeline"
            result.findings.append(_finding(path, "CWF013", message, Span(1, 1, 1, 2)))
        return result
    result = FileResult(path, kind or kind_by_name(path))
    if explicit or result.kind:
        result.findings.append(_finding(path, error.code, error.message, error.span))
    else:
        result.skipped = True
    return result


# The pipeline rules that judge a Terraform aws_codepipeline: structure, stage and action names, artifacts (what
# each action reads and which action produces it, what a deploy action finds in its input), and the provider and
# configuration keys of AWS-owned actions, which Terraform passes to CodePipeline unchecked (`configuration` is a
# map of strings to it), the keys its provider requires (CWP110, which leaves out the GitHub OAuthToken that the AWS
# provider fills from GITHUB_TOKEN), a CodeBuild action's PrimarySource, and CloudFormation dynamic references,
# which Terraform does not resolve (CWP127).
TERRAFORM_RULES = frozenset({
    "CWP101", "CWP102", "CWP103", "CWP104", "CWP105", "CWP106", "CWP107", "CWP108", "CWP109", "CWP111", "CWP123",
    "CWP110", "CWP116", "CWP125", "CWP127", "CWP128", "CWP130", "CWP132", "CWP134", "CWP135", "CWP136",
})  # fmt: skip


def load_document(path: str, text: str) -> Document:
    lowered = path.lower()
    # YAML is a superset of JSON in theory, not in PyYAML: JSON files get the JSON parser. Files named
    # neither way (.template, stdin) are sniffed.
    if lowered.endswith(".tf"):
        # Terraform: only its aws_codepipeline resources are read, as the CloudFormation form of the pipeline.
        from codeward.linters.hcl_reader import terraform_pipelines

        data, problems = terraform_pipelines(text, os.path.dirname(os.path.abspath(path)), os.path.basename(path))
        return Document(path, text, data, syntax="hcl", problems=list(problems))
    if lowered.endswith(".json"):
        syntax = "json"
    elif lowered.endswith((".yml", ".yaml")):
        syntax = "yaml"
    else:
        syntax = "json" if text.lstrip().startswith("{") else "yaml"
    if syntax == "json":
        from codeward.linters.json_loader import load_json

        data, problems = load_json(text)
    else:
        from codeward.linters.yaml_loader import load_yaml

        data, problems = load_yaml(text)
    return Document(path, text, data, syntax=syntax, problems=list(problems))


def lint_text(
    path: str,
    text: str,
    *,
    kind: str | None = None,
    select: Selector = lambda code: True,
    explicit: bool = True,
    base_dir: str | None = None,
    document: Document | None = None,
) -> FileResult:
    """`document`: `text` already loaded (simulate reads the same document after lint; a parse of a large or
    hostile file is its cost). Lint sets its kind and reads it, nothing else."""
    if document is None:
        document = load_document(path, text)
    resolved, why = resolve_kind(document, kind)
    result = FileResult(path, resolved)
    if resolved is None:
        if explicit:
            result.findings.append(_finding(path, "CWF013", why, Span(1, 1, 1, 2)))
        else:
            result.skipped = True
        return _filtered(result, select)
    # Fixes rewrite only files whose kind their content established (--kind alone is not enough), and never a
    # Terraform file (its pipeline is a view of the HCL, not the text a fix would edit).
    result.confirmed = why == "" and document.syntax != "hcl"
    document.kind = resolved
    named = kind_by_name(path) if why == "" and kind is None else None
    if named is not None and (resolved, named) in _MISNAMED:
        result.findings.append(_problem_finding(path, _misnamed(path, resolved, named)))
    template = resolved == "pipeline" and _is_template(document.data)
    for problem in document.problems:
        finding = _problem_finding(path, problem)
        if template and problem.code == "CWF002" and not problem.downgrade:
            # CloudFormation accepts a repeated key and keeps the last (validate-template does too).
            note = "CloudFormation keeps the last value without a word; delete the one you did not mean."
            finding = replace(finding, severity=Severity.WARNING, notes=(*finding.notes, note))
        result.findings.append(finding)
    if document.data is None:
        if not document.problems:
            result.findings.append(
                _finding(path, "CWF007", f"empty file: a {KINDS[resolved].title} needs content", Span(1, 1, 1, 2))
            )
        return _filtered(result, select, document)
    try:
        _check(document, result, select, base_dir if base_dir is not None else os.path.dirname(path) or ".")
        if template and document.syntax != "hcl":
            _check_inline_buildspecs(document, result, select, base_dir if base_dir is not None else ".")
    except Exception as exc:  # a bug in codeward must not hide the other files' findings
        if os.environ.get("CODEWARD_DEBUG"):
            raise
        result.internal_error = True
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        result.findings.append(
            _finding(path, "CWF900", f"internal error while checking this file: {detail}", Span(1, 1, 1, 2))
        )
    return _filtered(result, select, document)


# An AppSpec under a buildspec's name (CWF017) and a buildspec under an AppSpec's name (CWF019), by (content's kind,
# name's kind): the code, the message, and why the file is only a warning where the name may be unused.
_MISNAMED = {
    ("appspec", "buildspec"): (
        "CWF017",
        "this file is named as a buildspec but holds an AppSpec (version 0.0 with os, files or hooks): CodeBuild "
        "reads it as the build's buildspec and rejects it (a buildspec's version is 0.1 or 0.2, and it has phases)",
        "Not the file CodeBuild reads by default (buildspec.yml at the source root): it may be unused.",
    ),
    ("buildspec", "appspec"): (
        "CWF019",
        "this file is named as an AppSpec but holds a buildspec (phases): CodeDeploy reads appspec.yml at the "
        "revision's root and the agent rejects it (an AppSpec's version is 0.0, with os and files or hooks; "
        "phases are not read)",
        "Not the file CodeDeploy reads at the root of a revision of the whole source: it may be unused.",
    ),
}


def _misnamed(path: str, content: str, name: str) -> Problem:
    """CWF017/CWF019: one kind's content under the other kind's name. At the checkout's root as the name the other
    service reads there (`buildspec.yml`, `appspec.yml`, or .yaml) neither service can use it, an error; elsewhere
    the name may be unused, a warning."""
    from codeward.linters.revision import project_root

    code, message, downgrade = _MISNAMED[content, name]
    folder = os.path.dirname(os.path.abspath(path))
    default = os.path.basename(path).lower() in (f"{name}.yml", f"{name}.yaml") and project_root(folder) == folder
    return Problem(code, message, Span(1, 1, 1, 2), downgrade="" if default else downgrade)


def resolve_kind(document: Document, forced: str | None) -> tuple[str | None, str]:
    """(kind, "") when the content establishes it; (forced kind, note) when only --kind says so; (None, why
    the file is skipped) otherwise. The name proposes, the content decides (see linters.kinds)."""
    candidate = forced or kind_by_name(document.path)
    if document.syntax == "hcl":
        if document.data is None and not document.problems:
            return None, "skipped: a Terraform file without an aws_codepipeline resource"
        return "pipeline", ""
    if document.data is None:
        if not document.problems:  # empty: nothing to judge but the name
            return (candidate, "") if candidate else (None, "empty file: not a buildspec, AppSpec or pipeline")
        if candidate and any(p.code in ("CWF004", "CWF008") for p in document.problems):
            return candidate, ""  # loading stopped before the content could show anything: the name decides
        by_text = kind_by_text(document.text, candidate)
        if by_text is not None:
            return by_text, ""
        if forced:
            return forced, "kind given by --kind"
        problem = document.problems[0]
        return None, (
            f"skipped: the file does not parse ({problem.message}, line {problem.span.line}) and nothing in it "
            "looks like a buildspec, AppSpec or pipeline"
        )
    by_content = kind_by_content(document.data)
    if by_content is not None:
        return by_content, ""
    what = describe_other(document.data, document.path)
    if forced and what.startswith("none of the keys"):
        return forced, "kind given by --kind"
    if candidate:
        return None, f"skipped: named like a {KINDS[candidate].title}, but the content is {what}"
    return None, f"skipped: not a buildspec, AppSpec or pipeline ({what})"


def _check(document: Document, result: FileResult, select: Selector, base_dir: str) -> None:
    kind = KINDS[document.kind]
    rules = [r for r in rules_for(document.kind) if document.kind in r.kinds and select(r.code)]
    if document.syntax == "hcl":
        # Terraform checks the HCL itself and evaluates its expressions: of a Terraform pipeline only the rules on
        # the pipeline's structure, artifacts and configuration keys are judged, which read literal names (see
        # linters.hcl_reader).
        rules = [r for r in rules if r.code in TERRAFORM_RULES]
    schema_rules = {r.error_kind: r for r in rules if issubclass(r, SchemaRule)}
    semantic = [r() for r in rules if not issubclass(r, (SchemaRule, LoaderRule))]
    index = PathIndex(semantic) if semantic else None
    ctx = Context(document, base_dir)
    cloudformation = document.kind == "pipeline" and _is_template(document.data)
    for label, prefix, data in kind.views(document.data):
        if schema_rules or index is not None:
            schema = load_schema(kind.schema, kind.title)
            errors = schema.validate(data, cloudformation=cloudformation)
            # Positions and values first: respelling renames keys the errors' paths still name.
            located = [
                (error, document.span((*prefix, *error.path), key=error.at_key), _at(data, error.path))
                for error in errors
            ]
            kept = {id(error) for error in _respell(data, errors)}
            for error, span, value in located:
                rule = schema_rules.get(error.kind)
                if rule is None or id(error) not in kept:
                    continue
                judged = judge_schema_error(document.kind, schema, error, value)
                if judged is None:
                    continue
                severity, text, notes = judged
                message = f"{label}: {text}" if label else text
                fix = None
                if error.suggestion and error.kind == "unknown-key":
                    fix = Fix(f'rename to "{error.suggestion}"', (Edit(span, error.suggestion),))
                result.findings.append(
                    Finding(rule.code, message, document.path, span, severity or rule.severity, rule.name, fix,
                            notes=notes)
                )  # fmt: skip
        if index is None:
            continue
        ctx.cache.clear()
        ctx.cache["view"] = (label, prefix)
        for rule, path, value in index.walk(data):
            ctx._rule = type(rule)
            rule.check(ctx, (*prefix, *path), value)
    for rule_type, message, span, fix, notes, severity in ctx.reports:
        result.findings.append(
            Finding(
                rule_type.code,
                message,
                document.path,
                span,
                severity or rule_type.severity,
                rule_type.name,
                fix,
                notes=notes,
            )
        )


def _check_inline_buildspecs(document: Document, result: FileResult, select: Selector, base_dir: str) -> None:
    """Every buildspec rule on each buildspec written inside the template (linters.inline_buildspec), its
    findings placed at the template's line and column. Their fixes are dropped: the text they would edit
    is quoted or escaped inside the template."""
    from codeward.linters.inline_buildspec import inline_buildspecs, place

    for inline in inline_buildspecs(document):
        inner = load_document("inline-buildspec", inline.text)
        inner.path = document.path
        inner.kind = "buildspec"
        found = FileResult(document.path, "buildspec")
        for problem in inner.problems:
            found.findings.append(_problem_finding(document.path, problem))
        if inner.data is not None:
            _check(inner, found, select, base_dir)
        for finding in found.findings:
            result.findings.append(
                replace(
                    finding,
                    message=f"{inline.project} buildspec: {finding.message}",
                    span=place(inline, finding.span),
                    fix=None,
                    related=(),
                )
            )


def judge_schema_error(
    kind: str, schema: Any, error: SchemaError, value: Any
) -> tuple[Severity | None, str, tuple[str, ...]] | None:
    """How a schema error is reported: (severity, or None for the rule's own; message; notes), or None to drop it.

    - A value the service resolves itself (`{{resolve:ssm:...}}`, `#{Source.CommitId}`) is not judged.
    - A placeholder a later step fills in (`<TASK_DEFINITION>`, `%ServiceName%`, a bare `ARN`...) is info.
    - CodeBuild and the CodeDeploy agent ignore keys they do not know: an unknown key is an error when it is
      a misspelling, a key that belongs elsewhere or a phase of the author's own making (`test:` holding
      commands) (its intended effect is lost), a warning otherwise.
    - The schema may mark what the service tolerates (x-severity)."""
    from codeward.linters.placeholders import placeholder, resolved_by_aws, unfilled

    severity = Severity.parse(error.severity) if error.severity else None
    notes = error.notes
    if error.kind == "value" and isinstance(value, str):
        if resolved_by_aws(value):
            return None
        field = error.path[-1] if error.path and isinstance(error.path[-1], str) else None
        # A bare word stands in for an ARN (`ARN`, `roleArn`), never for one of a list of words (`ABORT`).
        token = placeholder(value, field, words="arn" in error.pattern.lower())
        if token is not None:
            return Severity.INFO, f"{schema.where(error.path)}: {unfilled(token)}", ()
    if error.kind == "unknown-key" and kind in ("buildspec", "appspec") and severity is None:
        from codeward.linters.unknown_keys import lost_phase, misplaced

        key = error.path[-1] if error.path else ""
        elsewhere = misplaced(kind, schema, error.path[:-1], key)
        if elsewhere:
            return None, error.message, (*notes, elsewhere)
        lost = None if error.suggestion else lost_phase(kind, error.path[:-1], key, value)
        if lost:
            return None, error.message, (*notes, lost)
        if not error.suggestion:
            ignored = "CodeBuild logs a warning" if kind == "buildspec" else "The CodeDeploy agent does not read it"
            return Severity.WARNING, error.message, (*notes, f"{ignored} and ignores the key.")
    return severity, error.message, notes


def _is_template(data: Any) -> bool:
    from codeward.linters.pipeline_form import is_template

    return is_template(data)


def _respell(data: Any, errors: list[SchemaError]) -> list[SchemaError]:
    """Read a confidently misspelled key as the key it was meant to be.

    The misspelling itself is reported (with its fix); renaming it in the loaded data, spans and all,
    keeps the semantic rules from reporting its consequences ("build has no commands") a second time,
    and lets them check what is under the key. A "required" error for the intended key goes too.
    """
    renamed: set[tuple[Any, ...]] = set()
    for error in errors:
        if error.kind != "unknown-key" or not error.suggestion or not error.path:
            continue
        parent = _at(data, error.path[:-1])
        old = error.path[-1]
        if isinstance(parent, PMap) and old in parent and error.suggestion not in parent:
            key_span, value_span, value = parent.key_spans.pop(old), parent.value_spans.pop(old), parent.pop(old)
            parent.put(error.suggestion, key_span, value, value_span)
            renamed.add((*error.path[:-1], error.suggestion))
    if not renamed:
        return errors
    return [e for e in errors if not (e.kind == "required" and (*e.path, e.key) in renamed)]


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if (isinstance(data, dict) and part in data) or (
            isinstance(data, list) and isinstance(part, int) and part < len(data)
        ):
            data = data[part]
        else:
            return None
    return data


def _filtered(result: FileResult, select: Selector, document: Document | None = None) -> FileResult:
    findings = [f for f in result.findings if select(f.code) or f.code == "CWF900"]
    if document is not None:
        suppressions = find_suppressions(document.text)
        if suppressions:
            findings = [f for f in findings if not is_suppressed(suppressions, f.code, f.span.line)]
            if select("CWF011"):
                for s in suppressions:
                    if not s.used:
                        what = "codeward: ignore" + (f"[{', '.join(sorted(s.codes))}]" if s.codes else "")
                        findings.append(
                            _finding(
                                result.path,
                                "CWF011",
                                f"unused suppression: no finding here matches {what}",
                                Span(s.line, s.column, s.line, len(document.lines[s.line - 1]) + 1),
                            )
                        )
    findings.sort(key=Finding.sort_key)
    result.findings = findings
    return result


def rule_for(code: str) -> type[DocumentRule] | None:
    return rules_by_code().get(code)
