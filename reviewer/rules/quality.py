"""Code quality that CodeGuru Reviewer also reviews: defaults, exceptions, iteration, comparisons, time,
deprecated APIs, timeouts, multiprocessing, string building, control flow in finally, blocking in async,
methods named without being called."""

from __future__ import annotations

import re

from codeward.reviewer.engine import Context, children, dotted, is_const, kwarg, literal_str, method_name, target_names
from codeward.reviewer.lazy import cst
from codeward.reviewer.rule import ReviewRule
from codeward.reviewer.rules.cloudformation import CRHELPER
from codeward.reviewer.rules.injection import is_logging_call

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_MUTABLE_CALLS = frozenset({"list", "dict", "set", "collections.defaultdict", "collections.OrderedDict", "bytearray"})


_CHANGERS = frozenset({"append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault", "add",
                       "discard", "popitem", "sort", "reverse"})  # fmt: skip


def _mutates(body: cst.CSTNode, name: str) -> bool:
    """The function changes the object `name` holds: a mutating method, an item assignment or deletion, `+=`;
    directly or through a local name or instance attribute it was assigned to (`self.meta = meta`)."""
    return bool(_changed_names(body, _aliases(body, name)))


def _aliases(body: cst.CSTNode, name: str) -> set[str]:
    """`name` and the plain names and `self.x` attributes assigned from it (`meta = meta or {}` excluded)."""
    names = {name}
    for node in _walk_function(body):
        if isinstance(node, cst.Assign) and dotted(node.value) in names:
            names.update(t for t in (dotted(target.target) for target in node.targets) if t)
    return names


def _walk_function(body: cst.CSTNode):
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue  # an inner function has its own names
        yield node
        stack.extend(reversed(list(children(node))))


def _changed_names(body: cst.CSTNode, names: set[str]) -> set[str]:
    """Which of `names` the code changes in place. A name rebound to another object (`attrs = set(attrs)`)
    no longer holds the default afterwards (in the order of the text), so changes after that do not count."""
    changed: set[str] = set()
    names = set(names)
    for node in _walk_function(body):
        func = node.func if isinstance(node, cst.Call) else None
        if isinstance(func, cst.Attribute) and func.attr.value in _CHANGERS and dotted(func.value) in names:
            changed.add(dotted(func.value))  # type: ignore[arg-type]
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
            if dotted(node.value) not in names:
                names -= {t.value for t in targets if isinstance(t, cst.Name)}
        elif isinstance(node, cst.AugAssign | cst.AnnAssign | cst.Del):
            targets = [node.target]
        for target in targets:
            if isinstance(target, cst.Subscript | cst.Attribute) and dotted(target.value) in names:
                changed.add(dotted(target.value))  # type: ignore[arg-type]
            if isinstance(node, cst.AugAssign) and isinstance(target, cst.Name) and target.value in names:
                changed.add(target.value)
    return changed


def _methods(cls: cst.ClassDef) -> list[cst.FunctionDef]:
    return [s for s in cls.body.body if isinstance(s, cst.FunctionDef)]


def _module_definitions(module: cst.Module) -> dict[str, cst.FunctionDef | cst.ClassDef]:
    return {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef | cst.ClassDef)}


def _changes_parameter(target: cst.FunctionDef | cst.ClassDef, position: int | None, keyword: str | None) -> bool:
    """A function or class of this module changes what its parameter (by position or keyword) receives."""
    function = target
    if isinstance(target, cst.ClassDef):
        function = next((m for m in _methods(target) if m.name.value == "__init__"), None)  # type: ignore[assignment]
        if function is None:
            return False
        position = None if position is None else position + 1  # `self`
    params = [*function.params.posonly_params, *function.params.params]
    name = keyword
    if position is not None:
        name = params[position].name.value if position < len(params) else None
    if name is None or name not in {p.name.value for p in [*params, *function.params.kwonly_params]}:
        return False
    if _mutates(function.body, name):
        return True
    if isinstance(target, cst.ClassDef):
        stored = {a for a in _aliases(function.body, name) if a.startswith("self.")}
        return any(_changed_names(m.body, stored) for m in _methods(target))
    return False


def _shared_default_changed(ctx: Context, function: cst.FunctionDef, name: str) -> str | None:
    """How the default of parameter `name` gets changed: by this function, by another method of its class
    through the instance attribute it is stored in, or by a function or class of this module it is handed
    to (from this function or from a method, through the attribute). None when nothing changes it."""
    aliases = _aliases(function.body, name)
    if _changed_names(function.body, aliases):
        return "this function changes it"
    cls = next((p for p in ctx.ancestors() if isinstance(p, cst.ClassDef)), None)
    stored = {a for a in aliases if a.startswith("self.")}
    bodies: list[tuple[cst.CSTNode, set[str]]] = [(function.body, aliases)]
    if cls is not None and stored:
        if any(_changed_names(m.body, stored) for m in _methods(cls) if m is not function):
            return "a method of this class changes it"
        bodies += [(m.body, stored) for m in _methods(cls) if m is not function]
    definitions = _module_definitions(ctx.module)
    for body, names in bodies:
        for node in _walk_function(body):
            if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Name):
                continue
            callee = definitions.get(node.func.value)
            if callee is None or callee is function:
                continue
            for index, arg in enumerate(node.args):
                if arg.star or dotted(arg.value) not in names:
                    continue
                keyword = arg.keyword.value if arg.keyword else None
                if _changes_parameter(callee, None if keyword else index, keyword):
                    return f"{callee.name.value} changes it"
    return None


class MutableDefault(ReviewRule):
    """
    ## What it does
    Finds parameters whose default is a mutable object: `[]`, `{}`, `set()`, `dict()`, `list()`. When the
    object gets changed (appended to, updated, items assigned) the finding is a warning: by the function
    itself, through a local name or the instance attribute it is stored in (`self.meta = meta`, changed by
    any method of the class), or by a function or class of the same module it is handed to. A default that
    is only read is reported at `info`.

    ## Why is this bad?
    The default is created once, when the function is defined, and shared by every call: items appended
    in one call show up in the next (and across requests in a server).

    ## Example
    ```python
    def add(item, items=[]):
        items.append(item)
        return items
    ```

    ## Fix
    Default to `None` and create the object in the body: `items = [] if items is None else items`.
    """

    code = "CWR601"
    name = "mutable-default-argument"
    cwe = 665
    severity = Severity.WARNING
    needles = ("def ",)
    pattern = re.compile(
        r"def\s+\w+\s*\((?:[^()]|\([^()]*\))*=\s*(?:\[|\{|(?:dict|list|set|defaultdict|OrderedDict|bytearray)\()"
    )

    def visit_Param(self, ctx: Context, node: cst.Param) -> None:
        default = node.default
        if default is None:
            return
        mutable = isinstance(default, cst.List | cst.Dict | cst.Set | cst.ListComp | cst.DictComp | cst.SetComp)
        if isinstance(default, cst.Call) and ctx.call_name(default) in _MUTABLE_CALLS:
            mutable = True
        if mutable:
            function = ctx.function
            changed = None if function is None else _shared_default_changed(ctx, function, node.name.value)
            message = f"the default of `{node.name.value}` is created once and shared by every call"
            if changed:
                ctx.report(default, f"{message}, and {changed}")
            else:
                # Never changed here: shared but harmless until someone changes it; worth a note, not a comment.
                ctx.report(default, message, severity=Severity.INFO)

    VALID = (Valid("def add(item, items=None, names=(), size=0):\n    items = [] if items is None else items\n"),)
    INVALID = (
        Invalid("def add(item, items=[]):\n    items.append(item)\n    return items\n", 1, 21, message="changes it"),
        Invalid("def f(*, cache=dict()):\n    return cache\n", 1, 16),
        Invalid("def count(word, seen={}):\n    seen[word] = seen.get(word, 0) + 1\n", 1, 22, message="changes it"),
        # Stored on the instance, changed by another method: every instance built without it shares one dict.
        Invalid(
            "class Tags:\n    def __init__(self, tags={}):\n        self.tags = tags\n\n"
            "    def add(self, key, value):\n        self.tags[key] = value\n",
            2,
            29,
            message="and a method of this class changes it",
        ),
        # Handed on to a class of the module whose constructor writes into it.
        Invalid(
            "class Cursor:\n    def __init__(self, raw, meta={}):\n        self.meta = meta\n"
            "        self.meta['kind'] = type(raw).__name__\n\n"
            "class Conn:\n    def __init__(self, raw, meta={}):\n        self.meta = meta\n\n"
            "    def cursor(self):\n        return Cursor(self.raw.cursor(), self.meta)\n",
            2,
            34,
            message="and this function changes it",
            also=((7, 34),),
        ),
    )


def _handler_body(handler: cst.ExceptHandler) -> list[cst.BaseSmallStatement | cst.BaseStatement]:
    body = handler.body
    out: list = []
    for stmt in body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            out += list(stmt.body)
        else:
            out.append(stmt)
    return out


