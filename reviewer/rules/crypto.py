"""Cryptography and TLS: disabled verification, weak algorithms and keys, predictable randomness."""

from __future__ import annotations

import re

from codeward.reviewer.engine import Context, argument, dotted, is_const, kwarg, literal_int, literal_str, method_name
from codeward.reviewer.lazy import cst
from codeward.reviewer.rule import ReviewRule
from codeward.reviewer.rules._base import CallRule

from codeward.findings import Severity
from codeward.rule import Invalid, Valid

_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"})


class TlsVerificationDisabled(ReviewRule):
    """
    ## What it does
    Finds HTTPS requests with certificate verification turned off: `verify=False` in `requests`/`httpx`
    calls and clients, `session.verify = False`, `ssl=False` in aiohttp.

    ## Why is this bad?
    Without verification anyone on the network path can impersonate the server and read or change the
    traffic, credentials included.

    ## Example
    ```python
    requests.get(url, verify=False, timeout=5)
    ```

    ## Fix
    Leave verification on; for a private CA pass its bundle: `verify="/etc/ssl/certs/internal-ca.pem"`.
    """

    code = "CWR301"
    name = "tls-verification-disabled"
    cwe = 295
    security_severity = 7.4
    category = "security"
    severity = Severity.ERROR
    needles = ("verify", "ssl=False")
    pattern = re.compile(r"(?:verify|ssl)\s*=\s*False")

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        for key in ("verify", "ssl"):
            arg = kwarg(node, key)
            if arg is None or not is_const(arg.value, False):
                continue
            name = ctx.call_name(node)
            method = method_name(node)
            if name.startswith(("requests", "httpx", "aiohttp", "urllib3")) or method in _HTTP_METHODS:
                ctx.report(arg, f"{key}=False turns off certificate verification for this connection")
                return

    def visit_Assign(self, ctx: Context, node: cst.Assign) -> None:
        for target in node.targets:
            t = target.target
            if isinstance(t, cst.Attribute) and t.attr.value == "verify" and is_const(node.value, False):
                ctx.report(node, "verify = False turns off certificate verification for every request of this session")

    VALID = (
        Valid("import requests\nr = requests.get('https://x', verify='/etc/ssl/ca.pem', timeout=5)\n"),
        Valid("def check(token, verify=False):\n    return jwt_check(token, verify=verify)\n"),
    )
    INVALID = (
        Invalid("import requests\nr = requests.get('https://x', verify=False, timeout=5)\n", 2, 31),
        Invalid("import requests\ns = requests.Session()\ns.verify = False\n", 3, 1),
        Invalid("import httpx\nc = httpx.Client(verify=False)\n", 2, 18),
    )


class UnverifiedSslContext(ReviewRule):
    """
    ## What it does
    Finds SSL contexts that do not verify peers: `ssl._create_unverified_context()`, patching
    `ssl._create_default_https_context`, `check_hostname = False`, `verify_mode = CERT_NONE`,
    `cert_reqs=CERT_NONE`. Not `check_hostname`/`verify_mode` set under an `if` on the caller's own choice to
    verify (`if not validate_cert:`, `if options["cert_reqs"] == ssl.CERT_NONE:`, `if assert_fingerprint:`):
    that honours an opt-out the caller asked for, or hands the check to code that does it itself (judged wrong
    3 of 3 on tornado and urllib3).

    ## Why is this bad?
    The connection is encrypted to whoever answers, not to the intended server: a man in the middle reads
    and changes it.

    ## Example
    ```python
    ctx = ssl._create_unverified_context()
    ```

    ## Fix
    `ssl.create_default_context()` (with `cafile=` for a private CA) and leave `check_hostname` and
    `verify_mode` at their defaults.
    """

    code = "CWR302"
    name = "unverified-ssl-context"
    cwe = 295
    security_severity = 7.4
    category = "security"
    severity = Severity.ERROR
    needles = ("_create_unverified_context", "CERT_NONE", "check_hostname")

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        if name == "ssl._create_unverified_context":
            ctx.report(node, "ssl._create_unverified_context() skips certificate and host name checks")
            return
        arg = kwarg(node, "cert_reqs")
        if arg is not None and (dotted(arg.value) or literal_str(arg.value) or "").endswith("CERT_NONE"):
            ctx.report(arg, "cert_reqs=CERT_NONE accepts any certificate")

    def visit_Assign(self, ctx: Context, node: cst.Assign) -> None:
        for target in node.targets:
            t = target.target
            if not isinstance(t, cst.Attribute):
                continue
            attr = t.attr.value
            value = dotted(node.value) or ""
            if attr in ("check_hostname", "verify_mode") and _callers_opt_out(ctx):
                continue
            if attr == "check_hostname" and is_const(node.value, False):
                ctx.report(node, "check_hostname = False accepts a certificate issued for any host")
            elif attr == "verify_mode" and value.endswith("CERT_NONE"):
                ctx.report(node, "verify_mode = CERT_NONE accepts any certificate")
            elif attr == "_create_default_https_context" and value.endswith("_create_unverified_context"):
                ctx.report(node, "every HTTPS connection of the process stops verifying certificates")

    VALID = (
        Valid("import ssl\nctx = ssl.create_default_context(cafile='/etc/ssl/internal.pem')\n"),
        Valid("import ssl\nctx = ssl.create_default_context()\nctx.verify_mode = ssl.CERT_REQUIRED\n"),
        # The caller's own opt-out, honoured: `validate_cert=False`, `cert_reqs=CERT_NONE` asked for.
        Valid(
            "import ssl\n\ndef context(validate_cert, options):\n    ctx = ssl.create_default_context()\n"
            "    if not validate_cert:\n        ctx.check_hostname = False\n        ctx.verify_mode = ssl.CERT_NONE\n"
            "    if options.get('cert_reqs') == ssl.CERT_NONE:\n        ctx.check_hostname = False\n    return ctx\n"
        ),
    )
    INVALID = (
        Invalid("import ssl\nctx = ssl._create_unverified_context()\n", 2, 7),
        Invalid("import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\n", 3, 1),
        Invalid("import ssl\nssl._create_default_https_context = ssl._create_unverified_context\n", 2, 1),
        Invalid(
            "import ssl, socket\ns = ssl.wrap_socket(socket.socket(), cert_reqs=ssl.CERT_NONE)\n",
            2,
            38,
            "cert_reqs=CERT_NONE accepts any certificate",
        ),
    )


# An `if` test that reads the caller's own choice about verification (or a check done by other means).
_OPT_OUT = re.compile(r"(?i)verif|validate|cert_reqs|CERT_NONE|insecure|assert_hostname|assert_fingerprint")


