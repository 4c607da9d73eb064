"""Pre-initialised Postgres clusters: initdb once per (image, role layout), used in place at every start.

initdb and the entrypoint's temporary server take most of a fresh container's start. The
template is made by the image's own entrypoint (so it is exactly what a fresh start makes),
committed as a local image; each environment's container starts from it with the cluster in
its own writable layer (the storage driver copies a file only when it is first written), sets
its own random passwords in single-user mode, and starts the server directly.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass

import docker
import docker.errors

from parity.engine import clones
from parity.engine import labels as L
from parity.engine.images import volumes_over
from parity.engine.state import exit_state
from parity.env import locale
from parity.env.extensions import TRUST_SH
from parity.env.placement import Placement
from parity.env.tls import INSTALL_TLS_SH
from parity.profile.models import DatabaseSpec

# Where the environments' clusters live (database.PGDATA): outside /var/lib/postgresql, where
# postgres:18 declares its VOLUME, since `docker commit` leaves volumes out.
TEMPLATE_DIR = "/var/lib/parity/pgdata"
TEMPLATE_REPO = "parity-pgtemplate"
TEMPLATE_VERSION = "3"  # bump when the way templates are made changes
PLACEHOLDER = "parity-template-placeholder"  # replaced at every start; never a real password

# Runs as root in the environment's container, whose PGDATA is the template's cluster: set this
# environment's passwords in single-user mode (the commands come in $PARITY_ROLES, so the server
# can start as soon as the container does), install the TLS files privately, start Postgres.
ROLES_VAR = "PARITY_ROLES"
# Set when files (TLS) are uploaded after the container has started: the start script waits for
# the marker that comes last in their archive, while its single-user step runs.
FILES_VAR = "PARITY_FILES"
START_SCRIPT = r"""
set -e
as_postgres() { HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
rm -f "$PGDATA/postmaster.pid"
if [ -n "${FILLED:-}" ]; then
  # A filled cluster: the storage driver copies a file up when it is first opened for writing;
  # do it now for the data files, not in the middle of the migrations being measured.
  find "$PGDATA/base" "$PGDATA/global" -type f -size +1M -exec sh -c 'for f do : >> "$f"; done' parity-warm {} +
fi
if [ -e /run/parity-restart ]; then
  # Started again after a database.failover: the roles keep the secrets they have (a new salt
  # would lock out a pooler that logs in with the old secret).
  rm -f /run/parity-restart
else
  printf '%s\n' "$PARITY_ROLES" | as_postgres postgres --single -D "$PGDATA" postgres > /dev/null
fi
unset PARITY_ROLES
if [ -n "${PARITY_FILES:-}" ]; then
  tries=0
  until [ -e /run/parity-init/.complete ]; do
    tries=$((tries + 1)); [ "$tries" -lt 6000 ] || { echo "parity: the environment's files never arrived" >&2; exit 1; }
    sleep 0.01
  done
  rm -rf /run/parity-init
fi
""" + INSTALL_TLS_SH + TRUST_SH + r"""
export HOME=/var/lib/postgresql
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres "$@"
"""


RESTART_MARK = "parity-restart"  # in /run: a start after a failover (see START_SCRIPT)
FILLED_PREFIX = "data-"  # tags of filled clusters: parity-pgtemplate:data-<key>
# Bump when the way filled clusters are saved changes (2: shut down cleanly, kept in the reflink
# store): a cluster cached the old way is then filled and saved again, once.
FILLED_VERSION = "2"


def enabled() -> bool:
    """Templates are on unless PARITY_NO_TEMPLATE is set (to compare, or to debug a start)."""
    return not os.environ.get("PARITY_NO_TEMPLATE")


def roles_sql(passwords: dict[str, str]) -> str:
    """Single-user-mode commands (one per line) giving this environment's roles (role -> password)
    their passwords."""
    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"
    lines = ["SET password_encryption = 'scram-sha-256'"]
    lines += [f"ALTER ROLE {role} PASSWORD {literal(password)}" for role, password in passwords.items()]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Initdb:
    """How the image's own entrypoint initialises a cluster: the image (and the engine's copy of
    it), the variables it reads, and its init scripts (tar archives by the directory they unpack in)."""

    image: str
    base: docker.models.images.Image
    environment: dict[str, str]
    files: dict[str, bytes]


def template_for(placement: Placement, initdb: Initdb, spec: DatabaseSpec,
                 progress: Callable[[str], None]) -> str | None:
    """The template image for the initdb's image and this role layout, made once; None if it
    cannot be made."""
    image = initdb.image
    if volumes_over(initdb.base.attrs, TEMPLATE_DIR):  # `docker commit` would leave the cluster out
        progress(f"{image} declares a VOLUME over {TEMPLATE_DIR}: no pre-initialised cluster, starting with initdb")
        return None
    # Everything the entrypoint reads (database name, superuser, the locale's initdb arguments, the
    # init scripts' roles): clusters made differently never share a template.
    variables = json.dumps(initdb.environment, sort_keys=True)
    # (A provider's roles and an allow-list's trigger come in init scripts too: their digest keys them.)
    key = hashlib.sha256(f"{initdb.base.id}|{spec.superuser}|{variables}|{_scripts(initdb.files)}|{TEMPLATE_VERSION}"
                         .encode()).hexdigest()[:16]
    ref = f"{TEMPLATE_REPO}:{key}"
    try:
        placement.client.images.get(ref)
        return ref
    except docker.errors.ImageNotFound:
        pass
    progress(f"pre-initialising a {image} cluster (once; later starts skip initdb)")
    try:
        _make(placement, initdb, ref)
    except (docker.errors.DockerException, TimeoutError) as exc:
        said = locale.complaint(str(exc))
        if said:  # initdb refused the locale: a start without the template would fail the same way
            raise locale.unavailable(spec, said) from None
        progress(f"could not pre-initialise ({str(exc).splitlines()[0][:200]}); starting with initdb")
        return None
    return ref


def _scripts(files: dict[str, bytes]) -> str:
    """A digest of the init scripts' names and contents (not their archives' times)."""
    digest = hashlib.sha256()
    for directory, archive in sorted(files.items()):
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            for member in tar.getmembers():
                content = tar.extractfile(member)
                digest.update(f"{directory}{member.name}\0".encode() + (content.read() if content else b"") + b"\0")
    return digest.hexdigest()


def _make(placement: Placement, initdb: Initdb, ref: str) -> None:
    # The builder carries its environment's labels, so an interrupted run removes it like the rest.
    # It has no name: templates are shared by every environment.
    labels = placement.labels("template")
    container = placement.client.containers.create(
        initdb.image, command=["postgres"], labels=labels,
        environment=initdb.environment | {"PGDATA": TEMPLATE_DIR, "POSTGRES_PASSWORD": PLACEHOLDER},
    )
    try:
        for path, archive in initdb.files.items():
            container.put_archive(path, archive)
        container.start()
        _wait_for_final_server(container, timeout=120, check_open=placement.check_open)
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
        if exit_state(container) is not None:
            logs = container.logs(tail=15).decode(errors="replace")  # only placeholder passwords in it
            raise TimeoutError(f"the template container exited during initialisation:\n{logs}")
        time.sleep(0.1)
    raise TimeoutError("the template cluster was not ready in time")


def filled_ref(template: str, fingerprint: str) -> str:
    """The image of the cluster `template` becomes once filled as `fingerprint` says."""
    key = hashlib.sha256(f"{template}|{fingerprint}|{TEMPLATE_VERSION}|{FILLED_VERSION}".encode()).hexdigest()[:16]
    return f"{TEMPLATE_REPO}:{FILLED_PREFIX}{key}"


# Runs as root in a container made from the paused commit of a filled cluster: replay the little
# WAL since the last CHECKPOINT in single-user mode, which ends with a shutdown checkpoint, so every
# later start finds a cluster shut down cleanly and skips recovery. Crash recovery would first fsync
# the whole data directory, opening every file O_RDWR (which makes the storage driver copy each one
# up): seconds per GB at every start, and as large again in this layer. recovery_init_sync_method
# = syncfs (Postgres 14+) syncs the filesystem once instead (and wal_recycle = off deletes spent
# WAL rather than renaming it, which would copy it into this layer); without syncfs (13) exit 3:
# the commit is kept as it is and each start recovers, as before.
FINISH_SCRIPT = r"""
set -e
postgres --describe-config 2>/dev/null | grep -q '^recovery_init_sync_method' || exit 3
rm -f "$PGDATA/postmaster.pid"
HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups \
  postgres --single -D "$PGDATA" -c recovery_init_sync_method=syncfs -c wal_recycle=off postgres < /dev/null