def _is_broad(ctx: Context, handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    return (dotted(handler.type) or "") in ("Exception", "BaseException", "builtins.Exception")


class SwallowedException(ReviewRule):
    """
    ## What it does
    Finds `except` blocks that catch everything (bare `except:`, `Exception`, `BaseException`) and do
    nothing: only `pass`, `...` or `continue`.

    ## Why is this bad?
    Every error, including bugs (`TypeError`, `KeyError`) and failed security checks, disappears without a
    trace; the program continues in a state nobody planned for.

    ## Example
    ```python
    try:
        publish(event)
    except Exception:
        pass
    ```

    ## Fix
    Catch the specific exceptions you expect, and log (`logger.exception(...)`) or handle them; if
    ignoring really is right, say so with `contextlib.suppress(SpecificError)`.
    """

    code = "CWR602"
    name = "swallowed-exception"
    cwe = 390
    severity = Severity.WARNING
    needles = ("except",)
    pattern = re.compile(
        r"except(?:\s+(?:Exception|BaseException)\b[^:\n]*)?\s*:\s*(?:#[^\n]*)?\n\s*(?:pass|\.\.\.|continue|[rbuRBU]*[\"'])"
    )

    def visit_ExceptHandler(self, ctx: Context, node: cst.ExceptHandler) -> None:
        if not _is_broad(ctx, node):
            return
        body = _handler_body(node)
        silent = all(
            isinstance(s, cst.Pass | cst.Continue)
            or (isinstance(s, cst.Expr) and isinstance(s.value, cst.Ellipsis | cst.SimpleString))
            for s in body
        )
        if silent:
            what = "every exception" if node.type is None else ctx.code(node.type)
            ctx.report(node, f"{what} is caught and ignored without a trace")

    VALID = (
        Valid("import logging\ntry:\n    run()\nexcept Exception:\n    logging.exception('run failed')\n"),
        Valid("try:\n    import ujson as json\nexcept ImportError:\n    pass\n"),
    )
    INVALID = (
        Invalid("try:\n    publish()\nexcept Exception:\n    pass\n", 3, 1),
        Invalid("for x in xs:\n    try:\n        go(x)\n    except:\n        continue\n", 4, 5),
    )


def _module_tuple(ctx: Context, node: cst.BaseExpression) -> tuple[str, ...] | None:
    """The last names of a tuple the module assigns once at its top level to the name `node`
    (`_reraised = (ExitNow, KeyboardInterrupt, SystemExit)`), or None."""
    if not isinstance(node, cst.Name):
        return None
    found: tuple[str, ...] | None = None
    for stmt in ctx.module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            targets = small.targets if isinstance(small, cst.Assign) else ()
            if not any(isinstance(t.target, cst.Name) and t.target.value == node.value for t in targets):
                continue
            if found is not None or not isinstance(small.value, cst.Tuple):  # type: ignore[union-attr]
                return None  # assigned twice, or not a literal tuple: not known
            found = tuple(ctx.code(e.value).rsplit(".", 1)[-1] for e in small.value.elements)  # type: ignore[union-attr]
    return found


class BareExcept(ReviewRule):
    """
    ## What it does
    Finds bare `except:` clauses that do not re-raise.

    ## Why is this bad?
    A bare `except:` also catches `KeyboardInterrupt` and `SystemExit`: Ctrl-C and `sys.exit()` stop
    working, and Lambda timeouts or worker shutdowns are swallowed.

    ## Example
    ```python
    try:
        value = int(text)
    except:
        value = 0
    ```

    ## Fix
    Name the exceptions (`except ValueError:`), or at least `except Exception:` (codeward applies that
    with `--fix`).
    """

    code = "CWR603"
    name = "bare-except"
    cwe = 396
    severity = Severity.WARNING
    needles = ("except:",)

    def visit_Try(self, ctx: Context, node: cst.Try) -> None:
        caught: set[str] = set()  # what the handlers before the bare one catch, by last name
        for handler in node.handlers:
            if handler.type is not None:
                types = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
                for t in types:
                    expr = t.value if isinstance(t, cst.Element) else t
                    caught.update(_module_tuple(ctx, expr) or (ctx.code(expr).rsplit(".", 1)[-1],))
                continue
            if any(isinstance(s, cst.Raise) and s.exc is None for s in _handler_body(handler)):
                return  # cleanup, then re-raise: intended
            if "BaseException" in caught or {"KeyboardInterrupt", "SystemExit"} <= caught:
                return  # earlier handlers take Ctrl-C and sys.exit(): the bare one sees only the rest
            ctx.report(handler, "bare except also catches KeyboardInterrupt and SystemExit",
                       fix=("catch Exception instead", ((handler, "except Exception", len("except")),)))  # fmt: skip

    VALID = (
        Valid("try:\n    v = int(t)\nexcept ValueError:\n    v = 0\n"),
        Valid("try:\n    work()\nexcept:\n    cleanup()\n    raise\n"),
        # The module names the exceptions it lets through once (asyncore's `_reraised_exceptions`).
        Valid(
            "_reraised = (ExitNow, KeyboardInterrupt, SystemExit)\n\ndef read(obj):\n    try:\n        obj.handle_read()\n"
            "    except _reraised:\n        raise\n    except:\n        obj.handle_error()\n"
        ),
        Valid(
            "try:\n    serve()\nexcept KeyboardInterrupt:\n    pass\nexcept (SystemExit, MemoryError):\n    raise\n"
            "except:\n    restart()\n"
        ),
    )
    INVALID = (
        Invalid(
            "try:\n    v = int(t)\nexcept:\n    v = 0\n",
            3,
            1,
            fixed="try:\n    v = int(t)\nexcept Exception:\n    v = 0\n",
        ),
        # Only Ctrl-C is handled before it: `sys.exit()` still ends in the bare clause.
        Invalid("try:\n    serve()\nexcept KeyboardInterrupt:\n    pass\nexcept:\n    restart()\n", 5, 1),
        # The module's tuple lets Ctrl-C through but not `sys.exit()`.
        Invalid(
            "_passed = (KeyboardInterrupt,)\n\ntry:\n    serve()\nexcept _passed:\n    raise\nexcept:\n    restart()\n",
            7,
            1,
            fixed="_passed = (KeyboardInterrupt,)\n\ntry:\n    serve()\nexcept _passed:\n    raise\nexcept Exception:\n"
            "    restart()\n",
        ),
    )


class CatchAndRethrow(ReviewRule):
    """
    ## What it does
    Finds `except` blocks whose only statement re-raises the caught exception (`raise` or `raise e`).

    ## Why is this bad?
    The block does nothing but add noise (and, with `raise e`, an extra traceback frame); readers look for
    handling that is not there.

    ## Example
    ```python
    try:
        save(record)
    except DatabaseError as e:
        raise e
    ```

    ## Fix
    Remove the `try`/`except`, or handle the error: add context (`raise SaveError(...) from e`), log it,
    or clean up.
    """

    code = "CWR604"
    name = "catch-and-rethrow"
    cwe = 1041
    severity = Severity.INFO
    needles = ("raise",)
    pattern = re.compile(r"except[^\n]*:[ \t]*(?:#[^\n]*)?\n\s*raise\b")

    def visit_Try(self, ctx: Context, node: cst.Try) -> None:
        handlers = node.handlers
        if not handlers:
            return
        # A later handler that does something means the re-raising ones exist to let those errors through.
        useless = []
        for handler in handlers:
            body = _handler_body(handler)
            name = handler.name.name.value if handler.name and isinstance(handler.name.name, cst.Name) else None
            if len(body) == 1 and isinstance(body[0], cst.Raise) and body[0].cause is None:
                exc = body[0].exc
                if exc is None or (isinstance(exc, cst.Name) and exc.value == name):
                    useless.append(handler)
                    continue
            return
        if len(useless) == len(handlers) and node.orelse is None:
            ctx.report(useless[0], "the exception is caught only to be raised again unchanged")

    VALID = (
        Valid("try:\n    save()\nexcept KeyError:\n    raise\nexcept Exception as e:\n    log(e)\n"),
        Valid("try:\n    save()\nexcept DatabaseError as e:\n    raise SaveError('save failed') from e\n"),
    )
    INVALID = (Invalid("try:\n    save()\nexcept DatabaseError as e:\n    raise e\n", 3, 1),)


# Appending to a list being iterated is well defined (a work-queue idiom); removing skips elements, and any
# size change of a dict or set raises.
_MUTATORS = frozenset({"remove", "pop", "insert", "clear", "add", "discard", "update", "popitem", "setdefault"})


class ModifyWhileIterating(ReviewRule):
    """
    ## What it does
    Finds loops that add to or remove from the list, dict or set they are iterating over. Updating the value
    of the key the loop is at (`d.update({k: v})`, `d.setdefault(k, v)`) changes no size and is not reported.
    A loop over `x.keys()`, `x.items()` or `x.values()` is an error only when the file shows `x` is a dict (a
    display, a constructor, an annotation, an attribute its class sets to one); otherwise it is reported at
    `info` and only when the rule is asked for by name (judged on real code 0 true, 3 false), because classes
    written for Python 2 (s3cmd's `SortedDict`) return a new list from those methods.

    ## Why is this bad?
    Removing from a list while iterating skips the element after each removal; changing a dict's or set's
    size raises `RuntimeError: dictionary changed size during iteration`.

    ## Example
    ```python
    for user in users:
        if user.inactive:
            users.remove(user)
    ```

    ## Fix
    Iterate over a copy (`for user in list(users):`) or build a new collection:
    `users = [u for u in users if not u.inactive]`.
    """

    code = "CWR605"
    name = "modify-while-iterating"
    cwe = 664
    severity = Severity.ERROR
    needles = ("for ",)
    pattern = re.compile(r"\.(?:remove|pop|insert|clear|add|discard|update|popitem|setdefault)\(|\bdel\s")

    def visit_For(self, ctx: Context, node: cst.For) -> None:
        iterable = node.iter
        if isinstance(iterable, cst.Call) and method_name(iterable) in ("keys", "values", "items"):
            iterable = iterable.func.value  # type: ignore[attr-defined]
        if not isinstance(iterable, cst.Name):
            return  # attributes may be containers that copy on change (email.message.Message)
        target = iterable.value
        keys = _loop_keys(node)
        statements = list(_flat_statements(node.body))
        for index, stmt in enumerate(statements):
            call = _call_on(stmt, target)
            mutated = None
            if call is not None and method_name(call) in _MUTATORS:
                replacing = _replacement(statements, index, target)
                mutated = None if _same_keys(call, keys) or replacing else call
            if isinstance(stmt, cst.Del):
                for element in _del_targets(stmt):
                    if isinstance(element, cst.Subscript) and dotted(element.value) == target:
                        mutated = stmt
            if mutated is not None and not _leaves_after(node.body, stmt):
                view = method_name(node.iter) if isinstance(node.iter, cst.Call) else None
                if view is not None and not _known_dict(ctx, target):
                    # A view method on a value of unknown type: classes written for Python 2 (s3cmd's SortedDict)
                    # return a new list from keys()/items(), which makes the loop safe.
                    ctx.report(
                        mutated,
                        f"if `{target}` is a dict, it is changed while the loop iterates over `{target}.{view}()`",
                        severity=Severity.INFO,
                        opt_in=True,  # judged on real code: 0 true, 3 false (s3cmd's SortedDict, a remove/insert)
                    )
                    return
                ctx.report(mutated, f"`{target}` is changed while the loop iterates over it")
                return

    VALID = (
        Valid("for user in list(users):\n    if user.inactive:\n        users.remove(user)\n"),
        Valid("for i, x in enumerate(items):\n    if x is None:\n        items.pop(i)\n        break\n"),
        Valid("for key, value in totals.items():\n    totals.update({key: round(value, 2)})\n"),
        Valid("for key in counts:\n    counts.setdefault(key, 0)\n    counts[key] += 1\n"),
        Valid(
            "for attr in attributes:\n    if attr['name'] == name:\n        index = attributes.index(attr)\n"
            "        attributes.remove(attr)\n        attributes.insert(index, new)\n"
        ),
    )
    INVALID = (
        Invalid("for user in users:\n    if user.inactive:\n        users.remove(user)\n", 3, 9),
        Invalid("for key, value in totals.items():\n    totals.update({key + '_rounded': value})\n", 2, 5),
        Invalid("for key in cache:\n    if expired(key):\n        del cache[key]\n", 3, 9),
        # The dict's type is in view: a literal, a constructor, an annotation, an attribute the class sets.
        Invalid(
            "def prune(ages: dict):\n    for k, v in ages.items():\n        if v > 9:\n            del ages[k]\n", 4, 13
        ),
        Invalid(
            "from collections import OrderedDict\n\nclass Graph:\n    def __init__(self):\n"
            "        self.graph = OrderedDict()\n\n    def rename(self, old, new):\n        graph = self.graph\n"
            "        for node, edges in graph.items():\n            if node == old:\n"
            "                graph[new] = edges\n                del graph[old]\n",
            12,
            17,
            message="`graph` is changed while the loop iterates over it",
        ),
        # Type unknown: reported at info, conditionally.
        Invalid(
            "def prune(files):\n    for f in files.keys():\n        if f.endswith('~'):\n            del files[f]\n",
            4,
            13,
            message="if `files` is a dict",
        ),
    )


# Calls that make a dict (collections' OrderedDict, defaultdict and Counter are told by their last name).
_DICT_MAKERS = frozenset({"dict", "json.load", "json.loads"})
_DICT_TYPES = re.compile(r"^(?:typing\.|collections\.)?(?:dict|Dict|OrderedDict|DefaultDict|defaultdict|Counter)\b")


def _known_dict(ctx: Context, name: str) -> bool:
    """Whether `name` is a builtin dict as far as the file shows: assigned a dict display, comprehension or
    constructor in its function (or at module level), annotated as one, or assigned `self.attr` that the
    class sets to one. A view's copy semantics only differ for classes that override keys()/items()."""
    function = ctx.inside(cst.FunctionDef)
    cls = next((n for n in ctx.ancestors() if isinstance(n, cst.ClassDef)), None)

    def is_dict(value: cst.BaseExpression | None, depth: int = 0) -> bool:
        if isinstance(value, cst.Dict | cst.DictComp):
            return True
        if isinstance(value, cst.Call):
            called = ctx.call_name(value)
            copied = called in ("copy.copy", "copy.deepcopy") or method_name(value) == "copy"
            if copied:
                inner = value.args[0].value if value.args else getattr(value.func, "value", None)
                return depth < 2 and is_dict(inner, depth + 1)
            return called in _DICT_MAKERS or called.rsplit(".", 1)[-1] in ("OrderedDict", "defaultdict", "Counter")
        if isinstance(value, cst.Name) and depth < 2:
            return any(is_dict(v, depth + 1) for v in assigned(function, value.value))
        if isinstance(value, cst.Attribute) and cls is not None and dotted(value.value) == "self" and depth < 2:
            return any(is_dict(v, depth + 1) for v in assigned(cls, f"self.{value.attr.value}"))
        return False

    def assigned(scope: cst.CSTNode | None, target: str) -> list[cst.BaseExpression]:
        """Values assigned to `target` in `scope` (its annotation counts as a value when it names a dict)."""
        found: list[cst.BaseExpression] = []
        if scope is None:
            return found
        if isinstance(scope, cst.FunctionDef):
            for param in (*scope.params.params, *scope.params.kwonly_params, *scope.params.posonly_params):
                annotation = param.annotation
                if param.name.value == target and annotation and _DICT_TYPES.match(ctx.code(annotation.annotation)):
                    found.append(cst.Dict([]))
        # At module level only the top-level statements bind the module's names.
        stack: list[cst.CSTNode] = (
            [s for line in scope.body if isinstance(line, cst.SimpleStatementLine) for s in line.body]
            if isinstance(scope, cst.Module)
            else [scope]
        )
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Assign):
                if any(dotted(t.target) == target for t in node.targets):
                    found.append(node.value)
            elif isinstance(node, cst.AnnAssign) and dotted(node.target) == target:
                if _DICT_TYPES.match(ctx.code(node.annotation.annotation)):
                    found.append(cst.Dict([]))
                elif node.value is not None:
                    found.append(node.value)
            if len(found) > 8:
                break
            stack.extend(children(node))
        return found

    return any(is_dict(v) for v in assigned(function if function is not None else ctx.module, name)) or (
        function is not None and any(is_dict(v) for v in assigned(ctx.module, name))
    )


