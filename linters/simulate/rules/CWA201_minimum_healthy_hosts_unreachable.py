from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

SPEC = "version: 0.0\nos: linux\nhooks:\n  ValidateService:\n    - location: check.sh\n"
FILES = {"check.sh": "#!/bin/sh\nexit 0\n"}


class MinimumHealthyHostsUnreachable(SimRule):
    """
    ## What it does
    Reports an EC2/On-Premises deployment whose configuration requires as many healthy instances as
    the fleet has (or more), with `--config` and `--instances`: a percentage is rounded up, so 95% of
    10 instances is 10.

    ## Why is this bad?
    CodeDeploy must take at least one instance out of service to deploy to it. When the minimum healthy
    hosts is not below the fleet size, the deployment fails at once (HEALTH_CONSTRAINTS_INVALID);
    HalfAtATime on a single instance is the classic case.

    ## Example
    `codeward simulate appspec.yml --config CodeDeployDefault.HalfAtATime --instances 1`

    ## Fix
    Use a configuration with a lower minimum (OneAtATime keeps all but one healthy), or add instances.
    """

    code = "CWA201"
    name = "minimum-healthy-hosts-unreachable"
    severity = Severity.ERROR
    kind = "appspec"
    VALID = (
        SimValid(SPEC, files=FILES, args=("--config", "CodeDeployDefault.HalfAtATime", "--instances", "2")),
        SimValid(SPEC, files=FILES, args=("--config", "CodeDeployDefault.OneAtATime", "--instances", "1")),
    )
    INVALID = (
        SimInvalid(
            SPEC,
            1,
            1,
            "HEALTH_CONSTRAINTS_INVALID",
            files=FILES,
            args=("--config", "CodeDeployDefault.HalfAtATime", "--instances", "1"),
        ),
        SimInvalid(
            SPEC, 1, 1, "needs 10 healthy instances of 10", files=FILES, args=("--config", "95%", "--instances", "10")
        ),
    )
