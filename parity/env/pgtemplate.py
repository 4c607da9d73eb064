"""Pre-initialised Postgres clusters: initdb once per (image, role layout), copy it at every start.

initdb and the entrypoint's temporary server take most of a fresh container's start. The
template is made by the image's own entrypoint (so it is exactly what a fresh start makes),
committed as a local image; each environment copies it into its tmpfs, sets its own random
passwords in single-user mode, and starts the server directly.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable

import docker
import docker.errors

from parity.engine import labels as L
from parity.env.tls import INSTALL_TLS_SH
from parity.profile.models import DatabaseSpec

TEMPLATE_DIR = "/var/lib/postgresql/parity-template"
TEMPLATE_REPO = "parity-pgtemplate"
TEMPLATE_VERSION = "1"  # bump when the way templates are made changes
PLACEHOLDER = "parity-template-placeholder"  # replaced at every start; never a real password

# Runs as root in the environment's container: copy the template into PGDATA (a tmpfs), install
# the TLS files privately, set this environment's passwords in single-user mode, start Postgres.
START_SCRIPT = r"""
set -e
as_postgres() { HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
cp -a "$TEMPLATE"/. "$PGDATA"/
chown -R postgres:postgres "$PGDATA"
chmod 700 "$PGDATA"
# This environment's files (roles, TLS) are uploaded while the template is copied; the marker
# comes last in their archive.
tries=0
until [ -e /run/parity-init/.complete ]; do
  tries=$((tries + 1)); [ "$tries" -lt 6000 ] || { echo "parity: the environment's files never arrived" >&2; exit 1; }
  sleep 0.01
done
""" + INSTALL_TLS_SH + r"""
as_postgres postgres --single -D "$PGDATA" postgres < /run/parity-init/roles.sql > /dev/null
rm -rf /run/parity-init
export HOME=/var/lib/postgresql
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres "$@"
"""


def enabled() -> bool:
    """Templates are on unless PARITY_NO_TEMPLATE is set (to compare, or to debug a start)."""
    return not os.environ.get("PARITY_NO_TEMPLATE")


def roles_sql(spec: DatabaseSpec, app_role: str, password: str, admin_role: str, admin_password: str) -> str:
    """Single-user-mode commands (one per line) giving this environment's roles their passwords."""
    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"
    lines = ["SET password_encryption = 'scram-sha-256'",
             f"ALTER ROLE {app_role} PASSWORD {literal(password)}"]
    if not spec.superuser:
        lines.append(f"ALTER ROLE {admin_role} PASSWORD {literal(admin_password)}")
    return "\n".join(lines) + "\n"


def template_for(
    client: docker.DockerClient,
    image: str,
    spec: DatabaseSpec,
    env: dict[str, str],
    init_files: dict[str, bytes],
    progress: Callable[[str], None],
    labels: dict[str, str],
    check_open: Callable[[], None] = lambda: None,
) -> str | None:
    """The template image for this image and role layout, made once; None if it cannot be made."""
    try:
        base_id = client.images.get(image).id
    except docker.errors.ImageNotFound:
        return None
    key = hashlib.sha256(f"{base_id}|{spec.superuser}|{spec.name}|{TEMPLATE_VERSION}".encode()).hexdigest()[:16]
    ref = f"{TEMPLATE_REPO}:{key}"
    try:
        client.images.get(ref)
        return ref
    except docker.errors.ImageNotFound:
        pass
    progress(f"pre-initialising a {image} cluster (once; later starts skip initdb)")
    try:
        _make(client, image, ref, env, init_files, labels, check_open)
    except (docker.errors.DockerException, TimeoutError) as exc:
        progress(f"could not pre-initialise ({str(exc).splitlines()[0][:200]}); starting with initdb")
        return None
    return ref


def _make(client: docker.DockerClient, image: str, ref: str, env: dict[str, str],
          init_files: dict[str, bytes], labels: dict[str, str], check_open: Callable[[], None]) -> None:
    # The builder carries its environment's labels, so an interrupted run removes it like the rest.
    labels = labels | {L.ROLE: "template"}
    container = client.containers.create(
        image, command=["postgres"], labels=labels,
        environment=env | {"PGDATA": TEMPLATE_DIR, "POSTGRES_PASSWORD": PLACEHOLDER},
    )
    try:
        for path, archive in init_files.items():
            container.put_archive(path, archive)
        container.start()
        _wait_for_final_server(container, timeout=120, check_open=check_open)
        container.stop(timeout=30)  # a clean shutdown: the copied cluster needs no recovery
        # The image must not pass the builder's parity labels on to containers made from it.
        cleared = " ".join(f"{key}=" for key in labels)
        container.commit(repository=ref.split(":")[0], tag=ref.split(":")[1],
                         changes=[f"LABEL io.parity.template=true {cleared}"])
    finally:
        container.remove(force=True, v=True)  # v: the image's declared VOLUME, unused but created


def _wait_for_final_server(container: docker.models.containers.Container, timeout: float,
                           check_open: Callable[[], None]) -> None:
    # During init only the unix socket listens; TCP answering means init is over.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check_open()
        code, _ = container.exec_run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"])
        if code == 0:
            return
        container.reload()
        if container.status in ("exited", "dead"):
            raise TimeoutError("the template container exited during initialisation")
        time.sleep(0.1)
    raise TimeoutError("the template cluster was not ready in time")
