from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, action, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_COMMANDS = action("Test", "Compute", "Commands", inputs=("Code",), commands=["make test"])


class V2OnlyFeature(PipelineRule):
    """
    ## What it does
    Reports a feature that only V2 pipelines have, used in a V1 pipeline (`pipelineType` `V1`, or not set,
    which means V1): the `QUEUED` and `PARALLEL` execution modes, `triggers`, pipeline `variables`, the
    `Commands`, `ECRBuildAndPublish`, `EKS` and Lambda deploy actions, and stage conditions (`beforeEntry`, `onSuccess`,
    `onFailure`).

    ## Why is this bad?
    CodePipeline rejects these settings in a V1 pipeline.

    ## Example
    ```json
    {"name": "app", "executionMode": "QUEUED", "stages": [...]}
    ```

    ## Fix
    Set `pipelineType` to `V2` (note that V2 pipelines are billed per action execution minute), or remove
    the feature.
    """

    code = "CWP115"
    name = "pipeline-v2-only-feature"
    severity = Severity.ERROR
    tags = ("structure",)
    VALID = (
        Valid(api_case(("Source", [SOURCE_ACTION]), ("Test", [_COMMANDS]),
                       top='"pipelineType": "V2",\n"executionMode": "QUEUED",')),
    )  # fmt: skip
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]), top='"executionMode": "QUEUED",'),
            5,
            20,
            'executionMode "QUEUED" needs a V2 pipeline, but pipelineType is not set (V1)',
        ),
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Test", [_COMMANDS]), top='"pipelineType": "V1",'),
            11,
            92,
            "the Compute/Commands action needs a V2 pipeline",
        ),
        Invalid(
            api_case(
                ("Source", [SOURCE_ACTION]),
                (
                    "Deploy",
                    [
                        action(
                            "Deploy",
                            "Deploy",
                            "EKS",
                            {"ClusterName": "apps", "ManifestFiles": "k8s.yaml"},
                            inputs=("Code",),
                        )
                    ],
                ),
            ),
            10,
            93,
            "the Deploy/EKS action needs a V2 pipeline, but pipelineType is not set (V1)",
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        if pipeline.pipeline_type != "V1":
            return
        key = pipeline.key("pipelineType")
        state = f"{key} is V1" if pipeline.has("pipelineType") else f"{key} is not set (V1)"
        note = (f"Set {key} to V2 to use it.",)

        def flag(path: tuple, what: str, *, key_: bool = False) -> None:
            self.report(ctx, pipeline, path, f"{what} needs a V2 pipeline, but {state}", key=key_, notes=note)

        mode = pipeline.raw("executionMode")
        if mode in ("QUEUED", "PARALLEL"):
            flag(pipeline.at("executionMode"), f'{pipeline.key("executionMode")} "{mode}"')
        for name in ("triggers", "variables"):
            if pipeline.has(name):
                flag(pipeline.at(name), pipeline.key(name), key_=True)
        for stage in pipeline.stages:
            for name in ("beforeEntry", "onSuccess", "onFailure"):
                if stage.has(name):
                    flag(stage.at(name), f'stage condition {stage.key(name)} of stage "{stage.name}"', key_=True)
            for item in stage.actions:
                # The EKS action reference: "only available for V2 type pipelines".
                v2_only = item.provider in ("Commands", "ECRBuildAndPublish", "EKS") or (
                    item.provider == "Lambda" and item.category == "Deploy"
                )
                if item.owner == "AWS" and v2_only:
                    flag(item.at("actionTypeId", item.key("provider")), f"the {item.category}/{item.provider} action")
