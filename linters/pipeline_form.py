"""Pipeline files in both forms: the CodePipeline API JSON (camelCase) and CloudFormation templates (PascalCase).

`pipeline_views` gives the engine one view per pipeline: the whole document for the API form; for a template,
the template itself (its sections) and then each `AWS::CodePipeline::Pipeline` resource (labelled by its
logical id). The schema validates a
view as written, so messages and fixes use the user's own key names.

The semantic rules do not walk the raw views: `pipeline_model` builds, once per view, a small form-independent
model (stages, actions, artifacts, namespaces) that keeps the document path of every field. Rules reason on
the model and report at those paths, so one rule serves both forms. CloudFormation intrinsic functions
(`!Ref`, `!Sub`, `!If`...) stand for values known only at deploy time: the model hands them out as `None`
(unknown) and rules skip what they cannot know. A conditional list item (`!If [Cond, A, B]` in `Stages` or
`Actions`) contributes both branches, marked conditional, so that duplicate checks stay quiet about them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from codeward.linters.document import Path
from codeward.linters.schema import cloudformation_scalar

View = tuple[str, Path, Any]
CFN_TYPE = "AWS::CodePipeline::Pipeline"
SOURCE = "Source"


def is_template(data: Any) -> bool:
    return isinstance(data, dict) and ("Resources" in data or "AWSTemplateFormatVersion" in data)


def pipeline_views(data: Any) -> list[View]:
    """The template itself (its sections), then each pipeline resource; or the whole API document."""
    views: list[View] = [("", (), data)]
    if is_template(data) and isinstance(data.get("Resources"), dict):
        for logical_id, resource in data["Resources"].items():
            if isinstance(resource, dict) and resource.get("Type") == CFN_TYPE:
                views.append((f"Pipeline {logical_id}", ("Resources", logical_id), resource))
    return views


def is_intrinsic(value: Any) -> bool:
    """A CloudFormation function call such as {"Ref": "X"} or {"Fn::Sub": "..."}."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key in ("Ref", "Condition") or key.startswith("Fn::"))


def text(value: Any) -> str | None:
    """The value as a literal string, or None when it is not one (missing, intrinsic, another type)."""
    return value if isinstance(value, str) else None


