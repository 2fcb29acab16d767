"""Predictable randomness (`random`), a separate flow: where a guessable value protects something."""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, Sink, Source

RANDOM_FUNCTIONS = (
    "random", "randint", "randrange", "choice", "choices", "sample", "getrandbits", "randbytes", "uniform",
    "normalvariate", "gauss", "triangular", "betavariate", "expovariate", "gammavariate", "lognormvariate",
    "vonmisesvariate", "paretovariate", "weibullvariate", "binomialvariate", "shuffle",
)  # fmt: skip

# Hash functions with practical collisions (and SHA-0/MD4/MD2): their digests, traced as a flow of their own.
WEAK_HASHES = frozenset({"md5", "md4", "md2", "sha1", "sha", "sha-1", "md5-sha1", "md5_sha1"})
_WEAK_CONSTRUCTORS = (
    ("hashlib.md5", "MD5"), ("hashlib.sha1", "SHA-1"), ("Crypto.Hash.MD5.new", "MD5"),
    ("Crypto.Hash.SHA1.new", "SHA-1"), ("Cryptodome.Hash.MD5.new", "MD5"), ("Cryptodome.Hash.SHA1.new", "SHA-1"),
    ("Crypto.Hash.MD4.new", "MD4"), ("cryptography.hazmat.primitives.hashes.MD5", "MD5"),
    ("cryptography.hazmat.primitives.hashes.SHA1", "SHA-1"), ("md5.new", "MD5"), ("sha.new", "SHA-1"),
)  # fmt: skip
WEAK_HASH = Library("weak hashes", sources=tuple(Source(name, desc, "weak-hash") for name, desc in _WEAK_CONSTRUCTORS))

RANDOM = Library(
    "random",
    sources=tuple(Source(f"random.{f}", f"random.{f}()", "random") for f in RANDOM_FUNCTIONS)
    + tuple(Source(f"random.Random().{f}", f"random.Random().{f}()", "random") for f in RANDOM_FUNCTIONS)
    + tuple(
        Source(f"numpy.random.{f}", f"numpy.random.{f}()", "random") for f in ("rand", "randint", "choice", "bytes")
    ),
    sinks=(
        Sink("hmac.new", "secret", ((0, "key"),)),
        Sink("jwt.encode", "secret", ((1, "key"),)),
        Sink("cryptography.fernet.Fernet", "secret", ((0, "key"),)),
        Sink("Crypto.Cipher.AES.new", "secret", ((0, "key"), (-2, "iv"), (-2, "nonce"))),
        Sink("Cryptodome.Cipher.AES.new", "secret", ((0, "key"), (-2, "iv"), (-2, "nonce"))),
        Sink("cryptography.hazmat.primitives.ciphers.algorithms.AES", "secret", ((0, "key"),)),
        Sink("cryptography.hazmat.primitives.ciphers.modes.CBC", "secret", ((0, "initialization_vector"),)),
        Sink("cryptography.hazmat.primitives.ciphers.modes.GCM", "secret", ((0, "initialization_vector"),)),
        Sink("cryptography.hazmat.primitives.ciphers.modes.CTR", "secret", ((0, "nonce"),)),
        Sink("cryptography.hazmat.primitives.ciphers.aead.AESGCM", "secret", ((0, "key"),)),
        Sink("cryptography.hazmat.primitives.ciphers.aead.AESGCM().encrypt", "secret", ((0, "nonce"),)),
        Sink("cryptography.hazmat.primitives.ciphers.aead.ChaCha20Poly1305", "secret", ((0, "key"),)),
        Sink("hashlib.pbkdf2_hmac", "secret", ((2, "salt"),)),
        Sink("hashlib.scrypt", "secret", ((-2, "salt"),)),
        Sink("bcrypt.hashpw", "secret", ((1, "salt"),)),
        Sink("itsdangerous.URLSafeTimedSerializer", "secret", ((0, "secret_key"),)),
    ),
)

LIBRARIES = (RANDOM, WEAK_HASH)
