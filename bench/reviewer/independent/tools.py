"""Run the reviewers on a scratch folder and return their findings as (file, line, rule) triples."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    path: str  # absolute
    line: int
    end_line: int
    rule: str


class ToolFailed(RuntimeError):
    pass


def available(tool: str) -> bool:
    return importlib.util.find_spec({"codeward": "codeward", "bandit": "bandit"}[tool]) is not None


def codeward(folder: str, extra: tuple[str, ...] = ()) -> list[Finding]:
    """`codeward review` as a user runs it (default confidence threshold), without configuration or cache."""
    command = [sys.executable, "-m", "codeward", "review", "--isolated", "--no-cache", "--format", "json",
               "--exit-zero", *extra, folder]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600, cwd=folder)
    if result.returncode not in (0, 1):
        raise ToolFailed(f"codeward exited {result.returncode}: {result.stderr.strip()[-2000:]}")
    report = json.loads(result.stdout)
    out = []
    for item in report.get("findings", []):
        path = item["path"] if os.path.isabs(item["path"]) else os.path.join(folder, item["path"])
        out.append(Finding(os.path.normpath(path), item["line"], item.get("end_line") or item["line"], item["code"]))
    return out


def bandit(folder: str) -> list[Finding]:
    """bandit with its default profile (every test, every severity and confidence)."""
    command = [sys.executable, "-m", "bandit", "-q", "-r", "-f", "json", folder]
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600, cwd=folder)
    if result.returncode not in (0, 1):
        raise ToolFailed(f"bandit exited {result.returncode}: {result.stderr.strip()[-2000:]}")
    report = json.loads(result.stdout or "{}")
    out = []
    for item in report.get("results", []):
        path = item["filename"] if os.path.isabs(item["filename"]) else os.path.join(folder, item["filename"])
        lines = item.get("line_range") or [item["line_number"]]
        out.append(Finding(os.path.normpath(path), item["line_number"], max(lines), item["test_id"]))
    return out
