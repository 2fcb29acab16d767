"""Report formats. Each module renders a Report to text; modules load only when their format is asked for."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from codeward import __version__
from codeward.findings import Finding, Severity
from codeward.masking import Masker
from codeward.rule import Rule
from codeward.sources import decode

FORMATS = {
    "text": "codeward.output.text",
    "concise": "codeward.output.text",
    "json": "codeward.output.json_format",
    "sarif": "codeward.output.sarif",
    "github": "codeward.output.github",
    "gitlab": "codeward.output.gitlab",
    "junit": "codeward.output.junit",
    "github-review": "codeward.output.github_review",
    "codecommit": "codeward.output.codecommit",
    "gitlab-discussions": "codeward.output.gitlab_discussions",
}


@dataclass
class Report:
    findings: list[Finding]
    # Every file that was checked, with or without findings (JUnit lists clean files as passing tests).
    checked: list[str] = field(default_factory=list)
    rule_for: Callable[[str], type[Rule] | None] = lambda code: None
    tool_version: str = __version__
    color: bool = False
    # Print why/fix lines under each finding in text output.
    explain: bool = True
    _lines: dict[str, list[str]] = field(default_factory=dict)
    # Secrets every format masks: the spans of findings of `secret` rules, and values a simulator knows.
    masker: Masker = field(default_factory=Masker)

    def __post_init__(self) -> None:
        self.protect(self.findings)

    def protect(self, findings: list[Finding]) -> None:
        """Mask the credentials these findings flag in every source line shown (call before filtering, so
        that hidden findings' secrets stay masked on the lines other findings show)."""
        self.masker.add_findings(findings, lambda code: bool(getattr(self.rule_for(code), "secret", False)))
        for path, lines in self._lines.items():
            self.masker.learn_values(path, lines)
            self.masker.lines(path, lines)

    def source_lines(self, path: str) -> list[str]:
        cached = self._lines.get(path)
        if cached is None:
            from codeward.safepaths import read_refusal

            try:
                if read_refusal(path) is not None:
                    raise PermissionError(path)
                with open(path, "rb") as handle:
                    text = decode(handle.read(8 * 1024 * 1024))
            except OSError:
                text = ""
            cached = self._lines[path] = text.split("\n") if isinstance(text, str) else []
            self.masker.learn_values(path, cached)
            self.masker.lines(path, cached)
        return cached

    def source_line(self, path: str, line: int) -> str:
        lines = self.source_lines(path)
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def fingerprint(self, finding: Finding) -> str:
        return finding.fingerprint(self.source_line(finding.path, finding.line))

    def counts(self) -> dict[Severity, int]:
        out = dict.fromkeys(Severity, 0)
        for finding in self.findings:
            out[finding.severity] += 1
        return out


def render(name: str, report: Report) -> str:
    module = importlib.import_module(FORMATS[name])
    return module.render(report, concise=True) if name == "concise" else module.render(report)
