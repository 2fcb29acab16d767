from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - npm ci
artifacts:
  files:
    - '**/*'
"""


class BuildspecNamedAppSpec(LoaderRule):
    """
    ## What it does
    Reports a file named like an AppSpec (`appspec.yml`, `appspec-prod.yaml`) whose content is a buildspec: it has
    `phases`. The file is checked as the buildspec its content shows; this finding is about its name. It is an
    error for `appspec.yml` (or `.yaml`) at the root of the checkout, the name CodeDeploy reads at the root of the
    revision, and a warning elsewhere, where the name may be unused.

    ## Why is this bad?
    CodeDeploy reads `appspec.yml` at the revision's root as the deployment's AppSpec: the agent accepts only
    `version: 0.0` and needs `os`, so a buildspec there fails the deployment at once, and a buildspec with
    `version: 0.0` pasted over it runs none of its `phases` (the agent reads `files`, `permissions` and `hooks`
    and ignores the rest). CodeBuild, for its part, looks for `buildspec.yml` unless the project names this file.
    It usually comes from renaming the buildspec instead of writing an AppSpec beside it.

    ## Example
    `appspec.yml`:
    ```yaml
    version: 0.2
    phases:
      build:
        commands:
          - npm ci
    ```

    ## Fix
    Keep the buildspec in `buildspec.yml` and write the AppSpec in `appspec.yml` (`version: 0.0`, `os`, `files`,
    `hooks`).
    """

    code = "CWF019"
    name = "buildspec-named-appspec"
    severity = Severity.ERROR
    kinds = frozenset({"buildspec"})
    VALID = (Valid(_BUILDSPEC, filename="buildspec.yml", files={".git/HEAD": "x\n"}),)
    INVALID = (
        Invalid(
            _BUILDSPEC,
            1,
            1,
            "this file is named as an AppSpec but holds a buildspec",
            filename="appspec.yml",
            files={".git/HEAD": "x\n"},
        ),
        Invalid(
            _BUILDSPEC,
            1,
            1,
            "this file is named as an AppSpec but holds a buildspec",
            filename="deploy/appspec-prod.yml",
            files={".git/HEAD": "x\n"},
        ),
    )
