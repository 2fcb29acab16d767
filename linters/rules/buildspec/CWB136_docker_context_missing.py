import os
import posixpath
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, docker_build_arguments, next_word_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_SRC = ("$CODEBUILD_SRC_DIR", "${CODEBUILD_SRC_DIR}")
_SPEC = """version: 0.2
phases:
  pre_build:
    commands:
      - cd app/
      - chmod +x mvnw
      - cd -
  build:
    commands:
      - docker build -t $REPO:latest app/
"""
_FILES = {".git/HEAD": "ref: refs/heads/main\n", "app/Dockerfile": "FROM scratch\n", "app/mvnw": "#!/bin/sh\n"}


def _literal(word: str) -> bool:
    return bool(word) and not any(c in word for c in "$`*?[{~") and not word.startswith("/")


class DockerContextMissing(DocumentRule):
    """
    ## What it does
    Reports `docker build` whose context folder does not exist where the command runs, because an earlier
    `cd` moved the shell into a folder and the context is still written from the source root:
    `cd application/Momentum/` in pre_build, then `docker build -t app application/Momentum/` in build. The
    directory is followed through `cd` (literal paths, `cd -`, `cd $CODEBUILD_SRC_DIR`); the rule judges only
    when the `cd` target itself is a folder of the repository from its root (so the buildspec runs from the
    root), the context is a literal path that exists from the root but not from the folder the shell is
    in, and no command writes into it.

    ## Why is this bad?
    In buildspec version 0.2 every command of every phase runs in the same shell, so a `cd` stays in force
    until another one: the context path is resolved from the folder the shell is in, docker fails with
    "unable to prepare context: path ... not found" and the phase fails.

    ## Example
    ```yaml
    pre_build:
      commands:
        - cd application/Momentum/
        - ./mvnw flyway:migrate
    build:
      commands:
        - docker build -t $REPO:core application/Momentum/
    ```

    ## Fix
    Go back before the build (`cd -` or `cd $CODEBUILD_SRC_DIR`), or write the context from where the shell
    is (`docker build -t $REPO:core .`).
    """

    code = "CWB136"
    name = "buildspec-docker-context-missing"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC, files=_FILES),
        Valid(_SPEC.replace("      - cd -\n", "      - cd $CODEBUILD_SRC_DIR\n"), files=_FILES),
        Valid(_SPEC.replace("      - cd -\n", "").replace("$REPO:latest app/", "$REPO:latest ."), files=_FILES),
        # The cd target is not a folder of the repository from its root: where the build runs is unknown.
        Valid(_SPEC.replace("cd app/", "cd service/").replace("      - cd -\n", ""), files=_FILES),
    )
    INVALID = (
        Invalid(
            _SPEC.replace("      - cd -\n", ""),
            9,
            38,
            'docker build context "app/" does not exist from app, where `cd app/` left the shell',
            files=_FILES,
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, ten labelled sets, 2026-12-07): no error on any "
            "file AWS accepts; errors on fresh6 t2 and t3 (`cd application/Momentum/` left in force), labelled defect."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        from codeward.linters.revision import project_root

        if path != () or not isinstance(value, dict):
            return
        top = project_root(os.path.abspath(ctx.base_dir))
        if top is None:
            return
        cwd: str | None = ""
        previous: str | None = ""
        moved_by = ""
        searched: dict[Path, int] = {}
        for at, text, words in command_words(value):
            program = words[0]
            if program in ("cd", "pushd", "popd"):
                target = words[1] if len(words) > 1 else ""
                if program == "cd" and target == "-":
                    cwd, previous = previous, cwd
                    continue
                previous = cwd
                if program == "cd" and target in _SRC:
                    cwd, moved_by = "", ""
                elif program == "cd" and cwd is not None and _literal(target):
                    joined = posixpath.normpath(posixpath.join(cwd, target))
                    proven = cwd != "" or os.path.isdir(os.path.join(top, joined))
                    cwd = joined if proven and not joined.startswith("..") else None
                    moved_by = f"`cd {target}`"
                else:
                    cwd = None
                continue
            if not cwd:
                continue
            arguments = docker_build_arguments(words)
            if not arguments or len(arguments) != 1:
                continue
            context = arguments[0][0]
            if not _literal(context) or context in (".", "./"):
                continue
            from_here = posixpath.normpath(posixpath.join(cwd, context))
            if os.path.exists(os.path.join(top, from_here)) or not os.path.isdir(os.path.join(top, context)):
                continue
            if self._written(value, context):
                continue
            ctx.report(
                at,
                f'docker build context "{context}" does not exist from {cwd}, where {moved_by} left the shell '
                f'(every command of a 0.2 buildspec runs in one shell): docker fails with "unable to prepare '
                f'context: path "{context}" not found"',
                span=next_word_span(ctx.document, searched, at, text, context),
                notes=("Go back first (cd $CODEBUILD_SRC_DIR or cd -), or build from here: docker build ... .",),
            )

    @staticmethod
    def _written(data: Any, context: str) -> bool:
        """Whether a command other than cd and docker names the context (it may create it there)."""
        name = context.rstrip("/")
        for _at, _text, words in command_words(data):
            if words[0] in ("cd", "docker", "echo", "printf"):
                continue
            if any(name in word for word in words[1:]):
                return True
        return False
