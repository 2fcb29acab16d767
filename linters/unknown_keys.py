"""Unknown keys that CodeBuild or the CodeDeploy agent ignore, told apart from keys in the wrong place.

Both services read the keys they know and pass over the rest (CodeBuild logs "keys cannot be identified",
the agent reads `version`, `os`, `files`, `permissions`, `hooks`, `file_exists_behavior` and nothing else).
An unknown key is therefore harmless in itself (`overwrite: yes` under `files`, a stray `commands:` beside a
hook script) unless the author meant a documented key: misspelled (the schema's did-you-mean) or put at the
wrong level (`pre_build:` indented under `install:`, `ApplicationStart:` beside `hooks:` instead of under
it, a variable written straight under `env:`). Those lose their effect, and are errors.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from codeward.linters.document import Path

# Lifecycle event names: the keys of `hooks`, which the schema leaves open (custom events are allowed).
LIFECYCLE_EVENTS = (
    "ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall", "ApplicationStart",
    "ValidateService", "BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic",
    "AllowTraffic", "AfterAllowTraffic", "AfterAllowTestTraffic",
)  # fmt: skip
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@cache
def _homes(schema_id: int, schema: Any) -> dict[str, str]:
    """Every key the schema knows, with the first place it belongs (`phases.build`, `env`...)."""
    homes: dict[str, str] = {}
    seen: set[int] = set()

    def walk(node: Any, where: str) -> None:
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))
        if "$ref" in node:
            walk(schema._resolve(node["$ref"]), where)
        for name, sub in (node.get("properties") or {}).items():
            homes.setdefault(name, where or "the top level")
            walk(sub, f"{where}.{name}" if where else name)
        for keyword in ("items", "additionalProperties", "if", "then", "else", "not"):
            if isinstance(node.get(keyword), dict):
                walk(node[keyword], f"{where}[]" if keyword == "items" else where)
        for keyword in ("allOf", "anyOf", "oneOf", "prefixItems"):
            for sub in node.get(keyword) or ():
                walk(sub, where)
        for sub in (node.get("patternProperties") or {}).values():
            walk(sub, where)

    walk(schema.document, "")
    return homes


# CodeBuild's phases: any other key under `phases` is passed over, commands and all.
PHASES = ("install", "pre_build", "build", "post_build")


def lost_phase(kind: str, parent: Path, key: Any, value: Any) -> str | None:
    """A note when an unknown key under `phases` has a phase's shape (it holds `commands`): a phase of the
    author's own making (`test:`, `deploy:`), whose commands CodeBuild never runs; else None."""
    if kind == "buildspec" and parent == ("phases",) and isinstance(value, dict) and "commands" in value:
        return (
            f'CodeBuild runs only the phases {", ".join(PHASES)}: it ignores "{key}", so its commands never run '
            "and the build succeeds without them."
        )
    return None


def misplaced(kind: str, schema: Any, parent: Path, key: Any) -> str | None:
    """A note saying where `key` belongs when it is a documented key out of place, else None."""
    if not isinstance(key, str):
        return None
    if kind == "buildspec" and parent == ("env",) and _VARIABLE.match(key):
        return f'Variables go under env.variables: as written, CodeBuild ignores "{key}" and never sets it.'
    # A stray backslash or space in front of the name (`\\   AfterInstall:` at column 0) still names the event.
    event = key.lstrip("\\ \t")
    if kind == "appspec" and event in LIFECYCLE_EVENTS and "hooks" not in parent:
        written = "" if event == key else f' (written "{key}")'
        return f'"{event}"{written} is a lifecycle event: it belongs under hooks, where the agent looks for it.'
    home = _homes(id(schema), schema).get(key)
    if home is None:
        return None
    if home == "the top level" and not parent:
        # Where this form of the file does not take it (`os:` in a Lambda or ECS AppSpec): there is no other
        # level to move it to.
        return f'"{key}" belongs to the top level of another form of this file; here it is ignored.'
    return f'"{key}" is a key of {home}, not of this level; as written it is ignored.'
