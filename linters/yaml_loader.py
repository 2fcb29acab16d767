"""YAML loading with positions, on PyYAML's composer (libyaml's when installed).

Composing instead of constructing keeps a mark on every node and never builds Python objects from
tags, so hostile input (aliases that expand exponentially, deep nesting, duplicate keys, custom
tags) turns into findings rather than crashes or surprises.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from codeward.linters.document import PList, PMap, Problem, duplicate_key
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from codeward.findings import Span

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader

MAX_DEPTH = 100
# Nodes visited while expanding the document, aliases counted each time they are used.
MAX_NODES = 200_000
_FLOW_OPEN = re.compile(r"[\[{]")

_CFN_TAGS = {
    "Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs", "ImportValue", "Join", "Select", "Split", "Sub",
    "Transform", "And", "Equals", "If", "Not", "Or", "ToJsonString", "Length", "ForEach",
}  # fmt: skip
_CFN_BY_LOWER = {name.lower(): name for name in (*_CFN_TAGS, "Ref", "Condition")}
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_NULL = "tag:yaml.org,2002:null"


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL and node.value == "" and not node.style


def _mustache(node: Node) -> str | None:
    """`{{Name}}` written unquoted: YAML reads it as a flow mapping whose only key is the flow mapping
    `{Name: null}`. Nobody writes that shape for its own sake; it is a template placeholder (mustache, Jinja,
    handlebars) that a build step fills in, so it is read as the text it was written as."""
    if not (isinstance(node, MappingNode) and node.flow_style and len(node.value) == 1):
        return None
    inner, value = node.value[0]
    if not (_is_empty(value) and isinstance(inner, MappingNode) and inner.flow_style and len(inner.value) == 1):
        return None
    name, empty = inner.value[0]
    if not (isinstance(name, ScalarNode) and not name.style and name.tag != _NULL and _is_empty(empty)):
        return None
    return "{{" + name.value + "}}"


_scalar = SafeConstructor()


class _Abort(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def span_of(node: Node) -> Span:
    start, end = node.start_mark, node.end_mark
    line, col = start.line + 1, start.column + 1
    end_line, end_col = end.line + 1, end.column + 1
    if (end_line, end_col) <= (line, col):
        end_line, end_col = line, col + 1
    return Span(line, col, end_line, end_col)


def _mark_span(mark: Any) -> Span:
    return Span.point(mark.line + 1, mark.column + 1) if mark is not None else Span(1, 1, 1, 2)


def flow_depth_exceeds(text: str, limit: int) -> Span | None:
    """Cheap guard against flow nesting deep enough to overflow libyaml's recursive composer."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    for match in re.finditer(r"[\[\]{}]", text):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                offset = match.start()
                line = text.count("\n", 0, offset) + 1
                return Span.point(line, offset - (text.rfind("\n", 0, offset) + 1) + 1)
        elif depth:
            depth -= 1
    return None


class _Converter:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.budget = MAX_NODES
        self.active: set[int] = set()

    def convert(self, node: Node, depth: int = 0) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _Abort(
                Problem(
                    "CWF004",
                    f"expanding aliases makes this document larger than {MAX_NODES:,} nodes",
                    span_of(node),
                    ("This is the shape of a 'billion laughs' attack; nothing that size is a real definition.",),
                )
            )
        if depth > MAX_DEPTH:
            raise _Abort(Problem("CWF008", f"nesting deeper than {MAX_DEPTH} levels", span_of(node)))
        tag = node.tag
        if tag.startswith("!") and not tag.startswith("!!"):
            return self._cfn(node, depth)
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        placeholder = _mustache(node)
        if placeholder is not None:
            return placeholder
        if id(node) in self.active:
            raise _Abort(Problem("CWF004", "an alias refers to a node that contains it (a cycle)", span_of(node)))
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                seq = PList(span_of(node))
                for item in node.value:
                    seq.put(self.convert(item, depth + 1), span_of(item))
                return seq
            return self._mapping(node, depth)  # type: ignore[arg-type]
        finally:
            self.active.discard(id(node))

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR or node.style:
            return node.value
        try:
            if tag == "tag:yaml.org,2002:int":
                return _scalar.construct_yaml_int(node)
            if tag == "tag:yaml.org,2002:float":
                return _scalar.construct_yaml_float(node)
            if tag == "tag:yaml.org,2002:bool":
                return _scalar.construct_yaml_bool(node)
            if tag == "tag:yaml.org,2002:null":
                return None
        except (ValueError, yaml.YAMLError):
            return node.value
        # timestamps, binary and unknown tags stay text: definitions are JSON-shaped data.
        return node.value

    def _key(self, node: Node) -> str:
        if isinstance(node, ScalarNode):
            # Keys keep their source text: `on:` is the key "on", not YAML 1.1's True.
            return node.value
        placeholder = _mustache(node)
        if placeholder is not None:
            return placeholder
        self.problems.append(Problem("CWF009", "a mapping key must be a plain string", span_of(node)))
        return f"<{type(node).__name__}>"

    def _mapping(self, node: MappingNode, depth: int) -> PMap:
        result = PMap(span_of(node))
        merged: list[PMap] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE or (
                isinstance(key_node, ScalarNode) and key_node.value == "<<" and not key_node.style
            ):
                value = self.convert(value_node, depth + 1)
                merged.extend(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, PMap))
                continue
            key = self._key(key_node)
            key_span = span_of(key_node)
            value = self.convert(value_node, depth + 1)
            if key in result:
                self.problems.append(duplicate_key(key, result, value, key_span))
            result.put(key, key_span, value, span_of(value_node))
        for source in merged:
            for key, value in source.items():
                if key not in result:
                    result.put(key, source.key_spans[key], value, source.value_spans[key])
        return result

    def _cfn(self, node: Node, depth: int) -> Any:
        name = node.tag[1:]
        span = span_of(node)
        if isinstance(node, ScalarNode):
            inner: Any = node.value
        elif isinstance(node, SequenceNode):
            inner = self.convert(
                SequenceNode("tag:yaml.org,2002:seq", node.value, node.start_mark, node.end_mark), depth
            )
        else:
            inner = self._mapping(node, depth)  # type: ignore[arg-type]
        if name == "GetAtt" and isinstance(inner, str):
            resource, _, attribute = inner.partition(".")
            parts = PList(span)
            parts.put(resource, span)
            parts.put(attribute, span)
            inner = parts
        known = _CFN_BY_LOWER.get(name.lower()) if name not in _CFN_TAGS and name not in ("Ref", "Condition") else name
        if known is not None and known != name:
            # Tags are case-sensitive: CloudFormation rejects `!sub`; read it as the function meant so that the
            # other checks still see its references.
            self.problems.append(
                Problem(
                    "CWF014",
                    f'"!{name}" is not a CloudFormation function (tags are case-sensitive): CloudFormation rejects '
                    f'the template; write "!{known}"',
                    span,
                )
            )
            name = known
        if name in ("Ref", "Condition"):
            fn_key = name
        elif name in _CFN_TAGS:
            fn_key = "Fn::" + name
        else:
            self.problems.append(Problem("CWF010", f'unknown tag "!{name}"; its value is read as plain data', span))
            return inner
        wrapper = PMap(span)
        wrapper.put(fn_key, span, inner, span)
        return wrapper


