"""GitLab merge-request threads: one JSON document per line, each the body of
`POST /projects/:id/merge_requests/:merge_request_iid/discussions` with a text `position` on the finding's
first changed line (`base_sha` = merge base, `start_sha` = target branch commit, `head_sha` = source commit,
exactly GitLab's diff refs for `--diff TARGET...HEAD`). A fix becomes a `suggestion:-a+b` block GitLab can
apply. Needs `--diff BASE...HEAD`."""

from __future__ import annotations

import json
from typing import Any

from codeward.diff import changes_of, fingerprints, repo_path
from codeward.output import Report
from codeward.output.github_review import comment_body, suggestion_lines


def documents(report: Report) -> list[dict[str, Any]]:
    changes = changes_of(report)
    out = []
    for finding, fingerprint in zip(report.findings, fingerprints(report), strict=True):
        lines = changes.changed_lines(finding) if changes else []
        path = repo_path(report, finding.path)
        if not lines or changes is None:
            # Outside the diff GitLab has no position to offer: a general thread naming the place.
            body = comment_body(report, finding, fingerprint)
            out.append({"body": f"`{path}:{finding.line}`\n\n{body}"})
            continue
        anchor = lines[0]
        suggested = suggestion_lines(report, finding)
        flavor, suggestion = "gitlab", None
        if suggested is not None and suggested[0] <= anchor <= suggested[1]:
            flavor = f"suggestion:-{anchor - suggested[0]}+{suggested[1] - anchor}"
            suggestion = suggested[2]
        change = changes.file(finding.path)
        position: dict[str, Any] = {
            "position_type": "text",
            "base_sha": changes.merge_base,
            "start_sha": changes.base,
            "head_sha": changes.head,
            "old_path": (change.old_path if change and change.old_path else path),
            "new_path": path,
            "new_line": anchor,
        }
        out.append({"body": comment_body(report, finding, fingerprint, suggestion=suggestion, flavor=flavor),
                    "position": position})  # fmt: skip
    return out


def render(report: Report) -> str:
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents(report))
