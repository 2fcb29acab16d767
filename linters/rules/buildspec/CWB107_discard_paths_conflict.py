import posixpath
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import is_yes, where

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_WILD = re.compile(r"[*?\[]")


def _problem(pattern: str, seen: dict[str, str]) -> str | None:
    """Why files matched by `pattern` can collide once directories are discarded, or None."""
    parts = [p for p in pattern.strip().strip("/").split("/") if p not in ("", ".")]
    if not parts:
        return None
    base, dirs = parts[-1], parts[:-1]
    if base == "**":
        base, dirs = "*", [*dirs, "**"]
    wild_dirs = any(_WILD.search(d) for d in dirs)
    if wild_dirs and not _WILD.search(base):
        return f'every directory matched by "{pattern}" holds a file named "{base}", and they all land on one name'
    if "**" in dirs:
        return f'"{pattern}" matches files in many directories; files with the same name overwrite each other'
    if not _WILD.search(base):
        other = seen.get(base)
        if other is not None and other != pattern:
            return f'"{pattern}" and "{other}" both produce a file named "{base}"'
        seen[base] = pattern
    return None


class DiscardPathsConflict(DocumentRule):
    """
    ## What it does
    Reports `discard-paths: yes` (in artifacts, secondary artifacts or report groups) combined with file
    patterns that can match files with the same name in different directories: recursive `**` patterns,
    wildcard directories with a fixed file name (`*/target/app.jar`), or two patterns ending in the same
    file name.

    ## Why is this bad?
    `discard-paths` flattens the output: every matched file lands in one folder under its bare file
    name. Two files named `index.js` (or two `junit.xml` reports) collide and only one survives, so the
    artifact silently misses files.

    ## Example
    ```yaml
    artifacts:
      files:
        - "**/*"
      discard-paths: yes
    ```

    ## Fix
    Keep the paths (`discard-paths: no`, use `base-directory` to drop the leading folders), or narrow
    the patterns so every matched file has a distinct name.
    """

    code = "CWB107"
    name = "buildspec-discard-paths-conflict"
    severity = Severity.WARNING
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("artifacts", "artifacts/secondary-artifacts/*", "reports/*")
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files:\n    - target/app.jar\n"
            "    - appspec.yml\n    - scripts/*\n  discard-paths: yes\n"
        ),
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files: ['**/*']\n  base-directory: dist\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files:\n    - '**/*'\n  discard-paths: yes\n",
            7,
            7,
            "with discard-paths: yes",
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nreports:\n  unit:\n    files:\n      - '*/build/junit.xml'\n"
            "    discard-paths: yes\n",
            8,
            9,
            'holds a file named "junit.xml"',
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\nartifacts:\n  files:\n    - api/app.zip\n    - web/app.zip\n"
            "  discard-paths: yes\n",
            8,
            7,
            'both produce a file named "app.zip"',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict) or not is_yes(value.get("discard-paths")):
            return
        files = value.get("files")
        if not isinstance(files, list):
            return
        seen: dict[str, str] = {}
        for index, pattern in enumerate(files):
            if not isinstance(pattern, str):
                continue
            problem = _problem(posixpath.normpath(pattern) if pattern.strip() else pattern, seen)
            if problem:
                ctx.report(
                    (*path, "files", index),
                    f"with discard-paths: yes in {where(path)}, {problem}",
                    notes=(
                        "Set discard-paths: no (and base-directory to drop leading folders) or narrow the pattern.",
                    ),
                )
                return
