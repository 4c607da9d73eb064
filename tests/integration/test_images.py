"""The offline stand-in images keep the official images' contract, checked on live containers.

Images are built only when missing (builds are cached by tag), so a machine that has the
official images tests those instead: the contract is the same either way.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import io
import secrets
import tarfile
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors
import psycopg
import pytest

from parity.engine.images import build_images
from parity.engine.recipes import offline_refs
from parity.env.balancer import LOAD_BALANCER_IMAGE

pytestmark = pytest.mark.integration

# Every image parity offers, as parity lists them: a new one is tested without being written here.
OFFERED = offline_refs()
POSTGRES_MAJORS = [ref.removeprefix("postgres:") for ref in OFFERED if ref.startswith("postgres:")]
(PYTHON_REF,) = [ref for ref in OFFERED if ref.startswith("python:")]
HAPROXY_REF = LOAD_BALANCER_IMAGE
TEST_LABELS = {"io.parity.managed": "true", "io.parity.test": "images"}
READY_TIMEOUT_S = 90


@pytest.fixture(scope="module")
def images(docker_client: docker.DockerClient) -> docker.DockerClient:
    """The engine, with every image under test present (built offline if missing)."""
    build_images(
        docker_client,
        OFFERED,
        lambda line: print(line, flush=True),
    )
    return docker_client


@pytest.fixture
def containers(images: docker.DockerClient) -> Iterator[Callable[..., Any]]:
    """A factory for labelled, created-not-started containers, all removed at teardown."""
    made: list[Any] = []

    def create(image: str, **kwargs: Any) -> Any:
        container = images.containers.create(image, labels=dict(TEST_LABELS), **kwargs)
        made.append(container)
        return container

    try:
        yield create
    finally:
        for container in made:
            # v=True: the postgres image declares a VOLUME; leave no anonymous volume.
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True, v=True)


def tar_of(files: dict[str, tuple[bytes, int]]) -> bytes:
    """A tar archive of {name: (content, mode)} for container.put_archive."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, (content, mode) in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = mode
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def host_port(container: Any) -> int:
    container.reload()
    return int(container.ports["5432/tcp"][0]["HostPort"])


def connect_when_ready(container: Any, **params: Any) -> psycopg.Connection[Any]:
    """Poll until the server accepts a TCP login, failing early if the container died."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    last: Exception | None = None
    while time.monotonic() < deadline:
        container.reload()
        if container.status == "exited":
            logs = container.logs().decode(errors="replace")[-3000:]
            pytest.fail(f"postgres container exited during start-up:\n{logs}")
        try:
            return psycopg.connect(
                host="127.0.0.1", port=host_port(container), connect_timeout=3, **params
            )
        except psycopg.OperationalError as exc:
            last = exc
            time.sleep(0.5)
    logs = container.logs().decode(errors="replace")[-3000:]
    pytest.fail(f"postgres not connectable within {READY_TIMEOUT_S}s ({last}):\n{logs}")


INIT_SQL = b"""
CREATE TABLE init_log (id serial PRIMARY KEY, step text NOT NULL, who text NOT NULL);
INSERT INTO init_log (step, who) VALUES ('sql', current_user);
"""
# Executable: must be run as a program (with the entrypoint's environment).
INIT_EXEC_SH = b"""#!/bin/bash
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \\
  -c "INSERT INTO init_log (step, who) VALUES ('exec-sh', current_user)"
"""
# Not executable: must be sourced; proves it by using a variable only the entrypoint has set.
INIT_SOURCED_SH = b"""
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \\
  -c "INSERT INTO init_log (step, who) VALUES ('sourced-sh', '$PGDATA')"
