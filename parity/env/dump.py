"""Loading a pg_dump file (plain SQL, gzipped SQL, or custom format) into an environment's
database, with the server's own client tools: a one-off container from the database image on
the environment's network, the file mounted read-only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from parity.env.database import DB_ALIAS, Database
from parity.env.job import ContainerJob, ProgramMissing
from parity.env.placement import Placement
from parity.errors import EnvError
from parity.profile.models import DatabaseSpec

DUMP_DIR = "/parity-dump"

# Objects end up owned by the role migrations connect as (the owner, or the superuser with
# database.roles.migrations: superuser), as its migrations expect; ownership and grants of roles
# this server does not have are left out (pg_restore --no-owner --no-privileges; in plain SQL,
# pg_dump writes each of those statements on one line). A DML role (database.roles) gets the
# restored tables only through default_privileges.
_RESTORE_SH = r"""
set -e
f="$DUMP"
if [ "$(head -c 5 "$f")" = "PGDMP" ]; then
  set -- --exit-on-error --no-owner --no-privileges -d "$PGDATABASE"
  if [ -n "$DATA_ONLY" ]; then
    # The schema is the migrations' (data.at); the dump brings rows, not the migration tool's
    # version. As the superuser: rows into the app's tables, parents and children in any order.
    pg_restore -l "$f" | grep -v ' TABLE DATA [^ ]* alembic_version ' > /tmp/parity-restore.list
    set -- "$@" --data-only --disable-triggers -L /tmp/parity-restore.list
  elif [ -n "$ROLE" ]; then
    set -- "$@" --role="$ROLE"
  fi
  exec pg_restore "$@" "$f"
fi
case "$f" in *.gz) read_dump() { gzip -dc "$f"; } ;; *) read_dump() { cat "$f"; } ;; esac
{
  [ -n "$ROLE" ] && printf 'SET ROLE %s;\n' "$ROLE"
  read_dump | sed -E '/^(ALTER [A-Z ]+ .+ OWNER TO |GRANT |REVOKE )/d'
} | psql -X -q -v ON_ERROR_STOP=1 -d "$PGDATABASE"
"""


@dataclass(frozen=True)
class Restored:
    """How a restore ended: exit code (None: killed at the timeout) and the tools' output."""

    code: int | None
    output: str


def restore_dump(placement: Placement, db: Database, spec: DatabaseSpec, dump: Path, *, data_only: bool,
                 timeout: float) -> Restored:
    """Load `dump` into the database as its superuser, objects owned by the migrations' role."""
    owner = db.login("migrations").user
    environment = {
        "DUMP": f"{DUMP_DIR}/{dump.name}", "PGHOST": DB_ALIAS, "PGPORT": "5432", "PGUSER": db.admin_user,
        "PGPASSWORD": db.admin_password or db.password, "PGDATABASE": db.name, "PGSSLMODE": spec.sslmode,
        "ROLE": "" if db.admin_user == owner else owner, "DATA_ONLY": "1" if data_only else "",
    }
    job = ContainerJob(spec.image_ref(), [], "restore", timeout, options={
        "entrypoint": ["sh", "-c", _RESTORE_SH], "environment": environment,
        "volumes": {str(dump.resolve()): {"bind": f"{DUMP_DIR}/{dump.name}", "mode": "ro"}},
    })
    try:
        finished = job.run(placement)
    except ProgramMissing as exc:
        raise EnvError(f"the database image {spec.image_ref()} cannot run the restore: {exc}",
                       "use a database image with a shell and pg_restore/psql") from None
    return Restored(finished.code, finished.text)
