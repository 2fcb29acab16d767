"""Hard-coded credentials and secrets that leak into logs. Every message shows a masked value only."""

from __future__ import annotations

import re

from codeward.reviewer.engine import Context, argument, dotted, literal_str
from codeward.reviewer.lazy import cst
from codeward.reviewer.rule import ReviewRule
from codeward.reviewer.rules.cloudformation import ANSWERS, CUSTOM_RESOURCE
from codeward.reviewer.rules.injection import is_logging_call

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

# Known token formats (facts from each provider's documentation), with the provider's name.
TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # AKIA (long-term), ASIA (temporary), ABIA/ACCA (service credentials); AIDA/AROA/AGPA are the unique ids of
    # users, roles and groups, which grant nothing.
    ("AWS access key id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Z0-9])")),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b")),
    ("GitHub fine-grained token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{60,255}\b")),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("Slack token", re.compile(r"\bxox[baprse]-[A-Za-z0-9-]{10,}")),
    ("Slack webhook", re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}")),
    ("Stripe live key", re.compile(r"\b[sr]k_live_[A-Za-z0-9]{20,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("private key", re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----")),
    ("JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")),
)
_PLACEHOLDER = re.compile(
    r"(?i)example|sample|dummy|placeholder|fake|redacted|changeit|your[_-]|(?<![a-z0-9])my[_-]|<[^>]*>|\$\{|\{\{|%\(|%s"
    r"|x{4,}|\*{3,}|\.\.\."
)
_CREDENTIAL_NAME = re.compile(
    r"(?i)(?:^|_)(?:password|passwd|passphrase|pwd|pass|secret|secret_key|secret_access_key|api_?key|access_token|"
    r"auth_token|refresh_token|bearer_token|token|private_key|client_secret|session_token|credentials?|"
    r"signing_key|encryption_key)$"
)
# Names whose comparison with a literal checks a credential (no `token`: lexers compare tokens with keywords).
_COMPARED_NAME = re.compile(
    r"(?i)(?:^|_)(?:password|passwd|passphrase|pwd|secret|secret_key|client_secret|api_?key|admin_pass)$"
)
_CREDENTIAL_WORDS = re.compile(r"(?i)^[a-z_ .-]*(?:pass|secret|token|key|credential|pwd|auth)[a-z_ .-]*$")


def mask(secret: str) -> str:
    """Enough of a value to recognise it, never enough to use it."""
    keep = min(4, len(secret) // 4)
    return secret[:keep] + "*" * min(max(len(secret) - keep, 3), 12)


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_checksum_ok(token: str) -> bool:
    """GitHub's classic tokens (`ghp_` + 30 random characters + 6) end in the CRC32 of the random part in base62:
    a token whose checksum holds was issued by GitHub, whatever words its random part happens to spell."""
    import zlib

    if not re.fullmatch(r"gh[pousr]_[A-Za-z0-9]{36}", token):
        return False
    body, check = token[4:34], token[34:]
    value = zlib.crc32(body.encode("ascii"))
    digits = ""
    while value:
        value, rest = divmod(value, 62)
        digits = _BASE62[rest] + digits
    return digits.rjust(6, "0") == check


def find_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, provider) for every known token format in `text` that is not a placeholder. A masked or
    sample-looking value still counts when it has a real token's checksum."""
    out = []
    for provider, pattern in TOKEN_PATTERNS:
        for match in pattern.finditer(text):
            value = match.group(0)
            genuine = provider == "GitHub token" and github_checksum_ok(value)
            if not genuine and (_PLACEHOLDER.search(value) or len(set(value[4:])) < 5):
                continue
            out.append((match.start(), match.end(), provider))
    return out


def looks_like_secret(value: str) -> bool:
    """A literal that could be a real credential rather than a label, prompt, template or placeholder."""
    if len(value) < 6 or len(value) > 400 or any(ch.isspace() for ch in value):
        return False
    if _PLACEHOLDER.search(value) or len(set(value)) < 4:
        return False
    if value.startswith(("/", "./", "http://", "https://", "$", "%", "{", "env:", "arn:", "ssm:")):
        return False
    if re.search(r"\\[wdsWDSbB]|\[\^|\(\?[:=!P<]", value):
        return False  # a regular expression (a lexer's `token = r"[^\W\d]\w*"`), not a credential
    if _CREDENTIAL_WORDS.match(value) and value.lower() == value and len(value) <= 24:
        return False  # "password", "api_key", "x-auth-token": names, not values
    if (
        value != value.lower()
        and re.fullmatch(r"(?:[A-Z]{2,4}(?![a-z])|[A-Z]{1,4}[a-z]+|[a-z]+)+", value)
        and _CREDENTIAL_WORDS.match(value.lower())
    ):
        return False  # "ClientRequestToken", "DBPassword": an API's field or option name in camel case
    if re.fullmatch(r"(?:[A-Z][a-z]+|[A-Z]{1,4})(?:-(?:[A-Z][a-z]+|[A-Z]{1,4}))+", value) and _CREDENTIAL_WORDS.match(
        value.lower()
    ):
        return False  # "Access-Control-Allow-Credentials", "X-Auth-Token": an HTTP header's name
    if re.fullmatch(r"[^A-Za-z0-9\s]{1,4}[A-Z]{2,}(?:_[A-Z]{2,})*[^A-Za-z0-9\s]{1,4}", value):
        return False  # a sentinel in a stream or a template ("##END_CONVERSATION##", "__KEEP_ALIVE__")
    return not re.fullmatch(r"[A-Z][A-Z0-9_]+", value)  # an environment variable's name


