from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

PIPELINE = (
    '{"pipeline": {"name": "p", "roleArn": "arn:aws:iam::123456789012:role/r", "pipelineType": "V2",\n'
    ' "variables": [{"name": "Env", "defaultValue": "dev"}], "stages": [\n'
    '  {"name": "Source", "actions": [{"name": "Src", "namespace": "SourceVariables", "actionTypeId": '
    '{"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"}, "outputArtifacts": [{"name": "Out"}]}]},\n'
    '  {"name": "Build", "actions": [{"name": "Make", "actionTypeId": {"category": "Build", "owner": "AWS", '
    '"provider": "CodeBuild", "version": "1"}, "inputArtifacts": [{"name": "Out"}],\n'
    '   "configuration": {"ProjectName": "p", "EnvironmentVariables": "#{variables.Env} #{SourceVariables.VersionId}"}}]}]}}\n'
)


class PipelineUndefinedVariable(SimRule):
    """
    ## What it does
    Reports a `#{namespace.variable}` in an action's configuration that cannot be resolved when the
    action runs: no action has that namespace, the action with it does not run before (a later
    stage, or the same or a higher runOrder), or `#{variables.X}` names no pipeline variable.

    ## Why is this bad?
    CodePipeline fails the action (or refuses the pipeline) when a variable cannot be resolved.

    ## Example
    `"ProjectName": "#{BuildVariables.Project}"` in the stage before the action with namespace BuildVariables.

    ## Fix
    Give the producing action the namespace, move the consumer after it, or declare the pipeline variable.
    """

    code = "CWP201"
    name = "pipeline-undefined-variable"
    severity = Severity.ERROR
    kind = "pipeline"
    VALID = (SimValid(PIPELINE),)
    INVALID = (
        SimInvalid(PIPELINE.replace("variables.Env", "variables.Stage"), 5, 66, "declares no variable 'Stage'"),
        SimInvalid(
            PIPELINE.replace("SourceVariables.VersionId", "SrcVars.VersionId"), 5, 66, "no action has the namespace"
        ),
    )
