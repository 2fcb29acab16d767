import os
import re
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.buildspec._shared import commands

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_APPSPECS = ("appspec.yml", "appspec.yaml", "appspec.json")
_GLOB = re.compile(r"[*?\[{]")

_EC2 = "version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: after_install.sh\n"
_ECS = "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
_SPEC = """version: 0.2
phases:
  post_build:
    commands:
      - mkdir -p deploy
      - cp -r dist/* deploy/
      - cp appspec.yml deploy/
artifacts:
  files:
    - deploy/**/*
"""


def _clean(pattern: str) -> str:
    text = pattern.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text


def _folder(pattern: str) -> str:
    """The first folder of a pattern's literal part ("deploy" for deploy/**/* and deploy/appspec.yml), "" when the
    pattern can match files at the root."""
    head = _GLOB.split(_clean(pattern), 1)[0]
    return head.split("/", 1)[0] if "/" in head else ""


class AppSpecBelowArtifactRoot(DocumentRule):
    """
    ## What it does
    Reports an artifact whose files all sit under one folder that holds an EC2/On-Premises AppSpec
    (`deploy/**/*` after the build copied `appspec.yml` into `deploy/`, or `deploy/appspec.yml` listed as such),
    without `base-directory` or `discard-paths: yes`: the artifact keeps the folder, so the AppSpec is at
    `deploy/appspec.yml`, not at the artifact's root. ECS and Lambda AppSpecs are not reported: the ECS
    blue/green action reads its AppSpec template at any path of its artifact (`AppSpecTemplatePath`).

    ## Why is this bad?
    CodeBuild keeps each file's path in the artifact unless `base-directory` or `discard-paths` says otherwise.
    CodeDeploy reads `appspec.yml` at the root of the revision only, so a CodeDeploy action given this artifact
    fails every deployment ("The CodeDeploy agent did not find an AppSpec file within the unpacked revision").
    (If a later build unpacks the folder itself, say `aws deploy push --source deploy`, suppress this finding.)

    ## Example
    ```yaml
    post_build:
      commands:
        - cp appspec.yml deploy/
    artifacts:
      files:
        - deploy/**/*
    ```

    ## Fix
    Make the folder the artifact's root: `base-directory: deploy` with `files: ['**/*']`.
    """

    code = "CWB122"
    name = "buildspec-appspec-below-artifact-root"
    severity = Severity.ERROR
    tags = ("correctness", "artifacts")
    kinds = frozenset({"buildspec"})
    paths = ("artifacts", "artifacts/secondary-artifacts/*")
    VALID = (
        Valid(_SPEC + "  base-directory: deploy\n", files={"appspec.yml": _EC2}),
        Valid(_SPEC + "  discard-paths: yes\n", files={"appspec.yml": _EC2}),
        Valid(
            _SPEC.replace("    - deploy/**/*\n", "    - deploy/**/*\n    - appspec.yml\n"), files={"appspec.yml": _EC2}
        ),
        Valid(_SPEC.replace("      - cp appspec.yml deploy/\n", ""), files={"appspec.yml": _EC2}),
        # The ECS blue/green action reads its AppSpec template at any path of the artifact (AppSpecTemplatePath).
        Valid(_SPEC, files={"appspec.yml": _ECS}),
        # An AppSpec at the root is listed too, or a pattern can match one there.
        Valid(
            "version: 0.2\nphases:\n  build:\n    commands: [mvn package]\nartifacts:\n  files:\n"
            "    - target/app.jar\n    - scripts/appspec.yml\n    - '*'\n",
            files={"scripts/appspec.yml": _EC2},
        ),
    )
    INVALID = (
        # Files of several folders, the AppSpec listed in one of them and none at the root.
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [mvn package]\nartifacts:\n  files:\n"
            "    - target/app.jar\n    - scripts/appspec.yml\n    - scripts/after_install.sh\n",
            8,
            7,
            "the artifact holds the AppSpec at scripts/appspec.yml, and no entry puts one at its root",
            files={"scripts/appspec.yml": _EC2, "scripts/after_install.sh": "#!/bin/sh\n"},
        ),
        Invalid(
            _SPEC,
            10,
            7,
            "every file of this artifact is under deploy/, with the AppSpec at deploy/appspec.yml",
            files={"appspec.yml": _EC2},
        ),
        Invalid(
            "version: 0.2\nphases:\n  build:\n    commands: [docker build .]\nartifacts:\n  files:\n"
            "    - 'deploy/after_install.sh'\n    - 'deploy/appspec.yml'\n",
            7,
            7,
            "base-directory: deploy",
            files={"deploy/appspec.yml": _EC2, "deploy/after_install.sh": "#!/bin/sh\n"},
        ),
    )

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        if not isinstance(value, dict) or "base-directory" in value or "files" not in value:
            return
        if value.get("discard-paths") is True or str(value.get("discard-paths")).strip().lower() in ("yes", "true"):
            return
        files = value.get("files")
        patterns = (
            [files]
            if isinstance(files, str)
            else [p for p in files if isinstance(p, str)]
            if isinstance(files, list)
            else []
        )
        if not patterns or len(patterns) != (len(files) if isinstance(files, list) else 1):
            return
        if any("$" in p for p in patterns):
            return
        folders = {_folder(p) for p in patterns}
        if len(folders) != 1 or "" in folders:
            self._listed_below(ctx, path, files, patterns)
            return
        folder = folders.pop()
        appspec = self._appspec_in(ctx, folder, patterns)
        if appspec is None:
            return
        at = (*path, "files", 0) if isinstance(files, list) else (*path, "files")
        ctx.report(
            at,
            f"every file of this artifact is under {folder}/, with the AppSpec at {folder}/{appspec}: CodeBuild keeps "
            f"the folder in the artifact, and CodeDeploy reads the AppSpec at the revision's root only, so a "
            f"deployment of this artifact fails; add base-directory: {folder}",
            notes=(f"With `base-directory: {folder}` the artifact holds the folder's content at its root.",),
        )

    @staticmethod
    def _listed_below(ctx: Context, path: Path, files: Any, patterns: list[str]) -> None:
        """An artifact whose files are in several folders, listing an EC2/On-Premises AppSpec by its path below the
        root (`scripts/appspec.yml`) while no entry can put one at the root (no root `appspec.yml`, no pattern that
        matches root files) and no command touches an AppSpec: the revision has its AppSpec, not at its root."""
        from codeward.linters.revision import project_root

        if any(_folder(p) == "" and (_GLOB.search(p) or _clean(p).lower() in _APPSPECS) for p in patterns):
            return
        if any("appspec" in text.lower() for _, text in commands(ctx.document.data)):
            return
        top = project_root(ctx.base_dir) or ctx.base_dir
        for index, pattern in enumerate(patterns):
            text = _clean(pattern)
            if _GLOB.search(text) or "/" not in text or text.rsplit("/", 1)[-1].lower() not in _APPSPECS:
                continue
            full = os.path.join(top, *text.split("/"))
            if not (os.path.isfile(full) and _is_ec2_appspec(full)):
                continue
            at = (*path, "files", index) if isinstance(files, list) else (*path, "files")
            ctx.report(
                at,
                f"the artifact holds the AppSpec at {text}, and no entry puts one at its root: CodeBuild keeps each "
                "file's path, and CodeDeploy reads the AppSpec at the revision's root only, so a deployment of this "
                "artifact fails",
                notes=("Keep the AppSpec at the repository's root and list `appspec.yml`, or copy it there first.",),
            )
            return

    @staticmethod
    def _appspec_in(ctx: Context, folder: str, patterns: list[str]) -> str | None:
        """The name of the EC2/On-Premises AppSpec the folder holds: a pattern naming it, a build command copying
        it there, or (for a pattern that can match it) the file in the checkout. Its content must show `os`:
        the ECS blue/green action takes its AppSpec template at any path of its artifact
        (AppSpecTemplatePath), so an ECS or Lambda AppSpec below the root is no defect."""
        from codeward.linters.revision import project_root

        top = project_root(ctx.base_dir) or ctx.base_dir
        roots = tuple(dict.fromkeys((top, ctx.base_dir)))
        candidates: list[str] = []
        for pattern in patterns:
            text = _clean(pattern)
            if text.lower() in (f"{folder}/{name}".lower() for name in _APPSPECS):
                candidates.append(text)
        copy = re.compile(
            rf"\b(?:cp|mv|install)\b[^;&|\n]*?\b((?:\S+/)?appspec\.(?:ya?ml|json))\s+(?:\./)?{re.escape(folder)}"
            r"(?:/|/appspec\.(?:ya?ml|json))?(?:\s|$)"
        )
        for _, text in commands(ctx.document.data):
            match = copy.search(text)
            if match:
                candidates.append(_clean(match.group(1)))
        if any(_GLOB.search(p) for p in patterns):
            candidates += [f"{folder}/{name}" for name in _APPSPECS]
        for candidate in candidates:
            for root in roots:
                full = os.path.join(root, *candidate.split("/"))
                if os.path.isfile(full) and _is_ec2_appspec(full):
                    return candidate.rsplit("/", 1)[-1]
        return None


def _is_ec2_appspec(path: str) -> bool:
    from codeward.linters.revision import _load

    data = _load(path)
    return isinstance(data, dict) and "os" in data and not ({"Resources", "resources"} & set(data))
