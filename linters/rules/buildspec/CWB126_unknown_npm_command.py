import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, looks_windows, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# npm's commands and their aliases, npm 6 to 10 (docs.npmjs.com/cli/commands, `npm help`): npm has no plugin
# commands, so any other first word makes it print its usage and exit 1.
NPM_COMMANDS = frozenset(
    [
        "access",
        "add",  # npm install's alias
        "adduser",
        "add-user",
        "audit",
        "author",
        "bin",
        "birthday",
        "bugs",
        # npm 6's plumbing commands: `npm build` with no folder exits 0 there (npm 7 and later refuse it), so an
        # old image runs it without failing.
        "build",
        "unbuild",
        "bundle",
        "c",
        "cache",
        "ci",
        "cit",
        "clean-install",
        "clean-install-test",
        "completion",
        "config",
        "create",
        "ddp",
        "dedupe",
        "deprecate",
        "diff",
        "dist-tag",
        "dist-tags",
        "docs",
        "doctor",
        "edit",
        "exec",
        "explain",
        "explore",
        "find",
        "find-dupes",
        "fund",
        "get",
        "help",
        "help-search",
        "home",
        "hook",
        "i",
        "ic",
        "in",
        "info",
        "init",
        "innit",
        "ins",
        "inst",
        "insta",
        "instal",
        "install",
        "install-ci-test",
        "install-clean",
        "install-test",
        "isnt",
        "isnta",
        "isntal",
        "isntall",
        "isntall-clean",
        "issues",
        "it",
        "la",
        "link",
        "list",
        "ll",
        "ln",
        "login",
        "logout",
        "ls",
        "ogr",
        "org",
        "outdated",
        "owner",
        "pack",
        "ping",
        "pkg",
        "prefix",
        "profile",
        "prune",
        "publish",
        "query",
        "r",
        "rb",
        "rebuild",
        "remove",
        "repo",
        "restart",
        "rm",
        "root",
        "rum",
        "run",
        "run-script",
        "s",
        "sbom",
        "se",
        "search",
        "set",
        "set-script",
        "show",
        "shrinkwrap",
        "star",
        "stars",
        "start",
        "stop",
        "substack",
        "t",
        "tag",
        "team",
        "test",
        "token",
        "tst",
        "udpate",
        "un",
        "undeprecate",
        "uninstall",
        "unlink",
        "unpublish",
        "unstar",
        "up",
        "update",
        "upgrade",
        "urn",
        "v",
        "verison",
        "version",
        "view",
        "visnup",
        "whoami",
        "why",
        "x",
        "xmas",
    ]
)
_PLAIN_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class UnknownNpmCommand(DocumentRule):
    """
    ## What it does
    Reports an `npm` command whose first word is no npm command (`npm cdk synth`, `npm lint`), as if npm
    ran a package's binary or a `package.json` script by its name. Commands whose first word is an option,
    a variable or quoted are not judged.

    ## Why is this bad?
    npm has a fixed set of commands and no plugins: given another word it prints its usage (npm 7 and
    later: `Unknown command: "cdk"`) and exits 1, so the phase fails on every build. A binary of a package
    is run with `npx`, a script of `package.json` with `npm run` (only `test`, `start`, `stop` and
    `restart` have shortcuts).

    ## Example
    ```yaml
    build:
      commands:
        - npm cdk synth
    ```

    ## Fix
    `npx cdk synth` for a package's binary, `npm run build` for a script.
    """

    code = "CWB126"
    name = "buildspec-unknown-npm-command"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - npm ci\n      - npm run build\n"
            "      - npx cdk synth\n      - npm i -g aws-cdk && npm test\n      - npm --prefix web run build\n"
            "      - npm $COMMAND\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - npm ci\n      - npm run build && npm cdk synth\n",
            6,
            26,
            'npm has no command "cdk": it prints its usage and exits 1, so the phase fails; run a package\'s '
            'binary with "npx cdk" or a package.json script with "npm run cdk"',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict) or looks_windows(value):
            return
        searched: dict[Path, int] = {}
        for at, text, words in command_words(value):
            if len(words) < 2 or words[0] != "npm":
                continue
            first = words[1]
            if not _PLAIN_WORD.match(first) or first in NPM_COMMANDS:
                continue
            start = max(text.find(f"npm {first}", searched.get(at, 0)), 0)
            searched[at] = start + 1
            ctx.report(
                at,
                f'npm has no command "{first}": it prints its usage and exits 1, so the phase fails; run a '
                f'package\'s binary with "npx {first}" or a package.json script with "npm run {first}"',
                span=text_span(ctx.document, at, f"npm {first}", start),
            )
