# I Hate Money's settings file (named by IHATEMONEY_SETTINGS_FILE_PATH), as a deployment
# writes it: everything secret or per-environment comes from the environment, or from files
# in SECRETS_DIR where the platform mounts its secret store. Keys as in ihatemoney's own
# conf-templates/ihatemoney.cfg.j2.
import os
from pathlib import Path

_SECRETS_DIR = Path(os.environ.get("SECRETS_DIR", "/run/secrets"))


def _secret(name, default=None):
    if os.environ.get(name):
        return os.environ[name]
    path = _SECRETS_DIR / name
    return path.read_text().strip() if path.is_file() else default


DEBUG = False
SQLALCHEMY_DATABASE_URI = _secret("DATABASE_URL")
if not SQLALCHEMY_DATABASE_URI:
    # Fail here, not with the default SQLite file in /tmp that a restart would lose.
    raise RuntimeError(f"DATABASE_URL is not set (neither in the environment nor in {_SECRETS_DIR})")
SQLALCHEMY_TRACK_MODIFICATIONS = False
SECRET_KEY = _secret("SECRET_KEY")
MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Budget manager <admin@example.com>")
ACTIVATE_DEMO_PROJECT = False
ALLOW_PUBLIC_PROJECT_CREATION = True
ACTIVATE_ADMIN_DASHBOARD = False
# Behind the platform's TLS-terminating proxy the cookie is secure; plain HTTP on a laptop.
SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "true") == "true"
