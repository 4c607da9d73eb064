"""Deployment settings of the generated Wagtail site, read from its environment.

Wagtail's project template ends dev.py and production.py with `from .local import *`;
`make realapps` copies this file there (mysite/mysite/settings/local.py). Nothing here is
specific to parity: it is the glue a team writes to run the site on a platform that hands
out the database as libpq variables and secrets as environment variables or mounted files.
"""

import os
from pathlib import Path

SECRETS_DIR = Path(os.environ.get("SECRETS_DIR", "/run/secrets"))


def _secret(name):
    """A secret from the environment, else from a file in SECRETS_DIR (a mounted secret store)."""
    if os.environ.get(name):
        return os.environ[name]
    path = SECRETS_DIR / name
    return path.read_text().strip() if path.is_file() else None


if _secret("SECRET_KEY"):
    SECRET_KEY = _secret("SECRET_KEY")

if os.environ.get("DJANGO_ALLOWED_HOSTS"):
    ALLOWED_HOSTS = os.environ["DJANGO_ALLOWED_HOSTS"].split(",")

# The database as libpq variables; PGSSLMODE (and PGSSLROOTCERT) are read by libpq itself.
# No fallback to the template's SQLite: a deployment without them must fail, not start empty.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ.get("PGHOST", ""),
        "PORT": os.environ.get("PGPORT", ""),
        "NAME": os.environ.get("PGDATABASE", ""),
        "USER": os.environ.get("PGUSER", ""),
        "PASSWORD": os.environ.get("PGPASSWORD", ""),
        "CONN_MAX_AGE": 60,
    }
}

# Errors to the console (the container's log), not to ADMINS by mail.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
