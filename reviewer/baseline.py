"""Baselines: accept today's findings so that only new ones fail CI.

A baseline is JSON: each finding's code, path (relative to the baseline file, `/`-separated) and
fingerprint, which depends on the rule, the path, the flagged line's text and the message but not on the
line number, so unrelated edits above a finding do not resurrect it. Matching counts duplicates: if a
line held two accepted findings and now holds three, one is new.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from typing import Any

from codeward.cli import UsageError

VERSION = 1


def _relative(path: str, baseline: str) -> str:
    base = os.path.dirname(os.path.abspath(baseline))
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")


def _keys(baseline: str, report: Any) -> list[tuple[str, str, str]]:
    return [(f.code, _relative(f.path, baseline), report.fingerprint(f)) for f in report.findings]


def write_baseline(path: str, report: Any) -> int:
    from codeward.safepaths import UnsafePath, write_text

    entries = [{"code": c, "path": p, "fingerprint": fp} for c, p, fp in sorted(_keys(path, report))]
    document = {"tool": "codeward review", "version": VERSION, "findings": entries}
    try:
        write_text(path, json.dumps(document, indent=1) + "\n", "the baseline")
    except UnsafePath as exc:
        raise UsageError(str(exc)) from None
    return len(entries)


def load_baseline(path: str) -> Counter[tuple[str, str, str]]:
    from codeward.safepaths import read_refusal

    refused = read_refusal(path)
    if refused is not None:  # every finding counts as new: a link can only cost the attacker
        print(f"codeward: warning: baseline {path} is {refused}; every finding counts as new", file=sys.stderr)
        return Counter()
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise UsageError(f"baseline {path} does not exist; create it with --baseline {path} --write-baseline") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read baseline {path}: {exc}") from None
    entries = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(entries, list) or document.get("version") != VERSION:
        raise UsageError(f"{path} is not a codeward review baseline (version {VERSION}); write it again")
    out: Counter[tuple[str, str, str]] = Counter()
    for entry in entries:
        try:
            out[(str(entry["code"]), str(entry["path"]), str(entry["fingerprint"]))] += 1
        except (KeyError, TypeError):
            raise UsageError(f"{path}: malformed entry {entry!r}; write the baseline again") from None
    return out


def filter_new(path: str, report: Any) -> tuple[list[Any], int]:
    """The findings the baseline does not account for, and how many it accepted."""
    accepted = load_baseline(path)
    new = []
    for finding, key in zip(report.findings, _keys(path, report), strict=True):
        if accepted[key] > 0:
            accepted[key] -= 1
        else:
            new.append(finding)
    return new, len(report.findings) - len(new)
