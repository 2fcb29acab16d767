"""libcst, imported on first use: rule metadata (codes, docs, CWE) is needed to print cached results, and a
warm run that serves every file from the cache should not pay for importing the parser."""

from __future__ import annotations

import types
from typing import Any


class _LazyLibcst(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        import libcst

        value = getattr(libcst, name)
        setattr(self, name, value)  # later look-ups are plain attribute reads
        return value


cst: Any = _LazyLibcst("libcst")
