import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import command_words, images_of_projects, next_word_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# CodeBuild's curated images: the standard images are Ubuntu (apt), the amazonlinux ones Amazon Linux (yum, dnf).
_FAMILY = (
    (re.compile(r"^aws/codebuild/standard:"), "Ubuntu", frozenset({"yum", "dnf", "amazon-linux-extras"})),
    (re.compile(r"^aws/codebuild/amazonlinux"), "Amazon Linux", frozenset({"apt-get", "apt"})),
)
# A command that tries one package manager and falls back on another, or tests which one there is.
_GUARDED = re.compile(r"command\s+-v|\bwhich\s|\btype\s|\|\||/etc/os-release|if\s+\[")
_SPEC = "version: 0.2\nphases:\n  install:\n    commands:\n      - yum install -y jq\n"
_TF = """resource "aws_codebuild_project" "deploy" {
  name         = "deploy"
  service_role = aws_iam_role.build.arn
  artifacts {
    type = "CODEPIPELINE"
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type      = "CODEPIPELINE"
    buildspec = "buildspec-deploy.yml"
  }
}
"""


class PackageManagerOfOtherImage(DocumentRule):
    """
    ## What it does
    Reports a package manager command that the build image does not have, when the repository's Terraform
    defines every CodeBuild project that runs this buildspec (its `buildspec` is this file's path, or it has none
    and this is the root `buildspec.yml`) with a literal CodeBuild image: `yum`, `dnf` or `amazon-linux-extras` on
    `aws/codebuild/standard:*` (Ubuntu), `apt-get`/`apt` on `aws/codebuild/amazonlinux*`. Commands that test which
    manager there is or fall back on another (`command -v yum`, `||`, `if [ ... ]`) are not reported.

    ## Why is this bad?
    The standard images are Ubuntu and have no yum; the Amazon Linux images have no apt-get. The command fails
    with "command not found" and the phase with it, on every build.

    ## Example
    ```yaml
    install:
      commands:
        - yum install -y jq
    ```
    (run by a project on `aws/codebuild/standard:7.0`)

    ## Fix
    Use the image's own package manager (`apt-get install -y jq` on the standard images), or run the build on an
    Amazon Linux image.
    """

    code = "CWB144"
    name = "buildspec-package-manager-of-other-image"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(_SPEC, filename="buildspec-deploy.yml", files={".git/HEAD": "x\n", "infra/codebuild.tf": _TF.replace(
            "standard:7.0", "amazonlinux2-x86_64-standard:5.0")}),
        Valid(_SPEC.replace("yum install -y jq", "command -v yum && yum install -y jq || apt-get install -y jq"),
              filename="buildspec-deploy.yml", files={".git/HEAD": "x\n", "infra/codebuild.tf": _TF}),
        # Another project, not defined in the repository, may run it on another image.
        Valid(_SPEC, filename="buildspec.yml", files={".git/HEAD": "x\n", "infra/codebuild.tf": _TF}),
    )  # fmt: skip
    INVALID = (
        Invalid(
            _SPEC,
            5,
            9,
            '"yum" is not on aws/codebuild/standard:7.0 (Ubuntu), the image infra/codebuild.tf runs this buildspec on',
            filename="buildspec-deploy.yml",
            files={".git/HEAD": "x\n", "infra/codebuild.tf": _TF},
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        images = images_of_projects(ctx, value) if path == () else None
        if images is None:
            return
        families = set()
        for image, _ in images:
            family = next(((name, missing) for pattern, name, missing in _FAMILY if pattern.match(image)), None)
            if family is None:
                return  # an image this rule does not know runs it too
            families.add(family)
        if len(families) != 1:
            return
        ((family, missing),) = families
        image, defined = images[0]
        searched: dict[Path, int] = {}
        for at, text, words in command_words(value):
            program = words[0].rsplit("/", 1)[-1]
            if program not in missing or _GUARDED.search(text):
                continue
            ctx.report(
                at,
                f'"{program}" is not on {image} ({family}), the image {defined} runs this '
                'buildspec on: the command fails with "command not found" and the phase with it',
                span=next_word_span(ctx.document, searched, at, text, words[0]),
                notes=("Use the image's package manager, or run the build on an image that has this one.",),
            )