def _callers_opt_out(ctx: Context) -> bool:
    """The statement runs under an `if` whose test reads the caller's choice about verification."""
    branch = ctx.inside(cst.If)
    return branch is not None and _OPT_OUT.search(ctx.code(branch.test, 400)) is not None  # type: ignore[attr-defined]


_PASSWORDISH = re.compile(r"(?i)(?:^|_)(?:password|passwd|pwd|passphrase|pass)(?:_|$)")
_SECURITYISH = re.compile(r"(?i)token|secret|signature|sign|auth|session|nonce|salt|otp|csrf|api_?key|credential")
_FAST_HASHES = frozenset(
    f"hashlib.{n}"
    for n in ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_256", "sha3_512", "blake2b", "blake2s"]
)


def _mentions(ctx: Context, node: cst.BaseExpression | None, pattern: re.Pattern[str]) -> str | None:
    """A variable or attribute name in `node` matching `pattern`."""
    if node is None:
        return None
    if isinstance(node, cst.Name) and pattern.search(node.value):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value if pattern.search(node.attr.value) else _mentions(ctx, node.value, pattern)
    if isinstance(node, cst.Call):
        for arg in node.args:
            found = _mentions(ctx, arg.value, pattern)
            if found:
                return found
        return _mentions(ctx, node.func.value, pattern) if isinstance(node.func, cst.Attribute) else None
    if isinstance(node, cst.BinaryOperation):
        return _mentions(ctx, node.left, pattern) or _mentions(ctx, node.right, pattern)
    if isinstance(node, cst.FormattedString):
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                found = _mentions(ctx, part.expression, pattern)
                if found:
                    return found
    return None


def _assigned_name(ctx: Context) -> str | None:
    """The variable the current expression is being assigned to, if any."""
    for node in ctx.ancestors():
        if isinstance(node, cst.Assign):
            target = node.targets[0].target
            return (
                target.value if isinstance(target, cst.Name) else getattr(getattr(target, "attr", None), "value", None)
            )
        if isinstance(node, cst.Return):
            function = ctx.function
            return function.name.value if function else None
        if isinstance(node, cst.BaseStatement):
            return None
    return None


class WeakPasswordHash(CallRule):
    """
    ## What it does
    Finds passwords hashed with a fast, general-purpose hash (`hashlib.md5`, `sha1`, `sha256`, ...).

    ## Why is this bad?
    Fast hashes let an attacker with the hashes test billions of guesses per second on a GPU; unsalted
    ones fall to precomputed tables.

    ## Example
    ```python
    stored = hashlib.sha256(password.encode()).hexdigest()
    ```

    ## Fix
    Use a password hash with a salt and a work factor: `hashlib.scrypt`, `hashlib.pbkdf2_hmac("sha256", pw,
    salt, 600_000)`, argon2-cffi or bcrypt, or your framework's `make_password`.
    """

    code = "CWR303"
    name = "weak-password-hash"
    cwe = 916
    security_severity = 7.5
    category = "security"
    severity = Severity.ERROR
    needles = ("hashlib",)
    targets = frozenset({*_FAST_HASHES, "hashlib.new"})

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        data = argument(node, 1 if name == "hashlib.new" else 0, "data" if name == "hashlib.new" else "string")
        found = _mentions(ctx, data, _PASSWORDISH)
        if found is None and data is None:
            target = _assigned_name(ctx)
            found = target if target and _PASSWORDISH.search(target) else None
        if found:
            # hashlib.new names its algorithm in an argument: "hashed with new" would say nothing.
            algorithm = _algorithm(ctx, node) if name == "hashlib.new" else name.removeprefix("hashlib.")
            ctx.report(node, f"`{found}` is hashed with {algorithm}, which is fast to brute-force")

    VALID = (
        Valid("import hashlib, os\nsalt = os.urandom(16)\nkey = hashlib.scrypt(b'pw', salt=salt, n=2**14, r=8, p=1)\n"),
        Valid("import hashlib\n\ndef etag(body):\n    return hashlib.sha256(body).hexdigest()\n"),
    )
    INVALID = (
        Invalid(
            "import hashlib\n\ndef store(password):\n    return hashlib.sha256(password.encode()).hexdigest()\n", 4, 12
        ),
        Invalid(
            "from hashlib import md5\n\ndef check(user, pwd):\n    return md5(pwd).hexdigest() == user.hash\n", 4, 12
        ),
    )


