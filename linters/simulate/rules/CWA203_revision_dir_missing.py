from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n"


class RevisionDirMissing(SimRule):
    """
    ## What it does
    Reports an EC2/On-Premises simulation whose revision directory (`--revision-dir`, default the
    AppSpec's directory) does not exist.

    ## Why is this bad?
    The revision is the bundle CodeDeploy unpacks on each instance: hook scripts and `files` sources
    are resolved against its root. Without it nothing can be checked or run.

    ## Example
    `codeward simulate appspec.yml --revision-dir build/bundle` before the bundle was built.

    ## Fix
    Point `--revision-dir` at the unpacked bundle (the directory that holds appspec.yml).
    """

    code = "CWA203"
    name = "revision-dir-missing"
    severity = Severity.ERROR
    kind = "appspec"
    VALID = (SimValid(SPEC, files={"start.sh": "#!/bin/sh\n"}, args=("--revision-dir", ".")),)
    INVALID = (SimInvalid(SPEC, 1, 1, "does not exist", args=("--revision-dir", "no-such-bundle")),)
