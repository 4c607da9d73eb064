"""database.extensions without an engine: what Postgres ships by major, the providers' refusals,
what the server is started with, and the check against what an image has."""

from __future__ import annotations

import io
import tarfile

import pytest

from parity.env import extensions, pgtemplate
from parity.env.database import Cluster, configure_postgres
from parity.env.roles import Passwords
from parity.errors import ImageLacks
from parity.profile import contrib
from parity.profile.models import DatabaseSpec

PASSWORDS = Passwords("app-secret", "admin-secret")
VOLUMES = ["/var/lib/postgresql/data"]


@pytest.mark.parametrize(("names", "major", "said"), [
    (["pg_trgm", "adminpack"], 17, "Postgres 17 does not ship adminpack (Postgres ships it up to 16)"),
    (["pg_walinspect"], 13, "Postgres 13 does not ship pg_walinspect (Postgres ships it from 15 on)"),
    (["old_snapshot"], 18, "Postgres 18 does not ship old_snapshot (Postgres ships it in 14 to 16)"),
    (["plpython3u", "plpythonu"], 15, "Postgres 15 does not ship plpythonu"),
    (["uuid_ossp"], 15, "did you mean 'uuid-ossp'?"),
    (["pg_stat_statement"], 13, "did you mean 'pg_stat_statements'?"),
])
def test_a_name_postgres_does_not_ship_for_the_major_is_said_with_what_to_do(names: list[str], major: int,
                                                                            said: str) -> None:
    wrong = contrib.unshipped(names, major)
    assert wrong is not None and said in wrong


def test_third_party_extensions_and_those_of_the_major_pass() -> None:
    # A provider's list names extensions Postgres does not ship: they are the image's business.
    assert contrib.unshipped(["postgis", "vector", "pg_cron", "pg_partman", "pgaudit", "timescaledb", "hll"], 15) is None
    assert contrib.unshipped(["adminpack", "old_snapshot", "pg_walinspect"], 15) is None
    assert contrib.unshipped(["pg_logicalinspect", "pg_surgery"], 18) is None


@pytest.mark.parametrize(("version", "image", "major"), [
    ("15", None, 15),
    ("17", "postgis/postgis:13-3.4", 13),
    ("17", "postgres:16-alpine", 16),
    ("17", "localhost:5000/team/pg", None),
    ("17", "postgres@sha256:15abcdef", None),
    ("17", "registry.local:5000/pg:latest", None),
])
def test_the_major_comes_from_the_version_or_the_images_tag(version: str, image: str | None, major: int | None) -> None:
    assert contrib.major_of(version, image) == major


def test_the_profile_refuses_a_name_gone_in_its_major_and_takes_a_custom_images_word_for_it() -> None:
    with pytest.raises(ValueError, match="does not ship adminpack"):
        DatabaseSpec(version="17", extensions=["adminpack"])
    with pytest.raises(ValueError, match="does not ship adminpack"):
        DatabaseSpec(version="15", image="example/pg:17.2", extensions=["adminpack"])
    assert DatabaseSpec(version="15", image="example/pg", extensions=["adminpack"]).extensions == ["adminpack"]


def test_each_provider_refuses_in_its_own_words() -> None:
    assert extensions.refusal("azure", "vector") == (
        'extension "vector" is not allow-listed for "azure_pg_admin" users in Azure Database for PostgreSQL')
    assert extensions.refusal("rds", "postgis") == 'permission denied to create extension "postgis"'
    assert extensions.refusal_for("rds").hint == 'This extension is not specified in "rds.allowed_extensions".'
    assert extensions.refusal("supabase", "pgstattuple") == 'permission denied to create extension "pgstattuple"'
    assert extensions.refusal_for("neon").hint == "Must be superuser to create this extension."
    # A server that does not have it installed, in the words of its major.
    assert extensions.refusal(None, "vector", 17) == 'extension "vector" is not available'
    assert extensions.refusal("cloudsql", "vector", 13) == (
        'could not open extension control file "/usr/share/postgresql/13/extension/vector.control": '
        "No such file or directory")
    assert extensions.refusal_for("vanilla", 14).sqlstate == "58P01"
    assert all(refusal.source.startswith("https://") for refusal in extensions.REFUSALS.values())


