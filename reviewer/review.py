"""Review Python files: read, pre-filter, parse, walk once, resolve positions, suppress; cached and parallel."""

from __future__ import annotations

import contextlib
import re
import sys
import time
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
    # Files differ in their active rules, so most combinations are new: each rule's handlers are looked up
    # once (`dir()` of a rule class is the slow part), the tables of a combination only joined here.
    visitors: dict[type, list] = {}
    leavers: dict[type, list] = {}
    for rule_type in rule_types:
        for visit, kind, handler in _handlers(rule_type):
            (visitors if visit else leavers).setdefault(kind, []).append((rule_type, handler))
    return visitors, leavers


@cache
def _handlers(rule_type: type) -> tuple[tuple[bool, type, Callable], ...]:
    """(is a visitor, libcst node type, bound handler) of one rule, in `dir()` order; one instance a rule."""
    import libcst as cst

    instance = rule_type()
    return tuple(
        (attr.startswith("visit_"), getattr(cst, attr[6:]), getattr(instance, attr))
        for attr in dir(rule_type)
        if attr.startswith(("visit_", "leave_"))
    )


def _finding(code: str, message: str, path: str, span: Span) -> Finding:
    from codeward.reviewer.rules import rules_by_code

    rule = rules_by_code()[code]
    return Finding(code, message, path, span, rule.severity, rule.name)


def _syntax_error(path: str, text: str, error: Exception) -> Finding:
    """libcst's positions for syntax errors are rough; CPython's own compiler says where, when it objects too."""
    line = getattr(error, "raw_line", 1) or 1
    column = (getattr(error, "raw_column", 0) or 0) + 1
    message = str(getattr(error, "message", error)).replace("parser error: ", "")
    from codeward.reviewer.pyast import cpython_limits

    try:
        with cpython_limits():
            compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        line, column = exc.lineno or line, exc.offset or column
        message = exc.msg
    except (ValueError, RecursionError, MemoryError):
        pass
    found = _finding("CWR001", f"syntax error: {message}; the file was not reviewed", path, Span.point(line, column))
    lines = text.splitlines()
    placeholder = _PLACEHOLDER.match(lines[line - 1], column - 1) if 0 < line <= len(lines) else None
    from codeward.findings import Severity

    if placeholder is not None:
        # A template to fill in (`{"proxy_addr": <proxy_addr>}` in a sample, `def {name}(**kwargs):` that a
        # program formats), not broken code: said so, at info (judged not worth a comment on real projects).
        message = f"not reviewed: a template with a placeholder to fill in ({placeholder.group()}), not Python yet"
        return replace(found, message=message, severity=Severity.INFO)
    if message.startswith(_PYTHON2):
        # CPython recognises Python 2's statements: a file kept for a Python 2 runtime (a legacy Lambda rule),
        # which Python 3 never imports; judged not worth a comment on a real project.
        message = f"not reviewed: written for Python 2 ({message.split('.')[0]}); codeward reviews Python 3"
        return replace(found, message=message, severity=Severity.INFO)
    return found


# Where Python's parser stops: a `<name>` the reader is to replace (`<proxy_addr>`, `<your-bucket>`), or a
# `str.format` field (`{script_content}`) of a template a program fills in.
_PLACEHOLDER = re.compile(r"<[A-Za-z_][\w.-]*>|\{[A-Za-z_]\w*\}")
# CPython's messages for Python 2 statements (`print x`, `exec code`, `except Error, e:`).
_PYTHON2 = ("Missing parentheses in call to 'print'", "Missing parentheses in call to 'exec'",
            "multiple exception types must be parenthesized")  # fmt: skip


def taint_models(config: Config) -> object:
    """`[tool.codeward.reviewer.taint]` as models (raises ModelError saying what is wrong), None when absent."""
    table = config.raw.get("reviewer", {})
    taint = table.get("taint") if isinstance(table, dict) else None
    if taint is None:
        return None
    from codeward.reviewer.dataflow.models import user_models

    return user_models(taint)


# Python frames a review may nest: libcst's visitors and code generation recurse a few frames per level of an
# expression, and the pre-check lets expressions up to pyast.MAX_DEPTH (1000) levels deep through.
RECURSION_LIMIT = 12000


