"""`codeward lint`: find definition files, lint them (cached, in parallel), fix what can be fixed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from codeward.linters.engine import FileResult, lint_file
from codeward.linters.kinds import DEFINITION_SUFFIXES, KINDS

from codeward.config import Config
from codeward.findings import Finding
from codeward.sources import MAX_BYTES


@dataclass(frozen=True)
class Task:
    path: str
    kind: str | None
    # Named on the command line (report it even if it is not a definition file).
    explicit: bool
    config: Config
    cache_dir: str | None


def discover(paths: list[str], config: Config) -> list[tuple[str, bool]]:
    """(path, explicit) for every file to consider, in a stable order, excluded paths dropped."""
    from codeward.files import walk_paths

    return walk_paths(paths, config, DEFINITION_SUFFIXES)


def _cache_settings(task: Task) -> str:
    from codeward.cache import config_stamp

    return repr((config_stamp(task.config), task.kind, task.explicit))


def lint_task(task: Task) -> FileResult:
    select = task.config.selector_for(task.path)
    cache = None
    if task.cache_dir:
        from codeward.cache import Cache, read_for_key

        data = read_for_key(task.path, MAX_BYTES)
        if data is not None:
            cache = Cache(task.cache_dir, "lint", _cache_settings(task))
            key = cache.key(task.path, data)
            hit = cache.get(key)
            if hit is not None:
                meta, findings = hit
                # The entry may come from a run that named the file differently (absolute vs relative).
                findings = [replace(f, path=task.path) for f in findings]
                return FileResult(
                    task.path,
                    meta.get("kind"),
                    findings,
                    skipped=bool(meta.get("skipped")),
                    confirmed=bool(meta.get("confirmed")),
                )
    result = lint_file(task.path, kind=task.kind, select=select, explicit=task.explicit)
    # AppSpec rules look at other files of the revision, so their results cannot be keyed by one file.
    if cache is not None and result.kind != "appspec" and not result.internal_error:
        cache.put(key, {"kind": result.kind, "skipped": result.skipped, "confirmed": result.confirmed}, result.findings)
    return result


def run_lint(paths: list[str], config: Config, *, kind: str | None, use_cache: bool, jobs: int) -> list[FileResult]:
    from codeward.runner import run_all

    if kind is not None and kind not in KINDS:
        raise ValueError(f'unknown kind "{kind}" (expected one of {", ".join(KINDS)})')
    cache_dir = None
    if use_cache:
        from codeward.cache import cache_dir_for

        cache_dir = cache_dir_for(config)
    tasks = [Task(p, kind, explicit, config, cache_dir) for p, explicit in discover(paths, config)]
    return run_all(lint_task, tasks, jobs or config.jobs)


def fix_files(
    results: list[FileResult], config: Config, allowed: Callable[[list[Finding]], list[Finding]] = list
) -> tuple[int, list[Finding]]:
    """Apply the available fixes of the findings `allowed` keeps (with --diff: those on changed lines);
    return the number applied and the findings that remain."""
    from codeward.fixes import apply_fixes, write_fixed
    from codeward.sources import read_text

    applied = 0
    remaining: list[Finding] = []
    for result in results:
        # Never rewrite a file whose kind its content did not establish (a look-alike, or --kind alone).
        fixable = [f for f in allowed(result.findings) if f.fix is not None] if result.confirmed else []
        if not fixable:
            remaining += result.findings
            continue
        text = read_text(result.path)
        if not isinstance(text, str):
            remaining += result.findings
            continue
        new_text, count = apply_fixes(text, fixable)
        if count and not write_fixed(result.path, new_text):
            remaining += result.findings
        elif count:
            applied += count
            rerun = lint_file(result.path, kind=result.kind, select=config.selector_for(result.path))
            remaining += rerun.findings
        else:
            remaining += result.findings
    return applied, remaining