def test_without_a_list_the_server_is_started_as_today() -> None:
    spec = DatabaseSpec(version="15", superuser=False)
    setup = configure_postgres(spec, PASSWORDS, VOLUMES)
    assert setup.entrypoint is None and setup.command == ["postgres"]
    assert extensions.ALLOW_LIST_VAR not in setup.environment
    assert list(_scripts(setup.uploads["/"])) == ["docker-entrypoint-initdb.d/50-parity-app-role.sql"]


def test_a_list_starts_the_server_with_it_and_the_providers_words_as_settings() -> None:
    spec = DatabaseSpec(version="13", superuser=False, provider="rds", extensions=["postgres_fdw", "uuid-ossp"])
    setup = configure_postgres(spec, PASSWORDS, VOLUMES)
    assert setup.command is not None and setup.command[0] == "postgres"
    options = dict(option.split("=", 1) for option in setup.command[2::2])
    assert options["parity.extensions"] == "postgres_fdw,uuid-ossp"
    assert options["rds.allowed_extensions"] == "postgres_fdw,uuid-ossp"  # SHOW, as the hint says
    assert options["parity.extensions_sqlstate"] == "42501"
    assert options["parity.extensions_message"] == 'permission denied to create extension "%1$s"'
    assert options["parity.extensions_detail"] == ""
    # Without TLS too, a wrapper marks extensions trusted (as root) before the image's entrypoint.
    assert setup.entrypoint is not None and extensions.TRUST_SH in setup.entrypoint[2]
    assert setup.environment[extensions.ALLOW_LIST_VAR] == extensions.ALLOW_LIST_VALUE
    scripts = _scripts(setup.uploads["/"])
    assert "CREATE EVENT TRIGGER" in scripts[extensions.INIT_SCRIPT]
    assert "\\connect template1" in scripts[extensions.INIT_SCRIPT]


def test_an_empty_list_allows_nothing_and_the_vanilla_words_take_the_control_files_path() -> None:
    spec = DatabaseSpec(version="17", extensions=[])
    options = extensions.server_options(spec)
    assert options["parity.extensions"] == ""
    assert options["parity.extensions_detail"] == 'Could not open extension control file "%2$s": No such file or directory.'
    assert "azure.extensions" not in options and "rds.allowed_extensions" not in options


def test_the_template_start_marks_extensions_trusted_and_carries_the_list() -> None:
    spec = DatabaseSpec(version="15", superuser=False, extensions=["citext"])
    setup = configure_postgres(spec, PASSWORDS, VOLUMES, Cluster("parity-pgtemplate:0123456789abcdef"))
    assert setup.entrypoint is not None and setup.entrypoint[2] == pgtemplate.START_SCRIPT
    assert extensions.TRUST_SH in pgtemplate.START_SCRIPT
    assert "-c" in setup.entrypoint and "parity.extensions=citext" in setup.entrypoint
    assert setup.environment[extensions.ALLOW_LIST_VAR] == extensions.ALLOW_LIST_VALUE


def test_an_extension_postgres_ships_but_the_image_lacks_is_the_images_fault() -> None:
    spec = DatabaseSpec(version="15", image="example/slim-pg", extensions=["pg_trgm", "plpython3u", "hstore"])
    with pytest.raises(ImageLacks) as caught:
        extensions.check_available(spec, 15, ["pg_trgm", "plpgsql"], progress=lambda _: None)
    assert caught.value.message == ("database.extensions lists plpython3u, hstore, which Postgres 15 ships but "
                                    "example/slim-pg does not have")
    assert caught.value.fix is not None
    assert "apt-get install postgresql-plpython3-15" in caught.value.fix
    assert caught.value.fix.endswith("example/slim-pg has: pg_trgm, plpgsql")


def test_a_major_the_profile_could_not_say_is_checked_against_the_running_server() -> None:
    spec = DatabaseSpec(version="15", image="example/pg", extensions=["adminpack"])
    with pytest.raises(ImageLacks, match="Postgres 17 does not ship adminpack"):
        extensions.check_available(spec, 17, ["plpgsql"], progress=lambda _: None)


def test_a_third_party_extension_the_image_lacks_is_said_not_refused() -> None:
    said: list[str] = []
    spec = DatabaseSpec(version="15", provider="azure", extensions=["pg_trgm", "postgis", "vector"])
    extensions.check_available(spec, 15, ["pg_trgm", "plpgsql"], progress=said.append)
    assert len(said) == 1 and "postgres:15 does not have postgis, vector" in said[0]


def _scripts(archive: bytes) -> dict[str, str]:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        return {m.name: (tar.extractfile(m) or io.BytesIO()).read().decode() for m in tar.getmembers()}
