import os
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context, DocumentRule
from codeward.linters.rules.appspec._appspec import revision, revision_path, scripts

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


def _base(location: str) -> str:
    return location.strip().replace("\\", "/").rsplit("/", 1)[-1]


_ECHO = (
    "version: 0.2\nphases:\n  build:\n    commands:\n      - echo Build started\nartifacts:\n  files:\n    - '**/*'\n"
)


class AppSpecMissingHookScript(DocumentRule):
    """
    ## What it does
    Reports a hook script (`location`) that is not in the revision: the path, relative to the directory
    of the AppSpec file (the root of the bundle), names no file. When a buildspec of the repository packs
    the AppSpec into its artifact, the revision is that artifact (linters/revision.py): `discard-paths: yes`
    flattens `scripts/start.sh` to `start.sh`, a `base-directory` moves everything up, and the script is
    looked up where the build puts it.

    Nothing is reported when the evidence is weak: a script the artifact's patterns could match but the checkout
    lacks may be build output, and so may a file a build command of the repository writes under that name
    (`envsubst < start.sh.template > deploy/start.sh`, `cp`, `mv`): the build renders it, the checkout cannot
    show it. A script the artifact ships at another path (`after_install.sh` at the root, `scripts/after_install.sh`
    in the AppSpec) with no build step moving it is reported: the location names the wrong folder.

    ## Why is this bad?
    The agent looks the script up in the unpacked revision when the event starts and fails the
    deployment with ScriptMissing. A typo or a script left out of the bundle is found only on the
    instances, after the build and the upload.

    ## Example
    ```yaml
    version: 0.0
    os: linux
    hooks:
      ApplicationStart:
        - location: scripts/start_server.sh   # the file is scripts/start-server.sh
    ```

    ## Fix
    Correct the path (relative to the AppSpec file as the revision holds it, without arguments) or add the
    script to the revision (the buildspec's `artifacts.files`).
    """

    code = "CWA104"
    name = "appspec-missing-hook-script"
    severity = Severity.ERROR
    tags = ("correctness", "files")
    kinds = frozenset({"appspec"})
    paths = ("",)

    def check(self, ctx: Context, path: Path, value: Any) -> None:
        from codeward.linters.revision import MISSING

        bundle = revision(ctx)
        for script in scripts(ctx):
            location = script.script.get("location")
            if not isinstance(location, str) or not location.strip():
                continue
            where = (*script.path, "location")
            target = revision_path(ctx, location)
            if target is None:
                ctx.report(where, f'hook script "{location}" points outside the revision')
                continue
            if not bundle.artifacts and os.path.isdir(target):
                ctx.report(where, f'hook script "{location}" is a directory, not a script')
                continue
            if bundle.lookup(location) != MISSING:
                continue
            notes: tuple[str, ...] = ()
            first = location.split()[0]
            if first != location.strip() and bundle.lookup(first) != MISSING:
                notes = (f'"{first}" exists: a location cannot carry arguments; read them in the script instead.',)
            if bundle.artifacts:
                shipped = sorted({n for a in bundle.artifacts for n in a.names if n.endswith(_base(location))})
                notes += (
                    f"The revision is {bundle.describe()}"
                    + (f"; it holds {', '.join(shipped[:3])}." if shipped else "; it holds no file of that name."),
                )
            ctx.report(
                where,
                f'hook script "{location}" of {script.event} is not in the revision (paths are relative to the '
                "AppSpec file); the deployment would fail with ScriptMissing",
                notes=notes,
            )

    VALID = (
        # A build step that may write files could make the script (the artifact's pattern matches it).
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start_server.sh\n",
            files={
                ".git/HEAD": "ref: refs/heads/main\n",
                "buildspec.yml": _ECHO.replace("echo Build started", "make scripts"),
            },
        ),
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n",
            files={"scripts/start.sh": "#!/bin/bash\nsystemctl start app\n"},
        ),
        Valid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: /scripts/start.sh\n",
            files={"scripts/start.sh": "#!/bin/bash\nsystemctl start app\n"},
        ),
    )
    INVALID = (
        # The buildspec packing the revision only echoes: nothing but the checkout's files can be in it.
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start_server.sh\n",
            5,
            17,
            '"scripts/start_server.sh" of ApplicationStart is not in the revision',
            files={".git/HEAD": "ref: refs/heads/main\n", "scripts/start.sh": "#!/bin/bash\n", "buildspec.yml": _ECHO},
        ),
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start_server.sh\n",
            5,
            17,
            '"scripts/start_server.sh" of ApplicationStart is not in the revision',
            files={"scripts/start-server.sh": "#!/bin/bash\nsystemctl start app\n"},
        ),
        Invalid(
            "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: ../deploy/start.sh\n",
            5,
            17,
            "outside the revision",
        ),
    )
