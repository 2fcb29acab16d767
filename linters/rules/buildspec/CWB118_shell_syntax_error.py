import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import char_span, commands, looks_windows, shell_of

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Words after which a new command starts (the next word is a command name, so `(` opens a subshell).
_KEYWORDS = frozenset({"if", "then", "else", "elif", "while", "until", "do", "!", "time"})
_NOT_CHECKED = re.compile(r"<<|\bcase\b|\[\[|\bfunction\b")
_EMPTY_PARENS = re.compile(r"\(\s*\)")


def stray_parenthesis(text: str) -> int | None:
    """Index of an unquoted `(` that sh and bash cannot parse: one inside a simple command, after its
    first word (`echo Building (staging)`), where only a subshell `( ... )` at the start of a command or a
    function definition `name() ...` may have one. Quotes, escapes, comments, `$( )`, `$(( ))`, backquotes,
    process substitution and extended globs are followed; commands with here-documents, `case`, `[[` or
    `function` are not checked."""
    if _NOT_CHECKED.search(text):
        return None
    words = 0  # words of the current simple command so far
    in_word = False
    word = last = ""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            in_word = True
            word, last = _grow(word, "x"), "x"
            continue
        if char in "'\"`":
            end = _closing(text, i)
            if end is None:
                return None  # unterminated quote: CWB116's finding
            i = end + 1
            in_word = True
            word, last = _grow(word, "x"), "x"
            continue
        if char == "$" and text[i + 1 : i + 2] in ("(", "{"):
            end = _matching(text, i + 1)
            if end is None:
                return None
            i = end + 1
            in_word = True
            word, last = _grow(word, "x"), "x"
            continue
        if char == "#" and not in_word:
            end = text.find("\n", i)
            if end < 0:
                return None
            i = end
            continue
        if char in " \t":
            if in_word:
                words, in_word = _end_word(words, word)
                word = last = ""
            i += 1
            continue
        if char in ";&|\n){}":
            words, in_word, word, last = 0, False, "", ""
            i += 1
            continue
        if char == "(":
            if in_word and last and last in "@!+*?=<>":
                # extglob @(a|b), an array `a=(...)` (bash; CWB115), process substitution <( ) >( ).
                end = _matching(text, i)
                if end is None:
                    return None
                i = end + 1
                continue
            if not in_word and words == 0:
                if text[i + 1 : i + 2] == "(":  # (( arithmetic ))
                    end = _matching(text, i)
                    if end is None:
                        return None
                    i = end + 1
                    continue
                words, in_word, word, last = 0, False, "", ""  # a subshell: a new command starts inside
                i += 1
                continue
            # name() { ...; }: a function definition
            if ((words == 1 and not in_word) or (words == 0 and in_word)) and _EMPTY_PARENS.match(text, i):
                i = text.index(")", i) + 1
                words, in_word, word, last = 0, False, "", ""
                continue
            return i
        in_word = True
        word, last = _grow(word, char), char
        i += 1
    return None


# A word's first characters are all the checks need (a keyword, `NAME=`): keeping a long word whole made the
# scan quadratic in its length (a hostile 800 KB command took a minute of CPU).
_WORD_KEPT = 256


def _grow(word: str, char: str) -> str:
    return word + char if len(word) < _WORD_KEPT else word


def _end_word(words: int, word: str) -> tuple[int, bool]:
    if words == 0 and word in _KEYWORDS:
        return 0, False
    if words == 0 and re.fullmatch(r"[A-Za-z_]\w*=.*", word):
        return 0, False  # NAME=value before the command name
    return words + 1, False


def _closing(text: str, start: int) -> int | None:
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\" and quote != "'":
            i += 2
            continue
        if text[i] == quote:
            return i
        if quote == '"' and text[i] == "$" and text[i + 1 : i + 2] in ("(", "{"):
            end = _matching(text, i + 1)
            if end is None:
                return None
            i = end + 1
            continue
        i += 1
    return None


def _matching(text: str, start: int) -> int | None:
    """Index of the bracket closing the one at `start`, skipping quoted text."""
    opening = text[start]
    closing = ")" if opening == "(" else "}"
    depth = 0
    i = start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char in "'\"`" and opening == "(":
            end = _closing(text, i)
            if end is None:
                return None
            i = end + 1
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


class ShellSyntaxError(DocumentRule):
    """
    ## What it does
    Reports a command that the shell cannot parse because of an unquoted parenthesis inside it, such as
    `echo Building image (staging)`: in sh and bash a `(` may only open a subshell at the start of a
    command or follow a function's name. Commands with here-documents, `case` or `[[` are not checked,
    nor buildspecs whose commands are PowerShell or cmd.

    ## Why is this bad?
    The shell stops with `Syntax error: "(" unexpected` (bash: `syntax error near unexpected token '('`)
    before running anything of the command, so the phase fails. It happens most with `echo` messages
    that were not quoted.

    ## Example
    ```yaml
    phases:
      build:
        commands:
          - echo Logging in to Docker Hub (optional)
    ```

    ## Fix
    Quote the text: `echo "Logging in to Docker Hub (optional)"`, or escape the parentheses (`\\(`).
    """

    code = "CWB118"
    name = "buildspec-shell-syntax-error"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        # A comment's parenthesis is not the shell's (a block scalar: in a plain one YAML drops " #...").
        Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        echo hi # a (note)\n        make\n"),
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n"
            '      - echo "Building (staging)"\n'
            "      - echo Building \\(staging\\)\n"
            "      - (cd web && npm ci)\n"
            "      - echo $(date) $((1 + 2)) `date`\n"
            "      - build() { make; }; build\n"
            "      - if (true); then echo ok; fi\n"
            "      - ls -la # a comment (with parentheses)\n"
            '      - aws s3 cp a s3://b --metadata \'{"k": "(v)"}\'\n'
            '      - echo "$(echo "(nested)")"\n'
        ),
        Valid(
            "version: 0.2\nenv:\n  shell: bash\nphases:\n  build:\n    commands:\n"
            "      - shopt -s extglob; rm -rf !(keep)\n      - files=(a b c)\n      - diff <(ls a) <(ls b)\n"
        ),
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n"
            '      - Write-Host "Building"\n      - Copy-Item (Join-Path $env:TEMP a.txt) .\n'
        ),
    )
    INVALID = (
        # After a command substitution the scan goes on from its closing parenthesis.
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - echo $(date) (staging)\n",
            5,
            22,
            '"(" after "echo" opens no subshell',
        ),
        Invalid(
            "version: 0.2\nphases:\n  pre_build:\n    commands:\n      - echo Logging in to Docker Hub (optional)\n",
            5,
            39,
            'the shell cannot parse this command: "(" after "echo" opens no subshell',
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        npm ci\n"
            "        echo Building frontend Docker image (staging)...\n",
            7,
            45,
            "syntax error",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        shell = (shell_of(value) or "sh").lower()
        if shell not in ("sh", "bash", "/bin/sh", "/bin/bash") or looks_windows(value):
            return
        for at, text in commands(value):
            index = stray_parenthesis(text)
            if index is None:
                continue
            before = text[text.rfind("\n", 0, index) + 1 : index].split()
            first = before[0] if before else "the command"
            span = char_span(ctx.document, at, text, index)
            ctx.report(
                at,
                f'the shell cannot parse this command: "(" after "{first}" opens no subshell, so {shell} '
                "stops with a syntax error and the phase fails; quote the text or escape the parenthesis",
                span=span,
            )
