"""The database of a profile, checked against live servers: version, TLS, roles, caps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docker
import psycopg
import pytest

from parity.engine import inventory
from parity.engine import labels as L
from parity.env.environment import Environment
from parity.profile.loader import load_profile
from tests.conftest import write_profile
from tests.integration import projects

SHAPES = {
    # name: (profile YAML, what it stands for)
    "pg13": "database: {version: '13', ssl: required, superuser: false, memory: 512m,"
            " max_connections: 8, settings: {timezone: Asia/Tokyo}}\n",
    "pg15": "database: {version: '15', ssl: off, superuser: true}\n",
    "pg17": "database: {version: '17', ssl: optional, superuser: false}\n",
    # 18's image keeps PGDATA elsewhere and declares its VOLUME above it; parity's must still work.
    "pg18": "database: {version: '18', ssl: required, superuser: false}\n",
}


def _start(docker_client, tmp_path_factory, name: str) -> Iterator[Environment]:  # type: ignore[no-untyped-def]
    yield from projects.started_environment(docker_client, tmp_path_factory, name, SHAPES[name])


@pytest.fixture(scope="module")
def pg13(docker_client, tmp_path_factory) -> Iterator[Environment]:  # type: ignore[no-untyped-def]
    yield from _start(docker_client, tmp_path_factory, "pg13")


@pytest.fixture(scope="module")
def pg15(docker_client, tmp_path_factory) -> Iterator[Environment]:  # type: ignore[no-untyped-def]
    yield from _start(docker_client, tmp_path_factory, "pg15")


@pytest.fixture(scope="module")
def pg17(docker_client, tmp_path_factory) -> Iterator[Environment]:  # type: ignore[no-untyped-def]
    yield from _start(docker_client, tmp_path_factory, "pg17")


@pytest.fixture(scope="module")
def pg18(docker_client, tmp_path_factory) -> Iterator[Environment]:  # type: ignore[no-untyped-def]
    yield from _start(docker_client, tmp_path_factory, "pg18")


def _connect(env: Environment, **overrides: object) -> psycopg.Connection:
    assert env.database is not None
    kwargs = env.database.connect_kwargs() | overrides
    return psycopg.connect(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("fixture", "major"), [("pg13", "13"), ("pg15", "15"), ("pg17", "17"), ("pg18", "18")])
def test_the_major_version_asked_for_is_running(request: pytest.FixtureRequest, fixture: str, major: str) -> None:
    env: Environment = request.getfixturevalue(fixture)
    with _connect(env) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        encoding = conn.execute("SHOW server_encoding").fetchone()
        collate = conn.execute(
            "SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert version and version[0].split(".")[0] == major
    # The official image's locale when the profile names none: the stand-ins generate it too.
    assert encoding == ("UTF8",) and collate == ("en_US.utf8", "en_US.utf8")


@pytest.mark.parametrize("fixture", ["pg13", "pg15", "pg17", "pg18"])
def test_the_cluster_starts_from_a_pre_initialised_one_on_disk_and_in_no_volume(
    request: pytest.FixtureRequest, fixture: str, docker_client
) -> None:  # type: ignore[no-untyped-def]
    from parity.env import pgtemplate
    from parity.env.database import PGDATA

    if not pgtemplate.enabled():
        pytest.skip("PARITY_NO_TEMPLATE is set")
    env: Environment = request.getfixturevalue(fixture)
    assert env.database and env.database.container_id and env.database.admin_password
    container = docker_client.containers.get(env.database.container_id)
    assert container.attrs["Config"]["Image"].startswith(f"{pgtemplate.TEMPLATE_REPO}:")
    # No anonymous volume on disk, whatever VOLUME the image declares (18: /var/lib/postgresql).
    assert [m for m in container.attrs["Mounts"] if m["Type"] == "volume"] == []
    # data_directory is for superusers: the app role where it is one (pg15), else postgres.
    superuser = env.database.admin_password == env.database.password
    admin = {} if superuser else {"user": "postgres", "password": env.database.admin_password}
    with _connect(env, **admin) as conn:
        assert conn.execute("SHOW data_directory").fetchone() == (PGDATA,)
    # In the container's own filesystem (on disk, gone with the container), not a tmpfs: tmpfs
    # pages would count against database.memory.
    code, out = container.exec_run(["stat", "-f", "-c", "%T", PGDATA])
    assert code == 0 and out.decode().strip() == "overlayfs"


@pytest.mark.parametrize("fixture", ["pg13", "pg18"])
def test_ssl_required_refuses_a_client_without_tls(request: pytest.FixtureRequest, fixture: str) -> None:
    env: Environment = request.getfixturevalue(fixture)
    with pytest.raises(psycopg.OperationalError) as caught:
        _connect(env, sslmode="disable", sslrootcert=None)
    # The `hostnossl ... reject` rule of managed Postgres refused it (the words after the database
    # name differ by major: "SSL off" in 13, "no encryption" later).
    assert "pg_hba.conf rejects connection" in str(caught.value), caught.value


def test_ssl_required_accepts_tls_verified_against_the_environment_ca(pg13: Environment) -> None:
    assert pg13.database and pg13.database.ca_cert_path and pg13.database.ca_cert_path.is_file()
    with _connect(pg13, sslmode="verify-full") as conn:
        row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
    assert row == (True,)


def test_ssl_off_accepts_plain_clients_and_offers_no_tls(pg15: Environment) -> None:
    with _connect(pg15, sslmode="disable") as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError) as caught:
        _connect(pg15, sslmode="require")
    assert "SSL" in str(caught.value)


def test_ssl_optional_offers_tls_without_requiring_it(pg17: Environment) -> None:
    with _connect(pg17, sslmode="disable", sslrootcert=None) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    with _connect(pg17, sslmode="verify-ca") as conn:
        row = conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
    assert row == (True,)


@pytest.mark.parametrize("fixture", ["pg13", "pg17", "pg18"])
def test_a_non_superuser_app_role_owns_its_database_but_cannot_create_untrusted_extensions(
    request: pytest.FixtureRequest, fixture: str
) -> None:
    env: Environment = request.getfixturevalue(fixture)
    with _connect(env) as conn:
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        ).fetchone()
        is_super = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
        conn.execute("CREATE TABLE owned_by_app (id int)")  # it may create objects in its database
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
            conn.execute("CREATE EXTENSION postgres_fdw")
    assert owner == ("app",) and is_super == (False,)
    assert "permission denied" in str(caught.value)
    # ...while a superuser of the same server can: the refusal is the role, not the server.
    assert env.database and env.database.admin_password
    with _connect(env, user="postgres", password=env.database.admin_password) as admin:
        admin.execute("CREATE EXTENSION postgres_fdw")
        assert admin.execute("SELECT count(*) FROM pg_extension WHERE extname = 'postgres_fdw'").fetchone() == (1,)


def test_a_superuser_profile_connects_as_a_superuser(pg15: Environment) -> None:
    with _connect(pg15) as conn:
        assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (True,)
        conn.execute("CREATE EXTENSION postgres_fdw")


def test_memory_cap_is_in_force_in_the_container_cgroup(pg13: Environment, docker_client) -> None:  # type: ignore[no-untyped-def]
    assert pg13.database and pg13.database.container_id
    container = docker_client.containers.get(pg13.database.container_id)
    assert container.attrs["HostConfig"]["Memory"] == 512 * 2**20
    code, output = container.exec_run(
        ["sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max"]
    )
    assert code == 0 and int(output.decode().strip()) == 512 * 2**20


def test_max_connections_and_settings_are_in_force(pg13: Environment) -> None:
    with _connect(pg13) as conn:
        assert conn.execute("SHOW max_connections").fetchone() == ("8",)
        assert conn.execute("SHOW timezone").fetchone() == ("Asia/Tokyo",)
    opened: list[psycopg.Connection] = []
    try:
        with pytest.raises(psycopg.OperationalError) as caught:
            for _ in range(20):
                opened.append(_connect(pg13))
    finally:
        for conn in opened:
            conn.close()
    assert len(opened) <= 8
    # The app's role is no superuser (superuser: false): the last slots are kept for one, as managed
    # Postgres keeps them for its own administrators.
    assert "remaining connection slots are reserved" in str(caught.value), caught.value


def test_ports_are_published_on_loopback_only_and_resources_are_labelled(pg15: Environment, docker_client) -> None:  # type: ignore[no-untyped-def]
    assert pg15.database and pg15.database.container_id
    container = docker_client.containers.get(pg15.database.container_id)
    bindings = container.attrs["NetworkSettings"]["Ports"]["5432/tcp"]
    assert bindings and all(b["HostIp"] == "127.0.0.1" for b in bindings)
    assert container.labels[L.ENV_ID] == pg15.env_id and container.labels[L.MANAGED] == "true"
    assert not container.attrs["HostConfig"]["Privileged"]
    # A lone database gets no private network (nothing would join it): none is created, labelled or not.
    assert not pg15.has_network
    assert not docker_client.networks.list(names=[pg15.network_name])


def test_each_environment_gets_its_own_random_password(pg13: Environment, pg15: Environment, pg17: Environment) -> None:
    passwords = {e.database.password for e in (pg13, pg15, pg17) if e.database}
    assert len(passwords) == 3 and all(len(p) >= 20 for p in passwords)


def test_sqlite_engine_is_a_file_and_no_container(docker_client, project_dir: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    write_profile(project_dir, "lite", "database: {engine: sqlite}\n")
    env = Environment(docker_client, load_profile(project_dir / "profiles", "lite"), project_dir)
    with env:
        env.up()
        assert env.database and env.database.sqlite_path and env.database.sqlite_path.is_file()
        assert env.database.url("host") == f"sqlite:///{env.database.sqlite_path}"
        assert not inventory.containers(docker_client, L.label_filter({L.ENV_ID: env.env_id}))
        path = env.database.sqlite_path
    assert not path.exists()


def test_environments_from_the_same_template_have_their_own_passwords(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    from parity.env.pgtemplate import PLACEHOLDER

    (tmp_path / "profiles").mkdir()
    write_profile(tmp_path, "p", "database: {version: '15', superuser: false}\n")
    loaded = load_profile(tmp_path / "profiles", "p")
    first, second = Environment(docker_client, loaded, tmp_path), Environment(docker_client, loaded, tmp_path)
    with first, second:
        first.up()
        second.up()
        assert first.database and second.database
        assert first.database.password != second.database.password
        for user, password in (("app", PLACEHOLDER), ("postgres", PLACEHOLDER), ("app", first.database.password)):
            with pytest.raises(psycopg.OperationalError) as caught:
                _connect(second, user=user, password=password)
            assert "password authentication failed" in str(caught.value)
        with _connect(second) as conn:
            assert conn.execute("SELECT current_user").fetchone() == ("app",)


def test_a_database_whose_files_exceed_its_memory_cap_still_works(docker_client, tmp_path: Path, no_leaks: None) -> None:  # type: ignore[no-untyped-def]
    # database.memory caps the server's processes, as in production, not its files: 300 MB of
    # rows (268 MB of files) and an index built over them under a 192 MiB cap. With the files on a tmpfs (charged
    # to the container's cgroup) the kernel kills a backend ("terminated by signal 9").
    (tmp_path / "profiles").mkdir()
    write_profile(tmp_path, "capped", "database: {version: '15', memory: 192m, settings: {shared_buffers: 32MB}}\n")
    env = Environment(docker_client, load_profile(tmp_path / "profiles", "capped"), tmp_path)
    with env:
        env.up()
        assert env.database and env.database.container_id
        with _connect(env) as conn:
            started = conn.execute("SELECT pg_postmaster_start_time()").fetchone()
            conn.execute("CREATE TABLE big (id int PRIMARY KEY, title text NOT NULL, body text NOT NULL)")
            conn.execute("INSERT INTO big SELECT i, repeat(md5(i::text), 3), repeat(md5(i::text), 5) "
                         "FROM generate_series(1, 800000) AS i")
            conn.commit()
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            conn.execute("CREATE INDEX big_title ON big (title)")
            conn.commit()
        with _connect(env) as conn:
            assert conn.execute("SELECT count(*) FROM big").fetchone() == (800000,)
            assert conn.execute("SELECT pg_postmaster_start_time()").fetchone() == started
        container = docker_client.containers.get(env.database.container_id)
        assert size and size[0] > 192 * 2**20
        assert not container.attrs["State"]["OOMKilled"]
        assert b"terminated by signal 9" not in container.logs()


def test_an_image_without_a_template_starts_with_initdb_and_the_app_role_logs_in(
    docker_client: docker.DockerClient, tmp_path: Path, no_leaks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As for an image declaring a VOLUME over the template's directory: the image's own initdb
    # runs, and the app role it creates has this environment's password (not the template's placeholder).
    from parity.env import pgtemplate

    monkeypatch.delenv("PARITY_NO_TEMPLATE", raising=False)
    monkeypatch.setattr(pgtemplate, "volumes_over", lambda attrs, path: ["/var/lib"])
    (tmp_path / "profiles").mkdir()
    write_profile(tmp_path, "p", "database: {version: '15', superuser: false, ssl: required}\n")
    said: list[str] = []
    env = Environment(docker_client, load_profile(tmp_path / "profiles", "p"), tmp_path, progress=said.append)
    with env:
        env.up()
        assert any("no pre-initialised cluster, starting with initdb" in line for line in said)
        assert env.database and env.database.container_id
        container = docker_client.containers.get(env.database.container_id)
        assert container.attrs["Config"]["Image"] == "postgres:15"
        with _connect(env) as conn:
            assert conn.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
                                ).fetchone() == ("app", False)
            assert conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone() == (True,)