def review_text(
    path: str,
    text: str,
    select: Selector = lambda code: True,
    taint: object = None,
    *,
    tests: bool = False,
    foreign: bool = True,
) -> list[Finding]:
    """Findings of the selected rules on one file. `tests`: the test profile applies (the caller's `select`
    has left out the rules that stay quiet in tests); `foreign`: honour bandit's, ruff's and Sonar's
    suppressions."""
    from codeward.reviewer.dataflow.project import shared_project

    shared_project().begin_file()  # other files are checked for changes on disk again, once in this review
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
    try:
        return _review_text(path, text, select, taint, tests=tests, foreign=foreign)
    finally:
        sys.setrecursionlimit(limit)
        from codeward.reviewer.parse import forget

        forget()


def _review_text(path: str, text: str, select: Selector, taint: object, *, tests: bool, foreign: bool) -> list[Finding]:
    from codeward.reviewer.rules import all_rules
    from codeward.reviewer.rules.meta import MetaRule

    rules = [r for r in all_rules() if not issubclass(r, MetaRule) and select(r.code)]
    facts: dict[object, object] = {"path": path, "taint": taint}
    active = tuple(r for r in rules if r.may_match(text, facts))
    findings: list[Finding] = []
    if active:
        findings = _review_parsed(path, text, active, taint, select)
    elif select("CWR001"):
        findings = _syntax_only(path, text)
    findings = [f for f in findings if select(f.code)]
    from codeward.reviewer.ml.confidence import attach

    findings = attach(path, text, findings, select)
    if tests:
        from codeward.reviewer.profile import keep_in_tests

        findings = [f for f in findings if keep_in_tests(f.code, f.message, text)]
    from codeward.reviewer.merge import merge_same_line
    from codeward.reviewer.ml.finding import score_findings

    return score_findings(text, merge_same_line(_suppress(path, text, findings, select, foreign)))


def _syntax_only(path: str, text: str) -> list[Finding]:
    """No rule can match: CPython's fast parser checks the syntax, libcst only when that one objects (it
    may be newer syntax than this interpreter knows)."""
    from codeward.reviewer import pyast

    try:
        pyast.parse(text, path)
        return []
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _review_parsed(path, text, ())


def _review_parsed(
    path: str, text: str, active: tuple[type, ...], taint: object = None, select: Selector = lambda code: True
) -> list[Finding]:
    import libcst as cst
    from codeward.reviewer.engine import Context, Walker

    too_deep = _too_deep(path, text)
    if too_deep is not None:
        return [too_deep]
    try:
        module = _parse(path, text)
    except (cst.ParserSyntaxError, RecursionError) as exc:
        return [_syntax_error(path, text, exc)]
    if not active:
        return []
    ctx = Context(path, text, module, taint)
    visitors, leavers = _tables(active)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 12000))
    try:
        Walker(ctx, visitors, leavers).run(module)
        return _resolve(ctx, select)
    except RecursionError:
        message = "expressions nested too deeply to review; split them up"
        return [_finding("CWR003", message, path, Span(1, 1, 1, 2))]
    finally:
        sys.setrecursionlimit(limit)
        DEPENDENCIES[path] = ctx.dependencies


def _parse(path: str, text: str):  # -> cst.Module
    """libcst's tree of the file: the one this process parsed for other files' summaries when it holds the same
    text (the same tree: a parse of the same text), else a fresh parse."""
    from codeward.reviewer.dataflow.project import shared_project
    from codeward.reviewer.parse import parse_module, remember

    module = shared_project().parsed(path, text)
    if module is None:
        return parse_module(text)
    remember(text, module)
    return module


# Other project files each reviewed file's result came from (summaries of the functions it calls): the results
# cache keeps their digests and serves the entry only while they still hold.
DEPENDENCIES: dict[str, list[tuple[str, str]]] = {}


