"""Changed lines between two commits, for `--diff BASE...HEAD`: only findings on added or modified lines count.

git is always run with an argument list (never a shell), revisions are resolved to commit ids before they
reach `git diff` (so a revision can never be read as an option), and every git failure becomes a message
that says what to do. Renames keep their old path, deletions have no lines to report on, and submodules
(gitlinks) and symbolic links are listed but never analysed.

A pull request controls its own `.gitattributes`, so nothing here trusts git's view of a file: the patch is
always text (`--text`: `*.py -diff` or `binary` cannot turn a file into "Binary files differ"), whether a file
is binary is codeward's own check, line numbers are mapped onto git's when a file holds bare `\r` line ends
(git sees one line where Python and codeward see many), and findings about a whole file (not read, not
parsed, not checked) are kept for every changed file whatever lines changed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from codeward.findings import Finding
    from codeward.output import Report

_GITLINK, _SYMLINK = "160000", "120000"
_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
# Formats whose documents name commits, so they need --diff.
NEEDS_DIFF = {"codecommit": "the before/after commits of each comment", "gitlab-discussions": "the diff refs"}


class DiffError(Exception):
    """A --diff problem the user can act on (the message says how)."""


class FileChange:
    """One file of the diff. Lines are 1-based line numbers of the new (head) version."""

    # Plain classes, not dataclasses: `codeward lint` imports this module on every run and dataclass creation
    # costs milliseconds.
    __slots__ = (
        "_lines", "added", "binary", "context", "hunks", "old_path", "path", "status", "submodule", "symlink",
        "touched",
    )  # fmt: skip

    def __init__(
        self,
        path: str,
        status: str,
        old_path: str | None = None,
        *,
        binary: bool = False,
        submodule: bool = False,
        symlink: bool = False,
    ) -> None:
        self.path = path  # repository-relative, "/"-separated
        self.status = status  # A added, M modified, R renamed, C copied, T type change, D deleted
        self.old_path = old_path  # before a rename or copy
        self.binary = binary
        self.submodule = submodule
        self.symlink = symlink  # its "content" is a link target, not text to analyse
        self.touched = False  # the patch has a hunk for it (lines added, modified or only deleted)
        self.added: set[int] = set()  # added or modified lines
        # (first, last) new-side lines of each hunk, context included: the lines a review can comment on.
        self.hunks: list[tuple[int, int]] = []
        # new line -> old line for unchanged context lines (GitLab positions on them need both).
        self.context: dict[int, int] = {}
        # codeward's line -> git's line, when they differ (bare \r); None: not computed yet; (): the same.
        self._lines: tuple[int, ...] | None = None

    def __repr__(self) -> str:
        return f"FileChange({self.path!r}, {self.status!r}, added={sorted(self.added)})"

    @property
    def analysable(self) -> bool:
        """A file with content the pull request changed. Binary content is analysed too: the commands report
        it as a file they could not read, which a pull request must not be able to hide."""
        return self.status != "D" and not (self.submodule or self.symlink) and (self.touched or bool(self.added))

    def hunk_of(self, line: int) -> tuple[int, int] | None:
        for hunk in self.hunks:
            if hunk[0] <= line <= hunk[1]:
                return hunk
        return None


class ChangeSet:
    __slots__ = ("base", "files", "head", "merge_base", "root", "spec")

    def __init__(self, root: str, spec: str, base: str, head: str, merge_base: str) -> None:
        self.root = root  # absolute, real path of the repository's top level
        self.spec = spec  # as given: BASE...HEAD
        self.base = base  # commit id BASE resolves to
        self.head = head  # commit id HEAD resolves to
        # What the diff starts from: merge-base(BASE, HEAD) for "...", BASE itself for "..".
        self.merge_base = merge_base
        self.files: dict[str, FileChange] = {}

    def relpath(self, path: str) -> str | None:
        """`path` (relative to the working directory, or absolute) relative to the repository, or None."""
        relative = os.path.relpath(os.path.realpath(path), self.root)
        if relative == os.curdir or relative.startswith(os.pardir + os.sep) or relative == os.pardir:
            return None
        return relative.replace(os.sep, "/")

    def file(self, path: str) -> FileChange | None:
        relative = self.relpath(path)
        return self.files.get(relative) if relative is not None else None

    def changed_lines(self, finding: Finding) -> list[int]:
        """The added or modified lines (git's numbers) a finding covers, its span or the other lines its
        explanation names (a data flow's source): empty when the finding is not on the diff."""
        change = self.file(finding.path)
        if change is None or not change.analysable:
            return []
        span = finding.span
        last = span.end_line - 1 if span.end_column == 1 and span.end_line > span.line else span.end_line
        lines = self._git_lines(change)
        if lines is None:  # git's lines cannot be told apart (UTF-16): the file counts as a whole
            return sorted(change.added)[:1]
        wanted = [*range(span.line, max(span.line, last) + 1), *finding.related]
        found = {lines[n - 1] if lines and 0 < n <= len(lines) else n for n in wanted}
        return sorted(n for n in found if n in change.added)

    def keep(
        self, findings: Iterable[Finding], whole_file: Callable[[str], bool] = lambda code: False
    ) -> list[Finding]:
        """The findings on changed lines, and every finding about a whole changed file (`whole_file(code)`:
        it was not read, parsed or checked), which no choice of changed lines may hide."""
        out = []
        for finding in findings:
            if self.changed_lines(finding):
                out.append(finding)
            elif whole_file(finding.code):
                change = self.file(finding.path)
                if change is not None and change.analysable:
                    out.append(finding)
        return out

    def _git_lines(self, change: FileChange) -> tuple[int, ...] | None:
        """git's line number of each of codeward's lines, () when they are the same, None when git's lines
        mean nothing (UTF-16 and UTF-32 text, which git splits on a byte inside characters)."""
        if change._lines is None:
            change._lines = _line_map(os.path.join(self.root, *change.path.split("/")))
        return None if change._lines == _WHOLE else change._lines

    def analysable_paths(self, suffixes: tuple[str, ...] | None = None) -> list[str]:
        """Absolute paths of changed files with added lines (optionally only those with a suffix)."""
        out = []
        for change in self.files.values():
            if not change.analysable or (suffixes and not change.path.lower().endswith(suffixes)):
                continue
            out.append(os.path.join(self.root, *change.path.split("/")))
        return sorted(out)

    def narrow(self, paths: Sequence[str], suffixes: tuple[str, ...] | None = None) -> list[str]:
        """The command-line paths worth analysing: named files that changed, and directories that hold a
        changed file. An empty list means nothing to analyse."""
        candidates = [os.path.realpath(p) for p in self.analysable_paths(suffixes)]
        named = [os.path.realpath(p) for p in self.analysable_paths()]
        kept = []
        for given in paths:
            real = os.path.realpath(given)
            if os.path.isdir(given):
                prefix = real.rstrip(os.sep) + os.sep
                if any(c.startswith(prefix) for c in candidates):
                    kept.append(given)
            elif real in named:
                kept.append(given)
        return kept


_BREAK = re.compile(rb"\r\n|\r|\n")
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_WHOLE = (0,)  # a file git splits differently from codeward: see ChangeSet._git_lines


def _line_map(path: str) -> tuple[int, ...]:
    """(): codeward's lines are git's. Else git's line for each codeward line, or _WHOLE."""
    from codeward.sources import MAX_BYTES

    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError:
        return ()
    if data.startswith(_WIDE_BOMS):
        return _WHOLE
    if b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"):
        return ()
    numbers = [1]
    line = 1
    for match in _BREAK.finditer(data):
        if match.group() != b"\r":  # git counts only \n
            line += 1
        numbers.append(line)
    return tuple(numbers)


def _git(args: Sequence[str], cwd: str | None = None) -> bytes:
    import subprocess

    command = ["git", "-c", "core.quotepath=off", *args]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=120, check=False)
    except FileNotFoundError:
        raise DiffError("git is not installed or not on PATH; --diff needs it") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {args[0]} took longer than 120 s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _GitFailed(args[0], message[-1] if message else f"exit status {done.returncode}")
    return done.stdout


class _GitFailed(DiffError):
    def __init__(self, command: str, message: str) -> None:
        super().__init__(f"git {command} failed: {message.removeprefix('fatal: ')}")
        self.detail = message


def parse_spec(spec: str) -> tuple[str, str, bool]:
    """`BASE...HEAD` (from the merge base, as pull requests show it), `BASE..HEAD` (from BASE itself) or
    `BASE` (meaning BASE...HEAD) -> (base, head, symmetric)."""
    text = spec.strip()
    if "..." in text:
        base, _, head = text.partition("...")
        symmetric = True
    elif ".." in text:
        base, _, head = text.partition("..")
        symmetric = False
    else:
        base, head, symmetric = text, "HEAD", True
    base, head = base.strip() or "HEAD", head.strip() or "HEAD"
    for rev in (base, head):
        if rev.startswith("-") or any(ch.isspace() or ord(ch) < 32 for ch in rev):
            raise DiffError(
                f"--diff {spec!r}: {rev!r} is not a revision (expected BASE...HEAD, e.g. origin/main...HEAD)"
            )
    return base, head, symmetric


def _resolve(rev: str, cwd: str | None) -> str:
    try:
        return _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd).decode().strip()
    except _GitFailed:
        shallow = _git(["rev-parse", "--is-shallow-repository"], cwd).decode().strip() == "true"
        hint = (
            " This is a shallow clone: fetch more history (actions/checkout with fetch-depth: 0, or "
            "git fetch --unshallow) or fetch the base branch (git fetch origin main)."
            if shallow
            else " Fetch it first (e.g. git fetch origin main) or check the spelling."
        )
        raise DiffError(f"--diff: unknown revision {rev!r}.{hint}") from None


