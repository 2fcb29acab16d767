"""A small JSON Schema (2020-12) evaluator for codeward's own schemas.

The schemas in schemas/ are standard 2020-12 documents that editors and check-jsonschema can use.
codeward evaluates them itself rather than through jsonschema because a single-file hook run has a
150 ms budget (importing jsonschema and building a validator costs about 55 ms here) and because
findings need positions, a did-you-mean and one precise message per defect instead of a tree of
anyOf sub-errors. tests/test_schema_engine.py checks that this evaluator agrees with jsonschema on
every example and on random mutations of them, and that the schemas use no keyword this module
does not implement.

A subschema may carry "x-message": a message used when that subschema fails as a whole.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from codeward.linters.document import Path
from codeward.linters.suggest import did_you_mean

SUPPORTED = frozenset(
    [
        "$schema",
        "$id",
        "$ref",
        "$defs",
        "$comment",
        "title",
        "description",
        "markdownDescription",
        "default",
        "examples",
        "deprecated",
        "type",
        "enum",
        "const",
        "properties",
        "patternProperties",
        "additionalProperties",
        "required",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "oneOf",
        "anyOf",
        "allOf",
        "not",
        "if",
        "then",
        "else",
        "dependentRequired",
        "x-message",
        "x-severity",
    ]
)

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


@dataclass(frozen=True, slots=True)
class SchemaError:
    # "unknown-key", "required", "type" or "value"
    kind: str
    path: Path
    message: str
    # Report at the key of `path` rather than its value.
    at_key: bool = False
    suggestion: str | None = None
    notes: tuple[str, ...] = ()
    # For "required": the missing key.
    key: str | None = None
    # The keyword that failed, for "value" errors: "pattern" (a format), "enum"/"const" (a choice), ...
    keyword: str = ""
    # "warning" or "info" when the schema says the service tolerates this (x-severity); None: the rule's own.
    severity: str | None = None
    # For "pattern" errors: the pattern that failed.
    pattern: str = ""


def type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_type(value: Any, name: str) -> bool:
    actual = type_of(value)
    if actual == name:
        return True
    if name == "number":
        return actual == "integer"
    if name == "integer":
        return actual == "number" and math.isfinite(value) and float(value).is_integer()
    return False


def describe_path(path: Path, root: str) -> str:
    """`phases.build.commands[0]`; the document itself is named by `root`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = f"{out}.{part}" if out else str(part)
    return out or root


