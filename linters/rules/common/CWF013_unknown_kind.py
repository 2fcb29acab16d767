from codeward.linters.rule import LoaderRule

from codeward.findings import Severity
from codeward.rule import Valid


class UnknownKind(LoaderRule):
    """
    ## What it does
    Says why a file named on the command line (or handed over by a pre-commit hook) was not checked: its
    content is no buildspec, AppSpec or pipeline. codeward tells a file's kind from its content, not its
    name alone: `azure-pipelines.yml`, `bitbucket-pipelines.yml`, a JSON Schema called
    `pipeline.schema.json` or an app's metadata in `appspec.json` are other things, and codeward neither
    reports on them nor rewrites them.

    ## Why is this bad?
    It is not: the finding is information, so that a file that was meant to be checked but was not does not
    go unnoticed. Files found by walking a directory are skipped silently.

    ## Example
    `codeward lint azure-pipelines.yml` reports "skipped: named like a pipeline, but the content is an
    Azure Pipelines file".

    ## Fix
    Nothing, if the file is not an AWS definition. If it is one, check its top-level keys: a buildspec has
    `phases`, an AppSpec `version` with `hooks`, `files` or `Resources`, a pipeline `pipeline.stages` with
    actions (or an `AWS::CodePipeline::Pipeline` resource).
    """

    code = "CWF013"
    name = "not-a-definition"
    severity = Severity.INFO
    whole_file = True
    VALID = (Valid("version: 0.2\nphases:\n  build:\n    commands: [make]\n"),)
    # Needs a file name or content that says nothing: covered in tests/test_loading.py and tests/test_kinds.py.