def _too_deep(path: str, text: str) -> Finding | None:
    """The pre-check before libcst, whose native parser needs time and memory growing with the square of a
    chain's length (and can crash on deep nesting): CPython's own parser (fast, C) looks first. It refuses
    more than 200 nested brackets itself; deeper expressions than `pyast.MAX_DEPTH` are refused here."""
    from codeward.reviewer import pyast

    try:
        tree = pyast.parse(text, path)
    except SyntaxError as exc:
        if "nested" in (exc.msg or ""):
            span = Span.point(exc.lineno or 1, exc.offset or 1)
            return _finding("CWR001", f"syntax error: {exc.msg}; the file was not reviewed", path, span)
        # libcst decides (it may know newer syntax than this interpreter), unless the tokens show a chain
        # too long for it.
        if pyast.longest_chain(text) <= pyast.MAX_DEPTH:
            return None
        message = (
            f"not reviewed: Python reports a syntax error ({exc.msg}, line {exc.lineno}) and a statement holds more "
            f"than {pyast.MAX_DEPTH} operations, too costly to parse safely otherwise; fix the syntax or split it up"
        )
        return _finding("CWR003", message, path, Span(1, 1, 1, 2))
    except (ValueError, RecursionError, MemoryError):
        return _finding("CWR003", "expressions nested too deeply to review; split them up", path, Span(1, 1, 1, 2))
    deep = pyast.too_deep(tree, text)
    if deep is None:
        return None
    line, column, _ = deep
    message = (
        f"not reviewed: an expression nested more than {pyast.MAX_DEPTH} levels deep (a chain of that many "
        "operations) is too costly to parse safely; split it up"
    )
    return _finding("CWR003", message, path, Span.point(line, column))


def _resolve(ctx, select: Selector = lambda code: True) -> list[Finding]:  # ctx: reviewer.engine.Context
    from codeward.reviewer.measured import opt_in_code
    from codeward.reviewer.positions import positions

    # Kinds of findings off by default: kept only when the rule was asked for by name (or ALL).
    ctx.pending = [p for p in ctx.pending if not p.opt_in or select(opt_in_code(p.rule.code))]
    if not ctx.pending:
        return []
    nodes = []
    for pending in ctx.pending:
        nodes.append(pending.node)
        if pending.taint is not None:
            nodes += [n for n in (pending.taint.node, *(node for _, node in pending.taint.steps)) if n is not None]
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
        flow: tuple[tuple[Span, str], ...] = ()
        if pending.taint is not None:
            nodes_of_flow = [pending.taint.node, *(node for _, node in pending.taint.steps)]
            related = tuple(sorted({at.line for at in map(where.get, map(id, nodes_of_flow)) if at is not None}))
            flow = _flow_steps(pending.taint, where, span)
        finding = Finding(
            rule.code, message, ctx.path, span, severity, rule.name, fix, notes=tuple(notes), related=related,
            flow=flow,
        )  # fmt: skip
        out.setdefault((rule.code, span), finding)
    return _one_per_problem(list(out.values()), ctx.pending, where)


def _one_per_problem(findings: list[Finding], pending: list, where: dict[int, Span]) -> list[Finding]:
    """A line that a data-flow finding covers gets no second finding of the same weakness (CWE) from a rule
    that only looks at the code's shape (`shell=True` with a variable, SQL built by formatting)."""
    cwe_of = {p.rule.code: p.rule.cwe for p in pending}
    covered = {(f.span.line, cwe_of.get(f.code)) for f in findings if f.flow and cwe_of.get(f.code)}
    return [f for f in findings if f.flow or (f.span.line, cwe_of.get(f.code)) not in covered]


def _flow_steps(taint, where: dict[int, Span], sink: Span) -> tuple[tuple[Span, str], ...]:
    """The flow as located steps: the source, each variable it went through, the sink (SARIF codeFlows)."""
    steps: list[tuple[Span, str]] = []
    start = where.get(id(taint.node))
    if start is not None:
        steps.append((start, f"{taint.source} (the source)"))
    for name, node in taint.steps:
        at = where.get(id(node))
        if at is not None and (not steps or steps[-1][0] != at or not steps[-1][1].startswith(f"`{name}`")):
            steps.append((at, f"`{name}`"))
    steps.append((sink, "the sink"))
    return tuple(steps)


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


