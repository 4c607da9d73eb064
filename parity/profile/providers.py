"""database.provider: what a managed Postgres gives an app on top of plain Postgres, as data.

Each provider is a preset of ordinary database keys (ssl, locale, extensions, superuser,
settings, memory, max_connections), built from its public documentation (docs/providers.md
names the page of each value). The loader lays a preset under the profile file that names the
provider, so any key set explicitly, there or in a profile that extends it, wins.
The admin role the provider hands out (a member of rds_superuser, cloudsqlsuperuser, ...) is
SQL made here for the init scripts (`admin_role_sql`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from parity.errors import ProfileError
from parity.profile.models import DatabaseSpec

GiB = 2**30


class PresetError(ProfileError):
    """A provider preset that cannot be made from the profile, and the key at fault."""

    def __init__(self, key: str, message: str, fix: str) -> None:
        super().__init__(message, fix)
        self.key = key


@dataclass(frozen=True)
class Instance:
    """One instance class: its memory, and the max_connections the provider gives it."""

    memory: int
    max_connections: int


@dataclass(frozen=True)
class ApiRole:
    """A role a provider creates for its own services (Supabase's anon...), with its settings."""

    name: str
    attributes: str = ""  # e.g. BYPASSRLS
    settings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Provider:
    """What one provider gives: its preset keys, the majors it offers, its admin role layout."""

    name: str
    majors: tuple[str, ...]
    # (first major, ssl mode): the mode of the highest first major not above the profile's.
    ssl: tuple[tuple[int, str], ...]
    locale: str | None
    extensions: tuple[str, ...]
    settings: tuple[tuple[str, str], ...] = ()
    # The admin role: attributes of the owner role, and the group role it is a member of.
    owner_attributes: tuple[str, ...] = ("CREATEDB", "CREATEROLE")
    group: str | None = None
    group_members_of: tuple[tuple[str, int], ...] = ()  # predefined roles, and their first major
    api_roles: tuple[ApiRole, ...] = ()
    instances: dict[str, Instance] = field(default_factory=dict)
    instance_hint: str = ""  # the names it takes besides the table's

    def ssl_for(self, major: int) -> str:
        """The TLS mode the provider enforces by default on this major."""
        return [mode for since, mode in self.ssl if since <= major][-1]


def _rds_instance(memory_gib: float) -> Instance:
    # max_connections = LEAST({DBInstanceClassMemory/9531392}, 5000). DBInstanceClassMemory is
    # a little below the class's memory (the OS keeps some), so real instances get slightly less.
    memory = int(memory_gib * GiB)
    return Instance(memory, min(memory // 9531392, 5000))


def _cloudsql_connections(memory: int) -> int:
    """Cloud SQL's default max_connections by the instance's memory (its quotas table)."""
    tiers = ((0.6, 25), (1.7, 50), (3.75, 100), (6, 200), (7.5, 400), (15, 500), (30, 600), (60, 800), (120, 1000))
    gib = memory / GiB
    return next((conns for upper, conns in reversed(tiers) if gib >= upper - 1e-9), 25)


def _cloudsql_instance(memory_gib: float) -> Instance:
    memory = int(memory_gib * GiB)
    return Instance(memory, _cloudsql_connections(memory))


# Extensions on every provider's list (a subset of each list: the ones apps commonly create).
_COMMON_EXTENSIONS = (
    "btree_gin", "btree_gist", "citext", "cube", "dblink", "earthdistance", "fuzzystrmatch",
    "hstore", "intarray", "isn", "lo", "ltree", "pg_stat_statements", "pg_trgm", "pgcrypto",
    "pgrowlocks", "pgstattuple", "plpgsql", "postgis", "postgres_fdw", "tablefunc", "unaccent",
    "uuid-ossp", "vector",
)

PROVIDERS: dict[str, Provider] = {
    "vanilla": Provider(name="vanilla", majors=(), ssl=((0, "off"),), locale=None, extensions=()),
    "rds": Provider(
        name="rds",
        majors=("13", "14", "15", "16", "17", "18"),
        ssl=((0, "optional"), (15, "required")),  # rds.force_ssl defaults to 1 from 15 on
        locale="en_US.UTF-8",
        extensions=(*_COMMON_EXTENSIONS, "pg_cron", "pg_partman"),
        group="rds_superuser",
        # rds_superuser sees every connection in pg_stat_activity and may cancel or end any.
        group_members_of=(("pg_monitor", 10), ("pg_signal_backend", 9)),
        instances={
            "db.t3.micro": _rds_instance(1), "db.t3.small": _rds_instance(2),
            "db.t3.medium": _rds_instance(4), "db.t3.large": _rds_instance(8),
            "db.t4g.micro": _rds_instance(1), "db.t4g.small": _rds_instance(2),
            "db.t4g.medium": _rds_instance(4), "db.t4g.large": _rds_instance(8),
            "db.m5.large": _rds_instance(8), "db.m5.xlarge": _rds_instance(16),
            "db.m6g.large": _rds_instance(8), "db.m6g.xlarge": _rds_instance(16),
            "db.m7g.large": _rds_instance(8), "db.r6g.large": _rds_instance(16),
            "db.r6g.xlarge": _rds_instance(32),
        },
    ),
    "cloudsql": Provider(
        name="cloudsql",
        majors=("13", "14", "15", "16", "17"),
        ssl=((0, "optional"),),  # unencrypted connections are allowed unless SSL is enforced
        locale="en_US.UTF-8",
        extensions=(*_COMMON_EXTENSIONS, "pg_cron"),
        group="cloudsqlsuperuser",
        instances={
            "db-f1-micro": _cloudsql_instance(0.6), "db-g1-small": _cloudsql_instance(1.7),
            "db-custom-1-3840": _cloudsql_instance(3.75), "db-custom-2-7680": _cloudsql_instance(7.5),
            "db-custom-4-15360": _cloudsql_instance(15), "db-custom-8-30720": _cloudsql_instance(30),
        },
        instance_hint="or any db-custom-<vCPUs>-<memory MiB>",
    ),
    "azure": Provider(
        name="azure",
        majors=("11", "12", "13", "14", "15", "16", "17", "18"),
        ssl=((0, "required"),),  # require_secure_transport is on by default
        locale="en_US.UTF-8",
        extensions=(*_COMMON_EXTENSIONS, "pg_cron"),
        owner_attributes=("CREATEDB", "CREATEROLE", "REPLICATION"),
        group="azure_pg_admin",
        instances={
            "B1ms": Instance(2 * GiB, 50), "B2s": Instance(4 * GiB, 429), "B2ms": Instance(8 * GiB, 859),
            "B4ms": Instance(16 * GiB, 1718), "D2s_v3": Instance(8 * GiB, 859), "D2ds_v5": Instance(8 * GiB, 859),
            "D4s_v3": Instance(16 * GiB, 1718), "D4ds_v5": Instance(16 * GiB, 1718),
            "D8s_v3": Instance(32 * GiB, 3437), "D8ds_v5": Instance(32 * GiB, 3437),
            "E2s_v3": Instance(16 * GiB, 1718), "E2ds_v5": Instance(16 * GiB, 1718),
            "E4s_v3": Instance(32 * GiB, 3437), "E4ds_v5": Instance(32 * GiB, 3437),
        },
    ),
    "supabase": Provider(
        name="supabase",
        majors=("15", "17"),
        ssl=((0, "optional"),),  # SSL enforcement is a setting a project turns on
        locale="C.UTF-8",
        extensions=(*_COMMON_EXTENSIONS, "pg_cron", "pg_net", "pg_graphql", "pg_jsonschema"),
        # The postgres role has no role-level timeout: the global 2 minutes applies to it.
        settings=(("statement_timeout", "2min"),),
        owner_attributes=("CREATEDB", "CREATEROLE", "REPLICATION", "BYPASSRLS"),
        # The roles the Data API switches to; migrations grant to them. Their timeouts only
        # apply to requests through the API, which run as them.
        api_roles=(ApiRole("anon", settings=(("statement_timeout", "3s"),)),
                   ApiRole("authenticated", settings=(("statement_timeout", "8s"),)),
                   ApiRole("service_role", attributes="BYPASSRLS")),
        instances={
            "micro": Instance(1 * GiB, 60), "small": Instance(2 * GiB, 90), "medium": Instance(4 * GiB, 120),
            "large": Instance(8 * GiB, 160), "xl": Instance(16 * GiB, 240), "2xl": Instance(32 * GiB, 380),
            "4xl": Instance(64 * GiB, 480),
        },
    ),
    "neon": Provider(
        name="neon",
        majors=("14", "15", "16", "17", "18"),
        ssl=((0, "required"),),  # every connection to Neon uses TLS
        locale=None,  # not documented: the image's own
        extensions=(*_COMMON_EXTENSIONS, "pg_cron", "pg_graphql", "pg_jsonschema"),
        owner_attributes=("CREATEDB", "CREATEROLE", "BYPASSRLS"),
        group="neon_superuser",
        # neon_superuser reads and writes all data (roles of 14+).
        group_members_of=(("pg_read_all_data", 14), ("pg_write_all_data", 14)),
        instances={  # compute units: 4 GB of memory per CU
            "0.25": Instance(1 * GiB, 104), "0.5": Instance(2 * GiB, 209), "1": Instance(4 * GiB, 419),
            "2": Instance(8 * GiB, 839), "4": Instance(16 * GiB, 1678), "8": Instance(32 * GiB, 3357),
        },
    ),
}

_DEFAULTS = DatabaseSpec.model_fields
_CLOUDSQL_CUSTOM = re.compile(r"db-custom-(\d+)-(\d+)")


def instance_of(provider: Provider, name: str) -> Instance:
    """An instance class of the provider by name; a profile error listing the known ones if unknown."""
    if name in provider.instances:
        return provider.instances[name]
    custom = _CLOUDSQL_CUSTOM.fullmatch(name) if provider.name == "cloudsql" else None
    if custom:
        memory = int(custom.group(2)) * 2**20
        return Instance(memory, _cloudsql_connections(memory))
    known = ", ".join(provider.instances)
    if not known:
        raise PresetError("instance", f"database.instance {name!r}: provider {provider.name} has no instance classes",
                           "remove database.instance, or set database.memory and database.max_connections")
    hint = f" ({provider.instance_hint})" if provider.instance_hint else ""
    raise PresetError(
        "instance", f"database.instance {name!r} is not an instance class parity knows for {provider.name}",
        f"use one of {known}{hint}; or remove database.instance and set database.memory and "
        f"database.max_connections yourself")


def preset(database: dict[str, Any]) -> dict[str, Any]:
    """The keys a database section's provider (and instance) stand for, before its own keys.

    `database` is the section as read (extends applied); {} without a provider. Raises a
    ProfileError for a major the provider does not offer or an unknown instance class.
    """
    name = database.get("provider")
    instance = database.get("instance")
    if name is None:
        if instance is not None:
            raise PresetError("instance", f"database.instance {instance!r} needs database.provider (whose instance class it is)",
                               f"add database.provider ({', '.join(p for p in PROVIDERS if p != 'vanilla')})")
        return {}
    provider = PROVIDERS.get(str(name))
    if provider is None or database.get("engine", _DEFAULTS["engine"].default) != "postgres":
        return {}  # the model says what is wrong with it
    version = str(database.get("version", _DEFAULTS["version"].default))
    major = version.split(".")[0]  # 16.4 is a minor of 16
    if provider.majors and major not in provider.majors:
        raise PresetError(
            "version", f"database.version {version} is not a major {provider.name} offers (it offers "
            f"{', '.join(provider.majors)})",
            f"set database.version to one of {', '.join(provider.majors)}, or change database.provider")
    keys: dict[str, Any] = {}
    if provider.name != "vanilla":
        keys.update(ssl=provider.ssl_for(int(major) if major.isdigit() else 0), superuser=False,
                    extensions=list(provider.extensions))
        if provider.locale:
            keys["locale"] = provider.locale
        if provider.settings:
            keys["settings"] = dict(provider.settings)
    if instance is not None:
        sized = instance_of(provider, str(instance))
        keys.update(memory=sized.memory, max_connections=sized.max_connections)
    return keys


def role_layout(database: DatabaseSpec) -> str:
    """What a provider adds to a cluster at initdb (its roles), as a key: '' for none."""
    return database.provider if database.provider and database.provider != "vanilla" else ""


def admin_role_sql(database: DatabaseSpec, owner: str) -> str:
    """Init script: the provider's admin role layout around the owner role: its attributes, the
    provider's group role with the predefined roles the docs give it, and the provider's API
    roles. '' for no provider or vanilla."""
    spec = PROVIDERS.get(role_layout(database))
    if spec is None:
        return ""
    major = database.version.split(".")[0]
    lines = [f"ALTER ROLE {owner} {' '.join(spec.owner_attributes)};"]
    if spec.group:
        lines.append(f"CREATE ROLE {spec.group} NOLOGIN {' '.join(spec.owner_attributes)};")
        lines += [f"GRANT {role} TO {spec.group};" for role, since in spec.group_members_of
                  if not major.isdigit() or int(major) >= since]
        lines.append(f"GRANT {spec.group} TO {owner};")
    for role in spec.api_roles:
        lines.append(f"CREATE ROLE {role.name} NOLOGIN NOINHERIT {role.attributes};".replace(" ;", ";"))
        lines += [f"ALTER ROLE {role.name} SET {key} = '{value}';" for key, value in role.settings]
        lines.append(f"GRANT {role.name} TO {owner};")
    return "\n".join(lines) + "\n"
