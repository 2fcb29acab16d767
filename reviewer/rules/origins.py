"""Where a value comes from, followed through one module: whether the application's own deployment chose it
(a bucket name), or whether it is a constant wherever the module calls its function (a shell command).

A CloudFormation or CDK template creates a bucket and hands its name to the code through an environment variable,
a custom resource's `ResourceProperties`, a Glue job argument or an S3 notification of that bucket; a library
gets it from its caller. Such a name is the application's own: nobody else can own it while the stack stands, so
owner checks on it are hardening, not a fix (on judged real code they were false or not worth a comment). A name
written into the code, or read from somewhere else (a resource tag, an API answer, a request), is not.

The resolution is local to one module and conservative: a variable is resolved through every assignment of it in
its scope; a parameter through every call of its function in the module; `self.attr` through every assignment of
it in the class. A parameter of a function nothing in the module calls is the deployment's when the function is
not an entry point (its caller names the bucket), and never a constant. Anything the resolution cannot follow
counts against the value, so the finding stays.
"""

from __future__ import annotations

from codeward.reviewer.engine import Context, children, dotted, literal_str
from codeward.reviewer.lazy import cst

_ENVIRONMENT = frozenset({"os.environ", "environ", "os.environ.get", "environ.get", "os.getenv", "getenv"})
# Glue reads the job's arguments, which the job definition (the template) sets, with getResolvedOptions.
_CONFIG_CALLS = frozenset({"getResolvedOptions", "awsglue.utils.getResolvedOptions"})
# Methods that derive a string from a string without bringing in another source.
_STRING_METHODS = frozenset({"format", "strip", "lstrip", "rstrip", "lower", "upper", "split", "rsplit",
                             "partition", "rpartition", "replace", "removeprefix", "removesuffix", "get"})  # fmt: skip
# Keys of the events whose bucket is the deployment's: a custom resource's properties, written in the template,
# and an S3 notification, which only a bucket configured to invoke this function sends.
# So are the locations an AWS service reports it wrote a result to (SageMaker asynchronous inference's
# `OutputLocation` and `FailureLocation`, Athena's `OutputLocation`): the output configuration of the caller's own
# endpoint or query chose them.
_OWN_KEYS = frozenset({"ResourceProperties", "OldResourceProperties", "s3", "OutputLocation", "FailureLocation"})
# Methods that name the caller's own bucket: the SageMaker SDK's `Session.default_bucket()` is
# `sagemaker-{region}-{account id}`, which the SDK creates in the caller's account and checks the owner of.
_OWN_BUCKET_METHODS = frozenset({"default_bucket"})
_DEPTH = 20  # steps through names, calls and parts; cycles stop on the memo, not on this


class _Index:
    """Assignments, calls and parameters of one module, built once when a rule first asks."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.parent: dict[int, cst.CSTNode] = {}  # function -> enclosing function, class or module
        self.assigned: dict[int, dict[str, list[cst.BaseExpression]]] = {}  # scope -> name -> values
        # scope -> name -> what `name += value` adds: a command built with `+=` is no constant
        self.augmented: dict[int, dict[str, list[cst.BaseExpression]]] = {}
        # class -> self attribute -> (value, the method that assigns it)
        self.attrs: dict[int, dict[str, list[tuple[cst.BaseExpression, cst.CSTNode]]]] = {}
        self.calls: dict[str, list[tuple[cst.Call, cst.CSTNode]]] = {}  # callee's last name -> (call, scope)
        self._walk(module, module, None)

    def _walk(self, node: cst.CSTNode, scope: cst.CSTNode, klass: cst.ClassDef | None) -> None:
        for child in children(node):
            if isinstance(child, cst.FunctionDef):
                self.parent[id(child)] = klass if klass is not None and scope is klass else scope
                self.assigned.setdefault(id(child), {})
                self._walk(child, child, klass)
                continue
            if isinstance(child, cst.ClassDef):
                self.parent[id(child)] = scope
                self._walk(child, child, child)
                continue
            if isinstance(child, cst.Assign):
                for target in child.targets:
                    self._bind(target.target, child.value, scope, klass)
            elif isinstance(child, cst.AnnAssign) and child.value is not None:
                self._bind(child.target, child.value, scope, klass)
            elif isinstance(child, cst.AugAssign) and isinstance(child.target, cst.Name):
                self.augmented.setdefault(id(scope), {}).setdefault(child.target.value, []).append(child.value)
            elif isinstance(child, cst.For):
                self._bind(child.target, child.iter, scope, klass)
            elif isinstance(child, cst.With):  # `with open(path) as fp`: fp is what open() gave
                for item in child.items:
                    if item.asname is not None:
                        self._bind(item.asname.name, item.item, scope, klass)
            elif isinstance(child, cst.Call):
                name = dotted(child.func)
                if name:
                    self.calls.setdefault(name.rpartition(".")[2], []).append((child, scope))
            self._walk(child, scope, klass)

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression, scope: cst.CSTNode, klass) -> None:
        if isinstance(target, cst.Name):
            self.assigned.setdefault(id(scope), {}).setdefault(target.value, []).append(value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            # `bucket, key = parse(url)`: each element is as much the deployment's as the whole value.
            for element in target.elements:
                self._bind(element.value, value, scope, klass)
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
            and klass is not None
        ):
            self.attrs.setdefault(id(klass), {}).setdefault(target.attr.value, []).append((value, scope))


def _index(ctx: Context) -> _Index:
    found = ctx.shared.get("deployment-index")
    if found is None or found.module is not ctx.module:  # type: ignore[union-attr]
        found = ctx.shared["deployment-index"] = _Index(ctx.module)  # type: ignore[index]
    return found  # type: ignore[return-value]


def deployment_value(ctx: Context, node: cst.BaseExpression) -> bool:
    """Whether `node`, where the walk is, holds a value the application's own deployment configured."""
    scope: cst.CSTNode = ctx.function or ctx.module
    return _Deployment(_index(ctx)).own(node, scope, 0)


