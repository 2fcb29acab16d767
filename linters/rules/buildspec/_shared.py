"""Helpers shared by the buildspec rules (no rule lives here)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from codeward.linters.document import Document, Path
from codeward.linters.schema import describe_path

from codeward.findings import Span

PHASES = ("install", "pre_build", "build", "post_build")
# Places that hold plain-text variables (NAME: value); dynamic matrix variables hold lists of values.
VARIABLE_PATHS = (
    "env/variables",
    "environment_variables/plaintext",
    "batch/build-list/*/env/variables",
    "batch/build-graph/*/env/variables",
    "batch/build-matrix/static/env/variables",
    "batch/build-matrix/dynamic/env/variables",
)


def where(path: Path) -> str:
    """A path as messages show it: phases.build.commands[0]."""
    return describe_path(path, "")


def mask(value: str) -> str:
    return value[:4] + "****"


def is_yes(value: Any) -> bool:
    return value is True or value == "yes"


def shell_of(data: Any) -> str | None:
    env = data.get("env") if isinstance(data, dict) else None
    shell = env.get("shell") if isinstance(env, dict) else None
    return shell if isinstance(shell, str) else None


_WINDOWS = re.compile(
    r"\$env:|\b(?:Write-Host|Write-Output|Get-ChildItem|Get-Content|Set-Content|Set-Location|New-Item|Copy-Item"
    r"|Move-Item|Remove-Item|Invoke-\w+|Compress-Archive|Expand-Archive|Import-Module|Start-Process|Test-Path"
    r"|Out-File|Select-Object|ForEach-Object)\b|^\s*\.\\|\w\.(?:exe|ps1|bat|cmd)\b|^\s*(?:msbuild|nuget)\b",
    re.I | re.M,
)


def looks_windows(data: Any) -> bool:
    """Whether the commands are PowerShell or cmd (a Windows image runs them with PowerShell unless
    `env.shell` says otherwise): PowerShell cmdlets, `$env:`, `.\\` paths, .exe/.ps1/.bat programs."""
    shell = (shell_of(data) or "").lower()
    if shell in ("powershell.exe", "cmd.exe", "pwsh", "pwsh.exe", "powershell"):
        return True
    return any(_WINDOWS.search(text) for _, text in commands(data))


def commands(data: Any) -> Iterator[tuple[Path, str]]:
    """Every command string of every known phase (commands and finally), with its path."""
    phases = data.get("phases") if isinstance(data, dict) else None
    if not isinstance(phases, dict):
        return
    for name in PHASES:
        phase = phases.get(name)
        if not isinstance(phase, dict):
            continue
        for section in ("commands", "finally"):
            items = phase.get(section)
            if isinstance(items, str):
                # One string is one command (CDK's synthesised buildspecs write it so; CodeBuild runs it).
                yield ("phases", name, section), items
            elif isinstance(items, list):
                for index, item in enumerate(items):
                    if isinstance(item, str):
                        yield ("phases", name, section, index), item


def command_words(data: Any) -> Iterator[tuple[Path, str, list[str]]]:
    """Each simple command of every command (commands and finally) as its words, with the command's path and
    text; `sudo`, `command`, `time` and `exec` in front are dropped, so the first word is the program."""
    from codeward.linters.revision import _simple_commands

    for at, text in commands(data):
        for words in _simple_commands(text):
            while words and words[0] in ("sudo", "command", "time", "exec"):
                words = words[1:]
            if words:
                yield at, text, words


_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def shell_lines(text: str) -> list[str]:
    """A command's lines (backslash continuations joined) without the bodies of its here-documents, which are
    data, not commands."""
    kept: list[str] = []
    end: str | None = None
    for line in text.replace("\\\n", " ").splitlines():
        if end is not None:
            if line.strip() == end:
                end = None
            continue
        kept.append(line)
        match = _HEREDOC.search(line)
        if match:
            end = match.group(2)
    return kept


def blank_single_quotes(text: str) -> str:
    """The text with the contents of '...' blanked (same length, so positions hold): the shell expands nothing
    there, so quoted text is not read as syntax."""
    return re.sub(r"'[^'\n]*'", lambda m: "'" + " " * (len(m.group()) - 2) + "'", text)


def text_span(document: Document, path: Path, needle: str, start: int = 0) -> Span:
    """The span of `needle` inside the scalar at `path` as written in the source; the scalar's span if it
    cannot be found there (escapes, folding)."""
    span = document.span(path)
    source = document.source(span)
    index = source.find(needle, start) if needle else -1
    if index < 0:
        index = source.find(needle) if needle else -1
    if index < 0:
        return span
    line = span.line + source.count("\n", 0, index)
    line_start = source.rfind("\n", 0, index)
    column = (span.column + index) if line_start < 0 else index - line_start
    return Span(line, column, line, column + len(needle))


def next_word_span(document: Document, searched: dict[Path, int], path: Path, text: str, word: str) -> Span:
    """The span of the next occurrence of `word` in the command `text` at `path`, after those already reported
    for that command (`searched` keeps where the last one was found)."""
    start = max(text.find(word, searched.get(path, 0)), 0)
    searched[path] = start + 1
    return text_span(document, path, word, start)


def char_span(document: Document, path: Path, text: str, index: int) -> Span:
    """The span of the one character at `index` of the command `text` at `path`, found through the rest
    of its line as written in the source; the command's span if the line cannot be found there."""
    end = text.find("\n", index)
    rest = text[index : end if end >= 0 else len(text)]
    span = text_span(document, path, rest)
    if span.line == span.end_line and span.end_column - span.column == len(rest):
        return Span(span.line, span.column, span.line, span.column + 1)
    return span


