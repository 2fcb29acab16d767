# codeward-corpus: safe CWR113
# ruff: noqa
import ldap
from ldap.filter import escape_filter_chars

BASE_DN = "ou=people,dc=example,dc=com"


def find_user(conn, request):
    username = escape_filter_chars(request.POST["username"])
    return conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, "(uid=" + username + ")", ["mail", "cn"])