"""
INIT_SQL_GZ = gzip.compress(b"INSERT INTO init_log (step, who) VALUES ('sql-gz', current_user);\n")


@pytest.mark.parametrize("major", POSTGRES_MAJORS)
def test_postgres_contract(containers: Callable[..., Any], major: str) -> None:
    password = secrets.token_urlsafe(16)
    user, db = f"app_{secrets.token_hex(3)}", f"db_{secrets.token_hex(3)}"
    container = containers(
        f"postgres:{major}",
        environment={"POSTGRES_PASSWORD": password, "POSTGRES_USER": user, "POSTGRES_DB": db},
        ports={"5432/tcp": ("127.0.0.1", None)},
    )
    # Names sort in the order the scripts must run; the 4th is gzip'd SQL.
    container.put_archive(
        "/docker-entrypoint-initdb.d",
        tar_of(
            {
                "10-schema.sql": (INIT_SQL, 0o644),
                "20-exec.sh": (INIT_EXEC_SH, 0o755),
                "30-sourced.sh": (INIT_SOURCED_SH, 0o644),
                "40-more.sql.gz": (INIT_SQL_GZ, 0o644),
            }
        ),
    )
    container.start()

    with connect_when_ready(container, user=user, password=password, dbname=db) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        encoding = conn.execute("SHOW server_encoding").fetchone()
        # SHOW lc_collate was removed in PostgreSQL 16; pg_database has it in every version.
        collate = conn.execute(
            "SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()"
        ).fetchone()
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (db,)
        ).fetchone()
        me = conn.execute(
            "SELECT current_user, rolsuper, rolpassword FROM pg_authid WHERE rolname = current_user"
        ).fetchone()
        steps = conn.execute("SELECT step, who FROM init_log ORDER BY id").fetchall()
        listen = conn.execute("SHOW listen_addresses").fetchone()
        checksums = conn.execute("SHOW data_checksums").fetchone()

    assert version is not None and version[0].startswith(f"{major}.")
    assert encoding == ("UTF8",)
    # The official image's locale: LANG=en_US.utf8, with no locale argument to initdb.
    assert collate == ("en_US.utf8", "en_US.utf8")
    assert owner == (user,)
    assert me is not None and me[0] == user and me[1] is True
    # Stored as SCRAM even on 13, whose default password_encryption was md5.
    assert me[2].startswith("SCRAM-SHA-256$")
    # From 18 on the official image keeps each major in its own directory, with the VOLUME
    # above them all (so `pg_upgrade --link` works within one mount), and initdb turns on
    # data checksums unless told otherwise.
    per_major = int(major) >= 18
    pgdata = f"/var/lib/postgresql/{major}/docker" if per_major else "/var/lib/postgresql/data"
    assert steps == [
        ("sql", user),
        ("exec-sh", user),
        ("sourced-sh", pgdata),
        ("sql-gz", user),
    ]
    assert listen == ("*",)
    assert checksums == ("on" if per_major else "off",)
    volume = "/var/lib/postgresql" if per_major else pgdata
    assert [(m["Type"], m["Destination"]) for m in container.attrs["Mounts"]] == [("volume", volume)]

    # The server (PID 1 after the entrypoint's exec) runs as postgres, not root.
    code, out = container.exec_run(["stat", "-c", "%U", "/proc/1"])
    assert (code, out.decode().strip()) == (0, "postgres")

    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host="127.0.0.1",
            port=host_port(container),
            user=user,
            password=password + "-wrong",
            dbname=db,
            connect_timeout=5,
        )


@pytest.mark.parametrize("major", POSTGRES_MAJORS)
def test_postgres_refuses_to_start_without_password(
    containers: Callable[..., Any], major: str
) -> None:
    container = containers(f"postgres:{major}")
    container.start()
    result = container.wait(timeout=60)
    logs = container.logs().decode(errors="replace")
    assert result["StatusCode"] != 0, logs
    assert "POSTGRES_PASSWORD" in logs


def test_postgres_18_refuses_an_empty_cluster_beside_a_mount_at_the_pre_18_path(
    containers: Callable[..., Any],
) -> None:
    # A compose file written for 13-17 mounts its volume at /var/lib/postgresql/data; 18 would
    # ignore it and start empty, so the official image stops and says why instead.
    password = secrets.token_urlsafe(16)
    old_mount = {"/var/lib/postgresql/data": "rw"}
    ignored = containers("postgres:18", environment={"POSTGRES_PASSWORD": password}, tmpfs=old_mount)
    ignored.start()
    result = ignored.wait(timeout=60)
    logs = ignored.logs().decode(errors="replace")
    assert result["StatusCode"] != 0, logs
    assert "/var/lib/postgresql/data" in logs and "/var/lib/postgresql/18/docker" in logs
    # Naming that directory as PGDATA (as parity does) is the documented way to keep using it.
    kept = containers(
        "postgres:18",
        environment={"POSTGRES_PASSWORD": password, "PGDATA": "/var/lib/postgresql/data"},
        tmpfs=old_mount,
        ports={"5432/tcp": ("127.0.0.1", None)},
    )
    kept.start()
    with connect_when_ready(kept, user="postgres", password=password, dbname="postgres") as conn:
        assert conn.execute("SHOW data_directory").fetchone() == ("/var/lib/postgresql/data",)


def build_wheel(directory: Path, token: str) -> str:
    """Build a minimal pure-Python wheel whose module holds `token`; return the dist name."""
    name, version = "parity_probe", "1.0"
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VALUE = {token!r}\n".encode(),
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: parity-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(directory / f"{name}-{version}-py3-none-any.whl", "w") as whl:
        for path, data in files.items():
            whl.writestr(path, data)
    return name


def test_python_slim_contract(containers: Callable[..., Any], tmp_path: Path) -> None:
    token = secrets.token_hex(8)
    dist = build_wheel(tmp_path, token)
    container = containers(PYTHON_REF, command=["sleep", "600"])
    container.put_archive(
        "/",
        tar_of({f"w/{p.name}": (p.read_bytes(), 0o644) for p in tmp_path.glob("*.whl")}),
    )
    container.start()

    def run(*cmd: str) -> tuple[int, str]:
        code, out = container.exec_run(list(cmd))
        return code, out.decode(errors="replace")

    code, out = run("python", "--version")
    assert code == 0 and out.startswith("Python 3.11."), out
    code, out = run("pip", "--version")
    assert code == 0 and "python 3.11" in out, out

    code, out = run("python", "-m", "venv", "/tmp/venv")
    assert code == 0, out
    code, out = run(
        "/tmp/venv/bin/python", "-c", "import sys; print(sys.prefix != sys.base_prefix)"
    )
    assert (code, out.strip()) == (0, "True")

    # No --break-system-packages: pip must behave like in the official image.
    code, out = run("pip", "install", "--no-index", "--find-links", "/w", dist)
    assert code == 0, out
    code, out = run("python", "-c", f"import {dist}; print({dist}.VALUE)")
    assert (code, out.strip()) == (0, token)


HAPROXY_CONFIG = """\
global
    log stdout format raw local0
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend answer
    bind :8080
    http-request return status 200 content-type text/plain string ok
