"""MongoDB (pymongo, motor): filters that can carry query operators."""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, Sink

_METHODS = ("find", "find_one", "find_one_and_update", "find_one_and_delete", "find_one_and_replace", "update_one",
            "update_many", "delete_one", "delete_many", "count_documents", "replace_one", "aggregate")  # fmt: skip

NOSQL = Library("mongodb", sinks=tuple(Sink(f".{m}", "nosql", ((0, "filter"),)) for m in _METHODS))

LIBRARIES = (NOSQL,)