class HardcodedToken(ReviewRule):
    """
    ## What it does
    Finds string literals in a known credential format: AWS access key ids, GitHub, GitLab, Slack and
    Stripe tokens, Slack webhooks, Google API keys, private key blocks and JSON Web Tokens. Documentation
    examples and placeholders (`AKIAIOSFODNN7EXAMPLE`, `ghp_xxxx...`) are left alone, except a GitHub token
    whose CRC32 checksum holds: GitHub issued it, whatever words its random part spells. The unique ids of
    IAM users and roles (`AIDA...`, `AROA...`) are not keys.

    ## Why is this bad?
    Anyone who can read the repository, a wheel, a container image or a stack trace can use the
    credential; it stays in the Git history after it is deleted.

    ## Example
    ```python
    GITHUB_TOKEN = "ghp_..."
    ```

    ## Fix
    Revoke the credential now, then load it at run time: from the environment, AWS Secrets Manager or SSM
    Parameter Store (`boto3.client("secretsmanager").get_secret_value(...)`), or an IAM role instead of keys.
    """

    secret = True
    code = "CWR201"
    name = "hardcoded-token"
    category = "secrets"
    cwe = 798
    security_severity = 9.1
    severity = Severity.WARNING  # as lint's CWB104 for the same secrets in a buildspec
    needles = ("AKIA", "ASIA", "ABIA", "ACCA", "AROA", "AIDA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
               "glpat-", "xox", "hooks.slack", "_live_", "AIza", "PRIVATE KEY", "eyJ")  # fmt: skip

    def visit_SimpleString(self, ctx: Context, node: cst.SimpleString) -> None:
        raw = node.value
        if len(raw) < 22 or not any(needle in raw for needle in self.needles):
            return  # evaluating every literal is costly; the shortest token format is 20 characters
        value = literal_str(node)
        if not value:
            return
        for start, end, provider in find_tokens(value):
            token = value[start:end]
            ctx.report(node, f"hard-coded {provider} {mask(token)}", mask=token)
            return

    VALID = (
        Valid("import os\nGITHUB_TOKEN = os.environ['GITHUB_TOKEN']\n"),
        Valid("AWS_KEY_DOC = 'AKIAIOSFODNN7EXAMPLE'\n"),
        Valid("PREFIX = 'ghp_'\nHEADER = '-----BEGIN PUBLIC KEY-----'\n"),
    )
    INVALID = (
        Invalid(
            "import boto3\ns3 = boto3.client('s3', aws_access_key_id='AKIA2OGYBAH6STMCAWQB')\n",
            2,
            43,
            message="AKIA****",
        ),
        Invalid("TOKEN = 'ghp_Xy7k2LmN9pQrS4tUvW8xYz1aBcDeFgHiJkLm'\n", 1, 9),
        # "FAKE" and "SAMPLE" in its random part, yet GitHub's checksum holds: a real token.
        Invalid("TOKEN = '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'\n", 1, 9, message="GitHub token"),
        Invalid("KEY = '''-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----'''\n", 1, 7),
    )


