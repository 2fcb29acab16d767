import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands, looks_windows, text_span, where

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_SPEC = """version: 0.2
phases:
  pre_build:
    commands:
      - mv index.html index.old.html
      - cp index.html /tmp/site/
"""
# Programs that read their file operands (all operands but cp/mv's last, the destination).
_READERS = frozenset({"cp", "mv", "cat", "source", ".", "unzip", "tar", "sh", "bash", "python", "python3", "node"})
_PLAIN_PATH = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_./-]*$")
# Commands whose outcome this rule cannot follow: tests, conditionals, tolerated failures, directory changes.
_OPAQUE = re.compile(r"\|\||\bif\b|\btest\b|\[|\bcd\b|\bpushd\b|\bfind\b|\bxargs\b")


def _path(word: str) -> str | None:
    text = word
    while text.startswith("./"):
        text = text[2:]
    text = text.rstrip("/")
    return text if text and _PLAIN_PATH.match(text) and ".." not in text.split("/") else None


class FileGone(DocumentRule):
    """
    ## What it does
    Reports a build command that reads a file (`cp`, `mv`, `cat`, `tar`, `source`, a script run by `sh` or
    `python`) which an earlier command of the same build moved away (`mv index.html index.old.html`) or
    deleted (`rm`), when no command in between writes a file at that path again. Only plain relative paths
    are followed, and the rule stops at the first `cd`; commands with tests, conditions or `|| ...` are
    not judged.

    ## Why is this bad?
    The build's file system persists from command to command: the file is gone, the command fails with
    "No such file or directory", and CodeBuild fails the phase.

    ## Example
    ```yaml
    pre_build:
      commands:
        - mv index.html index.old.html
        - cp index.html /var/www/html
    ```

    ## Fix
    Read the file under its new name (`cp index.old.html ...`), or copy it before moving it (`cp` instead of
    `mv` for the backup).
    """

    code = "CWB124"
    name = "buildspec-file-gone"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC.replace("mv index.html", "cp index.html")),
        Valid(_SPEC.replace("      - cp index.html", "      - echo '<p>new</p>' > index.html\n      - cp index.html")),
        Valid(_SPEC.replace("      - cp index.html /tmp/site/", "      - cp index.html /tmp/site/ || true")),
        Valid(_SPEC.replace("      - cp index.html", "      - cd site\n      - cp index.html")),
    )
    INVALID = (
        Invalid(_SPEC, 6, 12, "index.html was moved away by phases.pre_build.commands[0]"),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - rm -rf dist\n  post_build:\n    commands:\n"
            "      - tar -czf site.tgz dist\n",
            8,
            27,
            "dist was deleted by phases.build.commands[0]",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        from codeward.linters.revision import _simple_commands

        if not isinstance(value, dict) or looks_windows(value):
            return
        gone: dict[str, tuple[str, str]] = {}  # path -> (how, which command)
        for at, text in commands(value):
            if re.search(r"\bcd\b|\bpushd\b", text):
                return  # relative paths now mean something else
            opaque = bool(_OPAQUE.search(text))
            for words in _simple_commands(text):
                while words and words[0] in ("sudo", "command", "time"):
                    words = words[1:]
                if not words:
                    continue
                program, operands = words[0], [w for w in words[1:] if not w.startswith("-")]
                writes = [words[i + 1] for i, w in enumerate(words[:-1]) if w in (">", ">>", ">|", "&>")]
                if program in ("cp", "mv", "install", "ln", "rsync", "touch", "mkdir", "unzip", "git", "wget", "curl"):
                    writes += operands[-1:] if program not in ("touch", "mkdir") else operands
                if program in _READERS and not opaque:
                    sources = (
                        operands[:-1] if program in ("cp", "mv") else operands if program == "tar" else operands[:1]
                    )
                    for word in sources:
                        name = _path(word)
                        if name in gone:
                            how, by = gone[name]
                            ctx.report(
                                at,
                                f"{name} was {how} by {by}, and no command since writes it again: {program} fails "
                                "(No such file or directory) and the phase fails",
                                span=text_span(ctx.document, at, word),
                            )
                            gone.pop(name)
                # Anything written (or named in a way this rule does not follow) may exist again.
                for word in writes:
                    name = _path(word)
                    for known in list(gone):
                        if name is None or known == name or known.startswith(name + "/") or name.startswith(known):
                            gone.pop(known)
                if opaque:
                    continue
                if program == "mv" and len(operands) == 2:
                    name = _path(operands[0])
                    if name:
                        gone[name] = ("moved away", where(at))
                elif program == "rm":
                    for word in operands:
                        name = _path(word)
                        if name:
                            gone[name] = ("deleted", where(at))