def load_yaml(text: str) -> tuple[Any, list[Problem]]:
    """Parse `text`; return the data (None when unusable) and the problems found on the way."""
    too_deep = flow_depth_exceeds(text, MAX_DEPTH)
    if too_deep is not None:
        return None, [Problem("CWF008", f"nesting deeper than {MAX_DEPTH} levels", too_deep)]
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, text)]
    except yaml.YAMLError as exc:  # reader errors carry no mark
        return None, [Problem("CWF001", f"YAML error: {exc}", Span(1, 1, 1, 2))]
    except RecursionError:
        return None, [Problem("CWF008", "nesting too deep to parse", Span(1, 1, 1, 2))]
    if root is None:
        return None, []
    converter = _Converter()
    try:
        data = converter.convert(root)
    except _Abort as abort:
        return None, [*converter.problems, abort.problem]
    return data, converter.problems


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    if exc.context and "quoted scalar" in exc.context and exc.context_mark is not None:
        # An unclosed quote is found at the end of the file; the mistake is where the quote opened.
        mark = exc.context_mark
    span = _mark_span(mark)
    problem = (exc.problem or "").strip()
    notes: list[str] = []
    if "'\\t'" in problem or (mark is not None and _char_at(text, mark) == "\t"):
        return Problem(
            "CWF003",
            "tab character in indentation; YAML indents with spaces only",
            span,
            ("Replace the tab with spaces (two per level is the common style).",),
        )
    if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
        notes.append(f"{exc.context} at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}")
    if "mapping values are not allowed" in problem:
        notes.append('A value contains ": ". Quote the whole value (a command such as `echo "a: b"` needs quotes).')
    if "found undefined alias" in problem:
        notes.append("Define the anchor (&name) before the alias (*name) that uses it.")
    message = f"YAML syntax error: {problem or exc.context or 'invalid YAML'}"
    if mark is not None and ("expected" in problem or "expected" in (exc.context or "")):
        # PyYAML notices a structural mistake where the structure stops making sense, often lines after
        # the cause. Point at the cause when it is clear: a quote that runs over lines, or a line
        # indented off the file's grid.
        cause = _open_quote_before(text, mark.line) or _off_grid_line(text, mark.line)
        if cause is not None:
            line, column, why = cause
            notes.insert(0, f"PyYAML stopped at line {mark.line + 1}, column {mark.column + 1}: {problem}")
            return Problem("CWF001", f"YAML syntax error: {why}", Span.point(line, column), tuple(notes))
    return Problem("CWF001", message, span, tuple(notes))


_KEY_OR_ITEM = re.compile(r"^( *)(?:- |[^\s#][^:#]*:(?:\s|$))")


def _open_quote_before(text: str, stop_line: int) -> tuple[int, int, str] | None:
    """A quoted scalar that starts on one line and ends on another before `stop_line` (0-based)."""
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            start, end = token.start_mark, token.end_mark
            if start.line >= stop_line:
                break
            if getattr(token, "style", None) in ('"', "'") and end.line > start.line:
                return (
                    start.line + 1,
                    start.column + 1,
                    f"the quote opened here is not closed on this line (it runs to line {end.line + 1})",
                )
    except yaml.YAMLError:
        return None
    return None


def _off_grid_line(text: str, stop_line: int) -> tuple[int, int, str] | None:
    """The nearest key or list-item line at or before `stop_line` indented by an odd number of spaces, in a
    file whose other lines keep to even indentation."""
    lines = text.split("\n")
    indents = [(i, len(m.group(1))) for i, line in enumerate(lines) if (m := _KEY_OR_ITEM.match(line))]
    grid = dict(indents)
    off = [i for i, indent in indents if indent % 2]
    if len(off) > 2 or not off:
        return None  # the file itself uses odd indentation: no grid to judge by
    for i in range(min(stop_line, len(lines) - 1), -1, -1):
        if i in grid and grid[i] % 2:
            return i + 1, grid[i] + 1, f"line indented {grid[i]} spaces, off the file's 2-space grid"
    return None


def _char_at(text: str, mark: Any) -> str:
    index = getattr(mark, "index", None)
    return text[index] if isinstance(index, int) and 0 <= index < len(text) else ""
