import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, commands, looks_windows, next_word_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# yum and dnf subcommands that change packages and therefore ask "Is this ok [y/N]" before they do.
_CHANGING = frozenset({
    "install", "update", "upgrade", "remove", "erase", "reinstall", "downgrade", "localinstall", "groupinstall",
    "groupupdate", "groupremove", "autoremove", "distro-sync", "swap",
})  # fmt: skip
# Something that answers the question or turns it off: a pipe or redirection into the command, or assumeyes.
_ANSWERED = re.compile(r"\|\s*(?:sudo\s+)?(?:yum|dnf)\b|<|assumeyes|\byes\b")


def _assumes_yes(words: list[str]) -> bool:
    """Whether the options answer yes: -y, --assumeyes, or -y among combined short options (-qy)."""
    for word in words[1:]:
        if word in ("--assumeyes", "--yes") or word.startswith("--setopt=assumeyes"):
            return True
        if re.fullmatch(r"-[A-Za-z]*y[A-Za-z]*", word):
            return True
    return False


def _subcommand(words: list[str]) -> str | None:
    """The first word after the options (`yum -q install x` -> install); `group install` reads as groupinstall."""
    rest = [w for w in words[1:] if not w.startswith("-")]
    if not rest:
        return None
    if rest[0] == "group" and len(rest) > 1:
        return "group" + rest[1]
    return rest[0]


class PackageManagerPrompt(DocumentRule):
    """
    ## What it does
    Reports a `yum` or `dnf` command that installs, updates or removes packages without `-y` (or
    `--assumeyes`): `sudo yum install maven`. Commands whose question is answered (`yes | yum install x`, input
    redirected, `assumeyes` set in a command) are not reported, nor subcommands that change nothing (`yum clean
    all`, `yum list`).

    ## Why is this bad?
    yum and dnf ask "Is this ok [y/N]:" before they change packages. A CodeBuild build has no terminal: the
    question reads end of input, which yum takes as no ("Exiting on user command") and dnf as "Operation
    aborted", and the command exits non-zero, failing its phase before anything is installed.

    ## Example
    ```yaml
    install:
      commands:
        - sudo yum install maven
    ```

    ## Fix
    Answer in advance: `yum install -y maven` (or `dnf install -y ...`).
    """

    code = "CWB142"
    name = "buildspec-package-manager-prompt"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  install:\n    commands:\n"
            "      - sudo yum install -y maven\n"
            "      - yum -q -y update\n"
            "      - dnf install --assumeyes git\n"
            "      - yum install -qy jq\n"
            "      - yum clean all\n"
            "      - yes | yum install maven\n"
            "      - yum list installed\n"
        ),
        Valid(
            "version: 0.2\nphases:\n  install:\n    commands:\n"
            "      - echo assumeyes=1 >> /etc/yum.conf\n"
            "      - yum install maven\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  install:\n    commands:\n      - sudo yum install maven\n",
            5,
            14,
            '"yum install" without -y asks for confirmation, which a build cannot give',
        ),
        Invalid(
            "version: 0.2\nphases:\n  install:\n    commands:\n      - dnf -q group install 'Development Tools'\n",
            5,
            9,
            '"dnf groupinstall" without -y',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict) or looks_windows(value):
            return
        if any("assumeyes" in text for _, text in commands(value)):
            return  # yum.conf or dnf.conf told to assume yes
        searched: dict[Path, int] = {}
        for at, text, words in command_words(value):
            program = words[0].rsplit("/", 1)[-1]
            if program not in ("yum", "dnf"):
                continue
            sub = _subcommand(words)
            if sub not in _CHANGING or _assumes_yes(words) or _ANSWERED.search(text):
                continue
            ctx.report(
                at,
                f'"{program} {sub}" without -y asks for confirmation, which a build cannot give: the question '
                "reads end of input, the command stops without installing anything and exits non-zero",
                span=next_word_span(ctx.document, searched, at, text, words[0]),
                notes=(f"Write `{program} {sub} -y ...` (or --assumeyes).",),
            )
