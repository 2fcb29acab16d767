import os
import posixpath
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import file_entries, revision_path, server_os

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Enough for any real revision; a huge tree is not walked further.
MAX_FILES = 20_000


def _normal(path: str, windows: bool) -> str:
    if windows:
        return path.replace("/", "\\").rstrip("\\").lower()
    return posixpath.normpath(path) if path.strip() else path


def _targets(ctx: Context, source: str, destination: str, windows: bool) -> set[str] | None:
    """The instance paths one files entry writes, or None when its source is not on disk."""
    local = revision_path(ctx, source)
    if local is None or not os.path.exists(local):
        return None
    sep = "\\" if windows else "/"
    base = _normal(destination, windows)
    if os.path.isfile(local):
        return {_normal(base + sep + os.path.basename(local), windows)}
    out: set[str] = set()
    for folder, dirs, files in os.walk(local):
        dirs.sort()
        relative = os.path.relpath(folder, local)
        for name in files:
            parts = [base] + ([] if relative == "." else relative.split(os.sep)) + [name]
            out.add(_normal(sep.join(parts), windows))
            if len(out) > MAX_FILES:
                return out
    return out


class AppSpecDuplicateDestination(DocumentRule):
    """
    ## What it does
    Reports `files` entries that copy to the same file on the instance: the same entry written twice,
    or two sources that both contain a file of the same name for the same destination directory. When
    the sources are on disk the actual files are compared; otherwise identical entries are reported.

    ## Why is this bad?
    The agent plans every copy before it starts and fails the Install event when two copies target the
    same file, so the deployment breaks on every instance. Even where it did not, one of the two files
    would silently win.

    ## Example
    ```yaml
    files:
      - source: config/prod/app.conf
        destination: /etc/app
      - source: config/default/app.conf
        destination: /etc/app
    ```

    ## Fix
    Keep one copy per target file: remove the duplicate entry, or send the sources to different
    directories.
    """

    code = "CWA116"
    name = "appspec-duplicate-destination"
    severity = Severity.ERROR
    tags = ("correctness", "files")
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        system = server_os(ctx)
        if system is None:
            return
        windows = system == "windows"
        owners: dict[str, int] = {}
        pairs: dict[tuple[str, str], int] = {}
        for entry_path, entry in file_entries(ctx):
            index = entry_path[-1]
            source, destination = entry.get("source"), entry.get("destination")
            if not isinstance(source, str) or not isinstance(destination, str) or not destination.strip():
                continue
            key = (_normal(source.replace("\\", "/").lstrip("/") or "/", False), _normal(destination, windows))
            if key in pairs:
                ctx.report(
                    (*entry_path, "destination"),
                    f'files[{index}] repeats files[{pairs[key]}]: both copy "{source}" to "{destination}"; the agent '
                    "fails when two copies target the same file",
                )
                continue
            pairs[key] = index
            targets = _targets(ctx, source, destination, windows)
            if not targets:
                continue
            clashes = sorted(t for t in targets if t in owners)
            if clashes:
                other = owners[clashes[0]]
                more = f" and {len(clashes) - 1} more" if len(clashes) > 1 else ""
                ctx.report(
                    (*entry_path, "destination"),
                    f'files[{index}] and files[{other}] both copy a file to "{clashes[0]}"{more}; the agent fails '
                    "when two copies target the same file",
                )
            for target in targets:
                owners.setdefault(target, index)

    VALID = (
        Valid(
            "version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: /srv/app\n"
            "  - source: config/prod.conf\n    destination: /srv/app\n",
            files={"app/main.py": "print(1)\n", "config/prod.conf": "x=1\n"},
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.0\nos: linux\nfiles:\n  - source: prod/app.conf\n    destination: /etc/app\n"
            "  - source: default/app.conf\n    destination: /etc/app\n",
            7,
            18,
            'both copy a file to "/etc/app/app.conf"',
            files={"prod/app.conf": "x=1\n", "default/app.conf": "x=0\n"},
        ),
        Invalid(
            "version: 0.0\nos: linux\nfiles:\n  - source: build/\n    destination: /srv/app\n"
            "  - source: build\n    destination: /srv/app/\n",
            7,
            18,
            "files[1] repeats files[0]",
        ),
    )
