"""The kinds of definition file codeward knows, and how a file's kind is told.

The name proposes (`buildspec*.yml`, `*appspec*.json`, `*pipeline*.json`, ...), the content decides: a file
is a buildspec only if its content has a buildspec's shape (`phases`, a buildspec `version`), an AppSpec only
with AppSpec keys, a pipeline only with `pipeline.stages[].actions[]` or an `AWS::CodePipeline::Pipeline` /
`AWS::CodeBuild::Project` resource. Names say little: `azure-pipelines.yml`, `bitbucket-pipelines.yml`, a
JSON Schema called `pipeline.schema.json` or an app's metadata in `appspec.json` are no AWS definitions, and
codeward must neither report on them nor rewrite them. The shapes tolerate a misspelled key, so a broken
definition is still recognised and its defects reported. A file that does not parse is recognised from
its text (`phases:`, `"actionTypeId"`, `AWS::CodePipeline::Pipeline`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

# A view is one thing to validate inside a file: (label for messages, path prefix, data).
View = tuple[str, tuple[str | int, ...], Any]


def _whole(data: Any) -> list[View]:
    return [("", (), data)]


@dataclass(frozen=True)
class Kind:
    name: str
    # Rule-code prefix of its rules, e.g. "CWB".
    prefix: str
    # Schema file under schemas/ (without .schema.json) and how messages name the document.
    schema: str
    title: str
    filename: re.Pattern[str]
    # Splits a loaded file into the views its schema and rules check (a CloudFormation template may hold
    # several pipelines); the default is the whole file.
    views: Callable[[Any], list[View]] = field(default=_whole)


def _pipeline_views(data: Any) -> list[View]:
    from codeward.linters.pipeline_form import pipeline_views  # CloudFormation handling only when needed

    return pipeline_views(data)


# The names each kind's pre-commit hook selects (.pre-commit-hooks.yaml uses the same expressions).
NAME_PATTERNS = {
    "buildspec": r"(?:^|[/\\])[^/\\]*buildspec[^/\\]*\.ya?ml$",
    "appspec": r"(?:^|[/\\])[^/\\]*appspec[^/\\]*\.(?:ya?ml|json)$",
    # Pipelines, and CloudFormation templates that may hold CodeBuild projects (with inline buildspecs):
    # CDK's synthesised *.template.json, SAM's template.yaml. The content decides.
    "pipeline": r"(?:^|[/\\])(?:[^/\\]*(?:pipeline|codebuild)[^/\\]*\.(?:json|ya?ml|template)"
    r"|[^/\\]+\.template\.(?:json|ya?ml)|template\.ya?ml)$",
}

KINDS: dict[str, Kind] = {
    "buildspec": Kind("buildspec", "CWB", "buildspec", "buildspec", re.compile(NAME_PATTERNS["buildspec"], re.I)),
    "appspec": Kind("appspec", "CWA", "appspec", "AppSpec file", re.compile(NAME_PATTERNS["appspec"], re.I)),
    "pipeline": Kind(
        "pipeline", "CWP", "pipeline", "pipeline", re.compile(NAME_PATTERNS["pipeline"], re.I), _pipeline_views
    ),
}

DEFINITION_SUFFIXES = (".yml", ".yaml", ".json", ".template", ".tf")

CFN_PIPELINE = "AWS::CodePipeline::Pipeline"
CFN_PROJECT = "AWS::CodeBuild::Project"


def kind_by_name(path: str) -> str | None:
    for kind in KINDS.values():
        if kind.filename.search(path):
            return kind.name
    return None


def _like(key: Any, word: str) -> bool:
    """The key, or a likely misspelling of it (a definition with one typo is still that definition)."""
    if not isinstance(key, str):
        return False
    key = key.lower()
    return key == word or (len(word) >= 5 and SequenceMatcher(None, key, word).ratio() >= 0.8)


def _has(data: dict[Any, Any], word: str) -> Any:
    for key, value in data.items():
        if _like(key, word):
            return value if value is not None else True
    return None


PHASES = ("install", "pre_build", "build", "post_build")
BUILDSPEC_KEYS = ("env", "artifacts", "batch", "reports", "cache", "proxy", "run-as", "environment_variables")


def _is_buildspec(data: dict[Any, Any]) -> bool:
    phases = _has(data, "phases")
    if isinstance(phases, dict):
        return not phases or any(_like(k, p) for k in phases for p in PHASES)
    version = data.get("version")
    known_version = str(version) in ("0.1", "0.2")
    others = sum(1 for key in data if isinstance(key, str) and key.lower() in BUILDSPEC_KEYS)
    # `phases` misplaced or misspelled beyond recognition: a buildspec version with buildspec sections.
    return (known_version and others >= 1) or (phases is not None and (known_version or others >= 1))


LIFECYCLE = re.compile(
    r"^(ApplicationStop|BeforeInstall|AfterInstall|ApplicationStart|ValidateService|BeforeBlockTraffic|"
    r"AfterBlockTraffic|BeforeAllowTraffic|AfterAllowTraffic|AfterAllowTestTraffic|DownloadBundle|Install)$",
    re.I,
)
APPSPEC_TYPES = ("AWS::ECS::Service", "AWS::Lambda::Function")


def _appspec_resources(value: Any) -> bool:
    """`Resources: [{TargetService: {Type: AWS::ECS::Service, ...}}]` (any key casing)."""
    if not isinstance(value, list):
        return False
    for item in value:
        if isinstance(item, dict) and len(item) == 1:
            body = next(iter(item.values()))
            if isinstance(body, dict) and any(isinstance(k, str) and k.lower() in ("type", "properties") for k in body):
                return True
    return False


def _is_appspec(data: dict[Any, Any]) -> bool:
    lowered = {k.lower(): v for k, v in data.items() if isinstance(k, str)}
    if _appspec_resources(lowered.get("resources")):
        return True
    # `os: linux|windows` is an AppSpec's alone, and with a version `os` of any value still is one.
    has_version = "version" in lowered or _has(data, "version") is not None
    os_value = lowered.get("os")
    if (isinstance(os_value, str) and os_value.lower() in ("linux", "windows")) or ("os" in lowered and has_version):
        return True
    hooks = lowered.get("hooks")
    hook_shaped = (isinstance(hooks, dict) and any(isinstance(k, str) and LIFECYCLE.match(k) for k in hooks)) or (
        isinstance(hooks, list) and any(isinstance(h, dict) and len(h) == 1 for h in hooks)
    )
    files = lowered.get("files")
    files_shaped = isinstance(files, list) and any(
        isinstance(f, dict) and ("source" in f or "destination" in f) for f in files
    )
    if hook_shaped and (has_version or files_shaped):
        return True
    return has_version and (files_shaped or hooks is not None or isinstance(lowered.get("permissions"), list))


def _pipeline_declaration(value: Any) -> bool:
    """The API's PipelineDeclaration: stages holding actions, or stages beside its other fields."""
    if not isinstance(value, dict):
        return False
    stages = _has(value, "stages")
    if isinstance(stages, list) and any(isinstance(s, dict) and _has(s, "actions") is not None for s in stages):
        return True
    fields = ("name", "rolearn", "artifactstore", "artifactstores", "pipelinetype", "executionmode")
    found = sum(1 for key in value if isinstance(key, str) and key.lower() in fields)
    return (isinstance(stages, list) and found >= 1) or (found >= 3 and "roleArn" in value)


