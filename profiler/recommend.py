"""Recommendations: known costly patterns found in a profile, each with its share of time and a fix.

A pattern matches frames by file (path suffix) and, optionally, function names. Its share is the time of
every stack holding at least one matching frame (counted once per stack), so nested matches never add
up to more than 100%. The "exceptions" pattern uses the samples taken while a thread was handling an
exception instead of frame names.
"""

from __future__ import annotations

import os

from codeward.profiler.model import frame_label, metric_for

TYPE_CHECKING = False  # typing is not imported: the launcher loads this module while the program runs
if TYPE_CHECKING:
    from typing import Any


class Pattern:
    """One costly pattern. A plain class: dataclasses (with inspect under it) would triple this module's import."""

    __slots__ = ("advice", "files", "id", "names", "threshold", "title")

    def __init__(
        self, id: str, title: str, files: tuple[str, ...], names: tuple[str, ...], threshold: float, advice: str
    ) -> None:
        self.id, self.title = id, title
        self.files = files  # path suffixes, "/" separated; ending in "/": a directory anywhere in the path
        self.names = names  # qualified names or prefixes ending in "*"; empty: every function of those files
        self.threshold = threshold  # percent of total time at which it is worth a recommendation
        self.advice = advice

    def matches(self, frame: dict[str, Any]) -> bool:
        path = frame["file"].replace("\\", "/")
        if not any((suffix in path) if suffix.endswith("/") else path.endswith(suffix) for suffix in self.files):
            return False
        if not self.names:
            return True
        name = frame["name"]
        return any(name.startswith(n[:-1]) if n.endswith("*") else name == n for n in self.names)


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "logging",
        "Heavy time in logging",
        ("/logging/__init__.py", "/logging/handlers.py"),
        (),
        5.0,
        "Pass values as arguments (log.debug('user %s', uid)) rather than pre-formatted strings so records "
        "below the level cost nothing, raise the level of chatty loggers in production, and avoid costly "
        "format fields (%(funcName)s, %(lineno)s, %(pathname)s walk the stack; asctime formats a time per record).",
    ),
    Pattern(
        "regex-compile",
        "Regular expressions compiled at run time",
        ("/re/_compiler.py", "/re/_parser.py", "/sre_compile.py", "/sre_parse.py"),
        (),
        2.0,
        "Compile each pattern once (PATTERN = re.compile(...) at module level) and reuse it. The re module "
        "caches only a few hundred patterns, so programs with many distinct or generated patterns recompile.",
    ),
    Pattern(
        "deepcopy",
        "Heavy time in copy.deepcopy",
        ("/copy.py",),
        ("deepcopy", "_deepcopy_*", "_reconstruct", "_keep_alive"),
        3.0,
        "Copy only what changes: a shallow copy (dict(d), list(l), copy.copy), immutable data (tuples, "
        "frozen dataclasses) shared instead of copied, or a hand-written copy of the few fields needed.",
    ),
    Pattern(
        "serialization",
        "Heavy time in serialization",
        (
            "/json/__init__.py",
            "/json/encoder.py",
            "/json/decoder.py",
            "/pickle.py",
            "/yaml/",
            "/xml/etree/ElementTree.py",
            "/csv.py",
        ),
        (),
        5.0,
        "Serialize less often (cache the encoded form, send only changed fields), avoid indent/sort_keys in "
        "hot paths, and consider a faster codec (orjson, msgspec) or yaml.CSafeLoader for YAML.",
    ),
    Pattern(
        "exceptions",
        "Exceptions used for control flow",
        (),
        (),
        5.0,
        "This share of samples was taken while a thread was handling an exception. Raising and catching is "
        "costly when it happens on every iteration: test first (dict.get, 'in', str.isdigit) instead of "
        "try/except around the common case, and keep exceptions for what is really exceptional.",
    ),
    Pattern(
        "boto3-clients",
        "Repeated boto3 client or session creation",
        ("/boto3/session.py", "/botocore/session.py", "/botocore/client.py", "/botocore/loaders.py"),
        (
            "Session.__init__",
            "Session.client",
            "Session.resource",
            "Session.create_client",
            "ClientCreator.*",
            "get_session",
            "Loader.load_*",
            "Loader.list_*",
            "create_client",
            "client",
            "resource",
        ),
        1.0,
        "Create boto3 clients and sessions once (module level, or a cached factory) and reuse them: clients "
        "are thread-safe, and each creation loads and parses the service model from disk.",
    ),
    Pattern(
        "strptime",
        "Heavy time parsing dates with strptime",
        ("/_strptime.py",),
        (),
        2.0,
        "Use datetime.fromisoformat() for ISO 8601 text (much faster), or parse fixed layouts by slicing.",
    ),
    Pattern(
        "inspect-stack",
        "Heavy time in inspect stack introspection",
        ("/inspect.py",),
        ("stack", "getouterframes", "getframeinfo", "findsource", "getsourcefile", "getmodule", "getinnerframes"),
        2.0,
        "inspect.stack() reads source files for every frame: use sys._getframe(n) or "
        "inspect.currentframe() and read f_code/f_lineno directly, or pass the context explicitly.",
    ),
)


def _is_library(path: str) -> bool:
    return not path or path.startswith(("<", _STDLIB)) or "-packages/" in path.replace("\\", "/")


_STDLIB = os.path.dirname(os.__file__) + os.sep


def _program_caller(frames: list[dict[str, Any]], ids: list[int], first: int) -> int:
    """The nearest function above the match that is the program's own (not the standard library or a package)."""
    for n in range(first - 1, -1, -1):
        if not _is_library(frames[ids[n]]["file"]):
            return ids[n]
    return ids[first - 1] if first else ids[first]


def recommendations(profile: dict[str, Any], metric: str = "auto") -> list[dict[str, Any]]:
    """Patterns over their threshold, largest share first."""
    metric = metric_for(profile, metric)
    column = 2 if metric == "cpu" else 1
    frames = profile["frames"]
    total = sum(row[column] for row in profile["stacks"] if row[0])
    if total <= 0:
        return []
    out = []
    for pattern in PATTERNS:
        if pattern.id == "exceptions":
            share_value = sum(row[column] * row[3] / max(row[1], 1) for row in profile["stacks"] if row[0])
            hits: dict[int, float] = {}
            for row in profile["stacks"]:
                if row[0] and row[3]:
                    hits[row[0][-1]] = hits.get(row[0][-1], 0.0) + row[column] * row[3] / max(row[1], 1)
        else:
            matching = {i for i, f in enumerate(frames) if pattern.matches(f)}
            if not matching:
                continue
            share_value = 0.0
            hits = {}
            for row in profile["stacks"]:
                ids = row[0]
                first = next((n for n, i in enumerate(ids) if i in matching), None)
                if first is not None:
                    share_value += row[column]
                    caller = _program_caller(frames, ids, first)
                    hits[caller] = hits.get(caller, 0.0) + row[column]
        share = 100.0 * share_value / total
        if share < pattern.threshold:
            continue
        callers = sorted(hits.items(), key=lambda kv: -kv[1])[:3]
        out.append(
            {
                "id": pattern.id,
                "title": pattern.title,
                "share": round(share, 2),
                "metric": metric,
                "advice": pattern.advice,
                "called_from": [frame_label(frames[i], profile.get("cwd")) for i, _ in callers],
            }
        )
    out.sort(key=lambda r: -r["share"])
    return out
