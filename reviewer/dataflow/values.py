"""Abstract values: what the analysis knows about a Python value at one program point.

A value carries
- `flows`: the taint it holds, one `Flow` per origin (a source such as `request.args`, or a parameter of the
  function being summarised, so that summaries can say "parameter 1 reaches the return value");
- `const`: its value when the analysis knows it (literals and what folds from them);
- `fields`: what is known per constant key or attribute (`d["a"]`, `obj.attr`), and `rest`: what any other
  element holds (a list's appended items, a dict's unknown keys); field-sensitivity keeps `d["a"]` clean when
  only `d["b"]` is tainted;
- `ref`: the module, function or class a name refers to (`subprocess.run`, a project function);
- `type`: the constructor of an instance (`ldap3.Connection()`, `flask.Request`), so methods resolve.

Values are immutable: transfer functions build new ones, so states can share them freely.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

# Every sink kind a sanitizer can clear. A value cleared for all of them is clean.
ALL_KINDS = frozenset(
    [
        "sql",
        "command",
        "code",
        "path",
        "ssrf",
        "xss",
        "template",
        "xxe",
        "ldap",
        "xpath",
        "nosql",
        "log",
        "redirect",
        "header",
        "regex",
        "deserialization",
        "trust-boundary",
        "ssh",
        "path-dots",  # `..` rejected: a path sink is safe when nothing joins the value after an absolute base
        "path-abs",  # an absolute path rejected: with `..` rejected too, safe joined after a base (`join(base, x)`)
        # Checked as a part of a path joined after a base (`realpath(join(BASE, name)).startswith(BASE)`): safe
        # where it is joined after that base again, not alone (then it is relative to the working directory).
        "path-under",
    ]
)

MAX_FLOWS = 4  # origins kept per value; more adds nothing a report can show
MAX_FIELDS = 24  # keys tracked per container before they collapse into `rest`
MAX_STEPS = 6  # steps kept in a trace
MAX_DEPTH = 3  # nesting of fields kept
# Parameter flows kept per value before their access paths are shortened (`self.a.b` becomes `self.a`, then
# `self`): a class whose methods pass `self` around otherwise collects hundreds of paths per value, and merging
# them made one Django module (sql/subqueries.py) take minutes. A shorter path stands for more of the argument.
MAX_PARAM_FLOWS = 24


def with_implied(kinds: frozenset[str]) -> frozenset[str]:
    """A value safe as a path is safe as a path joined after a base too."""
    return kinds | {"path-under"} if "path" in kinds and "path-under" not in kinds else kinds


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True, slots=True)
class Label:
    """An origin of taint.

    kind "source": data from outside (`desc` says what: "request.args", "the Lambda event"); `family` is what
    it is dangerous for: "input" (attacker-controlled text) or "random" (predictable numbers).
    kind "param": parameter `index` of the function being summarised, at access path `path` (`(".x",)` is
    `param.x`, `("k",)` is `param["k"]`).
    """

    kind: str
    desc: str
    node: object = None
    family: str = "input"
    index: int = -1
    path: tuple[object, ...] = ()
    trust: str = "untrusted"
    # Labels are hashed far more often than built (flows are merged by label): the hash is computed once.
    _hash: int = field(init=False, repr=False, compare=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_hash", hash((self.kind, self.desc, id(self.node), self.family, self.index, self.path))
        )

    def __hash__(self) -> int:
        return self._hash

    def extended(self, step: object) -> Label:
        """The label one access step further along its path."""
        return Label(self.kind, self.desc, self.node, self.family, self.index, (*self.path, step), self.trust)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Label)
            and self.kind == other.kind
            and self.desc == other.desc
            and self.node is other.node
            and self.family == other.family
            and self.index == other.index
            and self.path == other.path
        )


@dataclass(frozen=True, slots=True)
class Flow:
    """Taint from one label: the sink kinds it has been sanitised for, and the steps it took."""

    label: Label
    cleared: frozenset[str] = frozenset()
    steps: tuple[tuple[str, object], ...] = ()

    def via(self, name: str, node: object) -> Flow:
        if self.steps and self.steps[-1][0] == name:
            return self
        return Flow(self.label, self.cleared, (*self.steps, (name, node))[-MAX_STEPS:])

    def clean(self, kinds: frozenset[str]) -> Flow:
        """Sanitised for `kinds` as well. A flow cleared of every kind becomes `CHECKED`, one mark whatever its
        origin: the rules (and a summary's callers) can then tell checked data from a value whose origin the
        analysis does not know (a shape rule stays silent on the first, not on the second), and values do not
        grow with every check a parameter went through."""
        cleared = with_implied(self.cleared | kinds)
        if cleared == self.cleared:
            return self
        if cleared >= ALL_KINDS:
            return CHECKED
        return Flow(self.label, cleared, self.steps)

    @property
    def spent(self) -> bool:
        """Cleared of every kind: harmless wherever it goes."""
        return self.cleared >= ALL_KINDS


# Data that was checked or sanitised for every sink kind: it reaches no sink, and says the value is not of
# unknown origin.
CHECKED = Flow(Label("checked", "checked data"), ALL_KINDS)


def merge_flows(a: tuple[Flow, ...], b: tuple[Flow, ...]) -> tuple[Flow, ...]:
    """Union by label; a label on both sides is cleared only for what both paths cleared."""
    if not a:
        return b
    if not b or a is b:
        return a
    if len(a) + len(b) <= 8:  # the common case: a scan is cheaper than hashing labels
        out = list(a)
        for flow in b:
            for i, have in enumerate(out):
                if have.label == flow.label:
                    if not have.cleared <= flow.cleared:
                        out[i] = Flow(have.label, have.cleared & flow.cleared, have.steps)
                    break
            else:
                if len(out) < MAX_FLOWS or flow.label.kind == "param":
                    out.append(flow)
                elif not flow.spent:
                    _take_spent_slot(out, flow)
        return tuple(out)
    # Many parameter flows (a summary's fields, a class whose methods pass `self` around): by label, in one
    # pass; a scan per flow made this quadratic (Django's sql/subqueries.py: 25 million label comparisons).
    index = {have.label: i for i, have in enumerate(a)}
    out = list(a)
    for flow in b:
        i = index.get(flow.label)
        if i is not None:
            have = out[i]
            if not have.cleared <= flow.cleared:
                out[i] = Flow(have.label, have.cleared & flow.cleared, have.steps)
        elif len(out) < MAX_FLOWS or flow.label.kind == "param":
            index[flow.label] = len(out)
            out.append(flow)
        elif not flow.spent and _take_spent_slot(out, flow):
            index = {have.label: i for i, have in enumerate(out)}
    return _bounded(tuple(out)) if len(out) > MAX_PARAM_FLOWS else tuple(out)


def _take_spent_slot(out: list[Flow], flow: Flow) -> bool:
    """Flows are full: live taint takes the place of a source that was cleared of every kind (a finding needs
    the first, the second only silences shape rules)."""
    for i, have in enumerate(out):
        if have.label.kind != "param" and have.spent:
            out[i] = flow
            return True
    return False


def _bounded(flows: tuple[Flow, ...]) -> tuple[Flow, ...]:
    """At most MAX_PARAM_FLOWS parameter flows: their access paths cut to one step, then to none."""
    params = [f for f in flows if f.label.kind == "param"]
    if len(params) <= MAX_PARAM_FLOWS:
        return flows
    merged: dict[Label, Flow] = {}
    for keep in (1, 0):
        merged = {}
        for flow in params:
            label = flow.label
            if len(label.path) > keep:
                label = replace(label, path=label.path[:keep])
            have = merged.get(label)
            cleared = flow.cleared if have is None else have.cleared & flow.cleared
            merged[label] = Flow(label, cleared, flow.steps if have is None else have.steps)
        if len(merged) <= MAX_PARAM_FLOWS:
            break
    return (*(f for f in flows if f.label.kind != "param"), *merged.values())


@dataclass(frozen=True, slots=True)
class Value:
    flows: tuple[Flow, ...] = ()
    const: Any = UNKNOWN
    fields: tuple[tuple[object, Value], ...] = ()
    rest: Value | None = None
    ref: str | None = None
    type: str | None = None
    prefix: str | None = None  # the constant text a string starts with, when it is built from one

    # -- reading ------------------------------------------------------------------------------------

    @property
    def known(self) -> bool:
        return self.const is not UNKNOWN

    @property
    def callable_ref(self) -> bool:
        """A function or class named, carrying no data (`fetch(urlopen, url)` passes `urlopen`): a callee given
        it may call it, so a summary can fix the parameter to it (`ModuleInfo.fixed_arguments`)."""
        return self.ref is not None and not self.flows and not self.fields

    def field(self, key: object) -> Value | None:
        for have, value in self.fields:
            if have == key and type(have) is type(key):
                return value
        return None

    def deep_flows(self, depth: int = 0) -> tuple[Flow, ...]:
        """The taint of the value and of everything it contains (what `str(v)` or a sink would see)."""
        flows = self.flows
        if depth > MAX_DEPTH:
            return flows
        for _, value in self.fields:
            flows = merge_flows(flows, value.deep_flows(depth + 1))
        if self.rest is not None:
            flows = merge_flows(flows, self.rest.deep_flows(depth + 1))
        return flows

    def elements(self) -> Value:
        """What iterating the value gives: every element joined (fields, rest and whole-value taint)."""
        out = Value(flows=self.flows)
        for key, value in self.fields:
            if not (isinstance(key, str) and key.startswith(".")):
                out = join(out, value)
        if self.rest is not None:
            out = join(out, self.rest)
        if isinstance(self.const, tuple | frozenset | list):
            consts = {c for c in self.const if isinstance(c, str | int | float | bytes | bool | type(None))}
            if len(consts) == 1 and not out.flows:
                return replace(out, const=next(iter(consts)))
        if isinstance(self.const, str) and not out.flows:
            return out  # characters of a known string: clean
        return out

    # -- building -----------------------------------------------------------------------------------

    def with_field(self, key: object, value: Value) -> Value:
        fields = [(k, v) for k, v in self.fields if not (k == key and type(k) is type(key))]
        fields.append((key, value))
        rest = self.rest
        if len(fields) > MAX_FIELDS:
            rest = rest or Value()
            for _, dropped in fields[: len(fields) - MAX_FIELDS]:
                rest = join(rest, dropped)
            fields = fields[-MAX_FIELDS:]
        return Value(self.flows, UNKNOWN, tuple(fields), rest, self.ref, self.type, self.prefix)

    def with_element(self, value: Value) -> Value:
        rest = value if self.rest is None else join(self.rest, value)
        return Value(self.flows, UNKNOWN, self.fields, rest, self.ref, self.type, self.prefix)

    def with_flows(self, flows: tuple[Flow, ...]) -> Value:
        return Value(flows, self.const, self.fields, self.rest, self.ref, self.type, self.prefix)

    def tainted(self) -> bool:
        return bool(self.deep_flows())


CLEAN = Value()


def const(value: Any) -> Value:
    return Value(const=value)


def join(a: Value | None, b: Value | None, depth: int = 0) -> Value:
    """The value that holds on either path: taint united, constants kept only where both agree."""
    if a is None:
        return b if b is not None else CLEAN
    if b is None or a is b:
        return a
    if a.type == "deque" and b.type == "deque" and len(a.fields) != len(b.fields):
        # Deques of different lengths (appended to in a loop): which item an end gives is not known.
        return Value(rest=join(a.elements(), b.elements(), depth + 1), type="deque")
    flows = merge_flows(a.flows, b.flows)
    same_const = a.const is not UNKNOWN and b.const is not UNKNOWN and type(a.const) is type(b.const)
    value = a.const if same_const and a.const == b.const else UNKNOWN
    fields: tuple[tuple[object, Value], ...] = ()
    rest = a.rest if b.rest is None else (b.rest if a.rest is None else join(a.rest, b.rest, depth + 1))
    if (a.fields or b.fields) and depth <= MAX_DEPTH:
        merged: dict[tuple[type, object], tuple[object, Value]] = {}
        for key, v in a.fields:
            merged[(type(key), key)] = (key, v)
        seen_b: set[tuple[type, object]] = set()
        for key, v in b.fields:
            seen_b.add((type(key), key))
            have = merged.get((type(key), key))
            # Where `a` has no such key, reading it there gives `a`'s elements and whole-value taint.
            v = _with_implicit(v, a, depth) if have is None else join(have[1], v, depth + 1)
            merged[(type(key), key)] = (key, v)
        if b.flows:
            for slot, (key, v) in list(merged.items()):
                if slot not in seen_b:  # only `a` holds this key
                    merged[slot] = (key, _with_implicit(v, b, depth))
        fields = tuple(merged.values())
        if len(fields) > MAX_FIELDS:  # keys past the limit are read through `rest`: keep what they hold there
            for _, dropped in fields[MAX_FIELDS:]:
                rest = dropped if rest is None else join(rest, dropped, depth + 1)
            fields = fields[:MAX_FIELDS]
    elif a.fields or b.fields:
        for _, v in (*a.fields, *b.fields):
            flows = merge_flows(flows, v.deep_flows())
    return Value(
        flows=flows,
        const=value,
        fields=fields,
        rest=rest,
        ref=a.ref if a.ref == b.ref else None,
        type=a.type if a.type == b.type else (a.type or b.type if not (a.type and b.type) else None),
        prefix=_common_prefix(a, b),
    )


def _with_implicit(field: Value, other: Value, depth: int) -> Value:
    """A key one side of a join holds and `other` does not: on `other`'s path reading it gives `other`'s
    whole-value taint, which the joined field must keep (how each path cleared it: both must have)."""
    sources = tuple(f for f in other.flows if f.label.kind == "source")  # only sources are marked (`narrow`)
    if not sources:
        return field
    merged = merge_flows(field.flows, sources)
    return field if merged == field.flows else field.with_flows(merged)


def prefer_flows(first: tuple[Flow, ...], second: tuple[Flow, ...]) -> tuple[Flow, ...]:
    """Union by label where `first` says how a label was cleared: a key checked on its own (`d["k"] in ALLOWED`)
    is safe even though the container's other keys still carry the same source."""
    if not second:
        return first
    labels = {f.label for f in first}
    return first + tuple(f for f in second if f.label not in labels)


def _common_prefix(a: Value, b: Value) -> str | None:
    left = a.const if isinstance(a.const, str) else a.prefix
    right = b.const if isinstance(b.const, str) else b.prefix
    if left is None or right is None:
        return None
    size = 0
    for x, y in zip(left, right, strict=False):
        if x != y:
            break
        size += 1
    return left[:size]


def same(a: Value | None, b: Value | None, depth: int = 0) -> bool:
    """Equal for the fixed point: traces are ignored, everything that decides a finding is compared."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    if a.ref != b.ref or a.type != b.type or len(a.flows) != len(b.flows) or len(a.fields) != len(b.fields):
        return False
    if (a.const is UNKNOWN) != (b.const is UNKNOWN) or (a.const is not UNKNOWN and a.const != b.const):
        return False
    for fa, fb in zip(a.flows, b.flows, strict=True):
        if fa.label != fb.label or fa.cleared != fb.cleared:
            return False
    if depth > MAX_DEPTH:
        return True
    for (ka, va), (kb, vb) in zip(a.fields, b.fields, strict=True):
        if ka != kb or not same(va, vb, depth + 1):
            return False
    if (a.rest is None) != (b.rest is None):
        return False
    return a.rest is None or same(a.rest, b.rest, depth + 1)


def widen(a: Value) -> Value:
    """Forget constants and field structure (loops that keep changing them converge)."""
    if a.const is UNKNOWN and not a.fields:
        return a
    rest = a.rest
    for _, v in a.fields:
        rest = join(rest, widen(v))
    return Value(flows=a.flows, rest=rest, ref=a.ref, type=a.type)


def truthy(value: Value) -> bool | None:
    """Python truthiness when known."""
    if value.const is UNKNOWN:
        return None
    try:
        return bool(value.const)
    except Exception:
        return None


# The dataclasses' own __init__ of the classes given a faster one (kept for tests/test_dataflow_values.py).
DATACLASS_INITS: dict[type, Any] = {}


def _construct_faster() -> None:
    """Labels, flows and values are built millions of times in a review (joins, transfer functions): their
    __init__ stores each field into its slot directly instead of through `object.__setattr__` (about half
    the cost of building one; the objects are the same, `tests/test_dataflow_values.py` compares them)."""
    from codeward.reviewer.parse import fast_init

    for kind in (Label, Flow, Value):
        init = fast_init(kind)
        if init is not None:
            DATACLASS_INITS[kind] = kind.__init__
            kind.__init__ = init  # type: ignore[method-assign]


_construct_faster()
