"""Results cached by content hash, so a hook re-run over unchanged files does no parsing at all.

The key covers codeward's version, the analysis settings, the file's path and its bytes; entries are
JSON (never pickle) and a corrupt or foreign entry is simply a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from typing import Any

from codeward import __version__
from codeward.findings import Edit, Finding, Fix, Severity, Span

_CODE_STAMP: str | None = None


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
        _CODE_STAMP = digest.hexdigest()[:16]
    return _CODE_STAMP


class Cache:
    def __init__(self, directory: str, namespace: str, settings: str) -> None:
        self.directory = os.path.join(directory, __version__, namespace)
        self.salt = f"{__version__}\0{code_stamp()}\0{namespace}\0{settings}\0".encode()

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256(self.salt)
        digest.update(os.path.abspath(path).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> tuple[dict[str, Any], list[Finding]] | None:
        """The stored metadata and findings, or None."""
        try:
            with open(os.path.join(self.directory, key[:2], key), encoding="utf-8") as handle:
                entry = json.load(handle)
            return entry["meta"], [_load(item) for item in entry["findings"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, meta: dict[str, Any], findings: list[Finding]) -> None:
        folder = os.path.join(self.directory, key[:2])
        try:
            os.makedirs(folder, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, encoding="utf-8") as handle:
                json.dump({"meta": meta, "findings": [_dump(f) for f in findings]}, handle)
            os.replace(handle.name, os.path.join(folder, key))
        except OSError:
            pass  # a read-only checkout just runs uncached


def _span(values: list[int]) -> Span:
    return Span(*values)


def _dump(f: Finding) -> dict[str, Any]:
    s = f.span
    out: dict[str, Any] = {
        "c": f.code, "m": f.message, "p": f.path, "s": [s.line, s.column, s.end_line, s.end_column],
        "v": int(f.severity), "n": f.name, "o": list(f.notes),
    }  # fmt: skip
    if f.confidence is not None:
        out["k"] = f.confidence
    if f.fix is not None:
        e = [[*(x.span.line, x.span.column, x.span.end_line, x.span.end_column), x.text] for x in f.fix.edits]
        out["f"] = [f.fix.description, e]
    return out


def _load(d: dict[str, Any]) -> Finding:
    fix = None
    if "f" in d:
        description, edits = d["f"]
        fix = Fix(description, tuple(Edit(_span(e[:4]), e[4]) for e in edits))
    return Finding(d["c"], d["m"], d["p"], _span(d["s"]), Severity(d["v"]), d["n"], fix, d.get("k"), tuple(d["o"]))
