"""The two hashes the package uses, from the interpreter's own modules where it has them:
:mod:`hashlib` loads OpenSSL as it is imported (about 1.5 ms of every start), and neither
blake2b nor sha256 needs it. Same digests either way."""

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter built without it
    from hashlib import blake2b

try:
    from _sha2 import sha256  # Python 3.12+
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.9-3.11
    except ImportError:  # pragma: no cover
        from hashlib import sha256

__all__ = ["blake2b", "sha256"]
