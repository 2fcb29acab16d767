"""Is a value a secret written in plain text? Shared by the buildspec (CWB104) and pipeline (CWP112) rules.

A value is a secret by its shape (AWS access key ids, GitHub, GitLab, Slack, npm and Stripe tokens, private
key blocks, long high-entropy strings) or by the name it stands under (`*PASSWORD*`, `*TOKEN*`, `OAuthToken`).
References (`$OTHER`, `/parameter/name`, ARNs, `{{resolve:...}}`), masked values (`****`, as get-pipeline
returns them), placeholders (the shared recogniser: `%GitHubToken%`, `<GITHUB_TOKEN>`) and stand-ins too short
to be a credential (`123`, `abc`) are not.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from typing import Any

from codeward.linters.placeholders import placeholder, resolved_by_aws

# Name parts that say "this is a credential".
_SECRET_WORDS = {"PASSWORD", "PASSWD", "PASS", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS"}
_SECRET_PAIRS = {("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"), ("SECRET", "KEY"), ("AUTH", "KEY"),
                 ("SIGNING", "KEY"), ("ENCRYPTION", "KEY"), ("CLIENT", "SECRET")}  # fmt: skip
# A last part that makes the variable describe a secret rather than hold one (DB_PASSWORD_PARAM).
_NOT_VALUE = {"URL", "URI", "ENDPOINT", "PATH", "FILE", "NAME", "ARN", "ID", "PARAM", "PARAMETER", "HEADER", "TYPE",
              "LENGTH", "TTL", "EXPIRY", "REGION", "USER", "USERNAME", "HOST", "PORT", "ENABLED", "KEY", "SECRETID",
              "VERSION", "FIELD", "LOCATION", "DIR"}  # fmt: skip
_SHAPES = (
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}\b"), "a GitHub token"),
    (re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}"), "a Slack token"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
    (re.compile(r"\bglpat-[0-9A-Za-z_-]{20,}\b"), "a GitLab token"),
    (re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), "an npm token"),
    (re.compile(r"\bsk_live_[0-9A-Za-z]{20,}\b"), "a Stripe secret key"),
)
_PLACEHOLDER = re.compile(
    r"^(?:|x+|\*+|-+|\.+|none|null|nil|n/a|todo|tbd|changeme|change[-_]?me|placeholder|dummy|example|secret|password|"
    r"token|redacted|masked|test|fake|no[-_]?(?:secret|password|token)|<.*>|\{\{.*\}\}|\[.*\]|your[-_ ].*|"
    r"replace[-_ ].*)$",
    re.I,
)


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _is_reference(value: str) -> bool:
    # $OTHER, ${OTHER}, $(command), parameter paths and ARNs are pointers to a secret, not the secret.
    return value.startswith(("$", "/", "arn:", "ssm:", "resolve:", "{{resolve:")) or "${" in value or "$(" in value


def _secret_name(name: str) -> bool:
    parts = [p.upper() for p in re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", name) if p]
    if not parts:
        return False
    pairs = set(itertools.pairwise(parts))
    # API_KEY, SECRET_KEY...: the name ends in a secret pair, even though a trailing KEY alone (CACHE_KEY) is no secret.
    if ("ACCESS", "KEY") in pairs or (len(parts) >= 2 and (parts[-2], parts[-1]) in _SECRET_PAIRS):
        return True
    if parts[-1] in _NOT_VALUE and len(parts) > 1:
        return False
    return bool(_SECRET_WORDS & set(parts) or _SECRET_PAIRS & pairs)


def _names_something(name: str) -> bool:
    """RepositoryName, STACK_NAME, BucketPath: a value under such a key is an identifier, however random it looks."""
    parts = [p.upper() for p in re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", name) if p]
    return bool(parts) and parts[-1] in _NOT_VALUE - {"KEY", "SECRETID"}


def _word_joined(value: str) -> bool:
    """NT548-Practice02-Group18-CloudFormation-hello: three or more short segments joined by - or _ are a name
    made of words; keys and tokens are one long run (the formats with dashes are matched by their shape)."""
    segments = re.split(r"[-_]", value)
    return len(segments) >= 3 and all(len(s) <= 15 for s in segments)


def _high_entropy(value: str) -> bool:
    if len(value) < 20 or " " in value or "/" in value or "." in value or _word_joined(value):
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes == 3 and _entropy(value) >= 4.3


def classify(name: str, value: Any) -> str | None:
    """What kind of secret `value` looks like, or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    for pattern, what in _SHAPES:
        if pattern.search(text):
            return what
    if _is_reference(text) or _PLACEHOLDER.match(text) or placeholder(text, words=False) or resolved_by_aws(text):
        return None
    # By name alone only what could be one: "123" or "abc" stand in for a token a step fills in.
    if _secret_name(name) and len(text) >= 8 and len(set(text)) > 2:
        return "a credential"
    if _high_entropy(text) and not _names_something(name):
        return "a high-entropy secret"
    return None
