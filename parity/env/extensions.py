"""database.extensions: a provider's extension allow-list, enforced inside the real server.

Providers hook CREATE EXTENSION in C (Azure's azure.extensions, RDS's rds.allowed_extensions); a
stock image does the same with what Postgres gives any cluster:

- an event trigger on CREATE EXTENSION, made by the superuser when the cluster is initialised
  (in the app's database and in template1, so a pre-initialised template has it too), refuses
  any extension the command created that is not on the list, CASCADE's included, in the
  provider's own words. The list and the words are server settings (`-c parity.extensions=...`),
  so one pre-initialised cluster serves every list and every provider;
- at each start, as root before the server, every extension the image has is marked trusted in
  its control file: the admin role, not a superuser, may then create the listed ones even where
  Postgres marks them untrusted (as rds_superuser may create postgres_fdw), and the trigger
  refuses the others.

No list (None): none of this, exactly today's server. The `postgres` database (where parity's
own pg_stat_statements lives) has no trigger.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from parity.errors import ImageLacks
from parity.profile import contrib
from parity.profile.models import DatabaseSpec


@dataclass(frozen=True)
class Refusal:
    """How a provider refuses an extension off its list: the SQLSTATE and the message, detail and
    hint the client gets ({extension}; {control}: its control file's path), and where it is
    documented."""

    sqlstate: str
    message: str
    detail: str = ""
    hint: str = ""
    source: str = ""

    def text(self, extension: str, major: int | None = None) -> str:
        """The primary message for this extension, as a client prints it after `ERROR:`."""
        control = f"/usr/share/postgresql/{major or 'MAJOR'}/extension/{extension}.control"
        return self.message.format(extension=extension, control=control)


# A server without the extension installed: what a self-managed Postgres says of anything not on
# its machine (from 15 on; before, the control file's error alone, SQLSTATE 58P01).
_NOT_INSTALLED = Refusal(
    "0A000", 'extension "{extension}" is not available',
    detail='Could not open extension control file "{control}": No such file or directory.',
    hint="The extension must first be installed on the system where PostgreSQL is running.",
    source="https://www.postgresql.org/docs/current/extend-extensions.html")
_NOT_INSTALLED_BEFORE_15 = Refusal(
    "58P01", 'could not open extension control file "{control}": No such file or directory',
    source="https://www.postgresql.org/docs/14/extend-extensions.html")
# Postgres's own refusal of an untrusted extension to a non-superuser: what providers whose admin
# role is no superuser print for what their tooling does not let it create.
_SUPERUSER_ONLY = Refusal("42501", 'permission denied to create extension "{extension}"',
                          hint="Must be superuser to create this extension.")

# Keyed by database.provider (None: vanilla). Texts as the providers print them.
REFUSALS: dict[str, Refusal] = {
    "vanilla": _NOT_INSTALLED,
    # Cloud SQL has no allow-list parameter: what it does not support is not installed.
    "cloudsql": replace(_NOT_INSTALLED, source="https://cloud.google.com/sql/docs/postgres/extensions"),
    # The AWS guide's own example (rds.allowed_extensions, RDS for PostgreSQL 12.7+ / 13.3+).
    "rds": Refusal(
        "42501", 'permission denied to create extension "{extension}"',
        hint='This extension is not specified in "rds.allowed_extensions".',
        source="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General."
               "FeatureSupport.Extensions.html#PostgreSQL.Concepts.General.FeatureSupport.Extensions.Restriction"),
    # As psycopg2 reported it (FeatureNotSupported): Azure-Samples/azure-python-labs#81,
    # MicrosoftDocs/azure-docs#112176.
    "azure": Refusal(
        "0A000", 'extension "{extension}" is not allow-listed for "azure_pg_admin" users in Azure Database for PostgreSQL',
        hint='to see the full allow list of extensions, please run: "show azure.extensions;"',
        source="https://learn.microsoft.com/en-us/azure/postgresql/extensions/errors-extensions"),
    # supabase/postgres#891 (pgstattuple, 42501).
    "supabase": replace(_SUPERUSER_ONLY, source="https://supabase.com/docs/guides/database/extensions"),
    # neondatabase/neon#3690 (moddatetime, 42501).
    "neon": replace(_SUPERUSER_ONLY, source="https://neon.com/docs/extensions/pg-extensions"),
}
# The provider's own parameter, set to the same list, so the hint's `SHOW` answers.
_NATIVE_SETTING = {"azure": "azure.extensions", "rds": "rds.allowed_extensions"}
SETTING = "parity.extensions"  # the list, comma-separated ('' allows nothing)


def refusal_for(provider: str | None, major: int | None = None) -> Refusal:
    """How this provider (None: vanilla) refuses an extension off its list on this major."""
    found = REFUSALS.get(provider or "vanilla", _NOT_INSTALLED)
    if found.message == _NOT_INSTALLED.message and major is not None and major < 15:
        return replace(_NOT_INSTALLED_BEFORE_15, source=found.source)
    return found


def refusal(provider: str | None, extension: str, major: int | None = None) -> str:
    """The message this provider's server gives when CREATE EXTENSION names one off its list."""
    return refusal_for(provider, major).text(extension, major)


def server_options(spec: DatabaseSpec) -> dict[str, str]:
    """The server settings (`-c`) that carry the list and the provider's refusal to the trigger;
    none without a list."""
    if spec.extensions is None:
        return {}
    said = refusal_for(spec.provider, contrib.major_of(spec.version, spec.image))
    listed = ",".join(spec.extensions)
    options = {
        SETTING: listed,
        "parity.extensions_sqlstate": said.sqlstate,
        "parity.extensions_message": _server_format(said.message),
        "parity.extensions_detail": _server_format(said.detail),
        "parity.extensions_hint": _server_format(said.hint),
    }
    native = _NATIVE_SETTING.get(spec.provider or "")
    if native:
        options[native] = listed
    return options


def _server_format(text: str) -> str:
    # For format() in the trigger: %1$s the extension, %2$s its control file.
    return text.replace("%", "%%").replace("{extension}", "%1$s").replace("{control}", "%2$s")


# The trigger's SQL, run by the superuser in the app's database and in template1. Every name is
# schema-qualified: it runs inside any role's CREATE EXTENSION, whatever its search_path.
# Before the command, the extensions there already are (a transaction-local setting: the end
# trigger of the same command reads it); after it, any new one off the list is refused, the
# command's own transaction undone. SECURITY DEFINER only to read pg_config's SHAREDIR for the
# control file's path in Postgres's own wording; event trigger functions cannot be called directly.
_TRIGGER_SQL = r"""
CREATE SCHEMA parity;
REVOKE ALL ON SCHEMA parity FROM PUBLIC;
CREATE FUNCTION parity.extensions_before() RETURNS event_trigger LANGUAGE plpgsql AS $body$
BEGIN
  PERFORM pg_catalog.set_config('parity.extensions_before',
    coalesce((SELECT pg_catalog.string_agg(extname::text, ',') FROM pg_catalog.pg_extension), ''), true);
END
$body$;
CREATE FUNCTION parity.allow_listed_extensions() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER AS $body$
DECLARE
  allowed text[] := pg_catalog.string_to_array(pg_catalog.current_setting('parity.extensions', true), ',');
  before text[] := pg_catalog.string_to_array(pg_catalog.current_setting('parity.extensions_before', true), ',');
  refused text;
  control text;
  message text;
  detail text;
  hint text;
BEGIN
  IF allowed IS NULL THEN
    RETURN;
  END IF;
  -- The newest first: the one the command named, rather than what CASCADE created for it.
  SELECT e.extname INTO refused FROM pg_catalog.pg_extension e
   WHERE e.extname <> ALL (allowed) AND e.extname <> ALL (coalesce(before, '{}'))
   ORDER BY e.oid DESC LIMIT 1;
  IF refused IS NULL THEN
    RETURN;
  END IF;
  SELECT pg_catalog.format('%s/extension/%s.control', setting, refused) INTO control
    FROM pg_catalog.pg_config WHERE name = 'SHAREDIR';
  message := pg_catalog.format(pg_catalog.current_setting('parity.extensions_message'), refused, control);
  detail := pg_catalog.format(coalesce(pg_catalog.current_setting('parity.extensions_detail', true), ''), refused, control);
  hint := pg_catalog.format(coalesce(pg_catalog.current_setting('parity.extensions_hint', true), ''), refused, control);
  IF detail <> '' THEN
    RAISE EXCEPTION USING ERRCODE = pg_catalog.current_setting('parity.extensions_sqlstate'),
      MESSAGE = message, DETAIL = detail, HINT = hint;
  ELSIF hint <> '' THEN
    RAISE EXCEPTION USING ERRCODE = pg_catalog.current_setting('parity.extensions_sqlstate'),
      MESSAGE = message, HINT = hint;
  ELSE
    RAISE EXCEPTION USING ERRCODE = pg_catalog.current_setting('parity.extensions_sqlstate'), MESSAGE = message;
  END IF;
END
$body$;
CREATE EVENT TRIGGER parity_extensions_before ON ddl_command_start WHEN TAG IN ('CREATE EXTENSION')
  EXECUTE FUNCTION parity.extensions_before();
CREATE EVENT TRIGGER parity_extensions_allowed ON ddl_command_end WHEN TAG IN ('CREATE EXTENSION')
  EXECUTE FUNCTION parity.allow_listed_extensions();
"""
# The init script: the app's database (the entrypoint's psql starts there), then template1, so a
# database made later (a test database) has the trigger too.
INIT_SQL = _TRIGGER_SQL + "\\connect template1\n" + _TRIGGER_SQL
INIT_SCRIPT = "docker-entrypoint-initdb.d/40-parity-extensions.sql"
# Set on the container when there is a list: the start scripts mark extensions trusted; its value
# (the init SQL's digest) keeps clusters made with another trigger apart as templates.
ALLOW_LIST_VAR = "PARITY_ALLOW_LIST"
ALLOW_LIST_VALUE = hashlib.sha256(INIT_SQL.encode()).hexdigest()[:12]

# Shell lines run as root before Postgres starts (with $PARITY_ALLOW_LIST set): every control file
# not yet trusted gets `trusted = true` (one grep; a filled cluster's image already has them).
# Not before 13 ($PG_MAJOR, which the official images and parity's set), whose servers know no
# `trusted` and would refuse every control file: there the list is enforced, and what Postgres
# lets only a superuser create stays so.
TRUST_SH = r"""
if [ -n "${PARITY_ALLOW_LIST:-}" ]; then
  case "${PG_MAJOR:-}" in
  9.*|10|11|12) ;;
  *)
    for dir in /usr/share/postgresql/*/extension /usr/local/share/postgresql/extension; do
      [ -d "$dir" ] || continue
      grep -L -E '^[[:space:]]*trusted[[:space:]]*=[[:space:]]*(true|on|yes|1)' "$dir"/*.control | while IFS= read -r f; do
        printf '\ntrusted = true\n' >> "$f" || { echo "parity: cannot mark $f trusted (database.extensions)" >&2; exit 1; }
      done
    done
    ;;
  esac
fi
"""


def initdb_files(spec: DatabaseSpec) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    """The variables and init scripts (path -> (text, mode)) the list adds to a cluster's
    initialisation; none without a list."""
    if spec.extensions is None:
        return {}, {}
    return {ALLOW_LIST_VAR: ALLOW_LIST_VALUE}, {INIT_SCRIPT: (INIT_SQL, 0o644)}


# What the running server has, and its major: the list is checked against its own control files.
AVAILABLE_QUERY = ("SELECT current_setting('server_version_num')::int / 10000, "
                   "array(SELECT name::text FROM pg_available_extensions ORDER BY name)")


# Procedural languages (and their transforms) the official image leaves to Debian's packages.
_LANGUAGE_PACKAGE = {"plperl": "plperl", "plpython": "plpython3", "pltcl": "pltcl"}


def check_available(spec: DatabaseSpec, major: int, available: list[str], progress: Callable[[str], None]) -> None:
    """Every listed extension against what the image has: one Postgres ships for this major and
    the image lacks is the image's fault (exit 3); a third party's it lacks is said, not refused
    (a provider's list names more than an image has; CREATE EXTENSION of it fails as Postgres fails)."""
    lacking = [name for name in spec.extensions or [] if name not in available]
    if not lacking:
        return
    image = spec.image_ref()
    has = f"{image} has: {', '.join(available)}"
    wrong = contrib.unshipped(lacking, major)
    if wrong:  # an image whose major the profile did not say (database.image without a numbered tag)
        raise ImageLacks(f"database.extensions: {wrong}", has)
    ours = [name for name in lacking if name in contrib.shipped(major)]
    if ours:
        packages = sorted({f"postgresql-{_LANGUAGE_PACKAGE[lang]}-{major}" for name in ours
                           for lang in _LANGUAGE_PACKAGE if lang in name})
        where = (f"an image built FROM postgres:{major} with `apt-get install {' '.join(packages)}`" if packages
                 else f"postgres:{major}, which has every contrib extension")
        raise ImageLacks(
            f"database.extensions lists {', '.join(ours)}, which Postgres {major} ships but {image} does not have",
            f"set database.image to {where}, or take {', '.join(ours)} off database.extensions; {has}")
    progress(f"database.extensions: {image} does not have {', '.join(lacking)}: CREATE EXTENSION of "
             f"{'it' if len(lacking) == 1 else 'them'} fails as Postgres fails")
