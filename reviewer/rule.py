"""Reviewer rules: one class per rule, handlers named after the libcst node types they want.

`visit_Call(self, ctx, node)` runs when the engine's single walk reaches a `Call`; `leave_FunctionDef`
after a function's body has been walked. The engine builds one dispatch table per file from the rules
that are selected and whose `needles` occur in the file's text, so a rule costs nothing on files that
cannot match it.
"""

from __future__ import annotations

import re
from typing import ClassVar

from codeward.findings import Severity
from codeward.rule import Rule

CATEGORIES = ("security", "resource-leak", "secrets", "input-validation", "aws-best-practices", "code-quality")


class ReviewRule(Rule):
    category: ClassVar[str] = "code-quality"
    # The rule can only match files containing at least one of these strings (empty: every file) and, when
    # set, matching `pattern`: a text pre-filter that lets most files skip the rule, or the parse entirely.
    needles: ClassVar[tuple[str, ...]] = ()
    pattern: ClassVar[re.Pattern[str] | None] = None
    # Further reading: standards and vendor documentation.
    references: ClassVar[tuple[str, ...]] = ()
    severity: ClassVar[Severity] = Severity.WARNING
    # Off by default whatever its measured precision says, run only when asked for by name (`--select`,
    # `extend-select`, a prefix, ALL): every kind of finding it makes was judged wrong on real code, none right.
    opt_in: ClassVar[bool] = False

    @classmethod
    def measured(cls) -> str:
        """Its precision on real projects and whether it runs by default (`codeward.reviewer.measured`)."""
        from codeward.reviewer.measured import describe

        return describe(cls.code)

    @classmethod
    def may_match(cls, text: str, facts: dict[object, bool]) -> bool:
        """The text pre-filter; `facts` memoises pattern searches shared by several rules of one file."""
        if cls.needles and not any(needle in text for needle in cls.needles):
            return False
        return cls.pattern is None or search(cls.pattern, text, facts)

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            tags = [cls.category]
            if cls.security_severity is not None and "security" not in tags:
                tags.append("security")
            cls.tags = tuple(tags)


def search(pattern: re.Pattern[str], text: str, facts: dict[object, bool]) -> bool:
    found = facts.get(pattern)
    if found is None:
        found = facts[pattern] = pattern.search(text) is not None
    return found