def _call_on(stmt: cst.CSTNode, target: str) -> cst.Call | None:
    """`target.method(...)` as a statement of its own."""
    if isinstance(stmt, cst.Expr) and isinstance(stmt.value, cst.Call) and isinstance(stmt.value.func, cst.Attribute):
        return stmt.value if dotted(stmt.value.func.value) == target else None
    return None


def _replacement(statements: list[cst.CSTNode], index: int, target: str) -> bool:
    """`items.remove(x)` (or `pop(i)`) and `items.insert(...)` one after the other: an element is replaced, the
    length and the positions after it stay. True for either statement of the pair."""

    def method(at: int) -> str | None:
        call = _call_on(statements[at], target) if 0 <= at < len(statements) else None
        return method_name(call) if call is not None else None

    taken = ("remove", "pop")
    here = method(index)
    return (here in taken and method(index + 1) == "insert") or (here == "insert" and method(index - 1) in taken)


def _loop_keys(node: cst.For) -> set[str]:
    """The names a loop binds to the keys it iterates: `k` in `for k in d`, `for k, v in d.items()`."""
    target = node.target
    if isinstance(node.iter, cst.Call) and method_name(node.iter) == "items" and isinstance(target, cst.Tuple):
        first = target.elements[0].value if target.elements else None
        return {first.value} if isinstance(first, cst.Name) else set()
    if isinstance(node.iter, cst.Call) and method_name(node.iter) == "values":
        return set()
    return {target.value} if isinstance(target, cst.Name) else set()


def _same_keys(call: cst.Call, keys: set[str]) -> bool:
    """`d.update({k: v})` or `d.setdefault(k, v)` with the loop's own key: the key exists, the size stays."""
    if not keys:
        return False
    method = method_name(call)
    if method == "setdefault" and call.args:
        first = call.args[0].value
        return isinstance(first, cst.Name) and first.value in keys
    if method == "update" and len(call.args) == 1 and isinstance(call.args[0].value, cst.Dict):
        elements = call.args[0].value.elements
        return bool(elements) and all(
            isinstance(e, cst.DictElement) and isinstance(e.key, cst.Name) and e.key.value in keys for e in elements
        )
    return False


def _flat_statements(block: cst.CSTNode):
    """Small statements inside a loop body (conditionals included, nested loops and functions not)."""
    for child in children(block):
        if isinstance(child, cst.SimpleStatementLine):
            yield from child.body
        elif isinstance(
            child, cst.If | cst.Else | cst.IndentedBlock | cst.Try | cst.ExceptHandler | cst.Finally | cst.With
        ):
            yield from _flat_statements(child)


def _del_targets(stmt: cst.Del):
    target = stmt.target
    if isinstance(target, cst.Tuple):
        return [e.value for e in target.elements]
    return [target]


def _leaves_after(body: cst.CSTNode, stmt: cst.CSTNode) -> bool:
    """Whether the statement is followed by break/return in the same line block (so iteration stops)."""
    for child in _walk_lines(body):
        statements = list(child.body)
        if stmt in statements:
            rest = statements[statements.index(stmt) + 1 :]
            if any(isinstance(s, cst.Break | cst.Return) for s in rest):
                return True
    for block in _walk_blocks(body):
        lines = list(block.body)
        for index, line in enumerate(lines):
            if isinstance(line, cst.SimpleStatementLine) and stmt in line.body:
                after = lines[index + 1 :]
                return any(
                    isinstance(s, cst.SimpleStatementLine)
                    and any(isinstance(x, cst.Break | cst.Return) for x in s.body)
                    for s in after
                )
    return False


def _walk_lines(node: cst.CSTNode):
    for child in children(node):
        if isinstance(child, cst.SimpleStatementLine):
            yield child
        elif not isinstance(child, cst.FunctionDef | cst.ClassDef):
            yield from _walk_lines(child)


def _walk_blocks(node: cst.CSTNode):
    if isinstance(node, cst.IndentedBlock):
        yield node
    for child in children(node):
        if not isinstance(child, cst.FunctionDef | cst.ClassDef | cst.SimpleStatementLine):
            yield from _walk_blocks(child)


class IsLiteral(ReviewRule):
    """
    ## What it does
    Finds `is` / `is not` comparisons with a string, number, bytes or container literal.

    ## Why is this bad?
    `is` compares identity, not value: whether two equal strings or numbers are the same object depends
    on interning and the interpreter version (Python warns: "SyntaxWarning: "is" with a literal").

    ## Example
    ```python
    if status is "active":
    ```

    ## Fix
    Compare values with `==` / `!=` (codeward applies it with `--fix`); keep `is` for `None`, `True`,
    `False` and sentinels.
    """

    code = "CWR606"
    name = "is-comparison-with-literal"
    cwe = 595
    severity = Severity.ERROR
    needles = (" is ",)
    pattern = re.compile(r"\bis(?:\s+not)?\s+(?:[-+]?\.?\d|[\[{\"']|[rbufRBUF]+[\"'])")
    _LITERAL_NAMES = ("SimpleString", "Integer", "Float", "ConcatenatedString", "FormattedString", "List", "Dict",
                      "Tuple", "Set", "Imaginary")  # fmt: skip

    def visit_Comparison(self, ctx: Context, node: cst.Comparison) -> None:
        literals = tuple(getattr(cst, name) for name in self._LITERAL_NAMES)
        left = node.left
        for target in node.comparisons:
            op = target.operator
            if isinstance(op, cst.Is | cst.IsNot) and (
                isinstance(target.comparator, literals) or isinstance(left, literals)
            ):
                if isinstance(target.comparator, cst.Tuple) and not target.comparator.elements:
                    pass
                new = cst.Equal() if isinstance(op, cst.Is) else cst.NotEqual()
                ctx.report(node, f"`{ctx.code(node)}` compares identity with a literal",
                           fix=_replace_operator(ctx, node, target, new))  # fmt: skip
                return
            left = target.comparator

    VALID = (Valid("if status == 'active' and x is None and y is not True:\n    pass\n"),)
    INVALID = (
        Invalid("if status is 'active':\n    pass\n", 1, 4, fixed="if status == 'active':\n    pass\n"),
        Invalid("ok = code is not 200\n", 1, 6, fixed="ok = code != 200\n"),
    )


class NaiveDatetime(ReviewRule):
    """
    ## What it does
    Finds naive datetimes: `datetime.utcnow()`, `datetime.utcfromtimestamp()` (deprecated in Python 3.12)
    and `datetime.now()` / `fromtimestamp()` without a time zone (not `now().timestamp()`, which converts
    a naive local time to the right epoch, nor `now().astimezone()`, an aware datetime of the local zone;
    nor the deprecated calls in code only older Pythons run: the `except ImportError` fallback of
    `from datetime import UTC`, or under a `sys.version_info` test). Reported at `info`: on real projects these findings were right but rarely worth a review comment
    (timestamps formatted for logs, Lambda running in UTC).

    ## Why is this bad?
    A naive datetime carries no zone: `utcnow()` returns UTC that every library treats as local time,
    comparisons with aware datetimes raise `TypeError`, and DST shifts corrupt durations.

    ## Example
    ```python
    expires = datetime.utcnow() + timedelta(hours=1)
    ```

    ## Fix
    `datetime.now(timezone.utc)` and `datetime.fromtimestamp(ts, tz=timezone.utc)`.
    """

    code = "CWR607"
    name = "naive-datetime"
    cwe = 682
    severity = Severity.INFO
    needles = ("datetime",)
    pattern = re.compile(r"utcnow|utcfromtimestamp|\.now\(|fromtimestamp\(")
    _ALWAYS = frozenset({"datetime.datetime.utcnow", "datetime.datetime.utcfromtimestamp"})
    _NEEDS_TZ = {"datetime.datetime.now": 0, "datetime.datetime.fromtimestamp": 1}

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        if name in self._ALWAYS:
            if _compatibility_fallback(ctx, node):  # what Pythons without `datetime.UTC` run: nothing to change
                return
            ctx.report(node, f"{name.removeprefix('datetime.')}() returns a naive datetime (deprecated since 3.12)")
            return
        index = self._NEEDS_TZ.get(name)
        if index is None:
            return
        positional_args = [a for a in node.args if a.keyword is None]
        parent = ctx.parents[-1] if ctx.parents else None
        if isinstance(parent, cst.Attribute) and parent.attr.value in ("timestamp", "astimezone"):
            # `datetime.now().timestamp()`: a naive local time converts to the right epoch; `.astimezone()` makes
            # it an aware datetime of the local zone (judged wrong on textractor, compared with S3's aware times).
            return
        if kwarg(node, "tz") is None and len(positional_args) <= index:
            ctx.report(node, f"{name.removeprefix('datetime.')}() without tz= returns a naive local datetime")

    VALID = (
        Valid("from datetime import datetime, timezone\nnow = datetime.now(timezone.utc)\n"),
        Valid("from datetime import datetime\nstamp = str(datetime.now().timestamp())\n"),
        Valid("import datetime\n\ndef age(modified):\n    return datetime.datetime.now().astimezone() - modified\n"),
        Valid(
            "from datetime import datetime\n\ndef utc_now():\n    try:\n        from datetime import UTC\n"
            "    except ImportError:\n        return datetime.utcnow()\n    return datetime.now(UTC)\n"
        ),
    )
    INVALID = (
        Invalid("import datetime\nexpires = datetime.datetime.utcnow()\n", 2, 11),
        Invalid("from datetime import datetime as dt\nstamp = dt.now()\n", 2, 9),
    )


