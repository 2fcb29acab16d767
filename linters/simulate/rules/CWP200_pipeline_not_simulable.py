from codeward.linters.simulate.rule import SimInvalid, SimRule, SimValid

from codeward.findings import Severity

PIPELINE = (
    '{"pipeline": {"name": "p", "roleArn": "arn:aws:iam::123456789012:role/r", "stages": [\n'
    '  {"name": "Source", "actions": [{"name": "Src", "actionTypeId": {"category": "Source", "owner": "AWS", '
    '"provider": "S3", "version": "1"}, "outputArtifacts": [{"name": "Out"}]}]},\n'
    '  {"name": "Deploy", "actions": [{"name": "Ship", "actionTypeId": {"category": "Deploy", "owner": "AWS", '
    '"provider": "S3", "version": "1"}, "inputArtifacts": [{"name": "Out"}]}]}]}}\n'
)


class PipelineNotSimulable(SimRule):
    """
    ## What it does
    Reports a pipeline file in which no pipeline with stages can be found (an empty `stages` list, a
    CloudFormation template without an `AWS::CodePipeline::Pipeline` whose stages are literal).

    ## Why is this bad?
    Without stages there is no execution to show; CodePipeline rejects a pipeline with fewer than two.

    ## Example
    ```json
    {"pipeline": {"name": "p", "stages": []}}
    ```

    ## Fix
    Declare the stages (a Source stage first, then at least one other).
    """

    code = "CWP200"
    name = "pipeline-not-simulable"
    severity = Severity.ERROR
    kind = "pipeline"
    VALID = (SimValid(PIPELINE),)
    INVALID = (SimInvalid('{"pipeline": {"name": "p", "stages": []}}\n', 1, 1, "no pipeline with stages"),)
