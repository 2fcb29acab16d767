"""Agent settings: the five CodeGuru Profiler agent settings plus codeward's own.

Sources, lowest to highest precedence: defaults, `[tool.codeward.profiler]` in pyproject.toml,
`CODEWARD_PROFILER_*` environment variables, command-line flags. Stdlib only: this module is imported
by the agent inside the profiled program.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing itself is not imported: it costs the program 2 ms at start-up

if TYPE_CHECKING:
    from typing import Any


class SettingsError(ValueError):
    """A setting with a bad value; the message names the source, the setting and what is accepted."""


class Spec:
    """One setting. A plain class, not a dataclass: `codeward` builds its parser from these at every start."""

    __slots__ = ("attr", "default", "env_name", "help", "kind", "maximum", "minimum", "name")

    def __init__(
        self,
        name: str,
        attr: str,
        kind: type,
        default: Any,
        minimum: float,
        maximum: float,
        help: str,
        env_name: str = "",
    ):
        self.name = name  # the CodeGuru name (or codeward's own, in kebab case)
        self.attr, self.kind, self.default = attr, kind, default
        self.minimum, self.maximum, self.help = minimum, maximum, help
        self.env_name = env_name

    @property
    def env(self) -> str:
        return self.env_name or "CODEWARD_PROFILER_" + _snake(self.name).upper()

    @property
    def flag(self) -> str:
        return "--" + _snake(self.name).replace("_", "-")


def _snake(name: str) -> str:
    if "-" in name:
        return name.replace("-", "_")
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


SPECS: tuple[Spec, ...] = (
    Spec("MaxStackDepth", "max_stack_depth", int, 1000, 1, 100_000, "frames kept per stack, from the root"),
    Spec(
        "MemoryUsageLimitPercent",
        "memory_usage_limit_percent",
        float,
        10.0,
        0.0,
        100.0,
        "the agent's own memory as a share of the process's resident memory; over it the agent flushes a report "
        "early, and stops if that is not enough",
    ),
    Spec(
        "MinimumTimeForReportingInMilliseconds",
        "minimum_time_for_reporting_ms",
        int,
        30_000,
        0,
        10**9,
        "periodic reports are never written more often than this",
    ),
    Spec(
        "ReportingIntervalInMilliseconds",
        "reporting_interval_ms",
        int,
        300_000,
        0,
        10**9,
        "write a report this often while the program runs (0: only at exit)",
    ),
    Spec("SamplingIntervalInMilliseconds", "sampling_interval_ms", float, 10.0, 0.1, 3_600_000, "time between samples"),
    Spec("output-dir", "output_dir", str, "codeward-profile", 0, 0, "directory the reports are written to"),
    Spec("trace-allocations", "trace_allocations", bool, False, 0, 0, "record allocation sites with tracemalloc"),
    Spec(
        "heap-budget-percent",
        "heap_budget_percent",
        float,
        0.2,
        0.0,
        50.0,
        "wall-time share the live-object census may use (0: no census)",
    ),
    Spec(
        "formats",
        "formats",
        str,
        "html,speedscope,collapsed",
        0,
        0,
        "reports rendered from the JSON profile once the program has exited (none: the JSON alone)",
    ),
    Spec(
        "timer",
        "timer",
        str,
        "auto",
        0,
        0,
        "auto: while the main thread is busy in Python (and the interval is at most 50 ms) a SIGPROF CPU timer "
        "samples from the main thread itself, without a GIL handover; thread: always the sampling thread",
    ),
)
SPECS += (
    Spec(
        "group",
        "group",
        str,
        "",
        0,
        0,
        "profiling group: every process of the service sends its profiles to the store under this name",
        "CODEWARD_PROFILE_GROUP",
    ),
    Spec(
        "store",
        "store",
        str,
        "",
        0,
        0,
        "where the group's profiles go: s3://bucket/prefix (boto3, codeward[s3]; AWS_ENDPOINT_URL for other "
        "endpoints) or file:///shared/dir",
        "CODEWARD_PROFILE_STORE",
    ),
)
BY_NAME = {spec.name: spec for spec in SPECS}
BY_ATTR = {spec.attr: spec for spec in SPECS}
REPORT_FORMATS = ("html", "speedscope", "collapsed")
TIMERS = ("auto", "thread")


class Settings:
    """Resolved settings; attributes are the `attr` names of SPECS."""

    max_stack_depth: int
    memory_usage_limit_percent: float
    minimum_time_for_reporting_ms: int
    reporting_interval_ms: int
    sampling_interval_ms: float
    output_dir: str
    trace_allocations: bool
    heap_budget_percent: float
    formats: str
    timer: str
    group: str
    store: str

    def __init__(self, **values: Any) -> None:
        for spec in SPECS:
            setattr(self, spec.attr, values.pop(spec.attr, spec.default))
        if values:
            raise TypeError(f"unknown settings: {', '.join(values)}")

    def __repr__(self) -> str:
        return "Settings(" + ", ".join(f"{s.attr}={getattr(self, s.attr)!r}" for s in SPECS) + ")"

    def to_env(self) -> dict[str, str]:
        """The environment that gives a child process these settings."""
        out = {}
        for spec in SPECS:
            value = getattr(self, spec.attr)
            if value == "" and spec.kind is str:
                continue  # unset (group, store): a child with an empty variable would be a bad setting
            out[spec.env] = ("1" if value else "0") if spec.kind is bool else str(value)
        out[BY_ATTR["output_dir"].env] = os.path.abspath(self.output_dir)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {spec.name: getattr(self, spec.attr) for spec in SPECS}

    def report_formats(self) -> list[str]:
        return [f for f in (part.strip() for part in self.formats.split(",")) if f and f != "none"]


def convert(spec: Spec, value: Any, source: str) -> Any:
    """Check and convert one value; `source` says where it came from for the message."""
    where = f"{source}: {spec.name}"
    if spec.kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(f"{where} must be true or false, not {value!r}")
    if spec.kind is str:
        if not isinstance(value, str) or not value.strip():
            raise SettingsError(f"{where} must be a non-empty string, not {value!r}")
        if spec.attr == "formats":
            unknown = [f for f in value.split(",") if f.strip() and f.strip() not in (*REPORT_FORMATS, "none")]
            if unknown:
                raise SettingsError(f"{where}: unknown format {unknown[0]!r}; choose from {', '.join(REPORT_FORMATS)}")
        if spec.attr == "group" and not all(ch.isalnum() or ch in "._-" for ch in value.strip()):
            raise SettingsError(f"{where} may hold letters, digits, '.', '_' and '-' only, not {value!r}")
        if spec.attr == "store" and not value.strip().startswith(("s3://", "file://")):
            raise SettingsError(f"{where} must be an s3://bucket/prefix or file:///directory URL, not {value!r}")
        if spec.attr == "timer" and value.strip() not in TIMERS:
            raise SettingsError(f"{where} must be one of {', '.join(TIMERS)}, not {value!r}")
        return value.strip() if spec.attr in ("timer", "group", "store") else value
    if isinstance(value, bool):
        raise SettingsError(f"{where} must be a number, not {value!r}")
    try:
        number = spec.kind(float(value)) if spec.kind is float else int(str(value).strip(), 10)
    except (TypeError, ValueError):
        kind = "a whole number" if spec.kind is int else "a number"
        raise SettingsError(f"{where} must be {kind}, not {value!r}") from None
    if not spec.minimum <= number <= spec.maximum:
        raise SettingsError(f"{where} must be between {spec.minimum:g} and {spec.maximum:g}, not {number:g}")
    return number


def _apply(settings: Settings, values: dict[str, Any], source: str) -> None:
    for name, value in values.items():
        spec = BY_NAME.get(name)
        if spec is None:
            import difflib

            close = difflib.get_close_matches(name, list(BY_NAME), n=1)
            hint = f'; did you mean "{close[0]}"?' if close else f"; known: {', '.join(BY_NAME)}"
            raise SettingsError(f'{source}: unknown setting "{name}"{hint}')
        setattr(settings, spec.attr, convert(spec, value, source))


def from_pyproject(path: str) -> dict[str, Any]:
    """The `[tool.codeward.profiler]` table of one pyproject.toml (empty when absent)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from None
    table = document.get("tool", {}).get("codeward", {}).get("profiler", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.codeward.profiler] must be a table")
    return table


def from_env(environ: dict[str, str] | os._Environ[str] | None = None) -> dict[str, str]:
    environ = os.environ if environ is None else environ
    return {spec.name: environ[spec.env] for spec in SPECS if spec.env in environ}


def resolve(
    pyproject: str | None = None,
    environ: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    use_env: bool = True,
) -> Settings:
    """Defaults < pyproject < environment < overrides (CLI flags or keyword arguments, by CodeGuru name)."""
    settings = Settings()
    if pyproject:
        _apply(settings, from_pyproject(pyproject), f"{pyproject} [tool.codeward.profiler]")
    if use_env:
        for name, value in from_env(environ).items():
            _apply(settings, {name: value}, f"environment variable {BY_NAME[name].env}")
    if overrides:
        _apply(settings, {k: v for k, v in overrides.items() if v is not None}, "option")
    if bool(settings.group) != bool(settings.store):
        given, missing = ("group", "store") if settings.group else ("store", "group")
        raise SettingsError(
            f"{given} is set but {missing} is not: a profiling group needs both (--group NAME --store URL, or "
            f"{BY_NAME[missing].env})"
        )
    return settings
