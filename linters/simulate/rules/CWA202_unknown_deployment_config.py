from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

EC2 = "version: 0.0\nos: linux\n"
LAMBDA = (
    "version: 0.0\nresources:\n  - fn:\n      type: AWS::Lambda::Function\n      properties:\n        name: f\n"
    "        alias: live\n        currentversion: '1'\n        targetversion: '2'\n"
)


class UnknownDeploymentConfig(SimRule):
    """
    ## What it does
    Reports a `--config` that is not a deployment configuration for the AppSpec's platform: a
    misspelled `CodeDeployDefault.*` name, a Lambda configuration for an EC2 deployment, or a custom
    value codeward cannot read (`75%`, `3`, `canary:10:5`, `linear:10:1` and `all-at-once` are read).

    ## Why is this bad?
    CodeDeploy refuses a deployment group whose configuration does not exist or does not match its
    compute platform; simulating with a guessed configuration would show the wrong schedule.

    ## Example
    `codeward simulate appspec.yml --config CodeDeployDefault.HalfAtOnce`

    ## Fix
    Use a predefined name (CodeDeployDefault.AllAtOnce, HalfAtATime, OneAtATime; the Lambda and ECS
    canary, linear and all-at-once names) or a custom value.
    """

    code = "CWA202"
    name = "unknown-deployment-config"
    severity = Severity.ERROR
    kind = "appspec"
    VALID = (
        SimValid(EC2, args=("--config", "CodeDeployDefault.AllAtOnce")),
        SimValid(LAMBDA, args=("--config", "CodeDeployDefault.LambdaLinear10PercentEvery1Minute")),
    )
    INVALID = (
        SimInvalid(EC2, 1, 1, "did you mean", args=("--config", "CodeDeployDefault.HalfAtOnce")),
        SimInvalid(LAMBDA, 1, 1, "not a Lambda configuration", args=("--config", "CodeDeployDefault.OneAtATime")),
    )
