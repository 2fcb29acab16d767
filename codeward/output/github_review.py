"""The body of GitHub's "create a review for a pull request" request (POST /repos/{owner}/{repo}/pulls/{n}/reviews):
one comment per finding on its line of the diff, a Markdown body with title, severity, CWE link, recommendation
and a `suggestion` block when codeward has a fix, and a summary with counts by severity. Findings GitHub would
refuse to anchor (outside the diff) are listed in the summary instead.

The Markdown of a comment is shared with the CodeCommit and GitLab formats (`comment_body`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from codeward.diff import ChangeSet, changes_of, fingerprints, repo_path
from codeward.findings import Edit, Finding, Severity, Span
from codeward.output import Report

MARKER = "<!-- codeward:fingerprint={} -->"
MARKER_RE = re.compile(r"<!-- codeward:fingerprint=([0-9a-f]{16}(?:-\d+)?) -->")
REVIEW_MARKER = "<!-- codeward:review -->"
# GitHub rejects bodies over 65,536 characters; stay well below.
MAX_BODY = 60000
_SEVERITY_WORD = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
_MENTION = re.compile(r"(?<![\w])@(?=[A-Za-z0-9_])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def md(text: str) -> str:
    """User-influenced text (key names, values) made inert in Markdown: no HTML tags and no @mentions that
    would notify people. Code spans are left alone: GitHub shows their content literally."""
    pieces = _CODE_SPAN.split(text)
    out = []
    for index, piece in enumerate(pieces):
        if index % 3 == 0:  # outside code spans (split keeps the fence and the content as two extra items)
            out.append(_MENTION.sub("@\u200b", piece.replace("<", "&lt;")))
        elif index % 3 == 2:
            fence_text = pieces[index - 1]
            out.append(f"{fence_text}{piece}{fence_text}")
    return "".join(out)


def _recommendation(text: str) -> str:
    """The first paragraph of a rule's Fix section, without code examples."""
    paragraph = text.split("```", 1)[0].strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def suggestion_lines(report: Report, finding: Finding) -> tuple[int, int, str] | None:
    """(first line, last line, replacement text) when the finding's fix rewrites whole lines we can show:
    the lines the edits touch (and the finding's own lines), with the edits applied."""
    from codeward.fixes import apply_edits
    from codeward.sources import read_text

    fix = finding.fix
    if fix is None or not fix.edits:
        return None
    first = min([finding.span.line] + [e.span.line for e in fix.edits])
    last = max([finding.span.line] + [_last_line(e.span.line, e.span.end_line, e.span.end_column) for e in fix.edits])
    shown = report.source_lines(finding.path)
    real = read_text(finding.path)
    if not isinstance(real, str) or last > len(shown):
        return None
    # A line another format masked (a secret) must not be echoed or rewritten from its masked form.
    if real.split("\n")[first - 1 : last] != shown[first - 1 : last]:
        return None
    text = "\n".join(shown[first - 1 : last]) + "\n"
    shifted = [
        Edit(Span(e.span.line - first + 1, e.span.column, e.span.end_line - first + 1, e.span.end_column), e.text)
        for e in fix.edits
    ]
    new = apply_edits(text, shifted)
    return first, last, new[:-1] if new.endswith("\n") else new


def _last_line(line: int, end_line: int, end_column: int) -> int:
    # An edit that ends at column 1 of a line stops at the end of the line before.
    return end_line - 1 if end_column == 1 and end_line > line else end_line


