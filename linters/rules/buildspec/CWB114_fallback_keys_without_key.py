from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class FallbackKeysWithoutKey(DocumentRule):
    """
    ## What it does
    Reports `cache.fallback-keys` in a cache section that has no `cache.key`.

    ## Why is this bad?
    Fallback keys are only tried when the primary key finds no cache; without a `key` CodeBuild ignores
    them, so the cache you meant to restore by prefix is never restored.

    ## Example
    ```yaml
    cache:
      paths:
        - node_modules/**/*
      fallback-keys:
        - npm-
    ```

    ## Fix
    Add the primary key, e.g. `key: npm-$(codebuild-hash-files package-lock.json)`.
    """

    code = "CWB114"
    name = "buildspec-fallback-keys-without-key"
    severity = Severity.WARNING
    tags = ("correctness", "cache")
    kinds = frozenset({"buildspec"})
    paths = ("cache",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands: [npm ci]\ncache:\n  key: npm-$(codebuild-hash-files package-lock.json)\n"
            "  fallback-keys:\n    - npm-\n  paths:\n    - node_modules/**/*\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [npm ci]\ncache:\n  paths:\n    - node_modules/**/*\n"
            "  fallback-keys:\n    - npm-\n",
            8,
            3,
            "cache.fallback-keys is ignored without cache.key",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if isinstance(value, dict) and "fallback-keys" in value and "key" not in value:
            ctx.report(
                (*path, "fallback-keys"),
                "cache.fallback-keys is ignored without cache.key: fallback keys are only tried when the primary "
                "key misses; add key",
                key=True,
            )
