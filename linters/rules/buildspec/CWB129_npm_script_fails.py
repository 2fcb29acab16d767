import os
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, looks_windows, npm_scripts, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_SPEC = """version: 0.2
phases:
  pre_build:
    commands:
      - npm install
  build:
    commands:
      - npm test
      - npm run build
"""
_GIT = {".git/HEAD": "ref: refs/heads/main\n"}
# The test script `npm init` writes, which fails on purpose until someone writes tests.
_PLACEHOLDER_TEST = re.compile(r"no test specified.*exit\s+1", re.S)
# npm subcommands that leave package.json's scripts as they are; anything else (a script, a copy, `npm pkg set`)
# may rewrite them, and the rule stops judging.
_NPM_KEEPS_SCRIPTS = frozenset({
    "install", "i", "ci", "clean-install", "add", "test", "t", "tst", "run", "run-script", "rum", "urn",
    "audit", "ls", "list", "cache", "config", "prune", "rebuild", "outdated", "doctor", "-v", "--version", "version",
})  # fmt: skip
_HARMLESS = frozenset({"echo", "printf", "printenv", "env", "ls", "pwd", "which", "node", "export", "date", "cat"})
_OPTIONS_ELSEWHERE = ("--prefix", "-C", "--workspace", "-w", "--workspaces", "-ws", "--if-present")


def _status_decides(text: str, start: int, end: int) -> bool:
    """Whether the command at text[start:end] decides the exit status of the whole command, which is what fails
    the phase: not when `||`, `;`, `&` or a pipe follows it on its line, when an `if`/`!` tests it, or when a
    later line of a multi-line command runs last (without `set -e`)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before, after = text[line_start:start], text[end:line_end]
    if re.search(r"\|\||;|(?<!&)&(?!&)|(?<!\|)\|(?!\|)", after) or re.search(
        r"(?:^|[;&|(]\s*)(?:if|while|until|!)\s", before
    ):
        return False
    later = [line for line in text[line_end:].split("\n") if line.strip() and not line.strip().startswith("#")]
    return not later or bool(re.search(r"^\s*set\s+-[a-z]*e", text, re.M))


def _script_run(words: list[str]) -> str | None:
    """The package.json script an `npm` command runs: test for `npm test`, X for `npm run X`; None otherwise."""
    if len(words) < 2 or words[0] != "npm" or any(w.split("=")[0] in _OPTIONS_ELSEWHERE for w in words):
        return None
    if words[1] in ("test", "t", "tst"):
        return "test"
    if words[1] in ("run", "run-script", "rum", "urn") and len(words) > 2 and not words[2].startswith("-"):
        return words[2]
    return None


class NpmScriptFails(DocumentRule):
    """
    ## What it does
    Reports `npm test` when package.json's test script is the one `npm init` writes (`echo "Error: no test
    specified" && exit 1`), and `npm run NAME` (or `npm test`) when package.json has no script of that name.
    Only the buildspec at the repository's root is judged, with the package.json beside it, only commands
    before the first one that changes directory or could rewrite package.json, and only where the command's
    status is the command line's (not followed by `||` or `;`, not tested by `if`).

    ## Why is this bad?
    The placeholder test script exits with status 1 on purpose, and npm exits 1 with `Missing script: "NAME"`
    for a script that does not exist: either way the command fails, and with it the phase and the build, on
    every run.

    ## Example
    ```json
    {"scripts": {"test": "echo \\"Error: no test specified\\" && exit 1"}}
    ```
    ```yaml
    build:
      commands:
        - npm test
        - npm run build
    ```

    ## Fix
    Write the tests (or drop `npm test` until there are some) and add the `build` script to package.json, or
    run it as `npm run build --if-present` when not every package has one.
    """

    code = "CWB129"
    name = "buildspec-npm-script-fails"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC, files={"package.json": '{"scripts": {"test": "jest", "build": "tsc"}}', **_GIT}),
        # A folder is entered first: its own package.json is not the one at the root.
        Valid(
            _SPEC.replace("      - npm install\n", "      - cd web\n      - npm install\n"),
            files={"package.json": '{"scripts": {}}', **_GIT},
        ),
        # --if-present skips a missing script; a copied package.json may bring the scripts.
        Valid(_SPEC.replace("npm run build", "npm run build --if-present").replace("      - npm test\n", ""),
              files={"package.json": '{"scripts": {}}', **_GIT}),
        Valid(_SPEC.replace("      - npm install\n", "      - cp config/package.json .\n"),
              files={"package.json": '{"scripts": {}}', **_GIT}),
        # The failure is handled: `||` runs another command, an `if` tests it, a later line decides the status.
        Valid(_SPEC.replace("      - npm test\n", "").replace("npm run build", 'npm run build || echo "no build step"'),
              files={"package.json": '{"scripts": {}}', **_GIT}),
        Valid(_SPEC.replace("      - npm test\n", "").replace("npm run build", "|\n        npm run build\n        echo done"),
              files={"package.json": '{"scripts": {}}', **_GIT}),
    )  # fmt: skip
    INVALID = (
        Invalid(
            _SPEC,
            8,
            9,
            'npm test runs package.json\'s placeholder test script (echo "Error: no test specified" && exit 1), '
            "which exits 1",
            files={
                "package.json": '{"scripts": {"test": "echo \\"Error: no test specified\\" && exit 1",'
                ' "build": "tsc"}}',
                **_GIT,
            },
        ),
        Invalid(
            _SPEC.replace("      - npm test\n", ""),
            8,
            9,
            'package.json has no script "build": npm exits 1 with Missing script',
            files={"package.json": '{"scripts": {"start": "node index.js"}}', **_GIT},
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, seven labelled sets): "
            "3 errors in 2 files, both labelled defect (extension n112, fresh3 k40); none on the files AWS accepts."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        from codeward.linters.revision import project_root

        if path != () or ctx.document.path == "inline-buildspec" or not isinstance(value, dict):
            return
        if looks_windows(value):
            return
        here = os.path.abspath(ctx.base_dir)
        root = project_root(here)
        if root is None or here != os.path.abspath(root):
            return  # a buildspec in a folder may build from another directory of a monorepo
        scripts = npm_scripts(root)
        if scripts is None:
            return
        searched: dict[Path, int] = {}
        for at, text, words in command_words(value):
            name = _script_run(words)
            if name is not None:
                message = self._fails(scripts, name)
                needle = " ".join(words[:3] if name != "test" else words[:2])
                start = text.find(needle, searched.get(at, 0))
                if start >= 0:
                    searched[at] = start + 1
                if message and start >= 0 and _status_decides(text, start, start + len(needle)):
                    ctx.report(at, message, span=text_span(ctx.document, at, needle, start))
                continue
            if "package.json" in text or words[0] in ("cd", "pushd", "popd"):
                return
            if words[0] == "npm" and len(words) > 1 and words[1] in _NPM_KEEPS_SCRIPTS:
                continue
            if words[0] not in _HARMLESS:
                return  # a script, a copy, an unpack: package.json may not be the committed one any more

    @staticmethod
    def _fails(scripts: dict[str, Any], name: str) -> str | None:
        script = scripts.get(name)
        if name == "test" and isinstance(script, str) and _PLACEHOLDER_TEST.search(script):
            return (
                f"npm test runs package.json's placeholder test script ({script}), which exits 1: the phase "
                "fails on every build; write tests or drop the command"
            )
        if script is None:
            return (
                f'package.json has no script "{name}": npm exits 1 with Missing script, so the phase fails; add '
                f"the script or run it with --if-present"
            )
        return None