class InsecureHash(ReviewRule):
    """
    ## What it does
    Finds MD5 and SHA-1 (and MD4, MD2, SHA-0) digests: every constructor (`hashlib.md5()`, `hashlib.sha1()`,
    `hashlib.new("md5")` with the name known when the code runs, PyCryptodome's `MD5.new()`, cryptography's
    `hashes.SHA1()`), wherever the data is fed in (`update()`), unless the call says
    `usedforsecurity=False`. When the digest reaches something it protects (a cookie, the session, a token sent
    in a response, a key, an HMAC, a signature) the finding is an error; otherwise it is `info`: a digest used
    as a checksum or a cache key is fine, and only the code's author knows which it is.

    ## Why is this bad?
    Collisions for these algorithms are practical: an attacker can craft two inputs with the same digest and
    swap one for the other, or forge what the digest was meant to authenticate.

    ## Example
    ```python
    token = hashlib.md5(user.email.encode() + secret).hexdigest()
    response.set_cookie("auth", token)
    ```

    ## Fix
    `hmac.new(key, payload, hashlib.sha256)` for signatures, `secrets.token_urlsafe()` for tokens, SHA-256 or
    better elsewhere; pass `usedforsecurity=False` where the digest is only a checksum.
    """

    code = "CWR304"
    name = "insecure-hash"
    cwe = 328
    security_severity = 5.9
    category = "security"
    severity = Severity.INFO
    needles = ("md5", "sha1", "MD5", "SHA1", "md4", "MD4", "hashlib.new", "sha", "SHA")

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        state = _hash_state(ctx)
        owner = id(ctx.function or ctx.module)
        if _weak_constructor(ctx, node):
            if not _certificate_digest(ctx, node):
                state.setdefault("made", []).append((node, _algorithm(ctx, node), owner))  # type: ignore[union-attr]
        elif (
            (used := kwarg(node, "usedforsecurity")) is not None
            and ctx.value(used.value).const is False
            and ctx.call_name(node) in _WEAK_NAMES
        ):
            # `md5(usedforsecurity=False)` here: a plain `md5()` beside it is the fallback for interpreters
            # without the keyword (before 3.9), for the same non-security use.
            state.setdefault("marked", set()).add((owner, _WEAK_NAMES[ctx.call_name(node)]))  # type: ignore[union-attr]
        for taint, hit in ctx.sink_hits(node, "secret"):
            if taint.family == "weak-hash" and taint.node is not None:
                state.setdefault("protects", {}).setdefault(id(taint.node), hit.label())  # type: ignore[union-attr]

    def leave_Module(self, ctx: Context, node: cst.Module) -> None:
        state = _hash_state(ctx)
        protects: dict[int, str] = state.get("protects", {})  # type: ignore[assignment]
        marked: set = state.get("marked", set())  # type: ignore[assignment]
        for made, algorithm, owner in state.get("made", []):  # type: ignore[union-attr]
            sink = protects.get(id(made))
            if sink is None and (owner, algorithm) in marked:
                continue
            if sink is not None:
                message = (
                    f"an {algorithm} digest protects what {sink} receives; collisions for {algorithm} are practical"
                )
                ctx.report(made, message, severity=Severity.ERROR)
            else:
                ctx.report(made, f"{algorithm} is broken for security uses; pass usedforsecurity=False if this "
                                 "digest is only a checksum")  # fmt: skip

    VALID = (
        Valid(
            "import hashlib\n\ndef cache_key(url):\n    return hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()\n"
        ),
        Valid("import hashlib\ndigest = hashlib.new('sha256', b'x').hexdigest()\n"),
        Valid("import hashlib\nname = 'sha' + '512'\ndigest = hashlib.new(name).hexdigest()\n"),
        # The fallback for interpreters without usedforsecurity (before 3.9), beside the marked call.
        Valid(
            "import hashlib, sys\n\ndef md5():\n    if sys.version_info >= (3, 9):\n"
            "        return hashlib.md5(usedforsecurity=False)\n    else:\n        return hashlib.md5()\n"
        ),
        # A certificate's thumbprint, as IAM's OIDC providers take it.
        Valid("import hashlib\n\ndef thumbprint(der_cert):\n    return hashlib.sha1(der_cert).hexdigest()\n"),
    )
    INVALID = (
        Invalid(
            "import hashlib\n\ndef sign(secret, payload):\n    return hashlib.md5(secret + payload).hexdigest()\n",
            4,
            12,
            message="MD5 is broken",
        ),
        Invalid("import hashlib\nalgo = 'SHA1'\nh = hashlib.new(algo)\nh.update(b'x')\n", 3, 5, message="SHA-1"),
        Invalid(
            "import hashlib\nfrom flask import make_response, request\n\ndef login():\n    h = hashlib.sha1()\n"
            "    h.update(request.form['user'].encode())\n    resp = make_response('ok')\n"
            "    resp.set_cookie('auth', h.hexdigest())\n    return resp\n",
            5,
            9,
            message="protects what resp.set_cookie() receives",
        ),
    )


def _hash_state(ctx: Context) -> dict[str, object]:
    return ctx.shared.setdefault("CWR304", {})  # type: ignore[return-value]


_WEAK_NAMES = {
    "hashlib.md5": "MD5",
    "hashlib.sha1": "SHA-1",
    "Crypto.Hash.MD5.new": "MD5",
    "Crypto.Hash.SHA1.new": "SHA-1",
    "Cryptodome.Hash.MD5.new": "MD5",
    "Cryptodome.Hash.SHA1.new": "SHA-1",
    "Crypto.Hash.MD4.new": "MD4",
    "cryptography.hazmat.primitives.hashes.MD5": "MD5",
    "cryptography.hazmat.primitives.hashes.SHA1": "SHA-1",
}


def _weak_constructor(ctx: Context, node: cst.Call) -> bool:
    name = ctx.call_name(node)
    used = kwarg(node, "usedforsecurity")
    if used is not None and ctx.value(used.value).const is False:
        return False
    if name in _WEAK_NAMES:
        return True
    if name != "hashlib.new":
        return False
    algorithm = _new_name(ctx, node)
    from codeward.reviewer.dataflow.models.crypto import WEAK_HASHES

    return isinstance(algorithm, str) and algorithm.lower() in WEAK_HASHES


_CERTIFICATE = re.compile(r"(?i)cert|thumbprint|fingerprint")


def _certificate_digest(ctx: Context, node: cst.Call) -> bool:
    """A digest of a certificate (`sha1(der_cert)`, `sha1(dump_certificate(...))`): a thumbprint, the identifier
    protocols ask for (IAM OIDC providers take SHA-1 thumbprints), not a protection the code chose."""
    new = ctx.call_name(node) == "hashlib.new"
    data = argument(node, 1 if new else 0, "data" if new else "string")
    return data is not None and bool(_CERTIFICATE.search(ctx.code(data)))


def _new_name(ctx: Context, node: cst.Call) -> object:
    named = argument(node, 0, "name")
    return ctx.value(named).const if named is not None else None


def _algorithm(ctx: Context, node: cst.Call) -> str:
    name = ctx.call_name(node)
    if name in _WEAK_NAMES:
        return _WEAK_NAMES[name]
    algorithm = _new_name(ctx, node)
    text = algorithm.lower() if isinstance(algorithm, str) else ""
    return "SHA-1" if text.startswith("sha") else text.upper() or "MD5"


_RANDOM_FUNCS = frozenset(
    f"random.{n}"
    for n in ["random", "randint", "randrange", "choice", "choices", "sample", "getrandbits", "shuffle", "uniform",
              "randbytes", "normalvariate", "gauss", "triangular", "betavariate", "expovariate", "gammavariate",
              "lognormvariate", "vonmisesvariate", "paretovariate", "weibullvariate", "binomialvariate"]
)  # fmt: skip
# What a name denotes is its last word, the head noun: `reset_token` is a token, `session_start_time` a time and
# `token_expiry` an expiry. Secret heads on their own; keys, codes, ids and cookies only with a word that makes
# them secret (`api_key`, `verification_code`, `session_id`), since `cache_key` or `status_code` are not.
_SECRET_HEADS = frozenset(
    ("token", "password", "passwd", "passphrase", "secret", "nonce", "salt", "otp", "csrf", "xsrf", "captcha",
     "pin", "sid", "sessionid")
)  # fmt: skip
_QUALIFIED_HEADS = frozenset(("key", "code", "id", "cookie"))
_SECRET_QUALIFIERS = frozenset(
    ("api", "secret", "session", "private", "signing", "encryption", "auth", "reset", "verification", "verify",
     "confirm", "confirmation", "activation", "otp", "access", "csrf", "invite", "invitation", "magic", "login", "mfa")
)  # fmt: skip