def template_resource_types(data: Any) -> set[str]:
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return set()
    return {r.get("Type") for r in resources.values() if isinstance(r, dict) and isinstance(r.get("Type"), str)}


def _is_pipeline(data: dict[Any, Any]) -> bool:
    if isinstance(data.get("Resources"), dict):
        return bool(template_resource_types(data) & {CFN_PIPELINE, CFN_PROJECT})
    pipeline = _has(data, "pipeline")
    if isinstance(pipeline, dict):
        return _pipeline_declaration(pipeline)
    return _pipeline_declaration(data)


def _is_schema(data: dict[Any, Any]) -> bool:
    return "$schema" in data or ("properties" in data and "type" in data and isinstance(data["properties"], dict))


def kind_by_content(data: Any) -> str | None:
    """The kind the content shows, or None when it shows none (or is something else entirely)."""
    if not isinstance(data, dict) or _is_schema(data):
        return None
    if _is_pipeline(data):
        return "pipeline"
    if _is_buildspec(data):
        return "buildspec"
    if _is_appspec(data):
        return "appspec"
    return None


# Text markers for files that do not parse: enough to tell a broken definition from a broken other file.
TEXT_MARKERS = {
    "pipeline": re.compile(
        r"AWS::CodePipeline::Pipeline|AWS::CodeBuild::Project|\bactionTypeId\b|\bActionTypeId\b|\"stages\"\s*:"
    ),
    "buildspec": re.compile(r"(?m)^\s*[\"']?phases[\"']?\s*:"),
    "appspec": re.compile(
        r"(?m)^\s*[\"']?(hooks|Hooks|os|Resources|resources)[\"']?\s*:|AWS::ECS::Service|AWS::Lambda::Function"
    ),
}


