"""Features of the classifier's candidates, in plain Python: training and scoring share this module.

A feature vector is `(numeric, hashed)`: a fixed list of numbers (`SECRET_NUMERIC` or `SINK_NUMERIC` name
them) and the sorted bucket indices of hashed tokens (identifier words of the name a literal is bound to,
the call around it, the file's path, nearby words...). Tokens are hashed with CRC-32, which is stable across
processes and Python versions, into `BUCKETS` buckets; a model's column `len(numeric) + bucket` is the
token's weight.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import re
import zlib
from dataclasses import dataclass

BUCKETS = 1 << 12
Vector = tuple[list[float], list[int]]

# ---------------------------------------------------------------------------------------------------
# Tokens.

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


_WORDS: dict[str, tuple[str, ...]] = {}
_BUCKET: dict[str, int] = {}


def words(text: str) -> tuple[str, ...]:
    """`awsSecretAccessKey`, `AWS_SECRET_ACCESS_KEY` and `aws-secret-access-key` all give aws, secret,
    access, key. Memoised: names, calls and paths repeat."""
    found = _WORDS.get(text)
    if found is None:
        found = tuple(w.lower() for w in _WORD.findall(text) if not w.isdigit())
        if len(text) <= 1000:  # bounded by size too: a hostile file's long texts are not kept
            if len(_WORDS) > 50_000:
                _WORDS.clear()
            _WORDS[text] = found
    return found


def bucket(token: str) -> int:
    found = _BUCKET.get(token)
    if found is None:
        found = zlib.crc32(token.encode("utf-8", "surrogatepass")) & (BUCKETS - 1)
        if len(token) <= 200:
            if len(_BUCKET) > 100_000:
                _BUCKET.clear()
            _BUCKET[token] = found
    return found


def hashed(tokens: set[str]) -> list[int]:
    return sorted({bucket(t) for t in tokens})


# ---------------------------------------------------------------------------------------------------
# Provider formats (facts from each provider's documentation) and the checksums some of them define.

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(number: int, width: int) -> str:
    out = ""
    while number:
        number, digit = divmod(number, 62)
        out = _B62[digit] + out
    return out.rjust(width, "0")


def crc32_token_ok(body: str) -> bool:
    """GitHub (`ghp_` and siblings) and npm (`npm_`) tokens: 30 random base62 characters, then the CRC-32 of
    those characters in 6 base62 digits."""
    if len(body) != 36 or not body.isalnum():
        return False
    return base62(zlib.crc32(body[:30].encode()), 6) == body[30:]


def _jwt_ok(value: str) -> bool:
    head = value.split(".", 1)[0]
    try:
        document = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, binascii.Error):
        return False
    return isinstance(document, dict) and "alg" in document


def _b64_bytes(text: str) -> int:
    try:
        return len(base64.b64decode(text + "=" * (-len(text) % 4), validate=True))
    except (ValueError, binascii.Error):
        return -1


def _pem_ok(value: str) -> bool:
    body = re.sub(r"-----[A-Z ]+-----|\s|\\n", "", value)
    return len(body) >= 64 and _b64_bytes(body) > 40


# (provider, pattern, checksum or structure check or None)
PROVIDERS: tuple[tuple[str, re.Pattern[str], object], ...] = (
    ("aws-access-key-id", re.compile(r"(?:AKIA|ASIA|ABIA|ACCA|AROA|AIDA)[A-Z2-7]{16}"), None),
    ("github", re.compile(r"gh[pousr]_([A-Za-z0-9]{36})"), crc32_token_ok),
    ("github-fine-grained", re.compile(r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"), None),
    ("gitlab", re.compile(r"glpat-[A-Za-z0-9_-]{20}"), None),
    ("slack-token", re.compile(r"xox[baprse]-\d{8,13}-\d{8,13}-[A-Za-z0-9-]{10,}"), None),
    (
        "slack-webhook",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24}"),
        None,
    ),
    ("stripe", re.compile(r"[sr]k_live_[A-Za-z0-9]{24,99}"), None),
    ("google-api-key", re.compile(r"AIza[0-9A-Za-z_-]{35}"), None),
    ("sendgrid", re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"), None),
    ("twilio-api-key", re.compile(r"SK[0-9a-f]{32}"), None),
    ("npm", re.compile(r"npm_([A-Za-z0-9]{36})"), crc32_token_ok),
    ("pypi", re.compile(r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"), None),
    (
        "openai",
        re.compile(r"sk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}|sk-proj-[A-Za-z0-9_-]{80,}"),
        None,
    ),
    ("anthropic", re.compile(r"sk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}"), None),
    ("huggingface", re.compile(r"hf_[A-Za-z]{34}"), None),
    ("shopify", re.compile(r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"), None),
    ("digitalocean", re.compile(r"do[opr]_v1_[a-f0-9]{64}"), None),
    ("mailgun", re.compile(r"key-[0-9a-f]{32}"), None),
    ("azure-storage-key", re.compile(r"AccountKey=([A-Za-z0-9+/]{86}==)"), lambda key: _b64_bytes(key) == 64),
    ("private-key", re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"), None),
    ("jwt", re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"), None),
)
PROVIDER_HINT = re.compile(
    r"AKIA|ASIA|ABIA|ACCA|AROA|AIDA|gh[pousr]_|github_pat_|glpat-|xox[baprse]-|hooks\.slack|_live_|AIza|SG\.|SK[0-9a-f]|"
    r"npm_|pypi-|sk-|hf_|shp|_v1_|key-|AccountKey=|PRIVATE KEY|eyJ"
)


def provider_of(value: str) -> tuple[str, bool]:
    """(provider, structure valid) for the first known format found in `value`, else ("", False)."""
    if not PROVIDER_HINT.search(value):
        return "", False
    for provider, pattern, check in PROVIDERS:
        match = pattern.search(value)
        if match is None:
            continue
        if provider == "private-key":
            return provider, _pem_ok(value)
        if provider == "jwt":
            return provider, _jwt_ok(match.group(0))
        if check is None:
            return provider, False
        return provider, bool(check(match.group(1)))  # type: ignore[operator]
    return "", False


# ---------------------------------------------------------------------------------------------------
# Secret candidates.

# Both are matched against lower-cased text (faster than IGNORECASE).
PLACEHOLDER = re.compile(
    r"example|sample|dummy|placeholder|fake|redacted|change.?me|changeit|replace|your[_-]|my[_-]?(?:secret|pass|key|token)|"
    r"<[^>]*>|\$\{|\{\{|\{[a-z_]*\}|%\(|%s|x{5,}|\*{3,}|\.\.\.|test|mock|todo|fixme|insert|enter[_-]|secret_here|0{8,}|1234"
)
CREDENTIAL_NAME = re.compile(
    r"pass(?:wd|word|phrase)?|pwd|secret|token|api_?key|apikey|private_?key|credential|auth|signing|bearer|"
    r"access_?key|session_?key|client_?secret|conn(?:ection)?_?str"
)
# Names that say what a non-secret value is: identifiers, digests, paths and the like.
BENIGN_NAME = re.compile(
    r"(?i)(?:^|_)(?:id|ids|uuid|guid|sha\d*|md5|hash|digest|checksum|etag|commit|rev|revision|version|path|dir|"
    r"file|filename|url|uri|endpoint|host|pattern|regex|re|fmt|format|template|prefix|suffix|arn|region|bucket|"
    r"name|label|title|msg|message|help|doc|mime|encoding|color|colour|integrity|nonce_name|type)(?:$|_)"
)
# Matched against the file's last directories and its name only: a checkout's location says nothing.
_TEST_PATH = re.compile(
    r"(?i)(?:^|/)(?:tests?|testing|fixtures?|__tests__|spec|mocks?)/|(?:^|/)(?:test_[^/]*|[^/]*_test\.py|conftest\.py)$"
)
_DOCS_PATH = re.compile(r"(?i)(?:^|/)(?:docs?|examples?|samples?|demo|tutorials?)/")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_B64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_][A-Za-z0-9_]*)+")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_URL_PASSWORD = re.compile(r"://[^/\s:@]+:([^/\s@]+)@")
_REGEX = re.compile(r"\\[wdsWDSbB.]|\[\^|\(\?[:=!P<]|\[[a-z0-9]-[a-z0-9]|[*+?]\)|\^\(|\$$")
_ENV_REF = re.compile(r"^\$[A-Z_{(]|^%[A-Z_]+%$|^env:|^\{\{|^\$\{|^[A-Z][A-Z0-9_]{2,}$")
_VERSION_DATE = re.compile(r"^v?\d+(?:[.-]\d+)+(?:[-+.][A-Za-z0-9.]+)?$|^\d{4}-\d{2}-\d{2}")
_SECRET_REF = re.compile(
    r"^arn:aws:|^(?:ssm|secretsmanager|vault|kms):|^/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+$|^alias/"
)
_FORMAT = re.compile(r"\{\w*\}|%[sdr(]|\{\d*:")
_VOWELS = frozenset("aeiouAEIOU")

SECRET_NUMERIC = (
    "length_log", "entropy", "entropy_ratio", "upper", "lower", "digit", "symbol", "classes", "provider",
    "checksum", "value_placeholder", "context_placeholder", "hex", "digest_length", "uuid", "base64_blob",
    "url", "path", "whitespace", "regex", "env_reference", "credential_name", "benign_name", "test_path",
    "docs_path", "longest_run", "distinct", "identifier", "wordlike", "dotted", "class_changes", "secret_reference",
    "version_or_date", "url_password", "pem", "jwt", "unnamed", "in_call", "format_string", "config_file",
    "credential_context", "env_lookup_call", "compared", "digits_only", "vowel_ratio",
)  # fmt: skip


@dataclass(slots=True)
class SecretCandidate:
    """A string literal (or a configuration value) and what surrounds it."""

    value: str
    name: str  # the variable, attribute, key, keyword or parameter it is bound to ("" if none)
    call: str  # the call it is an argument of, as written (`boto3.client`), "" if none
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    context: str = ""  # the source line(s) around the literal, the literal itself removed
    file_kind: str = "python"  # python | yaml | json | ini | env | text
    compared: bool = False  # `x == "literal"`, `x in ("a", "b")`: a value checked against, not stored


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    n = len(value)
    if not n:
        return 0.0
    total = 0.0
    for ch in set(value):
        p = value.count(ch) / n
        total -= p * math.log2(p)
    return total


def _longest_run(value: str) -> int:
    best = run = 1
    for a, b in itertools.pairwise(value):
        run = run + 1 if a == b else 1
        best = max(best, run)
    return best


_PATHS: dict[str, tuple[float, float, tuple[str, ...]]] = {}


def _path_facts(path: str) -> tuple[float, float, tuple[str, ...]]:
    """(a test file, a documentation or example file, the path's tokens): the same for every literal of a file."""
    found = _PATHS.get(path)
    if found is None:
        tail = "/".join(path.replace("\\", "/").split("/")[-3:])
        tokens = tuple(f"p:{w}" for part in tail.lower().split("/") for w in words(part))
        found = (1.0 if _TEST_PATH.search(tail) else 0.0, 1.0 if _DOCS_PATH.search(tail) else 0.0, tokens)
        if len(_PATHS) > 10_000:
            _PATHS.clear()
        _PATHS[path] = found
    return found


def secret_features(c: SecretCandidate) -> Vector:
    v = c.value
    n = len(v) or 1
    upper = lower = digit = changes = 0
    previous = 0
    for ch in v:
        if "a" <= ch <= "z":
            lower += 1
            kind = 1
        elif "A" <= ch <= "Z":
            upper += 1
            kind = 2
        elif "0" <= ch <= "9":
            digit += 1
            kind = 3
        else:
            kind = 4
        if kind != previous:
            changes += 1
            previous = kind
    symbol = n - upper - lower - digit
    classes = (upper > 0) + (lower > 0) + (digit > 0) + (symbol > 0)
    ent = entropy(v)
    ideal = math.log2(min(n, 64)) if n > 1 else 1.0
    provider, valid = provider_of(v)
    name = c.name
    context = c.context
    low_value, low_name, low_context = v.lower(), name.lower(), context.lower()
    test_path, docs_path, path_tokens = _path_facts(c.path)
    is_hex = bool(_HEX.fullmatch(v))
    stripped = v.strip()
    name_words = words(name)
    vowels = sum(1 for ch in v if ch in _VOWELS)
    letters = upper + lower
    numeric = [
        math.log2(n),
        ent,
        ent / ideal,
        upper / n,
        lower / n,
        digit / n,
        symbol / n,
        float(classes),
        1.0 if provider else 0.0,
        1.0 if valid else 0.0,
        1.0 if PLACEHOLDER.search(low_value) else 0.0,
        1.0 if PLACEHOLDER.search(low_context) or PLACEHOLDER.search(low_name) else 0.0,
        1.0 if is_hex else 0.0,
        1.0 if is_hex and n in (32, 40, 56, 64, 96, 128) else 0.0,
        1.0 if _UUID.search(v) else 0.0,
        1.0 if n >= 16 and _B64.fullmatch(stripped) and not is_hex else 0.0,
        1.0 if _URL.match(v) else 0.0,
        1.0 if ("/" in v or "\\" in v) and not _URL.match(v) and " " not in v else 0.0,
        1.0 if any(ch.isspace() for ch in v) else 0.0,
        1.0 if _REGEX.search(v) else 0.0,
        1.0 if _ENV_REF.search(v) else 0.0,
        1.0 if CREDENTIAL_NAME.search(low_name) else 0.0,
        1.0 if BENIGN_NAME.search(name) else 0.0,
        test_path,
        docs_path,
        _longest_run(v) / n,
        len(set(v)) / n,
        1.0 if _IDENT.fullmatch(v) else 0.0,
        1.0 if letters >= 0.9 * n and vowels >= 0.2 * max(letters, 1) else 0.0,
        1.0 if ("." in v or ":" in v) and _DOTTED.fullmatch(v) else 0.0,
        changes / n,
        1.0 if _SECRET_REF.search(v) else 0.0,
        1.0 if _VERSION_DATE.search(v) else 0.0,
        1.0 if _URL_PASSWORD.search(v) else 0.0,
        1.0 if provider == "private-key" else 0.0,
        1.0 if provider == "jwt" else 0.0,
        0.0 if name else 1.0,
        1.0 if c.call else 0.0,
        1.0 if _FORMAT.search(v) else 0.0,
        0.0 if c.file_kind == "python" else 1.0,
        1.0 if CREDENTIAL_NAME.search(low_context) else 0.0,
        1.0 if re.search(r"environ|getenv|os\.env|config\.get|settings\.", context) else 0.0,
        1.0 if c.compared else 0.0,
        1.0 if v.isdigit() else 0.0,
        vowels / max(letters, 1),
    ]
    tokens = {"n:" + w for w in name_words}
    if name_words:
        tokens.add("nl:" + name_words[-1])
    for w in words(c.call):
        tokens.add("c:" + w)
    tokens.update(path_tokens)
    for w in set(words(context)):
        tokens.add("w:" + w)
    if provider:
        tokens.add("v:" + provider)
    head = re.match(r"[A-Za-z]{2,8}[_-]", v)
    if head:
        tokens.add("h:" + head.group(0).lower())
    tokens.add("k:" + c.file_kind)
    return numeric, hashed(tokens)


# ---------------------------------------------------------------------------------------------------
# Injection candidates: a sink call the rules consider.

# How the sink's argument was built.
BUILDS = ("literal", "fstring", "percent", "concat", "format", "join", "variable", "call", "attribute", "other")
KINDS = ("sql", "command", "code", "path", "ssrf", "xss", "template", "ldap", "xpath", "nosql", "log", "redirect",
         "header", "regex")  # fmt: skip
ROLES = ("route", "lambda", "test", "private", "public", "module")
FRAMEWORKS = ("flask", "django", "fastapi", "lambda", "none")

SINK_NUMERIC = (
    *(f"build_{b}" for b in BUILDS),
    *(f"kind_{k}" for k in KINDS),
    *(f"role_{r}" for r in ROLES),
    *(f"framework_{f}" for f in FRAMEWORKS),
    "tainted", "sanitized_for_kind", "sanitized_other", "steps", "steps_log", "source_request", "source_event",
    "source_env", "source_cli", "source_param", "literal_prefix_fixed", "param_in_arg", "arg_names",
    "validation_call", "allow_list", "keyword_arg", "bound_params", "shell_true", "test_path", "nested_builds",
    "escape_call", "cast_call", "constant_only",
)  # fmt: skip


@dataclass(slots=True)
class SinkCandidate:
    """A call a taint rule treats as a sink, with how its argument was built and what reached it."""

    code: str  # the rule (CWR101...)
    kind: str  # sql, command, ...
    sink: str  # qualified or written name of the call
    build: str  # one of BUILDS
    nested: int  # how many string-building operations the argument contains
    tainted: bool
    sanitized_for_kind: bool  # taint reached it, but cleared for this sink's kind
    sanitized_other: bool  # cleared for some other kind on the way
    steps: int
    source: str
    role: str
    framework: str
    fixed_prefix: bool  # a literal prefix fixes scheme and host (URLs) or the command
    param_in_arg: bool  # a parameter of the enclosing function appears in the argument
    arg_names: list[str]  # identifier words in the argument
    function_words: list[str]  # words of the enclosing function's name and its parameters
    validation_call: bool  # a call named like validation on the argument's variables earlier in the function
    allow_list: bool  # `if x in ALLOWED` / `not in` guard seen for a variable of the argument
    keyword_arg: bool
    bound_params: bool  # execute(sql, params) style: a second argument carries the values
    shell_true: bool
    path: str
    line: int
    column: int
    escape_call: bool = False  # quote/escape-named call inside the argument
    cast_call: bool = False  # int()/float()/uuid in the argument
    constant_only: bool = False  # every name in the argument is an UPPER_CASE constant


def sink_features(c: SinkCandidate) -> Vector:
    numeric = [1.0 if c.build == b else 0.0 for b in BUILDS]
    numeric += [1.0 if c.kind == k else 0.0 for k in KINDS]
    numeric += [1.0 if c.role == r else 0.0 for r in ROLES]
    numeric += [1.0 if c.framework == f else 0.0 for f in FRAMEWORKS]
    source = c.source.lower()
    numeric += [
        1.0 if c.tainted else 0.0,
        1.0 if c.sanitized_for_kind else 0.0,
        1.0 if c.sanitized_other else 0.0,
        float(min(c.steps, 10)),
        math.log2(1 + c.steps),
        1.0 if "request" in source or "req." in source or "args" in source else 0.0,
        1.0 if "event" in source else 0.0,
        1.0 if "environ" in source or "getenv" in source else 0.0,
        1.0 if "argv" in source or "input" in source or "stdin" in source else 0.0,
        1.0 if "parameter" in source else 0.0,
        1.0 if c.fixed_prefix else 0.0,
        1.0 if c.param_in_arg else 0.0,
        float(min(len(c.arg_names), 10)),
        1.0 if c.validation_call else 0.0,
        1.0 if c.allow_list else 0.0,
        1.0 if c.keyword_arg else 0.0,
        1.0 if c.bound_params else 0.0,
        1.0 if c.shell_true else 0.0,
        _path_facts(c.path)[0],
        float(min(c.nested, 5)),
        1.0 if c.escape_call else 0.0,
        1.0 if c.cast_call else 0.0,
        1.0 if c.constant_only else 0.0,
    ]
    tokens = {"s:" + c.sink.rsplit(".", 1)[-1].lower(), "r:" + c.code, "b:" + c.build + ":" + c.kind}
    tokens.update("a:" + w for w in c.arg_names)
    tokens.update("f:" + w for w in c.function_words)
    if c.tainted:
        tokens.add("t:" + c.kind + ":" + ("clean" if c.sanitized_for_kind else "raw"))
    return numeric, hashed(tokens)
