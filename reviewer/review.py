"""Review Python files: read, pre-filter, parse, walk once, resolve positions, suppress; cached and parallel."""

from __future__ import annotations

import ast
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from codeward.config import Config
from codeward.findings import Edit, Finding, Fix, Severity, Span
from codeward.suppress import find_suppressions, is_suppressed

MAX_BYTES = 5 * 1024 * 1024
Selector = Callable[[str], bool]


@dataclass(slots=True)
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    internal_error: bool = False


def read_source(path: str) -> tuple[str | None, str]:
    """(text, "") or (None, why it cannot be reviewed). Honours BOMs and PEP 263 coding cookies."""
    from codeward.safepaths import read_refusal

    refused = read_refusal(path)
    if refused is not None:
        return None, refused
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None, "no such file"
    except IsADirectoryError:
        return None, "is a directory, not a file"
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"
    if len(data) > MAX_BYTES:
        return None, f"file is larger than the {MAX_BYTES // (1024 * 1024)} MiB limit; skipped"
    if b"\0" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "binary file (it contains NUL bytes), not Python source"
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        from codeward.sources import ReadError, decode

        where = decode(data)
        if isinstance(where, ReadError):
            line, column = where.span.line, where.span.column
            return None, f"{where.message} at line {line}, column {column}; save it as UTF-8 or declare its encoding"
        return None, f"cannot decode the file as Python source: {exc}"
    if text.startswith("\ufeff"):
        text = text[1:]
    return (text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text), ""


@cache
def _tables(rule_types: tuple[type, ...]) -> tuple[dict[type, list], dict[type, list]]:
    import libcst as cst

    visitors: dict[type, list] = {}
    leavers: dict[type, list] = {}
    for rule_type in rule_types:
        instance = rule_type()
        for attr in dir(rule_type):
            if attr.startswith("visit_"):
                visitors.setdefault(getattr(cst, attr[6:]), []).append((rule_type, getattr(instance, attr)))
            elif attr.startswith("leave_"):
                leavers.setdefault(getattr(cst, attr[6:]), []).append((rule_type, getattr(instance, attr)))
    return visitors, leavers


def _finding(code: str, message: str, path: str, span: Span) -> Finding:
    from codeward.reviewer.rules import rules_by_code

    rule = rules_by_code()[code]
    return Finding(code, message, path, span, rule.severity, rule.name)


def _syntax_error(path: str, text: str, error: Exception) -> Finding:
    """libcst's positions for syntax errors are rough; CPython's own compiler says where, when it objects too."""
    line = getattr(error, "raw_line", 1) or 1
    column = (getattr(error, "raw_column", 0) or 0) + 1
    message = str(getattr(error, "message", error)).replace("parser error: ", "")
    try:
        compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        line, column = exc.lineno or line, exc.offset or column
        message = exc.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    return _finding("CWR001", f"syntax error: {message}; the file was not reviewed", path, Span.point(line, column))


def review_text(path: str, text: str, select: Selector = lambda code: True) -> list[Finding]:
    from codeward.reviewer.rules import all_rules
    from codeward.reviewer.rules.meta import MetaRule

    rules = [r for r in all_rules() if not issubclass(r, MetaRule) and select(r.code)]
    facts: dict[object, bool] = {}
    active = tuple(r for r in rules if r.may_match(text, facts))
    findings: list[Finding] = []
    if active:
        findings = _review_parsed(path, text, active)
    elif select("CWR001"):
        findings = _syntax_only(path, text)
    findings = [f for f in findings if select(f.code)]
    from codeward.reviewer.ml.confidence import attach

    findings = attach(path, text, findings, select)
    return _suppress(path, text, findings, select)


def _syntax_only(path: str, text: str) -> list[Finding]:
    """No rule can match: CPython's fast parser checks the syntax, libcst only when that one objects (it
    may be newer syntax than this interpreter knows)."""
    try:
        compile(text, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        return []
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _review_parsed(path, text, ())


def _review_parsed(path: str, text: str, active: tuple[type, ...]) -> list[Finding]:
    import libcst as cst
    from codeward.reviewer.engine import Context, Walker

    too_deep = _too_deep(path, text)
    if too_deep is not None:
        return [too_deep]
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError) as exc:
        return [_syntax_error(path, text, exc)]
    if not active:
        return []
    ctx = Context(path, text, module)
    visitors, leavers = _tables(active)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 12000))
    try:
        Walker(ctx, visitors, leavers).run(module)
        return _resolve(ctx)
    except RecursionError:
        message = "expressions nested too deeply to review; split them up"
        return [_finding("CWR003", message, path, Span(1, 1, 1, 2))]
    finally:
        sys.setrecursionlimit(limit)


_BRACKETS = re.compile(r"[()\[\]{}]")