_DEPRECATED = {
    "logging.warn": ("logging.warning", "warning"),
    "imp.load_source": ("importlib", None),
    "imp.reload": ("importlib.reload", None),
    "inspect.getargspec": ("inspect.signature", None),
    "asyncio.get_event_loop": ("asyncio.get_running_loop (inside coroutines) or asyncio.run", None),
    "base64.encodestring": ("base64.encodebytes", "encodebytes"),
    "base64.decodestring": ("base64.decodebytes", "decodebytes"),
    "cgi.escape": ("html.escape", None),
    "platform.linux_distribution": ("the distro package", None),
    "distutils.core.setup": ("setuptools.setup", None),
    "os.popen2": ("subprocess", None),
    "string.letters": ("string.ascii_letters", None),
    "pkg_resources.resource_filename": ("importlib.resources.files", None),
    "unittest.makeSuite": ("unittest.TestLoader().loadTestsFromTestCase", None),
    "asyncio.coroutine": ("async def", None),
}
_DEPRECATED_METHODS = {
    "assertEquals": "assertEqual",
    "assertNotEquals": "assertNotEqual",
    "assertRegexpMatches": "assertRegex",
    "assertItemsEqual": "assertCountEqual",
    "assert_": "assertTrue",
    "failUnless": "assertTrue",
    "failIf": "assertFalse",
    "assertDictContainsSubset": None,
}


# Exceptions that say "the newer API is not there": their handlers hold the fallback for old versions.
_MISSING_API = frozenset({"AttributeError", "ImportError", "ModuleNotFoundError", "NameError"})


def _missing_api(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return False
    types = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
    names = {(dotted(t.value if isinstance(t, cst.Element) else t) or "").rsplit(".", 1)[-1] for t in types}
    return bool(names & _MISSING_API)


def _fallback_imports(ctx: Context) -> frozenset[str]:
    """Names the module imports only in the handler of `except ImportError` (`try: from html import escape`
    / `except ImportError: from cgi import escape`): the old module is what older versions get."""
    key = ("fallback imports", id(ctx.module))
    found = ctx.shared.get(key)
    if found is None:
        names: set[str] = set()
        for statement in ctx.module.body:
            if not isinstance(statement, cst.Try):
                continue
            for handler in statement.handlers:
                if not _missing_api(handler):
                    continue
                for line in handler.body.body:
                    for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
                        if isinstance(small, cst.Import | cst.ImportFrom) and not isinstance(
                            small.names, cst.ImportStar
                        ):
                            for alias in small.names:
                                bound = alias.asname.name if alias.asname else alias.name
                                names.add((dotted(bound) or "").split(".", 1)[0])  # type: ignore[arg-type]
        found = ctx.shared[key] = frozenset(names)
    return found  # type: ignore[return-value]


def _project_defines_warn(ctx: Context) -> bool:
    """A module of the project this file imports, or one that module imports, defines a `warn` of its own (a
    logger class whose API is `warn`, with no `warning`: supervisor's `loggers.Logger`, reached through
    `options.logger`); or a module of the file's own package, or one it imports, does (a `warn` patched onto a
    logging class: awsebcli's `ebcore` calls `utils.monkey_patch_warn()`, which sets `LoggingLogHandler.warn`,
    before the `io` next to it logs through `app.log.warn`). Asked only for the few hedged `x.warn()` calls."""
    import os

    from codeward.reviewer.dataflow.project import shared_project

    found = ctx.shared.get("project-warn")
    if found is not None:
        return found  # type: ignore[return-value]
    project = shared_project()
    here = os.path.abspath(ctx.path)
    folder = os.path.dirname(here)
    try:
        siblings = sorted(
            os.path.join(folder, name)
            for name in os.listdir(folder)
            if name.endswith(".py") and os.path.join(folder, name) != here
        )
    except OSError:
        siblings = []
    seen = {here}
    found = False
    # Two imports away from the file; one import away from the modules next to it.
    for start, depth in ([here], 2), (siblings, 1):
        frontier = []
        for module in start:
            if module not in seen:
                seen.add(module)
                if project.defines(module, "warn"):
                    found = True
                    break
            frontier.append(module)
        for _ in range(depth if not found else 0):
            following = []
            for path in frontier:
                for module in project.imported_modules(path):
                    if module in seen:
                        continue
                    seen.add(module)
                    if project.defines(module, "warn"):
                        found = True
                        break
                    following.append(module)
                if found:
                    break
            frontier = following
        if found:
            break
    ctx.shared["project-warn"] = found
    return found


def _compatibility_fallback(ctx: Context, call: cst.Call) -> bool:
    """The call is one only an older Python or library reaches: in the handler of `except
    AttributeError`/`ImportError` (the new API was tried first), under a test of `sys.version_info` or
    `hasattr(...)`, or of a name imported only as the fallback of an `ImportError`. Code written for both
    sides of an upgrade is not a deprecation to fix."""
    root = call.func
    while isinstance(root, cst.Attribute):
        root = root.value
    if isinstance(root, cst.Name) and root.value in _fallback_imports(ctx):
        return True
    if isinstance(call.func, cst.Name) and re.search(rf"^\s*def {re.escape(call.func.value)}\(", ctx.text, re.M):
        return True  # the module defines the name itself (a wrapper over the new API on the new side of an `if`)
    # Through function and class boundaries: a module that defines its functions under `if PY3:` / `else:`.
    for node in ctx.ancestors():
        if isinstance(node, cst.ExceptHandler) and _missing_api(node):
            return True
        if isinstance(node, cst.If) and re.search(r"\bversion_info\b|\bhasattr\(|\bPY2\b|\bPY3\b", ctx.code(node.test)):
            return True
    return False


def _handles_runtime_error(ctx: Context) -> bool:
    """Inside a `try` whose handlers catch RuntimeError: `asyncio.get_event_loop()` written for the no-loop case."""
    for node in ctx.ancestors():
        if isinstance(node, cst.FunctionDef | cst.Lambda):
            return False
        if isinstance(node, cst.Try) and any(
            h.type is not None and "RuntimeError" in ctx.code(h.type) for h in node.handlers
        ):
            return True
    return False


class DeprecatedApi(ReviewRule):
    """
    ## What it does
    Finds calls of deprecated or removed standard-library APIs: `logging.warn`, `imp`, `inspect.getargspec`,
    `base64.encodestring`, `cgi.escape`, `asyncio.get_event_loop` outside a loop, unittest aliases such
    as `assertEquals`.

    ## Why is this bad?
    They emit `DeprecationWarning` today and break on the next Python upgrade (several are already gone in
    3.12 and 3.13), usually in a Lambda runtime update nobody planned for.

    ## Example
    ```python
    logging.warn("disk almost full")
    ```

    ## Fix
    Use the replacement named in the message; codeward renames the direct aliases with `--fix`. Calls that
    only older versions reach (under `except AttributeError`/`ImportError` after trying the new API, under a
    `sys.version_info` or `hasattr` test, or of a name imported from the old module only when the new one
    fails to import) are not reported. Neither is `x.warn(...)` on a receiver that only its name calls a
    logger when the project defines a `warn` of its own (in the module, one or two imports away, or in a module
    of the same package or one it imports): its own logger class, whose `warning` may not exist, or a `warn`
    it patches onto a logging class.
    """

    code = "CWR608"
    name = "deprecated-api"
    cwe = 477
    severity = Severity.WARNING
    needles = ("warn(", "imp.", "import imp", "getargspec", "codestring", "cgi", "linux_distribution", "distutils",
               "popen2", "assertEquals", "assertNotEquals", "assertRegexpMatches", "assertItemsEqual", "assert_(",
               "failUnless", "failIf", "assertDictContainsSubset", "get_event_loop", "coroutine", "makeSuite",
               "string.letters", "pkg_resources")  # fmt: skip

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        # Each report first asks whether the call is a compatibility fallback (costly: it prints tests' code),
        # only for the few calls that would be reported.
        name = ctx.call_name(node)
        entry = _DEPRECATED.get(name)
        if entry is not None:
            if _compatibility_fallback(ctx, node):
                return
            if name == "asyncio.get_event_loop" and (
                (ctx.function is not None and ctx.function.asynchronous) or _handles_runtime_error(ctx)
            ):
                return
            replacement, rename = entry
            fix = None
            if rename and isinstance(node.func, cst.Attribute):
                fix = (f"use {replacement}", ((node.func.attr, rename),))
            ctx.report(node, f"{name}() is deprecated; use {replacement}", fix=fix)
            return
        method = method_name(node)
        if (
            method in _DEPRECATED_METHODS
            and isinstance(node.func, cst.Attribute)
            and ctx.code(node.func.value) == "self"
        ):
            if _compatibility_fallback(ctx, node):
                return
            new = _DEPRECATED_METHODS[method]
            fix = (f"use {new}", ((node.func.attr, new),)) if new else None
            ctx.report(node, f"{method}() is a deprecated alias" + (f"; use {new}" if new else ""), fix=fix)
        elif (
            method == "warn"
            and isinstance(node.func, cst.Attribute)
            and is_logging_call(ctx, node)
            and not _compatibility_fallback(ctx, node)
        ):
            if ctx.call_name(node).startswith(("logging.", "structlog.")):
                ctx.report(node, "Logger.warn() is deprecated; use warning()",
                           fix=("use warning", ((node.func.attr, "warning"),)))  # fmt: skip
            elif "def warn(" not in ctx.text and not _project_defines_warn(ctx):
                # Only the receiver's name says it is a logger: projects with loggers of their own define `warn`
                # and no `warning` (supervisor), where the fix would break the call.
                ctx.report(
                    node,
                    f"if `{ctx.code(node.func.value, 60)}` is a logging.Logger, warn() is deprecated; use warning()",
                    severity=Severity.INFO,
                )

    VALID = (
        Valid("import logging\nlogging.warning('disk almost full')\nimport warnings\nwarnings.warn('x')\n"),
        Valid("class Logger:\n    def warn(self, msg):\n        print(msg)\n\nlogger = Logger()\nlogger.warn('x')\n"),
        # The project's own logger class, with `warn` and no `warning`, two imports away (supervisor).
        Valid(
            "from app import options\n\n\ndef stop(process):\n    process.config.options.logger.warn('stopping')\n",
            filename="job.py",
            files={
                "app/__init__.py": "",
                "app/options.py": "from app import loggers\n",
                "app/loggers.py": "class Logger:\n    def warn(self, msg):\n        print(msg)\n",
            },
        ),
        # A module of the same package patches `warn` onto the logging class its `app.log` is (awsebcli).
        Valid(
            "from cli import state\n\n\ndef log_warning(message):\n    state.app.log.warn(message)\n",
            filename="cli/io.py",
            files={
                "__init__.py": "",
                "state.py": "app = None\n",
                "core.py": "from cli import patches, state\n\npatches.patch_warn()\n",
                "patches.py": "from cement import LoggingLogHandler\n\n\ndef patch_warn():\n"
                "    def warn(self, msg):\n        self.backend.warning(msg)\n\n    LoggingLogHandler.warn = warn\n",
            },
        ),
        # Fallbacks for older Pythons: the new API is tried first.
        Valid(
            "import inspect\n\ndef spec(f):\n    try:\n        return inspect.signature(f)\n"
            "    except AttributeError:\n        return inspect.getargspec(f)\n"
        ),
        Valid(
            "import sys, asyncio\n\ndef loop():\n    if sys.version_info < (3, 10):\n"
            "        return asyncio.get_event_loop()\n    return asyncio.new_event_loop()\n"
        ),
        # A module's own wrapper of the same name; a function defined for old Pythons only; the no-loop case handled.
        Valid(
            "import inspect\n\ndef getargspec(func):\n    return inspect.getfullargspec(func)[:4]\n\n"
            "def names(f):\n    return getargspec(f)[0]\n"
        ),
        Valid(
            "import inspect\nPY3 = True\nif PY3:\n    def spec(f):\n        return inspect.signature(f)\nelse:\n"
            "    def spec(f):\n        return inspect.getargspec(f)\n"
        ),
        Valid(
            "import asyncio\n\ndef current():\n    try:\n        return asyncio.get_event_loop()\n"
            "    except RuntimeError:\n        return None\n"
        ),
        # The deprecated module is only the fallback import; the call runs the new one where it exists.
        Valid(
            "try:\n    from html import escape\nexcept ImportError:\n    from cgi import escape\n\n"
            "def page(name):\n    return escape(name)\n"
        ),
    )
    INVALID = (
        Invalid(
            "import logging\nlogging.warn('disk almost full')\n",
            2,
            1,
            fixed="import logging\nlogging.warning('disk almost full')\n",
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\nlogger.warn('disk almost full')\n",
            3,
            1,
            fixed="import logging\nlogger = logging.getLogger(__name__)\nlogger.warning('disk almost full')\n",
        ),
        Invalid(
            "class Job:\n    def run(self):\n        self.options.logger.warn('late')\n",
            3,
            9,
            message="if `self.options.logger` is a logging.Logger, warn() is deprecated",
        ),
        # The same package's modules define no `warn`: the hedge stands.
        Invalid(
            "from cli import state\n\n\ndef log_warning(message):\n    state.app.log.warn(message)\n",
            5,
            5,
            message="if `state.app.log` is a logging.Logger, warn() is deprecated",
            filename="cli/io.py",
            files={
                "__init__.py": "",
                "state.py": "app = None\n",
                "core.py": "from cli import state\n\nstate.app = 1\n",
            },
        ),
        Invalid(
            "import unittest\n\nclass T(unittest.TestCase):\n    def test(self):\n        self.assertEquals(1, 1)\n",
            5,
            9,
            fixed="import unittest\n\nclass T(unittest.TestCase):\n    def test(self):\n        self.assertEqual(1, 1)\n",
        ),
    )


_SUBPROCESS_WAITING = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output"}
)


