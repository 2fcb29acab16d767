"""Facts about AppSpec files shared by the CWA rules: the compute platform, lifecycle events and where
the hooks, scripts and files of a document are. The platform is told exactly the way
schemas/appspec.schema.json tells it, so the rules and the schema never disagree about a file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from codeward.linters.document import Path
from codeward.linters.rule import Context

SERVER_HOOKS = (
    "ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService",
    "BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic", "AfterAllowTraffic",
)  # fmt: skip
# Run only with a load balancer (in-place) or in a blue/green deployment.
LOAD_BALANCER_HOOKS = ("BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic", "AfterAllowTraffic")
LAMBDA_HOOKS = ("BeforeAllowTraffic", "AfterAllowTraffic")
ECS_HOOKS = ("BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic")
# Events CodeDeploy runs itself; no script or function can be attached to them.
RESERVED_EVENTS = (
    "Start", "DownloadBundle", "Install", "BlockTraffic", "AllowTestTraffic", "TestTraffic", "AllowTraffic", "End",
)  # fmt: skip

SERVER, LAMBDA, ECS, SERVERLESS = "server", "lambda", "ecs", "serverless"
PLATFORM_TITLES = {SERVER: "EC2/On-Premises", LAMBDA: "Lambda", ECS: "ECS", SERVERLESS: "Lambda or ECS"}
VALID_HOOKS = {
    SERVER: SERVER_HOOKS,
    LAMBDA: LAMBDA_HOOKS,
    ECS: ECS_HOOKS,
    SERVERLESS: tuple(dict.fromkeys(ECS_HOOKS + LAMBDA_HOOKS)),
}


def with_article(title: str) -> str:
    """ "an EC2/On-Premises", "a Lambda": the platform title with its indefinite article."""
    return ("an " if title[0] in "AEIOU" else "a ") + title


_EC2_KEYS = ("os", "files", "permissions", "file_exists_behavior")


def _typed(resources: Any, type_name: str) -> bool:
    if not isinstance(resources, list):
        return False
    for item in resources:
        if (
            isinstance(item, dict)
            and item
            and all(isinstance(v, dict) and type_name in (v.get("Type"), v.get("type")) for v in item.values())
        ):
            return True
    return False


def _typed_any_casing(data: dict[str, Any], type_name: str) -> bool:
    return any(key in data and _typed(data[key], type_name) for key in ("Resources", "resources"))


def detect_platform(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if _typed_any_casing(data, "AWS::ECS::Service"):
        return ECS
    if _typed_any_casing(data, "AWS::Lambda::Function"):
        return LAMBDA
    serverless_shape = (
        "resources" in data or "Resources" in data or "Hooks" in data or isinstance(data.get("hooks"), list)
    )
    if serverless_shape and not any(key in data for key in _EC2_KEYS):
        return SERVERLESS
    return SERVER


def platform(ctx: Context) -> str | None:
    if "appspec.platform" not in ctx.cache:
        ctx.cache["appspec.platform"] = detect_platform(ctx.document.data)
    return ctx.cache["appspec.platform"]


def server_os(ctx: Context) -> str | None:
    """The os ("linux" or "windows") of a valid EC2/On-Premises AppSpec, else None."""
    data = ctx.document.data
    if platform(ctx) != SERVER:
        return None
    value = data.get("os")
    return value if value in ("linux", "windows") else None


@dataclass(frozen=True, slots=True)
class Hook:
    name: str
    # Path of the hook's key (report with key=True) and its value (scripts or function name).
    path: Path
    value: Any


def hooks(ctx: Context) -> list[Hook]:
    """Every hook of the document: EC2's `hooks` mapping or the Lambda/ECS list of one-key maps."""
    cached = ctx.cache.get("appspec.hooks")
    if cached is not None:
        return cached
    found: list[Hook] = []
    data = ctx.document.data
    kind = platform(ctx)
    if isinstance(data, dict):
        if kind == SERVER and isinstance(data.get("hooks"), dict):
            found = [Hook(name, ("hooks", name), value) for name, value in data["hooks"].items()]
        elif kind in (LAMBDA, ECS, SERVERLESS):
            for key in ("hooks", "Hooks"):
                entries = data.get(key)
                if not isinstance(entries, list):
                    continue
                for index, entry in enumerate(entries):
                    if isinstance(entry, dict):
                        found += [Hook(name, (key, index, name), value) for name, value in entry.items()]
    ctx.cache["appspec.hooks"] = found
    return found


@dataclass(frozen=True, slots=True)
class Script:
    event: str
    path: Path
    script: dict[str, Any]


def scripts(ctx: Context) -> list[Script]:
    """The script entries of an EC2/On-Premises AppSpec's hooks."""
    out = []
    for hook in hooks(ctx):
        if platform(ctx) == SERVER and isinstance(hook.value, list):
            out += [Script(hook.name, (*hook.path, i), s) for i, s in enumerate(hook.value) if isinstance(s, dict)]
    return out


def file_entries(ctx: Context) -> list[tuple[Path, dict[str, Any]]]:
    data = ctx.document.data
    if platform(ctx) != SERVER or not isinstance(data.get("files"), list):
        return []
    return [(("files", i), entry) for i, entry in enumerate(data["files"]) if isinstance(entry, dict)]


def permission_entries(ctx: Context) -> list[tuple[Path, dict[str, Any]]]:
    data = ctx.document.data
    if platform(ctx) != SERVER or not isinstance(data.get("permissions"), list):
        return []
    return [(("permissions", i), entry) for i, entry in enumerate(data["permissions"]) if isinstance(entry, dict)]


def revision(ctx: Context) -> Any:
    """The AppSpec's revision (linters.revision): its directory, or the artifact a buildspec packs it into."""
    if "appspec.revision" not in ctx.cache:
        from codeward.linters.revision import revision_for

        windows = isinstance(ctx.document.data, dict) and ctx.document.data.get("os") == "windows"
        ctx.cache["appspec.revision"] = revision_for(ctx.document.path, ctx.base_dir, windows)
    return ctx.cache["appspec.revision"]


def revision_path(ctx: Context, relative: str) -> str | None:
    """Where a path of the revision (relative to the AppSpec, as the agent reads it) is on disk; None when
    the path leaves the revision."""
    cleaned = relative.strip().replace("\\", "/").lstrip("/")
    normal = os.path.normpath(cleaned) if cleaned else "."
    if normal == ".." or normal.startswith("../"):
        return None
    return os.path.join(ctx.base_dir, normal)


def is_windows_path(value: str) -> bool:
    return "\\" in value or (len(value) >= 2 and value[1] == ":" and value[0].isalpha())
