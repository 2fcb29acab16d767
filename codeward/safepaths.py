"""Reading and writing where a pull request controls the files.

A pull request can commit symbolic links: `codeward-review.sarif -> ~/.bashrc`, `reports -> /`,
`appspec.yml -> /etc/passwd`. codeward therefore

- never writes through a symbolic link: reports (`--output`), fixes, baselines, the cache and the
  simulator's artifacts refuse a path whose last part is a link, or that passes through a link inside the
  checkout (the git work tree around it, else the working directory);
- never reads a file whose real path leaves the checkout it was found in (a link to a file inside the
  checkout is fine: git stores it and its target is under review too).

Paths the user names outside every checkout (`--output /tmp/report.json`) are trusted as named.
"""

from __future__ import annotations

import os


class UnsafePath(Exception):
    """A path codeward refuses to write: the message says which part is a link and what to do."""


def _scan(absolute: str) -> tuple[str | None, str | None]:
    """Walk `absolute` from the top, links not resolved: (the checkout it lies in, the outermost folder
    holding `.git`, or the working directory when it lies below that; the first part inside it that is a
    symbolic link). A link above the checkout (`/var -> /private/var`) is the machine's, not the pull
    request's, and a `.git` reached through a link does not make a checkout."""
    cwd = os.getcwd()
    root: str | None = None
    current = os.path.splitdrive(absolute)[0] + os.sep
    for part in absolute[len(current) :].split(os.sep):
        if not part:
            continue
        current = os.path.join(current, part)
        inside = root if root is not None else (cwd if _within(current, cwd) and current != cwd else None)
        if os.path.islink(current):
            if inside is not None:
                return inside, current
        elif root is None and os.path.lexists(os.path.join(current, ".git")):
            root = current
    return (root if root is not None else (cwd if _within(absolute, cwd) else None)), None


def checkout_root(path: str) -> str | None:
    """The outermost folder above `path` holding `.git` (links not followed), or None."""
    root, _ = _scan(os.path.abspath(path))
    return root if root is not None and os.path.lexists(os.path.join(root, ".git")) else None


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def link_in_path(path: str) -> str | None:
    """The first part of `path` that is a symbolic link a pull request could have committed (inside the
    checkout or the working directory, or the last part anywhere), or None."""
    absolute = os.path.abspath(path)
    _, link = _scan(absolute)
    if link is not None:
        return link
    return absolute if os.path.islink(absolute) else None


def check_writable(path: str, what: str = "the file") -> None:
    """Raise UnsafePath when writing `path` would follow a symbolic link."""
    link = link_in_path(path)
    if link is not None:
        shown = os.path.relpath(link) if not os.path.isabs(path) else link
        part = "it" if os.path.abspath(link) == os.path.abspath(path) else shown
        raise UnsafePath(
            f"not writing {what} {path}: {part} is a symbolic link (a pull request can commit one pointing "
            "anywhere); remove the link or write somewhere else"
        )


def write_text(path: str, text: str, what: str = "the file") -> None:
    """Write `text` to `path` without following links: checked first, created without following a link
    at the last part (O_NOFOLLOW), parent folders created and checked as they go."""
    check_writable(path, what)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
        check_writable(path, what)  # a folder that appeared meanwhile
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags, 0o666)
    except OSError as exc:
        if os.path.islink(path):
            raise UnsafePath(f"not writing {what} {path}: it is a symbolic link") from None
        raise exc
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def read_refusal(path: str) -> str | None:
    """Why `path` must not be read (its real path leaves the checkout it lies in), or None."""
    absolute = os.path.abspath(path)
    real = os.path.realpath(absolute)
    if real == absolute:
        return None
    root, _ = _scan(absolute)
    if root is None or _within(real, os.path.realpath(root)):
        return None
    return "a symbolic link to a place outside the repository; not read"
