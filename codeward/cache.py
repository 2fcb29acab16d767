"""Results cached by content hash, so a hook re-run over unchanged files does no parsing at all.

Where: `--cache-dir`, else `$CODEWARD_CACHE_DIR`, else `cache-dir` in the configuration, else the user
cache directory (`$XDG_CACHE_HOME/codeward`, `~/.cache/codeward`; `~/Library/Caches/codeward` on macOS;
`%LOCALAPPDATA%\\codeward\\Cache` on Windows). With `CI` set (`CI=true`, as CI services do) the cache is
off unless one of the first three names a folder: a CI job starts from scratch, and a cache it shares with
other jobs is something to opt into.

What a pull request can do about it, and why it does not matter:

- Entries are keyed by everything that decides a file's result: codeward's version and a stamp of its own
  files (rules, schemas, the model), the versions of PyYAML and libcst, the Python version, the whole
  configuration and the selection, the file's absolute path and its bytes.
- Every entry is authenticated (HMAC-SHA256 over its key and content) with a random key kept outside any
  repository (`cache.key` in the user cache directory, or in the cache folder itself when that is outside
  every checkout). A committed, forged or copied entry fails the check; so does any entry that is not
  exactly what codeward writes. Every such entry is a miss, never an error.
- A cache folder inside a checkout is not used if it, or a folder on the way to it, is a symbolic link, or
  if git tracks a file in it; a folder codeward creates gets a `.gitignore` of `*` so that it is never
  committed by accident.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import tempfile
from typing import Any

from codeward import __version__
from codeward.findings import Edit, Finding, Fix, Severity, Span

FORMAT = b"codeward-cache 2\n"
MAX_ENTRY = 16 * 1024 * 1024
_CODE_STAMP: str | None = None
_REFUSED: set[str] = set()


def code_stamp() -> str:
    """Sizes and modification times of codeward's own files: editing a rule invalidates old results
    even when the version number stays the same (a development checkout, an editable install)."""
    global _CODE_STAMP
    if _CODE_STAMP is None:
        digest = hashlib.sha256()
        base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for package in ("codeward", "linters", "schemas", "reviewer"):
            for root, dirs, files in os.walk(os.path.join(base, package)):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(files):
                    if name.endswith((".py", ".json")):
                        info = os.stat(os.path.join(root, name))
                        digest.update(f"{root}/{name}:{info.st_size}:{info.st_mtime_ns}\n".encode())
        digest.update(dependency_stamp().encode())
        digest.update(f"{sys.version}\0{sys.implementation.cache_tag}\0{sys.platform}".encode())
        _CODE_STAMP = digest.hexdigest()[:32]
    return _CODE_STAMP


def dependency_stamp() -> str:
    """The installed versions of the parsers whose behaviour decides results, found without importing
    them (a warm run must not pay for importing libcst): their `*.dist-info` names and module files."""
    import importlib.util

    parts = []
    for module, dist in (("yaml", "pyyaml"), ("libcst", "libcst")):
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        if not origin or not os.path.exists(origin):
            parts.append(f"{module}:-")
            continue
        site = os.path.dirname(os.path.dirname(origin))
        try:
            names = sorted(n for n in os.listdir(site) if n.lower().startswith(dist + "-") and n.endswith("-info"))
        except OSError:
            names = []
        info = os.stat(origin)
        parts.append(f"{module}:{origin}:{names}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts)


def read_for_key(path: str, max_bytes: int) -> bytes | None:
    """A file's bytes for its cache key (up to one byte past the readers' limit), or None when it cannot
    or must not be read (a link out of the checkout: the reader reports that, uncached)."""
    from codeward.safepaths import read_refusal

    if read_refusal(path) is not None:
        return None
    try:
        with open(path, "rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError:
        return None


def config_stamp(config: Any) -> str:
    """Everything in the configuration that can change a result: the selection after command-line
    options, and the whole `[tool.codeward]` table (rule options, thresholds) as written."""
    selection = (sorted(config.select), sorted(config.ignore), sorted(config.per_file_ignores.items()))
    return repr(selection) + json.dumps(config.raw, sort_keys=True, default=str)


def user_cache_dir() -> str | None:
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return os.path.join(base, "codeward", "Cache") if base else None
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "codeward") if home != "~" else None
    base = os.environ.get("XDG_CACHE_HOME") or (os.path.join(home, ".cache") if home != "~" else "")
    return os.path.join(base, "codeward") if base and os.path.isabs(base) else None


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def cache_dir_for(config: Any) -> str | None:
    """The folder to cache results in for this run, or None (caching off, or the folder refused: a
    warning says why)."""
    named = getattr(config, "cache_dir", None) or None
    env = os.environ.get("CODEWARD_CACHE_DIR")
    if getattr(config, "cache_dir_from_cli", False):
        directory = named
    elif env:
        directory = env
    elif named:
        directory = named
        # A configuration file may come from the pull request: its cache stays inside its own checkout.
        from codeward.safepaths import checkout_root

        home = checkout_root(config.root) or os.path.abspath(config.root)
        if not _inside(os.path.abspath(named), home):
            if named not in _REFUSED:
                _REFUSED.add(named)
                print(f"codeward: warning: not using cache-dir {named} from {config.source}: it is outside "
                      f"{home}; name it with --cache-dir or CODEWARD_CACHE_DIR instead", file=sys.stderr)  # fmt: skip
            return None
    elif _in_ci():
        return None
    else:
        directory = user_cache_dir()
    if not directory:
        return None
    directory = os.path.abspath(directory)
    problem = refusal(directory)
    if problem is not None:
        if directory not in _REFUSED:
            _REFUSED.add(directory)
            print(f"codeward: warning: not using the cache folder {directory}: {problem}; running uncached",
                  file=sys.stderr)  # fmt: skip
        return None
    return directory


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def refusal(directory: str) -> str | None:
    """Why `directory` must not hold the cache, or None."""
    from codeward.safepaths import checkout_root, link_in_path

    link = link_in_path(directory)
    if link is not None:
        return f"{link} is a symbolic link (a pull request can commit one)"
    root = checkout_root(directory)
    if root is None or not os.path.isdir(directory):
        return None
    import subprocess

    relative = os.path.relpath(directory, root)
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--recurse-submodules", "--", relative],
            cwd=root,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "it is inside a checkout and git cannot say whether it tracks files there"
    if done.returncode != 0:
        return "it is inside a checkout and git cannot say whether it tracks files there"
    if done.stdout:
        return "git tracks files in it (a pull request can commit cache entries)"
    return None


def _key_file(directory: str) -> str | None:
    """`cache.key` in the cache folder when that is outside every checkout, else in the user cache
    directory: never where a pull request could commit one."""
    from codeward.safepaths import checkout_root

    if checkout_root(directory) is None:
        return os.path.join(directory, "cache.key")
    home = user_cache_dir()
    if home is None or os.path.abspath(home).startswith(os.path.abspath(directory).rstrip(os.sep) + os.sep):
        return None
    return os.path.join(home, "cache.key")


def _secret(directory: str) -> bytes | None:
    """The key entries are authenticated with, created on first use (0600)."""
    path = _key_file(directory)
    if path is None:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
        with os.fdopen(descriptor, "rb") as handle:
            key = handle.read(1024)
        return key if len(key) >= 32 else None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _protect(os.path.dirname(path))
        key = os.urandom(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        return key
    except FileExistsError:  # another process made it first
        return _secret(directory)
    except OSError:
        return None


def _protect(directory: str) -> None:
    """A `.gitignore` of `*` (and a CACHEDIR.TAG, for backup tools) in a cache folder codeward uses."""
    ignore = os.path.join(directory, ".gitignore")
    if os.path.lexists(ignore):
        return
    try:
        with open(ignore, "x", encoding="utf-8") as handle:
            handle.write("# Created by codeward: its cache is never to be committed.\n*\n")
        with open(os.path.join(directory, "CACHEDIR.TAG"), "x", encoding="utf-8") as handle:
            handle.write("Signature: 8a477f597d28d172789f06886806bc55\n# codeward's results cache.\n")
    except OSError:
        pass


class Cache:
    def __init__(self, directory: str, namespace: str, settings: str) -> None:
        self.root = directory
        self.directory = os.path.join(directory, __version__, namespace)
        self.salt = f"{__version__}\0{code_stamp()}\0{namespace}\0{settings}\0".encode()
        self._key: bytes | None = None
        self._ready = False

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256(self.salt)
        digest.update(os.path.abspath(path).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _secret(self) -> bytes | None:
        if not self._ready:
            self._ready = True
            self._key = _secret(self.root)
        return self._key

    def _mac(self, key: str, body: bytes) -> str | None:
        secret = self._secret()
        if secret is None:
            return None
        return hmac.new(secret, key.encode() + b"\0" + body, hashlib.sha256).hexdigest()

    def get(self, key: str) -> tuple[dict[str, Any], list[Finding]] | None:
        """The stored metadata and findings, or None for anything but an intact entry codeward wrote."""
        try:
            flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
            descriptor = os.open(os.path.join(self.directory, key[:2], key), flags)
            with os.fdopen(descriptor, "rb") as handle:
                data = handle.read(MAX_ENTRY + 1)
            if len(data) > MAX_ENTRY or not data.startswith(FORMAT):
                return None
            mac, _, body = data[len(FORMAT) :].partition(b"\n")
            expected = self._mac(key, body)
            if expected is None or not hmac.compare_digest(mac, expected.encode()):
                return None
            return _load_entry(json.loads(body))
        except Exception:
            return None

    def put(self, key: str, meta: dict[str, Any], findings: list[Finding]) -> None:
        body = json.dumps({"meta": meta, "findings": [_dump(f) for f in findings]}, separators=(",", ":")).encode()
        mac = self._mac(key, body)
        if mac is None:
            return
        folder = os.path.join(self.directory, key[:2])
        try:
            if not os.path.isdir(self.root):
                os.makedirs(self.root, exist_ok=True)
            _protect(self.root)
            os.makedirs(folder, exist_ok=True)
            if os.path.islink(folder) or os.path.islink(self.directory):
                return
            with tempfile.NamedTemporaryFile("wb", dir=folder, delete=False) as handle:
                handle.write(FORMAT + mac.encode() + b"\n" + body)
            os.replace(handle.name, os.path.join(folder, key))  # replaces a link itself, never its target
        except OSError:
            pass  # a read-only location just runs uncached


def _dump(f: Finding) -> dict[str, Any]:
    s = f.span
    out: dict[str, Any] = {
        "c": f.code, "m": f.message, "p": f.path, "s": [s.line, s.column, s.end_line, s.end_column],
        "v": int(f.severity), "n": f.name, "o": list(f.notes),
    }  # fmt: skip
    if f.confidence is not None:
        out["k"] = f.confidence
    if f.related:
        out["r"] = list(f.related)
    if f.flow:
        out["w"] = [[*(at.line, at.column, at.end_line, at.end_column), text] for at, text in f.flow]
    if f.fix is not None:
        e = [[*(x.span.line, x.span.column, x.span.end_line, x.span.end_column), x.text] for x in f.fix.edits]
        out["f"] = [f.fix.description, e]
    return out


class _Malformed(Exception):
    pass


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise _Malformed
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 31:
        raise _Malformed
    return value


def _span(values: Any) -> Span:
    if not isinstance(values, list) or len(values) != 4:
        raise _Malformed
    return Span(*(_int(v) for v in values))


def _load_entry(entry: Any) -> tuple[dict[str, Any], list[Finding]]:
    if not isinstance(entry, dict) or not isinstance(entry.get("meta"), dict):
        raise _Malformed
    items = entry.get("findings")
    if not isinstance(items, list):
        raise _Malformed
    return entry["meta"], [_load(item) for item in items]


def _load(d: Any) -> Finding:
    if not isinstance(d, dict):
        raise _Malformed
    fix = None
    if "f" in d:
        if not isinstance(d["f"], list) or len(d["f"]) != 2 or not isinstance(d["f"][1], list):
            raise _Malformed
        description, edits = d["f"]
        fix = Fix(_str(description), tuple(_edit(e) for e in edits))
    confidence = d.get("k")
    if confidence is not None and (not isinstance(confidence, float | int) or isinstance(confidence, bool)):
        raise _Malformed
    notes, related, flow = d["o"], d.get("r", []), d.get("w", [])
    if not isinstance(notes, list) or not isinstance(related, list) or not isinstance(flow, list):
        raise _Malformed
    return Finding(
        _str(d["c"]), _str(d["m"]), _str(d["p"]), _span(d["s"]), Severity(_int(d["v"])), _str(d["n"]), fix,
        None if confidence is None else float(confidence), tuple(_str(n) for n in notes),
        tuple(_int(n) for n in related), tuple(_step(step) for step in flow),
    )  # fmt: skip


def _step(step: Any) -> tuple[Span, str]:
    if not isinstance(step, list) or len(step) != 5:
        raise _Malformed
    return _span(step[:4]), _str(step[4])


def _edit(e: Any) -> Edit:
    if not isinstance(e, list) or len(e) != 5:
        raise _Malformed
    return Edit(_span(e[:4]), _str(e[4]))