def _name_of(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


# A literal bound to, or compared with, a credential-like name; an `auth=(...)` tuple; a basic-auth object. One
# pattern per leading word: each starts with a literal, which the regular expression engine finds with a fast
# scan, where the single alternation it replaces (`[Pp]ass|...`) was tried at every position of the file (a
# tenth of the whole pre-filter of Django's source).
_QUOTE_AFTER = r"\s*[rbuRBU]?['\"]"
_SHAPES = tuple(
    re.compile(pattern)
    for pattern in (
        *(word + r"\w*['\"]?\s*[:=]" + _QUOTE_AFTER
          for word in ("Pass", "pass", "PASS", "Secret", "secret", "SECRET", "Token", "token", "TOKEN", "Key",
                       "key", "KEY", "Pwd", "pwd", "PWD", "redential", "REDENTIAL")),
        *(word + r"\w*\s*[!=]=" + _QUOTE_AFTER
          for word in ("Pass", "pass", "PASS", "Secret", "secret", "SECRET", "Pwd", "pwd", "PWD", "Key", "key",
                       "KEY")),
        r"BasicAuth\(",
        r"DigestAuth\(",
        r"['\"]\s*[!=]=\s*[\w.]*(?:[Pp]ass|PASS|[Ss]ecret|SECRET|[Pp]wd|PWD|[Kk]ey|KEY)",
    )
)  # fmt: skip
# `auth = (` at the start of a word (`\bauth` would defeat the fast scan: the word start is checked apart).
_AUTH_TUPLE = re.compile(r"auth\s*=\s*\(")
_WORD_CHAR = re.compile(r"\w")


def _credential_shape(text: str) -> bool:
    if any(shape.search(text) for shape in _SHAPES):
        return True
    return any(
        match.start() == 0 or not _WORD_CHAR.match(text, match.start() - 1) for match in _AUTH_TUPLE.finditer(text)
    )


class HardcodedPassword(ReviewRule):
    """
    ## What it does
    Finds string literals bound to credential-like names (`password`, `secret_key`, `api_key`,
    `client_secret`, `token`, ...): assignments, keyword arguments (`boto3.client(aws_secret_access_key=...)`,
    `psycopg2.connect(password=...)`), dictionary entries and parameter defaults; and HTTP basic-auth
    passwords (`auth=("deploy", "...")`, `HTTPBasicAuth("deploy", "...")`).

    ## Why is this bad?
    The secret ships with the code: everyone with read access has it, rotating it means a release, and the
    same value tends to be used in every environment.

    ## Example
    ```python
    conn = psycopg2.connect(host=HOST, user="app", password="s3cr3t-Pa55")
    ```

    ## Fix
    Read it at run time from the environment or a secrets manager (AWS Secrets Manager, SSM Parameter
    Store); for AWS, use an IAM role instead of access keys.
    """

    secret = True
    code = "CWR202"
    name = "hardcoded-password"
    category = "secrets"
    cwe = 798
    security_severity = 7.5
    severity = Severity.WARNING  # as lint's CWB104 for the same secrets in a buildspec
    needles = ("pass", "PASS", "secret", "SECRET", "key", "KEY", "token", "TOKEN", "pwd", "PWD", "redential", "auth",
               "Auth")  # fmt: skip

    @classmethod
    def may_match(cls, text: str, facts: dict[object, bool]) -> bool:
        return any(needle in text for needle in cls.needles) and _credential_shape(text)

    def _check(
        self, ctx: Context, name: str | None, value: cst.BaseExpression | None, where: cst.CSTNode, what: str = ""
    ) -> None:
        if not name or value is None or not _CREDENTIAL_NAME.search(name):
            return
        text = literal_str(value)
        if text is None or not looks_like_secret(text) or text.lower() == name.lower():
            return
        if find_tokens(text):
            return  # a token in a known format: CWR201 reports it, naming its provider (one finding per secret)
        if what:
            ctx.report(where, f"hard-coded {what} password ({mask(text)})", mask=text)
        else:
            ctx.report(where, f"hard-coded credential in `{name}` ({mask(text)})", mask=text)

    def visit_Assign(self, ctx: Context, node: cst.Assign) -> None:
        for target in node.targets:
            self._check(ctx, _name_of(target.target), node.value, node.value)

    def visit_AnnAssign(self, ctx: Context, node: cst.AnnAssign) -> None:
        self._check(ctx, _name_of(node.target), node.value, node.value or node)

    def visit_Arg(self, ctx: Context, node: cst.Arg) -> None:
        if node.keyword is not None:
            if node.keyword.value == "auth" and isinstance(node.value, cst.Tuple) and len(node.value.elements) == 2:
                self._check(
                    ctx, "password", node.value.elements[1].value, node.value.elements[1].value, "HTTP basic-auth"
                )
                return
            self._check(ctx, node.keyword.value, node.value, node.value)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        """`HTTPBasicAuth("deploy", "...")`, `aiohttp.BasicAuth(...)`: the second argument is a password."""
        if ctx.call_name(node).rsplit(".", 1)[-1] in ("HTTPBasicAuth", "HTTPDigestAuth", "BasicAuth"):
            second = argument(node, 1, "password")
            if second is not None:
                self._check(ctx, "password", second, second, "HTTP basic-auth")

    def visit_DictElement(self, ctx: Context, node: cst.DictElement) -> None:
        self._check(ctx, literal_str(node.key), node.value, node.value)

    def visit_Comparison(self, ctx: Context, node: cst.Comparison) -> None:
        """`if password == "..."`: the literal is the password the code accepts. Only password- and secret-like
        names: a `token` compared with literals is far more often a lexer's token than a credential."""
        left = node.left
        for target in node.comparisons:
            right = target.comparator
            if isinstance(target.operator, cst.Equal | cst.NotEqual):
                for name_side, literal_side in ((left, right), (right, left)):
                    name = _name_of(name_side)
                    text = literal_str(literal_side)
                    if name and text is not None and _COMPARED_NAME.search(name) and looks_like_secret(text):
                        if text.lower() != name.lower():
                            ctx.report(
                                literal_side,
                                f"`{name}` is compared with a hard-coded password ({mask(text)})",
                                mask=text,
                            )
                        break
            left = right

    def visit_Param(self, ctx: Context, node: cst.Param) -> None:
        self._check(ctx, node.name.value, node.default, node.default or node)

    VALID = (
        Valid("import os\nDB_PASSWORD = os.environ['DB_PASSWORD']\nPASSWORD_FIELD = 'password'\n"),
        Valid("password = input('Password: ')\nTOKEN_URL = 'https://example.com/oauth/token'\n"),
        Valid(
            "import boto3\ns3 = boto3.client('s3')\nconfig = {'password': '${DB_PASSWORD}', 'token_type': 'bearer'}\n"
        ),
        Valid("def login(user, password=None):\n    return user, password\nSECRET_KEY = 'REPLACE_WITH_ENV_VALUE'\n"),
        Valid("identifier_token = r'[^\\W\\d]\\w*'\n"),
        # An API's field names spelled in camel case (botocore's request parameters).
        Valid("CLIENT_REQUEST_TOKEN = 'ClientRequestToken'\nSECRET_KEY_FIELD = {'secret_key': 'SecretAccessKey'}\n"),
        Valid("DB_PASSWORD = 'DBPassword'\nAPI_KEY_HEADER = 'XAPIKey'\n"),
        # HTTP header names.
        Valid("ALLOW_CREDENTIALS = 'Access-Control-Allow-Credentials'\nAUTH_TOKEN = 'X-Auth-Token'\n"),
        # A token in a known format is CWR201's finding, named by its provider: one finding per secret.
        Valid(
            "TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJTYW1wbGUiLCJleHAiOjE2NjM5Nzc5NjJ9.UkYE9edglO6kPN5_r3wy9OeP15w7iB3M'\n"
        ),
        # Sentinels a stream sends to say where it ends or that it is alive.
        Valid("END_CONVERSATION_TOKEN = '##END_CONVERSATION##'\nKEEP_ALIVE_TOKEN = '__KEEP_ALIVE__'\n"),
        # A lexer's token, an empty or placeholder password, two variables.
        Valid("def kind(token):\n    return token == 'import'\n"),
        Valid("def check(password, confirm):\n    return password != '' and password == confirm\n"),
        Valid("def check(password):\n    return password == 'changeme-example'\n"),
    )
    INVALID = (
        Invalid(
            "import psycopg2\nconn = psycopg2.connect(host='db', user='app', password='s3cr3t-Pa55')\n",
            2,
            57,
            message="(s3*",
        ),
        Invalid("SECRET_KEY = 'django-insecure-7#k2$lq9v@x!b3'\n", 1, 14),
        Invalid(
            "import boto3\nboto3.client('s3', aws_secret_access_key='wJalrXUtnFEMI/K7MDENG/bPxRfiCY9Q3mT8vLzq')\n",
            2,
            42,
        ),
        Invalid("settings = {'api_key': 'a81bc81b-dead-4e5d-abff-90865d1e13b1'}\n", 1, 24),
        Invalid("TWILIO_AUTH_TOKEN = '3f9a6c2e8b1d4f7a9c0e2b5d8f1a3c6e'\n", 1, 21),
        Invalid("PASSWORD = 'Horse-Battery-Staple-42'\n", 1, 12),  # words and a number: a passphrase
        Invalid(
            "import requests\nr = requests.get(u, auth=('deploy', 'Xk9#mP2$vL7q'), timeout=5)\n",
            2,
            37,
            message="basic-auth",
        ),
        Invalid(
            "from requests.auth import HTTPBasicAuth\na = HTTPBasicAuth('deploy', 'Xk9#mP2$vL7q')\n",
            2,
            29,
            message="basic-auth",
        ),
        # The password the code accepts, on either side of the comparison.
        Invalid(
            "def login(request):\n    password = request.GET['password']\n    if password == 'myPa55word':\n"
            "        return True\n",
            3,
            20,
            message="`password` is compared with a hard-coded password (my**",
        ),
        Invalid("def ok(user):\n    return 'Xk9#mP2$vL7q' != user.admin_pass\n", 2, 12),
        # A parameter's default.
        Invalid(
            "def connect(host, password='Xk9#mP2$vL7q'):\n    return host\n",
            1,
            28,
            message="hard-coded credential in `password` (Xk9*********)",
        ),
    )


_URL_PASSWORD = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@'\"]+:([^/\s@'\"]+)@[^/\s'\"]+")


