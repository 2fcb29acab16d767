"""Seeded-defect generator: realistic single defects injected into valid files, with the defect's line.

The generator knows nothing about codeward's rules; it edits the text of the bundled valid examples
the way people get these files wrong (misspelled keys, wrong enum values, misplaced keys, reserved
hooks, dangling artifacts, provider mismatches, plaintext secrets, YAML mistakes). A defect counts as
found when codeward reports a finding of severity warning or higher on the defect's line.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codeward.linters.document import PList, PMap
from codeward.linters.engine import load_document
from codeward.linters.kinds import kind_by_content, kind_by_name


@dataclass(frozen=True)
class Seeded:
    source: Path
    category: str
    text: str
    line: int
    description: str


def _walk(node: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def _replace(text: str, span: Any, new: str) -> str:
    lines = text.split("\n")
    line = lines[span.line - 1]
    end = span.end_column - 1 if span.end_line == span.line else len(line)
    lines[span.line - 1] = line[: span.column - 1] + new + line[end:]
    return "\n".join(lines)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    choice = rng.randrange(3)
    if choice == 0:
        return word[:i] + word[i + 1 :]  # drop a letter
    if choice == 1:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]  # swap two
    return word[:i] + word[i] + word[i:]  # double a letter


def _mapping_keys(data: Any) -> list[tuple[PMap, str]]:
    return [(node, key) for _, node in _walk(data) if isinstance(node, PMap) for key in node]


def misspelled_key(text: str, data: Any, kind: str, rng: random.Random) -> tuple[str, int, str] | None:
    # Keys the format defines (not user-chosen names such as variables, report groups or stage names).
    user_named = ("variables", "parameter-store", "secrets-manager", "reports", "secondary-artifacts", "runtime-versions",
                  "configuration", "Configuration", "Parameters", "Resources", "Outputs", "Mappings", "Conditions",
                  "exported-variables", "Tags", "Metadata", "static", "dynamic")  # fmt: skip
    candidates = []
    for path, node in _walk(data):
        if (
            isinstance(node, PMap)
            and not (path and path[-1] in user_named)
            and not (len(path) >= 2 and path[-2] in user_named)
        ):
            if kind == "appspec" and path and path[-1] == "hooks":
                continue
            for key in node:
                if (
                    key.replace("-", "").replace("_", "").isalpha()
                    and len(key) >= 4
                    and not key.startswith(("Fn::", "AWS"))
                ):
                    candidates.append((node, key))
    if not candidates:
        return None
    node, key = rng.choice(candidates)
    bad = _typo(key, rng)
    if bad in node:
        return None
    span = node.key_spans[key]
    return _replace(text, span, bad), span.line, f"{key} -> {bad}"


# Keys whose values are enumerations, per kind (the same key name means other things elsewhere).
ENUM_KEYS = {
    "buildspec": {"on-failure": "ABORTS", "file-format": "JUNIT", "action": "load", "shell": "zsh"},
    "appspec": {"os": "linux2", "file_exists_behavior": "REPLACE", "AssignPublicIp": "YES"},
    "pipeline": {
        "category": "Sourcing", "Category": "Sourcing", "owner": "Amazon", "Owner": "Amazon",
        "executionMode": "SERIAL", "ExecutionMode": "SERIAL", "pipelineType": "V3", "PipelineType": "V3",
    },
}  # fmt: skip


def wrong_enum(text: str, data: Any, kind: str, rng: random.Random) -> tuple[str, int, str] | None:
    enums = ENUM_KEYS[kind]
    type_keys = ("category", "Category", "owner", "Owner")  # enums only inside actionTypeId
    candidates = [
        (node, key)
        for path, node in _walk(data)
        if isinstance(node, PMap)
        for key in node
        if key in enums
        and isinstance(node[key], str)
        and key in node.value_spans
        and (key not in type_keys or (path and path[-1] in ("actionTypeId", "ActionTypeId")))
    ]
    if not candidates:
        return None
    node, key = rng.choice(candidates)
    span = node.value_spans[key]
    quote = '"' if text.split("\n")[span.line - 1][span.column - 1 : span.column] == '"' else ""
    return _replace(text, span, f"{quote}{enums[key]}{quote}"), span.line, f"{key}: {enums[key]}"


def misplaced_key(text: str, data: Any, kind: str, rng: random.Random) -> tuple[str, int, str] | None:
    """Move a key to the wrong level: runtime-versions into build, timeout onto a hook event, runOrder
    into actionTypeId. Done on YAML text by re-indenting one line; JSON by renaming into a sibling."""
    lines = text.split("\n")
    if kind == "buildspec" and isinstance(data.get("phases"), PMap) and "build" in data["phases"]:
        build = data["phases"]["build"]
        if isinstance(build, PMap) and build:
            key_span = next(iter(build.key_spans.values()))
            indent = " " * (key_span.column - 1)
            lines.insert(key_span.line - 1, f"{indent}runtime-versions:\n{indent}  python: 3.12")
            return "\n".join(lines), key_span.line, "runtime-versions in build"
    if kind == "buildspec" and isinstance(data.get("env"), PMap):
        span = data.key_spans["env"]
        indent = " " * (span.column - 1)
        lines.insert(span.line - 1, f"{indent}exported-variables:\n{indent}  - IMAGE_TAG")
        return "\n".join(lines), span.line, "exported-variables at top level"
    return None


def secret(text: str, data: Any, kind: str, rng: random.Random) -> tuple[str, int, str] | None:
    if kind != "buildspec":
        return None
    env = data.get("env") if isinstance(data, dict) else None
    value = rng.choice(["AKIAIOSFODNN7Q2XW3ZT", "ghp_" + "".join(rng.choice("abcdefghijkLMNOP0123456789") for _ in range(36)),
                        "pW7#kd92!Lq0vZr8"])  # fmt: skip
    name = rng.choice(["DB_PASSWORD", "GITHUB_TOKEN", "AWS_ACCESS_KEY_ID", "API_KEY"])
    lines = text.split("\n")
    if isinstance(env, PMap) and isinstance(env.get("variables"), PMap) and env["variables"]:
        first = next(iter(env["variables"].key_spans.values()))
        lines.insert(first.line - 1, " " * (first.column - 1) + f'{name}: "{value}"')
        return "\n".join(lines), first.line, f"{name} in env.variables"
    return None


def yaml_error(text: str, data: Any, kind: str, rng: random.Random) -> tuple[str, int, str] | None:
    """A syntax mistake people make: a tab for indentation, a quote opened and never closed, a key
    indented one space off, a missing comma in JSON. Kept only if the file really stops parsing."""
    from codeward.linters.json_loader import load_json
    from codeward.linters.yaml_loader import load_yaml

    is_json = text.lstrip().startswith("{")
    lines = text.split("\n")
    for _ in range(20):
        index = rng.randrange(len(lines))
        line = lines[index]
        stripped = line.lstrip()
        if not stripped or stripped.startswith(("#", "//")):
            continue
        indent = line[: len(line) - len(stripped)]
        if is_json:
            if not line.rstrip().endswith(","):
                continue
            new, description = line.rstrip()[:-1], "missing comma"
        else:
            choice = rng.randrange(3)
            if choice == 0 and indent:
                new, description = "\t" + stripped, "tab indentation"
            elif choice == 1 and (": " in stripped or stripped.startswith("- ")):
                head, sep, value = stripped.partition(": ") if ": " in stripped else ("", "- ", stripped[2:])
                if not value or value[0] in "\"'|>[{":
                    continue
                new, description = indent + head + sep + '"' + value, "unterminated quote"
            elif choice == 2 and ":" in stripped and index > 0:
                new, description = " " + line, "key indented one space off"
            else:
                continue
        candidate = "\n".join([*lines[:index], new, *lines[index + 1 :]])
        _, problems = (load_json if is_json else load_yaml)(candidate)
        if any(p.code in ("CWF001", "CWF003") for p in problems):
            # A missing comma shows at the next token, which people also read as the defect's place.
            return candidate, index + 1, description
    return None


def reserved_hook(text: str, data: Any, kind: str, rng: random.Random) -> tuple[str, int, str] | None:
    if kind != "appspec" or not isinstance(data, PMap):
        return None
    hooks = data.get("hooks") if "hooks" in data else data.get("Hooks")
    if isinstance(hooks, PMap) and hooks:
        key = rng.choice(list(hooks))
        span = hooks.key_spans[key]
        bad = rng.choice(["DownloadBundle", "Install", "AllowTraffic", "BlockTraffic"])
        return _replace(text, span, bad) if bad not in hooks else None, span.line, f"hook {bad}"
    if isinstance(hooks, PList) and hooks and isinstance(hooks[0], PMap) and hooks[0]:
        entry = rng.choice([h for h in hooks if isinstance(h, PMap) and h])
        key = next(iter(entry))
        span = entry.key_spans[key]
        return _replace(text, span, "AllowTraffic"), span.line, "hook AllowTraffic"
    return None


def _actions(data: Any) -> list[PMap]:
    return [
        node
        for path, node in _walk(data)
        if isinstance(node, PMap) and len(path) >= 2 and path[-2] in ("actions", "Actions")
    ]


def dangling_artifact(text: str, data: Any, kind: str, rng: random.Random) -> tuple[str, int, str] | None:
    if kind != "pipeline":
        return None
    spots = []
    for action in _actions(data):
        inputs = action.get("inputArtifacts", action.get("InputArtifacts"))
        if isinstance(inputs, PList):
            for item in inputs:
                if isinstance(item, PMap):
                    for key in ("name", "Name"):
                        if isinstance(item.get(key), str):
                            spots.append((item, key))
    if not spots:
        return None
    item, key = rng.choice(spots)
    span = item.value_spans[key]
    quote = '"' if text.split("\n")[span.line - 1][span.column - 1] == '"' else ""
    return _replace(text, span, f"{quote}{item[key]}Missing{quote}"), span.line, "input artifact not produced"


PROVIDER_SWAP = {"CodeBuild": "CodeDeploy", "CodeDeploy": "CodeBuild", "CodeCommit": "CodeBuild", "S3": "CodeCommit",
                 "CloudFormation": "CodeBuild", "Manual": "CodeBuild", "ECS": "Manual", "Lambda": "Manual",
                 "CodeStarSourceConnection": "CodeDeploy"}  # fmt: skip


def provider_mismatch(text: str, data: Any, kind: str, rng: random.Random) -> tuple[str, int, str] | None:
    if kind != "pipeline":
        return None
    spots = []
    for action in _actions(data):
        type_id = action.get("actionTypeId", action.get("ActionTypeId"))
        if isinstance(type_id, PMap):
            for key in ("provider", "Provider"):
                if type_id.get(key) in PROVIDER_SWAP:
                    spots.append((type_id, key))
    if not spots:
        return None
    type_id, key = rng.choice(spots)
    span = type_id.value_spans[key]
    quote = '"' if text.split("\n")[span.line - 1][span.column - 1] == '"' else ""
    new = PROVIDER_SWAP[type_id[key]]
    return _replace(text, span, f"{quote}{new}{quote}"), span.line, f"provider {type_id[key]} -> {new}"


OPERATORS: dict[str, Callable[..., tuple[str, int, str] | None]] = {
    "misspelled key": misspelled_key,
    "wrong enum": wrong_enum,
    "misplaced key": misplaced_key,
    "plaintext secret": secret,
    "YAML/JSON error": yaml_error,
    "reserved hook": reserved_hook,
    "dangling artifact": dangling_artifact,
    "provider mismatch": provider_mismatch,
}


def seeded_set(examples: Path, per_file: int = 3, seed: int = 1121) -> list[Seeded]:
    rng = random.Random(seed)
    out: list[Seeded] = []
    for path in sorted(examples.rglob("*")):
        if path.suffix not in (".yml", ".yaml", ".json", ".template") or not path.is_file():
            continue
        text = path.read_text()
        document = load_document(str(path), text)
        kind = kind_by_name(str(path)) or kind_by_content(document.data)
        if kind is None or document.data is None:
            continue
        names = list(OPERATORS)
        rng.shuffle(names)
        made = 0
        for name in names:
            if made >= per_file:
                break
            result = OPERATORS[name](text, document.data, kind, rng)
            if result is None or result[0] is None or result[0] == text:
                continue
            mutated, line, description = result
            out.append(Seeded(path, name, mutated, line, description))
            made += 1
    return out