def _suppress(path: str, text: str, findings: list[Finding], select: Selector, foreign: bool = True) -> list[Finding]:
    suppressions = find_suppressions(text)
    if foreign:
        suppressions += _foreign_suppressions(text)
    if suppressions:
        findings = [f for f in findings if not is_suppressed(suppressions, f.code, f.span.line)]
        if select("CWR002"):
            lines = text.split("\n")
            for s in suppressions:
                if s.used or not _checkable(s, select, lines):
                    continue
                if s.foreign is not None:
                    what = f"# {s.foreign} (codeward's {', '.join(sorted(s.codes or ()))})"
                else:
                    what = "codeward: ignore" + (f"[{', '.join(sorted(s.codes))}]" if s.codes else "")
                end = len(lines[s.line - 1]) + 1
                span = Span(s.line, s.column, s.line, end)
                findings.append(_finding("CWR002", f"unused suppression: no finding here matches {what}", path, span))
    findings.sort(key=Finding.sort_key)
    return findings


def _foreign_suppressions(text: str) -> list:
    """bandit's `# nosec` and ruff's `# noqa: S…`, each silencing the codeward rules mapped to what it names, and
    SonarQube's `NOSONAR`, silencing the line."""
    from codeward.reviewer.foreign import mapped_rules

    from codeward.suppress import find_foreign

    found = []
    for s in find_foreign(text):
        # SonarQube's NOSONAR silences every issue on its line, whatever the rule: so it does here.
        s.codes = None if s.foreign == "NOSONAR" else mapped_rules(s.foreign_ids)
        if s.codes is None or s.codes:
            found.append(s)
    return found


def _checkable(s, select: Selector, lines: list[str]) -> bool:  # s: codeward.suppress.Suppression
    """Whether an unused suppression can be reported: codeward ran a rule it names on this file. A bare
    `# nosec` may serve bandit's own checks, so only one naming bandit or ruff ids is reported, and only where
    bandit's tests have nothing to look at (its tests are broader than codeward's rules)."""
    if s.foreign is not None:
        from codeward.reviewer.foreign import bandit_may_need

        return (
            s.foreign_ids is not None
            and any(select(code) for code in s.codes)
            and not bandit_may_need(s.foreign_ids, lines, s.line)
        )
    if s.codes is None:
        return True
    # A prefix (`CWR1`) names rules of several kinds: report it; a full code only when its rule ran here.
    return any(code.startswith("CWR") and (len(code) < 6 or select(code)) for code in s.codes)


def review_file(
    path: str, select: Selector = lambda code: True, taint: object = None, *, tests: bool = False, foreign: bool = True
) -> FileResult:
    text, problem = read_source(path)
    if text is None:
        result = FileResult(path)
        if select("CWR003"):
            result.findings.append(_finding("CWR003", problem, path, Span(1, 1, 1, 1)))
        return result
    try:
        return FileResult(path, review_text(path, text, select, taint, tests=tests, foreign=foreign))
    except (MemoryError, RecursionError) as exc:  # limits hostile input runs into: the file is at fault
        result = FileResult(path)
        if select("CWR003"):
            what = "the worker's memory limit" if isinstance(exc, MemoryError) else "Python's recursion limit"
            message = f"not reviewed: its analysis ran past {what}; split the file up"
            result.findings.append(_finding("CWR003", message, path, Span(1, 1, 1, 1)))
        return result
    except Exception as exc:  # a bug in one rule must not hide the other files' findings
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        finding = _finding("CWR900", f"internal error while reviewing this file: {detail}", path, Span(1, 1, 1, 2))
        return FileResult(path, [finding], internal_error=True)


def _review_configured(path: str, config: Config) -> FileResult:
    """One file as the configuration says: default rule set, what was asked for, test profile, suppressions."""
    from codeward.reviewer.profile import options, selector

    opts = options(config)
    select, tests = selector(config, path, opts)
    result = review_file(path, select, taint_models(config), tests=tests, foreign=opts.foreign_suppressions)
    from codeward.reviewer.measured import demoted
    from codeward.reviewer.profile import asked

    explicit = tuple(config.explicit)
    result.findings = [
        f.with_severity(Severity.INFO) if demoted(f.code) and not asked(f.code, explicit) else f
        for f in result.findings
    ]
    return result


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

    # The whole [tool.codeward] table (the reviewer's options and [tool.codeward.reviewer.taint] included), and
    # the rules asked for by name, which decide what runs beyond the default set.
    return config_stamp(config) + repr(sorted(config.explicit))


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
    if hit is None or not _dependencies_hold(hit[0]):
        return None, cache, key
    # The entry may come from a run that named the file differently (relative, absolute).
    return FileResult(task.path, [replace(f, path=task.path) for f in hit[1]]), cache, key


