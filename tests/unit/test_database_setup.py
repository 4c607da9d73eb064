"""The Postgres container configured from a profile's database section, without an engine."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from parity.env import pgtemplate
from parity.env.database import (
    Cluster,
    Database,
    PostgresSetup,
    configure_postgres,
)
from parity.env.roles import Passwords
from parity.profile.models import DatabaseSpec

SUPERUSER = Passwords("app-secret", "app-secret")
SPLIT = Passwords("app-secret", "admin-secret")
VOLUMES = ["/var/lib/postgresql/data"]
TEMPLATE = Cluster("parity-pgtemplate:0123456789abcdef", "parity-pgtemplate:data-fedcba9876543210")
FILLED = Cluster("parity-pgtemplate:data-fedcba9876543210", "parity-pgtemplate:data-fedcba9876543210")


def _unpacked(setup: PostgresSetup) -> dict[str, str]:
    """Every uploaded file by its path in the container, as text."""
    files = {}
    for directory, archive in setup.uploads.items():
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            for member in tar.getmembers():
                extracted = tar.extractfile(member)
                assert extracted is not None
                files[directory.rstrip("/") + "/" + member.name] = extracted.read().decode()
    return files


def test_a_fresh_superuser_start_runs_the_image_entrypoint_with_the_settings_as_options() -> None:
    spec = DatabaseSpec(version="16", max_connections=8, settings={"timezone": "Asia/Tokyo", "fsync": False})
    setup = configure_postgres(spec, SUPERUSER, VOLUMES)
    assert setup.image == "postgres:16"
    assert setup.entrypoint is None
    assert setup.command == ["postgres", "-c", "timezone=Asia/Tokyo", "-c", "fsync=off", "-c", "max_connections=8"]
    # No LANG and no initdb arguments: the cluster gets the image's own locale, as the official
    # image gives it to anyone who runs it.
    assert setup.environment == {"POSTGRES_DB": "app", "PGDATA": "/var/lib/parity/pgdata",
                                 "POSTGRES_USER": "app", "POSTGRES_PASSWORD": "app-secret"}
    assert setup.tmpfs == {"/var/lib/postgresql/data": "rw,mode=1777"}
    assert setup.uploads == {}
    assert setup.started_first is False


def test_a_fresh_non_superuser_start_creates_the_app_role_with_its_own_password() -> None:
    setup = configure_postgres(DatabaseSpec(superuser=False, name="shop"), SPLIT, VOLUMES)
    assert setup.environment["POSTGRES_USER"] == "postgres"
    assert setup.environment["POSTGRES_PASSWORD"] == "admin-secret"
    script = _unpacked(setup)["/docker-entrypoint-initdb.d/50-parity-app-role.sql"]
    # The real password, never the template's placeholder: this cluster is not a template.
    assert "PASSWORD 'app-secret'" in script
    assert pgtemplate.PLACEHOLDER not in script
    assert 'ALTER DATABASE "shop" OWNER TO app' in script


def test_a_fresh_start_with_forced_ssl_installs_the_certificates_before_the_image_entrypoint() -> None:
    setup = configure_postgres(DatabaseSpec(ssl="required"), SUPERUSER, VOLUMES)
    assert setup.entrypoint is not None and setup.entrypoint[:2] == ["sh", "-c"]
    assert setup.entrypoint[2].rstrip().endswith('exec docker-entrypoint.sh "$@"')
    assert setup.command is not None
    assert "ssl=on" in setup.command and "hba_file=/var/lib/postgresql/parity-tls/pg_hba.conf" in setup.command
    assert setup.environment["TLS"] == "/var/lib/postgresql/parity-tls"
    assert setup.environment["STAGE"] == "/run/parity-tls"
    # The key's directory is a private tmpfs: never in a layer a filled cluster is committed from.
    assert setup.tmpfs["/var/lib/postgresql/parity-tls"] == "rw,mode=0700"


def test_optional_ssl_offers_tls_without_forcing_it_through_pg_hba() -> None:
    setup = configure_postgres(DatabaseSpec(ssl="optional"), SUPERUSER, VOLUMES)
    assert setup.command is not None and "ssl=on" in setup.command
    assert not any(option.startswith("hba_file=") for option in setup.command)


def test_without_tls_no_certificate_directory_and_no_ssl_option() -> None:
    setup = configure_postgres(DatabaseSpec(ssl="off"), SUPERUSER, VOLUMES)
    assert setup.command is not None and "ssl=on" not in setup.command
    assert "TLS" not in setup.environment
    assert "/var/lib/postgresql/parity-tls" not in setup.tmpfs


def test_a_template_start_sets_the_passwords_in_its_start_script_and_uploads_no_init_script() -> None:
    spec = DatabaseSpec(superuser=False, max_connections=5)
    setup = configure_postgres(spec, SPLIT, VOLUMES, TEMPLATE)
    assert setup.image == TEMPLATE.start_from
    assert setup.command is None
    assert setup.entrypoint == ["sh", "-c", pgtemplate.START_SCRIPT, "parity-postgres", "-c", "max_connections=5"]
    roles = setup.environment[pgtemplate.ROLES_VAR]
    assert "ALTER ROLE app PASSWORD 'app-secret'" in roles and "ALTER ROLE postgres PASSWORD 'admin-secret'" in roles
    assert setup.uploads == {}
    assert setup.started_first is True
    # Without TLS the start script waits for no files; not from a filled cluster, nothing to warm.
    assert pgtemplate.FILES_VAR not in setup.environment and "FILLED" not in setup.environment


def test_a_template_start_with_tls_waits_for_the_uploaded_certificates() -> None:
    setup = configure_postgres(DatabaseSpec(ssl="required"), SUPERUSER, VOLUMES, TEMPLATE)
    assert setup.environment[pgtemplate.FILES_VAR] == "1"
    assert setup.tmpfs["/var/lib/postgresql/parity-tls"] == "rw,mode=0700"


def test_a_filled_cluster_start_warms_its_data_files() -> None:
    assert FILLED.filled and not TEMPLATE.filled
    setup = configure_postgres(DatabaseSpec(), SUPERUSER, VOLUMES, FILLED)
    assert setup.image == FILLED.filled_ref
    assert setup.environment["FILLED"] == "1"


def test_statements_load_pg_stat_statements_beside_the_profile_libraries() -> None:
    spec = DatabaseSpec(settings={"shared_preload_libraries": "auto_explain"})
    setup = configure_postgres(spec, SUPERUSER, VOLUMES, statements=True)
    assert setup.command is not None
    assert "shared_preload_libraries=auto_explain,pg_stat_statements" in setup.command


def test_memory_caps_ram_and_swap_alike_and_no_cap_without_it() -> None:
    capped = configure_postgres(DatabaseSpec.model_validate({"memory": "512m"}), SUPERUSER, VOLUMES).create_options
    assert (capped["mem_limit"], capped["memswap_limit"]) == (512 * 2**20, 512 * 2**20)
    free = configure_postgres(DatabaseSpec(), SUPERUSER, VOLUMES).create_options
    assert "mem_limit" not in free and "memswap_limit" not in free


def test_random_passwords_are_one_for_a_superuser_app_role_and_two_otherwise() -> None:
    one = Passwords.random(DatabaseSpec(superuser=True))
    two = Passwords.random(DatabaseSpec(superuser=False))
    assert one.app == one.admin
    assert two.app != two.admin


def test_a_tls_database_is_verified_against_its_ca_and_a_plain_one_asks_for_nothing(tmp_path: Path) -> None:
    plain = Database(engine="postgres", name="app", user="app", password="p", url_template="", host_port=5432)
    assert "sslmode" not in plain.connect_kwargs()
    tls = Database(engine="postgres", name="app", user="app", password="p", url_template="",
                   host_port=5432, tls=True, ca_cert="CA", ca_cert_path=tmp_path / "db-ca.crt")
    kwargs = tls.connect_kwargs()
    assert (kwargs["sslmode"], kwargs["sslrootcert"]) == ("verify-ca", str(tmp_path / "db-ca.crt"))


def test_a_locale_reaches_initdb_through_the_official_images_variable_with_a_utf8_encoding() -> None:
    setup = configure_postgres(DatabaseSpec(locale="C"), SUPERUSER, VOLUMES)
    # UTF8 even for C: initdb would otherwise make a SQL_ASCII cluster, which drivers cannot decode.
    assert setup.environment["POSTGRES_INITDB_ARGS"] == "--locale=C --encoding=UTF8"
    assert "LANG" not in setup.environment


def test_an_icu_locale_makes_icu_the_provider_of_the_default_collation() -> None:
    spec = DatabaseSpec(version="17", locale="en_US.UTF-8", icu_locale="und-x-icu")
    args = configure_postgres(spec, SUPERUSER, VOLUMES).environment["POSTGRES_INITDB_ARGS"].split()
    assert args == ["--locale=en_US.UTF-8", "--locale-provider=icu", "--icu-locale=und-x-icu", "--encoding=UTF8"]
    only_icu = configure_postgres(DatabaseSpec(version="15", icu_locale="de-DE"), SUPERUSER, VOLUMES)
    assert only_icu.environment["POSTGRES_INITDB_ARGS"].split() == [
        "--locale-provider=icu", "--icu-locale=de-DE", "--encoding=UTF8"]
