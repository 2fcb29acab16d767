from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_APPSPEC = """version: 0.0
os: linux
files:
  - source: /
    destination: /var/www/html
hooks:
  ApplicationStart:
    - location: scripts/start.sh
"""


class AppSpecNamedBuildspec(LoaderRule):
    """
    ## What it does
    Reports a file named like a buildspec (`buildspec.yml`, `buildspec-prod.yaml`) whose content is an AppSpec:
    `version: 0.0` with `os`, `files` or `hooks`, no `phases`. The file is checked as the AppSpec its content
    shows; this finding is about its name. It is an error for `buildspec.yml` (or `.yaml`) at the root of the
    checkout, the file CodeBuild reads when the project names no buildspec, and a warning elsewhere, where the
    name may be unused.

    ## Why is this bad?
    CodeBuild reads the file as the build's buildspec and rejects it at once ("YAML_FILE_ERROR: invalid buildspec
    version": a buildspec's version is 0.1 or 0.2), and CodeDeploy looks for `appspec.yml`, not this name: the
    copy serves neither service. It usually comes from pasting the AppSpec over the buildspec.

    ## Example
    `buildspec.yml`:
    ```yaml
    version: 0.0
    os: linux
    files:
      - source: /
        destination: /var/www/html
    ```

    ## Fix
    Put the buildspec back in `buildspec.yml` and keep the AppSpec in `appspec.yml` at the revision's root.
    """

    code = "CWF017"
    name = "appspec-named-buildspec"
    severity = Severity.ERROR
    kinds = frozenset({"appspec"})
    VALID = (Valid(_APPSPEC, filename="appspec.yml", files={".git/HEAD": "x\n", "scripts/start.sh": "#!/bin/sh\n"}),)
    INVALID = (
        Invalid(
            _APPSPEC,
            1,
            1,
            "this file is named as a buildspec but holds an AppSpec",
            filename="buildspec.yml",
            files={".git/HEAD": "x\n", "scripts/start.sh": "#!/bin/sh\n"},
        ),
    )
