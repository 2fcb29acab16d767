"""`codeward feedback FINGERPRINT --useful|--not-useful`: a user's verdict on one review finding.

Verdicts live in the repository, in `.codeward-feedback.json` at its root (the nearest directory above the
reviewed paths with `.git`, else the current directory), so a team shares them through version control.
Findings marked not useful stop being reported by `codeward review`; `python -m codeward.reviewer.ml.train
--feedback .codeward-feedback.json` takes the verdicts on scored findings as extra labels. An entry keeps the
candidate's features (numbers and hashed token buckets), never the flagged value itself.

Entries are keyed by a fingerprint computed with the path relative to the repository root, so a verdict
holds however the paths are named on the command line, and survives edits elsewhere in the file.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from dataclasses import replace
from typing import Any

FILENAME = ".codeward-feedback.json"
VERSION = 1


def repository_root(start: str) -> str:
    directory = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    probe = directory
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return os.path.abspath(".")
        probe = parent


def stable_key(finding: Any, source_line: str, root: str) -> str:
    relative = os.path.relpath(os.path.abspath(finding.path), root).replace(os.sep, "/")
    return replace(finding, path=relative).fingerprint(source_line)


def load_feedback(path: str) -> dict[str, dict[str, Any]]:
    """Entries by stable key; a missing file is empty, a malformed one is an error the user can act on."""
    from codeward.cli import UsageError

    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the feedback file {path}: {exc}; fix or delete it") from None
    entries = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(entries, dict) or document.get("version") != VERSION:
        raise UsageError(f"{path} is not a codeward feedback file (version {VERSION}); fix or delete it")
    return {k: v for k, v in entries.items() if isinstance(v, dict) and v.get("verdict") in ("useful", "not-useful")}


def save_feedback(path: str, entries: dict[str, dict[str, Any]]) -> None:
    from codeward.cli import UsageError
    from codeward.safepaths import UnsafePath, check_writable, write_text

    document = {"tool": "codeward feedback", "version": VERSION, "findings": dict(sorted(entries.items()))}
    tmp = path + ".tmp"
    try:
        check_writable(path, "the feedback file")
        write_text(tmp, json.dumps(document, indent=1) + "\n", "the feedback file")
    except UnsafePath as exc:
        raise UsageError(str(exc)) from None
    os.replace(tmp, path)


def drop_not_useful(report: Any, start: str, path: str | None = None) -> int:
    """Remove the findings a user marked not useful from `report`; how many were removed. The verdicts
    come from `path`, else from FILENAME at the repository root around `start`."""
    from codeward.safepaths import read_refusal

    root = repository_root(start)
    if path is None:
        path = os.path.join(root, FILENAME)
        if not os.path.exists(path):
            return 0
    refused = read_refusal(path)
    if refused is not None:
        print(f"codeward: warning: feedback file {path} is {refused}", file=sys.stderr)
        return 0
    rejected = {key for key, entry in load_feedback(path).items() if entry["verdict"] == "not-useful"}
    if not rejected:
        return 0
    kept = [f for f in report.findings if stable_key(f, report.source_line(f.path, f.line), root) not in rejected]
    removed = len(report.findings) - len(kept)
    report.findings = kept
    return removed


def _features(finding: Any) -> tuple[str, dict[str, Any]] | None:
    """The scored candidate behind a finding, as the training set stores it."""
    from codeward.reviewer.ml.confidence import CLASSIFIER_RULE, SECRET_RULES, _covers, injection_rules
    from codeward.reviewer.review import read_source

    text, _ = read_source(finding.path)
    if text is None:
        return None
    if finding.code in SECRET_RULES or finding.code == CLASSIFIER_RULE:
        from codeward.reviewer.ml.candidates import python_secret_candidates, text_secret_candidates
        from codeward.reviewer.ml.features import secret_features

        python = finding.path.endswith((".py", ".pyi"))
        candidates = (
            python_secret_candidates(finding.path, text) if python else text_secret_candidates(finding.path, text)
        )
        for c in candidates:
            if _covers(c.line, c.column, c.end_line, c.end_column, finding.span):
                numeric, hashed = secret_features(c)
                return "secrets", {"numeric": numeric, "hashed": hashed}
        return None
    if finding.code in injection_rules():
        from codeward.reviewer.ml.candidates import sink_candidates
        from codeward.reviewer.ml.features import sink_features

        for c, _fires in sink_candidates(finding.path, text, frozenset({finding.code})):
            if (c.line, c.column) == (finding.span.line, finding.span.column):
                numeric, hashed = sink_features(c)
                return "injection", {"numeric": numeric, "hashed": hashed}
    return None


def _fingerprints(report: Any, finding: Any) -> set[str]:
    """The fingerprints a finding gets under the ways a review may have named its path (`./app.py`,
    `app.py`, absolute), since the printed fingerprint includes the path as given."""
    line = report.source_line(finding.path, finding.line)
    names = {finding.path, os.path.normpath(finding.path), os.path.abspath(finding.path), os.path.relpath(finding.path)}
    return {replace(finding, path=name).fingerprint(line) for name in names}


def register(sub: Any) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "feedback",
        help="mark a review finding useful or not useful (not-useful findings stop being reported)",
        description="Record a verdict on one `codeward review` finding, named by the fingerprint that the json "
        "and sarif formats print. Verdicts are kept in .codeward-feedback.json at the repository root.",
    )
    parser.add_argument("fingerprint", help="the finding's fingerprint (or a unique prefix of 6+ characters)")
    verdict = parser.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--useful", dest="verdict", action="store_const", const="useful")
    verdict.add_argument("--not-useful", dest="verdict", action="store_const", const="not-useful")
    parser.add_argument("paths", nargs="*", default=["."], help="where the finding is (default: .)")
    parser.add_argument("--config", metavar="PYPROJECT", help="read [tool.codeward] from this file")
    parser.add_argument("--isolated", action="store_true", help="ignore configuration files")
    return parser


def run(args: argparse.Namespace) -> int:
    from codeward.reviewer.command import mask_secrets
    from codeward.reviewer.review import run_review
    from codeward.reviewer.rules import rule_for

    from codeward.cli import EXIT_CLEAN, UsageError, load_config_for
    from codeward.output import Report

    wanted = args.fingerprint.strip().lower()
    if len(wanted) < 6 or any(ch not in "0123456789abcdef" for ch in wanted):
        raise UsageError(f"{args.fingerprint!r} is not a fingerprint: use the 16 hex digits that --format json prints")
    for attr, value in (("select", None), ("extend_select", []), ("ignore", []), ("fail_on", None)):
        setattr(args, attr, value)
    config = load_config_for(args, args.paths[0])
    results = run_review(args.paths, config, use_cache=True, jobs=0)
    report = Report([f for r in results for f in r.findings], [r.path for r in results], rule_for)
    mask_secrets(report)
    matches = [f for f in report.findings if any(fp.startswith(wanted) for fp in _fingerprints(report, f))]
    if not matches:
        raise UsageError(
            f"no finding with fingerprint {wanted} in {' '.join(args.paths)}; "
            "`codeward review --format json` prints each finding's fingerprint"
        )
    if len({report.fingerprint(f) for f in matches}) > 1:
        raise UsageError(f"fingerprint prefix {wanted} matches {len(matches)} findings; give more characters")
    finding = matches[0]
    root = repository_root(args.paths[0])
    path = os.path.join(root, FILENAME)
    entries = load_feedback(path)
    key = stable_key(finding, report.source_line(finding.path, finding.line), root)
    entry: dict[str, Any] = {
        "verdict": args.verdict,
        "code": finding.code,
        "path": os.path.relpath(os.path.abspath(finding.path), root).replace(os.sep, "/"),
        "message": finding.message,
        "recorded": datetime.date.today().isoformat(),
    }
    scored = _features(finding)
    if scored is not None:
        entry["category"], entry["features"] = scored
    entries[key] = entry
    save_feedback(path, entries)
    effect = "it will not be reported again" if args.verdict == "not-useful" else "thanks"
    where = f"{finding.path}:{finding.line}"
    print(f"codeward: recorded {finding.code} at {where} as {args.verdict} in {path}; {effect}", file=sys.stderr)
    return EXIT_CLEAN
