import os
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, docker_build_arguments, next_word_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_DOCKERFILE = re.compile(r"(?:^|/)(?:Dockerfile(?:\.[\w.-]+)?|[\w.-]+\.[Dd]ockerfile)$")
_SPEC = """version: 0.2
phases:
  build:
    commands:
      - docker build -t app:latest .
"""


class DockerBuildContextFile(DocumentRule):
    """
    ## What it does
    Reports `docker build` (or `docker buildx build`, `docker image build`) given a Dockerfile where its
    one argument, the build context, belongs: `docker build -t app ./Dockerfile`, or given more than one
    argument: `docker build -t app . -f Dockerfile.prod .` (the context written twice). A context is judged a
    file when its name is a Dockerfile's (`Dockerfile`, `Dockerfile.prod`, `app.dockerfile`) or when it names
    a file of the repository next to the buildspec. Arguments are counted only when every word is literal
    (no `$VAR` that could expand to options, no redirection) and options are told by docker's own list of
    those that take a value.

    ## Why is this bad?
    The context is the directory whose files the build can `COPY`; docker refuses a file there ("unable to
    prepare context: context must be a directory") and a second argument ("docker buildx build requires
    exactly 1 argument"), and the command fails the phase. The Dockerfile is chosen with `-f`.

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
        Valid(_SPEC.replace("-t app:latest .", "-t app --pull --no-cache --build-arg V=1 -f Dockerfile.prod .")),
        Valid(_SPEC.replace("-t app:latest .", "-t app $EXTRA_ARGS .")),
        Valid(_SPEC.replace("-t app:latest .", "-t app . > build.log 2>&1")),
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
        Invalid(
            _SPEC.replace("-t app:latest .", "-t backend-flask . -f Dockerfile.prod ."),
            5,
            60,
            'docker build is given 2 arguments (".", ".") where it takes one',
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, nine labelled sets): errors on 2 files, "
            "labelled defect (fresh4 q28, a file as the context; fresh5 r5, the context written twice); none on the "
            "files AWS accepts."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if path != () or not isinstance(value, dict):
            return
        searched: dict[Path, int] = {}
        for at, text, words in command_words(value):
            arguments = docker_build_arguments(words)
            if not arguments:
                continue
            if len(arguments) > 1:
                self._many(ctx, searched, at, text, [word for word, _ in arguments])
                continue
            context = arguments[0][0]
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

    def _many(self, ctx: Context, searched: dict[Path, int], at: Path, text: str, arguments: list[str]) -> None:
        # A word that may expand to options or to nothing (`$EXTRA_ARGS`, `` `cat args` ``, a glob) leaves the
        # count unknown.
        if any(any(c in word for c in "$`*?[{") for word in arguments):
            return
        shown = ", ".join(f'"{word}"' for word in arguments)
        # The second argument, found as a whole word after the first (a "." may also sit inside Dockerfile.prod).
        start = searched.get(at, 0)
        for word in arguments[:2]:
            found = re.compile(rf"(?<!\S){re.escape(word)}(?!\S)").search(text, start)
            if found is None:
                break
            start = found.start() + 1
        searched[at] = max(start - 1, 0)
        ctx.report(
            at,
            f"docker build is given {len(arguments)} arguments ({shown}) where it takes one, the build context: "
            'docker fails with "requires exactly 1 argument" and the phase fails',
            span=next_word_span(ctx.document, searched, at, text, arguments[1]),
            notes=(
                "Options go before the context and each takes its own value: "
                "docker build -t app -f Dockerfile.prod . (one context, last).",
            ),
        )