"""


def test_haproxy_contract(containers: Callable[..., Any]) -> None:
    # As the official image: the configuration at /usr/local/etc/haproxy/haproxy.cfg, haproxy in
    # the foreground as a master with workers, as uid 99, stopped gracefully by SIGUSR1.
    container = containers(HAPROXY_REF, ports={"8080/tcp": ("127.0.0.1", None)})
    container.put_archive("/usr/local/etc/haproxy", tar_of({"haproxy.cfg": (HAPROXY_CONFIG.encode(), 0o644)}))
    container.start()
    container.reload()
    port = container.attrs["NetworkSettings"]["Ports"]["8080/tcp"][0]["HostPort"]
    deadline = time.monotonic() + READY_TIMEOUT_S
    body = b""
    while time.monotonic() < deadline and body != b"ok":
        with contextlib.suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
            body = response.read()
        time.sleep(0.1)
    assert body == b"ok"
    code, out = container.exec_run(["id", "-u"])
    assert (code, out.decode().strip()) == (0, "99")
    code, out = container.exec_run(["cat", "/proc/1/cmdline"])
    assert out.split(b"\0")[:4] == [b"haproxy", b"-W", b"-db", b"-f"], out
    assert container.attrs["Config"]["StopSignal"] == "SIGUSR1"
    container.stop(timeout=10)
    container.reload()
    assert container.attrs["State"]["ExitCode"] == 0
