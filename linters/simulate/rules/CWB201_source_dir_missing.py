from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity


class SourceDirMissing(SimRule):
    """
    ## What it does
    Reports a build simulated against a source directory that does not exist (`--source-dir`).

    ## Why is this bad?
    The source directory is what CodeBuild checks out into `CODEBUILD_SRC_DIR`: commands run there and
    artifacts, reports and cache paths are resolved against it. Without it there is nothing to show.

    ## Example
    `codeward simulate ci/buildspec.yml --source-dir ./does-not-exist`

    ## Fix
    Point `--source-dir` at the checkout the buildspec builds (default: the buildspec's directory).
    """

    code = "CWB201"
    name = "source-dir-missing"
    severity = Severity.ERROR
    kind = "buildspec"
    VALID = (SimValid("version: 0.2\nphases:\n  build:\n    commands: [make]\n", args=("--source-dir", ".")),)
    INVALID = (
        SimInvalid(
            "version: 0.2\nphases:\n  build:\n    commands: [make]\n",
            1,
            1,
            "does not exist",
            args=("--source-dir", "missing-dir"),
        ),
    )
