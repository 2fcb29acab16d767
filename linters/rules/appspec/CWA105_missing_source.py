from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import file_entries, revision, revision_path

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class AppSpecMissingSource(DocumentRule):
    """
    ## What it does
    Reports a `files` entry whose `source` is not in the revision: the path, relative to the directory of
    the AppSpec file, names no file or directory.

    ## Why is this bad?
    The agent copies what the source names during the Install event; a source that is not in the bundle
    fails the deployment on every instance. It is a warning rather than an error because some sources are
    produced by the build (a `dist/` or `target/` directory) and are absent from a source checkout.

    A source with a wildcard (`/*`, `*.jar`) is an error: the agent joins the source to the bundle's
    folder as a literal path and copies a file of that name (`installer.rb`, `generate_instructions`); it
    expands no pattern, so the copy fails whatever the bundle holds. Name the folder (`/` for all of it).

    ## Example
    ```yaml
    version: 0.0
    os: linux
    files:
      - source: web/
        destination: /var/www/html
    ```

    ## Fix
    Correct the path, or add the file to the revision. For build outputs, lint the built revision or
    suppress the finding on that line.
    """

    code = "CWA105"
    name = "appspec-missing-source"
    severity = Severity.WARNING
    tags = ("correctness", "files")
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        from codeward.linters.revision import MISSING

        bundle = revision(ctx)
        for entry_path, entry in file_entries(ctx):
            source = entry.get("source")
            if not isinstance(source, str) or source.strip() in ("", "/", "\\"):
                continue
            where = (*entry_path, "source")
            target = revision_path(ctx, source)
            if any(c in source for c in "*?[") and bundle.lookup(source, directory_ok=True) == MISSING:
                folder = source.rstrip("/").rsplit("/", 1)[0] if "/" in source.rstrip("/") else ""
                ctx.report(
                    where,
                    f'source "{source}" is a pattern, but the agent copies the source as a literal path and expands '
                    f'no wildcard: the Install event fails; name the folder instead ("{folder or "/"}")',
                    severity=Severity.ERROR,
                )
                continue
            if target is None:
                ctx.report(where, f'source "{source}" points outside the revision')
            elif bundle.lookup(source, directory_ok=True) == MISSING:
                ctx.report(
                    where,
                    f'source "{source}" is not in the revision (paths are relative to the AppSpec file); the '
                    "Install event would fail",
                    notes=("If a build outside this repository creates it, suppress this line.",),
                )

    VALID = (
        Valid(
            "version: 0.0\nos: linux\nfiles:\n  - source: web\n    destination: /var/www/html\n"
            "  - source: /\n    destination: /opt/app\n",
            files={"web/index.html": "<h1>hi</h1>\n"},
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\nfiles:\n  - source: /*\n    destination: /var/www/html/\n",
            4,
            13,
            'source "/*" is a pattern, but the agent copies the source as a literal path and expands no wildcard',
            files={"index.html": "<h1>hi</h1>\n"},
        ),
        Invalid(
            "version: 0.0\nos: linux\nfiles:\n  - source: web/\n    destination: /var/www/html\n",
            4,
            13,
            '"web/" is not in the revision',
            files={"site/index.html": "<h1>hi</h1>\n"},
        ),
    )