def project_file_text(ctx: Context, node: cst.BaseExpression) -> bool:
    """Whether `node` is built only from literals and text read from a file at a fixed path of the project
    (`open("pkg/_version.py")`, a path joined to `os.path.dirname(__file__)`), cut with string methods or a
    regular expression: the project's own code, as a `setup.py` reads its version."""
    scope: cst.CSTNode = ctx.function or ctx.module
    return _ProjectFile(_index(ctx)).own(node, scope, 0)


def constant_value(ctx: Context, node: cst.BaseExpression) -> bool:
    """Whether every value `node` can hold where the walk is is built from literals of this module only, through
    its assignments and every call of its function (`install("boto3")`, `install("sagemaker")`)."""
    scope: cst.CSTNode = ctx.function or ctx.module
    return _Constant(_index(ctx)).own(node, scope, 0)


def _params(func: cst.FunctionDef) -> list[cst.Param]:
    return [*func.params.posonly_params, *func.params.params, *func.params.kwonly_params]


_PLAIN_DECORATORS = ("functools", "abc", "typing", "contextlib", "typing_extensions")


def _entry_point(func: cst.FunctionDef) -> bool:
    """A Lambda handler or a callback registered on an object (`@app.route`, `@helper.create`): whoever invokes
    it (a request, an event) chose its arguments. `@staticmethod`, `@functools.cache` and the like register
    nothing."""
    names = [p.name.value for p in _params(func)]
    if len(names) >= 2 and names[0].lstrip("_") in ("event", "evt", ""):
        return True
    for decorator in func.decorators:
        target = decorator.decorator
        path = dotted(target.func if isinstance(target, cst.Call) else target) or ""
        if "." in path and path.partition(".")[0] not in _PLAIN_DECORATORS:
            return True
    return False


def _calls_it(call: cst.Call, owner: cst.CSTNode | None, param: cst.Param, method: bool) -> bool:
    """Whether `call` may call the function that has `param`: `f(...)` for a function; for a method,
    `self.f(...)`, `cls.f(...)`, `Class.f(...)`, or any `x.f(...)` that passes `param` by name (a boto3
    `s3.get_object(Bucket=...)` is no call of the module's own `get_object(bucket)`)."""
    if not method:
        return isinstance(call.func, cst.Name)
    if not isinstance(call.func, cst.Attribute):
        return False
    receiver = dotted(call.func.value)
    if receiver in ("self", "cls") or (isinstance(owner, cst.ClassDef) and receiver == owner.name.value):
        return True
    return any(arg.keyword is not None and arg.keyword.value == param.name.value for arg in call.args)


