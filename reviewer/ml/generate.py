"""Synthetic projects for training and evaluation: credentials in each provider's real format and their
look-alikes, embedded in realistic code; and sink calls whose safety is known by construction.

Every value is drawn from a seeded `random.Random`, so a seed gives the same projects on every machine.
A project is a small source tree with its own naming, framework and files (settings, clients, tests,
docs, configuration files); the split keeps each project on one side.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
import zlib
from dataclasses import dataclass, field

from codeward.reviewer.ml.features import base62

B62 = string.ascii_letters + string.digits
B64 = B62 + "+/"
URLSAFE = B62 + "-_"
HEXL = "0123456789abcdef"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass
class GeneratedFile:
    path: str
    text: str
    # Values planted as real credentials: every candidate whose literal contains one is a positive.
    secrets: set[str] = field(default_factory=set)
    # Injection: (line, rule code or "*") of sink calls that are vulnerable by construction.
    vulnerable: set[int] = field(default_factory=set)


@dataclass
class Project:
    name: str
    files: list[GeneratedFile]


def _pick(rng: random.Random, chars: str, n: int) -> str:
    return "".join(rng.choice(chars) for _ in range(n))


# ---------------------------------------------------------------------------------------------------
# Credentials in their providers' formats.


def _github(rng: random.Random, prefix: str = "ghp_") -> str:
    body = _pick(rng, B62, 30)
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


def _jwt(rng: random.Random) -> str:
    def enc(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")

    head = enc({"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"})
    body = enc({"sub": str(rng.randrange(10**6)), "name": rng.choice(["svc", "admin", "ci"]), "iat": 1700000000
                + rng.randrange(10**7), "scope": rng.choice(["read", "write", "admin"])})  # fmt: skip
    return f"{head}.{body}.{_pick(rng, URLSAFE, 43)}"


def _pem(rng: random.Random) -> str:
    kind = rng.choice(["RSA ", "EC ", "OPENSSH ", ""])
    raw = base64.b64encode(rng.randbytes(rng.choice([121, 600, 1190]))).decode()
    lines = [raw[i : i + 64] for i in range(0, len(raw), 64)]
    return f"-----BEGIN {kind}PRIVATE KEY-----\n" + "\n".join(lines) + f"\n-----END {kind}PRIVATE KEY-----\n"


def _password(rng: random.Random) -> str:
    words = ["summer", "Dragon", "monkey", "Tr0ub4dor", "falcon", "Winter", "orange", "Pa55", "kitten", "Rocket"]
    style = rng.random()
    if style < 0.4:
        return rng.choice(words) + str(rng.randrange(10, 9999)) + rng.choice("!@#$%&*?")
    if style < 0.7:
        return _pick(rng, B62 + "!@#$%^&*-_", rng.randrange(12, 24))
    return rng.choice(words).lower() + "-" + rng.choice(words).lower() + "-" + str(rng.randrange(100))


def secret_value(rng: random.Random, kind: str) -> str:
    if kind == "aws-id":
        return rng.choice(["AKIA", "ASIA"]) + _pick(rng, B32, 16)
    if kind == "aws-secret":
        return _pick(rng, B64, 40)
    if kind == "github":
        return _github(rng, rng.choice(["ghp_", "gho_", "ghs_", "ghu_"]))
    if kind == "github-pat":
        return "github_pat_" + _pick(rng, B62, 22) + "_" + _pick(rng, B62, 59)
    if kind == "gitlab":
        return "glpat-" + _pick(rng, URLSAFE, 20)
    if kind == "slack":
        return f"xox{rng.choice('bp')}-{rng.randrange(10**10, 10**12)}-{rng.randrange(10**10, 10**12)}-" + _pick(
            rng, B62, 24
        )
    if kind == "slack-webhook":
        return (f"https://hooks.slack.com/services/T{_pick(rng, B32, 9)}/B{_pick(rng, B32, 10)}/"
                + _pick(rng, B62, 24))  # fmt: skip
    if kind == "stripe":
        return rng.choice(["sk_live_", "rk_live_"]) + _pick(rng, B62, rng.choice([24, 34, 99]))
    if kind == "google":
        return "AIza" + _pick(rng, URLSAFE, 35)
    if kind == "sendgrid":
        return "SG." + _pick(rng, URLSAFE, 22) + "." + _pick(rng, URLSAFE, 43)
    if kind == "twilio":
        return "SK" + _pick(rng, HEXL, 32)
    if kind == "npm":
        body = _pick(rng, B62, 30)
        return "npm_" + body + base62(zlib.crc32(body.encode()), 6)
    if kind == "pypi":
        return "pypi-AgEIcHlwaS5vcmc" + _pick(rng, URLSAFE, rng.randrange(120, 180))
    if kind == "openai":
        return "sk-proj-" + _pick(rng, URLSAFE, 20) + "T3BlbkFJ" + _pick(rng, URLSAFE, 20)
    if kind == "anthropic":
        return "sk-ant-api03-" + _pick(rng, URLSAFE, 93) + "AA"
    if kind == "huggingface":
        return "hf_" + _pick(rng, string.ascii_letters, 34)
    if kind == "shopify":
        return "shpat_" + _pick(rng, HEXL, 32)
    if kind == "digitalocean":
        return "dop_v1_" + _pick(rng, HEXL, 64)
    if kind == "mailgun":
        return "key-" + _pick(rng, HEXL, 32)
    if kind == "azure":
        key = base64.b64encode(rng.randbytes(64)).decode()
        return (f"DefaultEndpointsProtocol=https;AccountName={rng.choice(['acmestore', 'prodlogs', 'media01'])};"
                f"AccountKey={key};EndpointSuffix=core.windows.net")  # fmt: skip
    if kind == "private-key":
        return _pem(rng)
    if kind == "jwt":
        return _jwt(rng)
    if kind == "db-url":
        scheme = rng.choice(["postgresql", "mysql", "mongodb", "redis", "amqp"])
        return f"{scheme}://{rng.choice(['app', 'admin', 'svc_orders'])}:{_password(rng)}@{rng.choice(['db', '10.0.3.7', 'prod-db.internal'])}:5432/app"
    if kind == "password":
        return _password(rng)
    if kind == "django-key":
        return "django-insecure-" * (rng.random() < 0.3) + _pick(
            rng, string.ascii_lowercase + string.digits + "!@#%^&*(-_=+)", 50
        )
    if kind == "hex-key":
        return _pick(rng, HEXL, rng.choice([32, 40, 64]))
    if kind == "generic":
        return _pick(rng, rng.choice([B62, URLSAFE, B64]), rng.randrange(24, 48))
    raise ValueError(kind)


# (kind, names it is typically bound to, call templates it is passed to: `{v}` is the literal)
SECRET_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "aws-id": (("AWS_ACCESS_KEY_ID", "aws_access_key_id", "access_key", "AWS_KEY", "key_id"),
               ('boto3.client("s3", aws_access_key_id={v}, aws_secret_access_key=os.environ["S"])',
                'boto3.Session(aws_access_key_id={v})')),
    "aws-secret": (("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key", "secret_key", "AWS_SECRET", "secret"),
                   ('boto3.client("sqs", aws_access_key_id=KEY_ID, aws_secret_access_key={v})',
                    'boto3.Session(aws_secret_access_key={v}, region_name="eu-west-1")')),
    "github": (("GITHUB_TOKEN", "gh_token", "token", "GH_PAT", "github_token"),
               ("Github({v})", 'requests.get(API, headers={{"Authorization": "token " + {v}}})',
                "Auth.Token({v})")),
    "github-pat": (("GITHUB_TOKEN", "token", "pat"), ("Github(auth=Auth.Token({v}))",)),
    "gitlab": (("GITLAB_TOKEN", "private_token", "gl_token"), ('gitlab.Gitlab(URL, private_token={v})',)),
    "slack": (("SLACK_BOT_TOKEN", "slack_token", "token", "BOT_TOKEN"), ("WebClient(token={v})", "App(token={v})")),
    "slack-webhook": (("SLACK_WEBHOOK_URL", "webhook", "WEBHOOK", "hook_url"), ("requests.post({v}, json=payload)",)),
    "stripe": (("STRIPE_SECRET_KEY", "stripe.api_key", "STRIPE_KEY", "api_key"), ("StripeClient({v})",)),
    "google": (("GOOGLE_API_KEY", "MAPS_KEY", "api_key", "key"), ('build("youtube", "v3", developerKey={v})',
                                                                  "googlemaps.Client(key={v})")),
    "sendgrid": (("SENDGRID_API_KEY", "sg_key", "api_key"), ("SendGridAPIClient({v})",)),
    "twilio": (("TWILIO_API_KEY", "api_key_sid", "twilio_key"), ("Client({v}, API_SECRET, ACCOUNT_SID)",)),
    "npm": (("NPM_TOKEN", "token"), ('subprocess.run(["npm", "publish"], env={{"NPM_TOKEN": {v}}})',)),
    "pypi": (("PYPI_TOKEN", "password", "TWINE_PASSWORD"), ('upload(repository_url=URL, username="__token__", password={v})',)),
    "openai": (("OPENAI_API_KEY", "openai.api_key", "api_key", "KEY"), ("OpenAI(api_key={v})",)),
    "anthropic": (("ANTHROPIC_API_KEY", "api_key"), ("Anthropic(api_key={v})",)),
    "huggingface": (("HF_TOKEN", "HUGGINGFACE_TOKEN", "token"), ("login(token={v})", "InferenceClient(token={v})")),
    "shopify": (("SHOPIFY_ACCESS_TOKEN", "access_token"), ("shopify.Session(SHOP, VERSION, {v})",)),
    "digitalocean": (("DO_TOKEN", "DIGITALOCEAN_TOKEN", "token"), ("digitalocean.Manager(token={v})",)),
    "mailgun": (("MAILGUN_API_KEY", "mg_key"), ('requests.post(URL, auth=("api", {v}), data=msg)',)),
    "azure": (("AZURE_STORAGE_CONNECTION_STRING", "conn_str", "CONNECTION_STRING"),
              ("BlobServiceClient.from_connection_string({v})",)),
    "private-key": (("PRIVATE_KEY", "SSH_KEY", "signing_key", "key_pem", "DEPLOY_KEY"),
                    ("serialization.load_pem_private_key({v}.encode(), password=None)",
                     "paramiko.RSAKey.from_private_key(io.StringIO({v}))")),
    "jwt": (("SERVICE_TOKEN", "jwt_token", "bearer", "ACCESS_TOKEN", "auth_token"),
            ('requests.get(URL, headers={{"Authorization": "Bearer " + {v}}})',)),
    "db-url": (("DATABASE_URL", "SQLALCHEMY_DATABASE_URI", "db_url", "BROKER_URL", "dsn"),
               ("create_engine({v})", "psycopg2.connect({v})", "redis.from_url({v})")),
    "password": (("DB_PASSWORD", "password", "PASSWORD", "db_pass", "admin_password", "smtp_password", "pwd"),
                 ('psycopg2.connect(host="db", user="app", password={v})', "smtp.login(USER, {v})",
                  'pymysql.connect(host=HOST, user="root", passwd={v})', "ldap.simple_bind_s(DN, {v})")),
    "django-key": (("SECRET_KEY",), ()),
    "hex-key": (("WEBHOOK_SECRET", "signing_secret", "HMAC_KEY", "secret", "encryption_key", "APP_SECRET"),
                ("hmac.new({v}.encode(), body, hashlib.sha256)", "Fernet({v})")),
    "generic": (("API_KEY", "api_key", "API_TOKEN", "client_secret", "CLIENT_SECRET", "auth_key", "KEY", "creds",
                 "DEFAULT", "value", "conf"),
                ("Client({v})", "ApiClient(api_key={v})", "PaymentGateway(merchant_id=MID, key={v})",
                 'session.headers.update({{"X-Api-Key": {v}}})', "OAuth2Session(CLIENT_ID, client_secret={v})")),
}  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# Look-alikes: what is not a credential, however much it resembles one.

_AWS_DOC = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AKIAI44QH8DHBEXAMPLE",
            "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY")  # fmt: skip
_PLACEHOLDERS = ("YOUR_API_KEY", "<your-api-key>", "changeme", "CHANGE_ME", "xxxxxxxxxxxxxxxx", "REPLACE_ME",
                 "${API_TOKEN}", "{{ secrets.TOKEN }}", "<PASSWORD>", "your-secret-here", "dummy-token",
                 "test-secret-123", "fake_password", "placeholder", "secret_here", "insert-key-here", "TODO",
                 "sk_live_" + "x" * 24, "ghp_" + "X" * 36, "AKIA" + "X" * 16, "%(password)s", "********",
                 "my-secret-key", "not-a-real-key", "example-token", "$DB_PASSWORD", "password123",
                 "sk-...", "hunter2-example", "ENTER_TOKEN_HERE", "abc123abc123", "0000000000000000")  # fmt: skip


def lookalike_value(rng: random.Random, kind: str) -> tuple[str, tuple[str, ...]]:
    """(value, names it is typically bound to)."""
    if kind == "aws-doc":
        return rng.choice(_AWS_DOC), ("AWS_ACCESS_KEY_ID", "aws_secret_access_key", "EXAMPLE_KEY", "access_key")
    if kind == "placeholder":
        return rng.choice(_PLACEHOLDERS), ("API_KEY", "password", "token", "SECRET_KEY", "client_secret", "api_key",
                                           "DB_PASSWORD", "GITHUB_TOKEN")  # fmt: skip
    if kind == "digest":
        algo = rng.choice(["md5", "sha1", "sha256", "sha512"])
        value = hashlib.new(algo, rng.randbytes(16)).hexdigest()
        return value, ("sha256", "CHECKSUM", "expected_hash", "commit", "etag", "digest", "FILE_SHA", "revision",
                       "token_sha256", "password_hash", "fingerprint", "cache_key")  # fmt: skip
    if kind == "sri":
        digest = base64.b64encode(hashlib.sha384(rng.randbytes(16)).digest()).decode()
        return "sha384-" + digest, ("integrity", "SRI", "script_hash")
    if kind == "uuid":
        return str(uuid.UUID(int=rng.getrandbits(128), version=4)), (
            "request_id", "NAMESPACE", "tenant_id", "id", "correlation_id", "APP_ID", "client_id", "TRACE_ID",
            "user_id", "session_id")  # fmt: skip
    if kind == "secret-id":
        env = rng.choice(["prod", "staging", "dev"])
        app = rng.choice(["orders", "billing", "api", "web"])
        value = rng.choice([
            f"{env}/{app}/db-password",
            f"arn:aws:secretsmanager:us-east-1:{rng.randrange(10**11, 10**12)}:secret:{env}/{app}-{_pick(rng, B62, 6)}",
            f"/{app}/{env}/DB_PASSWORD",
            f"arn:aws:ssm:eu-west-1:{rng.randrange(10**11, 10**12)}:parameter/{app}/{env}/api_key",
            f"alias/{app}-{env}-key",
            f"projects/{app}-{env}/secrets/api-token/versions/latest",
        ])  # fmt: skip
        return value, ("SECRET_ID", "secret_name", "SecretId", "PARAMETER_NAME", "db_secret_arn", "KMS_KEY",
                       "password_secret", "TOKEN_PARAM", "secret_arn")  # fmt: skip
    if kind == "env-name":
        value = rng.choice(["AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "GITHUB_TOKEN", "STRIPE_SECRET_KEY",
                            "API_TOKEN", "SLACK_BOT_TOKEN", "OPENAI_API_KEY", "SECRET_KEY", "DATABASE_URL"])  # fmt: skip
        return value, ("ENV_VAR", "password", "token", "secret_env", "API_KEY_ENV", "key_name", "")
    if kind == "base64-blob":
        raw = rng.randbytes(rng.randrange(48, 300))
        value = base64.b64encode(b"\x89PNG\r\n\x1a\n" + raw if rng.random() < 0.5 else raw).decode()
        return value, ("ICON_PNG", "FONT_DATA", "logo", "PIXEL", "favicon", "payload", "data", "blob", "")
    if kind == "url":
        host = rng.choice(["api.stripe.com", "hooks.slack.com", "oauth2.googleapis.com", "github.com",
                           "login.microsoftonline.com", "example.org"])  # fmt: skip
        path = rng.choice(["/v1/charges", "/token", "/oauth/access_token", "/services/", "/login/oauth/authorize"])
        return f"https://{host}{path}", ("TOKEN_URL", "AUTH_URL", "API_BASE", "webhook_path", "endpoint", "url")
    if kind == "path":
        value = rng.choice(["/etc/ssl/private/server.key", "~/.aws/credentials", "secrets/token.txt",
                            "/var/run/secrets/kubernetes.io/serviceaccount/token", "config/master.key",
                            "templates/password_reset.html", "keys/id_rsa.pub"])  # fmt: skip
        return value, ("KEY_FILE", "token_path", "CREDENTIALS_FILE", "secret_file", "template", "cert_path")
    if kind == "regex":
        value = rng.choice([r"^(?=.*\d)(?=.*[a-z]).{8,}$", r"[A-Za-z0-9]{32}", r"AKIA[0-9A-Z]{16}",
                            r"^Bearer\s+(\S+)$", r"(?P<token>[a-f0-9]{40})", r"ghp_[A-Za-z0-9]{36}"])  # fmt: skip
        return value, ("PASSWORD_RE", "TOKEN_PATTERN", "KEY_REGEX", "pattern", "SECRET_RE")
    if kind == "name":
        value = rng.choice(["password_reset_confirm", "X-Api-Key", "access_token", "refresh_token_expires",
                            "client_secret_basic", "secret_access_key", "api_key_header", "Authorization",
                            "x-amz-security-token", "PasswordChangeForm", "django.contrib.auth.hashers.PBKDF2PasswordHasher",
                            "token_endpoint_auth_method", "SessionToken", "AWS4-HMAC-SHA256"])  # fmt: skip
        return value, ("FIELD", "HEADER", "PASSWORD_FIELD", "key", "token_type", "API_KEY_HEADER", "name", "")
    if kind == "version":
        value = rng.choice(["2012-10-17", "1.26.14", "v2.3.0-rc1", "2023-06-01T00:00:00Z", "3.11.7"])
        return value, ("VERSION", "API_VERSION", "since", "release")
    if kind == "format":
        value = rng.choice(["Bearer {token}", "{user}:{password}", "%(asctime)s %(message)s", "token={}",
                            "postgresql://{user}:{password}@{host}/{db}", "sk_live_{}"])  # fmt: skip
        return value, ("AUTH_TEMPLATE", "DSN_FORMAT", "fmt", "header")
    if kind == "test-fixture":
        value = rng.choice(["test-token", "s3cr3t-for-tests", "fake-github-token", "testpassword1", "unit-test-key",
                            "mock_api_key_123", "pytest-secret", "dummy_client_secret"])  # fmt: skip
        return value, ("token", "password", "api_key", "SECRET", "client_secret")
    if kind == "identifier":
        value = rng.choice([_pick(rng, string.ascii_lowercase, 8) + "_" + _pick(rng, string.ascii_lowercase, 6),
                            "ca-central-1", "acme-prod-artifacts", "orders-table-v2", "application/octet-stream",
                            "us-east-1", "sg-0a1b2c3d4e5f67890", "i-0abcd1234efgh5678", "#ff8800",
                            "arn:aws:iam::123456789012:role/deploy"])  # fmt: skip
        return value, ("BUCKET", "REGION", "TABLE", "content_type", "security_group", "instance", "COLOR", "role_arn")
    raise ValueError(kind)


LOOKALIKE_KINDS = ("aws-doc", "placeholder", "digest", "sri", "uuid", "secret-id", "env-name", "base64-blob", "url",
                   "path", "regex", "name", "version", "format", "test-fixture", "identifier")  # fmt: skip

_NOISE = (
    'logger = logging.getLogger("{app}.{mod}")',
    'BASE_URL = "https://api.{domain}/v2"',
    'BUCKET = "{app}-prod-artifacts"',
    'REGION = "eu-west-1"',
    'TABLE_NAME = "{app}_orders"',
    'DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"',
    'USER_AGENT = "{app}-client/1.4.2"',
    'CONTENT_TYPE = "application/json"',
    'QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/{app}-jobs"',
    'ROLE = "arn:aws:iam::123456789012:role/{app}-deployer"',
    "DEFAULT_TIMEOUT = 30",
    'CACHE_PREFIX = "{app}:v3:"',
)


def _quote(rng: random.Random, value: str) -> str:
    if "\n" in value:
        return '"""' + value + '"""'
    return json.dumps(value) if rng.random() < 0.6 or "'" in value else "'" + value.replace("\\", "\\\\") + "'"


def _statement(rng: random.Random, name: str, value: str, calls: tuple[str, ...], style: str) -> str:
    """One way of putting `value` into code."""
    lit = _quote(rng, value)
    how = rng.random()
    if calls and how < 0.3:
        return f"client = {rng.choice(calls).format(v=lit)}"
    if how < 0.55 or not name:
        return f"{name or 'VALUE'} = {lit}" if name and "." not in name else f"{name or 'value'} = {lit}"
    if how < 0.7:
        return f'settings = {{"{name.lower()}": {lit}, "region": "us-east-1", "timeout": 30}}'
    if how < 0.8:
        return f'{name.rsplit(".", 1)[-1]} = os.environ.get("{name.upper().replace(".", "_")}", {lit})'
    if how < 0.9:
        return f"def connect(host=HOST, {name.rsplit('.', 1)[-1].lower()}={lit}):\n    return Client(host)"
    return f"class Config{style}:\n    {name.rsplit('.', 1)[-1]} = {lit}\n    DEBUG = False"


_FILES = ("settings.py", "config.py", "clients/{mod}.py", "{app}/integrations/{mod}.py", "scripts/deploy.py",
          "tests/test_{mod}.py", "docs/examples/{mod}_example.py", "lambda_function.py", "{app}/tasks.py")  # fmt: skip
_APPS = ("orders", "billing", "atlas", "relay", "harbor", "quill", "vega", "nimbus", "pylon", "cobalt", "ember",
         "tundra", "sprout", "beacon", "mosaic", "lumen")  # fmt: skip
_MODS = ("payments", "github_sync", "notify", "storage", "search", "auth", "reports", "mailer", "chat", "ingest")


def secret_project(seed: int) -> Project:
    """A small project with planted credentials and look-alikes, Python and configuration files."""
    rng = random.Random(seed)
    app = rng.choice(_APPS) + str(seed)
    domain = rng.choice(["acme.io", "example.net", "corp.internal", "shop.dev"])
    style = rng.choice(["Prod", "Base", "Dev"])
    files: list[GeneratedFile] = []
    kinds = list(SECRET_KINDS)
    for index in range(rng.randrange(4, 8)):
        mod = rng.choice(_MODS)
        path = f"{app}/" + rng.choice(_FILES).format(app=app, mod=mod)
        if any(f.path == path for f in files):
            path = path.replace(".py", f"_{index}.py")
        lines = ["import os", "import logging", "import boto3", "import requests", ""]
        secrets: set[str] = set()
        statements: list[str] = []
        for _ in range(rng.randrange(2, 5)):
            statements.append(rng.choice(_NOISE).format(app=app, mod=mod, domain=domain))
        in_tests = "/tests/" in path or "/docs/" in path
        for _ in range(rng.randrange(1, 4)):
            # Real credentials get committed in tests and examples too, only less often.
            if rng.random() < (0.4 if in_tests else 0.6):
                kind = rng.choice(kinds)
                names, calls = SECRET_KINDS[kind]
                value = secret_value(rng, kind)
                name = rng.choice(names) if rng.random() < 0.85 else ""
                secrets.add(value)
                statements.append(_statement(rng, name, value, calls, style))
            else:
                kind = rng.choice(LOOKALIKE_KINDS)
                if in_tests and rng.random() < 0.5:
                    kind = rng.choice(["test-fixture", "placeholder", "aws-doc"])
                value, names = lookalike_value(rng, kind)
                name = rng.choice(names)
                if kind == "env-name":
                    target = name or "value"
                    statements.append(f'{target} = os.environ[{_quote(rng, value)}]' if rng.random() < 0.5
                                      else f'{target} = os.getenv({_quote(rng, value)}, "")')  # fmt: skip
                elif kind == "secret-id":
                    statements.append(rng.choice([
                        f"{name} = {_quote(rng, value)}",
                        f'secret = boto3.client("secretsmanager").get_secret_value(SecretId={_quote(rng, value)})',
                        f'param = ssm.get_parameter(Name={_quote(rng, value)}, WithDecryption=True)',
                    ]))  # fmt: skip
                else:
                    statements.append(_statement(rng, name, value, (), style))
        rng.shuffle(statements)
        lines += statements
        files.append(GeneratedFile(path, "\n".join(lines) + "\n", secrets))
        if index == 0 and rng.random() < 0.6:
            files.append(_config_file(rng, app, kinds))
    return Project(f"gen-secrets-{seed}", files)


def _config_file(rng: random.Random, app: str, kinds: list[str]) -> GeneratedFile:
    form = rng.choice(["env", "yaml", "json", "ini"])
    entries: list[tuple[str, str]] = [("REGION", "eu-west-1"), ("LOG_LEVEL", "info"), ("BUCKET", f"{app}-assets")]
    secrets: set[str] = set()
    for _ in range(rng.randrange(1, 4)):
        if rng.random() < 0.55:
            kind = rng.choice([k for k in kinds if k != "private-key"])
            value = secret_value(rng, kind)
            names = SECRET_KINDS[kind][0]
            secrets.add(value)
        else:
            value, names = lookalike_value(rng, rng.choice(["placeholder", "secret-id", "digest", "uuid", "url",
                                                            "aws-doc", "env-name", "version"]))  # fmt: skip
        entries.append(((rng.choice(names) or "VALUE").replace(".", "_"), value))
    rng.shuffle(entries)
    if form == "env":
        return GeneratedFile(f"{app}/.env", "".join(f"{k.upper()}={v}\n" for k, v in entries), secrets)
    if form == "yaml":
        body = f"{app}:\n" + "".join(f"  {k.lower()}: {json.dumps(v)}\n" for k, v in entries)
        return GeneratedFile(f"{app}/config/settings.yml", body, secrets)
    if form == "json":
        return GeneratedFile(f"{app}/config.json", json.dumps(dict(entries), indent=2) + "\n", secrets)
    return GeneratedFile(f"{app}/setup.cfg", "[app]\n" + "".join(f"{k.lower()} = {v}\n" for k, v in entries), secrets)


# ---------------------------------------------------------------------------------------------------
# Injection: sink calls whose safety is known by construction.

_SOURCES = {
    "flask": ('request.args.get("{p}", "")', 'request.form["{p}"]', 'request.get_json()["{p}"]'),
    "django": ('request.GET.get("{p}", "")', 'request.POST["{p}"]'),
    "lambda": ('event["{p}"]', 'event["queryStringParameters"]["{p}"]'),
    "cli": ("sys.argv[1]", 'input("{p}: ")'),
}
_HEAD = {
    "flask": "from flask import Flask, request, redirect, abort\napp = Flask(__name__)\n",
    "django": "from django.http import HttpResponse, HttpResponseRedirect\nfrom django.db import connection\n",
    "lambda": "",
    "cli": "import sys\n",
}
_IMPORTS = ("import os\nimport re\nimport subprocess\nimport sqlite3\nimport logging\nimport shlex\nimport requests\n"
            "from pymongo import MongoClient\nfrom jinja2 import Template\nlogger = logging.getLogger(__name__)\n")  # fmt: skip
_PARAMS = ("name", "user_id", "sort", "path", "host", "query", "cmd", "url", "next_url", "expr", "pattern", "title")

# kind: (statement building the sink from `{x}`, where `{x}` is the untrusted expression; safe version)
_SINKS = {
    "sql": (
        "cur.execute(f\"SELECT * FROM users WHERE name = '{{{x}}}'\")",
        'cur.execute("SELECT * FROM users WHERE name = ?", ({x},))',
        "cur.execute(\"SELECT * FROM users WHERE name = '%s'\" % {x})",
        'cur.execute("SELECT id FROM t ORDER BY " + {x})',
        "cur.execute(\"DELETE FROM jobs WHERE owner = '{{}}'\".format({x}))",
    ),
    "command": (
        'subprocess.run(f"convert {{{x}}} out.png", shell=True)',
        'subprocess.run(["convert", {x}, "out.png"])',
        'os.system("ping -c 1 " + {x})',
        'subprocess.check_output("tar czf backup.tgz %s" % {x}, shell=True)',
    ),
    "path": (
        'open(os.path.join("/srv/uploads", {x})).read()',
        'open(os.path.join("/srv/uploads", os.path.basename({x}))).read()',
        'open("/var/data/" + {x}, "rb").read()',
    ),
    "ssrf": (
        "requests.get({x}, timeout=5)",
        'requests.get(f"https://api.internal.example/items/{{{x}}}", timeout=5)',
        'requests.post({x} + "/hook", json={{}}, timeout=5)',
    ),
    "code": ("eval({x})", "exec(compile({x}, '<user>', 'exec'))"),
    "nosql": ('db.users.find({{"name": {x}}})', 'db.users.find({{"$where": "this.name == \'" + {x} + "\'"}})'),
    "log": (
        'logger.info("login failed for %s", {x})',
        'logger.info("login failed for %r", {x})',
        'logger.warning(f"bad request from {{{x}}}")',
    ),
    "template": ("Template({x}).render()", 'Template("Hello {{{{ name }}}}").render(name={x})'),
}
# Sinks in _SINKS that are safe whatever reaches them (bound parameters, argument lists, fixed hosts, %r).
_SAFE_SHAPES = {
    'cur.execute("SELECT * FROM users WHERE name = ?", ({x},))',
    'subprocess.run(["convert", {x}, "out.png"])',
    'open(os.path.join("/srv/uploads", os.path.basename({x}))).read()',
    'requests.get(f"https://api.internal.example/items/{{{x}}}", timeout=5)',
    'logger.info("login failed for %r", {x})',
    'Template("Hello {{{{ name }}}}").render(name={x})',
}
# Ways to make a value safe that the rules know, and ways they do not (custom validators, lookups).
_KNOWN_CLEAN = ("{v} = int({v})", "{v} = shlex.quote({v})", "if {v} not in ALLOWED:\n        abort(400)")
_CUSTOM_CLEAN = (
    "{v} = validate_identifier({v})",
    "if not is_valid_name({v}):\n        raise ValueError('bad {v}')",
    "{v} = SAFE_VALUES[{v}]",
    "check_allowed({v})",
    "{v} = sanitize_input({v})",
    "ensure_safe({v})",
)


def _sink_function(rng: random.Random, framework: str, kind: str, index: int) -> tuple[str, bool, str]:
    """(code of one function with one sink, vulnerable?, the sink's line marker)."""
    p = rng.choice(_PARAMS)
    shape = rng.choice(_SINKS[kind])
    safe_shape = shape in _SAFE_SHAPES
    variant = rng.random()
    source = rng.choice(_SOURCES[framework]).format(p=p)
    body: list[str] = []
    untrusted = True
    if variant < 0.12:
        value_expr = rng.choice(['"admin"', "DEFAULT_NAME", "settings.REPORT_DIR", "42"])
        untrusted = False
        body.append(f"{p} = {value_expr}")
    else:
        body.append(f"{p} = {source}")
    cleaned = False
    if untrusted and variant > 0.55:
        template = rng.choice(_KNOWN_CLEAN if rng.random() < 0.4 else _CUSTOM_CLEAN)
        # Quoting for a shell protects commands only; every other cleaning here protects every sink.
        cleaned = "shlex" not in template or kind == "command"
        body.extend(template.format(v=p).split("\n    "))
    if kind in ("sql",):
        body.insert(0, 'cur = sqlite3.connect("app.db").cursor()')
    if kind == "nosql":
        body.insert(0, "db = MongoClient().app")
    vulnerable = untrusted and not cleaned and not safe_shape
    marker = "# sink"
    helper = rng.random() < 0.3 and untrusted
    name = f"{rng.choice(['get', 'handle', 'do', 'run', 'load', 'show'])}_{rng.choice(_MODS)}_{index}"
    if helper:
        # The sink sits in a helper that receives the untrusted value from its caller.
        helper_name = f"_{rng.choice(['query', 'fetch', 'exec', 'render', 'store'])}_{index}"
        sink_line = shape.format(x=p)
        helper_body = []
        if kind == "sql":
            helper_body.append('cur = sqlite3.connect("app.db").cursor()')
        if kind == "nosql":
            helper_body.append("db = MongoClient().app")
        if cleaned:
            helper_body += [line for line in body[1:] if not line.startswith(("cur =", "db ="))]
        code = f"def {helper_name}({p}):\n" + "".join(f"    {line}\n" for line in helper_body)
        code += f"    return {sink_line}  {marker}\n\n\n"
        caller_body = [line for line in body if line.startswith(f"{p} = {source}")] or [f"{p} = {source}"]
        code += _wrap_function(framework, name, [*caller_body, f"return {helper_name}({p})"])
        return code, vulnerable, marker
    body.append(f"result = {shape.format(x=p)}  {marker}")
    body.append("return str(result)")
    return _wrap_function(framework, name, body), vulnerable, marker


def _wrap_function(framework: str, name: str, body: list[str]) -> str:
    if framework == "flask":
        head = f'@app.route("/{name}")\ndef {name}():\n'
    elif framework == "django":
        head = f"def {name}(request):\n"
    elif framework == "lambda":
        head = f"def {name}(event, context):\n"
    else:
        head = f"def {name}():\n"
    return head + "".join(f"    {line}\n" for line in body) + "\n\n"


def injection_project(seed: int) -> Project:
    rng = random.Random(seed)
    app = rng.choice(_APPS) + str(seed)
    files = []
    for number in range(rng.randrange(2, 5)):
        framework = rng.choice(list(_SOURCES))
        parts = [_IMPORTS + _HEAD[framework] + "\n\n"]
        vulnerable_lines: set[int] = set()
        for index in range(rng.randrange(3, 7)):
            kind = rng.choice(list(_SINKS))
            code, vulnerable, marker = _sink_function(rng, framework, kind, index)
            start = "".join(parts).count("\n")
            for offset, line in enumerate(code.split("\n")):
                if line.endswith(marker) and vulnerable:
                    vulnerable_lines.add(start + offset + 1)
            parts.append(code)
        path = f"{app}/{rng.choice(['views', 'api', 'handlers', 'tools', 'jobs'])}_{number}.py"
        files.append(GeneratedFile(path, "".join(parts), vulnerable=vulnerable_lines))
    return Project(f"gen-injection-{seed}", files)
