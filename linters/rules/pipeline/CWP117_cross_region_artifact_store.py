from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, action

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_DEPLOY = action(
    "Deploy", "Deploy", "CodeDeploy", {"ApplicationName": "app", "DeploymentGroupName": "eu"},
    inputs=("Code",), region="eu-west-1",
)  # fmt: skip


def _doc(stores: str) -> str:
    import json

    return (
        '{"pipeline": {\n  "name": "app",\n  "roleArn": "arn:aws:iam::123456789012:role/cp",\n'
        f"  {stores},\n"
        '  "stages": [\n'
        f'    {{"name": "Source", "actions": [{json.dumps(SOURCE_ACTION)}]}},\n'
        f'    {{"name": "Build", "actions": [{json.dumps(BUILD_ACTION)}]}},\n'
        f'    {{"name": "Deploy", "actions": [\n      {json.dumps(_DEPLOY)}\n    ]}}\n'
        "  ]\n}}\n"
    )


class CrossRegionArtifactStore(PipelineRule):
    """
    ## What it does
    Reports an action with a `region` for which the pipeline has no artifact store: the pipeline uses a
    single `artifactStore`, or `artifactStores` has no entry for that Region.

    ## Why is this bad?
    A cross-Region action reads and writes its artifacts in a bucket of its own Region. CodePipeline
    requires `artifactStores` with one bucket per Region used (including the pipeline's own Region), and
    rejects the pipeline otherwise. A `region` equal to the pipeline's own is no cross-Region action
    (`get-pipeline` writes one on every action): the rule first infers the pipeline's Region (from
    `metadata.pipelineArn`, the artifact store's KMS key or bucket name, the role's name, a source action's
    Region, or the Region every action agrees on) and stays silent when it cannot be known.

    ## Example
    ```json
    {"artifactStore": {"type": "S3", "location": "artifacts-us-east-1"},
     ... {"name": "DeployEU", "region": "eu-west-1", ...}}
    ```

    ## Fix
    Replace `artifactStore` with `artifactStores`, a map from Region to artifact store (a list of
    `{Region, ArtifactStore}` in CloudFormation), with an entry for every Region.
    """

    code = "CWP117"
    name = "pipeline-cross-region-artifact-store"
    severity = Severity.ERROR
    tags = ("structure",)
    VALID = (
        Valid(_doc('"artifactStores": {"us-east-1": {"type": "S3", "location": "art-use1"}, '
                   '"eu-west-1": {"type": "S3", "location": "art-euw1"}}')),
        # The action's Region is the pipeline's own (the console's bucket name says eu-west-1).
        Valid(_doc('"artifactStore": {"type": "S3", "location": "codepipeline-eu-west-1-123456789012"}')),
        # The pipeline's Region cannot be known: no finding.
        Valid(_doc('"artifactStore": {"type": "S3", "location": "art-bucket"}')),
    )  # fmt: skip
    INVALID = (
        Invalid(_doc('"artifactStore": {"type": "S3", "location": "codepipeline-us-east-1-123456789012"}'), 9, 134,
                "single artifactStore"),
        Invalid(
            _doc('"artifactStores": {"us-east-1": {"type": "S3", "location": "art-use1"}, '
                 '"eu-west-2": {"type": "S3", "location": "art-euw2"}}'),
            9,
            134,
            'no artifact store for Region "eu-west-1"',
        ),
    )  # fmt: skip

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        stores = pipeline.region_stores()
        if stores is None:
            return
        home = pipeline.home_region()
        for item in pipeline.actions:
            region = item.text("region")
            if not region or item.is_source:
                continue  # source actions cannot be cross-Region at all: CWP119
            path = item.at("region")
            if not pipeline.has("artifactStores"):
                # With a single store, `region` is fine when it is the pipeline's own (get-pipeline writes it on
                # every action); when the pipeline's Region cannot be known, so is the answer: no finding.
                if pipeline.has("artifactStore") and home is not None and region != home:
                    self.report(
                        ctx,
                        pipeline,
                        path,
                        f'{item.describe} runs in Region "{region}", not in the pipeline\'s own {home}, but the '
                        f"pipeline has a single {pipeline.key('artifactStore')}; cross-Region actions need "
                        f"{pipeline.key('artifactStores')} with a bucket for each Region",
                    )
            elif region not in stores:
                self.report(
                    ctx,
                    pipeline,
                    path,
                    f'{item.describe} runs in Region "{region}", but {pipeline.key("artifactStores")} has no '
                    f'artifact store for Region "{region}"',
                    notes=(f"Regions with a store: {', '.join(sorted(stores))}.",),
                )
