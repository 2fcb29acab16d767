from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule

from codeward.findings import Edit, Fix, Severity
from codeward.rule import Invalid, Valid


class ExcludeFolderPattern(DocumentRule):
    """
    ## What it does
    Reports an `exclude-paths` entry of an artifact that ends in `/` (`node_modules/`, `**/__pycache__/`).

    ## Why is this bad?
    CodeBuild matches `exclude-paths` against the paths of the files it would upload, relative to
    `base-directory`; no file's path ends in `/`, so a folder written that way excludes nothing and the
    folder ships in the artifact (dependencies, virtual environments, caches). AWS Solutions'
    automated-security-response-on-aws fixed exactly this ("Fix artifact exclude paths", e7c7fbc): every
    `folder/` entry became `folder/**/*`.

    ## Example
    ```yaml
    artifacts:
      files:
        - '**/*'
      exclude-paths:
        - source/node_modules/
    ```

    ## Fix
    Match the files under the folder: `source/node_modules/**/*`.
    """

    code = "CWB134"
    name = "buildspec-exclude-folder-pattern"
    severity = Severity.ERROR
    tags = ("correctness", "artifacts")
    kinds = frozenset({"buildspec"})
    paths = ("artifacts/exclude-paths/*", "artifacts/secondary-artifacts/*/exclude-paths/*")
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*']\n"
            "  exclude-paths:\n    - 'source/node_modules/**/*'\n    - '**/*.pyc'\n    - .git/**\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*']\n"
            "  exclude-paths:\n    - '**/__pycache__/'\n    - '**/*.pyc'\n",
            8,
            7,
            'exclude-paths entry "**/__pycache__/" ends in "/": CodeBuild matches file paths, so it excludes nothing; '
            'write "**/__pycache__/**/*"',
            fixed="version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*']\n"
            "  exclude-paths:\n    - '**/__pycache__/**/*'\n    - '**/*.pyc'\n",
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*']\n"
            "  exclude-paths:\n    - '**/__pycache__/**/*'\n    - source/node_modules/\n",
            9,
            7,
            '"source/node_modules/"',
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, ten labelled sets, 2026-12-07): no error on any "
            "file AWS accepts; errors on fresh6 t38 (five `folder/` entries; the repository's fix appends `**/*`), labelled defect."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, str) or not value.endswith("/") or value.strip() in ("/", "./"):
            return
        meant = f"{value}**/*"
        span = ctx.document.span(path)
        written = ctx.document.source(span)
        quote = written[0] if written[:1] in ("'", '"') else ("'" if meant.startswith("*") else "")
        ctx.report(
            path,
            f'exclude-paths entry "{value}" ends in "/": CodeBuild matches file paths, so it excludes nothing; '
            f'write "{meant}"',
            fix=Fix(f'match the files under the folder: "{meant}"', (Edit(span, f"{quote}{meant}{quote}"),)),
        )