def review_task(task: Task) -> FileResult:
    hit, cache, key = cached(task)
    if hit is not None:
        return hit
    DEPENDENCIES.pop(task.path, None)
    result = _review_configured(task.path, task.config)
    if cache is None:
        return result
    if not result.internal_error:
        meta = {"deps": [list(d) for d in DEPENDENCIES.pop(task.path, [])]}
        cache.put(key, meta, result.findings)  # type: ignore[attr-defined]
    return result


def _dependencies_hold(meta: dict) -> bool:
    """Every other file the cached result came from still has the content it had then."""
    deps = meta.get("deps", [])
    if not isinstance(deps, list):
        return False
    if not deps:
        return True
    from codeward.reviewer.dataflow.project import file_digest

    for entry in deps:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)):
            return False
        if file_digest(entry[0]) != entry[1]:
            return False
    return True


def warm_up() -> None:
    """What every review needs before its first file, loaded before a worker's clock starts."""
    import libcst  # noqa: F401
    from codeward.reviewer.engine import Walker  # noqa: F401
    from codeward.reviewer.ml.score import ModelError, shipped
    from codeward.reviewer.rules import all_rules

    all_rules()
    with contextlib.suppress(ModelError):  # reviewing without a usable model is the review's business
        shipped()
    collect_less_often()


# Young objects allocated between two runs of the cyclic garbage collector in a review worker (Python's default:
# 700). A review allocates millions of small objects (parse trees, abstract values) and keeps a growing heap
# for the process (parsed dependencies, summaries); at 700 the collector ran 39 full collections over Django's
# 883 files, 4.1 of 21 s CPU. At 10,000: 2 full collections, 1.3 s in all, peak memory 6% higher.
GC_THRESHOLD = 10_000


def collect_less_often() -> None:
    """Raise the collector's first threshold in a review worker (the process exits with its work)."""
    import gc

    first, middle, oldest = gc.get_threshold()
    gc.set_threshold(max(first, GC_THRESHOLD), middle, oldest)


# While a worker reviews one file, the collector runs only past this many new objects (a bound for a pathological
# file), and once when the file is done, on the young generation: the file's tree and analyses are alive until
# its end, so collections in the middle found almost nothing to free and moved them to the older generations,
# which later collections walked again (Django's review: 330 young and 30 middle collections, 2 full; this way
# one young collection a file, 6 middle, none full, about a twentieth less CPU time, the same peak memory).
FILE_GC_THRESHOLD = 200_000


def review_in_worker(task: Task) -> FileResult:
    """`review_task` as a review worker runs it: the collector waits for the end of the file."""
    import gc

    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], FILE_GC_THRESHOLD), saved[1], saved[2])
    try:
        return review_task(task)
    finally:
        gc.set_threshold(*saved)
        gc.collect(0)


def _not_reviewed(task: Task, why: str) -> FileResult:
    """The result of a file whose worker process died or ran past its time limit."""
    result = FileResult(task.path)
    if task.config.selector_for(task.path)("CWR003"):
        message = f"not reviewed: {why}; split the file up, or exclude it if it is generated"
        result.findings.append(_finding("CWR003", message, task.path, Span(1, 1, 1, 1)))
    return result


def run_review(
    paths: Sequence[str], config: Config, *, use_cache: bool, jobs: int, progress: bool = False
) -> list[FileResult]:
    from codeward.runner import run_isolated

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
    shown = [0.0]

    def report_progress(count: int) -> None:  # long runs on a terminal: a progress line, 4 times a second
        now = time.monotonic()
        if now - shown[0] >= 0.25:
            shown[0] = now
            sys.stderr.write(f"\rcodeward: reviewed {count + len(done)}/{len(tasks)} files")
            sys.stderr.flush()

    # Parsing hostile input with native code: each file in a worker process with time and memory limits;
    # a file that crashes or exhausts its worker becomes a CWR003 finding and the others are still reviewed.
    watch = report_progress if progress and len(todo) >= 200 else None
    fresh = run_isolated(
        review_in_worker, [tasks[i] for i in todo], workers, on_failure=_not_reviewed, progress=watch, prepare=warm_up
    )
    if watch is not None:
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
        remaining += _review_configured(result.path, config).findings
    return applied, remaining


