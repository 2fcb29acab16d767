"""Rules over parsed definition files.

Like cfn-lint's, each rule is bound to the paths it checks ("phases/*/commands"); the engine walks a
document once and hands every rule the values at its paths, so positions come from the document and
no rule walks the file again. A path of "" binds the rule to the whole document.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from codeward.linters.document import Document, Path

from codeward.findings import Fix, Severity, Span
from codeward.rule import Rule


class Context:
    """What a rule sees of the file being linted, and where it reports."""

    def __init__(self, document: Document, base_dir: str) -> None:
        self.document = document
        # Directory the file's relative references (hook scripts, artifact files) resolve against.
        self.base_dir = base_dir
        self.reports: list[tuple[type[Rule], str, Span, Fix | None, tuple[str, ...], Severity | None]] = []
        self._rule: type[Rule] | None = None
        # Per-file scratch space for rules that share derived facts (say, the artifact graph).
        self.cache: dict[str, Any] = {}

    def report(
        self,
        path: Path,
        message: str,
        *,
        key: bool = False,
        span: Span | None = None,
        fix: Fix | None = None,
        notes: tuple[str, ...] = (),
        severity: Severity | None = None,
    ) -> None:
        """Report at `path`; `severity` overrides the rule's own when this case is milder (or graver)."""
        assert self._rule is not None
        where = span if span is not None else self.document.span(path, key=key)
        self.reports.append((self._rule, message, where, fix, notes, severity))


class DocumentRule(Rule):
    # Which kinds of file the rule applies to: "buildspec", "appspec", "pipeline".
    kinds: ClassVar[frozenset[str]]
    # Slash-separated paths, "*" matching any key or index; "" is the document root.
    paths: ClassVar[tuple[str, ...]] = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        raise NotImplementedError


def split_pattern(pattern: str) -> tuple[str, ...]:
    return tuple(part for part in pattern.split("/") if part) if pattern else ()


class PathIndex:
    """A trie of rule paths: one walk of the document finds every (rule, path) binding."""

    def __init__(self, rules: list[DocumentRule]) -> None:
        self.root: dict[str, Any] = {}
        for rule in rules:
            for pattern in rule.paths:
                node = self.root
                for part in split_pattern(pattern):
                    node = node.setdefault(part, {})
                node.setdefault(None, []).append(rule)  # type: ignore[call-overload]

    def walk(self, data: Any) -> Iterator[tuple[DocumentRule, Path, Any]]:
        stack: list[tuple[Any, Path, list[dict[Any, Any]]]] = [(data, (), [self.root])]
        while stack:
            value, path, nodes = stack.pop()
            for node in nodes:
                for rule in node.get(None, ()):
                    yield rule, path, value
            if isinstance(value, dict):
                items: Any = value.items()
            elif isinstance(value, list):
                items = enumerate(value)
            else:
                continue
            children = []
            for key, child in items:
                keys = (key, "*") if isinstance(key, str) else ("*",)
                nexts = [n[k] for n in nodes for k in keys if k in n]
                if nexts:
                    children.append((child, (*path, key), nexts))
            stack.extend(reversed(children))


class SchemaRule(DocumentRule):
    """A rule whose findings come from validating the file against its kind's JSON Schema.

    The engine validates each view once and files every schema error under the rule of that kind and
    error class; these classes carry the code, docs and test cases.
    """

    # "unknown-key", "required", "type" or "value" (see linters.schema.SchemaError.kind).
    error_kind: ClassVar[str]
    paths: ClassVar[tuple[str, ...]] = ()


class LoaderRule(DocumentRule):
    """A problem with the file itself (syntax, encoding, size), found before any kind-specific check."""

    kinds: ClassVar[frozenset[str]] = frozenset({"buildspec", "appspec", "pipeline"})
    paths: ClassVar[tuple[str, ...]] = ()