def _under_timeout_block(ctx: Context) -> bool:
    """Inside `with eventlet.Timeout(5):`, `with gevent.Timeout(5):`, `async with asyncio.timeout(5):` and the
    like: the block bounds the call however the call itself is made."""
    for node in ctx.ancestors():
        if isinstance(node, cst.FunctionDef | cst.Lambda):
            return False
        if isinstance(node, cst.With) and any(
            isinstance(item.item, cst.Call)
            and re.search(r"(?i)timeout$|fail_after$|move_on_after$", ctx.call_name(item.item) or "")
            for item in node.items
        ):
            return True
    return False


def _already_waited(ctx: Context, call: cst.Call) -> bool:
    """`p.wait()` after a statement of the same block that waited for `p` already: `p.communicate()` (which
    returns once the child has exited) or a `with Popen(...) as p:` block (whose exit waits). The wait then
    returns at once; the earlier wait is the one that can hang (and is reported there). A statement that binds `p`
    again in between starts another process."""
    if not (isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name)):
        return False
    name = call.func.value.value
    inner: cst.CSTNode = call
    for node in ctx.ancestors():
        if isinstance(node, cst.FunctionDef | cst.Lambda | cst.ClassDef):
            return False
        body = getattr(node, "body", None)
        if isinstance(node, cst.IndentedBlock | cst.Module) and isinstance(body, list | tuple) and inner in body:
            for statement in reversed(body[: body.index(inner)]):
                if _binds(statement, name):
                    return False
                if _waits_for(statement, name):
                    return True
        inner = node
    return False


def _binds(statement: cst.CSTNode, name: str) -> bool:
    small = statement.body if isinstance(statement, cst.SimpleStatementLine) else ()
    return any(
        isinstance(s, cst.Assign) and any(n.value == name for t in s.targets for n in target_names(t.target))
        for s in small
    )


def _waits_for(statement: cst.CSTNode, name: str) -> bool:
    """`name.communicate(...)` as a statement or an assignment's value, or `with ... as name:`."""
    if isinstance(statement, cst.With):
        return any(
            item.asname is not None and isinstance(item.asname.name, cst.Name) and item.asname.name.value == name
            for item in statement.items
        )
    for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
        value = small.value if isinstance(small, cst.Expr | cst.Assign) else None
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value == "communicate"
            and isinstance(value.func.value, cst.Name)
            and value.func.value.value == name
        ):
            return True
    return False


class SubprocessWithoutTimeout(ReviewRule):
    """
    ## What it does
    Finds `subprocess.run`, `call`, `check_call`, `check_output` and `Popen.communicate()`/`wait()` without
    `timeout=`.

    ## Why is this bad?
    A child that hangs (a prompt, a network stall, a deadlock) blocks the caller forever: a request worker,
    a CI job or a Lambda invocation until its own timeout, billed all along.

    ## Example
    ```python
    subprocess.run(["git", "fetch"], check=True)
    ```

    ## Fix
    Pass `timeout=` (seconds) and handle `subprocess.TimeoutExpired`.
    """

    code = "CWR609"
    name = "subprocess-without-timeout"
    cwe = 400
    severity = Severity.INFO
    needles = ("subprocess", "communicate", "Popen")

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        waits = name in _SUBPROCESS_WAITING or name in ("subprocess.Popen().communicate", "subprocess.Popen().wait")
        if waits and kwarg(node, "timeout") is None and not any(a.star == "**" for a in node.args):
            if name == "subprocess.Popen().wait" and _already_waited(ctx, node):
                return  # the child has exited: communicate() or the `with` block waited (and is reported there)
            ctx.report(node, f"{name.replace('()', '')}() waits for the child without a timeout")

    VALID = (
        Valid("import subprocess\nsubprocess.run(['git', 'fetch'], check=True, timeout=120)\n"),
        # The wait after the `with` block returns at once: the block's exit waited for the child.
        Valid(
            "import subprocess\n\ndef run(cmd):\n    with subprocess.Popen(cmd) as proc:\n"
            "        proc.communicate(timeout=60)\n    return proc.wait()\n"
        ),
        Valid(
            "import subprocess\n\ndef run(cmd):\n    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)\n"
            "    out, _ = proc.communicate(timeout=60)\n    proc.wait()\n    return out\n"
        ),
    )
    INVALID = (
        Invalid("import subprocess\nsubprocess.run(['git', 'fetch'], check=True)\n", 2, 1),
        Invalid("from subprocess import Popen\np = Popen(['cat'])\nout, _ = p.communicate()\n", 3, 10),
        # Inside the `with` block the child may still run; a communicate() in a branch may not have happened.
        Invalid(
            "import subprocess\n\ndef run(cmd):\n    with subprocess.Popen(cmd) as proc:\n        return proc.wait()\n",
            5,
            16,
        ),
        Invalid(
            "import subprocess\n\ndef run(cmd, feed):\n    proc = subprocess.Popen(cmd)\n    if feed:\n"
            "        proc.communicate(timeout=60)\n    return proc.wait()\n",
            7,
            12,
        ),
        # Another process bound to the name after the first one was waited for.
        Invalid(
            "import subprocess\n\ndef run(a, b):\n    proc = subprocess.Popen(a)\n    proc.communicate(timeout=9)\n"
            "    proc = subprocess.Popen(b)\n    return proc.wait()\n",
            7,
            12,
        ),
    )


_HTTP_CALLS = frozenset(
    f"requests.{verb}" for verb in ["get", "post", "put", "patch", "delete", "head", "options", "request"]
)


_URLLIB3_POOLS = frozenset({"urllib3.PoolManager", "urllib3.ProxyManager", "urllib3.HTTPConnectionPool",
                            "urllib3.HTTPSConnectionPool", "urllib3.connectionpool.HTTPConnectionPool",
                            "urllib3.connectionpool.HTTPSConnectionPool", "urllib3.poolmanager.PoolManager"})  # fmt: skip
_URLLIB3_REQUESTS = frozenset({"request", "urlopen", "request_encode_body", "request_encode_url"})
_HTTP_CONNECTIONS = frozenset({"http.client.HTTPConnection", "http.client.HTTPSConnection"})


_CFN_RESPONSE_URL = re.compile(r"(?i)\bresponse_?url\b|\[\s*['\"]ResponseURL['\"]\s*\]")


# The body of a signal to a CloudFormation wait condition handle: `{"Status": "SUCCESS", "UniqueId": ..., ...}`.
_CFN_WAIT_SIGNAL = re.compile(r"\bUniqueId\b")


def _signals_wait_condition(ctx: Context) -> bool:
    """The request is made in a function that builds a CloudFormation wait condition's signal (`Status` and
    `UniqueId`): the wait condition's own timeout bounds what the stack waits, and a client timeout would still
    leave it unsignalled (judged not worth a comment: sc-puppet's signal from a CodeBuild job)."""
    function = ctx.function
    if function is None:
        return False
    text = ctx.code(function, 50_000)
    return bool(_CFN_WAIT_SIGNAL.search(text)) and "Status" in text and "SUCCESS" in text


def _answers_cloudformation(ctx: Context) -> bool:
    """The request is made in a function that sends a CloudFormation custom resource's answer (it names the
    event's `ResponseURL` or a `response_url`)."""
    function = ctx.function
    return function is not None and bool(_CFN_RESPONSE_URL.search(ctx.code(function, 50_000)))


# The second parameter of a Lambda handler, as projects name it (`_` when the handler ignores it).
_HANDLER_CONTEXT = frozenset({"context", "_", "_context", "ctx", "_ctx", "lambda_context", "_lambda_context"})


def _lambda_handler(function: cst.FunctionDef) -> bool:
    """`def handler(event, context)`, `def lambda_handler(event, _)`: the Lambda entry point's signature."""
    params = [*function.params.posonly_params, *function.params.params]
    return len(params) == 2 and params[0].name.value in ("event", "_event") and params[1].name.value in _HANDLER_CONTEXT


def _bounded_by_lambda(ctx: Context) -> bool:
    """The request is the Lambda invocation's own act: made in the handler's body (not in a helper other callers
    share), or at module level of the handler's module, where Lambda's init phase (10 seconds, then the
    function's timeout) bounds it. A hang there ends the invocation with a timeout error, the same outcome as a
    client timeout a few seconds later; a hang in a helper can instead stall work that should have gone on."""
    function = ctx.function
    if function is not None:
        if function.decorators and CRHELPER.search(ctx.text):
            # Registered with crhelper (`@helper.create`), which answers CloudFormation after it returns: a hang
            # here loses that answer, so the request is not the invocation's last act.
            return False
        return ctx.scope.parent is ctx.module_scope and _lambda_handler(function)
    if ctx.scope is not ctx.module_scope:
        return False
    found = ctx.shared.get("module defines a Lambda handler")
    if found is None:
        found = ctx.shared["module defines a Lambda handler"] = any(
            isinstance(stmt, cst.FunctionDef) and _lambda_handler(stmt) for stmt in ctx.module.body
        )
    return bool(found)


# A call that waits for the user at the terminal: `input()`, `getpass()`, click's and typer's prompts.
_ASKS_USER = re.compile(r"(?<![\w.])(?:raw_)?input\s*\(|\bgetpass\s*\(|\b(?:click|typer)\.(?:prompt|confirm)\s*\(")


def _asks_user(ctx: Context) -> bool:
    """The request is a step of an exchange with the user at the terminal: its function prompts them
    (`input()`, `getpass()`, `click.prompt()`), or every function of the module that calls it does. The user is
    watching that exchange and ends a hang with Ctrl-C (judged not worth a comment 5 of 5 in interactive login
    tools; requests of command-line tools that prompt elsewhere, a deploy's health check, stay warnings: judged
    true, a deploy also runs unattended in CI)."""
    function = ctx.function
    if function is None:
        return False
    texts = ctx.shared.get(("CWR610", "function texts"))
    if texts is None:
        found: list[tuple[cst.FunctionDef, str]] = []
        stack: list[cst.CSTNode] = [ctx.module]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.FunctionDef):
                found.append((node, ctx.module.code_for_node(node)))
            stack.extend(children(node))
        texts = ctx.shared[("CWR610", "function texts")] = found
    own = next((text for node, text in texts if node is function), "")  # type: ignore[union-attr]
    if _ASKS_USER.search(own):
        return True
    call = re.compile(rf"(?<![\w])(?<!def ){re.escape(function.name.value)}\s*\(")
    callers = [text for node, text in texts if node is not function and call.search(text)]  # type: ignore[union-attr]
    return bool(callers) and all(_ASKS_USER.search(text) for text in callers)


