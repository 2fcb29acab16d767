"""Predictable randomness (`random`), a separate flow: where a guessable value protects something."""

from __future__ import annotations

from codeward.reviewer.dataflow.models import Library, Sink, Source

RANDOM_FUNCTIONS = (
    "random", "randint", "randrange", "choice", "choices", "sample", "getrandbits", "randbytes", "uniform",
    "normalvariate", "gauss", "triangular", "betavariate", "expovariate", "gammavariate", "lognormvariate",
    "vonmisesvariate", "paretovariate", "weibullvariate", "binomialvariate", "shuffle",
)  # fmt: skip

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

LIBRARIES = (RANDOM,)
