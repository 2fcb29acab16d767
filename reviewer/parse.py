"""Parsing with libcst, without re-validating what the parser itself built, and large files in pieces.

libcst validates every node in `__post_init__` (whitespace patterns, parentheses, ...). That is needed for
trees built by hand, but the native parser only builds valid trees, and on real code the checks are about a
sixth of the parse (Django's source: 1.2 of 7 CPU seconds). The parse turns them off for its own duration;
`tests/test_reviewer_parse.py` checks that the trees equal libcst's own and print back to the same source.

libcst's native parser needs about 650 bytes of memory a byte of source while it runs (a 420 KB numpy test
module: 280 MiB), though the tree it returns holds a tenth of that. A large file is therefore parsed in
pieces cut where a top-level statement starts (CPython's parser, which the review runs first anyway, says
where), and the pieces' statements are joined into one module that prints back to the same text: peak memory
follows the piece, not the file.
"""

from __future__ import annotations

import abc
import dataclasses
import itertools
import types
from typing import Any

# Files above this size are parsed in pieces of about this size.
PIECE = 48_000


# The last text parsed and its tree: the rules' walk and the classifier's walk of a file with injection
# findings share one parse. `forget()` lets it go when the file's review ends.
_last: tuple[str, Any] | None = None


def parse_module(text: str) -> Any:
    """libcst's tree of `text` (remembered until `forget()` or the next text); its errors propagate."""
    global _last
    if _last is not None and _last[0] is text:
        return _last[1]
    _last = None
    module = _in_pieces(text) if len(text) > PIECE * 1.5 else None
    if module is None:
        module = _parse(text)
    _last = (text, module)
    return module


def remember(text: str, module: Any) -> None:
    """`module` is the tree of `text` (parsed before, for another purpose)."""
    global _last
    _last = (text, module)


def forget() -> None:
    global _last
    _last = None


def _parse(text: str) -> Any:
    import libcst
    from libcst._nodes.base import CSTNode

    if not _PLAIN_CHECKS:
        plain_isinstance()
    original = CSTNode.__dict__.get("__post_init__")
    if original is None:  # another libcst: parse the ordinary way
        return libcst.parse_module(text)
    inits = _fast_inits()
    CSTNode.__post_init__ = _skip  # type: ignore[method-assign]
    for kind, (_, fast) in inits.items():
        kind.__init__ = fast  # type: ignore[misc]
    try:
        return libcst.parse_module(text)
    finally:
        for kind, (own, _) in inits.items():
            kind.__init__ = own  # type: ignore[misc]
        CSTNode.__post_init__ = original  # type: ignore[method-assign]


_PLAIN_CHECKS: list[type] = []


def plain_isinstance() -> None:
    """`isinstance(node, cst.Name)` as fast for libcst's classes as for any plain class. libcst's node classes
    are abstract base classes (their metaclass is `ABCMeta`), so every `isinstance` that fails its exact-type
    shortcut ran `ABCMeta.__instancecheck__`, a Python frame around the C check of the ABC's registry: 2.2
    million times in a review of Django's source, about 270 ns each against 130. libcst registers no virtual
    subclasses and defines no `__subclasshook__`, so the answer is the class hierarchy's, which `type`'s own
    checks give: each node class gets a metaclass that is `ABCMeta` with `type`'s checks (once per process;
    `tests/test_reviewer_parse.py` holds the answers equal)."""
    from libcst._nodes.base import CSTNode

    if _PLAIN_CHECKS:
        return
    stack, seen = [CSTNode], set()
    while stack:
        kind = stack.pop()
        if kind not in seen:
            seen.add(kind)
            stack += kind.__subclasses__()
    for kind in seen:
        if type(kind) is abc.ABCMeta and not _registered(kind):
            kind.__class__ = _PlainChecks
            _PLAIN_CHECKS.append(kind)
    _PLAIN_CHECKS.append(CSTNode)  # done, even when another libcst left nothing to change


def _registered(kind: type) -> bool:
    """Whether `kind` has virtual subclasses (`register`) or its own `__subclasshook__`: keep ABCMeta's checks."""
    if "__subclasshook__" in kind.__dict__:
        return True
    dump = getattr(abc, "_get_dump", None)
    return dump is None or bool(dump(kind)[0])


class _PlainChecks(abc.ABCMeta):
    __instancecheck__ = type.__instancecheck__  # type: ignore[assignment]
    __subclasscheck__ = type.__subclasscheck__  # type: ignore[assignment]


def _skip(self: object) -> None:
    return None


_INITS: dict[type, tuple[Any, Any]] | None = None


