from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


class ArtifactsWithoutFiles(DocumentRule):
    """
    ## What it does
    Reports an `artifacts` section, or one of its `secondary-artifacts`, that has no `files` (or an empty
    `files` list).

    ## Why is this bad?
    `files` says what to upload. CodeBuild requires it in `artifacts` even when only secondary artifacts
    are uploaded, and a secondary artifact without files has nothing to upload; the build fails in its
    UPLOAD_ARTIFACTS phase, after all the work is done.

    ## Example
    ```yaml
    version: 0.2
    phases:
      build:
        commands:
          - make
    artifacts:
      base-directory: dist
    ```

    ## Fix
    List the files to upload, e.g. `files: ['**/*']` together with `base-directory: dist`.
    """

    code = "CWB106"
    name = "buildspec-artifacts-without-files"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("artifacts", "artifacts/secondary-artifacts/*")
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*']\n  base-directory: dist\n"
            "  secondary-artifacts:\n    docs:\n      files: ['**/*']\n      base-directory: site\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  base-directory: dist\n",
            5,
            1,
            'artifacts has no "files"',
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*']\n  secondary-artifacts:\n"
            "    docs:\n      base-directory: site\n",
            8,
            5,
            'secondary artifact "docs" has no "files"',
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: []\n",
            6,
            3,
            "artifacts.files is empty",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict):
            return
        label = "artifacts" if len(path) == 1 else f'secondary artifact "{path[-1]}"'
        files = value.get("files")
        if "files" not in value:
            extra = (
                " (it is required here even when only secondary-artifacts are uploaded)"
                if len(path) == 1 and "secondary-artifacts" in value
                else ""
            )
            ctx.report(
                path,
                f'{label} has no "files": CodeBuild needs the list of files to upload{extra}; add e.g. files: ["**/*"]',
                key=True,
            )
        elif files == [] or files is None:
            shown = "artifacts.files" if len(path) == 1 else f"secondary-artifacts.{path[-1]}.files"
            ctx.report((*path, "files"), f"{shown} is empty: nothing would be uploaded; list the files", key=True)