class HttpWithoutTimeout(ReviewRule):
    """
    ## What it does
    Finds HTTP requests that can wait forever: `requests` calls without `timeout=`, `urllib3` requests when
    neither the request nor its `PoolManager` sets one, `urllib.request.urlopen` and `http.client` connections
    without `timeout=`; and `aiohttp` sessions and requests left at aiohttp's default of five minutes (at
    `info` and only when the rule is asked for by name: the wait ends, if late, and judged on real code 0 true,
    1 false, where every request on the session passed its own timeout). Two kinds of request are reported at `info`: the answer to a CloudFormation
    custom resource (its `ResponseURL`), and a request that is the Lambda invocation's own act, made in the
    handler's body (`def handler(event, context)`) or at module level of its module (Lambda's init phase is
    bounded too): the function's timeout ends that wait with the same error a client timeout would raise, so
    a comment there changes little. A request in a helper, or in a function crhelper calls before it answers
    CloudFormation, stays a warning: a hang there stalls the work after it (a metrics post that was meant to
    fail quietly holds the stack's answer). A request that is a step of an exchange with the user at the terminal
    is reported at `info` too: its function prompts them (`input()`, `getpass()`, `click.prompt()`), or every
    function of the module that calls it does (an MFA code posted right after it was typed): the user is watching
    and ends a hang with Ctrl-C (judged not worth a comment 5 of 5 in interactive login tools). Other requests of
    a command-line tool stay warnings, even in a module that prompts elsewhere: a deploy's health check also runs
    unattended in CI. So is the signal to a CloudFormation wait condition (a body with `Status` and `UniqueId`
    sent to its handle's URL): the wait condition's own timeout bounds the stack's wait.

    ## Why is this bad?
    These clients wait forever by default: a server that accepts the connection and never answers hangs the
    worker, thread or Lambda invocation (a custom resource that never answers CloudFormation holds the stack
    for an hour).

    ## Example
    ```python
    requests.get(url)
    http = urllib3.PoolManager()
    http.request("PUT", response_url, body=body)
    ```

    ## Fix
    `requests.get(url, timeout=(3.05, 27))` (connect, read); `urllib3.PoolManager(timeout=urllib3.Timeout(
    connect=3, read=30))` or `timeout=` on the request; `urlopen(req, timeout=30)`;
    `HTTPSConnection(host, timeout=30)`; `aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))`.
    """

    code = "CWR610"
    name = "http-request-without-timeout"
    cwe = 400
    severity = Severity.WARNING
    needles = ("requests", "urllib3", "urlopen", "HTTPConnection", "HTTPSConnection", "aiohttp")

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if kwarg(node, "timeout") is not None or any(a.star == "**" for a in node.args):
            return
        name = ctx.call_name(node)

        def report(message: str, **extra: object) -> None:
            # Asked only of calls about to be reported: walking up the tree on every call is not free.
            if _under_timeout_block(ctx):
                return
            if "severity" not in extra and _answers_cloudformation(ctx):
                # The answer to a custom resource's pre-signed ResponseURL: the Lambda's own timeout bounds the
                # wait, and a timeout here still leaves the stack unanswered (judged not worth a comment 4 of 5).
                extra = {"severity": Severity.INFO}
                message += "; here the answer to CloudFormation, which the Lambda's own timeout bounds"
            elif "severity" not in extra and _bounded_by_lambda(ctx):
                # Judged not worth a comment 5 of 5 (downloads a handler exists to make, a cold-start key fetch).
                extra = {"severity": Severity.INFO}
                message += "; here the Lambda invocation's own act, which the function's timeout bounds"
            elif "severity" not in extra and _signals_wait_condition(ctx):
                extra = {"severity": Severity.INFO}
                message += "; here the signal to a CloudFormation wait condition, whose own timeout bounds the wait"
            elif "severity" not in extra and _asks_user(ctx):
                extra = {"severity": Severity.INFO}
                message += "; here a step of an exchange with the user at the terminal, who can interrupt a hang"
            ctx.report(node, message, **extra)  # type: ignore[arg-type]

        if name in _HTTP_CALLS or name == "urllib3.request":
            report(f"{name}() without timeout= can wait forever")
        elif name in _URLLIB3_POOLS:
            parent = ctx.parents[-1] if ctx.parents else None
            if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and not _under_timeout_block(ctx):
                target = dotted(parent.targets[0].target)
                if target:
                    ctx.shared.setdefault(("urllib3 without timeout",), set()).add(target)  # type: ignore[union-attr]
        elif name == "urllib.request.urlopen":
            if "setdefaulttimeout" not in ctx.text:
                report("urlopen() without timeout= can wait forever")
        elif name in _HTTP_CONNECTIONS:
            if "setdefaulttimeout" not in ctx.text:
                report(f"{name.rsplit('.', 1)[1]}() without timeout= can wait forever")
        elif name in ("aiohttp.ClientSession", "aiohttp.request"):
            # Judged on real code: 0 true, 1 false (every request on the session passed its own timeout).
            report(f"{name}() without timeout= waits up to aiohttp's default of 5 minutes",
                   severity=Severity.INFO, opt_in=True)  # fmt: skip
        elif method_name(node) in _URLLIB3_REQUESTS and isinstance(node.func, cst.Attribute):
            receiver = node.func.value
            bare = ctx.shared.get(("urllib3 without timeout",), set())  # type: ignore[call-overload]
            inline = isinstance(receiver, cst.Call) and ctx.call_name(receiver) in _URLLIB3_POOLS
            if (inline and kwarg(receiver, "timeout") is None) or dotted(receiver) in bare:
                report("urllib3 request without timeout= (nor one on its PoolManager) can wait forever")

    VALID = (
        Valid("import requests\nr = requests.get('https://example.com', timeout=10)\n"),
        # A green-thread timeout around the call bounds it.
        Valid(
            "import eventlet, requests\n\ndef fetch(url):\n    with eventlet.Timeout(5):\n        return requests.get(url)\n"
        ),
        # A process-wide default timeout covers urllib and http.client.
        Valid(
            "import socket, http.client, urllib.request\nsocket.setdefaulttimeout(10)\n"
            "r = urllib.request.urlopen('https://example.com')\nc = http.client.HTTPSConnection('api.example.com')\n"
        ),
        Valid(
            "import urllib3\nhttp = urllib3.PoolManager(timeout=10.0)\nr = http.request('GET', 'https://a.example')\n"
        ),
        Valid(
            "import urllib3\nhttp = urllib3.PoolManager()\nr = http.request('PUT', 'https://a.example', timeout=5)\n"
        ),
        Valid(
            "from urllib.request import urlopen\n\ndef get(u):\n    with urlopen(u, timeout=10) as r:\n        return r.read()\n"
        ),
    )
    INVALID = (
        Invalid("import requests as rq\nr = rq.post('https://example.com', json={})\n", 2, 5),
        Invalid("import json, urllib.request\n\ndef send(event, status):\n"
                "    body = json.dumps({'Status': status}).encode()\n"
                "    req = urllib.request.Request(event['ResponseURL'], data=body, method='PUT')\n"
                "    urllib.request.urlopen(req)\n", 6, 5, message="the answer to CloudFormation"),
        Invalid("import urllib3\nhttp = urllib3.PoolManager()\n\ndef send(url, body):\n"
                "    return http.request('PUT', url, body=body)\n", 5, 12, message="urllib3 request"),
        Invalid("from urllib.request import urlopen\n\ndef get(u):\n    with urlopen(u) as r:\n        return r.read()\n",
                4, 10),
        Invalid("import http.client\nconn = http.client.HTTPSConnection('api.example.com')\n", 2, 8),
        # In the handler's own body (at info: the function's timeout bounds it), and at module level of its module.
        Invalid("import urllib3\n\ndef handler(event, _):\n    r = urllib3.PoolManager().request('GET', event['url'])\n"
                "    return r.data\n", 4, 9, message="the Lambda invocation's own act"),
        Invalid("import json, urllib.request\nKEYS = json.load(urllib.request.urlopen('https://idp.example/jwks'))\n\n"
                "def lambda_handler(event, context):\n    return KEYS\n", 2, 18, message="the Lambda invocation's own act"),
        # A helper of the handler, and a function crhelper calls before it answers CloudFormation: at warning.
        Invalid("import requests\n\ndef notify(url):\n    requests.post(url, json={})\n\n"
                "def handler(event, context):\n    notify(event['url'])\n", 4, 5, message="can wait forever"),
        Invalid("import requests\nfrom crhelper import CfnResource\nhelper = CfnResource()\n\n@helper.create\n"
                "def create(event, _):\n    requests.post('https://metrics.example', json={})\n", 7, 5,
                message="can wait forever"),
        Invalid("import aiohttp\n\nasync def get(u):\n    async with aiohttp.ClientSession() as s:\n"
                "        return await (await s.get(u)).text()\n", 4, 16, message="5 minutes"),
        # A step of an exchange with the user at the terminal (at info): the function prompts, or its only caller.
        Invalid("import requests\n\ndef verify(url, state):\n    code = input('MFA code: ')\n"
                "    return requests.post(url, json={'state': state, 'code': code}).json()\n", 5, 12,
                message="an exchange with the user at the terminal"),
        Invalid("import click, requests\n\ndef login(url):\n    user = click.prompt('Username')\n"
                "    return _token(url, user)\n\ndef _token(url, user):\n    return requests.get(url, params={'u': user})\n",
                8, 12, message="an exchange with the user at the terminal"),
        # The signal to a CloudFormation wait condition (at info): its own timeout bounds the stack's wait.
        Invalid("import json, urllib.request\n\ndef signal(url, ok):\n"
                "    body = {'Status': 'SUCCESS' if ok else 'FAILURE', 'UniqueId': 'build', 'Reason': '', 'Data': ''}\n"
                "    req = urllib.request.Request(url, data=json.dumps(body).encode(), method='PUT')\n"
                "    urllib.request.urlopen(req)\n", 6, 5, message="a CloudFormation wait condition"),
        # The module prompts elsewhere, but nothing that calls this request does: at warning (a deploy's check).
        Invalid("import requests\n\ndef init():\n    return input('Project name: ')\n\ndef deploy(url):\n"
                "    init_done = True\n    return touch(url)\n\ndef touch(url):\n    return requests.get(url)\n",
                11, 12, message="can wait forever (CWE-400)"),
    )  # fmt: skip