def kind_by_text(text: str, candidate: str | None) -> str | None:
    """The kind of a file that does not parse, from markers in its text; the name's candidate first.

    A buildspec's `phases` and an AppSpec's `hooks`/`Resources` are top-level keys, beside a top-level `version`:
    in a YAML text a top-level key starts a line (JSON indents every key). Markers that are all indented, in a
    file with no top-level `version` either, belong to something else, such as an AppSpec carried in a
    `create-deployment` input (`revision.appSpecContent.content`)."""
    yaml_text = not text.lstrip().startswith(("{", "["))
    order = [candidate] if candidate else []
    order += [k for k in ("pipeline", "buildspec", "appspec") if k != candidate]
    for kind in order:
        if not TEXT_MARKERS[kind].search(text):
            continue
        if kind in TOP_LEVEL_MARKERS and yaml_text and not TOP_LEVEL_MARKERS[kind].search(text):
            continue
        if kind == "appspec" and not re.search(r"(?m)^\s*[\"']?version[\"']?\s*:|TargetService", text):
            continue
        return kind
    return None


# A marker or `version` starting a line: a top-level key of a YAML text.
TOP_LEVEL_MARKERS = {
    "buildspec": re.compile(r"(?m)^[\"']?(phases|version)[\"']?\s*:"),
    "appspec": re.compile(r"(?m)^[\"']?(hooks|Hooks|os|Resources|resources|version)[\"']?\s*:"),
}


# What a file that is no definition looks like, for the message that says why it was skipped.
def describe_other(data: Any, path: str = "") -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if isinstance(data, list):
        if any(isinstance(item, dict) and "pipeline" in item for item in data):
            return "a Buddy.Works pipeline"
        return "a list, not a mapping of definition keys"
    if not isinstance(data, dict):
        return "not a mapping of definition keys"
    keys = {k for k in data if isinstance(k, str)}
    if _is_schema(data):
        return "a JSON Schema"
    if name.startswith("azure-pipelines") or (keys & {"trigger", "pool", "pr"} and keys & {"stages", "jobs", "steps"}):
        return "an Azure Pipelines file"
    if name.startswith("bitbucket-pipelines") or "pipelines" in keys:
        return "a Bitbucket Pipelines file"
    if "jobs" in keys and ("on" in keys or True in data):
        return "a GitHub Actions workflow"
    if name == ".gitlab-ci.yml":
        return "a GitLab CI file"
    if "apiVersion" in keys and "kind" in keys:
        return f"a Kubernetes-style manifest (kind: {data['kind']})" if isinstance(data["kind"], str) else "a manifest"
    if "jobs" in keys and "resources" in keys:
        return "a Concourse pipeline"
    if "Statement" in keys:
        return "an IAM policy"
    if "Resources" in keys or "AWSTemplateFormatVersion" in keys:
        return "a CloudFormation template without a CodePipeline pipeline or CodeBuild project"
    if "processors" in keys or ("pipeline" in keys and isinstance(data.get("pipeline"), dict)):
        return "not a CodePipeline definition (no stages with actions)"
    return "none of the keys of a buildspec (phases), an AppSpec (hooks, files, Resources) or a pipeline (stages)"
