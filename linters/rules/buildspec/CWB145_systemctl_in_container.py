import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, looks_windows, next_word_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# systemctl subcommands that ask the running systemd to do something; `enable`/`disable` alone only write links,
# which works without a running systemd, and queries such as `status` or `is-active` are tests a script may make.
_ASKS_SYSTEMD = frozenset({
    "start", "stop", "restart", "reload", "try-restart", "reload-or-restart", "try-reload-or-restart",
    "daemon-reload", "daemon-reexec", "isolate", "kill",
})  # fmt: skip
# A failure the command itself allows for: `|| true`, `|| service docker start`, an `if` around it.
_GUARDED = re.compile(r"\|\||^\s*if\b|\bthen\b")


def _asks_systemd(words: list[str]) -> str | None:
    rest = [w for w in words[1:] if not w.startswith("-")]
    if not rest:
        return None
    if rest[0] in _ASKS_SYSTEMD:
        return rest[0]
    if rest[0] in ("enable", "disable") and "--now" in words:
        return f"{rest[0]} --now"
    return None


class SystemctlInContainer(DocumentRule):
    """
    ## What it does
    Reports a build command that asks systemd to start, stop, restart or reload a service: `sudo systemctl
    start docker`, `systemctl daemon-reload`, `systemctl enable --now nginx`. Commands whose failure is allowed
    for (`|| true`, `|| service docker start`, inside an `if`) are not reported, nor `systemctl enable` alone
    (which only writes links) or queries such as `systemctl status`.

    ## Why is this bad?
    CodeBuild runs the buildspec's commands in a container of the build image; the container's first process is
    CodeBuild's own, not systemd, so systemctl cannot reach a service manager: "System has not been booted with
    systemd as init system (PID 1). Can't operate." It exits non-zero and the phase fails. The images start the
    Docker daemon themselves in privileged mode; a custom image starts it with `nohup dockerd ... &`, as the
    CodeBuild user guide's Docker samples do.

    ## Example
    ```yaml
    pre_build:
      commands:
        - sudo systemctl start docker
    ```

    ## Fix
    Drop the command (turn on privileged mode for Docker), or start the program itself in the background:
    `nohup /usr/local/bin/dockerd --host=unix:///var/run/docker.sock &`.
    """

    code = "CWB145"
    name = "buildspec-systemctl-in-container"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  install:\n    commands:\n"
            "      - systemctl enable docker\n"
            "      - systemctl status docker || true\n"
            "      - sudo systemctl start docker || sudo service docker start\n"
            "      - if command -v systemctl; then systemctl restart docker; fi\n"
            "      - nohup /usr/local/bin/dockerd --host=unix:///var/run/docker.sock &\n"
        ),
    )
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  pre_build:\n    commands:\n      - sudo systemctl start docker\n",
            5,
            14,
            '"systemctl start" asks systemd, which does not run in a CodeBuild build container',
        ),
        Invalid(
            "version: 0.2\nphases:\n  install:\n    commands:\n      - systemctl enable --now nginx\n",
            5,
            9,
            '"systemctl enable --now" asks systemd',
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if path != () or not isinstance(value, dict) or looks_windows(value):
            return
        searched: dict[Path, int] = {}
        for at, text, words in command_words(value):
            if words[0].rsplit("/", 1)[-1] != "systemctl" or _GUARDED.search(text):
                continue
            asked = _asks_systemd(words)
            if asked is None:
                continue
            ctx.report(
                at,
                f'"systemctl {asked}" asks systemd, which does not run in a CodeBuild build container: the command '
                'fails ("System has not been booted with systemd") and the phase with it',
                span=next_word_span(ctx.document, searched, at, text, words[0]),
                notes=(
                    "For Docker, turn on privileged mode (the image starts dockerd) or run "
                    "`nohup dockerd ... &`; other programs can be started in the background the same way.",
                ),
            )