def scan_secrets(paths: Sequence[str], config: Config) -> list[FileResult]:
    """Credentials in known token formats and passwords in URLs, line by line, in any text file."""
    from codeward.reviewer.profile import keep_in_tests, options, selector
    from codeward.reviewer.rules.secrets import _CREDENTIAL_NAME, _URL_PASSWORD, find_tokens, looks_like_secret, mask

    opts = options(config)
    results = []
    for path in discover(paths, config, suffixes=None):
        # The secrets hook is installed to find secrets: its rules run whether or not review's default set has them,
        # but CWR205 (the classifier's guesses, judged wrong with none right) runs only when asked, as in review.
        select, tests = selector(config, path, opts, wanted=("CWR201", "CWR202", "CWR203"))
        text, _ = read_source(path)
        result = FileResult(path)
        results.append(result)
        if text is None:
            continue
        for number, line in enumerate(text.split("\n"), start=1):
            if select("CWR201"):
                for start, end, provider in find_tokens(line):
                    message = f"hard-coded {provider} {mask(line[start:end])} (CWE-798)"
                    at = _literal_start(line, start)
                    result.findings.append(_with("CWR201", message, path, Span(number, at + 1, number, end + 1)))
            if select("CWR202"):
                for match in _NAMED_LITERAL.finditer(line):
                    name, value = match.group("name"), match.group("value")
                    if _CREDENTIAL_NAME.search(name) and looks_like_secret(value) and value.lower() != name.lower():
                        message = f"hard-coded credential in `{name}` ({mask(value)}) (CWE-798)"
                        span = Span(number, match.start("literal") + 1, number, match.end("literal") + 1)
                        result.findings.append(_with("CWR202", message, path, span))
                for match in _BASIC_AUTH.finditer(line):
                    value = match.group("value")
                    if looks_like_secret(value):
                        message = f"hard-coded HTTP basic-auth password ({mask(value)}) (CWE-798)"
                        span = Span(number, match.start("literal") + 1, number, match.end("literal") + 1)
                        result.findings.append(_with("CWR202", message, path, span))
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
        if tests:
            result.findings = [f for f in result.findings if keep_in_tests(f.code, f.message, text)]
        result.findings = _suppress(
            path,
            text,
            result.findings,
            lambda code, keep=select: code != "CWR002" and keep(code),
            opts.foreign_suppressions,
        )
    return results


# `NAME = "value"`, `name: "value"`, `"name": "value"`: a quoted literal bound to a name on one line, where the
# review reports the literal (its span starts at the string's prefix or opening quote).
_NAMED_LITERAL = re.compile(
    r"""(?P<q0>['"]?)(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)(?P=q0)\s*(?::\s*[A-Za-z_][\w\[\], .]*)?\s*[:=]\s*"""
    r"""(?P<literal>[rRuU]?(?P<q>['"])(?P<value>[^'"\\]{6,400})(?P=q))"""
)


_BASIC_AUTH = re.compile(
    r"""(?:\bauth\s*=\s*\(|\b(?:HTTPBasicAuth|HTTPDigestAuth|BasicAuth)\()\s*[rRuU]?(['"])[^'"]*\1\s*,\s*"""
    r"""(?P<literal>[rRuU]?(?P<q>['"])(?P<value>[^'"\\]{6,400})(?P=q))"""
)


def _literal_start(line: str, start: int) -> int:
    """Where the string literal around a token starts (the review reports the literal, the scan the token): the
    nearest opening quote before it, and the string prefix before that."""
    quote = max(line.rfind('"', 0, start), line.rfind("'", 0, start))
    if quote < 0:
        return start
    while quote > 0 and line[quote - 1] in "rRbBuUfF" and (quote < 2 or not line[quote - 2].isalnum()):
        quote -= 1
    return quote


def _with(code: str, message: str, path: str, span: Span) -> Finding:
    return _finding(code, message, path, span)