def compute(spec: str, cwd: str | None = None, *, require_checkout: bool = True) -> ChangeSet:
    """The changed lines of `spec` in the repository around `cwd` (default: the working directory)."""
    base_rev, head_rev, symmetric = parse_spec(spec)
    try:
        root = _git(["rev-parse", "--show-toplevel"], cwd).decode("utf-8", "surrogateescape").strip()
    except _GitFailed:
        raise DiffError("--diff needs a git repository, and the working directory is not inside one") from None
    root = os.path.realpath(root)
    base, head = _resolve(base_rev, cwd), _resolve(head_rev, cwd)
    if require_checkout:
        checked_out = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cwd).decode().strip()
        if checked_out != head:
            raise DiffError(
                f"--diff {spec}: {head_rev} is {head[:12]} but the working tree is at {checked_out[:12]}; codeward "
                f"reads files from the working tree, so check out {head_rev} first (git checkout {head[:12]})"
            )
    start = base
    if symmetric:
        try:
            start = _git(["merge-base", base, head], cwd).decode().strip()
        except _GitFailed:
            raise DiffError(
                f"--diff {spec}: {base_rev} and {head_rev} have no common ancestor in this clone; fetch more history "
                f"(actions/checkout with fetch-depth: 0) or compare from the base itself: --diff {base_rev}..{head_rev}"
            ) from None
    changes = ChangeSet(root, spec, base, head, start)
    common = ["--no-color", "--no-ext-diff", "--no-textconv", "--no-relative", "-M", "--ignore-submodules=none"]
    _parse_raw(_git(["diff", "--raw", "-z", *common, start, head, "--"], root), changes)
    # --text: the pull request's .gitattributes (`-diff`, `binary`) must not hide a file's lines.
    patch = _git(
        ["diff", "--patch", "--text", "--unified=3", "--src-prefix=a/", "--dst-prefix=b/", *common, start, head, "--"],
        root,
    )
    _parse_patch(patch, list(changes.files.values()))
    for change in changes.files.values():
        if change.status != "D" and not (change.submodule or change.symlink):
            change.binary = _looks_binary(os.path.join(root, *change.path.split("/")))
    return changes


