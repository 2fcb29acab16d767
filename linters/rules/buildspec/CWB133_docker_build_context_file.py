import os
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, next_word_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Options of `docker build` / `docker buildx build` that take a value as the next word (docker's CLI reference);
# any other word starting with "-" is a flag, and `--opt=value` carries its value along.
_WITH_VALUE = frozenset({
    "-t", "--tag", "-f", "--file", "--build-arg", "--platform", "--target", "--label", "--network", "--cache-from",
    "--cache-to", "-o", "--output", "--secret", "--ssh", "--progress", "--iidfile", "--add-host", "--shm-size",
    "-m", "--memory", "--memory-swap", "--cpu-shares", "-c", "--cpuset-cpus", "--cpuset-mems", "--cpu-period",
    "--cpu-quota", "--ulimit", "--isolation", "--cgroup-parent", "--builder", "--metadata-file", "--attest",
    "--annotation", "--build-context", "--allow", "--security-opt", "--provenance", "--sbom", "--call",
})  # fmt: skip
_DOCKERFILE = re.compile(r"(?:^|/)(?:Dockerfile(?:\.[\w.-]+)?|[\w.-]+\.[Dd]ockerfile)$")
_SPEC = """version: 0.2
phases:
  build:
    commands:
      - docker build -t app:latest .
"""


def _context(words: list[str]) -> tuple[str, int] | None:
    """The context argument of a `docker build` command and its index, or None."""
    if words[0] != "docker":
        return None
    rest = words[1:]
    if rest[:2] in (["buildx", "build"], ["image", "build"]):
        rest, offset = rest[2:], 3
    elif rest[:1] == ["build"]:
        rest, offset = rest[1:], 2
    else:
        return None
    skip = False
    positional: list[tuple[str, int]] = []
    for index, word in enumerate(rest):
        if skip:
            skip = False
        elif word.startswith("-") and word != "-":
            skip = word in _WITH_VALUE
        else:
            positional.append((word, index + offset))
    return positional[0] if len(positional) == 1 else None


class DockerBuildContextFile(DocumentRule):
    """
    ## What it does
    Reports `docker build` (or `docker buildx build`, `docker image build`) given a Dockerfile where its
    one argument, the build context, belongs: `docker build -t app ./Dockerfile`. A context is judged a file
    when its name is a Dockerfile's (`Dockerfile`, `Dockerfile.prod`, `app.dockerfile`) or when it names a
    file of the repository next to the buildspec.

    ## Why is this bad?
    The context is the directory whose files the build can `COPY`; docker refuses a file there ("unable to
    prepare context: context must be a directory") and the command fails the phase. The Dockerfile is
    chosen with `-f`.

    ## Example
    ```yaml
    - docker build -t $REPO:$TAG ./db/Dockerfile
    ```

    ## Fix
    Pass the Dockerfile with `-f` and the folder as the context: `docker build -t $REPO:$TAG -f
    db/Dockerfile db`.
    """

    code = "CWB133"
    name = "buildspec-docker-build-context-file"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC),
        Valid(_SPEC.replace("-t app:latest .", "-t app:latest -f db/Dockerfile db")),
        Valid(_SPEC.replace("-t app:latest .", "--file=./Dockerfile.prod --tag app ./service")),
        Valid(_SPEC.replace("-t app:latest .", "-t app - < Dockerfile")),
    )
    INVALID = (
        Invalid(
            _SPEC.replace("-t app:latest .", "-t app:latest ./db/Dockerfile"),
            5,
            36,
            '"./db/Dockerfile" is a file, given where docker build takes the context directory',
        ),
        Invalid(
            _SPEC.replace("-t app:latest .", "-t app docker/app.conf"),
            5,
            29,
            "docker/app.conf",
            files={"docker/app.conf": "FROM alpine\n"},
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, eight labelled sets): errors on 1 file, "
            "labelled defect (fresh4 q28); none on the files AWS accepts."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if path != () or not isinstance(value, dict):
            return
        searched: dict[Path, int] = {}
        for at, text, words in command_words(value):
            found = _context(words)
            if found is None:
                continue
            context = found[0]
            if "$" in context or "://" in context or context.startswith("git@"):
                continue
            local = os.path.join(ctx.base_dir, context)
            if not (_DOCKERFILE.search(context) or os.path.isfile(local)) or os.path.isdir(local):
                continue
            ctx.report(
                at,
                f'"{context}" is a file, given where docker build takes the context directory: docker fails with '
                '"unable to prepare context: context must be a directory" and the phase fails',
                span=next_word_span(ctx.document, searched, at, text, context),
                notes=("Name the Dockerfile with -f and pass its folder as the context (-f db/Dockerfile db).",),
            )
