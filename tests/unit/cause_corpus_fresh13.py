"""FRESH13: real messages across all keys, in the proportions of issue 21's unseen set (production's
rows breaking a constraint, client TLS in each driver's words, versions, what only a superuser may do,
roles, extensions and the image, locale, the pooler, connection limits, memory kills, read-only root,
missing secrets, replicas, the startup probe, shutdown), collected after FRESH11 from new searches of
public issue trackers, none of them in the corpus before (nor in FRESH12, collected at the same time
on another branch), each with its source (repo#issue), the step it failed in and the key that really
caused it. Scored against the same realistic laptop/production pair as FRESH8
(tests/unit/cause_corpus_issue21.py), before any rule changed.

First sight (`python -m tests.unit.test_cause_corpus`, before any rule changed), 50 messages from
50 sources across 40+ stacks (PHP/Doctrine, Rails, Alembic, Django, node-pg-migrate, Liquibase, Nextcloud,
goatcounter, pgjdbc, rust-postgres with native-tls and rustls, asyncpg, deno-postgres, Postgrex, knex,
pgAdmin, pgstat, TypeORM, Hypercorn, OmniDB, pgx, Azure, Cloud SQL's image, Ansible, lib/pq through
PgBouncer, Neon's proxy, Npgsql, LoopBack, Celery, Deno, Spring Boot, jte, Puma, Parse Dashboard, the
kubelet, Envoy): 46 right, 4 unknown, 0 wrong (92%, 0%). Per key (right/unknown/wrong): app.memory
3/0/0, app.read_only 2/1/0, app.replicas 0/1/0, app.shutdown 0/1/0, app.startup_probe 1/0/0, data 9/0/0,
database.extensions 1/0/0, database.image 1/0/0, database.locale 0/1/0, database.max_connections 6/0/0,
database.pooler 2/0/0, database.roles 4/0/0, database.ssl 7/0/0, database.superuser 4/0/0,
database.version 4/0/0, secrets.source 2/0/0.
- Unknown, database side: a server refusing a locale in its own translated words ("ERRORE:  invalid
  LC_COLLATE locale name: ..." with an Italian severity and "NOTA:" hint).
- Unknown, platform side: Deno's cache that cannot be opened under a read-only root ("Could not
  initialize cache database ... CannotOpen"), a CSRF token another replica did not issue ("CSRF token
  validation failed"), Envoy's "upstream connect error or disconnect/reset before headers. reset reason:
  connection termination" while the app ignored SIGTERM.
Then (the database side only, a general class, no message's own phrase): CREATE DATABASE since 15 names
the category it refuses ("invalid LC_COLLATE locale name", "invalid LC_CTYPE locale name"), read as the
locale like the older "invalid locale name". Since: 47 right, 3 unknown, 0 wrong (94%, 0%); the database
side (data, TLS, version, roles, superuser, extensions, image, locale) 31 of 31, the pooler and the
connection limit 8 of 8. Also, from the classes this batch's translated servers (French, Spanish,
Italian) point at, each checked against real servers' output before it went in: class-23 (and 22001)
messages in German, French, Spanish, Brazilian Portuguese and Russian carry their SQLSTATE (the French
NOT NULL here was right only through its printed code); a host rule refusing a plain connection in
Spanish ("sin cifrado", "SSL inactivo") or French ("SSL inactif") is the TLS; and the catalog columns 16
and 17 added or moved (pg_stat_bgwriter's checkpoint timings, vacuum progress in bytes, the last scan
times, pg_stat_statements' block timings). FRESH13 stays 47/3/0. Left unknown, platform side, for the platform keys' owner: Deno's cache under a read-only root, a
CSRF token another replica issued, Envoy's reset while the app ignored SIGTERM.
"""

from __future__ import annotations

from tests.unit.cause_corpus import Case
from tests.unit.cause_corpus_fresh9 import LOCALE_IN_PRODUCTION
from tests.unit.cause_corpus_issue21 import REALISTIC, realistic, secrets, versions

# The laptop's image carries pgvector; production's image does not, though its allow-list names it.
VECTOR_ON_THE_LAPTOP = realistic({"database": {"version": "15", "image": "pgvector/pgvector:pg15"}},
                                 {"database": {"extensions": ["pg_trgm", "pgcrypto", "vector"]}})

