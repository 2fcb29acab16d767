"""Which buildspec a CodeBuild project declared in the repository runs, and whether that file is there.

CodeBuild reads a project's buildspec from `Source.BuildSpec` (CloudFormation), `buildspec` (Terraform's
`source` block, the `create-project` JSON), or `buildspec.yml` at the source root when none is set. A value
that holds YAML is the buildspec itself; a path resolves from the source root. When the value comes from a
template parameter, what counts is the value the stack gets: a parent template in the repository that nests
this one and passes the parameter, else the parameter's `Default` when nothing else in the repository could
pass a value (a deploy script, a parameters file, a config file naming it).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from codeward.linters.document import Path
from codeward.linters.pipeline_form import is_intrinsic, is_template
from codeward.linters.simulate.files import nested_repository

# Folders a checkout holds that its commits do not, and files that only describe (docs name parameters too).
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", "vendor", "cdk.out"})
_DOC_SUFFIXES = (".md", ".rst", ".txt", ".html", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".pdf", ".lock")
_TEMPLATE_SUFFIXES = (".yml", ".yaml", ".json", ".template")
# Files that can define a project or pass a template parameter: templates, JSON inputs, Terraform, and the
# scripts and config files of a deploy. Reading stops at a budget so a large repository costs a bounded time.
_READ_SUFFIXES = (
    ".yml",
    ".yaml",
    ".json",
    ".template",
    ".tf",
    ".tfvars",
    ".toml",
    ".sh",
    ".cfg",
    ".ini",
    ".env",
    ".py",
    ".ts",
    ".js",
    ".mk",
    ".properties",
)
_READ_NAMES = ("Makefile", "Jenkinsfile", "Taskfile")
_MAX_FILES = 2000
_MAX_BYTES = 400_000
_BUDGET = 8_000_000
UNKNOWN = object()


@dataclass(frozen=True)
class TemplateValue:
    """A value a template gives a property (a project's buildspec, a source action's repository): the text, where
    it is written, and how it was found."""

    value: str
    path: Path
    # "literal" (written on the property), "default" (a parameter's Default), "parent" (a nesting template's).
    origin: str
    parameter: str | None = None


def is_inline(value: str) -> bool:
    """Whether a BuildSpec value is the buildspec itself (YAML or JSON text) rather than a path or an ARN."""
    return "\n" in value or "phases" in value or value.lstrip().startswith("{") or "version:" in value


def repository_files(root: str) -> list[str]:
    return list(_repository_files(os.path.abspath(root)))


@lru_cache(maxsize=8)
def _repository_files(root: str) -> tuple[str, ...]:
    """The repository's files that may define a project or pass a parameter (bounded in number and bytes),
    skipping checkout-only folders."""
    found: list[str] = []
    budget = _BUDGET
    for current, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames if d not in _SKIP_DIRS and not nested_repository(os.path.join(current, d))
        )
        for name in sorted(filenames):
            if not (name.endswith(_READ_SUFFIXES) or name in _READ_NAMES) or name.endswith(_DOC_SUFFIXES):
                continue
            path = os.path.join(current, name)
            try:
                budget -= min(os.path.getsize(path), _MAX_BYTES)
            except OSError:
                continue
            found.append(path)
            if len(found) >= _MAX_FILES or budget <= 0:
                return tuple(found)
    return tuple(found)


@lru_cache(maxsize=512)
def _read(path: str) -> str | None:
    try:
        if os.path.getsize(path) > _MAX_BYTES:
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _load_template(path: str, text: str) -> Any:
    from codeward.linters.engine import load_document

    try:
        return load_document(path, text).data
    except Exception:  # a file that does not load is no template to follow
        return None


def _nests(data: Any, parent: str, template: str) -> list[dict[str, Any]]:
    """The `Parameters` mappings of the nested-stack resources of `data` (at `parent`) that point at
    `template`; an unreadable Parameters value is given as {None: ...}."""
    found: list[dict[str, Any]] = []
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return found
    for resource in resources.values():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::CloudFormation::Stack":
            continue
        properties = resource.get("Properties")
        url = properties.get("TemplateURL") if isinstance(properties, dict) else None
        if not isinstance(url, str) or "://" in url:
            continue
        target = os.path.normpath(os.path.join(os.path.dirname(parent), url))
        if target != os.path.normpath(template):
            continue
        parameters = properties.get("Parameters", {})
        found.append(parameters if isinstance(parameters, dict) and not is_intrinsic(parameters) else {None: None})
    return found


def supplied_value(root: str, template: str, name: str) -> object:
    """What the repository passes to parameter `name` of `template`: a literal string from a nesting parent,
    UNKNOWN when something may pass a value (a parent passing a non-literal, a script or config file naming
    the parameter), None when nothing does (the Default applies)."""
    word = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")
    template = os.path.abspath(template)
    passed: object = None
    for path in repository_files(root):
        if os.path.abspath(path) == template or path.endswith(_DOC_SUFFIXES):
            continue
        text = _read(path)
        if text is None or not word.search(text):
            continue
        data = _load_template(path, text) if path.endswith(_TEMPLATE_SUFFIXES) else None
        if is_template(data):
            for parameters in _nests(data, path, template):
                if None in parameters:
                    return UNKNOWN
                if name in parameters:
                    value = parameters[name]
                    if not isinstance(value, str) or passed not in (None, value):
                        return UNKNOWN
                    passed = value
            continue  # another template: its own properties of that name are not this parameter
        return UNKNOWN  # a parameters file, a script, a config file: it may pass the value at deploy time
    return passed


def project_buildspec(
    template: dict[str, Any], project: str, root: str | None, template_path: str
) -> TemplateValue | None:
    """The buildspec value the project `project` of `template` runs with, when it can be known: a literal
    BuildSpec, or a parameter's value as the repository passes it (see `supplied_value`). None when absent,
    built by a function, or passed by something this cannot read."""
    resources = template.get("Resources")
    resource = resources.get(project) if isinstance(resources, dict) else None
    properties = resource.get("Properties") if isinstance(resource, dict) else None
    source = properties.get("Source") if isinstance(properties, dict) else None
    if not isinstance(source, dict) or is_intrinsic(source):
        return None
    at: Path = ("Resources", project, "Properties", "Source", "BuildSpec")
    value = source.get("BuildSpec")
    if isinstance(value, str):
        return TemplateValue(value, at, "literal")
    if not (is_intrinsic(value) and isinstance(value.get("Ref"), str)):
        return None
    return parameter_value(template, value["Ref"], root, template_path)


def parameter_value(template: dict[str, Any], name: str, root: str | None, template_path: str) -> TemplateValue | None:
    """The value the repository gives parameter `name` of `template`: the literal a nesting parent passes
    (reported at the parameter), else its Default when nothing in the repository may pass one (see
    `supplied_value`). None when the template does not declare it, outside a repository, or when the value cannot
    be known."""
    parameters = template.get("Parameters")
    parameter = parameters.get(name) if isinstance(parameters, dict) else None
    if not isinstance(parameter, dict) or root is None:
        return None
    if parameter.get("Type", "String") != "String":
        # An `AWS::SSM::Parameter::Value<String>` parameter's Default (or what a parent passes) is the name of the
        # Systems Manager parameter whose value CloudFormation passes (fresh2 g31), not the value.
        return None
    passed = supplied_value(root, template_path, name)
    if passed is UNKNOWN:
        return None
    if isinstance(passed, str):
        return TemplateValue(passed, ("Parameters", name), "parent", name)
    default = parameter.get("Default")
    if not isinstance(default, str):
        return None
    return TemplateValue(default, ("Parameters", name, "Default"), "default", name)


@dataclass(frozen=True)
class ProjectDefinition:
    """A CodeBuild project the repository defines: its name, where, and the buildspec it runs (a path from the
    source root, or the buildspec's own text when `inline`)."""

    name: str
    defined_in: str
    buildspec: str
    inline: bool


_TF_PROJECT = re.compile(r'resource\s+"aws_codebuild_project"\s+"[^"]+"\s*\{')
_TF_NAME = re.compile(r'^\s*name\s*=\s*"([^"$]+)"\s*$', re.M)
_TF_FILE = re.compile(r'^\s*buildspec\s*=\s*file\(\s*"(?:\$\{path\.module\}/)?([^"$]+)"\s*\)', re.M)
_TF_BUILDSPEC = re.compile(r'^\s*buildspec\s*=\s*(?:"([^"$]*)"|<<-?\s*([A-Z_]+)\n(.*?)\n\s*\2\s*$)', re.M | re.S)


def _block(text: str, start: int) -> str:
    """The text of the `{ ... }` block opening at or after `start` (braces counted, strings not parsed)."""
    depth, begin = 0, text.find("{", start)
    for index in range(begin, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[begin : index + 1]
    return text[begin:]


def _from_create_project(data: Any, path: str) -> ProjectDefinition | None:
    """A `create-project`/`update-project` input ({"name": ..., "source": {...}})."""
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) or not isinstance(data.get("source"), dict):
        return None
    source = data["source"]
    if source.get("type") in ("S3", "NO_SOURCE") and not isinstance(source.get("buildspec"), str):
        return None
    buildspec = source.get("buildspec")
    if buildspec is None:
        buildspec = "buildspec.yml"  # CodeBuild's default at the source root
    if not isinstance(buildspec, str):
        return None
    return ProjectDefinition(data["name"], path, buildspec, is_inline(buildspec))


def _from_terraform(text: str, path: str, name: str) -> ProjectDefinition | None:
    for match in _TF_PROJECT.finditer(text):
        block = _block(text, match.end() - 1)
        found = _TF_NAME.search(block)
        if not found or found.group(1) != name:
            continue
        spec = _TF_BUILDSPEC.search(block)
        loaded = _TF_FILE.search(block)
        if loaded is not None:
            # buildspec = file("buildspec/apply.yml"): Terraform reads the file (relative to the module) and
            # hands CodeBuild its text, an inline buildspec.
            text = _read(os.path.join(os.path.dirname(path), loaded.group(1)))
            return ProjectDefinition(name, path, text, True) if text is not None else None
        if spec is None:
            if re.search(r"^\s*buildspec\s*=", block, re.M):
                return None  # built from variables or file(): not a literal this can read
            return ProjectDefinition(name, path, "buildspec.yml", False)
        if spec.group(1) is not None:
            return ProjectDefinition(name, path, spec.group(1) or "buildspec.yml", is_inline(spec.group(1)))
        return ProjectDefinition(name, path, spec.group(3), True)
    return None


def find_project(root: str, name: str) -> ProjectDefinition | None:
    """The definition of the CodeBuild project called `name` in the repository at `root`: a `create-project`
    JSON input, a CloudFormation `AWS::CodeBuild::Project` with that literal `Name`, or a Terraform
    `aws_codebuild_project` with that `name`. None when no file defines it (a project made in the console or in
    another repository), when the name is built at deploy time, or when the buildspec value cannot be read."""
    for path in repository_files(root):
        if path.endswith(_DOC_SUFFIXES):
            continue
        text = _read(path)
        if text is None or name not in text:
            continue
        if path.endswith(".tf"):
            found = _from_terraform(text, path, name)
            if found is not None:
                return found
            continue
        if not path.endswith(_TEMPLATE_SUFFIXES):
            continue
        data = _load_template(path, text)
        definition = _from_create_project(data, path)
        if definition is not None and definition.name == name:
            return definition
        if is_template(data) and isinstance(data.get("Resources"), dict):
            for logical_id, resource in data["Resources"].items():
                properties = resource.get("Properties") if isinstance(resource, dict) else None
                if (
                    not isinstance(properties, dict)
                    or resource.get("Type") != "AWS::CodeBuild::Project"
                    or properties.get("Name") != name
                ):
                    continue
                named = project_buildspec(data, logical_id, root, path)
                source = properties.get("Source")
                if named is None and isinstance(source, dict) and "BuildSpec" not in source:
                    return ProjectDefinition(name, path, "buildspec.yml", False)
                if named is None:
                    return None
                return ProjectDefinition(name, path, named.value, is_inline(named.value))
    return None


_TF_IMAGE = re.compile(r'^\s*image\s*=\s*"([^"$]+)"\s*$', re.M)
_TF_BUILDSPEC_PATH = re.compile(r'^\s*buildspec\s*=\s*"([^"$]*)"\s*$', re.M)


def images_running(root: str, buildspec: str) -> list[tuple[str, str]]:
    """The literal images of the Terraform `aws_codebuild_project`s of the repository whose `buildspec` is the
    path `buildspec` (from the source root; a project without one runs buildspec.yml), with the file defining
    each. Projects whose buildspec or image is built from variables are left out."""
    found: list[tuple[str, str]] = []
    for path in repository_files(root):
        if not path.endswith(".tf"):
            continue
        text = _read(path)
        if text is None or "aws_codebuild_project" not in text:
            continue
        for match in _TF_PROJECT.finditer(text):
            block = _block(text, match.end() - 1)
            named = _TF_BUILDSPEC_PATH.search(block)
            if named is None and re.search(r"^\s*buildspec\s*=", block, re.M):
                continue  # a heredoc, file() or an expression: not this file by path
            runs = (named.group(1) if named else "") or "buildspec.yml"
            image = _TF_IMAGE.search(block)
            if image is not None and os.path.normpath(runs) == os.path.normpath(buildspec):
                found.append((image.group(1), path))
    return found
