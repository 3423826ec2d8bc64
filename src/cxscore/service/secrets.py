"""The project's secret key, and keys derived from it for each purpose.

The key signs survey links, sessions and CSRF tokens. It is never stored in the repository:

1. `CXSCORE_SECRET_KEY` in the environment, when set (at least 32 characters; what a deployment uses,
   from its secret store);
2. otherwise `.cxscore/secret` in the project folder: 32 random bytes, created on first use with
   permissions 0600 (the folder is git-ignored; a laptop project keeps working across restarts).

Each use gets its own key, `HMAC-SHA256(secret, purpose)`, so a token made for one purpose (say a
survey link) can never be replayed as another (a session).

>>> derive_key(b"k" * 32, "survey-link").hex()[:16]
'b04392f6663461d3'
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cxscore.errors import ConfigError

__all__ = ["SECRET_ENV", "derive_key", "project_secret"]

SECRET_ENV = "CXSCORE_SECRET_KEY"
SECRET_FILE = Path(".cxscore") / "secret"
MIN_LENGTH = 32


def project_secret(root: Path) -> bytes:
    """The master secret for the project at `root` (see the module docstring for where it comes from)."""
    from_env = os.environ.get(SECRET_ENV)
    if from_env is not None:
        if len(from_env) < MIN_LENGTH:
            raise ConfigError(
                f"{SECRET_ENV} is {len(from_env)} characters long; it must be at least {MIN_LENGTH}. "
                f'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        return from_env.encode()
    path = root / SECRET_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return project_secret(root)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return data
    if len(data) < MIN_LENGTH:
        raise ConfigError(
            f"The secret key file {path} holds {len(data)} bytes; it must hold at least {MIN_LENGTH}. "
            f"Delete it to have a new one made (this signs out everyone and voids open survey links)."
        )
    return data


def derive_key(secret: bytes, purpose: str) -> bytes:
    """The key for one purpose (e.g. "survey-link", "session", "csrf"), derived from the secret."""
    return hmac.new(secret, purpose.encode(), hashlib.sha256).digest()