class MultiprocessingPitfalls(ReviewRule):
    """
    ## What it does
    Finds processes and pools started at module level outside an `if __name__ == "__main__":` guard, and
    lambdas or nested functions passed as a process target.

    ## Why is this bad?
    With the `spawn` start method (the default on macOS and Windows, and from Python 3.14 on Linux) each
    child imports the main module again: unguarded start-up code spawns children recursively. Lambdas
    and nested functions cannot be pickled to a spawned child.

    ## Example
    ```python
    pool = multiprocessing.Pool(4)
    results = pool.map(work, items)
    ```

    ## Fix
    Put start-up code in a function called under `if __name__ == "__main__":` and pass module-level
    functions as targets.
    """

    code = "CWR611"
    name = "multiprocessing-pitfall"
    cwe = 665
    severity = Severity.WARNING
    needles = ("multiprocessing", "Process", "Pool")
    _STARTERS = frozenset({"multiprocessing.Pool", "multiprocessing.Process", "concurrent.futures.ProcessPoolExecutor",
                           "multiprocessing.pool.Pool"})  # fmt: skip

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        if name not in self._STARTERS:
            return
        target = kwarg(node, "target") if name == "multiprocessing.Process" else None
        if target is not None and isinstance(target.value, cst.Lambda):
            ctx.report(target, "a lambda cannot be pickled for a spawned process")
            return
        if ctx.function is None and not self._guarded(ctx):
            ctx.report(node, f'{name}() at module level without an `if __name__ == "__main__":` guard')

    @staticmethod
    def _guarded(ctx: Context) -> bool:
        for ancestor in ctx.ancestors():
            if isinstance(ancestor, cst.If) and "__main__" in ctx.code(ancestor.test, 200):
                return True
            if isinstance(ancestor, cst.ClassDef):
                return True
        return False

    VALID = (
        Valid(
            "import multiprocessing\n\ndef work(x):\n    return x * 2\n\nif __name__ == '__main__':\n"
            "    with multiprocessing.Pool(4) as pool:\n        print(pool.map(work, range(10)))\n"
        ),
    )
    INVALID = (
        Invalid("import multiprocessing\npool = multiprocessing.Pool(4)\n", 2, 8),
        Invalid(
            "from multiprocessing import Process\n\ndef main():\n    p = Process(target=lambda: print('x'))\n",
            4,
            17,
        ),
    )


def _reset_after(ctx: Context, node: cst.AugAssign) -> bool:
    """A later statement of the same block rebinds the name to a new value (`buffer = lines[-1]`): every pass
    of the loop starts again from that value, so nothing accumulates (judged wrong on a stream reader that keeps
    only its last partial line). A reset under a condition (`else: buffer = element`) leaves the growth."""
    target = node.target.value  # type: ignore[attr-defined]
    line = ctx.parents[-1] if ctx.parents else None
    block = ctx.parents[-2] if len(ctx.parents) > 1 else None
    if not isinstance(line, cst.SimpleStatementLine) or not isinstance(block, cst.IndentedBlock):
        return False
    after = False
    for statement in block.body:
        if statement is line:
            after = True
            continue
        if not after or not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and any(
                isinstance(t.target, cst.Name) and t.target.value == target for t in small.targets
            ):
                value = small.value
                grows = isinstance(value, cst.BinaryOperation) and isinstance(value.left, cst.Name)
                return not (grows and value.left.value == target)  # type: ignore[attr-defined]
    return False


class StringConcatInLoop(ReviewRule):
    """
    ## What it does
    Finds strings built with `+=` inside loops, where the variable started as a string literal in the same
    function. Not when a later statement of the same block rebinds it (`buffer = parts[-1]`): every pass starts
    again from that value.

    ## Why is this bad?
    Each `+=` copies the whole string: building a large result this way is quadratic in its length (CPython
    optimises some cases, other interpreters and many cases do not).

    ## Example
    ```python
    out = ""
    for row in rows:
        out += format_row(row)
    ```

    ## Fix
    Collect the parts in a list and `"".join(parts)` once, or write to an `io.StringIO`.
    """

    code = "CWR612"
    name = "string-concatenation-in-loop"
    cwe = 1050
    severity = Severity.INFO
    needles = ("+=",)

    def visit_AugAssign(self, ctx: Context, node: cst.AugAssign) -> None:
        if not isinstance(node.operator, cst.AddAssign) or not isinstance(node.target, cst.Name):
            return
        if ctx.inside(cst.For, cst.While) is None:
            return
        strings: set[str] = ctx.shared.setdefault(("strings", id(ctx.scope.node)), set())  # type: ignore[assignment]
        if node.target.value in strings and not _reset_after(ctx, node):
            ctx.report(node, f"`{node.target.value}` is built by repeated concatenation in a loop")

    def visit_Assign(self, ctx: Context, node: cst.Assign) -> None:
        strings: set[str] = ctx.shared.setdefault(("strings", id(ctx.scope.node)), set())  # type: ignore[assignment]
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                if literal_str(node.value) is not None and ctx.inside(cst.For, cst.While) is None:
                    strings.add(target.target.value)
                else:
                    strings.discard(target.target.value)

    VALID = (
        Valid(
            "def render(rows):\n    parts = []\n    for r in rows:\n        parts.append(str(r))\n    return ''.join(parts)\n"
        ),
        Valid("def total(xs):\n    n = 0\n    for x in xs:\n        n += x\n    return n\n"),
        # Reset on every pass: only the last partial line is kept.
        Valid(
            "def lines(stream):\n    buffer = ''\n    while True:\n        buffer += stream.read(1024)\n"
            "        parts = buffer.split('\\n')\n        buffer = parts[-1]\n        yield from parts[:-1]\n"
        ),
    )
    INVALID = (
        Invalid("def render(rows):\n    out = ''\n    for r in rows:\n        out += str(r)\n    return out\n", 4, 9),
        # Reset only when a group is full: a group still grows by concatenation.
        Invalid(
            "def groups(items, fits):\n    buffer = ''\n    for item in items:\n        if fits(buffer + item):\n"
            "            buffer += item\n        else:\n            yield buffer\n            buffer = item\n",
            5,
            13,
        ),
    )


class ReturnInFinally(ReviewRule):
    """
    ## What it does
    Finds `return`, `break` and `continue` inside a `finally:` block. One guarded by a flag that only `except`
    blocks which complete set (`if error: return error`) is reported at `info` and only when the rule is asked
    for by name: no exception is in flight then unless that block itself fails (judged on real code 0 true,
    1 false). So is one after a try whose last handler catches everything (bare or `BaseException`) and whose
    handlers never raise (judged on real code: 1 not worth a comment).

    ## Why is this bad?
    They silently discard the exception being raised (and any earlier return value): errors vanish
    without a trace. Python 3.14 warns about it (PEP 765).

    ## Example
    ```python
    try:
        return compute()
    finally:
        return None
    ```

    ## Fix
    Move the `return` after the `try` statement, or handle the exception explicitly in an `except`.
    """

    code = "CWR613"
    name = "control-flow-in-finally"
    cwe = 584
    severity = Severity.ERROR
    needles = ("finally",)

    def visit_Finally(self, ctx: Context, node: cst.Finally) -> None:
        stmt = next(_leaving_statements(node.body, in_loop=False), None)
        if stmt is None:
            return
        keyword = type(stmt).__name__.lower()
        owner = next(iter(ctx.ancestors()), None)
        flag = _handled_only_guard(owner, node, stmt) if isinstance(owner, cst.Try) else None
        if flag is not None:
            # `if error_response: return error_response` where only except blocks that complete set it: no
            # exception is in flight then, unless that except block itself fails after setting it.
            ctx.report(
                stmt,
                f"`{keyword}` in finally runs only when `{flag}` is set, which only except blocks that do not "
                "re-raise do; it still discards an exception raised in those blocks after it is set",
                severity=Severity.INFO,
                opt_in=True,  # judged on real code: 0 true, 1 false (aws-sam-cli: the flag's comment says why)
            )
            return
        if isinstance(owner, cst.Try) and _catches_all_quietly(owner):
            # `except BaseException: log(...)` before it: nothing is in flight when the finally block runs,
            # unless an except block fails itself (judged on real code: sanic's websocket close, not worth one).
            ctx.report(
                stmt,
                f"`{keyword}` in finally discards an exception only if an except block of this try fails itself "
                "(the last one catches everything)",
                severity=Severity.INFO,
                opt_in=True,
            )
            return
        ctx.report(stmt, f"`{keyword}` in finally discards any exception being raised")

    VALID = (
        Valid("def f():\n    try:\n        return compute()\n    finally:\n        cleanup()\n"),
        # A loop of the finally block's own: its break leaves that loop, not the finally.
        Valid("def f(items):\n    try:\n        use()\n    finally:\n        for item in items:\n            break\n"),
        # A function defined in the finally block returns from itself.
        Valid("def f():\n    try:\n        use()\n    finally:\n        def g():\n            return 1\n        g()\n"),
        Valid(
            "def f(items):\n    try:\n        use()\n    finally:\n        while items:\n            if items.pop():\n"
            "                continue\n"
        ),
    )
    INVALID = (
        Invalid("def f():\n    try:\n        return compute()\n    finally:\n        return None\n", 5, 9),
        # A handler that re-raises: the exception is in flight when the finally block returns.
        Invalid(
            "def f():\n    try:\n        run()\n    except KeyError:\n        raise\n    except BaseException:\n"
            "        log()\n    finally:\n        return None\n",
            9,
            9,
        ),
        # Everything caught and logged first: at info, and only when asked for by name.
        Invalid(
            "def f():\n    try:\n        run()\n    except BaseException:\n        log()\n    finally:\n"
            "        return None\n",
            7,
            9,
            message="only if an except block",
        ),
        # The same with `BaseException` in a tuple of types; a tuple without it leaves an exception in flight.
        Invalid(
            "def f():\n    try:\n        run()\n    except (OSError, BaseException):\n        log()\n    finally:\n"
            "        return None\n",
            7,
            9,
            message="only if an except block",
        ),
        Invalid(
            "def f():\n    try:\n        run()\n    except (OSError, ValueError):\n        log()\n    finally:\n"
            "        return None\n",
            7,
            9,
            message="discards any exception being raised",
        ),
        # Set only by an except block that completes: at info (aws-sam-cli's authorizer, judged false as an error).
        Invalid(
            "def f():\n    try:\n        error = None\n        run()\n    except KeyError:\n        error = 'missing'\n"
            "    except Exception as ex:\n        raise ex\n    finally:\n        log()\n        if error:\n"
            "            return error\n    return 'ok'\n",
            12,
            13,
            "runs only when `error` is set",
        ),
        # The same flag also set where the exception is re-raised: an error.
        Invalid(
            "def f():\n    error = None\n    try:\n        run()\n    except KeyError:\n        error = 'missing'\n"
            "    except Exception as ex:\n        error = str(ex)\n        raise\n    finally:\n        if error:\n"
            "            return error\n",
            12,
            13,
            "`return` in finally discards any exception being raised",
        ),
        # A loop in the finally block does not make a return after it harmless.
        Invalid(
            "def f(items):\n    try:\n        use()\n    finally:\n        for item in items:\n            print(item)\n"
            "        return None\n",
            7,
            9,
        ),
        # The finally block's loop does not hold this break: it leaves the enclosing loop, and the finally.
        Invalid(
            "def f(items, jobs):\n    for job in jobs:\n        try:\n            use(job)\n        finally:\n"
            "            for item in items:\n                print(item)\n            break\n",
            8,
            13,
            "`break` in finally discards any exception being raised",
        ),
        # A return leaves the function from inside a loop too.
        Invalid(
            "def f(items):\n    try:\n        use()\n    finally:\n        for item in items:\n"
            "            if item:\n                return item\n",
            7,
            17,
            "`return` in finally discards any exception being raised",
        ),
        # The else clause of the finally block's loop is not inside that loop.
        Invalid(
            "def f(items, jobs):\n    for job in jobs:\n        try:\n            use(job)\n        finally:\n"
            "            for item in items:\n                print(item)\n            else:\n                continue\n",
            9,
            17,
            "`continue` in finally",
        ),
    )


