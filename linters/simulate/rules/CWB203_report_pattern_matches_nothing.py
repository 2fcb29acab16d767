from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = (
    "version: 0.2\nphases:\n  build:\n    commands: [make test]\nreports:\n  unit:\n    files:\n"
    "      - '**/TEST-*.xml'\n    base-directory: build/test-results\n"
)


class ReportPatternMatchesNothing(SimRule):
    """
    ## What it does
    Reports a report group whose `files` patterns (or `base-directory`) select no file: in the source
    directory as it is now for a dry run (info), or after the build with `--execute` (warning).

    ## Why is this bad?
    A report group that finds no files produces no test or coverage report, so failing tests stay
    invisible in the CodeBuild console.

    ## Example
    ```yaml
    reports:
      unit:
        files: ['**/TEST-*.xml']
        base-directory: build/test-reslts
    ```

    ## Fix
    Point `files` and `base-directory` at where the test runner writes its reports.
    """

    code = "CWB203"
    name = "report-pattern-matches-nothing"
    severity = Severity.INFO
    kind = "buildspec"
    VALID = (SimValid(SPEC, files={"build/test-results/TEST-a.xml": "<testsuite/>"}),)
    INVALID = (
        SimInvalid(SPEC, 8, 9, "matches no file", files={"build/test-results/other.txt": "x"}),
        SimInvalid(SPEC, 9, 21, "base-directory"),
    )