def fence(text: str) -> str:
    """A backtick fence longer than any backtick run inside (GFM)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def comment_body(
    report: Report, finding: Finding, fingerprint: str, *, suggestion: str | None = None, flavor: str = "github"
) -> str:
    """Markdown for one finding. `suggestion` is the replacement text of the commented lines (GitHub and
    GitLab apply it with one click; elsewhere it is shown as the proposed text)."""
    rule = report.rule_for(finding.code)
    title = f"{finding.code} · {finding.name}" if finding.name else finding.code
    head = f"**{title}** · {_SEVERITY_WORD[finding.severity]}"
    if rule is not None and rule.cwe:
        head += f" · [CWE-{rule.cwe}](https://cwe.mitre.org/data/definitions/{rule.cwe}.html)"
    parts = [head, md(finding.message)]
    for note in finding.notes:
        # A note's indented example (YAML, code) keeps its layout in a code block.
        first, _, rest = note.partition("\n")
        parts.append(md(first) + (f"\n{fence(rest)}\n{rest}\n{fence(rest)}" if rest.strip() else ""))
    advice = _recommendation(rule.docs().fix) if rule is not None else ""
    if advice:
        parts.append(f"**Recommendation:** {md(advice)}")
    if finding.fix is not None:
        parts.append(f"**Fix:** {md(finding.fix.description)} (`--fix` applies it)")
    if suggestion is not None:
        if flavor == "codecommit":
            parts.append(f"Suggested text:\n{fence(suggestion)}\n{suggestion}\n{fence(suggestion)}")
        else:
            info = "suggestion" if flavor == "github" else flavor  # gitlab passes "suggestion:-a+b"
            parts.append(f"{fence(suggestion)}{info}\n{suggestion}\n{fence(suggestion)}")
    if rule is not None:
        parts.append(f"<sub>[{finding.code} documentation]({rule.help_uri()}) · codeward</sub>")
    parts.append(MARKER.format(fingerprint))
    return "\n\n".join(parts)


@dataclass
class Plan:
    """What one run would post: comments anchored on the diff, and findings for the summary."""

    comments: list[tuple[str, Finding, dict[str, Any]]] = field(default_factory=list)
    summary: list[tuple[str, Finding]] = field(default_factory=list)
    skipped: int = 0  # findings already on the pull request

    @property
    def empty(self) -> bool:
        return not self.comments and not self.summary


def _placement(changes: ChangeSet | None, path: str, first: int, last: int) -> tuple[int, int] | None:
    """The line range GitHub will accept for a comment on first..last (one hunk), or None."""
    if changes is None:
        return first, last
    change = changes.file(path)
    if change is None or not change.analysable:
        return None
    hunk = change.hunk_of(first)
    if hunk is not None and hunk[0] <= last <= hunk[1]:
        return first, last
    return None


def plan(report: Report, skip: set[str] | frozenset[str] = frozenset()) -> Plan:
    changes = changes_of(report)
    out = Plan()
    for finding, fingerprint in zip(report.findings, fingerprints(report), strict=True):
        if fingerprint in skip:
            out.skipped += 1
            continue
        span = finding.span
        suggested = suggestion_lines(report, finding)
        first, last = span.line, _last_line(span.line, span.end_line, span.end_column)
        body_suggestion = None
        placed = None
        if suggested is not None:
            placed = _placement(changes, finding.path, suggested[0], suggested[1])
            if placed is not None:
                body_suggestion = suggested[2]
        if placed is None:
            placed = _placement(changes, finding.path, first, last)
        if placed is None and changes is not None:
            # Part of a long span outside the hunk: anchor on its first changed line alone.
            lines = changes.changed_lines(finding)
            if lines:
                placed = (lines[0], lines[0])
        if placed is None:
            out.summary.append((fingerprint, finding))
            continue
        comment: dict[str, Any] = {"path": repo_path(report, finding.path)}
        if placed[0] != placed[1]:
            comment.update(start_line=placed[0], start_side="RIGHT")
        comment.update(line=placed[1], side="RIGHT")
        comment["body"] = comment_body(report, finding, fingerprint, suggestion=body_suggestion)
        out.comments.append((fingerprint, finding, comment))
    return out


def _counts(findings: list[Finding]) -> str:
    counts = dict.fromkeys(Severity, 0)
    for finding in findings:
        counts[finding.severity] += 1
    parts = [f"{counts[s]} {_SEVERITY_WORD[s]}{'s' if counts[s] != 1 and s is not Severity.INFO else ''}" for s in
             (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s]]  # fmt: skip
    return ", ".join(parts)


def summary_body(report: Report, the_plan: Plan, *, part: tuple[int, int] = (1, 1)) -> str:
    findings = [f for _, f, _ in the_plan.comments] + [f for _, f in the_plan.summary]
    lines = [REVIEW_MARKER, "### codeward" + (f" (part {part[0]} of {part[1]})" if part[1] > 1 else "")]
    if not findings:
        lines.append("No findings on the lines this pull request changes." if changes_of(report) else "No findings.")
        return "\n\n".join(lines)
    total = len(findings)
    where = [f"{len(the_plan.comments)} commented inline"] if the_plan.comments else []
    where += [f"{len(the_plan.summary)} listed below"] if the_plan.summary else []
    lines.append(f"**{total} finding{'s' if total != 1 else ''}** ({_counts(findings)}): {', '.join(where)}.")
    if the_plan.skipped:
        lines.append(
            f"{the_plan.skipped} earlier finding{'s are' if the_plan.skipped != 1 else ' is'} already commented."
        )
    if the_plan.summary:
        items = []
        size = sum(len(line) for line in lines)
        for index, (fingerprint, finding) in enumerate(the_plan.summary):
            item = (
                f"- **{finding.code}** {_SEVERITY_WORD[finding.severity]} at `{md(repo_path(report, finding.path))}:"
                f"{finding.line}`: {md(finding.message)} {MARKER.format(fingerprint)}"
            )
            if size + len(item) > MAX_BODY:
                items.append(f"- ... and {len(the_plan.summary) - index} more (see the job log).")
                break
            items.append(item)
            size += len(item) + 1
        lines.append("Not on a line of the diff, so GitHub cannot take them as inline comments:\n\n" + "\n".join(items))
    return "\n\n".join(lines)


def payloads(
    report: Report, the_plan: Plan, *, commit_id: str | None = None, per_review: int = 50
) -> list[dict[str, Any]]:
    """Review request bodies: the summary and at most `per_review` comments each."""
    chunks = [the_plan.comments[i : i + per_review] for i in range(0, len(the_plan.comments), per_review)] or [[]]
    out = []
    for number, chunk in enumerate(chunks, 1):
        part_plan = Plan(comments=chunk, summary=the_plan.summary if number == 1 else [], skipped=the_plan.skipped)
        body: dict[str, Any] = {}
        if commit_id:
            body["commit_id"] = commit_id
        body["event"] = "COMMENT"
        body["body"] = summary_body(report, part_plan, part=(number, len(chunks)))
        body["comments"] = [comment for _, _, comment in chunk]
        out.append(body)
    return out


def render(report: Report) -> str:
    changes = changes_of(report)
    documents = payloads(report, plan(report), commit_id=changes.head if changes else None, per_review=10**9)
    return json.dumps(documents[0], indent=2, ensure_ascii=False) + "\n"