def _handled_only_guard(owner: cst.Try, final: cst.Finally, stmt: cst.CSTNode) -> str | None:
    """The name X when `stmt` sits under `if X:` (or `if X is not None:`) at the top of the finally block, X is
    never assigned in the try body or its else, and only except blocks without a `raise` assign it."""
    for child in final.body.body:
        if not isinstance(child, cst.If) or stmt not in set(_leaving_statements(child.body, in_loop=False)):
            continue
        test = child.test
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            (item,) = test.comparisons
            if isinstance(item.operator, cst.IsNot) and isinstance(item.comparator, cst.Name):
                test = test.left if item.comparator.value == "None" else test
        if not isinstance(test, cst.Name):
            return None
        name = test.value
        if name in _assigned_in(owner.body) or (owner.orelse is not None and name in _assigned_in(owner.orelse)):
            return None
        setters = [h for h in owner.handlers if name in _assigned_in(h.body)]
        if not setters or any(_raises(h.body) for h in setters):
            return None
        return name
    return None


def _catches_all_quietly(owner: cst.Try) -> bool:
    """The try has no else block, ends with a handler of every exception (bare or `BaseException`), and no
    handler raises: an exception reaches its finally block only from inside a handler. A tuple of types
    (`except (OSError, BaseException):`) catches everything when one of them is `BaseException`."""
    if owner.orelse is not None or not owner.handlers:
        return False
    last = owner.handlers[-1].type
    caught = [e.value for e in last.elements] if isinstance(last, cst.Tuple) else [last]
    if last is not None and not any((dotted(t) or "").rsplit(".", 1)[-1] == "BaseException" for t in caught):
        return False
    return not any(_raises(h.body) for h in owner.handlers)


def _assigned_in(block: cst.CSTNode) -> set[str]:
    """Names the block binds to something other than a falsy constant (`error = None` resets a flag, not sets it)."""
    names: set[str] = set()
    for node in _walk_function(block):
        if isinstance(node, cst.Assign):
            if not _falsy(node.value):
                names |= {n.value for t in node.targets for n in target_names(t.target)}
        elif isinstance(node, cst.AsName):
            names |= {n.value for n in target_names(node.name)}
        elif isinstance(node, cst.AugAssign | cst.AnnAssign | cst.For | cst.NamedExpr):
            names |= {n.value for n in target_names(node.target)}
    return names


def _falsy(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Name):
        return value.value in ("None", "False")
    if isinstance(value, cst.Integer):
        return value.value == "0"
    return literal_str(value) == "" or (isinstance(value, cst.List | cst.Dict | cst.Tuple) and not value.elements)


def _raises(block: cst.CSTNode) -> bool:
    return any(isinstance(node, cst.Raise) for node in _walk_function(block))


def _leaving_statements(block: cst.CSTNode, in_loop: bool):
    """return, and break/continue outside a loop of the block's own: the statements that leave the finally
    block (PEP 765). Functions and classes defined in it are not entered."""
    for child in children(block):
        if isinstance(child, cst.SimpleStatementLine):
            for stmt in child.body:
                if isinstance(stmt, cst.Return) or (isinstance(stmt, cst.Break | cst.Continue) and not in_loop):
                    yield stmt
        elif isinstance(child, cst.For | cst.While):
            yield from _leaving_statements(child.body, in_loop=True)
            if child.orelse is not None:
                yield from _leaving_statements(child.orelse, in_loop)
        elif not isinstance(child, cst.FunctionDef | cst.ClassDef | cst.Lambda | cst.BaseExpression):
            yield from _leaving_statements(child, in_loop)


_BLOCKING = frozenset({"time.sleep", "requests.get", "requests.post", "requests.put", "requests.delete",
                       "requests.request", "urllib.request.urlopen", "subprocess.run", "subprocess.check_output"})  # fmt: skip


class BlockingCallInAsync(ReviewRule):
    """
    ## What it does
    Finds blocking calls inside `async def`: `time.sleep`, `requests`, `urllib.request.urlopen`,
    `subprocess.run`.

    ## Why is this bad?
    They stop the event loop: every other task of the process (all concurrent requests of an async server)
    waits until the call returns.

    ## Example
    ```python
    async def poll():
        time.sleep(5)
    ```

    ## Fix
    Use the async counterpart (`await asyncio.sleep(5)`, `httpx.AsyncClient`, `asyncio.create_subprocess_exec`)
    or `await asyncio.to_thread(blocking_call, ...)`.
    """

    code = "CWR614"
    name = "blocking-call-in-async"
    cwe = 400
    severity = Severity.WARNING
    needles = ("async def",)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        function = ctx.function
        if function is None or function.asynchronous is None:
            return
        if ctx.inside(cst.Lambda) is not None:
            return
        name = ctx.call_name(node)
        if name in _BLOCKING:
            ctx.report(node, f"{name}() blocks the event loop inside `async def {function.name.value}`")

    VALID = (Valid("import asyncio\n\nasync def poll():\n    await asyncio.sleep(5)\n"),)
    INVALID = (Invalid("import time\n\nasync def poll():\n    time.sleep(5)\n", 4, 5),)


class AssertOnTuple(ReviewRule):
    """
    ## What it does
    Finds `assert (condition, "message")`: an assertion on a non-empty tuple.

    ## Why is this bad?
    A non-empty tuple is always true, so the assertion never fails; the parentheses turned the message
    into part of the condition.

    ## Example
    ```python
    assert (user.is_admin, "admin only")
    ```

    ## Fix
    Drop the parentheses: `assert user.is_admin, "admin only"` (and do not rely on `assert` for checks
    that must hold under `python -O`).
    """

    code = "CWR615"
    name = "assert-on-tuple"
    cwe = 571
    severity = Severity.ERROR
    needles = ("assert",)
    pattern = re.compile(r"assert\s*\(")

    def visit_Assert(self, ctx: Context, node: cst.Assert) -> None:
        if isinstance(node.test, cst.Tuple) and node.test.elements:
            ctx.report(node, "this assertion is on a non-empty tuple and can never fail")

    VALID = (Valid("assert user.is_admin, 'admin only'\n"),)
    INVALID = (Invalid("def f(user):\n    assert (user.is_admin, 'admin only')\n", 2, 5),)


def _spaced(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    return not isinstance(whitespace, cst.SimpleWhitespace) or whitespace.value != ""


def _replace_operator(
    ctx: Context, node: cst.Comparison, target: cst.ComparisonTarget, operator: cst.BaseCompOp
) -> tuple[str, tuple[tuple[cst.CSTNode, str], ...]]:
    """A fix rewriting one comparison operator, keeping the original spacing (libcst regenerates the code)."""
    old = target.operator
    before, after = old.whitespace_before, old.whitespace_after  # type: ignore[attr-defined]
    if isinstance(operator, cst.Is | cst.IsNot | cst.In | cst.NotIn):  # a keyword needs a space (`x!=None`)
        before, after = (w if _spaced(w) else cst.SimpleWhitespace(" ") for w in (before, after))
    operator = operator.with_changes(whitespace_before=before, whitespace_after=after)
    comparisons = [t.with_changes(operator=operator) if t is target else t for t in node.comparisons]
    text = ctx.module.code_for_node(node.with_changes(comparisons=comparisons))
    return (f"use `{ctx.module.code_for_node(operator).strip()}`", ((node, text),))


class CompareWithNoneByEquality(ReviewRule):
    """
    ## What it does
    Finds `== None` and `!= None`.

    ## Why is this bad?
    `==` calls the operand's `__eq__`, which can say anything (NumPy arrays, SQLAlchemy columns and
    pandas objects return element-wise results); identity with the `None` singleton is what is meant.

    ## Example
    ```python
    if value == None:
    ```

    ## Fix
    `if value is None:` (codeward applies it with `--fix`).
    """

    code = "CWR616"
    name = "none-comparison-by-equality"
    cwe = 595
    severity = Severity.INFO
    needles = ("None",)
    pattern = re.compile(r"[=!]=\s*None\b")

    def visit_Comparison(self, ctx: Context, node: cst.Comparison) -> None:
        for target in node.comparisons:
            op = target.operator
            if isinstance(op, cst.Equal | cst.NotEqual) and is_const(target.comparator, None):
                # SQLAlchemy filters need `== None`; skip expressions inside calls such as .filter(...).
                if ctx.inside(cst.Arg) is not None:
                    return
                new = cst.Is() if isinstance(op, cst.Equal) else cst.IsNot()
                ctx.report(node, f"compare with None using `{ctx.module.code_for_node(new).strip()}`",
                           fix=_replace_operator(ctx, node, target, new))  # fmt: skip
                return

    VALID = (Valid("if value is None:\n    pass\nq = session.query(U).filter(U.deleted_at == None)\n"),)
    INVALID = (
        Invalid("if value == None:\n    pass\n", 1, 4, fixed="if value is None:\n    pass\n"),
        Invalid("shared = self.lb!=None\n", 1, 10, fixed="shared = self.lb is not None\n"),
    )


# Methods that act (close, commit, assert): named without a call, the statement does nothing.
_ACTIONS = frozenset({"close", "flush", "commit", "rollback", "shutdown", "cancel", "clear", "release", "terminate",
                      "kill", "disconnect", "cleanup", "reset", "unlock", "start", "stop", "join", "wait", "quit",
                      "dispose", "destroy", "refresh", "acquire", "send", "save", "delete", "update", "run",
                      "assertTrue", "assertFalse", "assertEqual", "assertEquals", "assertIn", "assertIsNone",
                      "assertIsNotNone", "assertRaises"})  # fmt: skip
# Called without arguments in the usual case: the fix can add the parentheses.
_NO_ARGUMENTS = frozenset({"close", "flush", "commit", "rollback", "shutdown", "cancel", "clear", "release",
                           "terminate", "kill", "disconnect", "cleanup", "reset", "unlock", "start", "stop", "join",
                           "wait", "quit", "dispose", "destroy", "refresh", "acquire"})  # fmt: skip


class MethodNotCalled(ReviewRule):
    """
    ## What it does
    Finds statements that name a method that acts without calling it: `sock.close`, `conn.commit`,
    `lock.release`, `mock.assert_called_once_with`, `self.assertTrue`.

    ## Why is this bad?
    The statement evaluates the bound method and throws it away: the socket stays open, the transaction is
    never committed, the test asserts nothing and passes whatever the code does. Nothing fails, so the
    mistake survives review.

    ## Example
    ```python
    sock.send(message)
    sock.close
    ```

    ## Fix
    Call it: `sock.close()` (codeward adds the parentheses with `--fix` for methods that take no
    arguments); better, let a `with` block close the resource.
    """

    code = "CWR617"
    name = "method-not-called"
    cwe = 1164
    severity = Severity.WARNING
    pattern = re.compile(r"^[ \t]*[\w.\[\]()'\"]+\.(?:" + "|".join(sorted(_ACTIONS)) + r"|assert_\w+)[ \t]*(?:#.*)?$",
                         re.MULTILINE)  # fmt: skip

    def visit_Expr(self, ctx: Context, node: cst.Expr) -> None:
        value = node.value
        if not isinstance(value, cst.Attribute):
            return
        method = value.attr.value
        if method not in _ACTIONS and not method.startswith("assert_"):
            return
        text = ctx.code(value)
        fix = (f"call it: `{text}()`", ((value, f"{text}()"),)) if method in _NO_ARGUMENTS else None
        ctx.report(value, f"`{text}` names the method without calling it: the statement does nothing", fix=fix)

    VALID = (
        Valid("def f(sock, mock):\n    sock.close()\n    mock.assert_called_once_with(1)\n    handler = sock.close\n"),
        Valid("def f(obj):\n    obj.closed\n    return obj.start\n"),
    )
    INVALID = (
        Invalid(
            "def f(sock, message):\n    sock.send(message)\n    sock.close\n",
            3,
            5,
            message="`sock.close` names the method",
            fixed="def f(sock, message):\n    sock.send(message)\n    sock.close()\n",
        ),
        Invalid("def test_f(mock):\n    mock.assert_called_once_with\n", 2, 5, message="without calling it"),
    )