class PasswordInUrl(ReviewRule):
    """
    ## What it does
    Finds URLs with a password in them (`postgresql://app:s3cret@db/app`, `https://user:token@host/`), except in
    docstrings and other strings that are statements of their own (examples: they connect to nothing).

    ## Why is this bad?
    Connection strings end up in logs, error pages and process listings; the password is in the code and
    in every copy of it.

    ## Example
    ```python
    engine = create_engine("postgresql://app:Xk29!fj@db.internal/app")
    ```

    ## Fix
    Build the URL at run time from a secret (`os.environ["DATABASE_URL"]`, Secrets Manager), or pass the
    password separately from a secret store.
    """

    secret = True
    code = "CWR203"
    name = "password-in-url"
    category = "secrets"
    cwe = 798
    security_severity = 7.5
    severity = Severity.WARNING  # as lint's CWB104 for the same secrets in a buildspec
    needles = ("://",)
    pattern = re.compile(r"://[^/\s:@'\"]+:[^/\s@'\"]+@")

    def visit_SimpleString(self, ctx: Context, node: cst.SimpleString) -> None:
        if "@" not in node.value or "://" not in node.value:
            return
        if ctx.parents and isinstance(ctx.parents[-1], cst.Expr):
            # A string that is a statement of its own (a docstring) connects to nothing: its URLs are examples
            # (judged wrong twice on httpx's `URL` docs, "a%20secret").
            return
        value = literal_str(node)
        if not value or "@" not in value:
            return
        match = _URL_PASSWORD.search(value)
        if match is None:
            return
        password = match.group(1)
        if (
            "{" in password
            or _PLACEHOLDER.search(password)
            or password.lower() in ("password", "pass", "pwd", "secret")
            or len(password) < 3
        ):
            return
        ctx.report(node, f"password in a URL ({mask(password)})", mask=password)

    VALID = (
        Valid("import os\nURL = os.environ['DATABASE_URL']\nDOC = 'postgresql://user:password@localhost/db'\n"),
        Valid("URL = 'postgresql://app:{password}@db/app'\nGIT = 'git@github.com:org/repo.git'\n"),
        Valid("URI_EXAMPLES = ('s3://my_key:my_secret@my_bucket/my_key',)\n"),  # a documented example's placeholder
        Valid('class URL:\n    """\n    url = URL("https://jo%40e.com:a%20secret@example.de:1234/p")\n    """\n'),
    )
    INVALID = (
        Invalid(
            "from sqlalchemy import create_engine\nengine = create_engine('postgresql://app:Xk29fj@db.internal/app')\n",
            2,
            24,
        ),
    )


_SENSITIVE = re.compile(
    r"(?i)(?:^|_)(?:password|passwd|pwd|secret|secret_key|api_?key|access_token|auth_token|refresh_token|token|"
    r"private_key|client_secret|credit_card|card_number|cvv|ssn|credentials?)$"
)
_HIDING_CALLS = frozenset({"len", "bool", "mask", "redact", "hash", "hashlib.sha256", "type", "isinstance", "id"})
# Tokens that grant nothing: pagination cursors, optimistic-locking and idempotency tokens.
_HARMLESS_TOKEN = re.compile(
    r"(?i)(?:^|_)(?:next|page|paging|pagination|continuation|lock|sync|idempotency|client_request|cancel|"
    r"cancellation|resume|start|end|change|marker|cursor|request|csrf_?header|acquire|release)_?token$"
)
_DUMPERS = frozenset({"str", "repr", "json.dumps", "pprint.pformat"})

# Response keys of paginated APIs whose value is a cursor (boto3's `NextToken`, S3's `ContinuationToken`).
_CURSOR_KEY = re.compile(
    r"(?i)^(?:next_?(?:page_?)?(?:token|marker|cursor)|(?:next_?)?continuation_?token|pagination_?token|"
    r"starting_?token|(?:next_?)?marker|last_?evaluated_?key|scroll_?id|cursor)$"
)


# Names that say "credential" whatever they hold, and names that are as often a client token, a request id, a
# semaphore ticket or a credentials file's path as a secret (judged on real projects, findings on such names were
# wrong 15 times in 17; the two right ones are SSO tokens the function loads itself, and stay reported).
_STRONG = re.compile(
    r"(?i)(?:^|_)(?:password|passwd|pwd|secret|secret_key|api_?key|access_token|auth_token|refresh_token|id_token|"
    r"session_token|bearer_token|oauth_token|private_key|client_secret|credit_card|card_number|cvv|ssn)$"
)
_AMBIGUOUS = re.compile(r"(?i)(?:^|_)(?:token|credentials?)$")


def _unset_parameter(ctx: Context, name: str) -> bool:
    """`name` is a parameter of the function that prints it, never assigned there: what it holds is the callers'
    business (an SDK callback's `token` is a request's client token), so its name alone is no evidence."""
    from codeward.reviewer.dataflow.nodes import names_bound_in, params_of

    function = ctx.function
    if function is None or not any(p.name.value == name for p in params_of(function)):
        return False
    return name not in names_bound_in(function.body)


def _harmless_key(key: str) -> bool:
    """A response or event key whose value is a cursor or a request's id (`NextToken`, Secrets Manager's
    `ClientRequestToken`: the version id a rotation Lambda is given), not a credential."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key)
    return bool(_CURSOR_KEY.match(key) or _HARMLESS_TOKEN.search(snake))


def _compared_with_words(ctx: Context, name: str) -> bool:
    """The function compares `name` with two or more different literal words (`token == "by"`, `elif token ==
    "for"`, `token in ("host", "proto")`): it holds a keyword of some grammar (a header's parameter name, a
    command), not a credential, which code never matches against a list of words."""
    scope = ctx.function if ctx.function is not None else ctx.module
    words: set[str] = set()

    class Comparisons(cst.CSTVisitor):
        def visit_Comparison(self, node: cst.Comparison) -> None:
            if not (isinstance(node.left, cst.Name) and node.left.value == name):
                return
            for target in node.comparisons:
                if isinstance(target.operator, cst.Equal | cst.NotEqual):
                    text = literal_str(target.comparator)
                    if text is not None:
                        words.add(text)
                elif isinstance(target.operator, cst.In | cst.NotIn) and isinstance(
                    target.comparator, cst.Tuple | cst.List | cst.Set
                ):
                    words.update(w for e in target.comparator.elements if (w := literal_str(e.value)) is not None)

    scope.visit(Comparisons())
    return len(words) >= 2


def _cursor_only(ctx: Context, name: str) -> bool:
    """`token` is only ever None, a page's cursor (`token = page["NextToken"]`, `resp.get("nextToken")`) or a
    request's id (`event["ClientRequestToken"]`) in the function (or module) that prints it: the name says token,
    the value grants nothing."""
    scope = ctx.function if ctx.function is not None else ctx.module
    values: list[cst.BaseExpression] = []

    class Assignments(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            if any(isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets):
                values.append(node.value)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if isinstance(node.target, cst.Name) and node.target.value == name and node.value is not None:
                values.append(node.value)

    scope.visit(Assignments())

    def cursor(value: cst.BaseExpression) -> bool:
        if isinstance(value, cst.Name) and value.value == "None":
            return True
        if isinstance(value, cst.Subscript) and len(value.slice) == 1:
            index = value.slice[0].slice
            key = literal_str(index.value) if isinstance(index, cst.Index) else None
            return key is not None and _harmless_key(key)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "get":
            key = literal_str(value.args[0].value) if value.args else None
            return key is not None and _harmless_key(key)
        return False

    return any(v for v in values if not (isinstance(v, cst.Name) and v.value == "None")) and all(map(cursor, values))


# Calls whose first argument is a file's path: a `credentials` passed to them names the file, not its content.
_PATH_CALLS = re.compile(
    r"^(?:open|io\.open|codecs\.open|pathlib\.Path|Path|os\.path\.\w+|os\.(?:remove|unlink|stat|chmod)|"
    r"shutil\.\w+|\w+\.read|\w+\.read_file)$"
)


def _scope_calls(ctx: Context) -> list[cst.Call]:
    scope = ctx.function if ctx.function is not None else ctx.module
    key = ("calls", id(scope))
    found = ctx.shared.get(key)  # type: ignore[call-overload]
    if found is None:
        calls: list[cst.Call] = []

        class Calls(cst.CSTVisitor):
            def visit_Call(self, node: cst.Call) -> None:
                calls.append(node)

        scope.visit(Calls())
        found = ctx.shared[key] = calls  # type: ignore[index]
    return found  # type: ignore[return-value]


def _used_as_path(ctx: Context, name: str) -> bool:
    """The function opens the name as a file (`open(credentials)`, `open(str(credentials))`, `Path(secret_file)`,
    `config.read(credentials)`): it holds the credentials file's path, which is no secret."""
    for call in _scope_calls(ctx):
        if not call.args or not _PATH_CALLS.match(dotted(call.func) or ""):
            continue
        first = call.args[0].value
        if isinstance(first, cst.Call) and dotted(first.func) in ("str", "os.fspath") and first.args:
            first = first.args[0].value
        if isinstance(first, cst.Name) and first.value == name:
            return True
    return False


