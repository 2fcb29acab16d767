from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Valid


class UnknownKind(LoaderRule):
    """
    ## What it does
    Reports a file named on the command line whose kind (buildspec, appspec, pipeline) cannot be told
    from its name or its top-level keys.

    ## Why is this bad?
    codeward would otherwise check nothing and report success.

    ## Example
    `codeward lint ci/build.yml` where the file holds only `env:`.

    ## Fix
    Pass `--kind buildspec|appspec|pipeline`, or name the file after its kind (`buildspec-ci.yml`).
    """

    code = "CWF013"
    name = "unknown-kind"
    severity = Severity.ERROR
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: [make]\n"),)
    # Needs a file name that says nothing: covered in tests/test_loading.py.
