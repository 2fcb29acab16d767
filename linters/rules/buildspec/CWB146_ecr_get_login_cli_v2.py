import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands, images_of_projects, next_word_span

# CWB144's Terraform project: buildspec-deploy.yml on aws/codebuild/standard:7.0.
from codeward.linters.rules.buildspec.CWB144_package_manager_of_other_image import _TF

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# CodeBuild's curated images that ship AWS CLI version 2 and no version 1 (aws/aws-codebuild-docker-images: their
# Dockerfiles install awscli-exe-linux-*.zip and no pip `awscli`): Ubuntu standard 5.0 and later, Amazon Linux 2023
# standard 5.0 and later (also named amazonlinux2-x86_64-standard:5.0), aarch64 standard 3.0 and later, the Lambda
# images. Earlier images (standard:4.0, amazonlinux2-x86_64-standard:3.0/4.0) install awscli 1 with pip.
_CLI_V2 = re.compile(
    r"^aws/codebuild/(?:standard:(?:[5-9]|\d{2,})\.|amazonlinux2?-x86_64-standard:(?:[5-9]|\d{2,})\.|"
    r"amazonlinux2?-aarch64-standard:(?:[3-9]|\d{2,})\.|amazonlinux-(?:x86_64|aarch64)-lambda-standard:)"
)
# Options before `ecr`, each with at most one value; a value is no word that could start an option, so a run of
# options splits one way only (`--a --b` as an option and its value too made the search exponential in them).
_GET_LOGIN = re.compile(r"\baws\s+(?:--\S+\s+(?:(?!--\S)\S+\s+)?)*ecr\s+get-login(?![\w-])")
# The build puts AWS CLI 1 in place itself (pip's `awscli` is version 1).
_PIP_V1 = re.compile(r"\bpip3?\s+install\b[^\n]*\bawscli\b")
_SPEC = "version: 0.2\nphases:\n  pre_build:\n    commands:\n      - $(aws ecr get-login --no-include-email)\n"


class EcrGetLoginCliV2(DocumentRule):
    """
    ## What it does
    Reports `aws ecr get-login` in a buildspec that every CodeBuild project the repository's Terraform defines for
    it runs on a curated image with AWS CLI version 2 only: `aws/codebuild/standard:5.0` and later, the Amazon Linux
    2023 and aarch64 standard images, the Lambda images. Not reported when the buildspec installs AWS CLI 1 itself
    (`pip install awscli`) or falls back on another command (`||`), nor when a project runs it on an image whose
    CLI is not known (earlier images install AWS CLI 1, where the command exists).

    ## Why is this bad?
    AWS CLI 2 removed `ecr get-login` (its migration guide: use `get-login-password`): the command fails with
    "Invalid choice", the `$(...)` around it runs nothing useful, and the first `docker push` fails for want of a
    login.

    ## Example
    ```yaml
    pre_build:
      commands:
        - $(aws ecr get-login --no-include-email)
    ```
    (run by a project on `aws/codebuild/standard:7.0`)

    ## Fix
    `aws ecr get-login-password | docker login --username AWS --password-stdin $ACCOUNT.dkr.ecr.$REGION.amazonaws.com`.
    """

    code = "CWB146"
    name = "buildspec-ecr-get-login-cli-v2"
    severity = Severity.ERROR
    kinds = frozenset({"buildspec"})
    paths = ("",)  # the whole buildspec: its commands, in CodeBuild's order
    tags = ("correctness",)
    VALID = (
        # amazonlinux2-x86_64-standard:3.0 installs AWS CLI 1 with pip: get-login exists there.
        Valid(_SPEC, files={".git/HEAD": "x\n", "infra/codebuild.tf": _TF.replace(
            "standard:7.0", "amazonlinux2-x86_64-standard:3.0")}, filename="buildspec-deploy.yml"),
        Valid(_SPEC.replace("      - $(", "      - pip3 install awscli\n      - $("), filename="buildspec-deploy.yml",
              files={".git/HEAD": "x\n", "infra/codebuild.tf": _TF}),
        # No project of the repository runs this file: its image is not known.
        Valid(_SPEC, filename="buildspec.yml", files={".git/HEAD": "x\n", "infra/codebuild.tf": _TF}),
    )  # fmt: skip
    INVALID = (
        Invalid(
            _SPEC,
            5,
            19,
            '"aws ecr get-login" is not in AWS CLI 2, the CLI of aws/codebuild/standard:7.0',
            files={".git/HEAD": "x\n", "infra/codebuild.tf": _TF},
            filename="buildspec-deploy.yml",
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        images = images_of_projects(ctx, value) if path == () else None
        if images is None or not all(_CLI_V2.match(image) for image, _ in images):
            return
        listed = list(commands(value))
        if any(_PIP_V1.search(text) for _, text in listed):
            return
        image, defined = images[0]
        searched: dict[Path, int] = {}
        for at, text in listed:
            if _GET_LOGIN.search(text) is None or "||" in text:
                continue  # `||`: a fallback when the old login fails
            ctx.report(
                at,
                f'"aws ecr get-login" is not in AWS CLI 2, the CLI of {image}, the image '
                f'{defined} runs this buildspec on: the command fails with "Invalid '
                'choice" and no docker login happens',
                span=next_word_span(ctx.document, searched, at, text, "get-login"),
                notes=(
                    "Log in with aws ecr get-login-password | docker login --username AWS --password-stdin REGISTRY.",
                ),
            )