# Unsigned encodings: what they produce can be read back by anyone, so they make no credential of their own.
# `jwt.encode(payload, key)` signs, and is not among them.
_ENCODING_CALLS = re.compile(
    r"^(?:base64\.\w*b(?:64|32|16|85)encode|binascii\.(?:hexlify|b2a_\w+)|json\.dumps|urllib\.parse\.(?:quote|urlencode)|"
    r"str|bytes|dict)$"
)


def _self_encoded(ctx: Context, name: str) -> bool:
    """`token = str(base64.urlsafe_b64encode(json.dumps(payload).encode()), "ascii")` where `payload` is a dict the
    function builds from fields none of which is named like a secret: a token the code assembles to hand out
    (a configuration token), readable by anyone who decodes it, not a credential it was given. A signed token
    (`jwt.encode(payload, key)`) calls no plain encoding and stays reported."""
    function = ctx.function
    if function is None:
        return False
    assigned: dict[str, list[cst.BaseExpression]] = {}

    class Assignments(cst.CSTVisitor):
        def visit_Assign(self, node: cst.Assign) -> None:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    assigned.setdefault(target.target.value, []).append(node.value)

                # `payload["field"] = value`: one more field of a payload, checked for credential names.
                elif isinstance(target.target, cst.Subscript) and isinstance(target.target.value, cst.Name):
                    fields.setdefault(target.target.value.value, []).append(target.target)
                    fields[target.target.value.value].append(node.value)

    fields: dict[str, list[cst.CSTNode]] = {}
    function.visit(Assignments())
    seen: set[str] = set()

    def built_here(value: cst.BaseExpression, depth: int) -> bool:
        if depth > 16:  # each step is one call or assignment of the chain
            return False
        if isinstance(value, cst.SimpleString | cst.Integer):
            return True
        if isinstance(value, cst.Dict):
            # A payload assembled here: its fields must not carry a credential-named value.
            return not _sensitive_names_in(value)
        if isinstance(value, cst.GeneratorExp | cst.ListComp | cst.DictComp):
            # `dict((short(k), v) for k, v in payload.items())`: the payload's fields, renamed.
            return not _sensitive_names_in(value.elt if not isinstance(value, cst.DictComp) else value) and built_here(
                value.for_in.iter, depth + 1
            )
        if isinstance(value, cst.Name):
            if value.value in seen:
                return True
            seen.add(value.value)
            values = assigned.get(value.value)
            extra = fields.get(value.value, ())
            return (
                bool(values)
                and not any(map(_sensitive_names_in, extra))
                and all(built_here(v, depth + 1) for v in values)
            )
        if (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in ("items", "values", "keys", "copy")
            and not value.args
        ):
            return built_here(value.func.value, depth + 1)
        if isinstance(value, cst.Call):
            func = value.func
            # `text.encode("utf-8")`, `data.decode()` on a value; or a known encoding function.
            method = isinstance(func, cst.Attribute) and not ctx.is_module(func.value)
            if method and func.attr.value not in ("encode", "decode"):  # type: ignore[union-attr]
                return False
            if not method and not _ENCODING_CALLS.match(ctx.call_name(value)):
                return False
            receiver = func.value if method else None  # type: ignore[union-attr]
            parts = [a.value for a in value.args if a.keyword is None][:1]
            if receiver is not None:
                parts.append(receiver)
            return bool(parts) and all(built_here(p, depth + 1) for p in parts)
        return False

    values = assigned.get(name)
    return bool(values) and all(built_here(v, 0) and _has_dict(v, assigned) for v in values)


def _has_dict(value: cst.BaseExpression, assigned: dict[str, list[cst.BaseExpression]]) -> bool:
    """The chain reaches a payload dict (not a bare literal: `token = "abc".encode()` is a hard-coded token)."""
    stack, seen = [value], set()
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Dict | cst.DictComp):
            return True
        if isinstance(node, cst.GeneratorExp | cst.ListComp):
            stack.append(node.for_in.iter)
        if isinstance(node, cst.Name) and node.value not in seen:
            seen.add(node.value)
            stack.extend(assigned.get(node.value, ()))
        elif isinstance(node, cst.Call):
            stack.extend(a.value for a in node.args)
            if isinstance(node.func, cst.Attribute):
                stack.append(node.func.value)
    return False


def _sensitive_names_in(node: cst.CSTNode) -> bool:
    """Whether a credential-named name or key appears anywhere in the node."""
    found = False

    class Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            nonlocal found
            found = found or (bool(_SENSITIVE.search(name.value)) and not _HARMLESS_TOKEN.search(name.value))

        def visit_SimpleString(self, string: cst.SimpleString) -> None:
            nonlocal found
            text = literal_str(string) or ""
            found = found or (bool(_SENSITIVE.search(text)) and not _HARMLESS_TOKEN.search(text))

    node.visit(Names())
    return found


