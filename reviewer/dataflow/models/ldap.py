"""LDAP search filters: python-ldap and ldap3, and their escaping helpers."""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, Sanitizer, Sink

LDAP = Library(
    "ldap",
    sinks=(
        *(Sink(f".{m}", "ldap", ((2, "filterstr"),)) for m in ("search_s", "search_st", "search_ext", "search_ext_s")),
        Sink("ldap3.Connection().search", "ldap", ((1, "search_filter"),)),
        Sink("ldap3.Connection().search", "ldap", ((0, "search_base"),)),
    ),
    sanitizers=(
        Sanitizer("ldap.filter.escape_filter_chars", frozenset({"ldap"})),
        Sanitizer("ldap.filter.filter_format", frozenset({"ldap"})),
        Sanitizer("ldap3.utils.conv.escape_filter_chars", frozenset({"ldap"})),
        Sanitizer("ldap.dn.escape_dn_chars", frozenset({"ldap"})),
        Sanitizer("ldap3.utils.dn.escape_rdn", frozenset({"ldap"})),
    ),
)

LIBRARIES = (LDAP,)