def _fast_inits() -> dict[type, tuple[Any, Any]]:
    """Node class -> (its own __init__, one that stores the fields straight into their slots and skips the
    validation). A frozen dataclass's __init__ sets each field through `object.__setattr__` and then runs
    `__post_init__`: for the two million nodes of Django's source that was a tenth of the parse. Built once,
    from each class's own fields and defaults, so the nodes are the same."""
    global _INITS
    if _INITS is None:
        from libcst._nodes.base import CSTNode

        found: dict[type, tuple[Any, Any]] = {}
        stack = list(CSTNode.__subclasses__())
        while stack:
            kind = stack.pop()
            stack += kind.__subclasses__()
            own = kind.__dict__.get("__init__")
            fast = _fast_init(kind) if own is not None and dataclasses.is_dataclass(kind) else None
            if fast is not None:
                found[kind] = (own, fast)
        _INITS = found
    return _INITS


def _fast_init(kind: type) -> Any:
    """`kind`'s __init__ without `object.__setattr__` and `__post_init__` (libcst's validation)."""
    return fast_init(kind, post_init=False)


def fast_init(kind: type, *, post_init: bool = True) -> Any:
    """A frozen dataclass's __init__ that stores the fields straight into their slots (`object.__setattr__`
    per field is about half of a small frozen dataclass's construction), then runs `__post_init__` when
    `post_init` and the class has one; None when its fields are not all slots or take arguments it does not
    understand. Fields with `init=False` get their defaults, as the dataclass's own __init__ gives them."""
    fields = dataclasses.fields(kind)
    namespace: dict[str, Any] = {"_MISSING": object()}
    params: list[str] = []
    body: list[str] = []
    for index, item in enumerate(fields):
        if item.kw_only:
            return None
        slot = next((k.__dict__[item.name] for k in kind.__mro__ if item.name in k.__dict__), None)
        if not isinstance(slot, types.MemberDescriptorType):
            return None
        namespace[f"_set{index}"] = slot.__set__
        if not item.init:
            if item.default is not dataclasses.MISSING:
                namespace[f"_default{index}"] = item.default
                body.append(f"_set{index}(self, _default{index})")
            elif item.default_factory is not dataclasses.MISSING:
                namespace[f"_factory{index}"] = item.default_factory
                body.append(f"_set{index}(self, _factory{index}())")
            continue
        if item.default is not dataclasses.MISSING:
            namespace[f"_default{index}"] = item.default
            params.append(f"{item.name}=_default{index}")
            body.append(f"_set{index}(self, {item.name})")
        elif item.default_factory is not dataclasses.MISSING:
            namespace[f"_factory{index}"] = item.default_factory
            params.append(f"{item.name}=_MISSING")
            body.append(f"_set{index}(self, _factory{index}() if {item.name} is _MISSING else {item.name})")
        elif any(p.partition("=")[2] for p in params):
            return None  # a field without a default after one with: not a valid signature
        else:
            params.append(item.name)
            body.append(f"_set{index}(self, {item.name})")
    if post_init and hasattr(kind, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(body or ["pass"]) + "\n"
    exec(compile(source, f"<codeward fast __init__ of {kind.__name__}>", "exec"), namespace)
    return namespace["__init__"]


def starts(text: str) -> list[int]:
    """0-based line numbers where a top-level statement begins alone on its line (decorators included);
    [] when CPython's parser refuses the text (libcst then parses it whole: it may know newer syntax)."""
    from codeward.reviewer import pyast

    try:
        tree = pyast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    out: list[int] = []
    previous_end = 0
    for stmt in tree.body:
        decorators = getattr(stmt, "decorator_list", None)
        first = decorators[0].lineno if decorators else stmt.lineno
        if stmt.col_offset == 0 and first > previous_end:
            out.append(first - 1)
        previous_end = stmt.end_lineno or stmt.lineno
    return out


def _in_pieces(text: str) -> Any:
    """The module parsed piece by piece and joined, or None when that cannot give the same tree's text."""
    from codeward.reviewer import pyast

    cuts = starts(text)
    pyast.forget(text)  # CPython's tree goes before libcst's pieces come
    lines = text.splitlines(keepends=True)
    offsets = [0, *itertools.accumulate(len(line) for line in lines)]  # characters before each line
    bounds = [0]
    for cut in cuts[1:]:  # the first statement starts the first piece
        if offsets[cut] - offsets[bounds[-1]] >= PIECE:
            bounds.append(cut)
    if len(bounds) < 2:
        return None
    bounds.append(len(lines))
    pieces = []
    for start, end in itertools.pairwise(bounds):
        piece = _parse("".join(lines[start:end]))
        if pieces and (
            piece.default_indent != pieces[0].default_indent
            or piece.default_newline != pieces[0].default_newline
            or not piece.body
        ):
            return None  # printing the joined module would use the first piece's defaults for every piece
        pieces.append(piece)
    # What a piece's parse put before its first statement (its header) or after its last (its footer) is, in
    # the whole file, the leading lines of the next statement.
    body = list(pieces[0].body)
    carried = list(pieces[0].footer)
    for piece in pieces[1:]:
        first, *rest = piece.body
        lead = [*carried, *piece.header]
        if lead:
            first = first.with_changes(leading_lines=[*lead, *first.leading_lines])
        body += [first, *rest]
        carried = list(piece.footer)
    return pieces[0].with_changes(body=body, footer=carried, has_trailing_newline=pieces[-1].has_trailing_newline)
