"""The kinds of definition file codeward knows, and how a file's kind is told: by name, then content."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
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


KINDS: dict[str, Kind] = {
    "buildspec": Kind(
        "buildspec", "CWB", "buildspec", "buildspec",
        re.compile(r"(?:^|[/\\])[^/\\]*buildspec[^/\\]*\.ya?ml$", re.I),
    ),
    "appspec": Kind(
        "appspec", "CWA", "appspec", "AppSpec file",
        re.compile(r"(?:^|[/\\])[^/\\]*appspec[^/\\]*\.(?:ya?ml|json)$", re.I),
    ),
    "pipeline": Kind(
        "pipeline", "CWP", "pipeline", "pipeline",
        re.compile(r"(?:^|[/\\])[^/\\]*pipeline[^/\\]*\.(?:json|ya?ml|template)$", re.I),
        _pipeline_views,
    ),
}  # fmt: skip

DEFINITION_SUFFIXES = (".yml", ".yaml", ".json", ".template")


def kind_by_name(path: str) -> str | None:
    for kind in KINDS.values():
        if kind.filename.search(path):
            return kind.name
    return None


def kind_by_content(data: Any) -> str | None:
    """Tell the kind from the top-level keys, for files whose name says nothing."""
    if not isinstance(data, dict):
        return None
    keys = set(data)
    if "phases" in keys or ("version" in keys and keys & {"env", "artifacts", "batch", "reports", "cache"}):
        return "buildspec"
    if ("pipeline" in keys and isinstance(data["pipeline"], dict)) or {"stages", "roleArn"} <= keys:
        return "pipeline"
    resources = data.get("Resources")
    if isinstance(resources, dict):
        types = {r.get("Type") for r in resources.values() if isinstance(r, dict)}
        if "AWS::CodePipeline::Pipeline" in types:
            return "pipeline"
    lowered = {k.lower() for k in keys if isinstance(k, str)}
    if "version" in keys and (lowered & {"hooks", "files", "resources", "permissions"} or "os" in keys):
        return "appspec"
    return None
