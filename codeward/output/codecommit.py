"""Input documents for `aws codecommit post-comment-for-pull-request --cli-input-json`, one JSON document per
line (one per comment), for pull requests in AWS CodeCommit (the repositories CodeGuru Reviewer integrates with).

Each comment sits on the first changed line of its finding in the AFTER version of the file, and carries a
`clientRequestToken` derived from the finding's fingerprint: CodeCommit answers a repeated request that has the
same token and parameters with the comment it already made, so posting the file twice does not duplicate
comments. Needs `--diff BASE...HEAD` (the before/after commits) and `--repo`/`--pr`."""

from __future__ import annotations

import json
from typing import Any

from codeward.diff import changes_of, fingerprints, repo_path
from codeward.output import Report
from codeward.output.github_review import comment_body, suggestion_lines

# CodeCommit refuses comments longer than 10,240 characters.
MAX_CONTENT = 10240


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    marker = text[text.rfind("\n\n<!-- codeward:") :] if "<!-- codeward:" in text else ""
    return text[: limit - len(marker) - 20].rstrip() + "\n\n(shortened)" + marker


def documents(report: Report) -> list[dict[str, Any]]:
    changes = changes_of(report)
    repo, pull = getattr(report, "pull", (None, None))
    out = []
    for finding, fingerprint in zip(report.findings, fingerprints(report), strict=True):
        document: dict[str, Any] = {
            "pullRequestId": str(pull or ""),
            "repositoryName": repo or "",
            "beforeCommitId": changes.base if changes else "",
            "afterCommitId": changes.head if changes else "",
        }
        lines = changes.changed_lines(finding) if changes else []
        suggested = suggestion_lines(report, finding)
        text = comment_body(report, finding, fingerprint, suggestion=suggested[2] if suggested else None,
                            flavor="codecommit")  # fmt: skip
        if lines:
            document["location"] = {
                "filePath": repo_path(report, finding.path),
                "filePosition": lines[0],
                "relativeFileVersion": "AFTER",
            }
        else:  # not on a changed line: a general comment on the pull request
            text = f"`{repo_path(report, finding.path)}:{finding.line}`\n\n" + text
        document["content"] = _truncate(text, MAX_CONTENT)
        document["clientRequestToken"] = f"codeward-{fingerprint}"
        out.append(document)
    return out


def render(report: Report) -> str:
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents(report))