def _sensitive_names(ctx: Context, node: cst.BaseExpression) -> str | None:
    """A credential-named variable or attribute that a value shows in full."""
    if isinstance(node, cst.Name | cst.Attribute):
        name = _name_of(node)
        if not name or not _SENSITIVE.search(name) or _HARMLESS_TOKEN.search(name):
            return None
        if isinstance(node, cst.Name) and (
            _cursor_only(ctx, node.value)
            or _compared_with_words(ctx, node.value)
            or _used_as_path(ctx, node.value)
            or _self_encoded(ctx, node.value)
            or (_AMBIGUOUS.search(name) and not _STRONG.search(name) and _unset_parameter(ctx, node.value))
        ):
            return None
        return name
    if isinstance(node, cst.FormattedString):
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                found = _sensitive_names(ctx, part.expression)
                if found:
                    return found
        return None
    if isinstance(node, cst.BinaryOperation):
        return _sensitive_names(ctx, node.left) or _sensitive_names(ctx, node.right)
    if isinstance(node, cst.Call):
        name = ctx.call_name(node)
        if name in _HIDING_CALLS or (dotted(node.func) or "").rsplit(".", 1)[-1] in _HIDING_CALLS:
            return None
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
            for arg in node.args:
                found = _sensitive_names(ctx, arg.value)
                if found:
                    return found
        if name in ("str", "repr"):
            return _sensitive_names(ctx, node.args[0].value) if node.args else None
    return None


# Where a module sets its logging level: `setLevel(...)`, `basicConfig(level=...)`.
_LEVEL_SET = re.compile(r"setLevel\(([^)\n]*)\)|basicConfig\([^)\n]*\blevel\s*=([^,)\n]*)")


def _debug_on(text: str) -> bool:
    """The module turns debug logging on itself, or makes it the default: `setLevel("DEBUG")`,
    `setLevel(os.environ.get("LOG_LEVEL", DEFAULT_LEVEL))` with `DEFAULT_LEVEL = "DEBUG"`,
    `basicConfig(level=logging.DEBUG)`."""
    for match in _LEVEL_SET.finditer(text):
        argument = match.group(1) or match.group(2) or ""
        if re.search(r"\bDEBUG\b", argument):
            return True
        for name in re.findall(r"\b[A-Za-z_]\w*\b", argument):
            if re.search(rf"^{name}\s*=\s*(?:[\"']DEBUG[\"']|logging\.DEBUG)\s*$", text, re.MULTILINE):
                return True
    return False


def _level(ctx: Context, node: cst.Call) -> Severity | None:
    """`info` for `log.debug(...)`: written only where someone turns debug logging on, unless this module
    turns it on (or makes it the default)."""
    func = node.func
    debug = isinstance(func, cst.Attribute) and func.attr.value == "debug"
    return Severity.INFO if debug and not _debug_on(ctx.text) else None


# Keys only a custom-resource event has: `if "ResourceProperties" in event: ... else: <not one>`.
_CUSTOM_RESOURCE_KEYS = frozenset({"ResourceProperties", "ResponseURL", "RequestType", "StackId"})


def _not_custom_resource_branch(ctx: Context, name: str) -> bool:
    """The log runs where a test on the event has ruled out a custom-resource event: the `else` of
    `if "ResourceProperties" in event`, or the body of `if "ResponseURL" not in event`."""
    inner: cst.CSTNode | None = None
    for node in ctx.ancestors():
        if isinstance(node, cst.FunctionDef | cst.Lambda):
            return False
        if isinstance(node, cst.If) and inner is not None:
            test = node.test
            if (
                isinstance(test, cst.Comparison)
                and len(test.comparisons) == 1
                and literal_str(test.left) in _CUSTOM_RESOURCE_KEYS
                and isinstance(test.comparisons[0].comparator, cst.Name)
                and test.comparisons[0].comparator.value == name
            ):
                negated = isinstance(test.comparisons[0].operator, cst.NotIn)
                in_else = inner is node.orelse
                if isinstance(test.comparisons[0].operator, cst.In | cst.NotIn) and negated != in_else:
                    return True
        inner = node
    return False


# A log or print call of the module, on one line outside a comment (its arguments in the group).
_LOG_LINE = re.compile(
    r"(?im)^[^#\n]*(?<![\w.])(?:print|[\w.]*log\w*\.(?:debug|info|warning|warn|error|exception|critical))\s*\("
    r"(?P<args>[^\n]*)"
)
_RESPONSE_URL_ITEM = r"""(?:\[\s*['"]ResponseURL['"]\s*\]|\.get\(\s*['"]ResponseURL['"])"""
# `url = event["ResponseURL"]`: a name the URL is kept under.
_RESPONSE_URL_NAME = re.compile(rf"(?m)^\s*(\w+)\s*=\s*\w+{_RESPONSE_URL_ITEM}")


def _response_url_logged(ctx: Context) -> int | None:
    """The line where the module logs the event's ResponseURL by itself (`log.info("Response URL: %s",
    event["ResponseURL"])`, as AWS's cfn-response sample does, or a name bound to it), or None. There, logging
    the whole event adds nothing a log reader lacks, and the author chose to log the URL: judged not worth a
    comment 6 times of 8."""
    key = ("CWR204", "ResponseURL logged")
    if key not in ctx.shared:
        names = set(_RESPONSE_URL_NAME.findall(ctx.text))
        # The name as an argument or an f-string field, not a word inside the message's text (`"url %s"`).
        item = re.compile(_RESPONSE_URL_ITEM + "".join(rf"|[{{(,+%=]\s*{re.escape(n)}\b" for n in names))
        found = next((m for m in _LOG_LINE.finditer(ctx.text) if item.search(m.group("args"))), None)
        ctx.shared[key] = ctx.text.count("\n", 0, found.start()) + 1 if found else None
    return ctx.shared[key]  # type: ignore[return-value]