def _words(name: str) -> list[str]:
    """`resetToken`, `RESET_TOKEN`, `reset_token2` -> ['reset', 'token'], lower case, plurals of secrets singular."""
    from codeward.reviewer.ml.features import words

    return [w[:-1] if w.endswith("s") and w[:-1] in _SECRET_HEADS else w for w in words(name)]


def _names_secret(words: list[str]) -> bool:
    """A noun phrase (its head is the last word) that names a secret."""
    if not words:
        return False
    head = words[-1]
    if head in _SECRET_HEADS:
        return True
    return head in _QUALIFIED_HEADS and len(words) > 1 and words[-2] in _SECRET_QUALIFIERS


def _secret_variable(name: str) -> bool:
    return _names_secret(_words(name))


def _secret_maker(name: str) -> bool:
    """A function named for making a secret (`make_otp`, `new_password`, `refresh_secret_now`): a verb phrase,
    so the secret is any noun phrase inside it, not only its last word."""
    words = _words(name)
    return any(_names_secret(words[: i + 1]) for i in range(len(words)))


class InsecureRandomness(ReviewRule):
    """
    ## What it does
    Finds values of the `random` module (every function: `random()`, `randint`, `choice`, `sample`,
    `randbytes`, `gauss`, ...) that reach something an attacker gains by guessing: a cookie, the session, a
    response, a password, a key, a salt, a nonce, an HMAC or a token, followed by data flow whatever the
    variables are called. A value assigned to a name that says it is a token or password is reported too: the
    name's last word (its head noun) must name a secret (`reset_token`, `otp`; a key, code, id or cookie with a
    word that makes it secret: `api_key`, `verification_code`, `session_id`), so `session_start_time`,
    `token_count` or an STS `session_name` are not.

    ## Why is this bad?
    `random` is a Mersenne Twister: 624 outputs reveal its state, after which every past and future
    "random" token can be computed.

    ## Example
    ```python
    resp.set_cookie("sid", str(random.getrandbits(64)))
    ```

    ## Fix
    Use `secrets`: `secrets.token_urlsafe(32)`, `secrets.choice(...)`, `secrets.randbelow(10**6)`.
    """

    code = "CWR305"
    name = "insecure-randomness"
    cwe = 338
    security_severity = 6.5
    category = "security"
    severity = Severity.ERROR
    needles = ("random",)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        for taint, hit in ctx.sink_hits(node, "secret"):
            if taint.family == "random":
                self._flow(ctx, taint, hit.label())
        name = ctx.call_name(node)
        if name in _RANDOM_FUNCS:
            target = _assigned_name(ctx)
            function = ctx.function
            context = target if target and _secret_variable(target) else None
            # A function named like a token generator makes one only from what it returns: a random sleep
            # jitter inside `refresh_secret_now()` is not the secret.
            if (
                context is None
                and target
                and function is not None
                and _secret_maker(function.name.value)
                and target in _returned_names(function)
            ):
                context = f"{function.name.value}()"
            if context:
                _report_once(ctx, node, f"{name}() is predictable, yet it makes `{context}`")

    def visit_Return(self, ctx: Context, node: cst.Return) -> None:
        function = ctx.function
        if node.value is None or function is None or ctx.flows.route_kind(function) != "web":
            return
        found = ctx.random_taint(node.value)
        if found is not None:
            self._flow(ctx, found, "the route's response")

    def visit_Assign(self, ctx: Context, node: cst.Assign) -> None:
        for target in node.targets:
            if _session_key(ctx, target.target):
                found = ctx.random_taint(node.value)
                if found is not None:
                    self._flow(ctx, found, "the session")

    def _flow(self, ctx: Context, taint: object, where: str) -> None:
        source = taint.node  # type: ignore[attr-defined]
        if isinstance(source, cst.Call):
            what = taint.source.removesuffix("()")  # type: ignore[attr-defined]
            _report_once(ctx, source, f"{what}() is predictable, and its value reaches {where}")

    VALID = (
        Valid("import secrets\nreset_token = secrets.token_urlsafe(32)\n"),
        # A measure or a label of a session (its start time, an STS role session name) is not its secret.
        Valid(
            "import random\n\n\ndef simulate(now, days):\n    session_times = random.choices([1, 2, 3], k=days)\n"
            "    session_start_time = now + random.randint(0, 3600)\n    return session_times, session_start_time\n"
        ),
        Valid(
            "import random\nimport string\n\n\ndef assume(sts, arn):\n"
            "    session_name = ''.join(random.choices(string.ascii_letters, k=8))\n"
            "    return sts.assume_role(RoleArn=arn, RoleSessionName=session_name)\n"
        ),
        Valid("import random\n\ndef shuffle_questions(qs):\n    random.shuffle(qs)\n    return qs\n"),
        Valid(
            "import random\n\ndef pick(resp, colours):\n    resp.set_cookie('theme', 'dark')\n    return random.choice(colours)\n"
        ),
        # The head noun decides what a name holds: a time, a count, an STS session's name, a cache key.
        Valid("import random\nsession_start_time = now + random.randint(1, 60)\n"),
        Valid("import random\nsession_times = random.choices(range(10), k=3)\n"),
        Valid("import random, string\nsession_name = 'job-' + ''.join(random.choices(string.ascii_letters, k=8))\n"),
        Valid("import random\ncache_key = random.randint(0, 9)\ntoken_expiry = random.randint(60, 120)\n"),
    )
    INVALID = (
        Invalid("import random, string\nreset_token = ''.join(random.choices(string.ascii_letters, k=32))\n", 2, 23),
        Invalid("import random\n\ndef make_otp():\n    return str(random.randint(100000, 999999))\n", 4, 16),
        Invalid("import random\nsessionId = random.getrandbits(64)\n", 2, 13, message="makes `sessionId`"),
        Invalid("import random\nverification_code = random.randint(100000, 999999)\n", 2, 21),
        Invalid("import random\nRESET_TOKENS = random.sample(range(10**6), 5)\n", 2, 16),
        Invalid(
            "import random\n\ndef remember(resp):\n    value = str(random.getrandbits(64))\n"
            "    resp.set_cookie('x', value)\n",
            4,
            17,
            message="reaches resp.set_cookie()",
        ),
        Invalid(
            "import random\nfrom flask import session\n\ndef login():\n    n = random.random()\n    session['n'] = n\n",
            5,
            9,
            message="reaches the session",
        ),
    )


