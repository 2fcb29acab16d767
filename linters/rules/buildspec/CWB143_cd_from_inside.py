import os
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, looks_windows, next_word_span
from codeward.linters.rules.buildspec.CWB127_input_file_elsewhere import (
    _cd_proves_root,
    _cd_target,
    _creates_files,
    _npm_writes,
)

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_SPEC = """version: 0.2
phases:
  install:
    commands:
      - cd app
      - npm ci
  pre_build:
    commands:
      - cd app
      - npm test
"""
_FILES = {".git/HEAD": "ref: refs/heads/main\n", "app/package.json": '{"scripts": {"test": "jest"}}'}


class CdFromInside(DocumentRule):
    """
    ## What it does
    Reports a literal `cd DIR` of a version 0.2 buildspec that runs where an earlier literal `cd` left the shell,
    when DIR is no folder there but is one from the source root: `cd app` in install, then `cd app` again in
    pre_build, which looks for `app/app`. Judged from the source root (the buildspec at the repository's root,
    or in a folder when its first `cd` shows the build runs from the root), through commands that write no
    files (or only `node_modules` and a bundler's output); silent after `cd -`, a variable, `pushd`/`popd`, or a
    command that may create folders.

    ## Why is this bad?
    Version 0.2 runs every command of the build in one shell, across phases: a `cd` stays in effect for the
    commands after it. The second `cd app` fails ("can't cd to app"), and with it the phase, although the folder
    exists where the author thought the shell was.

    ## Example
    ```yaml
    install:
      commands:
        - cd app
        - npm ci
    pre_build:
      commands:
        - cd app
        - npm test
    ```

    ## Fix
    Change directory once, or name the folder from the source root: `cd "$CODEBUILD_SRC_DIR/app"`.
    """

    code = "CWB143"
    name = "buildspec-cd-from-inside"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC.replace("      - cd app\n      - npm test\n", "      - npm test\n"), files=_FILES),
        Valid(_SPEC.replace("      - npm ci\n", "      - npm ci\n      - cd ..\n"), files=_FILES),
        # app/app exists: the second cd goes there.
        Valid(_SPEC, files={**_FILES, "app/app/index.js": "x\n"}),
        # Version 0.1 runs each command in a shell of its own, from the source root.
        Valid(_SPEC.replace("version: 0.2", "version: 0.1"), files=_FILES),
        # A command that may create folders came first.
        Valid(_SPEC.replace("      - npm ci\n", "      - ./setup.sh\n"), files=_FILES),
    )
    INVALID = (
        Invalid(
            _SPEC,
            9,
            12,
            "cd app runs in app, where `cd app` (line 5) left the shell: app/app is no folder, so cd fails",
            files=_FILES,
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        from codeward.linters.revision import project_root

        if path != () or ctx.document.path == "inline-buildspec" or not isinstance(value, dict):
            return
        if str(value.get("version")) != "0.2" or looks_windows(value):
            return
        here = os.path.abspath(ctx.base_dir)
        root = project_root(here)
        if root is None or (here != os.path.abspath(root) and not _cd_proves_root(value, root, here)):
            return
        searched: dict[Path, int] = {}
        cwd = ""
        last: tuple[int, str] | None = None  # where the shell's folder came from: the line of that cd
        for at, text, words in command_words(value):
            if words[0] in ("cd", "pushd", "popd"):
                target = _cd_target(words)
                if target is None or target.startswith("/"):
                    return
                if os.path.isdir(os.path.join(root, cwd, target)):
                    cwd = os.path.normpath(os.path.join(cwd, target)).replace(os.sep, "/")
                    cwd = "" if cwd == "." else cwd
                    last = (ctx.document.span(at).line, target)
                    continue
                if cwd and last is not None and os.path.isdir(os.path.join(root, target)):
                    ctx.report(
                        at,
                        f"cd {target} runs in {cwd}, where `cd {last[1]}` (line {last[0]}) left the shell: "
                        f"{cwd}/{target} is no folder, so cd fails and the phase with it (a 0.2 buildspec runs "
                        "every command in one shell, across phases)",
                        span=next_word_span(ctx.document, searched, at, text, target),
                        notes=(f'Change directory once, or write `cd "$CODEBUILD_SRC_DIR/{target}"`.',),
                    )
                return
            if _npm_writes(words, os.path.join(root, cwd)) is not None:
                continue
            if _creates_files(words):
                return