def _whole_event(ctx: Context, node: cst.BaseExpression) -> str | None:
    """The event parameter of a CloudFormation custom-resource handler, logged whole (`log.info(event)`,
    f"{event}", `json.dumps(event)`, `"%s" % event`): the name it has, or None."""
    if isinstance(node, cst.Name):
        function = ctx.function
        if function is None or not any(p.name.value == node.value for p in function.params.params):
            return None
        if node.value not in ("event", "evt", "request") or not CUSTOM_RESOURCE.search(ctx.text):
            return None
        if not ANSWERS.search(ctx.text) or _not_custom_resource_branch(ctx, node.value):
            return None
        return node.value
    if isinstance(node, cst.FormattedString):
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                found = _whole_event(ctx, part.expression)
                if found:
                    return found
        return None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo | cst.Add):
        return _whole_event(ctx, node.right) or _whole_event(ctx, node.left)
    if isinstance(node, cst.Tuple):
        return next((f for e in node.elements if (f := _whole_event(ctx, e.value))), None)
    if isinstance(node, cst.Call):
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
            return next((f for a in node.args if (f := _whole_event(ctx, a.value))), None)
        if ctx.call_name(node) in _DUMPERS and node.args:
            return _whole_event(ctx, node.args[0].value)
    return None


class SensitiveDataLogged(ReviewRule):
    """
    ## What it does
    Finds passwords, tokens, keys and card numbers (by their variable or attribute names) written to
    logs or printed, and whole CloudFormation custom-resource events, whose pre-signed `ResponseURL` lets
    anyone who reads the log answer the stack. Pagination cursors, lock, semaphore and idempotency tokens
    (`next_token`, `lock_token`, `acquire_token`) grant nothing and are not reported; nor are a credential-named variable the function opens as a
    file (`open(credentials)`: the file's path), a token the function encodes itself, unsigned, from a payload
    whose fields are not named like secrets (a configuration token: base64 of JSON, which anyone can decode), a
    parameter named only `token` or `credentials` that the function never assigns (its name is all there is to
    go on, and SDK callbacks pass request tokens under that name; `password`, `access_token`, `api_key` and the
    like are reported as parameters too),
    and an event logged in the branch of `if "ResourceProperties" in event` that rules a custom resource out. A
    whole event is reported at `info` in a module that logs the `ResponseURL` by itself too (`log.info("Response
    URL: %s", event["ResponseURL"])`, as AWS's cfn-response sample does): the whole event adds nothing a log
    reader lacks, and judges found it not worth a comment 6 times of 8 (also where the module logs a name it
    bound to the URL, `url = event["ResponseURL"]`). Values logged at debug level are reported at `info`,
    unless the module makes DEBUG its level (`setLevel("DEBUG")`, `setLevel(os.environ.get("LOG_LEVEL",
    DEFAULT))` with `DEFAULT = "DEBUG"`, `basicConfig(level=logging.DEBUG)`).

    ## Why is this bad?
    Logs are copied to CloudWatch, log aggregators, tickets and laptops, and kept for a long time, with far
    wider access than the secret itself.

    ## Example
    ```python
    logger.debug("connecting with password %s", password)
    ```

    ## Fix
    Leave the value out, or log something that cannot be used: its length, a masked form
    (`token[:4] + "..."`) or whether it is set.
    """

    code = "CWR204"
    name = "sensitive-data-logged"
    category = "secrets"
    cwe = 532
    security_severity = 5.5
    severity = Severity.WARNING
    needles = ("print", "log", "LOG")
    _WORDS = ("password", "passwd", "pwd", "secret", "apikey", "api_key", "token", "private_key", "credit_card",
              "card_number", "cvv", "ssn", "credential", "responseurl", "requesttype", "cfnresponse", "crhelper")  # fmt: skip

    @classmethod
    def may_match(cls, text: str, facts: dict[object, bool]) -> bool:
        if not super().may_match(text, facts):
            return False
        lower = text.lower()
        return any(word in lower for word in cls._WORDS)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if not (is_logging_call(ctx, node) or ctx.call_name(node) == "print"):
            return
        what = "printed" if ctx.call_name(node) == "print" else "logged"
        for arg in node.args:
            if arg.keyword is not None:
                continue
            event = _whole_event(ctx, arg.value)
            if event is not None:
                message = (
                    f"the whole CloudFormation custom-resource event `{event}` is {what}, with its pre-signed "
                    "ResponseURL: whoever reads the log can send the stack a SUCCESS or FAILED of their own"
                )
                severity = _level(ctx, node)
                notes = ("log the fields you need (RequestType, LogicalResourceId, RequestId), not ResponseURL",)
                if (line := _response_url_logged(ctx)) is not None:
                    severity = Severity.INFO
                    message += f"; this module also logs the ResponseURL by itself (line {line})"
                    notes = (f"drop the ResponseURL from the log on line {line} too", *notes)
                ctx.report(node, message, severity=severity, notes=notes)
                return
            found = _sensitive_names(ctx, arg.value)
            if found:
                ctx.report(node, f"`{found}` is {what} in full", severity=_level(ctx, node))
                return

    VALID = (
        # A handler of CDK's Provider framework answers nothing itself: the framework does, and hands it the
        # event with ResponseURL replaced by '...'.
        Valid(
            "import logging\nlog = logging.getLogger()\n\ndef on_event(event, _):\n    log.info('on_event %s', event)\n"
            "    if event['RequestType'] == 'Create':\n        return {'PhysicalResourceId': 'x', 'Data': {}}\n"
        ),
        Valid(
            "import logging\nlog = logging.getLogger(__name__)\n\ndef f(password, token_count):\n"
            "    log.info('password length %d', len(password))\n    log.info('%d tokens', token_count)\n"
        ),
        Valid("def f(user):\n    print('password changed for', user.name)\n"),
        # A parser's token: compared with the grammar's words, it is a parameter name (waitress's Forwarded header).
        Valid(
            "import logging\nlog = logging.getLogger()\n\ndef forwarded(pairs):\n    for token, value in pairs:\n"
            "        if token == 'by':\n            yield value\n        elif token == 'for':\n            yield value\n"
            "        else:\n            log.warning('Unknown Forwarded token: %s' % token)\n"
        ),
        # A Secrets Manager rotation Lambda's ClientRequestToken is the id of the version it rotates.
        Valid(
            "import logging\nlog = logging.getLogger()\n\ndef handler(event, context):\n"
            "    token = event['ClientRequestToken']\n    log.info('rotating version %s', token)\n"
        ),
        Valid(
            "import logging\nlog = logging.getLogger()\n\ndef page(next_token, lock_token, acquire_token):\n"
            "    log.info('page %s, lock %s, slot %s', next_token, lock_token, acquire_token)\n"
        ),
        Valid(
            "import logging\nlog = logging.getLogger()\n\ndef handler(event, context):\n"
            "    log.info('%s %s', event['RequestType'], event['LogicalResourceId'])\n"
        ),
        Valid(
            "def servers(client):\n    token = None\n    while True:\n"
            "        page = client.describe_source_servers(nextToken=token) if token else client.describe_source_servers()\n"
            "        token = page.get('nextToken')\n        print(token)\n        if not token:\n            break\n"
        ),
        Valid(
            "import logging\nlog = logging.getLogger()\n\ndef handler(event, context):\n"
            "    log.info(event)  # an SQS event\n    return event['Records']\n"
        ),
        # A handler that serves CloudFormation and direct calls: the `else` branch logs a direct call's event.
        Valid(
            "import json\nfrom crhelper import CfnResource\nhelper = CfnResource()\n\ndef handler(event, context):\n"
            "    if 'ResourceProperties' in event:\n        helper(event, context)\n    else:\n"
            "        print('direct call: ' + json.dumps(event))\n"
        ),
        # An SDK callback's `token` is the request's client token; nothing in the function says it is a secret.
        Valid(
            "def on_update(payload, status, token):\n    if status == 'timeout':\n"
            "        print('Update request ' + token + ' time out!')\n"
        ),
        # `credentials` names the credentials file (it is opened), not its content.
        Valid(
            "import logging\nlog = logging.getLogger()\n\ndef delete_profile(profile, credentials):\n"
            "    log.info('deleting %s from %s', profile, credentials)\n    with open(str(credentials)) as f:\n"
            "        return f.read()\n"
        ),
        # A configuration token the function encodes from fields it gathers, unsigned: readable by anyone anyway.
        Valid(
            "import base64, json, logging\nlog = logging.getLogger()\n\ndef config_token(url, region, account):\n"
            "    data = {'start_url': url, 'region': region}\n    if account:\n        data['account_id'] = account\n"
            "    payload = dict((k[:2], v) for k, v in data.items())\n"
            "    token = str(base64.urlsafe_b64encode(json.dumps(payload).encode('utf-8')), 'ascii')\n"
            "    log.info(token)\n"
        ),
    )
    INVALID = (
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n\ndef f(password):\n"
            "    logger.debug('connecting with password %s', password)\n",
            5,
            5,
        ),
        Invalid("def f(user):\n    print(f'token: {user.api_key}')\n", 2, 5, message="api_key"),
        # A parameter named like a credential whatever it holds.
        Invalid("def connect(host, access_token):\n    print(host, access_token)\n", 2, 5, message="`access_token`"),
        Invalid(
            "def login(session):\n    token = session.post('/login').json()['token']\n    print(token)\n",
            3,
            5,
            message="`token` is printed in full",
        ),
        Invalid(
            "import logging, cfnresponse\nlog = logging.getLogger()\n\ndef handler(event, context):\n"
            "    log.info('received %s', event)\n    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n",
            5,
            5,
            message="pre-signed ResponseURL",
        ),
        # A signed token, and an encoded payload that carries a password: credentials.
        Invalid(
            "import jwt, logging\nlog = logging.getLogger()\n\ndef issue(user, key):\n"
            "    token = jwt.encode({'sub': user}, key)\n    log.info(token)\n",
            6,
            5,
            message="`token` is logged in full",
        ),
        Invalid(
            "import base64, json\n\ndef basic(user, password):\n    data = {'user': user}\n    data['password'] = password\n"
            "    token = base64.b64encode(json.dumps(data).encode())\n    print(token)\n",
            7,
            5,
            message="`token` is printed in full",
        ),
        # The other branch of the same test: a CloudFormation event.
        Invalid(
            "import json\nfrom crhelper import CfnResource\nhelper = CfnResource()\n\ndef handler(event, context):\n"
            "    if 'ResourceProperties' not in event:\n        return {}\n    else:\n"
            "        print('stack call: ' + json.dumps(event))\n        helper(event, context)\n",
            9,
            9,
            message="pre-signed ResponseURL",
        ),
        # The module logs the URL itself as well: reported at `info`, naming that line.
        Invalid(
            "import json, logging, cfnresponse\nlog = logging.getLogger()\n\ndef handler(event, context):\n"
            "    log.info('url %s', event['ResponseURL'])\n    log.info(json.dumps(event))\n"
            "    cfnresponse.send(event, context, cfnresponse.SUCCESS, {})\n",
            6,
            5,
            message="also logs the ResponseURL by itself (line 5)",
        ),
        # Answered through a helper module of the project's: the event is the live one.
        Invalid(
            "import logging\nfrom lib import cfn\nlog = logging.getLogger()\n\ndef handler(event, context):\n"
            "    log.info('received %s', event)\n    if event['RequestType'] == 'Delete':\n"
            "        return cfn.send(event, context, 'SUCCESS')\n",
            6,
            5,
            message="pre-signed ResponseURL",
        ),
    )