class _Resolver:
    """Follows a value through the module; subclasses say which leaves count and how parts combine."""

    # Whether a string built of parts (an f-string, `a + b`) counts when any part does, or only when all do.
    any_part = True

    def __init__(self, index: _Index) -> None:
        self.index = index
        self.known: dict[tuple[int, int], bool] = {}

    def own(self, node: cst.BaseExpression, scope: cst.CSTNode, depth: int) -> bool:
        key = (id(node), id(scope))
        if depth > _DEPTH or key in self.known:  # a cycle (`name = name + "/"`) proves nothing: False
            return depth <= _DEPTH and self.known[key]
        self.known[key] = False
        found = self.known[key] = self._own(node, scope, depth + 1)
        return found

    def _own(self, node: cst.BaseExpression, scope: cst.CSTNode, depth: int) -> bool:
        leaf = self.leaf(node, scope, depth)
        if leaf is not None:
            return leaf
        if isinstance(node, cst.Name):
            return self._name(node.value, scope, depth)
        if isinstance(node, cst.Attribute):
            if isinstance(node.value, cst.Name) and node.value.value == "self":
                return self._attribute(node.attr.value, scope, depth)
            return False
        if isinstance(node, cst.FormattedString):
            parts = [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
            return self._combine(parts, scope, depth)
        if isinstance(node, cst.BinaryOperation):  # "prefix-" + name, "%s-data" % name
            return self._combine([node.left, node.right], scope, depth)
        if isinstance(node, cst.Tuple):  # "%s-%s" % (a, b)
            return self._combine([e.value for e in node.elements], scope, depth)
        if isinstance(node, cst.BooleanOperation):  # os.environ.get("B") or "fallback"
            return self.own(node.left, scope, depth) and (
                literal_str(node.right) is not None or self.own(node.right, scope, depth)
            )
        if isinstance(node, cst.IfExp):
            return self.own(node.body, scope, depth) and self.own(node.orelse, scope, depth)
        return False

    def _combine(self, parts: list[cst.BaseExpression], scope: cst.CSTNode, depth: int) -> bool:
        if self.any_part:
            return any(self.own(p, scope, depth) for p in parts)
        return all(self.own(p, scope, depth) for p in parts)

    def leaf(self, node: cst.BaseExpression, scope: cst.CSTNode, depth: int) -> bool | None:
        """The answer for a value this resolver knows without following it, None to follow it."""
        raise NotImplementedError

    def uncalled(self, func: cst.FunctionDef) -> bool:
        """The answer for a parameter of a function nothing in the module calls."""
        raise NotImplementedError

    def _name(self, name: str, scope: cst.CSTNode, depth: int) -> bool:
        current: cst.CSTNode | None = scope
        while current is not None:
            if isinstance(current, cst.FunctionDef):
                values = self.index.assigned.get(id(current), {}).get(name)
                if values:
                    return all(self.own(v, current, depth) for v in values) and self._augmented(name, current, depth)
                param = next((p for p in _params(current) if p.name.value == name), None)
                if param is not None:
                    return self._parameter(current, param, depth) and self._augmented(name, current, depth)
            elif isinstance(current, cst.Module):
                values = self.index.assigned.get(id(current), {}).get(name)
                return (
                    bool(values)
                    and all(self.own(v, current, depth) for v in values)
                    and self._augmented(name, current, depth)
                )
            current = self.index.parent.get(id(current))
            while isinstance(current, cst.ClassDef):  # class bodies are not enclosing scopes of methods
                current = self.index.parent.get(id(current))
        return False

    def _augmented(self, name: str, scope: cst.CSTNode, depth: int) -> bool:
        """For a resolver that needs every part (`_Constant`): whether what `name += ...` adds counts too
        (`cmd = "ls "; cmd += path` is no constant). A resolver that needs one part is answered by the first
        value already."""
        if self.any_part:
            return True
        return all(self.own(v, scope, depth) for v in self.index.augmented.get(id(scope), {}).get(name, ()))

    def _parameter(self, func: cst.FunctionDef, param: cst.Param, depth: int) -> bool:
        name = func.name.value
        owner = self.index.parent.get(id(func))
        if name == "__init__" and isinstance(owner, cst.ClassDef):
            name = owner.name.value  # the class is called, not its __init__
        method = isinstance(owner, cst.ClassDef) and func.name.value != "__init__"
        calls = [(c, s) for c, s in self.index.calls.get(name, []) if _calls_it(c, owner, param, method)]
        if not calls:
            return self.uncalled(func)
        params = _params(func)
        position = params.index(param)
        if position < len(func.params.posonly_params) + len(func.params.params) and params[0].name.value in (
            "self",
            "cls",
        ):
            position -= 1
        for call, caller in calls:
            passed = None
            for index, arg in enumerate(call.args):
                if arg.star:
                    return False
                if arg.keyword is not None:
                    if arg.keyword.value == param.name.value:
                        passed = arg.value
                elif index == position:
                    passed = arg.value
            if passed is None:
                passed = param.default
            if passed is None or not self.own(passed, caller, depth):
                return False
        return True

    def _attribute(self, attr: str, scope: cst.CSTNode, depth: int) -> bool:
        klass = self.index.parent.get(id(scope))
        if not isinstance(klass, cst.ClassDef):
            return False
        values = self.index.attrs.get(id(klass), {}).get(attr)
        return bool(values) and all(self.own(value, method, depth) for value, method in values)


class _Deployment(_Resolver):
    def leaf(self, node: cst.BaseExpression, scope: cst.CSTNode, depth: int) -> bool | None:
        if isinstance(node, cst.Subscript):
            if dotted(node.value) in _ENVIRONMENT:
                return True
            keys = [literal_str(e.slice.value) for e in node.slice if isinstance(e.slice, cst.Index)]
            return any(key in _OWN_KEYS for key in keys) or self.own(node.value, scope, depth)
        if isinstance(node, cst.Call):
            return self._call(node, scope, depth)
        return None

    def uncalled(self, func: cst.FunctionDef) -> bool:
        return not _entry_point(func)

    def _call(self, node: cst.Call, scope: cst.CSTNode, depth: int) -> bool:
        name = dotted(node.func) or ""
        if name in _ENVIRONMENT or name in _CONFIG_CALLS or name.rpartition(".")[2] in _CONFIG_CALLS:
            return True
        if name == "str" and node.args:
            return self.own(node.args[0].value, scope, depth)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _OWN_BUCKET_METHODS and not node.args:
            return True
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _STRING_METHODS:
            if node.func.attr.value == "format":  # "{}-data".format(name)
                return any(self.own(arg.value, scope, depth) for arg in node.args)
            if node.func.attr.value == "get" and literal_str(node.args[0].value if node.args else None) in _OWN_KEYS:
                return True
            return self.own(node.func.value, scope, depth)
        if isinstance(node.func, cst.Name) and node.args:
            # `parse_s3_url(path)`, `bucket_of(config)`: a plain function computes its answer from its arguments,
            # so it names the deployment's bucket when they are the deployment's (literals aside).
            values = [arg.value for arg in node.args if literal_str(arg.value) is None]
            return bool(values) and all(self.own(v, scope, depth) for v in values)
        return False


class _Constant(_Resolver):
    any_part = False

    def leaf(self, node: cst.BaseExpression, scope: cst.CSTNode, depth: int) -> bool | None:
        if isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.Integer | cst.Float):
            return True
        if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
            return True
        if isinstance(node, cst.Call):
            name = dotted(node.func) or ""
            if name in ("str", "int", "float") or (
                isinstance(node.func, cst.Attribute) and node.func.attr.value in _STRING_METHODS
            ):
                receiver = [node.func.value] if isinstance(node.func, cst.Attribute) else []
                return all(self.own(v, scope, depth) for v in [*receiver, *(a.value for a in node.args)])
            return False
        if isinstance(node, cst.Subscript):
            return False
        return None

    def uncalled(self, func: cst.FunctionDef) -> bool:
        return False