def _looks_binary(path: str) -> bool:
    """codeward's own test (NUL bytes near the start, as its file readers use), not git's attributes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False
    return b"\0" in head and not head.startswith(_WIDE_BOMS)


def _parse_raw(data: bytes, changes: ChangeSet) -> None:
    """`git diff --raw -z`: `:old_mode new_mode old_sha new_sha STATUS\\0path\\0[new_path\\0]`."""
    fields = data.split(b"\0")
    i = 0
    while i < len(fields) and fields[i].startswith(b":"):
        meta = fields[i][1:].split(b" ")
        status = meta[4][:1].decode()
        old_mode, new_mode = meta[0].decode(), meta[1].decode()
        paths = [os.fsdecode(fields[i + 1])]
        i += 2
        if status in "RC":
            paths.append(os.fsdecode(fields[i]))
            i += 1
        path = paths[-1]
        change = FileChange(
            path=path,
            status=status,
            old_path=paths[0] if len(paths) == 2 else None,
            submodule=new_mode == _GITLINK or (status == "D" and old_mode == _GITLINK),
            symlink=new_mode == _SYMLINK,
        )
        if status == "D":
            change.old_path = path
        changes.files[path] = change


def _parse_patch(data: bytes, files: list[FileChange]) -> None:
    """Walk `git diff --patch` file by file, in the same order as the raw listing (git emits both from the
    same queue), counting hunk lines rather than guessing from their first characters."""
    lines = data.split(b"\n")
    index = -1
    current: FileChange | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(b"diff --git "):
            index += 1
            current = files[index] if index < len(files) else None
            i += 1
            continue
        if current is None:
            i += 1
            continue
        if line.startswith(b"Binary files ") or line == b"GIT binary patch":  # not with --text; kept for safety
            current.touched = True
            i += 1
            continue
        match = _HUNK.match(line)
        if not match:
            i += 1
            continue
        current.touched = True
        old_line = int(match.group(1))
        old_left = int(match.group(2)) if match.group(2) is not None else 1
        new_line = int(match.group(3))
        new_left = int(match.group(4)) if match.group(4) is not None else 1
        first = new_line
        i += 1
        while (old_left > 0 or new_left > 0) and i < len(lines):
            body = lines[i]
            marker = body[:1]
            if marker == b"+":
                current.added.add(new_line)
                new_line += 1
                new_left -= 1
            elif marker == b"-":
                old_line += 1
                old_left -= 1
            elif marker == b"\\":  # "\ No newline at end of file" counts for neither side
                pass
            else:  # context (a bare empty line is context whose space was stripped)
                current.context[new_line] = old_line
                new_line += 1
                old_line += 1
                new_left -= 1
                old_left -= 1
            i += 1
        if new_line > first:
            current.hunks.append((first, new_line - 1))
    for change in files:
        if change.submodule or change.symlink:
            change.added.clear()
            change.hunks.clear()


# --- what the commands share: --diff, the formats that need it, and --post --------------------------------


class Scope:
    """What `--diff` and `--post` change in a run of `codeward lint` or `codeward review`: which paths are
    analysed, which findings are kept, and what the review formats and the poster need to know."""

    def __init__(
        self,
        changes: ChangeSet | None = None,
        post: str | None = None,
        repo: str | None = None,
        pull: str | None = None,
        fmt: str = "text",
        suffixes: tuple[str, ...] | None = None,
    ) -> None:
        self.changes = changes
        self.post = post
        self.repo = repo
        self.pull = pull
        self.fmt = fmt
        self.suffixes = suffixes

    @classmethod
    def from_args(cls, args: argparse.Namespace, fmt: str, suffixes: tuple[str, ...] | None = None) -> Scope:
        from codeward.cli import UsageError

        scope = cls(
            post=getattr(args, "post", None),
            repo=getattr(args, "repo", None),
            pull=getattr(args, "pr", None),
            fmt=fmt,
            suffixes=suffixes,
        )
        spec = getattr(args, "diff", None)
        if fmt in NEEDS_DIFF and not spec:
            raise UsageError(
                f"--format {fmt} needs --diff BASE...HEAD: its comments carry {NEEDS_DIFF[fmt]} "
                f"(e.g. --diff origin/main...HEAD)"
            )
        if fmt == "codecommit" and not (scope.repo and scope.pull):
            raise UsageError("--format codecommit needs --repo REPOSITORY_NAME and --pr PULL_REQUEST_ID")
        if spec:
            try:
                scope.changes = compute(spec)
            except DiffError as exc:
                raise UsageError(str(exc)) from None
        return scope

    def paths(self, paths: Sequence[str]) -> list[str]:
        if self.changes is None:
            return list(paths)
        return self.changes.narrow(paths, self.suffixes)

    def keep(self, findings: list[Finding], rule_for: Callable[[str], Any] = lambda code: None) -> list[Finding]:
        """With --diff: the findings on changed lines, and those about a whole changed file (rules marked
        `whole_file`)."""
        if self.changes is None:
            return findings
        return self.changes.keep(findings, lambda code: bool(getattr(rule_for(code), "whole_file", False)))

    def attach(self, report: Report) -> None:
        """Give the review formats what they need; a Report carries it as plain attributes."""
        report.changes = self.changes  # type: ignore[attr-defined]
        report.pull = (self.repo, self.pull)  # type: ignore[attr-defined]

    def publish(self, report: Report) -> None:
        if self.post is None:
            return
        from codeward.cli import UsageError
        from codeward.github import GitHubError, publish

        try:
            publish(report, self.changes, repo=self.repo, pull=self.pull)
        except GitHubError as exc:
            raise UsageError(str(exc)) from None


def changes_of(report: Any) -> ChangeSet | None:
    return getattr(report, "changes", None)


def repo_path(report: Any, path: str) -> str:
    """A finding's path relative to the repository (with --diff) or to the working directory."""
    changes = changes_of(report)
    if changes is not None:
        relative = changes.relpath(path)
        if relative is not None:
            return relative
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    return relative.replace(os.sep, "/")


def fingerprints(report: Report) -> list[str]:
    """One stable key per finding, the same from any working directory: the report's fingerprint of the
    finding with its repository-relative path, plus an occurrence number so identical findings stay apart."""
    from dataclasses import replace

    seen: dict[str, int] = {}
    out = []
    for finding in report.findings:
        base = replace(finding, path=repo_path(report, finding.path)).fingerprint(
            report.source_line(finding.path, finding.line)
        )
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.append(base if count == 0 else f"{base}-{count}")
    return out


def is_commit_id(text: str) -> bool:
    return bool(_SHA.match(text))