class LikelySecret(ReviewRule):
    """
    ## What it does
    Reports string literals that the trained classifier scores as credentials when no rule does. It runs only
    when asked for by name (`--select CWR205`, `extend-select = ["CWR205"]`, `ALL`), in `review` and in the
    secrets hook alike (`args: [--extend-select, CWR205]`): judged on real code over every round, 0 of its 11
    findings were right (9 wrong: response-header ids, IAM unique ids, tag values, a secret's name).

    No known token format or credential-like name gives them away: a key passed positionally to a client, a
    password in a configuration class, a token under an unusual name. The finding carries the classifier's
    calibrated confidence (`docs/ml.md`); findings below `--min-confidence` are hidden unless `--show-all`.

    ## Why is this bad?
    A credential in the code is readable by everyone with access to the repository, its history, its
    packages and its images, whatever it is called.

    ## Example
    ```python
    gateway = PaymentGateway("kZ8rTq2VwN5xLp9sB3mYc7Hd")
    ```

    ## Fix
    Revoke the credential and load it at run time (environment, AWS Secrets Manager, SSM Parameter Store).
    If the value is not a secret, mark the finding with `codeward feedback FINGERPRINT --not-useful`.
    """

    secret = True
    code = "CWR205"
    name = "likely-secret"
    category = "secrets"
    cwe = 798
    security_severity = 7.5
    severity = Severity.WARNING
    opt_in = True

    @classmethod
    def may_match(cls, text: str, facts: dict[object, bool]) -> bool:
        return False  # the classifier pass (reviewer.ml.confidence) reports it, without a libcst parse

    VALID = (
        Valid("import os\nGATEWAY_KEY = os.environ['GATEWAY_KEY']\nCHECKSUM = 'd41d8cd98f00b204e9800998ecf8427e'\n"),
        Valid("AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'\nAPI_KEY = 'YOUR_API_KEY'\n"),
    )
    INVALID = (Invalid("gateway = PaymentGateway(merchant_id=MID, key='kZ8rTq2VwN5xLp9sB3mYc7Hd4FgJ')\n", 1, 47),)