# Calls that make a path from paths, open it, read it, or cut text from what was read.
_PATH_AND_TEXT = frozenset({"join", "dirname", "abspath", "realpath", "normpath", "basename", "Path", "PurePath",
                            "open", "read", "read_text", "group", "groups", "strip", "search", "match", "fullmatch",
                            "str", "parent", "resolve", "joinpath", "splitlines", "decode"})  # fmt: skip


class _ProjectFile(_Resolver):
    any_part = False

    def leaf(self, node: cst.BaseExpression, scope: cst.CSTNode, depth: int) -> bool | None:
        if isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.Integer):
            return True
        if isinstance(node, cst.Name) and node.value == "__file__":
            return True
        if isinstance(node, cst.Attribute) and not (isinstance(node.value, cst.Name) and node.value.value == "self"):
            return node.attr.value in _PATH_AND_TEXT and self.own(node.value, scope, depth)  # Path(__file__).parent
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else (dotted(func) or "")
            if name not in _PATH_AND_TEXT or any(arg.star for arg in node.args):
                return False
            receiver = [node.func.value] if isinstance(node.func, cst.Attribute) and not _module_call(node) else []
            return all(self.own(v, scope, depth) for v in [*receiver, *(a.value for a in node.args)])
        return None

    def uncalled(self, func: cst.FunctionDef) -> bool:
        return False


def _module_call(node: cst.Call) -> bool:
    """`os.path.join(...)`, `re.search(...)`, `pathlib.Path(...)`: a function of a module, not a method of a value."""
    return (dotted(node.func) or "").partition(".")[0] in ("os", "path", "re", "pathlib", "io", "codecs")