def _show(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return repr(value)
    return "a mapping" if isinstance(value, dict) else "a list"


def _words(types: list[str]) -> str:
    names = [_TYPE_WORDS.get(t, t) for t in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_NOT_COERCED = object()
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def cloudformation_scalar(value: Any, types: list[str]) -> Any:
    """The value as CloudFormation hands it to a property of one of `types`, or _NOT_COERCED.

    CloudFormation converts template scalars to the property's type: numbers and booleans become strings
    where the property is a string (`Version: 1`, `PollForSourceChanges: false`, AWS's own reference example
    writes `Version: 1`), numeric strings become numbers, "true"/"false" booleans. Mappings, lists and
    nulls are never converted."""
    if isinstance(value, bool):
        if "string" in types:
            return "true" if value else "false"
    elif isinstance(value, (int, float)):
        if "string" in types:
            return str(value)
    elif isinstance(value, str):
        text = value.strip()
        if ("integer" in types or "number" in types) and _NUMBER.match(text):
            number = float(text)
            if "integer" in types and number.is_integer() and "." not in text and "e" not in text.lower():
                return int(text)
            if "number" in types:
                return number
        if "boolean" in types and text.lower() in ("true", "false"):
            return text.lower() == "true"
    return _NOT_COERCED


class Schema:
    _cloudformation = False

    def __init__(self, document: dict[str, Any], root_name: str) -> None:
        self.document = document
        self.root_name = root_name

    def _resolve(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#"):
            raise ValueError(f"only local $ref is supported, got {ref}")
        node: Any = self.document
        for part in ref[1:].split("/")[1:]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def validate(self, instance: Any, *, cloudformation: bool = False) -> list[SchemaError]:
        """Errors of `instance`. With `cloudformation`, scalars are read as CloudFormation passes them to the
        service (cloudformation_scalar): `Version: 1` is the string "1", `RunOrder: "2"` the number 2."""
        self._cloudformation = cloudformation
        try:
            return self._check(self.document, instance, ())
        finally:
            self._cloudformation = False

    def where(self, path: Path) -> str:
        return describe_path(path, self.root_name)

    # Each keyword check returns the errors of `instance` at `path`.
    def _check(self, schema: Any, instance: Any, path: Path) -> list[SchemaError]:
        if schema is True:
            return []
        if schema is False:
            return [SchemaError("value", path, f"{self.where(path)} is not allowed here")]
        errors: list[SchemaError] = []
        if "$ref" in schema:
            errors += self._check(self._resolve(schema["$ref"]), instance, path)
        expected = schema.get("type")
        if expected is not None:
            types = expected if isinstance(expected, list) else [expected]
            if not any(_is_type(instance, t) for t in types):
                coerced = cloudformation_scalar(instance, types) if self._cloudformation else _NOT_COERCED
                if coerced is _NOT_COERCED:
                    return [*errors, self._type_error(schema, types, instance, path)]
                instance = coerced
        if "const" in schema and not _equal(instance, schema["const"]):
            errors.append(self._value_error(schema, instance, path, [schema["const"]]))
        if "enum" in schema and not any(_equal(instance, option) for option in schema["enum"]):
            errors.append(self._value_error(schema, instance, path, schema["enum"]))
        if isinstance(instance, dict):
            errors += self._object(schema, instance, path)
        elif isinstance(instance, list):
            errors += self._array(schema, instance, path)
        elif isinstance(instance, str):
            errors += self._string(schema, instance, path)
        elif isinstance(instance, (int, float)) and not isinstance(instance, bool):
            errors += self._number(schema, instance, path)
        for sub in schema.get("allOf", ()):
            errors += self._check(sub, instance, path)
        if "anyOf" in schema:
            errors += self._alternatives(schema, schema["anyOf"], instance, path, exactly_one=False)
        if "oneOf" in schema:
            errors += self._alternatives(schema, schema["oneOf"], instance, path, exactly_one=True)
        if "not" in schema and not self._check(schema["not"], instance, path):
            message = schema.get("x-message") or f"{self.where(path)} has a value that is not allowed here"
            errors.append(SchemaError("value", path, message))
        if "if" in schema:
            branch = "then" if not self._check(schema["if"], instance, path) else "else"
            if branch in schema:
                errors += self._check(schema[branch], instance, path)
        if "x-severity" in schema and errors:
            errors = _tolerated(schema["x-severity"], errors, path)
        return errors

    def _type_error(self, schema: dict[str, Any], types: list[str], instance: Any, path: Path) -> SchemaError:
        message = schema.get("x-message") or (
            f"{self.where(path)} must be {_words(types)}, not {_TYPE_WORDS[type_of(instance)]}"
        )
        notes: tuple[str, ...] = ()
        if types == ["string"] and isinstance(instance, dict) and len(instance) == 1:
            notes = ('YAML read "key: value" here. If this is a command or text containing ": ", quote it.',)
        elif "array" in types and set(types) <= {"array", "null"} and not isinstance(instance, list):
            notes = ('Write each entry on its own line starting with "- ".',)
        return SchemaError("type", path, message, notes=notes)

    def _value_error(self, schema: dict[str, Any], instance: Any, path: Path, options: list[Any]) -> SchemaError:
        if schema.get("x-message"):
            return SchemaError("value", path, schema["x-message"], keyword="enum")
        shown = ", ".join(_show(o) for o in options[:12]) + (", ..." if len(options) > 12 else "")
        suggestion = did_you_mean(instance, options) if isinstance(instance, str) else None
        if len(options) == 1:
            message = f"{self.where(path)} must be {_show(options[0])}, not {_show(instance)}"
        else:
            message = f"{_show(instance)} is not a valid value for {self.where(path)}; expected one of {shown}"
        if suggestion is not None:
            message += f'. Did you mean "{suggestion}"?'
        return SchemaError("value", path, message, suggestion=suggestion, keyword="enum")

    def _object(self, schema: dict[str, Any], instance: dict[str, Any], path: Path) -> list[SchemaError]:
        errors: list[SchemaError] = []
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        additional = schema.get("additionalProperties", True)
        for key in schema.get("required", ()):
            if key not in instance:
                errors.append(self._missing(key, instance, path))
        for key, dependents in schema.get("dependentRequired", {}).items():
            if key in instance:
                for dependent in dependents:
                    if dependent not in instance:
                        errors.append(
                            SchemaError(
                                "required",
                                path,
                                f'{self.where(path)} has "{key}" but not "{dependent}", which it needs',
                                at_key=True,
                            )
                        )
        count = len(instance)
        if "minProperties" in schema and count < schema["minProperties"]:
            minimum = schema["minProperties"]
            text = "must not be empty" if minimum == 1 else f"needs at least {minimum} entries"
            errors.append(SchemaError("value", path, schema.get("x-message") or f"{self.where(path)} {text}"))
        if "maxProperties" in schema and count > schema["maxProperties"]:
            errors.append(
                SchemaError("value", path, f"{self.where(path)} allows at most {schema['maxProperties']} entries")
            )
        names = schema.get("propertyNames")
        for key, value in instance.items():
            child = (*path, key)
            if names is not None:
                for error in self._check(names, key, child):
                    message = f'key "{key}" in {self.where(path)}: {error.message}'
                    errors.append(replace(error, path=child, message=message, at_key=True))
            matched = False
            if key in properties:
                matched = True
                errors += self._check(properties[key], value, child)
            for pattern, sub in patterns.items():
                if _regex(pattern).search(key):
                    matched = True
                    errors += self._check(sub, value, child)
            if not matched:
                if additional is False:
                    errors.append(self._unknown(key, properties, path))
                elif isinstance(additional, dict):
                    errors += self._check(additional, value, child)
        return errors

    def _missing(self, key: str, instance: dict[str, Any], path: Path) -> SchemaError:
        near = did_you_mean(key, [k for k in instance if isinstance(k, str)])
        notes = (f'"{near}" is present: is it a misspelling of "{key}"?',) if near and near != key else ()
        where = f"{self.where(path)} is" if path else f"the {self.root_name} is"
        return SchemaError(
            "required", path, f'{where} missing the required key "{key}"', at_key=True, notes=notes, key=key
        )

    def _unknown(self, key: str, properties: dict[str, Any], path: Path) -> SchemaError:
        suggestion = did_you_mean(key, properties)
        where = self.where(path) if path else f"the top level of the {self.root_name}"
        message = f'unknown key "{key}" in {where}'
        if suggestion:
            message += f'; did you mean "{suggestion}"?'
        allowed = ", ".join(properties)
        notes = (f"Allowed keys: {allowed}.",) if allowed else ()
        return SchemaError("unknown-key", (*path, key), message, at_key=True, suggestion=suggestion, notes=notes)

    def _array(self, schema: dict[str, Any], instance: list[Any], path: Path) -> list[SchemaError]:
        errors: list[SchemaError] = []
        count = len(instance)
        if "minItems" in schema and count < schema["minItems"]:
            minimum = schema["minItems"]
            text = "must not be empty" if minimum == 1 else f"needs at least {minimum} items, has {count}"
            errors.append(SchemaError("value", path, schema.get("x-message") or f"{self.where(path)} {text}"))
        if "maxItems" in schema and count > schema["maxItems"]:
            errors.append(
                SchemaError("value", path, f"{self.where(path)} allows at most {schema['maxItems']} items, has {count}")
            )
        prefix = schema.get("prefixItems", ())
        for index, item in enumerate(instance):
            sub = prefix[index] if index < len(prefix) else schema.get("items", True)
            errors += self._check(sub, item, (*path, index))
        if schema.get("uniqueItems"):
            seen: list[Any] = []
            for index, item in enumerate(instance):
                if any(_equal(item, other) for other in seen):
                    errors.append(
                        SchemaError("value", (*path, index), f"{self.where((*path, index))} repeats an earlier item")
                    )
                seen.append(item)
        return errors

    def _string(self, schema: dict[str, Any], instance: str, path: Path) -> list[SchemaError]:
        errors: list[SchemaError] = []
        length = len(instance)
        if "minLength" in schema and length < schema["minLength"]:
            text = (
                "must not be empty"
                if schema["minLength"] == 1
                else f"must be at least {schema['minLength']} characters"
            )
            errors.append(SchemaError("value", path, schema.get("x-message") or f"{self.where(path)} {text}"))
        if "maxLength" in schema and length > schema["maxLength"]:
            errors.append(
                SchemaError(
                    "value", path, f"{self.where(path)} must be at most {schema['maxLength']} characters, has {length}"
                )
            )
        if "pattern" in schema and not _regex(schema["pattern"]).search(instance):
            message = (
                schema.get("x-message")
                or f"{_show(instance)} does not match the format of {self.where(path)} ({schema['pattern']})"
            )
            errors.append(SchemaError("value", path, message, keyword="pattern", pattern=schema["pattern"]))
        return errors

    def _number(self, schema: dict[str, Any], instance: float, path: Path) -> list[SchemaError]:
        bounds = (
            ("minimum", lambda v, b: v >= b, "at least"),
            ("maximum", lambda v, b: v <= b, "at most"),
            ("exclusiveMinimum", lambda v, b: v > b, "more than"),
            ("exclusiveMaximum", lambda v, b: v < b, "less than"),
        )
        errors = []
        for keyword, ok, words in bounds:
            if keyword in schema and not ok(instance, schema[keyword]):
                message = (
                    schema.get("x-message")
                    or f"{self.where(path)} must be {words} {schema[keyword]}, not {_show(instance)}"
                )
                errors.append(SchemaError("value", path, message))
        if "multipleOf" in schema and (instance / schema["multipleOf"]) % 1:
            errors.append(
                SchemaError("value", path, f"{self.where(path)} must be a multiple of {schema['multipleOf']}")
            )
        return errors

    def _alternatives(
        self, schema: dict[str, Any], branches: list[Any], instance: Any, path: Path, *, exactly_one: bool
    ) -> list[SchemaError]:
        results = [self._check(branch, instance, path) for branch in branches]
        passing = sum(1 for r in results if not r)
        if passing == 1 or (passing > 1 and not exactly_one):
            return []
        if passing > 1:
            return [
                SchemaError(
                    "value", path, schema.get("x-message") or f"{self.where(path)} matches more than one allowed form"
                )
            ]
        if schema.get("x-message"):
            return [SchemaError("value", path, schema["x-message"])]

        # Report the branch that got furthest: its root type fits and it has the fewest, deepest errors.
        def rank(item: tuple[Any, list[SchemaError]]) -> tuple[int, int, int]:
            _, errors = item
            type_miss = any(e.kind == "type" and e.path == path for e in errors)
            return (type_miss, len(errors), -max(len(e.path) for e in errors))

        viable = [(b, r) for b, r in zip(branches, results, strict=True) if r]
        best = min(viable, key=rank)
        if all(rank(item)[0] for item in viable):
            types: list[str] = []
            for branch in branches:
                resolved = self._resolve(branch["$ref"]) if "$ref" in branch else branch
                for t in (
                    [resolved.get("type")] if isinstance(resolved.get("type"), str) else resolved.get("type") or []
                ):
                    if t not in types:
                        types.append(t)
            if types:
                return [self._type_error({}, types, instance, path)]
        return best[1]


def _tolerated(severity: str | dict[str, str], errors: list[SchemaError], path: Path) -> list[SchemaError]:
    """Apply x-severity: a string for every error of the subschema, or {property: severity} for the errors
    about one property (its value, or its absence)."""
    out = []
    for error in errors:
        if error.severity is None:
            if isinstance(severity, str):
                error = replace(error, severity=severity)
            else:
                prop = (
                    error.key
                    if error.kind == "required"
                    else (error.path[len(path)] if len(error.path) > len(path) else None)
                )
                if isinstance(prop, str) and prop in severity:
                    error = replace(error, severity=severity[prop])
        out.append(error)
    return out


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


@cache
def load_schema(name: str, root_name: str) -> Schema:
    """Load schemas/<name>.schema.json once per process."""
    text = resources.files("codeward.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    return Schema(json.loads(text), root_name)