def texts_in(value: Any, path: Path) -> Iterator[tuple[str, Path]]:
    """Every literal string in a value, including the templates of Fn::Sub and the parts of Fn::Join."""
    if isinstance(value, str):
        yield value, path
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from texts_in(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from texts_in(child, (*path, index))


def mask(secret: str) -> str:
    return secret[:4] + "****"


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _items(value: Any, path: Path) -> Iterator[tuple[Any, Path, bool]]:
    """The mappings of a list, expanding `Fn::If` items into their branches (marked conditional)."""
    if not isinstance(value, list):
        return
    for index, item in enumerate(value):
        if is_intrinsic(item) and "Fn::If" in item:
            branches = item["Fn::If"]
            if isinstance(branches, list) and len(branches) == 3:
                for branch in (1, 2):
                    if isinstance(branches[branch], dict) and not is_intrinsic(branches[branch]):
                        yield branches[branch], (*path, index, "Fn::If", branch), True
        elif isinstance(item, dict) and not is_intrinsic(item):
            yield item, (*path, index), False


@dataclass(eq=False)
class Node:
    """A mapping of the pipeline (stage or action) and where it stands."""

    pipeline: Pipeline
    data: dict[str, Any]
    path: Path
    conditional: bool

    def key(self, name: str) -> str:
        return self.pipeline.key(name)

    def raw(self, name: str) -> Any:
        return self.data.get(self.key(name))

    def has(self, name: str) -> bool:
        return self.key(name) in self.data

    def text(self, name: str) -> str | None:
        return self.pipeline.scalar(self.raw(name))

    def at(self, name: str, *rest: str | int) -> Path:
        return (*self.path, self.key(name), *rest)

    @property
    def name(self) -> str | None:
        return self.text("name")


@dataclass(eq=False)
class Artifact:
    name: str
    path: Path
    action: Action


@dataclass(eq=False)
class Action(Node):
    stage: Stage = None  # type: ignore[assignment]
    index: int = 0

    def type_field(self, name: str) -> str | None:
        type_id = self.raw("actionTypeId")
        return self.pipeline.scalar(type_id.get(self.key(name))) if isinstance(type_id, dict) else None

    @property
    def category(self) -> str | None:
        return self.type_field("category")

    @property
    def owner(self) -> str | None:
        return self.type_field("owner")

    @property
    def provider(self) -> str | None:
        return self.type_field("provider")

    @property
    def is_source(self) -> bool:
        return self.category == SOURCE

    @property
    def run_order(self) -> int | None:
        """1 when absent; None when not a literal number (an intrinsic, a wrong type)."""
        value = self.raw("runOrder")
        if value is None and not self.has("runOrder"):
            return 1
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
        return None

    def runs_before(self, other: Action) -> bool | None:
        """Whether this action finishes before `other` starts; None when the order is not known."""
        if self.stage.index != other.stage.index:
            return self.stage.index < other.stage.index
        mine, theirs = self.run_order, other.run_order
        if mine is None or theirs is None:
            return None
        return mine < theirs

    @property
    def configuration(self) -> dict[str, Any] | None:
        value = self.raw("configuration")
        return value if isinstance(value, dict) and not is_intrinsic(value) else None

    def config_text(self, name: str) -> str | None:
        config = self.configuration
        return self.pipeline.scalar(config.get(name)) if config is not None else None

    def config_at(self, name: str) -> Path:
        return self.at("configuration", name)

    def _artifacts(self, name: str) -> list[Artifact]:
        out = []
        for item, path, _ in _items(self.raw(name), self.at(name)):
            artifact = item.get(self.key("name"))
            if isinstance(artifact, str):
                out.append(Artifact(artifact, (*path, self.key("name")), self))
        return out

    @property
    def inputs(self) -> list[Artifact]:
        return self._artifacts("inputArtifacts")

    @property
    def outputs(self) -> list[Artifact]:
        return self._artifacts("outputArtifacts")

    def artifact_count(self, name: str) -> int | None:
        """How many artifacts the list holds, None when it is not a plain list (intrinsics, conditions)."""
        value = self.raw(name)
        if value is None and not self.has(name):
            return 0
        if not isinstance(value, list) or any(not isinstance(v, dict) or is_intrinsic(v) for v in value):
            return None
        return len(value)

    @property
    def describe(self) -> str:
        return f'action "{self.name}"' if self.name else f"action {self.index + 1}"


@dataclass(eq=False)
class Stage(Node):
    index: int = 0
    actions: list[Action] = field(default_factory=list)


@dataclass(eq=False)
class Pipeline:
    # "api" (camelCase) or "cfn" (PascalCase)
    form: str
    data: dict[str, Any]
    path: Path
    label: str
    stages: list[Stage] = field(default_factory=list)
    # Stage positions in the Stages list (an `!If` item makes two stages at one position).
    stage_positions: int = 0
    # The pipeline's own Region, when the document shows it (home_region); None when it cannot be known.
    home: str | None = None
    # The same, from the document's other fields only (not the actions' own `region`).
    home_outside_actions: str | None = None

    def key(self, name: str) -> str:
        return _pascal(name) if self.form == "cfn" else name

    def scalar(self, value: Any) -> str | None:
        """A literal value as the service receives it: CloudFormation passes numbers and booleans on as strings
        (`Version: 1` is "1", `PollForSourceChanges: false` is "false"); the API takes strings only."""
        if isinstance(value, str):
            return value
        if self.form == "cfn" and isinstance(value, (bool, int, float)):
            return cloudformation_scalar(value, ["string"])
        return None

    def raw(self, name: str) -> Any:
        return self.data.get(self.key(name))

    def has(self, name: str) -> bool:
        return self.key(name) in self.data

    def at(self, name: str, *rest: str | int) -> Path:
        return (*self.path, self.key(name), *rest)

    def message(self, text_: str) -> str:
        return f"{self.label}: {text_}" if self.label else text_

    @property
    def actions(self) -> Iterator[Action]:
        for stage in self.stages:
            yield from stage.actions

    @property
    def pipeline_type(self) -> str | None:
        """ "V1" or "V2"; V1 when absent (the API default); None when not a literal."""
        if not self.has("pipelineType"):
            return "V1"
        return text(self.raw("pipelineType"))

    def home_region(self) -> str | None:
        """The pipeline's own Region when the document shows it, else None (see `home_region`)."""
        return self.home

    def region_stores(self) -> set[str] | None:
        """Regions with an artifact store, None when not known literally; empty with a single artifactStore."""
        stores = self.raw("artifactStores")
        if stores is None:
            return set()
        if self.form == "api":
            return set(stores) if isinstance(stores, dict) else None
        if not isinstance(stores, list):
            return None
        regions = set()
        for item in stores:
            region = item.get("Region") if isinstance(item, dict) and not is_intrinsic(item) else None
            if not isinstance(region, str):
                return None
            regions.add(region)
        return regions


def _build(form: str, data: dict[str, Any], path: Path, label: str) -> Pipeline:
    pipeline = Pipeline(form, data, path, label)
    stages_value = pipeline.raw("stages")
    pipeline.stage_positions = len(stages_value) if isinstance(stages_value, list) else 0
    for stage_index, (stage_data, stage_path, conditional) in enumerate(_items(stages_value, pipeline.at("stages"))):
        # Stages from the two branches of an `!If` share their list position: order by position.
        position = stage_path[len(pipeline.at("stages"))]
        stage = Stage(
            pipeline, stage_data, stage_path, conditional, index=position if isinstance(position, int) else stage_index
        )
        for action_index, (action_data, action_path, action_conditional) in enumerate(
            _items(stage_data.get(pipeline.key("actions")), stage.at("actions"))
        ):
            stage.actions.append(
                Action(pipeline, action_data, action_path, conditional or action_conditional, stage, action_index)
            )
        pipeline.stages.append(stage)
    return pipeline


_REGION = r"(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|eusc)-(?:[a-z]+-)+\d"
_ARN_REGION = re.compile(rf"^arn:aws[a-z-]*:[a-z0-9-]+:({_REGION}):")
_NAME_REGION = re.compile(rf"(?:^|[-_.])({_REGION})(?:[-_.]|$)")


def home_region(pipeline: Pipeline, document: Any, *, from_actions: bool = True) -> str | None:
    """The Region a pipeline lives in, from what the document shows, before any cross-Region rule runs.

    In order: the ARN of a get-pipeline export (`metadata.pipelineArn`); the artifact store's KMS key ARN;
    a Region in the artifact bucket's or the service role's name (the console names them
    `codepipeline-us-east-2-...` and `AWSCodePipelineServiceRole-us-east-1-...`); the `region` of a source
    action (source actions cannot be cross-Region, so CodePipeline only accepts their own Region there);
    the one Region every action agrees on. None when nothing shows it (CloudFormation learns it only from the
    stack): a cross-Region rule then stays silent."""
    metadata = document.get("metadata") if isinstance(document, dict) else None
    arn = metadata.get("pipelineArn") if isinstance(metadata, dict) else None
    if isinstance(arn, str) and (found := _ARN_REGION.match(arn)):
        return found.group(1)
    store = pipeline.raw("artifactStore")
    if isinstance(store, dict) and not is_intrinsic(store):
        key = store.get(pipeline.key("encryptionKey"))
        key_id = key.get(pipeline.key("id")) if isinstance(key, dict) else None
        if isinstance(key_id, str) and (found := _ARN_REGION.match(key_id)):
            return found.group(1)
        location = store.get(pipeline.key("location"))
        if isinstance(location, str) and (found := _NAME_REGION.search(location)):
            return found.group(1)
    role = pipeline.raw("roleArn")
    if isinstance(role, str) and (found := _NAME_REGION.search(role.rsplit("/", 1)[-1])):
        return found.group(1)
    if not from_actions:
        return None
    regions = [(item, item.text("region")) for item in pipeline.actions if item.has("region")]
    for item, region in regions:
        if item.is_source and region:
            return region
    values = {region for _, region in regions}
    actions = sum(1 for _ in pipeline.actions)
    if len(values) == 1 and None not in values and len(regions) == actions:
        return values.pop()
    return None


def pipeline_model(ctx: Any, value: Any, path: Path) -> Pipeline | None:
    """The model of the view at `path` (a rule bound to ""), built once per view and shared by the rules."""
    cached = ctx.cache.get("pipeline-model", False)
    if cached is not False:
        return cached
    label = ctx.cache.get("view", ("", ()))[0]
    model = None
    if isinstance(value, dict) and not is_template(value):
        if value.get("Type") == CFN_TYPE:
            properties = value.get("Properties")
            if isinstance(properties, dict) and not is_intrinsic(properties):
                model = _build("cfn", properties, (*path, "Properties"), label)
        elif isinstance(value.get("pipeline"), dict):
            model = _build("api", value["pipeline"], (*path, "pipeline"), label)
        elif "pipeline" not in value:
            model = _build("api", value, path, label)
    if model is not None:
        model.home = home_region(model, value)
        model.home_outside_actions = home_region(model, value, from_actions=False)
    ctx.cache["pipeline-model"] = model
    return model
