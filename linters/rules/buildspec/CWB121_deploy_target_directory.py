import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands, looks_windows, text_span

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Directories that exist on EC2 instances and never in CodeBuild's build containers: the homes of the login
# users that EC2 AMIs create at launch (cloud-init; none of CodeBuild's images, built from the amazonlinux and
# ubuntu container images, adds them: aws/aws-codebuild-docker-images creates only codebuild-user and
# dockremap; ubuntu:24.04 has `ubuntu`, so /home/ubuntu is not one of them), and the CodeDeploy agent's own
# directory, which exists where the agent is installed.
_TARGET_ONLY = re.compile(r"^(/home/(?:ec2-user|centos|bitnami)|/opt/codedeploy-agent)(?:/|$)")
# `cd DIR` / `pushd DIR` at the start of a simple command (line start, after && || ; or a pipe).
_CD = re.compile(r"(?:^|&&|\|\||;|\|)\s*(?:cd|pushd)\s+(\"[^\"]*\"|'[^']*'|[^\s;&|]+)", re.M)
# Commands that may create a user or its home directory.
_MAKES_USER = re.compile(r"\b(?:useradd|adduser)\b")


class DeployTargetDirectory(DocumentRule):
    """
    ## What it does
    Reports a build command that changes into a directory of the machine CodeDeploy deploys to, which the
    build container does not have: the home of an EC2 login user (`/home/ec2-user`, `/home/centos`,
    `/home/bitnami`) or the CodeDeploy agent's directory (`/opt/codedeploy-agent`), when no earlier command
    creates it (`mkdir`, `git clone` into it, `useradd`), `run-as` does not name that user and the command
    does not tolerate the failure (`cd DIR || true`).

    ## Why is this bad?
    Build commands run in CodeBuild's container, not on the EC2 instance: `cd /home/ec2-user/app` fails with
    "No such file or directory", the command exits non-zero and the build ends FAILED. CodeBuild's images
    are built from the Amazon Linux and Ubuntu container images, which have none of the users that EC2
    creates on an instance at launch, and no CodeDeploy agent. (A custom build image that adds such a user
    is the one exception: then suppress this finding.)

    ## Example
    ```yaml
    phases:
      post_build:
        commands:
          - cd /home/ec2-user/app
          - aws s3 cp --recursive . s3://bucket/
    ```

    ## Fix
    Work on the source where CodeBuild puts it (`$CODEBUILD_SRC_DIR`, the directory commands start in).
    Steps that belong on the instance go into an AppSpec hook script, which the CodeDeploy agent runs there.
    """

    code = "CWB121"
    name = "buildspec-deploy-target-directory"
    severity = Severity.ERROR
    tags = ("correctness",)
    kinds = frozenset({"buildspec"})
    paths = ("",)
    VALID = (
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - mkdir -p /home/ec2-user/app\n"
            "      - cd /home/ec2-user/app && cp -r $CODEBUILD_SRC_DIR/. .\n"
        ),
        Valid("version: 0.2\nenv:\n  run-as: ec2-user\nphases:\n  build:\n    commands:\n      - cd /home/ec2-user\n"),
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands:\n      - cd /home/ec2-user/app || true\n"
            "      - cd /home/ubuntu/app\n"
        ),
        Valid("version: 0.2\nphases:\n  build:\n    commands:\n      - git clone $REPO /home/centos/site\n"
              "      - cd /home/centos/site\n"),
    )  # fmt: skip
    INVALID = (
        Invalid(
            "version: 0.2\nphases:\n  post_build:\n    commands:\n      - echo done\n"
            "      - cd /home/ec2-user/hisaad-html\n      - aws s3 cp --recursive . s3://bucket/\n",
            6,
            9,
            "cd /home/ec2-user/hisaad-html: /home/ec2-user is a directory of the EC2 instance",
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands:\n"
            "      - npm ci && cd /opt/codedeploy-agent/deployment-root && ls\n",
            5,
            19,
            "/opt/codedeploy-agent is a directory of the EC2 instance",
        ),
    )  # fmt: skip

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict) or looks_windows(value):
            return
        env = value.get("env")
        run_as = env.get("run-as") if isinstance(env, dict) else None
        earlier = ""
        for at, text in commands(value):
            for match in _CD.finditer(text):
                target = match.group(1).strip("\"'")
                root = _TARGET_ONLY.match(target)
                before = earlier + text[: match.start()]
                tolerated = text[match.end() :].lstrip(" \t").startswith("||")
                if root is None or tolerated or _created(root.group(1), before, run_as):
                    continue
                where = root.group(1)
                ctx.report(
                    at,
                    f"cd {target}: {where} is a directory of the EC2 instance CodeDeploy deploys to; the build "
                    "container does not have it and no earlier command creates it, so the command fails and the "
                    "build ends FAILED",
                    span=text_span(ctx.document, at, match.group(0).lstrip(";&| \t\n")),
                    notes=(
                        "Build commands start in the source ($CODEBUILD_SRC_DIR); steps for the instance belong in "
                        "an AppSpec hook script.",
                    ),
                )
            earlier += "\n" + text


def _created(root: str, before: str, run_as: Any) -> bool:
    """Whether something before the cd may create the directory: any mention of it other than a cd (mkdir,
    git clone, cp, tar -C), a useradd, or `run-as` naming the user."""
    user = root.rsplit("/", 1)[-1]
    if isinstance(run_as, str) and run_as.strip() == user:
        return True
    if _MAKES_USER.search(before):
        return True
    without_cds = _CD.sub(" ", before)
    return root in without_cds
