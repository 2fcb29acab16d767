"""The categories a labelled case can have, and which findings of each tool match them.

A category is what the weakness is (SQL injection, a weak hash), independent of any tool. A codeward
finding matches a case when its rule is one of the category's codes (the taint rule or its "built from a
variable" shape twin); bandit's test ids are mapped the same way, as closely as its tests allow (bandit has
no test for some categories: it can only score zero recall there).
"""

from __future__ import annotations

# name: (description, codeward rule codes, bandit test ids)
CATEGORIES: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "sql": ("SQL injection (CWE-89)", frozenset({"CWR101", "CWR120"}), frozenset({"B608", "B610", "B611"})),
    "command": (
        "OS command injection (CWE-78/77)",
        frozenset({"CWR102", "CWR103"}),
        frozenset({"B601", "B602", "B603", "B604", "B605", "B606", "B607", "B609"}),
    ),
    "code": (
        "code injection: eval/exec/compile (CWE-94/95)",
        frozenset({"CWR104", "CWR121"}),
        frozenset({"B102", "B307"}),
    ),
    "path": ("path traversal (CWE-22/23/36/73/99)", frozenset({"CWR107", "CWR108"}), frozenset({"B202"})),
    "ssrf": ("server-side request forgery (CWE-918)", frozenset({"CWR109"}), frozenset({"B310"})),
    "xss": (
        "cross-site scripting (CWE-79/80)",
        frozenset({"CWR110", "CWR123", "CWR124"}),
        frozenset({"B308", "B701", "B703", "B704"}),
    ),
    "template": ("server-side template injection (CWE-1336)", frozenset({"CWR111"}), frozenset({"B701", "B702"})),
    "xxe": (
        "XML external entities / entity expansion (CWE-611/776/827)",
        frozenset({"CWR112"}),
        frozenset(
            {
                "B313",
                "B314",
                "B315",
                "B316",
                "B317",
                "B318",
                "B319",
                "B320",
                "B405",
                "B406",
                "B407",
                "B408",
                "B409",
                "B410",
            }
        ),
    ),
    "ldap": ("LDAP injection (CWE-90)", frozenset({"CWR113"}), frozenset()),
    "xpath": ("XPath injection (CWE-643)", frozenset({"CWR114"}), frozenset({"B320"})),
    "nosql": ("NoSQL injection (CWE-943)", frozenset({"CWR115"}), frozenset()),
    "log": ("log injection (CWE-117)", frozenset({"CWR116"}), frozenset()),
    "redirect": ("open redirect (CWE-601)", frozenset({"CWR117"}), frozenset()),
    "header": ("HTTP header injection / response splitting (CWE-113)", frozenset({"CWR118"}), frozenset()),
    "regex": ("regular expression built from untrusted data (CWE-730/1333)", frozenset({"CWR119"}), frozenset()),
    "deserialization": (
        "unsafe deserialization (CWE-502)",
        frozenset({"CWR105", "CWR106"}),
        frozenset({"B301", "B302", "B403", "B506", "B614"}),
    ),
    "secrets": (
        "hard-coded credentials (CWE-798/259/321)",
        frozenset({"CWR201", "CWR202", "CWR203", "CWR205"}),
        frozenset({"B105", "B106", "B107"}),
    ),
    "weak-hash": (
        "weak or unsalted hash for security (CWE-327/328/759/916)",
        frozenset({"CWR303", "CWR304"}),
        frozenset({"B303", "B324"}),
    ),
    "weak-crypto": (
        "broken cipher, mode or key size (CWE-326/327)",
        frozenset({"CWR310", "CWR312"}),
        frozenset({"B304", "B305", "B413", "B505"}),
    ),
    "random": ("insecure randomness for security values (CWE-330/331/338)", frozenset({"CWR305"}), frozenset({"B311"})),
    "cookie": ("cookie without Secure/HttpOnly (CWE-614/1004)", frozenset({"CWR314"}), frozenset()),
    "tls": (
        "TLS verification disabled or weak protocol (CWE-295/297/326)",
        frozenset({"CWR301", "CWR302", "CWR311", "CWR313"}),
        frozenset({"B323", "B501", "B502", "B503", "B504", "B507"}),
    ),
    "jwt": ("JWT decoded without verification (CWE-347)", frozenset({"CWR308"}), frozenset()),
    "temp-file": ("insecure temporary file (CWE-377/379)", frozenset({"CWR306"}), frozenset({"B108", "B306"})),
    "permissions": ("world-writable permissions (CWE-732)", frozenset({"CWR307"}), frozenset({"B103"})),
    "debug": ("debug mode in production (CWE-215/489)", frozenset({"CWR309"}), frozenset({"B201"})),
    "trust-boundary": ("untrusted data stored in the session (CWE-501)", frozenset({"CWR122"}), frozenset()),
}

# The categories reported as "injection" in the summary (untrusted data reaching an interpreter or a sink).
INJECTION = frozenset(
    {"sql", "command", "code", "path", "ssrf", "xss", "template", "xxe", "ldap", "xpath", "nosql", "log", "redirect",
     "header", "regex", "deserialization", "trust-boundary"}
)  # fmt: skip

# The CWE of a SecurityEval-style folder name, when the folder alone says the category.
CWE_CATEGORY: dict[str, str] = {
    "CWE-022": "path", "CWE-078": "command", "CWE-079": "xss", "CWE-080": "xss", "CWE-089": "sql",
    "CWE-090": "ldap", "CWE-094": "code", "CWE-095": "code", "CWE-099": "path", "CWE-113": "header",
    "CWE-117": "log", "CWE-215": "debug", "CWE-259": "secrets", "CWE-295": "tls", "CWE-297": "tls",
    "CWE-321": "secrets", "CWE-326": "weak-crypto", "CWE-330": "random", "CWE-331": "random", "CWE-347": "jwt",
    "CWE-377": "temp-file", "CWE-379": "temp-file", "CWE-502": "deserialization", "CWE-601": "redirect",
    "CWE-611": "xxe", "CWE-643": "xpath", "CWE-732": "permissions", "CWE-759": "weak-hash", "CWE-776": "xxe",
    "CWE-798": "secrets", "CWE-827": "xxe", "CWE-918": "ssrf",
}  # fmt: skip


def codeward_codes(category: str) -> frozenset[str]:
    return CATEGORIES[category][1]


def bandit_tests(category: str) -> frozenset[str]:
    return CATEGORIES[category][2]