def _too_deep(path: str, text: str) -> Finding | None:
    """CPython refuses more than 200 nested brackets, and libcst's native parser can crash the process on
    far deeper nesting: check cheaply first, and let the interpreter's compiler have the last word."""
    if text.count("(") + text.count("[") + text.count("{") <= 200:
        return None
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "([{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    if deepest <= 200:
        return None
    try:
        compile(text, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if "nested" in (exc.msg or ""):
            span = Span.point(exc.lineno or 1, exc.offset or 1)
            return _finding("CWR001", f"syntax error: {exc.msg}; the file was not reviewed", path, span)
    except (ValueError, RecursionError, MemoryError):
        return _finding("CWR003", "expressions nested too deeply to review; split them up", path, Span(1, 1, 1, 2))
    return None


def _resolve(ctx) -> list[Finding]:  # ctx: reviewer.engine.Context
    from codeward.reviewer.positions import positions

    if not ctx.pending:
        return []
    nodes = []
    for pending in ctx.pending:
        nodes.append(pending.node)
        if pending.taint is not None:
            nodes.append(pending.taint.node)
            nodes += [node for _, node in pending.taint.steps]
        if pending.fix is not None:
            nodes += [edit[0] for edit in pending.fix[1]]
    where = positions(ctx.module, nodes)
    out: dict[tuple[str, Span], Finding] = {}
    for pending in ctx.pending:
        span = where.get(id(pending.node))
        if span is None:
            continue
        rule = pending.rule
        notes = list(pending.notes)
        if pending.taint is not None:
            notes.insert(0, _flow(pending.taint, where, span))
        fix = None
        if pending.fix is not None:
            description, edits = pending.fix
            spans = [(_edit_span(where.get(id(edit[0])), edit), edit[1]) for edit in edits]
            if all(s is not None for s, _ in spans):
                fix = Fix(description, tuple(Edit(s, replacement) for s, replacement in spans))  # type: ignore[arg-type]
        message = pending.message + (f" (CWE-{rule.cwe})" if rule.cwe else "")
        severity = pending.severity if isinstance(pending.severity, Severity) else rule.severity
        related: tuple[int, ...] = ()
        if pending.taint is not None:
            nodes_of_flow = [pending.taint.node, *(node for _, node in pending.taint.steps)]
            related = tuple(sorted({at.line for at in map(where.get, map(id, nodes_of_flow)) if at is not None}))
        finding = Finding(
            rule.code, message, ctx.path, span, severity, rule.name, fix, notes=tuple(notes), related=related
        )
        out.setdefault((rule.code, span), finding)
    return list(out.values())


def _edit_span(span: Span | None, edit: tuple) -> Span | None:
    """An edit replaces its node's span, or only the first `edit[2]` characters of it (a keyword)."""
    if span is None or len(edit) < 3:
        return span
    return Span(span.line, span.column, span.line, span.column + edit[2])


def _flow(taint, where: dict[int, Span], sink: Span) -> str:
    start = where.get(id(taint.node))
    parts = [f"{taint.source} (line {start.line})" if start else taint.source]
    for name, node in taint.steps:
        at = where.get(id(node))
        parts.append(f"`{name}` (line {at.line})" if at else f"`{name}`")
    parts.append(f"the sink (line {sink.line})")
    return "data flow: " + " -> ".join(parts)


def _suppress(path: str, text: str, findings: list[Finding], select: Selector) -> list[Finding]:
    suppressions = find_suppressions(text)
    if suppressions:
        findings = [f for f in findings if not is_suppressed(suppressions, f.code, f.span.line)]
        if select("CWR002"):
            lines = text.split("\n")
            for s in suppressions:
                if not s.used and (s.codes is None or any(c.startswith("CWR") for c in s.codes)):
                    what = "codeward: ignore" + (f"[{', '.join(sorted(s.codes))}]" if s.codes else "")
                    end = len(lines[s.line - 1]) + 1
                    findings.append(
                        _finding(
                            "CWR002",
                            f"unused suppression: no finding here matches {what}",
                            path,
                            Span(s.line, s.column, s.line, end),
                        )
                    )
    findings.sort(key=Finding.sort_key)
    return findings


def review_file(path: str, select: Selector = lambda code: True) -> FileResult:
    text, problem = read_source(path)
    if text is None:
        result = FileResult(path)
        if select("CWR003"):
            result.findings.append(_finding("CWR003", problem, path, Span(1, 1, 1, 1)))
        return result
    try:
        return FileResult(path, review_text(path, text, select))
    except Exception as exc:  # a bug in one rule must not hide the other files' findings
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        finding = _finding("CWR900", f"internal error while reviewing this file: {detail}", path, Span(1, 1, 1, 2))
        return FileResult(path, [finding], internal_error=True)


# ---------------------------------------------------------------------------------------------------
# Many files.


@dataclass(frozen=True)
class Task:
    path: str
    config: Config
    cache_dir: str | None


def discover(paths: Sequence[str], config: Config, suffixes: tuple[str, ...] | None = (".py", ".pyi")) -> list[str]:
    """Files below directories with one of `suffixes` (None: every file), excluded paths dropped, and files
    named explicitly, in a stable order."""
    from codeward.files import walk_paths

    return [path for path, _ in walk_paths(paths, config, suffixes)]


def _settings(config: Config) -> str:
    from codeward.cache import config_stamp

    return config_stamp(config)


def cached(task: Task) -> tuple[FileResult | None, object, str | None]:
    """(the cached result or None, the cache, the key) for a task."""
    if task.cache_dir is None:
        return None, None, None
    from codeward.cache import Cache, read_for_key

    data = read_for_key(task.path, MAX_BYTES)
    if data is None:
        return None, None, None
    cache = Cache(task.cache_dir, "review", _settings(task.config))
    key = cache.key(task.path, data)
    hit = cache.get(key)
    if hit is None:
        return None, cache, key
    # The entry may come from a run that named the file differently (relative, absolute).
    return FileResult(task.path, [replace(f, path=task.path) for f in hit[1]]), cache, key


def review_task(task: Task) -> FileResult:
    select = task.config.selector_for(task.path)
    hit, cache, key = cached(task)
    if hit is not None:
        return hit
    result = review_file(task.path, select)
    if cache is None:
        return result
    if not result.internal_error:
        cache.put(key, {}, result.findings)  # type: ignore[attr-defined]
    return result


def run_review(
    paths: Sequence[str], config: Config, *, use_cache: bool, jobs: int, progress: bool = False
) -> list[FileResult]:
    from codeward.runner import run_all

    cache_dir = None
    if use_cache:
        from codeward.cache import cache_dir_for

        cache_dir = cache_dir_for(config)
    tasks = [Task(path, config, cache_dir) for path in discover(paths, config)]
    workers = jobs or config.jobs
    # Cache hits are answered here: a warm run starts no worker process and never imports the parser.
    done: dict[int, FileResult] = {}
    if cache_dir is not None:
        for index, task in enumerate(tasks):
            hit = cached(task)[0]
            if hit is not None:
                done[index] = hit
    todo = [index for index in range(len(tasks)) if index not in done]
    if not progress or len(todo) < 200:
        fresh = run_all(review_task, [tasks[i] for i in todo], workers)
    else:
        # Long runs on a terminal: batches, with a progress line between them.
        fresh = []
        step = max(50, len(todo) // 20)
        for start in range(0, len(todo), step):
            fresh += run_all(review_task, [tasks[i] for i in todo[start : start + step]], workers)
            sys.stderr.write(f"\rcodeward: reviewed {len(fresh) + len(done)}/{len(tasks)} files")
            sys.stderr.flush()
        sys.stderr.write("\r\033[K")
    done.update(zip(todo, fresh, strict=True))
    return [done[index] for index in range(len(tasks))]


def fix_files(results: list[FileResult], config: Config) -> tuple[int, list[Finding]]:
    """Apply every available fix in place; return how many were applied and the findings that remain."""
    from codeward.fixes import apply_fixes, write_fixed

    applied = 0
    remaining: list[Finding] = []
    for result in results:
        fixable = [f for f in result.findings if f.fix is not None]
        text = read_source(result.path)[0] if fixable else None
        if text is None:
            remaining += result.findings
            continue
        new_text, count = apply_fixes(text, fixable)
        if not count or not write_fixed(result.path, new_text):
            remaining += result.findings
            continue
        applied += count
        remaining += review_file(result.path, config.selector_for(result.path)).findings
    return applied, remaining


def scan_secrets(paths: Sequence[str], config: Config) -> list[FileResult]:
    """Credentials in known token formats and passwords in URLs, line by line, in any text file."""
    from codeward.reviewer.rules.secrets import _URL_PASSWORD, find_tokens, mask

    results = []
    for path in discover(paths, config, suffixes=None):
        select = config.selector_for(path)
        text, _ = read_source(path)
        result = FileResult(path)
        results.append(result)
        if text is None:
            continue
        for number, line in enumerate(text.split("\n"), start=1):
            if select("CWR201"):
                for start, end, provider in find_tokens(line):
                    message = f"hard-coded {provider} {mask(line[start:end])} (CWE-798)"
                    result.findings.append(_with("CWR201", message, path, Span(number, start + 1, number, end + 1)))
            if select("CWR203") and "://" in line:
                from codeward.reviewer.rules.secrets import _PLACEHOLDER

                for match in _URL_PASSWORD.finditer(line):
                    password = match.group(1)
                    if "{" in password or _PLACEHOLDER.search(password) or len(password) < 3:
                        continue
                    span = Span(number, match.start(1) + 1, number, match.end(1) + 1)
                    result.findings.append(
                        _with("CWR203", f"password in a URL ({mask(password)}) (CWE-798)", path, span)
                    )
        from codeward.reviewer.ml.confidence import attach

        result.findings = attach(path, text, result.findings, select, python=path.endswith((".py", ".pyi")))
        result.findings = _suppress(
            path, text, result.findings, lambda code, keep=select: code != "CWR002" and keep(code)
        )
    return results


def _with(code: str, message: str, path: str, span: Span) -> Finding:
    return _finding(code, message, path, span)