FRESH13 = [
    # ---- production's rows break a constraint the migration adds
    # fossasia/open-event-server#6382 (Alembic, psycopg2; duplicate tags in production)
    Case('sqlalchemy.exc.IntegrityError: (psycopg2.errors.UniqueViolation) could not create unique index '
         '"unique_ticket_tag"\nDETAIL:  Key (name, event_id)=(free, 498) is duplicated.\n\n[SQL: ALTER TABLE ticket_tag '
         "ADD CONSTRAINT unique_ticket_tag UNIQUE (name, event_id)]", "data", REALISTIC),
    # glitch-soc/mastodon#2387 (Rails; duplicate rows an older release let in)
    Case('PG::UniqueViolation: ERROR:  could not create unique index "preview_cards_statuses_pkey"\nDETAIL:  Key '
         "(status_id, preview_card_id)=(110980624339002370, 1785802) is duplicated.", "data", REALISTIC),
    # mastodon/mastodon#37059 (Rails; a data migration meeting a row the instance already had)
    Case('PG::UniqueViolation: ERROR:  duplicate key value violates unique constraint "index_settings_on_var"\n'
         "DETAIL:  Key (var)=(landing_page) already exists.\n/opt/mastodon/db/migrate/20251023210145_migrate_landing_"
         "page_setting.rb:12:in 'MigrateLandingPageSetting#up'", "data", REALISTIC),
    # arp242/goatcounter#501 (Go, lib/pq; rows from 1.4 that the new foreign key refuses)
    Case('goatcounter: zdb.Connect: zdb.Migrate.Run: running "2020-08-28-5-paths-ua-fk": pq: insert or update on '
         'table "user_agents" violates foreign key constraint "user_agents_browser_id_fkey"', "data", REALISTIC,
         step="startup"),
    # ParabolInc/parabol#5281 (node-pg-migrate; duplicate e-mails in production)
    Case('### MIGRATION 1625124096757_addUserEmailUniqueConstraint (UP) ###        \nremote:        Error executing:'
         '        \nremote:        CREATE UNIQUE INDEX "User_email_index" ON "User" ("email");        \nremote:        '
         'error: could not create unique index "User_email_index"', "data", REALISTIC),
    # rubyforgood/homeward-tails#1187 (Rails deployed with Kamal)
    Case("StandardError: An error has occurred, this and all later migrations canceled: (StandardError)\n\n"
         'PG::NotNullViolation: ERROR:  column "locatable_type" of relation "locations" contains null values\n'
         "/rails/db/migrate/20241122053814_add_locatable_to_locations.rb:6:in `block in change'", "data", REALISTIC),
    # nextcloud/collectives#914 (Nextcloud, a French-speaking server)
    Case("Database error when running migration 020800Date20230911000000 for app collectives\nAn exception occurred "
         "while executing a query: SQLSTATE[23502]: Not null violation: 7 ERREUR:  la colonne « settings » contient "
         "des valeurs NULL", "data", REALISTIC),
    # internetee/registry#1107 (Rails; staging rows never backfilled)
    Case('PG::NotNullViolation: ERROR:  column "issue_date" contains null values\n: ALTER TABLE "invoices" ALTER '
         '"issue_date" SET NOT NULL', "data", REALISTIC),
    # dockstore/dockstore#2168 (Dropwizard, Liquibase)
    Case('liquibase.exception.DatabaseException: ERROR: column "displayname" contains null values [Failed SQL: ALTER '
         "TABLE public.organization ADD displayname VARCHAR(50) NOT NULL]", "data", REALISTIC, step="startup"),

    # ---- TLS, in each stack's own words
    # Wisser/Jailer#99 (pgjdbc against a server that requires TLS)
    Case("PSQLException: SSL error: Received fatal alert: handshake_failure", "database.ssl", REALISTIC,
         step="startup"),
    # exyi/pg2parquet#31 (rust-postgres with native-tls against Aiven)
    Case("DB connection failed: error performing TLS handshake: The certificate was not trusted.", "database.ssl",
         REALISTIC, step="startup"),
    # t8y2/dbx#445 (rust-postgres, deadpool)
    Case("PostgreSQL connection failed: Error occurred while creating a new object: error performing TLS handshake",
         "database.ssl", REALISTIC, step="startup"),
    # MagicStack/asyncpg#466 (asyncpg, Python 3.7.4's stricter OpenSSL)
    Case("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: EE certificate "
         "key too weak (_ssl.c:1076)\nThe above exception was the direct cause of the following exception:\n"
         "asyncpg.exceptions.ConnectionDoesNotExistError: connection was closed in the middle of operation",
         "database.ssl", REALISTIC, step="startup"),
    # MagicStack/asyncpg#582 (asyncpg against Heroku, no TLS asked for)
    Case('asyncpg.exceptions.InvalidAuthorizationSpecificationError: no pg_hba.conf entry for host "123.456.789.10", '
         'user "xxx", database "yyy", SSL off', "database.ssl", REALISTIC, step="startup"),
    # eveningkid/denodb#356 (deno-postgres against Heroku's self-signed certificate)
    Case("TLS connection failed with message: invalid peer certificate contents", "database.ssl", REALISTIC,
         step="startup"),
    # bors-ng/bors-ng#798 (Ecto, Postgrex; the server asks for a client certificate)
    Case("** (RuntimeError) The database for BorsNG.Database.Repo couldn't be created: FATAL 28000 "
         "(invalid_authorization_specification): connection requires a valid client certificate\n    (bors) "
         "lib/database/migrate.ex:55: BorsNG.Database.Migrate.create_storage_for/1", "database.ssl", REALISTIC,
         step="startup"),

    # ---- the server's version, named by what it lacks or dropped
    # secustor/backstage-plugins#814 (Backstage, knex; gen_random_uuid is 13+, the server was 11)
    Case("[backend]: error: Plugin 'renovate' startup failed; caused by error: create table \"dependencies\" (\"id\" "
         'uuid primary key default (gen_random_uuid()), "run_id" varchar(255) not null) - function gen_random_uuid() '
         "does not exist", "database.version", versions("17", "11"), step="startup"),
    # pgadmin-org/pgadmin4#5288 (pgAdmin's dashboard against 9.5; wait_event_type is 9.6+)
    Case("ERROR: column \"wait_event_type\" does not exist LINE 10: wait_event_type || ': ' || wait_event AS "
         "wait_event, ^", "database.version", versions("14", "9.5"), step="smoke",
         subject="tests/test_dashboard.py::test_activity"),
    # nbari/pg_exporter#3 (Rust exporter against 14; pg_stat_checkpointer is 17+)
    Case('ERROR:  relation "pg_stat_checkpointer" does not exist at character 211', "database.version",
         versions("17", "14"), step="smoke", subject="tests/metrics.rs::checkpointer"),
    # gleu/pgstats#34 (pgstat against 17, which moved the checkpoint columns out of pg_stat_bgwriter)
    Case('pgstat: pgstat: query failed: ERROR:  column "checkpoints_timed" does not exist\nLINE 1: SELECT '
         "checkpoints_timed, checkpoints_req, checkpoint_write_...\n               ^", "database.version",
         versions("17", "15"), step="smoke", failing="baseline", subject="t/pgstat.t"),

    # ---- the roles production connects as
    # grafana/oncall#3022 (Django on a managed 15; the app's role does not own public)
    Case("django.db.migrations.exceptions.MigrationSchemaMissing: Unable to create the django_migrations table "
         '(permission denied for schema public\nLINE 1: CREATE TABLE "django_migrations" ("id" bigserial NOT NULL '
         "PR...\n                     ^\n)", "database.roles", REALISTIC),
    # travisluong/nfp-boilerplate#2 (Alembic, psycopg2)
    Case("psycopg2.errors.InsufficientPrivilege: permission denied for schema public\nLINE 2: CREATE TABLE "
         "alembic_version (\n                     ^", "database.roles", REALISTIC),
    # typeorm/typeorm#9532 (TypeORM's schema synchronisation)
    Case("QueryFailedError: permission denied for schema public", "database.roles", REALISTIC, step="startup"),
    # pgjones/tozo#2 (Quart under Hypercorn, migrations at startup)
    Case("raise LifespanFailureError(\"startup\", message[\"message\"])\nhypercorn.utils.LifespanFailureError: "
         "Lifespan failure in startup. 'permission denied for schema public'", "database.roles", REALISTIC,
         step="startup"),

    # ---- what only a superuser may do, refused on a managed server
    # OmniDB/OmniDB#935 (RDS; COPY FROM PROGRAM)
    Case("must be superuser to COPY to or from an external program\nHINT:  Anyone can COPY to stdout or from stdin. "
         "psql's \\copy command also works for anyone.", "database.superuser", REALISTIC, step="smoke",
         subject="tests/test_monitoring.py::test_cpu"),
    # palewire/django-postgres-copy#22 (Django management command, server-side COPY)
    Case("django.db.utils.ProgrammingError: must be superuser to COPY to or from a file", "database.superuser",
         REALISTIC, step="smoke", subject="tests/test_load.py::test_load_csv"),
    # blaze/odo#542 (SQLAlchemy against RDS)
    Case("ProgrammingError: must be superuser to COPY to or from a file\nHINT:  Anyone can COPY to stdout or from "
         "stdin. psql's \\copy command also works for anyone.", "database.superuser", REALISTIC),
    # orgrim/pg_back#167 (Go, pgx against RDS)
    Case("2026/08/11 07:49:03 FATAL: could not dump configuration files: could not query file contents from settings: "
         "ERROR: permission denied for function pg_read_file (SQLSTATE 42501)", "database.superuser", REALISTIC,
         step="smoke", subject="tests/backup_test.go::TestDump"),

    # ---- extensions the provider allows, and the image production runs
    # MicrosoftDocs/azure-docs#94751 (Azure Flexible Server's allow-list)
    Case('ERROR:  extension "pgaudit" is not allow-listed for "azure_pg_admin" users in Azure Database for '
         'PostgreSQL\nHINT:  to see the full allow list of extensions, please run: "show azure.extensions;"',
         "database.extensions", REALISTIC),
    # GoogleCloudPlatform/postgresql-docker#117 (the marketplace image ships without pgvector)
    Case('ERROR:  extension "vector" is not available\nDETAIL:  Could not open extension control file '
         '"/usr/share/postgresql/15/extension/vector.control": No such file or directory.\nHINT:  The extension must '
         "first be installed on the system where PostgreSQL is running.", "database.image", VECTOR_ON_THE_LAPTOP),

    # ---- the locale production's server is set up with
    # geerlingguy/ansible-role-postgresql#274 (Debian 12 without the locale generated; Italian messages)
    Case('Database query failed: ERRORE:  invalid LC_COLLATE locale name: "en_US.UTF-8"\nNOTA: If the locale name is '
         "specific to ICU, use ICU_LOCALE.", "database.locale", LOCALE_IN_PRODUCTION, step="database"),

    # ---- the pooler in front of production
    # prometheus-community/pgbouncer_exporter#99 (lib/pq sends extra_float_digits at startup)
    Case('ts=2023-01-09T14:32:54.310Z caller=collector.go:129 level=error msg="error setting up DB connection" '
         'err="error pinging pgbouncer: \\"pq: unsupported startup parameter: extra_float_digits\\""',
         "database.pooler", REALISTIC, step="startup"),
    # neondatabase/neon#6291 (Neon's proxy in front of PgBouncer)
    Case("unsupported startup parameter in options: search_path", "database.pooler", REALISTIC, step="startup"),

    # ---- the server's connection limit
    # facundobatista/kilink#54 (SQLAlchemy under Apache)
    Case("OperationalError: (OperationalError) FATAL:  remaining connection slots are reserved for non-replication "
         "superuser connections", "database.max_connections", REALISTIC, step="smoke",
         subject="tests/test_api.py::test_create"),
    # Association-Merci-Edgar/Merci-Edgar#19 (Rails on Heroku's per-role limit)
    Case('PG::Error: FATAL:  too many connections for role "wmwxvsvucuultw"', "database.max_connections", REALISTIC,
         step="smoke", subject="spec/features/contacts_spec.rb"),
    # IBM-Cloud/logistics-wizard-erp#24 (LoopBack, node-postgres against ElephantSQL)
    Case("{ [error: too many connections for role \"psiiudfi\"]\n  name: 'error',\n  length: 103,\n  severity: "
         "'FATAL',\n  code: '53300',\n  file: 'miscinit.c',\n  line: '480',\n  routine: 'InitializeSessionUserId' }",
         "database.max_connections", REALISTIC, step="startup"),
    # npgsql/npgsql#2128 (ASP.NET under IIS)
    Case("Npgsql.PostgresException (0x80004005): 53300: remaining connection slots are reserved for non-replication "
         "superuser connections\n   at Npgsql.NpgsqlConnector.<DoReadMessage>d__147.MoveNext()",
         "database.max_connections", REALISTIC, step="smoke", subject="GET /api/orders"),
    # apache/texera#3525 (Scala services under load)
    Case("2025-07-02 23:09:57.285 GMT [1152835] FATAL:  sorry, too many clients already", "database.max_connections",
         REALISTIC, step="smoke", subject="tests/test_workflow.py::test_run"),
    # trueforge-org/truecharts#18961 (Nextcloud, Doctrine DBAL, CloudNativePG)
    Case('Failed to connect to the database: An exception occurred in the driver: SQLSTATE[08006] [7] connection to '
         'server at "nextcloud-cnpg-main-rw" (172.17.209.144), port 5432 failed: FATAL: sorry, too many clients '
         "already", "database.max_connections", REALISTIC, step="smoke", subject="tests/test_files.py::test_list"),

    # ---- the app's memory limit, in its supervisor's words
    # celery/billiard#380 (Celery's pool reporting its child's SIGKILL)
    Case("[2022-11-08 10:22:12,972: ERROR/MainProcess] Process 'ForkPoolWorker-4' pid:19 exited with 'signal 9 "
         "(SIGKILL)'\n[2022-11-08 10:22:13,375: ERROR/MainProcess] Task handler raised error: WorkerLostError('Worker "
         "exited prematurely: signal 9 (SIGKILL) Job: 10.')", "app.memory", REALISTIC, step="smoke",
         subject="tests/test_tasks.py::test_import"),
    # JeffreyCA/spleeter-web#92 (Celery in Docker Desktop's memory)
    Case("celery-slow_1  | [2021-08-25 23:24:53,573: ERROR/MainProcess] Process 'ForkPoolWorker-3' pid:27 exited with "
         "'signal 9 (SIGKILL)'\ncelery-slow_1  | billiard.exceptions.WorkerLostError: Worker exited prematurely: "
         "signal 9 (SIGKILL) Job: 3.", "app.memory", REALISTIC, step="smoke",
         subject="tests/test_separate.py::test_separate"),
    # celery/celery#9781
    Case("ERROR/MainProcess] Process 'ForkPoolWorker-171' pid:188 exited with 'signal 9 (SIGKILL)'", "app.memory",
         REALISTIC, step="smoke", subject="tests/test_jobs.py::test_bulk"),

    # ---- the app's root filesystem, read-only in production
    # denoland/deno_docker#446 (Deno's cache under --read-only)
    Case("Could not initialize cache database '/deno-dir/dep_analysis_cache_v2', deleting and retrying... "
         "(SqliteFailure(Error { code: CannotOpen, extended_code: 14 }, Some(\"unable to open database file\")))",
         "app.read_only", REALISTIC, step="startup"),
    # camunda/camunda-platform-helm#5977 (Spring Boot on OpenShift without a writable /tmp)
    Case("org.springframework.context.ApplicationContextException: Unable to start web server\nCaused by: "
         "org.springframework.boot.web.server.WebServerException: Unable to create tempDir. java.io.tmpdir is set to "
         "/tmp", "app.read_only", realistic(prod={"app": {"tmpfs": []}}), step="startup"),
    # casid/jte#338 (jte compiling templates at runtime)
    Case("Caused by: java.io.UncheckedIOException: java.nio.file.FileSystemException: /jte-classes: Read-only file "
         "system\n\tat gg.jte.compiler.TemplateCompiler.generate(TemplateCompiler.java:186)", "app.read_only",
         REALISTIC, step="smoke", subject="TestExecutionControllerTest.getUI"),

    # ---- a secret production does not provide
    # loomio/loomio-deploy#119 (Rails 7, migrations in the app's image)
    Case("ArgumentError: Missing `secret_key_base` for 'production' environment, set this string with `bin/rails "
         "credentials:edit` (ArgumentError)\n          raise ArgumentError, \"Missing `secret_key_base` for "
         "'#{Rails.env}' environment, set this string with `bin/rails credentials:edit`\"", "secrets.source",
         secrets("SECRET_KEY_BASE")),
    # blackcandy-org/blackcandy#39 (Rails 6 under Puma)
    Case("Rack app error handling request { GET / }\n#<ArgumentError: Missing `secret_key_base` for 'production' "
         "environment, set this string with `rails credentials:edit`>", "secrets.source", secrets("SECRET_KEY_BASE"),
         step="smoke", subject="spec/requests/home_spec.rb"),

    # ---- several replicas, one secret each
    # parse-community/parse-dashboard#3015 (two replicas behind a round-robin ingress)
    Case("CSRF token validation failed. Please refresh the page and try again.", "app.replicas", REALISTIC,
         step="smoke", subject="tests/login.test.js"),

    # ---- the startup probe's budget
    # Vigil-SOC/vigil#363 (a slow first boot under a liveness probe alone)
    Case('Liveness probe failed: Get "http://…:6987/api/health": connect: connection refused\nContainer backend '
         "failed liveness probe, will be restarted", "app.startup_probe", REALISTIC, step="startup"),

    # ---- the app's shutdown
    # openfga/openfga#1909 (SIGTERM not handled; the proxy sees the connection cut)
    Case("upstream connect error or disconnect/reset before headers. reset reason: connection termination",
         "app.shutdown", REALISTIC, step="smoke", subject="CheckTest.check"),
]