"""
FINISH_TIMEOUT_S = 600  # recovery replays at most what was written since the CHECKPOINT


def save_filled(container: docker.models.containers.Container, ref: str, labels: dict[str, str]) -> None:
    """Commit a running database container's cluster as a filled template, shut down cleanly.

    The container is paused while its filesystem is copied (what a crash at that instant would
    leave); a short-lived container made from that copy then replays the WAL since the last
    CHECKPOINT and shuts the server down (FINISH_SCRIPT), and that is the image, so starts from it
    run no recovery; where there is a reflink store, the image's cluster is kept there too. Its
    TLS files live on a tmpfs and its init files are deleted, so neither is in the image; its
    password variables (the roles' commands with them) and labels are cleared.
    """
    # The finisher is labelled like the database it came from (removed with its environment if
    # parity is interrupted here), with its own role.
    finisher_labels = {**labels, L.ROLE: "cache"}
    cleared = " ".join(f"{key}=" for key in finisher_labels)
    changes = [f"LABEL io.parity.template=true io.parity.filled=true {cleared}",
               f'ENV POSTGRES_PASSWORD={PLACEHOLDER} {ROLES_VAR}="" {FILES_VAR}=""']
    repository, tag = ref.split(":")
    # Tagged first: if the finisher cannot run (Postgres 13 has no syncfs, or it fails), the paused
    # commit is a consistent cluster all the same, and each start from it recovers first.
    raw = container.commit(repository=repository, tag=tag, pause=True, changes=changes)
    config = raw.attrs["Config"]
    finisher = container.client.containers.create(raw.id, entrypoint=["sh", "-c", FINISH_SCRIPT],
                                                  labels=finisher_labels)
    try:
        finisher.start()
        if int(finisher.wait(timeout=FINISH_TIMEOUT_S).get("StatusCode", 1)) == 0:
            # Its own entrypoint is the finisher's: the image keeps the database container's.
            restore = [f"ENTRYPOINT {json.dumps(config.get('Entrypoint') or [])}",
                       f"CMD {json.dumps(config.get('Cmd') or [])}"]
            finisher.commit(repository=repository, tag=tag, changes=changes + restore)
    finally:
        finisher.remove(force=True, v=True)
    # Where the engine allows it, kept once more on a reflink filesystem: each later start gets a
    # copy of it in time independent of its size (parity.engine.clones).
    clones.keep(container.client, ref, TEMPLATE_DIR, finisher_labels)
