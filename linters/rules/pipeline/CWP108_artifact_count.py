from codeward.linters.pipeline_form import Pipeline
from codeward.linters.rule import Context
from codeward.linters.rules.pipeline import BUILD_ACTION, SOURCE_ACTION, PipelineRule, action, api_case
from codeward.linters.rules.pipeline.providers import ARTIFACT_LIMITS, identity
from codeward.linters.suggest import did_you_mean

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_APPROVE = action("Approve", "Approval", "Manual")


def _bounds(low: int, high: int) -> str:
    if high == 0:
        return "no"
    return str(low) if low == high else f"{low} to {high}"


def _artifacts(count: int, word: str) -> str:
    return f"{count} {word} artifact" + ("" if count == 1 else "s")


class ArtifactCount(PipelineRule):
    """
    ## What it does
    Reports an action with more or fewer input or output artifacts than its provider accepts: a source
    action with an input, a CodeDeploy action with two inputs, a CodeBuild action with no input, a manual
    approval with artifacts.

    ## Why is this bad?
    Each action type declares how many artifacts it reads and writes; CodePipeline rejects a pipeline whose
    action does not fit (for example CodeBuild reads 1 to 5 and writes 0 to 5; a deploy action to S3,
    CodeDeploy, ECS or Elastic Beanstalk reads exactly 1 and writes none).

    ## Example
    ```json
    {"name": "Approve", "actionTypeId": {"category": "Approval", "provider": "Manual", ...},
     "inputArtifacts": [{"name": "App"}]}
    ```

    ## Fix
    Remove the extra artifacts or add the missing one. To pass several artifacts to a single-input deploy
    action, combine them in a build step first.
    """

    code = "CWP108"
    name = "pipeline-artifact-count"
    severity = Severity.ERROR
    tags = ("artifacts",)
    VALID = (Valid(api_case(("Source", [SOURCE_ACTION]), ("Build", [BUILD_ACTION]), ("Approve", [_APPROVE]))),)
    INVALID = (
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Approve", [{**_APPROVE, "inputArtifacts": [{"name": "Code"}]}])),
            10,
            123,
            "Approval/Manual action takes no input artifacts, has 1",
        ),
        Invalid(
            api_case(("Source", [SOURCE_ACTION]), ("Build", [{**BUILD_ACTION, "inputArtifacts": []}])),
            10,
            162,
            "needs 1 to 5 input artifacts, has 0",
        ),
    )

    def check_pipeline(self, ctx: Context, pipeline: Pipeline) -> None:
        for item in pipeline.actions:
            ident = identity(item.owner, item.category, item.provider)
            limits = ARTIFACT_LIMITS.get(ident) if ident else None
            if limits is None:
                continue
            kind = f"{item.category}/{item.provider}"
            for name, low, high, word in (
                ("inputArtifacts", limits[0], limits[1], "input"),
                ("outputArtifacts", limits[2], limits[3], "output"),
            ):
                count = item.artifact_count(name)
                if count is None or low <= count <= high:
                    continue
                if not item.has(name) and did_you_mean(item.key(name), [k for k in item.data if isinstance(k, str)]):
                    continue  # the list is there under a misspelled key: CWP001 reports that
                if high == 0:
                    message = f"{kind} action takes no {word} artifacts, has {count}"
                elif low == high:
                    message = f"{kind} action needs exactly {_artifacts(low, word)}, has {count}"
                elif count < low:
                    message = f"{kind} action needs {low} to {_artifacts(high, word)}, has {count}"
                else:
                    message = f"{kind} action takes at most {_artifacts(high, word)}, has {count}"
                path = item.at(name) if item.has(name) else item.at("name")
                self.report(
                    ctx,
                    pipeline,
                    path,
                    f"{item.describe}: {message}",
                    key=item.has(name),
                    notes=(f"{kind} accepts {_bounds(limits[0], limits[1])} input and "
                           f"{_bounds(limits[2], limits[3])} output artifacts.",),
                )  # fmt: skip