def _returned_names(function: cst.FunctionDef) -> set[str]:
    """Names read by the function's own `return` statements (not those of functions nested in it)."""
    names: set[str] = set()

    class Returns(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Return(self, node: cst.Return) -> None:
            if node.value is not None:
                node.value.visit(Names())

    class Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    function.visit(Returns())
    return names


def _report_once(ctx: Context, node: cst.CSTNode, message: str) -> None:
    seen: set[int] = ctx.shared.setdefault("CWR305", set())  # type: ignore[assignment]
    if id(node) not in seen:
        seen.add(id(node))
        ctx.report(node, message)


def _session_key(ctx: Context, target: cst.BaseExpression) -> bool:
    """`session[...] =` on Flask's session, a request's session (Django) or a `session` variable."""
    if not isinstance(target, cst.Subscript):
        return False
    container = target.value
    if isinstance(container, cst.Attribute) and container.attr.value == "session":
        return True
    if isinstance(container, cst.Name) and container.value == "session":
        return True
    name = ctx.qualname(container) or ""
    return name.endswith(".session")


class InsecureTempFile(CallRule):
    """
    ## What it does
    Finds `tempfile.mktemp()` (and `os.tempnam`/`os.tmpnam`).

    ## Why is this bad?
    It returns a name, not a file: between choosing the name and creating the file another process can
    create it, or a symbolic link there, and have you write where it wants.

    ## Example
    ```python
    path = tempfile.mktemp(suffix=".csv")
    ```

    ## Fix
    `tempfile.NamedTemporaryFile(delete=False)`, `tempfile.mkstemp()` (it returns an open descriptor) or
    `tempfile.TemporaryDirectory()`.
    """

    code = "CWR306"
    name = "insecure-temp-file"
    cwe = 377
    security_severity = 5.5
    category = "security"
    severity = Severity.ERROR
    needles = ("mktemp", "tempnam", "tmpnam")
    targets = frozenset({"tempfile.mktemp", "os.tempnam", "os.tmpnam"})

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        ctx.report(node, f"{name}() returns a name another process can take before you create the file")

    VALID = (Valid("import tempfile\nfd, path = tempfile.mkstemp(suffix='.csv')\n"),)
    INVALID = (Invalid("from tempfile import mktemp\npath = mktemp(suffix='.csv')\n", 2, 8),)


def _mode_value(node: cst.BaseExpression | None) -> int | None:
    if node is None:
        return None
    value = literal_int(node)
    if value is not None:
        return value
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        left, right = _mode_value(node.left), _mode_value(node.right)
        return None if left is None or right is None else left | right
    name = (dotted(node) or "").rsplit(".", 1)[-1]
    bits = {"S_IRWXO": 0o007, "S_IWOTH": 0o002, "S_IROTH": 0o004, "S_IXOTH": 0o001, "S_IRWXU": 0o700,
            "S_IRUSR": 0o400, "S_IWUSR": 0o200, "S_IXUSR": 0o100, "S_IRWXG": 0o070, "S_IRGRP": 0o040,
            "S_IWGRP": 0o020, "S_IXGRP": 0o010}  # fmt: skip
    return bits.get(name)


class PermissiveFilePermissions(CallRule):
    """
    ## What it does
    Finds files and directories made writable by everyone (`os.chmod(path, 0o777)`, `0o666`,
    `stat.S_IWOTH`) and `os.umask(0)`.

    ## Why is this bad?
    Any local user or compromised service can change the file: replace a script that runs later, a
    configuration, or data other code trusts.

    ## Example
    ```python
    os.chmod("/var/app/run.sh", 0o777)
    ```

    ## Fix
    Grant only what is needed: `0o755` for executables, `0o644` for data, `0o600` for secrets.
    """

    code = "CWR307"
    name = "world-writable-permissions"
    cwe = 732
    security_severity = 6.5
    category = "security"
    severity = Severity.ERROR
    needles = ("chmod", "umask")
    targets = frozenset({"os.chmod", "os.fchmod", "os.lchmod", "os.umask", "pathlib.Path().chmod"})

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        if name == "os.umask":
            if _mode_value(argument(node, 0, "mask")) == 0 and not self._reads_umask(ctx):
                ctx.report(node, "umask(0) makes every file created afterwards world-writable")
            return
        mode = _mode_value(argument(node, 1, "mode"))
        if mode is not None and mode & 0o002:
            ctx.report(node, f"mode {mode:#o} lets every user on the machine write here")

    @staticmethod
    def _reads_umask(ctx: Context) -> bool:
        """`old = os.umask(0)` followed by `os.umask(old)`: the usual way to read the umask."""
        parent = ctx.parents[-1] if ctx.parents else None
        if not isinstance(parent, cst.Assign) or not isinstance(parent.targets[0].target, cst.Name):
            return False
        saved = parent.targets[0].target.value
        scope = ctx.function or ctx.module
        return f"umask({saved})" in ctx.module.code_for_node(scope).replace(" ", "")

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if method_name(node) == "chmod" and not ctx.is_module(node.func.value):  # type: ignore[attr-defined]
            mode = _mode_value(argument(node, 0, "mode"))
            if mode is not None and mode & 0o002:
                ctx.report(node, f"mode {mode:#o} lets every user on the machine write here")
            return
        super().visit_Call(ctx, node)

    VALID = (
        Valid("import os, stat\nos.chmod('run.sh', 0o755)\nos.chmod('key', stat.S_IRUSR | stat.S_IWUSR)\n"),
        Valid("import os\n\ndef current_umask():\n    mask = os.umask(0)\n    os.umask(mask)\n    return mask\n"),
        # A test asserting that the call fails: no mode is ever set (any rule, in the engine).
        Valid(
            "import pytest\n\ndef test_chmod_unsupported(path):\n    with pytest.raises(NotImplementedError):\n"
            "        path.chmod(0o666)\n"
        ),
    )
    INVALID = (
        Invalid("import os\nos.chmod('/var/app/run.sh', 0o777)\n", 2, 1),
        Invalid("import os, stat\nos.chmod('f', stat.S_IRWXU | stat.S_IWOTH)\n", 2, 1),
        Invalid("import os\nold = os.umask(0)\nos.makedirs('/srv/shared')\n", 2, 7),
        Invalid("import os\nos.chmod('/srv/app.sock', mode=0o777)\n", 2, 1, "mode 0o777 lets every user"),  # by keyword
        Invalid("import os, stat\nos.chmod('f', stat.S_IRUSR | stat.S_IWOTH)\n", 2, 1),  # each stat name counts
    )


class JwtWithoutVerification(CallRule):
    """
    ## What it does
    Finds JSON Web Tokens decoded without checking their signature: `options={"verify_signature": False}`,
    `verify=False` (PyJWT 1.x), the `none` algorithm, or no `algorithms=` list.

    ## Why is this bad?
    Anyone can write a token with any claims (`"sub": "admin"`); only the signature proves who issued it.
    Without a fixed algorithm list, a token can pick `none` or an HMAC keyed with your public key.

    ## Example
    ```python
    claims = jwt.decode(token, options={"verify_signature": False})
    ```

    ## Fix
    `jwt.decode(token, key, algorithms=["RS256"], audience=...)`: verify, and pin the algorithms you issue.
    """

    code = "CWR308"
    name = "jwt-without-verification"
    cwe = 347
    security_severity = 8.1
    category = "security"
    severity = Severity.ERROR
    needles = ("jwt",)
    targets = frozenset({"jwt.decode", "jose.jwt.decode", "jwt.api_jwt.decode"})

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        verify = kwarg(node, "verify")
        if verify is not None and is_const(verify.value, False):
            ctx.report(node, "jwt.decode(verify=False) accepts tokens with any signature")
            return
        options = kwarg(node, "options")
        if options is not None and isinstance(options.value, cst.Dict):
            for element in options.value.elements:
                if (
                    isinstance(element, cst.DictElement)
                    and literal_str(element.key) == "verify_signature"
                    and is_const(element.value, False)
                ):
                    ctx.report(node, "the token's signature is not verified: anyone can forge its claims")
                    return
        algorithms = kwarg(node, "algorithms")
        if algorithms is None:
            if options is None and not any(a.star for a in node.args):
                ctx.report(node, "no algorithms= list: the token chooses how it is verified")
            return
        if "none" in ctx.code(algorithms.value).lower().replace("'", '"').split('"'):
            ctx.report(node, 'algorithms include "none": unsigned tokens are accepted')

    VALID = (
        Valid(
            "import jwt\n\ndef claims(t, key):\n    return jwt.decode(t, key, algorithms=['RS256'], audience='api')\n"
        ),
    )
    INVALID = (
        Invalid("import jwt\nc = jwt.decode(t, options={'verify_signature': False})\n", 2, 5),
        Invalid("import jwt\nc = jwt.decode(t, key)\n", 2, 5, message="algorithms"),
        Invalid("import jwt\nc = jwt.decode(t, key, algorithms=['HS256', 'none'])\n", 2, 5),
    )


_FLASK_LIKE = ("flask", "quart", "werkzeug")
_OTHER_WEB = ("sanic", "aiohttp", "bottle", "tornado", "fastapi", "starlette", "falcon", "litestar")
_OTHER_FRAMEWORKS = tuple(f"{name}." for name in _OTHER_WEB)
_WEB = frozenset(_FLASK_LIKE + _OTHER_WEB)


class FlaskDebug(ReviewRule):
    """
    ## What it does
    Finds Flask applications run with `debug=True`.

    ## Why is this bad?
    The Werkzeug debugger lets anyone who can reach an error page run Python on the server; it also
    leaks source and configuration.

    ## Example
    ```python
    app.run(host="0.0.0.0", debug=True)
    ```

    ## Fix
    Drop `debug=True` (use `FLASK_DEBUG=1` on your own machine only) and serve production with gunicorn
    or a similar WSGI server.
    """

    code = "CWR309"
    name = "flask-debug-mode"
    cwe = 489
    security_severity = 7.5
    category = "security"
    severity = Severity.ERROR
    needles = ("debug=True",)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if method_name(node) != "run" or not isinstance(node.func, cst.Attribute):
            return
        debug = kwarg(node, "debug")
        if debug is None or not is_const(debug.value, True):
            return
        origin = ctx.origin(node.func.value)
        made = origin[0] if origin is not None else ""
        if made.startswith(("flask.", "quart.")):
            flask = True
        elif made.startswith(_OTHER_FRAMEWORKS):
            flask = False
        else:
            # An `app` made elsewhere (a factory, an import, a fixture) is taken for Flask's unless the file
            # speaks only another framework: their debug modes (Sanic, aiohttp, Bottle) show tracebacks but run
            # no code.
            imported = ctx.imported_modules() & _WEB
            flask = ctx.code(node.func.value) in ("app", "application") and (
                not imported or not imported.isdisjoint(_FLASK_LIKE)
            )
        if flask:
            ctx.report(debug, "debug=True exposes the interactive debugger: anyone reaching an error page runs code")

    VALID = (
        Valid("from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run()\n"),
        Valid("from sanic import Sanic\napp = Sanic('svc')\napp.run(host='0.0.0.0', debug=True)\n"),
        Valid("import pytest\nfrom sanic import Sanic\n\ndef test_serve(app):\n    app.run(debug=True)\n"),
        Valid(
            "from myapp import create_app\napp = create_app()\n\ndef serve():\n    import sanic\n    app.run(debug=True)\n"
        ),
    )
    INVALID = (
        Invalid("from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)\n", 3, 25),
        Invalid("from myapp import create_app\napp = create_app()\napp.run(debug=True)\n", 3, 9),
        # Only imports count: a docstring's `import sanic` does not make the file a Sanic one.
        Invalid(
            '"""Also served by:\n\nimport sanic\n"""\nfrom myapp import create_app\napp = create_app()\n'
            "app.run(debug=True)\n",
            7,
            9,
        ),
    )


class WeakCipher(ReviewRule):
    """
    ## What it does
    Finds broken ciphers and modes: DES, 3DES, RC4, Blowfish, IDEA, CAST5 (PyCryptodome, cryptography)
    and ECB mode.

    ## Why is this bad?
    These ciphers have small blocks or keys or known biases; ECB encrypts equal blocks to equal
    ciphertext, so patterns in the data show through.

    ## Example
    ```python
    cipher = AES.new(key, AES.MODE_ECB)
    ```

    ## Fix
    AES-GCM or ChaCha20-Poly1305 (`cryptography.hazmat.primitives.ciphers.aead.AESGCM`) with a fresh nonce
    per message.
    """

    code = "CWR310"
    name = "weak-cipher"
    cwe = 327
    security_severity = 7.5
    category = "security"
    severity = Severity.ERROR
    needles = ("Crypto", "cryptography", "ECB", "DES", "ARC4", "Blowfish")
    _WEAK = frozenset(
        [
            "Crypto.Cipher.DES.new",
            "Crypto.Cipher.DES3.new",
            "Crypto.Cipher.ARC4.new",
            "Crypto.Cipher.Blowfish.new",
            "Crypto.Cipher.ARC2.new",
            "Cryptodome.Cipher.DES.new",
            "Cryptodome.Cipher.ARC4.new",
            "Cryptodome.Cipher.Blowfish.new",
            "cryptography.hazmat.primitives.ciphers.algorithms.TripleDES",
            "cryptography.hazmat.primitives.ciphers.algorithms.ARC4",
            "cryptography.hazmat.primitives.ciphers.algorithms.Blowfish",
            "cryptography.hazmat.primitives.ciphers.algorithms.IDEA",
            "cryptography.hazmat.primitives.ciphers.algorithms.CAST5",
            "cryptography.hazmat.primitives.ciphers.modes.ECB",
        ]
    )

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        name = ctx.call_name(node)
        if name in self._WEAK:
            what = name.rsplit(".", 2)[-2] if name.endswith(".new") else name.rsplit(".", 1)[-1]
            ctx.report(node, f"{what} is a broken cipher or mode")
            return
        if name.endswith(".new") and "Cipher" in name:
            mode = argument(node, 1, "mode")
            if mode is not None and (dotted(mode) or "").endswith("MODE_ECB"):
                ctx.report(mode, "ECB mode encrypts equal blocks to equal ciphertext")

    VALID = (Valid("from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_GCM)\n"),)
    INVALID = (
        Invalid("from Crypto.Cipher import AES\ncipher = AES.new(key, AES.MODE_ECB)\n", 2, 23),
        Invalid("from Crypto.Cipher import DES\ncipher = DES.new(key, DES.MODE_CBC, iv)\n", 2, 10),
        Invalid("from cryptography.hazmat.primitives.ciphers import modes\nm = modes.ECB()\n", 2, 5),
    )


class WeakTlsProtocol(ReviewRule):
    """
    ## What it does
    Finds SSL 2/3 and TLS 1.0/1.1 selected as protocol or minimum version, and `ssl.wrap_socket` (removed
    in Python 3.12; it verifies nothing by default), unless the call asks for the certificate
    (`cert_reqs=ssl.CERT_REQUIRED`) or wraps a server socket.

    ## Why is this bad?
    These protocol versions have practical attacks (POODLE, BEAST) and are disabled by browsers and AWS
    endpoints alike.

    ## Example
    ```python
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
    ```

    ## Fix
    `ssl.create_default_context()`, and if needed `ctx.minimum_version = ssl.TLSVersion.TLSv1_2`.
    """

    code = "CWR311"
    name = "weak-tls-protocol"
    cwe = 326
    security_severity = 7.4
    category = "security"
    severity = Severity.ERROR
    needles = ("PROTOCOL_", "TLSVersion", "wrap_socket")
    _OLD = ("PROTOCOL_SSLv2", "PROTOCOL_SSLv3", "PROTOCOL_TLSv1", "PROTOCOL_TLSv1_1", "TLSVersion.SSLv3",
            "TLSVersion.TLSv1", "TLSVersion.TLSv1_1")  # fmt: skip

    def visit_Attribute(self, ctx: Context, node: cst.Attribute) -> None:
        text = dotted(node) or ""
        if text.endswith(self._OLD) and (ctx.qualname(node) or "").startswith("ssl.") and self._selects(ctx, node):
            ctx.report(node, f"{text.removeprefix('ssl.')} is an obsolete protocol version with practical attacks")

    @staticmethod
    def _selects(ctx: Context, node: cst.Attribute) -> bool:
        """Used to choose a protocol (a call argument, `minimum_version = ...`), not listed in a mapping table."""
        parent = ctx.parents[-1] if ctx.parents else None
        if isinstance(parent, cst.Arg):
            return True
        if isinstance(parent, cst.Assign) and parent.value is node:
            target = parent.targets[0].target
            return isinstance(target, cst.Attribute) and target.attr.value in ("minimum_version", "maximum_version")
        return False

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if ctx.call_name(node) != "ssl.wrap_socket":
            return
        # wrap_socket(sock, keyfile, certfile, server_side, cert_reqs, ...)
        cert_reqs, server_side = argument(node, 4, "cert_reqs"), argument(node, 3, "server_side")
        verifies = cert_reqs is not None and (dotted(cert_reqs) or "").endswith(("CERT_REQUIRED", "CERT_OPTIONAL"))
        if verifies or (isinstance(server_side, cst.Name) and server_side.value == "True"):
            return  # a server, or a client that asks for the certificate: the TLS is not weak
        ctx.report(node, "ssl.wrap_socket() verifies neither certificate nor host name (removed in Python 3.12)")

    VALID = (
        Valid("import ssl\nctx = ssl.create_default_context()\nctx.minimum_version = ssl.TLSVersion.TLSv1_2\n"),
        Valid("import ssl\nNAMES = {ssl.PROTOCOL_TLSv1: 'TLSv1', ssl.PROTOCOL_TLSv1_2: 'TLSv1.2'}\n"),
        # The certificate is checked against ca_certs: whatever else, the TLS is not weak.
        Valid("import ssl\ns = ssl.wrap_socket(sock, ca_certs=ca, cert_reqs=ssl.CERT_REQUIRED)\n"),
        Valid("import ssl\ns = ssl.wrap_socket(sock, None, None, False, ssl.CERT_REQUIRED, ca_certs=ca)\n"),
    )
    INVALID = (
        Invalid("import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n", 2, 22),
        Invalid("import ssl\ns = ssl.wrap_socket(sock)\n", 2, 5),
        Invalid("import ssl\nctx = ssl.create_default_context()\nctx.minimum_version = ssl.TLSVersion.TLSv1\n", 3, 23),
    )


class WeakKeySize(CallRule):
    """
    ## What it does
    Finds RSA and DSA keys shorter than 2048 bits and EC keys on curves below 224 bits.

    ## Why is this bad?
    1024-bit RSA is within reach of well-funded attackers and is rejected by current standards (NIST SP
    800-131A).

    ## Example
    ```python
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    ```

    ## Fix
    At least 2048 bits (3072 for keys that must last beyond 2030), or Ed25519.
    """

    code = "CWR312"
    name = "weak-key-size"
    cwe = 326
    security_severity = 7.4
    category = "security"
    severity = Severity.ERROR
    needles = ("generate_private_key", ".generate(", "newkeys")
    targets = frozenset(
        [
            "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key",
            "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key",
            "Crypto.PublicKey.RSA.generate",
            "Crypto.PublicKey.DSA.generate",
            "Cryptodome.PublicKey.RSA.generate",
            "rsa.newkeys",
        ]
    )

    def check(self, ctx: Context, node: cst.Call, name: str) -> None:
        if name.endswith("generate_private_key"):
            size = argument(node, 1 if ".rsa." in name else 0, "key_size")
        else:
            size = argument(node, 0, "bits" if "Crypto" in name else "nbits")
        bits = literal_int(size)
        if bits is not None and bits < 2048:
            ctx.report(node, f"a {bits}-bit key is too short; use at least 2048 bits")

    VALID = (
        Valid(
            "from cryptography.hazmat.primitives.asymmetric import rsa\n"
            "key = rsa.generate_private_key(public_exponent=65537, key_size=3072)\n"
        ),
    )
    INVALID = (
        Invalid(
            "from cryptography.hazmat.primitives.asymmetric import rsa\n"
            "key = rsa.generate_private_key(public_exponent=65537, key_size=1024)\n",
            2,
            7,
        ),
        Invalid("from Crypto.PublicKey import RSA\nkey = RSA.generate(1024)\n", 2, 7),
    )


class SshHostKeyNotVerified(ReviewRule):
    """
    ## What it does
    Finds paramiko clients that accept unknown host keys (`AutoAddPolicy`, `WarningPolicy`).

    ## Why is this bad?
    The first connection trusts whichever server answers, so a man in the middle gets the credentials
    and the session.

    ## Example
    ```python
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    ```

    ## Fix
    Load known hosts (`client.load_system_host_keys()` or `load_host_keys(path)`) and keep the default
    `RejectPolicy`.
    """

    code = "CWR313"
    name = "ssh-host-key-not-verified"
    cwe = 295
    security_severity = 7.4
    category = "security"
    severity = Severity.ERROR
    needles = ("set_missing_host_key_policy",)

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if method_name(node) != "set_missing_host_key_policy" or not node.args:
            return
        policy = node.args[0].value
        text = ctx.code(policy)
        if "AutoAddPolicy" in text or "WarningPolicy" in text:
            ctx.report(policy, f"{text.split('(')[0].rsplit('.', 1)[-1]} trusts any host key on first connection")

    VALID = (
        Valid(
            "import paramiko\nc = paramiko.SSHClient()\nc.load_system_host_keys()\n"
            "c.set_missing_host_key_policy(paramiko.RejectPolicy())\n"
        ),
    )
    INVALID = (
        Invalid(
            "import paramiko\nc = paramiko.SSHClient()\nc.set_missing_host_key_policy(paramiko.AutoAddPolicy())\n",
            3,
            31,
        ),
    )


_SESSIONISH = re.compile(r"(?i)session|token|auth|jwt|csrf|remember|sid")


class InsecureCookie(ReviewRule):
    """
    ## What it does
    Finds cookies set with `secure=False` or `httponly=False` (whatever they are called, the flags folded to
    their values where the code computes them), session and token cookies set without those flags, cookie
    morsels (`http.cookies.SimpleCookie`) given `secure` or `httponly` false, and Django settings that turn the
    session or CSRF cookie's flags off (`SESSION_COOKIE_SECURE = False`).

    ## Why is this bad?
    Without `Secure` the cookie travels over plain HTTP; without `HttpOnly` any injected script can read
    it and take over the session.

    ## Example
    ```python
    resp.set_cookie("session_id", sid)
    ```

    ## Fix
    `resp.set_cookie("session_id", sid, secure=True, httponly=True, samesite="Lax")`.
    """

    code = "CWR314"
    name = "insecure-cookie"
    cwe = 614
    security_severity = 5.3
    category = "security"
    severity = Severity.WARNING
    needles = ("set_cookie", "COOKIE_SECURE", "COOKIE_HTTPONLY", "secure", "httponly")
    _SETTINGS = frozenset(
        {"SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY"}
    )

    def visit_Call(self, ctx: Context, node: cst.Call) -> None:
        if method_name(node) not in ("set_cookie", "set_signed_cookie"):
            return
        if any(a.star == "**" for a in node.args):
            return
        key = ctx.value(argument(node, 0, "key")).const if argument(node, 0, "key") is not None else None
        label = repr(key) if isinstance(key, str) else "a cookie"
        off = []
        missing = []
        for flag in ("secure", "httponly"):
            given = kwarg(node, flag)
            if given is None:
                missing.append(flag)
            elif ctx.value(given.value).const in (False, None, 0, ""):
                off.append(flag)
        if off:
            ctx.report(node, f"{label} is set with {' and '.join(f'{m}=False' for m in off)}")
        elif missing and isinstance(key, str) and _SESSIONISH.search(key):
            ctx.report(node, f"{label} is set without {' and '.join(f'{m}=True' for m in missing)}")

    def visit_Assign(self, ctx: Context, node: cst.Assign) -> None:
        for target in node.targets:
            expr = target.target
            if isinstance(expr, cst.Name) and expr.value in self._SETTINGS and ctx.function is None:
                if ctx.value(node.value).const is False:
                    ctx.report(node, f"{expr.value} = False sends the cookie without its protection")
                continue
            # morsel["secure"] = False, on an http.cookies.SimpleCookie item
            if not isinstance(expr, cst.Subscript) or len(expr.slice) != 1:
                continue
            index = expr.slice[0].slice
            flag = ctx.value(index.value).const if isinstance(index, cst.Index) else None
            off = flag in ("secure", "httponly") and ctx.value(node.value).const in (False, None, 0, "")
            if off and _is_morsel(ctx, expr.value):
                ctx.report(node, f"the cookie morsel's {flag} flag is turned off")

    VALID = (
        Valid(
            "def f(resp, sid):\n    resp.set_cookie('session_id', sid, secure=True, httponly=True, samesite='Lax')\n"
            "    resp.set_cookie('theme', 'dark')\n"
        ),
        Valid("def f(resp, v):\n    flag = 1 + 1 == 2\n    resp.set_cookie('x', v, secure=flag, httponly=flag)\n"),
    )
    INVALID = (
        Invalid(
            "def f(resp, sid):\n    resp.set_cookie('session_id', sid)\n", 2, 5, message="secure=True and httponly=True"
        ),
        Invalid("def f(resp, v):\n    resp.set_cookie('pref', v, secure=False)\n", 2, 5, message="secure=False"),
        Invalid("def f(resp, v):\n    off = 2 > 3\n    resp.set_cookie('x', v, httponly=off, secure=True)\n", 3, 5),
        Invalid("SESSION_COOKIE_SECURE = False\n", 1, 1),
        Invalid(
            "from http.cookies import SimpleCookie\nc = SimpleCookie()\nc['sid'] = 'x'\nc['sid']['secure'] = False\n",
            4,
            1,
        ),
    )


def _is_morsel(ctx: Context, expr: cst.BaseExpression) -> bool:
    """`c["name"]` where `c` is an `http.cookies.SimpleCookie`."""
    if not isinstance(expr, cst.Subscript):
        return False
    origin = ctx.origin(expr.value)
    name = origin[0] if origin else ""
    return name.endswith(("SimpleCookie", "BaseCookie"))
