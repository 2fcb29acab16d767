"""Rule metadata shared by the linters and the reviewer.

A rule is one class: its code, name, severity and tags as class attributes, its docs as the class
docstring (ruff's sections: What it does / Why is this bad? / Example / Fix) and its own VALID and
INVALID cases, which the test suite runs for every registered rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from codeward import DOCS_URL
from codeward.findings import Severity

_SECTION = re.compile(r"^## (.+?)\s*$", re.M)


@dataclass(frozen=True)
class Valid:
    """Source that must produce no finding of the rule."""

    source: str
    filename: str = ""
    # Other files of the source tree, relative to the file's directory (hook scripts, artifacts).
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Invalid:
    """Source that must produce a finding of the rule at exactly (line, column)."""

    source: str
    line: int
    column: int
    # A substring the message must contain.
    message: str = ""
    filename: str = ""
    files: dict[str, str] = field(default_factory=dict)
    # Expected source after applying the finding's fix, if it has one.
    fixed: str | None = None


@dataclass(frozen=True)
class RuleDocs:
    what: str
    why: str
    example: str
    fix: str

    def markdown(self) -> str:
        parts = [
            ("What it does", self.what),
            ("Why is this bad?", self.why),
            ("Example", self.example),
            ("Fix", self.fix),
        ]
        return "\n\n".join(f"## {title}\n{body}" for title, body in parts if body)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    tags: ClassVar[tuple[str, ...]] = ()
    cwe: ClassVar[int | None] = None
    # CVSS-like 0.0-10.0 score for security rules; GitHub code scanning ranks alerts by it.
    security_severity: ClassVar[float | None] = None
    # The finding is about the whole file (it was not read, parsed or checked), wherever it is placed:
    # `--diff` keeps it for every changed file, since otherwise a pull request could hide everything.
    whole_file: ClassVar[bool] = False
    # The finding's span is a credential: every output masks it (codeward.masking), the source line shown,
    # SARIF snippets, review comments and simulator traces alike.
    secret: ClassVar[bool] = False
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    @classmethod
    def docs(cls) -> RuleDocs:
        text = cls.__doc__ or ""
        sections: dict[str, str] = {}
        pieces = _SECTION.split(_dedent(text))
        for title, body in zip(pieces[1::2], pieces[2::2], strict=True):
            sections[title.lower().rstrip("?")] = body.strip()
        return RuleDocs(
            what=sections.get("what it does", pieces[0].strip()),
            why=sections.get("why is this bad", ""),
            example=sections.get("example", ""),
            fix=sections.get("fix", ""),
        )

    @classmethod
    def summary(cls) -> str:
        """The first sentence of "What it does"."""
        what = " ".join(cls.docs().what.split())
        end = what.find(". ")
        return what if end < 0 else what[: end + 1]

    @classmethod
    def help_uri(cls) -> str:
        return f"{DOCS_URL}#{cls.code.lower()}-{cls.name}"


def _dedent(text: str) -> str:
    lines = text.expandtabs().splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    cut = min(indents, default=0)
    return "\n".join([lines[0].strip()] + [line[cut:] for line in lines[1:]]) if lines else ""
