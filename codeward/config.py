"""Configuration from `[tool.codeward]` in pyproject.toml, merged with command-line options.

Keys: select, extend-select, ignore, per-file-ignores, fail-on, exclude, extend-exclude, cache-dir, jobs.
Codes are matched by prefix as in ruff: "CWB" selects every buildspec rule, "ALL" every rule.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from codeward.findings import Severity
from codeward.globs import glob_regex

DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".codeward_cache")
KNOWN_KEYS = {
    "select", "extend-select", "ignore", "per-file-ignores", "fail-on", "exclude", "extend-exclude",
    "cache-dir", "jobs", "profiler", "reviewer",
}  # fmt: skip


class ConfigError(Exception):
    """Bad configuration: reported as a usage error (exit 2)."""


@dataclass
class Config:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    fail_on: Severity = Severity.WARNING
    exclude: list[str] = field(default_factory=list)
    # Directory that relative patterns in the config are relative to.
    root: str = "."
    source: str | None = None
    cache_dir: str | None = None
    # --cache-dir named it (trusted as named); from a configuration file it must stay inside its checkout.
    cache_dir_from_cli: bool = False
    jobs: int = 0
    raw: dict[str, Any] = field(default_factory=dict)
    # The codes and prefixes the user named (select, when given, and every extend-select): rules that are off
    # by default run only when asked for here.
    explicit: list[str] = field(default_factory=list)
    # --shard K/N: only the files of shard K (codeward.shard).
    shard: tuple[int, int] | None = None

    def selects(self, code: str) -> bool:
        """Longest matching prefix wins, ignore beating select at equal length (ruff's rule). A code that
        names the same problem as an ignored code (codeward.suppress.SAME_PROBLEM: lint's CWA104 and the
        simulation's CWA204) is ignored with it."""
        if _twin_ignored(code, self.ignore):
            return False
        best_select = max((len(p) for p in self.select if p == "ALL" or code.startswith(p)), default=-1)
        best_ignore = max((len(p) for p in self.ignore if p == "ALL" or code.startswith(p)), default=-1)
        if best_select < 0:
            return False
        return best_select > best_ignore

    def selector_for(self, path: str) -> Any:
        ignored = [
            code for pattern, codes in self.per_file_ignores.items() if self._matches(path, pattern) for code in codes
        ]
        if not ignored:
            return self.selects
        return lambda code: (
            self.selects(code) and not any(code.startswith(p) for p in ignored) and not _twin_ignored(code, ignored)
        )

    def is_excluded(self, path: str) -> bool:
        parts = os.path.normpath(path).split(os.sep)
        if any(part in DEFAULT_EXCLUDE for part in parts):
            return True
        return any(self._matches(path, pattern) for pattern in self.exclude)

    def _matches(self, path: str, pattern: str) -> bool:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root)).replace(os.sep, "/")
        regex = _glob_regex(pattern)
        if regex.fullmatch(relative):
            return True
        # A pattern without a slash matches a name at any depth, like .gitignore.
        return "/" not in pattern.rstrip("/") and any(regex.fullmatch(part) for part in relative.split("/"))


def _twin_ignored(code: str, ignored: list[str]) -> bool:
    from codeward.suppress import same_problem

    return any(twin in ignored for twin in same_problem(code)[1:])


def _glob_regex(pattern: str) -> re.Pattern[str]:
    return glob_regex(pattern.strip().removeprefix("./").rstrip("/"), subtree=True)


def find_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.codeward] table."""
    directory = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            with open(candidate, "rb") as handle:
                if b"[tool.codeward" in handle.read():
                    return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _toml() -> Any:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib


def _codes(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[tool.codeward] {key} must be a list of rule codes")
    out = [v.strip().upper() for v in value]
    for code in out:
        if not re.fullmatch(r"ALL|CW[A-Z]?\d{0,3}|C|CW", code):
            raise ConfigError(f'[tool.codeward] {key}: "{code}" is not a rule code or prefix (like CWB101 or CWB)')
    return out


def load_config(path: str | None, start: str = ".") -> Config:
    source = path or find_pyproject(start)
    if source is None:
        return Config()
    try:
        with open(source, "rb") as handle:
            document = _toml().load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {source}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{source} is not valid TOML: {exc}") from None
    return config_from_table(codeward_table(document, source), source)


def codeward_table(document: dict[str, Any], source: str) -> Any:
    """`[tool.codeward]` of a pyproject.toml under any name (a copy pinned from the base branch, say), or
    the whole file when it is codeward's own settings (`select = [...]` at the top)."""
    tool = document.get("tool")
    if isinstance(tool, dict) and "codeward" in tool:
        return tool["codeward"]
    if source.endswith("pyproject.toml") or any(key in document for key in ("tool", "project", "build-system")):
        return {}
    return document


def config_from_table(table: Any, source: str) -> Config:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.codeward] must be a table")
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        from codeward.linters.suggest import did_you_mean

        key = sorted(unknown)[0]
        hint = did_you_mean(key, KNOWN_KEYS)
        raise ConfigError(
            f'{source}: unknown key "{key}" in [tool.codeward]' + (f'; did you mean "{hint}"?' if hint else "")
        )
    config = Config(root=os.path.dirname(os.path.abspath(source)), source=source, raw=table)
    if "select" in table:
        config.select = config.explicit = _codes(table["select"], "select")
    extend = _codes(table.get("extend-select", []), "extend-select")
    config.select = config.select + extend
    config.explicit = config.explicit + extend
    config.ignore = _codes(table.get("ignore", []), "ignore")
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{source}: per-file-ignores must be a table of glob = [codes]")
    config.per_file_ignores = {glob: _codes(codes, f"per-file-ignores.{glob}") for glob, codes in pfi.items()}
    if "fail-on" in table:
        try:
            config.fail_on = Severity.parse(str(table["fail-on"]))
        except ValueError as exc:
            raise ConfigError(f"{source}: fail-on: {exc}") from None
    for key in ("exclude", "extend-exclude"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{source}: {key} must be a list of glob patterns")
        config.exclude += value
    cache_dir = table.get("cache-dir")
    if cache_dir is not None:
        config.cache_dir = os.path.join(config.root, str(cache_dir))
    jobs = table.get("jobs", 0)
    if not isinstance(jobs, int) or jobs < 0:
        raise ConfigError(f"{source}: jobs must be a non-negative integer (0 = one per CPU)")
    config.jobs = jobs
    return config
