import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import blank_single_quotes, commands, shell_of, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_START = r"(?:^|[;&|(]|&&|\|\||\bthen|\bdo|\belse)\s*"
# (pattern, the construct's name, what to write in sh instead); group 1 is the construct.
_BASHISMS = (
    (re.compile(r"(?:^|[\s;&|(!])(\[\[)\s"), '"[["', "use [ ... ] (with = instead of ==)"),
    (re.compile(_START + r"(source)\s+\S", re.M), '"source"', 'use ". file"'),
    (re.compile(_START + r"(pushd|popd)\b", re.M), '"pushd"/"popd"', 'use cd (and cd "$OLDPWD" or a subshell)'),
    (re.compile(_START + r"(function)\s+\w+", re.M), '"function name"', "write name() { ...; }"),
    (re.compile(r"(?:^|\s)([<>]\()"), "process substitution", "use a temporary file or a pipe"),
    (re.compile(r"[^\s&>0-9]?\s(&>)"), '"&>"', "write >file 2>&1"),
    (re.compile(r"(?:^|[\s;&|(])\[\s+[^]]*?\s(==)\s"), '"==" inside [ ]', "use = in [ ]"),
    (re.compile(r"(?:^|[\s;&|(])[A-Za-z_]\w*(=\()"), "an array assignment", "use a space-separated string or set --"),
    (
        # Substrings are ${v:1}, ${v: -1} and ${v:(-1)}; ${v:-1} is POSIX's "default value", valid in sh.
        re.compile(r"(\$\{!|\$\{[A-Za-z_]\w*(?:/{1,2}|:(?:\d|\s+-?\d|\(-?\d)|\^{1,2}|,{1,2}))"),
        "a bash parameter expansion",
        "use sed, cut or expr",
    ),
    (re.compile(_START + r"(shopt|declare|typeset)\b", re.M), '"shopt"/"declare"', "drop it or use plain assignments"),
)
_RUNS_BASH = re.compile(r"^\s*(?:bash|/bin/bash|/usr/bin/env bash)\b|\bbash\s+-\w*c\b")


class BashSyntaxInSh(DocumentRule):
    """
    ## What it does
    Reports bash-only syntax in commands when the buildspec does not set `env.shell`, so CodeBuild runs
    them with `sh`: `[[ ]]`, `source`, `pushd`/`popd`, `function name`, process substitution, `&>`,
    `==` inside `[ ]`, arrays, `${var//a/b}`-style expansions, `shopt`/`declare`.

    ## Why is this bad?
    On Ubuntu-based CodeBuild images `sh` is dash, which does not know these constructs: the command fails
    with errors such as `[[: not found` or `source: not found` (or, for `==` and `&>`, silently does
    something else). Amazon Linux images link `sh` to bash, so the same buildspec works there and breaks
    when the image changes.

    ## Example
    ```yaml
    version: 0.2
    phases:
      build:
        commands:
          - if [[ "$BRANCH" == main ]]; then make release; fi
    ```

    ## Fix
    Set `env: {shell: bash}` at the top of the buildspec, or write POSIX sh (`[ "$BRANCH" = main ]`).
    """

    code = "CWB115"
    name = "buildspec-bash-syntax-in-sh"
    severity = Severity.WARNING
    tags = ("portability",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            'version: 0.2\nenv:\n  shell: bash\nphases:\n  build:\n    commands:\n      - if [[ -n "$X" ]]; then make; fi\n'
            "      - source ./env.sh\n"
        ),
        Valid(
            'version: 0.2\nphases:\n  build:\n    commands:\n      - if [ "$X" = y ]; then make; fi\n      - . ./env.sh\n'
            "      - bash -c '[[ -n $X ]] && make'\n      - echo 'use [[ in bash'\n      - make >build.log 2>&1\n"
        ),
        # POSIX expansions: default values (also a negative or numeric default), assignment, length.
        Valid(
            'version: 0.2\nphases:\n  build:\n    commands:\n      - if [ "${STATUS:-0}" -ne 0 ]; then exit 1; fi\n'
            "      - TAG=${COMMIT:=latest}\n      - echo ${OFFSET:--1} ${#NAME}\n"
        ),
    )
    INVALID = (
        Invalid(
            'version: 0.2\nphases:\n  build:\n    commands:\n      - if [[ "$BRANCH" == main ]]; then make release; fi\n',
            5,
            12,
            '"[[" is bash syntax, but without env.shell CodeBuild runs commands with sh',
        ),
        Invalid(
            "version: 0.2\nphases:\n  pre_build:\n    commands:\n      - source ./ci/env.sh\n",
            5,
            9,
            '"source" is bash syntax',
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        cd app\n        pushd web\n        npm ci\n",
            7,
            9,
            '"pushd"/"popd" is bash syntax',
        ),
        Invalid(
            'version: 0.2\nphases:\n  build:\n    commands:\n      - if [ "$STAGE" == prod ]; then make; fi\n',
            5,
            23,
            '"==" inside [ ] is bash syntax',
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - echo ${CODEBUILD_RESOLVED_SOURCE_VERSION:0:7}\n",
            5,
            14,
            "a bash parameter expansion is bash syntax",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        shell = shell_of(value)
        if shell not in (None, "/bin/sh"):
            return
        for at, text in commands(value):
            if _RUNS_BASH.search(text):
                continue
            scrubbed = blank_single_quotes(text)
            hits = []
            for pattern, what, instead in _BASHISMS:
                match = pattern.search(scrubbed)
                if match:
                    hits.append((match.start(1), match.group(1), what, instead))
            if not hits:
                continue
            start, token, what, instead = min(hits)
            ctx.report(
                at,
                f"{what} is bash syntax, but without env.shell CodeBuild runs commands with sh, where it fails on "
                f"Ubuntu images (dash); set env.shell: bash, or {instead}",
                # The value's own text never runs longer than its source, so `start` is a lower bound there.
                span=text_span(ctx.document, at, token, start),
                notes=(
                    "Amazon Linux images link sh to bash, so this may work there and break when the image changes.",
                ),
            )
