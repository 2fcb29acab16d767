"""The Python reviewer: a libcst rule engine with intra-procedural taint tracking (`codeward review`)."""
