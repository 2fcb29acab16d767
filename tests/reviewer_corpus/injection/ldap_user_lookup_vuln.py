# codeward-corpus: vulnerable CWR113
# ruff: noqa
import ldap

BASE_DN = "ou=people,dc=example,dc=com"


def find_user(conn, request):
    username = request.POST["username"]
    return conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, "(uid=" + username + ")", ["mail", "cn"])