# Options of `docker build` / `docker buildx build` that take a value as the next word (docker's CLI reference);
# any other word starting with "-" is a flag, and `--opt=value` carries its value along.
_WITH_VALUE = frozenset({
    "-t", "--tag", "-f", "--file", "--build-arg", "--platform", "--target", "--label", "--network", "--cache-from",
    "--cache-to", "-o", "--output", "--secret", "--ssh", "--progress", "--iidfile", "--add-host", "--shm-size",
    "-m", "--memory", "--memory-swap", "--cpu-shares", "-c", "--cpuset-cpus", "--cpuset-mems", "--cpu-period",
    "--cpu-quota", "--ulimit", "--isolation", "--cgroup-parent", "--builder", "--metadata-file", "--attest",
    "--annotation", "--build-context", "--allow", "--security-opt", "--provenance", "--sbom", "--call",
    "--no-cache-filter", "--policy",
})  # fmt: skip
# A word the shell reads as a redirection (`>`, `2>&1`, `<`): what follows is no argument of docker's.
_REDIRECT = re.compile(r"^\d*[<>][<>&|]?$")


def docker_build_options(words: list[str]) -> tuple[list[str], int] | None:
    """The words after `docker build` / `docker buildx build` / `docker image build` and the index of the first
    of them in `words`; None for any other command."""
    if words[:1] != ["docker"]:
        return None
    if words[1:3] in (["buildx", "build"], ["image", "build"]):
        return words[3:], 3
    if words[1:2] == ["build"]:
        return words[2:], 2
    return None


def docker_build_arguments(words: list[str]) -> list[tuple[str, int]] | None:
    """The positional arguments of a `docker build` command with their indexes (options and their values left
    out), or None when the command is no docker build or its arguments cannot be told from the words (a
    redirection, a `$VAR` that may expand to options)."""
    found = docker_build_options(words)
    if found is None:
        return None
    rest, offset = found
    skip = False
    positional: list[tuple[str, int]] = []
    for index, word in enumerate(rest):
        if _REDIRECT.match(word) or word in ("|", "|&"):
            return None
        if skip:
            skip = False
        elif word.startswith("-") and word != "-":
            skip = word in _WITH_VALUE
        else:
            positional.append((word, index + offset))
    return positional


# Folders that hold no file of the author's own: dependencies, build output, other repositories' checkouts.
SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", "vendor", "dist", "build", "target"})
_ELSEWHERE_FILES = 5000


def files_named(root: str, name: str, most: int = 2) -> list[str] | None:
    """The paths below `root` (`/`-separated, from `root`) of files named `name`, at most `most` of them; None when
    the tree is too big to walk."""
    import os

    from codeward.linters.simulate.files import nested_repository

    found: list[str] = []
    seen = 0
    for current, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIRS and not nested_repository(os.path.join(current, d))
        )
        seen += len(filenames)
        if name in filenames:
            found.append(os.path.relpath(os.path.join(current, name), root).replace(os.sep, "/"))
            if len(found) >= most:
                return found
        if seen > _ELSEWHERE_FILES:
            return None
    return found


def file_elsewhere(root: str, name: str) -> str | None:
    """A path of the repository (from `root`, `/`-separated) of a file named `name`; None when there is none, or
    the tree is too big to walk."""
    found = files_named(root, name, most=1)
    return found[0] if found else None


def npm_scripts(folder: str) -> dict[str, Any] | None:
    """The `scripts` of `folder`'s package.json (its first 200 KB), or None when there is none or it cannot be
    read as a JSON object with a `scripts` object."""
    import json
    import os

    try:
        with open(os.path.join(folder, "package.json"), encoding="utf-8") as handle:
            data = json.loads(handle.read(200_000))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    scripts = data.get("scripts", {})
    return scripts if isinstance(scripts, dict) else None


def images_of_projects(ctx: Any, value: Any) -> list[tuple[str, str]] | None:
    """[(image, defining file from the repository's root)] of the Terraform projects that run this buildspec file
    with a literal image (linters.project_source.images_running), or None when the file is inline, looks like a
    Windows buildspec, is outside a repository or no project of the repository names it."""
    import os

    from codeward.linters.project_source import images_running
    from codeward.linters.revision import project_root

    if ctx.document.path == "inline-buildspec" or not isinstance(value, dict) or looks_windows(value):
        return None
    root = project_root(ctx.base_dir)
    if root is None:
        return None
    relative = os.path.relpath(os.path.abspath(ctx.document.path), root).replace(os.sep, "/")
    images = [(image, os.path.relpath(defined, root)) for image, defined in images_running(root, relative)]
    return images or None
