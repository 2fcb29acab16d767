"""codeward's schema evaluator against the reference implementation (jsonschema), and the schemas
against the 2020-12 meta-schema."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from codeward.linters.engine import load_document
from codeward.linters.kinds import KINDS
from codeward.linters.schema import SUPPORTED, Schema, load_schema

from tests.helpers import ROOT

SCHEMAS = sorted((Path(ROOT) / "schemas").glob("*.schema.json"))


def _keywords(node: Any, found: set[str], under_properties: bool = False) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if not under_properties:
                found.add(key)
                if key in ("enum", "const", "default", "examples", "x-severity"):
                    continue  # data, not schemas
            children_are_names = (
                key in ("properties", "patternProperties", "$defs", "dependentRequired") and not under_properties
            )
            _keywords(value, found, children_are_names)
    elif isinstance(node, list):
        for item in node:
            _keywords(item, found)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_valid_2020_12(path: Path) -> None:
    schema = json.loads(path.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_uses_only_implemented_keywords(path: Path) -> None:
    found: set[str] = set()
    _keywords(json.loads(path.read_text()), found)
    # enum/const/default/examples values are data, not keywords: only dict keys at keyword level count.
    assert found - SUPPORTED == set()


def _views(kind: str) -> list[Any]:
    views = []
    for folder in ("examples", "tests/corpus"):
        for path in sorted((Path(ROOT) / folder).rglob("*")):
            if path.suffix not in (".yml", ".yaml", ".json", ".template") or not KINDS[kind].filename.search(str(path)):
                continue
            document = load_document(str(path), path.read_text(errors="replace"))
            if document.data is not None:
                views += [data for _, _, data in KINDS[kind].views(document.data)]
    return views


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _collect(node: Any, into: list[Any]) -> None:
    if isinstance(node, dict):
        into.append(node)
        for value in node.values():
            _collect(value, into)
    elif isinstance(node, list):
        into.append(node)
        for value in node:
            _collect(value, into)


def _mutations(value: Any, rng: random.Random, count: int) -> list[Any]:
    """Small random edits: drop a key, change a scalar's type, rename a key, wrap in a list."""
    out = []
    for _ in range(count):
        copy = json.loads(json.dumps(_plain(value)))
        containers: list[Any] = []
        _collect(copy, containers)
        target = rng.choice(containers)
        if isinstance(target, dict) and target:
            key = rng.choice(list(target))
            action = rng.randrange(4)
            if action == 0:
                del target[key]
            elif action == 1:
                target[key + "x"] = target.pop(key)
            elif action == 2:
                target[key] = rng.choice([1, "s", True, None, [], {}, 0.5])
            else:
                target[key] = [target[key]]
        elif isinstance(target, list) and target:
            target[rng.randrange(len(target))] = rng.choice([1, "s", {}, [], None])
        out.append(copy)
    return out


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_evaluator_agrees_with_jsonschema(kind: str) -> None:
    path = Path(ROOT) / "schemas" / f"{KINDS[kind].schema}.schema.json"
    if not path.exists():
        pytest.fail(f"{path} is missing")
    reference = jsonschema.Draft202012Validator(json.loads(path.read_text()))
    ours: Schema = load_schema(KINDS[kind].schema, KINDS[kind].title)
    rng = random.Random(20261121)
    views = _views(kind)
    assert views, f"no {kind} files to compare on"
    checked = 0
    for view in views:
        for instance in [_plain(view), *_mutations(view, rng, 15)]:
            expected_valid = reference.is_valid(instance)
            errors = ours.validate(instance)
            assert expected_valid == (not errors), (
                f"jsonschema says valid={expected_valid}, codeward says {[e.message for e in errors]} for "
                f"{json.dumps(instance)[:400]}"
            )
            checked += 1
    assert checked >= len(views) * 16
