from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, api_case

from codeward.findings import Severity
from codeward.rule import Invalid, Valid


def _in_us_east_1(document: str) -> str:
    """The case's pipeline with the console's artifact bucket name, which shows its Region."""
    return document.replace('"artifact-bucket"', '"codepipeline-us-east-1-12345678"')


class SourceActionRegion(PipelineRule):
    """
    ## What it does
    Reports a `region` on a source action, or on a third-party or custom action.

    ## Why is this bad?
    Only AWS-owned actions of the other categories can run in another Region; CodePipeline rejects a
    cross-Region source, third-party or custom action. A `region` equal to the pipeline's own is no
    cross-Region action (`get-pipeline` exports write it on every action), and when the document does not
    show the pipeline's Region (its ARN in `metadata`, the artifact store's key or bucket name, the role's
    name) nothing is reported.

    ## Example
    ```json
    {"name": "Source", "region": "eu-west-1", "actionTypeId": {"category": "Source", ...}}
    ```

    ## Fix
    Remove `region`; to use a repository or bucket of another Region, run the pipeline in that Region or
    replicate the source.
    """

    code = "CWP119"
    name = "pipeline-source-action-region"
    severity = Severity.ERROR
    tags = ("structure",)
    VALID = (
        Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]))),
        # The pipeline's own Region, as get-pipeline writes it.
        Valid(
            _in_us_east_1(api_case(("Source", [{**SOURCE_ACTION, "region": "us-east-1"}]), ("Build", [BUILD_ACTION])))
        ),
        # The pipeline's Region cannot be known.
        Valid(api_case(("Source", [{**SOURCE_ACTION, "region": "eu-west-1"}]), ("Build", [BUILD_ACTION]))),
    )
    INVALID = (
        Invalid(
            _in_us_east_1(api_case(("Source", [{**SOURCE_ACTION, "region": "eu-west-1"}]), ("Build", [BUILD_ACTION]))),
            7,
            229,
            "source actions cannot run in another Region",
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        home = pipeline.home_outside_actions
        for item in pipeline.actions:
            if not item.has("region"):
                continue
            region = item.text("region")
            if home is None or region is None or region == home:
                continue  # the pipeline's own Region (get-pipeline writes it on every action), or unknown
            if item.is_source:
                why = "source actions cannot run in another Region"
            elif item.owner in ("ThirdParty", "Custom"):
                why = f"{item.owner} actions cannot run in another Region"
            else:
                continue
            self.report(ctx, pipeline, item.at("region"), f"{item.key('region')} on {item.describe}: {why}", key=True)
