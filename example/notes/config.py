"""Configuration and secrets lookup for the notes app.

Secrets can reach the app three ways, depending on the platform:

* environment variables (CI, most PaaS),
* one file per secret under ``/run/secrets`` (Docker/Kubernetes secrets), and
* a ``.env`` file in the working directory (developer laptops).

``DATABASE_URL`` (and ``DB_CA_CERT``) are looked up in all three places, in that
order. ``SECRET_KEY`` was added later by someone who only ever ran the app
locally -- see :func:`get_secret_key`.

Nothing here may log or return a secret value; :func:`redact` scrubs known
secret values out of error text before it leaves the process.
"""

from __future__ import annotations

import os
from pathlib import Path

# Where Docker/Kubernetes mount secret files; overridable so tests can point
# the lookup elsewhere.
SECRETS_DIR_ENV = "SECRETS_DIR"
DEFAULT_SECRETS_DIR = "/run/secrets"
DOTENV_NAME = ".env"


class ConfigError(RuntimeError):
    """A required setting or secret is missing."""


def secrets_dir() -> Path:
    """Directory holding one file per secret (file name = secret name)."""
    return Path(os.environ.get(SECRETS_DIR_ENV, DEFAULT_SECRETS_DIR))


def dotenv_path() -> Path:
    """The ``.env`` file in the current working directory (``/app`` in the image)."""
    return Path.cwd() / DOTENV_NAME


def _unquote(raw: str) -> str:
    """Decode one ``.env`` value: strip quotes, expand escapes in double quotes."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] == '"':
        out: list[str] = []
        chars = iter(value[1:-1])
        for ch in chars:
            if ch != "\\":
                out.append(ch)
                continue
            nxt = next(chars, "")
            out.append({"n": "\n", "r": "\r", "t": "\t"}.get(nxt, nxt))
        return "".join(out)
    return value


def read_dotenv(path: Path | None = None) -> dict[str, str]:
    """Parse a ``.env`` file (``NAME=value`` lines); a missing file is empty."""
    path = path or dotenv_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return {}
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, raw = line.partition("=")
        name = name.removeprefix("export ").strip()
        values[name] = _unquote(raw)
    return values


def _read_secret_file(name: str) -> str | None:
    """Content of ``<secrets dir>/<name>``, or None when there is no such file."""
    try:
        return (secrets_dir() / name).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None


def lookup_secret(name: str) -> str | None:
    """Find a secret in the environment, then ``/run/secrets``, then ``.env``."""
    value = os.environ.get(name)
    if value:
        return value
    value = _read_secret_file(name)
    if value:
        return value
    return read_dotenv().get(name) or None


def get_database_url() -> str:
    """The database URL, wherever the platform put it."""
    url = lookup_secret("DATABASE_URL")
    if not url:
        raise ConfigError(
            "DATABASE_URL is not configured (looked in the environment, "
            f"{secrets_dir()}/DATABASE_URL and {dotenv_path()})"
        )
    return url


def get_db_ca_cert() -> str | None:
    """PEM of the CA that signed the database server's certificate, if any."""
    return lookup_secret("DB_CA_CERT")


def get_secret_key() -> str:
    """The key that signs login tokens.

    # DEMO BUG (secrets.source): SECRET_KEY was added after DATABASE_URL and is
    # read ONLY from ``.env`` in the working directory. That is exactly how the
    # developer laptop delivers it (secrets.source: dotenv), so it works there.
    # Production mounts one file per secret under /run/secrets (secrets.source:
    # files) and never writes a .env, so every login answers 500. The fix is one
    # line: ``lookup_secret("SECRET_KEY")``.
    """
    key = read_dotenv().get("SECRET_KEY")
    if not key:
        raise ConfigError(f"SECRET_KEY is not configured (expected it in {dotenv_path()})")
    return key


def app_env() -> str:
    """Deployment name from the plain (non-secret) environment."""
    return os.environ.get("APP_ENV", "development")


def redact(text: str) -> str:
    """Replace every secret value this process can see with ``***``."""
    candidates: set[str] = set()
    for name in ("DATABASE_URL", "SECRET_KEY", "DB_CA_CERT"):
        for value in (os.environ.get(name), _read_secret_file(name), read_dotenv().get(name)):
            if value:
                candidates.add(value)
    url = lookup_secret("DATABASE_URL") or ""
    if "://" in url and "@" in url:
        # The password part of scheme://user:password@host/...
        userinfo = url.split("://", 1)[1].rsplit("@", 1)[0]
        if ":" in userinfo:
            candidates.add(userinfo.split(":", 1)[1])
    # Longest first, so a URL is replaced whole before its password.
    for value in sorted(candidates, key=len, reverse=True):
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text
