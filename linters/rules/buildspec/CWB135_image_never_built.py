import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, docker_build_options, next_word_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Words the shell reads before a command (`then docker build ...` inside an if); not the program.
_KEYWORDS = frozenset({"then", "else", "do", "{", "!", "(", "elif", "if", "while", "until"})
# Programs that may build, load or pull images by themselves (scripts, build tools, docker's own other ways
# in): after one of them runs, the local images are unknown.
_OPAQUE = frozenset({
    "bash", "sh", "zsh", "dash", "ksh", "source", ".", "eval", "make", "python", "python3", "node", "npm", "npx",
    "yarn", "pnpm", "mvn", "gradle", "docker-compose", "podman", "buildah", "pack", "kaniko", "skaffold", "sam",
    "cdk", "copilot", "earthly", "bazel", "ansible-playbook", "packer", "nix", "ko", "jib", "tilt", "just", "task",
    "xargs", "parallel", "find", "env", "sudo", "su", "timeout", "nohup", "watch",
})  # fmt: skip
# `docker` subcommands that put images in the local store without naming them as a build's -t does.
_DOCKER_OPAQUE = frozenset({"load", "import", "commit", "compose", "run", "exec", "buildx", "image", "container"})
_BUILD_TAG = frozenset({"-t", "--tag"})
_SPEC = """version: 0.2
phases:
  build:
    commands:
      - docker build -t app:latest .
      - docker tag app:latest $REPO:$TAG
  post_build:
    commands:
      - docker push $REPO:$TAG
"""


def _normal(ref: str) -> str:
    """An image reference as docker resolves a missing tag: `repo` is `repo:latest`."""
    last = ref.rsplit("/", 1)[-1]
    return ref if ":" in last or "@" in last else f"{ref}:latest"


def _tags(words: list[str]) -> list[str] | None:
    """The -t/--tag values of a `docker build` / `docker buildx build` / `docker image build`, or None."""
    found = docker_build_options(words)
    if found is None:
        return None
    rest = found[0]
    tags: list[str] = []
    for index, word in enumerate(rest):
        if word in _BUILD_TAG and index + 1 < len(rest):
            tags.append(rest[index + 1])
        elif word.startswith("--tag="):
            tags.append(word.partition("=")[2])
        elif word.startswith("-t") and len(word) > 2 and not word.startswith("--"):
            tags.append(word[2:])
    return tags


class ImageNeverBuilt(DocumentRule):
    """
    ## What it does
    Reports `docker tag SOURCE TARGET` or `docker push IMAGE` when no earlier command of the buildspec built,
    pulled or tagged any image at all, so the local image store is empty (a build's `docker build` was
    deleted or commented out, leaving the tag and push behind). Commands are read in CodeBuild's order
    (install, pre_build, build, post_build). The rule stays silent once anything that could put an image in
    the store by other means has run (a script, `make`, `docker compose`, `docker load`, a build tool), and
    when any image was built or pulled under another name, since a variable may make the names equal.

    ## Why is this bad?
    CodeBuild starts every build with an empty Docker image store (a fresh container; privileged mode runs
    its own daemon): `docker tag` of an image that nothing built fails with "No such image" and `docker push`
    with "An image does not exist locally with the tag", and the phase fails.

    ## Example
    ```yaml
    phases:
      build:
        commands:
          - docker tag $IMAGE_REPO_NAME:$IMAGE_TAG $ECR/$IMAGE_REPO_NAME:$IMAGE_TAG
      post_build:
        commands:
          - docker push $ECR/$IMAGE_REPO_NAME:$IMAGE_TAG
    ```

    ## Fix
    Build the image first: `docker build -t $IMAGE_REPO_NAME:$IMAGE_TAG .`, or pull it.
    """

    code = "CWB135"
    name = "buildspec-image-never-built"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC),
        Valid(_SPEC.replace("docker build -t app:latest .", "docker pull app:latest")),
        Valid(_SPEC.replace("docker build -t app:latest .", "./build-image.sh")),
        Valid(_SPEC.replace("docker build -t app:latest .", "docker compose build")),
        Valid(_SPEC.replace("docker build -t app:latest .", "docker load -i image.tar")),
        Valid(_SPEC.replace("docker build -t app:latest .", "docker build -t other .")),
        Valid(_SPEC.replace("docker build -t app:latest .", "make image")),
    )
    INVALID = (
        Invalid(
            _SPEC.replace("      - docker build -t app:latest .\n", "      - echo Building the Docker image...\n"),
            6,
            20,
            'docker tag of "app:latest", but no earlier command builds, pulls or loads any image: the image store '
            'of a CodeBuild build starts empty, so docker fails with "No such image"',
        ),
        Invalid(
            _SPEC.replace(
                "      - docker build -t app:latest .\n      - docker tag app:latest $REPO:$TAG\n", "      - ls\n"
            ),
            8,
            21,
            'docker push of "$REPO:$TAG", but no earlier command builds, pulls or loads any image',
        ),
    )

    @classmethod
    def measured(cls) -> str:
        return (
            "Precision on real-world definitions (bench/realworld.py, ten labelled sets, 2026-12-07): no error on any "
            "file AWS accepts; errors on fresh6 t27 (the docker build deleted, the tag and push left), labelled defect."
        )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if path != () or not isinstance(value, dict):
            return
        searched: dict[Path, int] = {}
        for at, text, words in command_words(value):
            while words and (words[0] in _KEYWORDS or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
                words = words[1:]
            if not words:
                continue
            program = words[0]
            if program != "docker":
                if program in _OPAQUE or program.endswith((".sh", ".py")) or program.startswith(("./", "/", "~")):
                    return
                continue
            sub = words[1] if len(words) > 1 else ""
            if sub not in ("tag", "push"):
                if _tags(words) is not None or sub == "pull" or sub in _DOCKER_OPAQUE:
                    return  # an image was built, pulled or loaded: names may differ through variables
                continue
            operands = [w for w in words[2:] if not w.startswith("-")]
            if not operands:
                continue
            image = operands[0]
            verb = "tag" if sub == "tag" else "push"
            ctx.report(
                at,
                f'docker {verb} of "{image}", but no earlier command builds, pulls or loads any image: the image '
                f"store of a CodeBuild build starts empty, so docker fails with "
                f'"{"No such image" if verb == "tag" else "An image does not exist locally"}" and the phase fails',
                span=next_word_span(ctx.document, searched, at, text, image),
                notes=(f"Build or pull {_normal(image)} before this command (docker build -t {image} .).",),
            )
            return
