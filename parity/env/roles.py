"""The server's login roles (database.superuser, database.roles): which exist, who each client
connects as, their passwords, and the SQL the image's entrypoint runs to make them.

Without `roles`, one role serves everything: `app`, the server's superuser (superuser: true) or
the owner of the database and its schema public beside a superuser `postgres` (false). With
`roles`, a DML-only role `app_dml` exists too, as production often has: migrations run as the
owner (or the superuser), the app as the owner or as `app_dml`, which gets only what the
migrations grant it (plus, with default_privileges, every table and sequence they create) and
can create nothing, on any major. `superuser` then says whether the owner is the server's superuser.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from parity.profile.models import DatabaseSpec

# Who connects: the app (and smoke, traffic, and anything given the app's URL), or migrations (and
# data.seed, data.restore). They may differ by role (database.roles) and by route (database.pooler).
Client = Literal["app", "migrations"]
APP_ROLE = "app"  # owns the database and its schema public (the superuser, where superuser: true)
ADMIN_ROLE = "postgres"  # the server's superuser beside a non-superuser owner
DML_ROLE = "app_dml"  # database.roles' DML-only role


@dataclass(frozen=True)
class RoleLayout:
    """The server's login roles and who each client connects as, decided once from the profile."""

    admin: str  # the server's superuser: parity's own connections that need one
    owner: str  # owns the database and schema public
    dml: str | None  # the DML-only role (database.roles set), else None
    app: str  # the role the app and smoke connect as
    migrations: str  # the role migrations, data.seed and data.restore connect as

    def role(self, client: Client) -> str:
        """The role this client connects as."""
        return self.migrations if client == "migrations" else self.app

    @property
    def logins(self) -> tuple[str, ...]:
        """Every role that logs in with a password, each once."""
        return tuple(dict.fromkeys(r for r in (self.owner, self.admin, self.dml) if r))

    @property
    def creators(self) -> tuple[str, ...]:
        """The roles whose new tables and sequences default privileges cover: the owner, and the
        superuser when migrations run as it."""
        return tuple(dict.fromkeys((self.owner, self.migrations)))


def role_layout(spec: DatabaseSpec) -> RoleLayout:
    """The roles a profile's server has and who connects as which."""
    admin = APP_ROLE if spec.superuser else ADMIN_ROLE
    roles = spec.roles
    if roles is None:
        return RoleLayout(admin=admin, owner=APP_ROLE, dml=None, app=APP_ROLE, migrations=APP_ROLE)
    return RoleLayout(admin=admin, owner=APP_ROLE, dml=DML_ROLE,
                      app=DML_ROLE if roles.app == "dml" else APP_ROLE,
                      migrations=admin if roles.migrations == "superuser" else APP_ROLE)


@dataclass(frozen=True)
class Passwords:
    """The owner's password, the superuser's (the owner's, where the owner is the superuser), and
    the DML role's ("" without database.roles)."""

    app: str
    admin: str
    dml: str = ""

    @classmethod
    def random(cls, spec: DatabaseSpec) -> Passwords:
        """Fresh random passwords for one environment."""
        app = secrets.token_urlsafe(18)
        return cls(app, app if spec.superuser else secrets.token_urlsafe(18),
                   secrets.token_urlsafe(18) if spec.roles else "")

    def of(self, role: str) -> str:
        """The password of one of the layout's roles."""
        return {APP_ROLE: self.app, ADMIN_ROLE: self.admin, DML_ROLE: self.dml}[role]

    def by_role(self, layout: RoleLayout) -> dict[str, str]:
        """Each login role of the layout with its password."""
        return {role: self.of(role) for role in layout.logins}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def app_role_sql(database: str, password: str) -> str:
    """The app's role owns its database and schema but is not a superuser."""
    return (
        f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {_literal(password)};\n"
        f'ALTER DATABASE "{database}" OWNER TO {APP_ROLE};\n'
        f'\\connect "{database}"\n'
        f"ALTER SCHEMA public OWNER TO {APP_ROLE};\n"
    )


def dml_role_sql(database: str, role: str, password: str) -> str:
    """A role that may use the schema public but create nothing in it: what it may read and write
    is what the migrations grant it. Before Postgres 15 every role may create in public (PUBLIC
    holds CREATE on it); production's DML role may not, so that grant goes, whatever the major."""
    return (
        f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {_literal(password)};\n"
        f'\\connect "{database}"\n'
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;\n"
        f"GRANT USAGE ON SCHEMA public TO {role};\n"
    )


def default_privileges_sql(creators: tuple[str, ...], role: str) -> str:
    """Every table and sequence these roles create in public from now on is the DML role's to read
    and write (ALTER DEFAULT PRIVILEGES), so migrations need no GRANT of their own."""
    lines = []
    for creator in creators:
        lines += [
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {creator} IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {creator} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role};",
        ]
    return "\n".join(lines) + "\n"


def init_sql(spec: DatabaseSpec, passwords: Passwords) -> str:
    """The init script making the profile's roles (run by the image's entrypoint as the superuser,
    in the profile's database); "" when the superuser serves everything."""
    layout = role_layout(spec)
    parts = []
    if layout.owner != layout.admin:
        parts.append(app_role_sql(spec.name, passwords.app))
    if layout.dml is not None:
        parts.append(dml_role_sql(spec.name, layout.dml, passwords.dml))
        if spec.roles is not None and spec.roles.default_privileges:
            parts.append(default_privileges_sql(layout.creators, layout.dml))
    return "".join(parts)
