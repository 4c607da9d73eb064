"""Real error messages from real tools, and the cause each must give for a pair of profiles.

Each message was reported by people running real software (the source is noted by each case,
trimmed to the lines that carry the error); none comes from the bundled example. A case goes through
`compare()` as a failed revision, smoke test, startup or database step on the side that failed,
so what the heuristic may read is exactly what a run gives it. `issue=True` marks the
misattributions listed in issue 10.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

from parity.profile.models import Profile

LOCAL: dict[str, Any] = {
    "database": {"version": "17", "ssl": "off", "superuser": True},
    "app": {"build": ".", "startup_probe": {"http": "/healthz", "period": "1s", "failure_threshold": 30}},
    "secrets": {"source": "dotenv", "path": ".env", "values": {"SECRET_KEY": {"value": "dev"}}},
    "migrations": {"command": ["alembic", "upgrade", "head"]},
}
PROD: dict[str, Any] = {
    "database": {"version": "15", "ssl": "required", "superuser": False, "memory": "1g", "max_connections": 100},
    "app": {"build": ".", "memory": "256m", "cpus": 1.0, "read_only": True, "tmpfs": ["/tmp"], "user": "10001",
            "startup_probe": {"http": "/healthz", "period": "2s", "failure_threshold": 15}},
    "secrets": {"source": "files", "path": "/run/secrets", "values": {"SECRET_KEY": {"env": "SECRET_KEY"}}},
    "migrations": {"command": ["alembic", "upgrade", "head"]},
}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in over.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged


def pair(local: dict[str, Any] | None = None, prod: dict[str, Any] | None = None) -> tuple[Profile, Profile]:
    """The example-shaped pair (laptop vs managed production), with some keys changed."""
    return (Profile.model_validate(_merge(LOCAL, local or {})), Profile.model_validate(_merge(PROD, prod or {})))


EXAMPLE = pair()  # Postgres 17 vs 15, TLS, role, caps, read-only root, uid, secrets as files
SAME_VERSION = pair(prod={"database": {"version": "17"}})
SAME_ROLE = pair(local={"database": {"superuser": False}})
PG = {v: pair(prod={"database": {"version": v}}) for v in ("11", "12", "13", "14")}
PUBLIC_SCHEMA_15 = pair(local={"database": {"version": "14", "superuser": False}})  # only the version differs
SQLITE_LOCAL = pair(local={"database": {"engine": "sqlite", "superuser": True}})
VECTOR_IMAGE = pair(local={"database": {"version": "16", "image": "pgvector/pgvector:pg16"}},
                    prod={"database": {"version": "16"}})
STATEMENT_TIMEOUT = pair(prod={"database": {"settings": {"statement_timeout": "5s"}}})
RAILS = pair(local={"secrets": {"values": {"SECRET_KEY_BASE": {"value": "dev"}}}},
             prod={"secrets": {"values": {"SECRET_KEY_BASE": {"env": "SECRET_KEY_BASE"}}}})
# Production's cluster is en_US.UTF-8 (RDS, Cloud SQL), the laptop's C.
LOCALE = pair(local={"database": {"version": "15", "locale": "C"}},
              prod={"database": {"version": "15", "locale": "en_US.UTF-8"}})
DJANGO_ENV = pair(local={"secrets": {"values": {"DJANGO_SECRET_KEY": {"value": "dev"}}}},
                  prod={"secrets": {"values": {"DJANGO_SECRET_KEY": {"env": "DJANGO_SECRET_KEY"}}}})

Step = Literal["migrations", "smoke", "startup", "database"]


@dataclass(frozen=True)
class Case:
    """A real message, where it failed, and the key it must point at (None: unsure)."""

    message: str
    expected: str | None
    profiles: tuple[Profile, Profile] = EXAMPLE
    step: Step = "migrations"
    failing: Literal["baseline", "target"] = "target"
    subject: str = "0002 add orders"
    issue: bool = False


CASES = [
    # ---- issue 10's misattributions
    # issue 10: a held-out Django project against a production Postgres 13
    Case("django.db.utils.NotSupportedError: PostgreSQL 14 or later is required (found 13.23).",
         "database.version", PG["13"], issue=True),
    # issue 10 (real text of a role without the table's grants; SQLSTATE 42501)
    Case('psycopg.errors.InsufficientPrivilege: permission denied for table orders', "database.superuser",
         issue=True),
    # issue 10 (SQLSTATE 42P01: an object the migrations did not create)
    Case('psycopg.errors.UndefinedTable: relation "orders" does not exist\nLINE 1: SELECT * FROM orders',
         None, issue=True),
    # issue 10: a KeyError on a dict key that is no secret
    Case("KeyError: 'customer_id'", None, step="smoke", subject="tests/test_orders.py::test_total", issue=True),
    # issue 10: a test merely named after secrets, failing an ordinary assertion
    Case("AssertionError: assert 401 == 200", None, step="smoke",
         subject="tests/smoke/test_secrets.py::test_secrets_are_rotated", issue=True),
    # issue 10; text as in stevezau/media_preview_generator#22 (requests' read timeout)
    Case("requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='127.0.0.1', port=32400): Read timed out. "
         "(read timeout=30)", None, step="smoke", subject="tests/test_export.py::test_export", issue=True),

    # ---- a server or minimum version named
    # TandoorRecipes/recipes#2774 (Django 4.2 check_database_version_supported)
    Case("django.db.utils.NotSupportedError: PostgreSQL 12 or later is required (found 11.22).",
         "database.version", PG["11"], step="startup"),
    # DataDog/dd-trace-py#5505: same message, but both sides run the same version: not the version
    Case("E           django.db.utils.NotSupportedError: PostgreSQL 12 or later is required (found 11.19).",
         None, SAME_VERSION),
    # pgadmin-org/pgadmin4#8046 (pg_dump older than the server)
    Case("pg_dump: error: aborting because of server version mismatch\n"
         "pg_dump: detail: server version: 17.0; pg_dump version: 16.4", "database.version"),

    # ---- features a server version lacks (42883 undefined_function, 42601 syntax_error, 0A000)
    # valtimo-platform/valtimo-backend-libraries#603 ("Error on postgres below version 13")
    Case("ERROR: function gen_random_uuid() does not exist", "database.version", PG["12"]),
    # MagicStack/asyncpg#394
    Case("asyncpg.exceptions.UndefinedFunctionError: function pg_listening_channels() does not exist\n"
         "HINT:  No function matches the given name and argument types.", "database.version"),
    # hantsy/helidon-sandbox#3 (an extension script not run): same versions, not the version
    Case("[2022-11-16 18:09:59] [42883] ERROR: function uuid_generate_v4() does not exist", None, SAME_VERSION),
    # Kinto/kinto#3769 (argument types): same versions, not the version
    Case("BackendError: ProgrammingError: (psycopg2.errors.UndefinedFunction) function from_epoch(boolean) "
         "does not exist\nLINE 7:             AND last_modified >= from_epoch(true)", None, SAME_VERSION,
         step="smoke", subject="tests/test_records.py::test_since"),
    # NangoHQ/nango#3933 (UNIQUE NULLS NOT DISTINCT is PostgreSQL 15+)
    Case("ALTER TABLE _nango_configs ADD CONSTRAINT _nango_configs_unique_key_environment_id_deleted_at_unique "
         "UNIQUE NULLS NOT DISTINCT (unique_key, environment_id, deleted_at) - syntax error at or near \"NULLS\"",
         "database.version", PG["14"]),
    # lakekeeper/lakekeeper#1475 (sqlx, server 13)
    Case("Error: while executing migration 20240898175225: error returned from database: syntax error at or "
         "near \"NULLS\"", "database.version", PG["13"]),
    # mitreid-connect/OpenID-Connect-Java-Spring-Server#887 (MERGE is PostgreSQL 15+; JDBC)
    Case('nested exception is org.postgresql.util.PSQLException: ERROR: syntax error at or near "MERGE"\n'
         "  Position: 1", "database.version", PG["14"], step="startup"),
    # getfider/fider#1390 (lib/pq, Azure PostgreSQL 11)
    Case("- failed to run migration '202510211300_add_search_column_to_posts.sql' (app/pkg/dbx/migrate.go:76)\n"
         '- pq: syntax error at or near "("', "database.version", PG["11"]),
    # equivalent/public_uid#4: comparing mismatched types is no version's feature
    Case('PG::UndefinedFunction: ERROR:  operator does not exist: character varying = integer\n'
         'LINE 1: ...ROM "applications"  WHERE "applications"."public_uid" = 1234', None),
    # ging/social_stream#73: the same on Postgres, where the laptop runs SQLite (which compares anything)
    Case("PGError: ERROR: operator does not exist: character varying = integer", "database.engine",
         SQLITE_LOCAL, step="smoke", subject="tests/test_feed.py::test_new"),
    # CakeDC/migrations#192 (PDO): the SQLSTATE says undefined_function, the message says operator
    Case('Error: SQLSTATE[42883]: Undefined function: 7 ERROR: operator does not exist: character varying = '
         'integer LINE 1: ..."tagged" AS "Tagged" ON ("Tagged"."foreign_key" = 2', None),

    # ---- extensions the image lacks
    # timescale/vector-cookbook#1 (psycopg FeatureNotSupported)
    Case('FeatureNotSupported: extension "vector" is not available\nDETAIL:  Could not open extension control '
         'file "/usr/share/postgresql/15/extension/vector.control": No such file or directory.\nHINT:  The '
         "extension must first be installed on the system where PostgreSQL is running.", "database.image",
         VECTOR_IMAGE),
    # chatchat-space/Langchain-Chatchat#3065 (psycopg2, SQLSTATE 58P01)
    Case('psycopg2.errors.UndefinedFile: could not open extension control file "/usr/local/opt/postgresql@12/'
         'share/postgresql@12/extension/vector.control": No such file or directory', "database.image",
         VECTOR_IMAGE),

    # ---- privileges of the database role (42501 insufficient_privilege)
    # feldroy/django-crash-course#365
    Case("E               psycopg2.errors.InsufficientPrivilege: permission denied for table django_migrations",
         "database.superuser", step="smoke", subject="tests/test_models.py::test_create"),
    # navapbc/template-infra#373 (tokio-postgres)
    Case('code: SqlState(E42501), message: "permission denied for table application"', "database.superuser"),
    # valedan/omnibuser#11 (Rails)
    Case('ERROR: PG::InsufficientPrivilege: ERROR: permission denied for relation requests : INSERT INTO '
         '"requests" ("url", "created_at") VALUES ($1, $2) RETURNING "id"', "database.superuser",
         step="smoke", subject="spec/requests_spec.rb"),
    # sameersbn/docker-gitlab#1220 (Rails)
    Case('ActiveRecord::StatementInvalid: PG::InsufficientPrivilege: ERROR:  permission denied to create '
         'extension "pg_trgm"\nHINT:  Must be superuser to create this extension.', "database.superuser"),
    # maxcom/lorsource#472 (Liquibase, JDBC)
    Case('org.postgresql.util.PSQLException: ERROR: permission denied to create extension "hstore"\n'
         "  Hint: Must be superuser to create this extension.", "database.superuser"),
    # SectorLabs/django-postgres-extra#53 (Django)
    Case('django.db.utils.ProgrammingError: permission denied to create extension "hstore"\n'
         "HINT:  Must be superuser to create this extension.", "database.superuser"),
    # nhost/nhost#3444 (Hasura's JSON error: only the code and message)
    Case('"hint": "Must be superuser to create this extension.",\n"message": "permission denied to create '
         'extension \\"postgis\\"",\n"status_code": "42501"', "database.superuser"),
    # pyarchinit/pyarchinit#452 (SQLAlchemy)
    Case("Error: (psycopg2 errors.InsufficientPrivilege) must be owner of table us_table\n"
         '[SQL: ALTER TABLE us_table ADD COLUMN doc_usv text DEFAULT""]', "database.superuser"),
    # pytest-dev/pytest-django#821 (the test database needs CREATEDB)
    Case('E               django.db.utils.ProgrammingError: permission denied to create database',
         "database.superuser", step="smoke", subject="tests/test_auth.py::test_login"),
    # golang-migrate/migrate#826 (lib/pq)
    Case('pq: permission denied for schema public in line 0: CREATE TABLE IF NOT EXISTS "public".'
         '"schema_migrations" (version bigint not null primary key, dirty boolean not null)', "database.superuser"),
    # db-migrate/pg#71 (node-postgres)
    Case("[ERROR] error: permission denied for schema public\n    at Parser.parseErrorMessage "
         "(/opt/app/node_modules/pg-protocol/dist/parser.js:287:98)", "database.superuser"),
    # keylime/keylime#1239 (PostgreSQL 15 revoked CREATE on public): only the version differs
    Case("psycopg2.errors.InsufficientPrivilege: permission denied for schema public", "database.version",
         PUBLIC_SCHEMA_15),
    # IQSS/dataverse#9717 (Flyway): only the version differs
    Case("SQL State  : 42501\nError Code : 0\nMessage    : ERROR: permission denied for schema public\n"
         "  Position: 14", "database.version", PUBLIC_SCHEMA_15),
    # hypothesis/h#7679: the role is the same on both sides, so not the role
    Case("ERROR: permission denied for table authorities Where: remote SQL command: SELECT id, created, "
         "authority FROM report.authorities", None, SAME_ROLE),

    # ---- connection slots (53300 too_many_connections)
    # openstate/open-raadsinformatie#198 (SQLAlchemy + psycopg2)
    Case("(psycopg2.OperationalError) FATAL: sorry, too many clients already (Background on this error at: "
         "http://sqlalche.me/e/e3q8)", "database.max_connections", step="smoke", subject="tests/test_load.py::t"),
    # irrdnet/irrd#350
    Case("psycopg2.OperationalError: FATAL:  remaining connection slots are reserved for non-replication "
         "superuser connections", "database.max_connections", step="startup"),
    # porsager/postgres#241 (Postgres.js)
    Case("Error: remaining connection slots are reserved for non-replication superuser connections",
         "database.max_connections", step="smoke", subject="test/api.test.js"),
    # woodpeck/postpass-ops#24 (lib/pq, PostgreSQL 16 wording)
    Case("pq: remaining connection slots are reserved for roles with the SUPERUSER attribute",
         "database.max_connections", step="smoke", subject="TestQueries"),

    # ---- TLS: libpq's and the drivers' own messages
    # DataDog/datadog-agent#13318 (RDS with rds.force_ssl)
    Case('psycopg2.OperationalError: FATAL: no pg_hba.conf entry for host "xx.xx.xx.xx", user "db-user", '
         'database "db-name", SSL off', "database.ssl", step="startup"),
    # getsentry/self-hosted#129 (Django)
    Case('OperationalError: FATAL:  no pg_hba.conf entry for host "172.20.0.2", user "postgres", database '
         '"postgres", SSL off', "database.ssl", step="smoke", subject="tests/test_api.py::test_events"),
    # alexandrainst/node-red-contrib-postgresql#61 (node-postgres, PostgreSQL 15 wording)
    Case('error: no pg_hba.conf entry for host "<ip>", user "postgres", database "<db_name>", no encryption',
         "database.ssl", step="smoke", subject="query"),
    # skaiworldwide-oss/agensgraph#410: a host pg_hba does not list; encryption is not the reason
    Case('psycopg2.OperationalError: FATAL:  no pg_hba.conf entry for host "10.35.56.25", user "ec2-user", '
         'database "batch"', None, step="startup"),
    # brianc/node-postgres#3386 (the app asks for TLS; the laptop's server has none)
    Case("Error: The server does not support SSL connections\n    at Socket.<anonymous> (/home/ubuntu/common/"
         "temp/node_modules/.pnpm/pg@8.11.6/node_modules/pg/lib/connection.js:77:37)", "database.ssl",
         step="startup", failing="baseline"),
    # xo/dbtpl#79 (lib/pq)
    Case("error: pq: SSL is not enabled on the server", "database.ssl", failing="baseline"),
    # xtdb/xtdb#4002 (pgjdbc, sslmode=require)
    Case("error: org.postgresql.util.PSQLException: The server does not support SSL", "database.ssl",
         step="startup", failing="baseline"),
    # microsoft/vscode-pgsql#73 (libpq wording)
    Case("Server does not support SSL, but SSL was required", "database.ssl", step="smoke",
         failing="baseline", subject="tests/test_db.py::test_connect"),
    # brianc/node-postgres#2558 (certificate not trusted)
    Case("failed to connect to pg client Error: self signed certificate in certificate chain\n"
         "    at TLSSocket.onConnectSecure (_tls_wrap.js:1507:34) {\n  code: 'SELF_SIGNED_CERT_IN_CHAIN'\n}",
         "database.ssl", step="startup"),
    # porsager/postgres#597 (Postgres.js)
    Case("Error: self-signed certificate\n at TLSSocket.onConnectSecure (node:_tls_wrap:1540:34)",
         "database.ssl", step="startup"),

    # ---- secrets the app could not find where the profile delivers them
    # HBNetwork/python-decouple#148
    Case("decouple.UndefinedValueError: SECRET_KEY not found. Declare it as envvar or define a default value.",
         "secrets.source", step="startup"),
    # agconti/cookiecutter-django-rest#708 (SECRET_KEY = os.getenv('DJANGO_SECRET_KEY'))
    Case("django.core.exceptions.ImproperlyConfigured: The SECRET_KEY setting must not be empty.",
         "secrets.source", DJANGO_ENV, step="startup"),
    # mrysav/geneac#705 (Rails)
    Case("ArgumentError: Missing `secret_key_base` for 'production' environment, set this string with "
         "`bin/rails credentials:edit` (ArgumentError)", "secrets.source", RAILS),
    # cohere-ai/cohere-toolkit#104 (alembic env.py reading os.environ)
    Case('  File "/workspace/src/backend/alembic/env.py", line 20, in <module>\n'
         "    config.set_main_option(\"sqlalchemy.url\", os.environ[\"DATABASE_URL\"])\nKeyError: 'DATABASE_URL'",
         "secrets.source"),
    # cookiecutter/cookiecutter-django#2821 (django-environ)
    Case("django.core.exceptions.ImproperlyConfigured: Set the DATABASE_URL environment variable",
         "secrets.source", step="startup"),
    # hmajid2301/articles#14: a variable the profile does not declare as a secret
    Case("    user = os.environ['POSTGRES_USER']\nKeyError: 'POSTGRES_USER'", None, step="startup"),

    # ---- memory: the kernel's OOM killer, runtimes, a server backend
    # benoitc/gunicorn#2419 (docker run -m 256m)
    Case("[2020-09-12 05:37:52 +0000] [18] [ERROR] Worker (pid:21) was sent SIGKILL! Perhaps out of memory?",
         "app.memory", step="startup"),
    # kubernetes/kubernetes#56891 (kernel log of a memory-capped pod)
    Case("Memory cgroup out of memory: Kill process 24572 (java) score 0 or sacrifice child\n"
         "Killed process 28438 (java) total-vm:20255636kB, anon-rss:466160kB, file-rss:13684kB", "app.memory",
         step="startup"),
    # chartdb/chartdb#747 (Node.js)
    Case("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", "app.memory",
         step="startup"),
    # docker-library/postgres#809 (a backend OOM-killed inside the database container)
    Case("LOG:  server process (PID 315) was terminated by signal 9: Killed\n"
         "DETAIL:  Failed process was running: SET default_transaction_isolation TO DEFAULT", "database.memory"),

    # ---- the filesystem: a read-only root, the user the app runs as
    # cube-js/cube#5105 (Node.js)
    Case("Error: EROFS: read-only file system, mkdir '/cube/conf/schema'", "app.read_only", step="startup"),
    # PrivateBin/helm-chart#60 (readOnlyRootFilesystem)
    Case("cp: can't create directory '/run/services': Read-only file system", "app.read_only", step="startup"),
    # Audionut/Upload-Assistant#596 (docker run -u 1000:1000)
    Case("Unexpected error: [Errno 13] Permission denied: '/Upload-Assistant/data/version.py'", "app.user",
         step="startup"),
    # notAI-tech/NudeNet#67 (docker run --user 10000:10000)
    Case("PermissionError: [Errno 13] Permission denied: './example_test/00.jpg'", "app.user", step="startup"),
    # Berny23/LD-ToyPad-Emulator#231 (a port below 1024 as a non-root user)
    Case("Error: listen EACCES: permission denied 0.0.0.0:80\n    at Server.setupListenHandle [as _listen2] "
         "(node:net:1915:21)", "app.user", step="startup"),

    # ---- the cluster's locale
    # spantaleev/matrix-docker-ansible-deploy#401 (Synapse's startup check, synapse/storage/engines/postgres.py)
    Case("synapse.storage.engines._base.IncorrectDatabaseSetup: (\"Database has incorrect collation of %r. "
         "Should be 'C'\\nSee docs/postgres.md for more information.\", 'en_US.utf8')", "database.locale", LOCALE,
         step="startup"),
    # the same check on two clusters of the same locale: not the locale
    Case("IncorrectDatabaseSetup: Database has incorrect collation of 'en_US.UTF-8'. Should be 'C'", None,
         SAME_VERSION, step="startup"),
    # PostgreSQL's dbcommands.c (SQLSTATE 22023): CREATE DATABASE ... LC_COLLATE 'C' from template1
    Case("psycopg2.errors.InvalidParameterValue: new collation (C) is incompatible with the collation of the "
         "template database (en_US.utf8)\nHINT:  Use the same collation as in the template database, or use "
         "template0 as template.", "database.locale", LOCALE),

    # ---- server settings, and what is no profile matter
    # darold/pgbadger#257 (SQLSTATE 57014 query_canceled by statement_timeout)
    Case('2015-11-13 15:47:18.741 EET,"","",,"",,,"",2015-11-13 15:42:50 EET,,,ERROR,,"canceling statement '
         'due to statement timeout"', "database.settings", STATEMENT_TIMEOUT),
    # the same where the settings are equal
    Case('ERROR,,"canceling statement due to statement timeout"', None),
    # cookiecutter/cookiecutter-django#146
    Case('ProgrammingError: relation "auth_user" does not exist\nLINE 1: ...user"."is_active", "auth_user".'
         '"date_joined" FROM "auth_user...', None, step="smoke", subject="tests/test_admin.py::test_add_user"),
    # Azure-Samples/graphrag-legalcases-postgres#20 (asyncpg, 42704 undefined_object: a role the app named)
    Case('asyncpg.exceptions.UndefinedObjectError: role "None" does not exist', None),
]
