"""FRESH9: real messages for the database-side keys (TLS, version, superuser, roles, extensions and
the image, locale, data, engine), collected after FRESH8's changes from new searches of public issue
trackers, none of them in the corpus before, each with its source (repo#issue), the step it failed
in and the key that really caused it. Scored against the same realistic laptop/production pair as
FRESH8 (tests/unit/cause_corpus_issue21.py), before any rule changed.

First sight (`python -m tests.unit.test_cause_corpus`, before any rule changed), 47 messages from
40+ stacks: 35 right, 9 unknown, 3 wrong (74%, 6%). Per key (right/unknown/wrong): data 6/2/0,
database.engine 1/2/0, database.image 4/0/0, database.locale 3/1/0, database.roles 1/0/0,
database.ssl 7/4/0, database.superuser 8/0/2, database.version 5/0/0, none 0/0/1.
- Unknown: four TLS failures in pgjdbc's and Postgrex's words ("An error occurred while setting up
  the SSL connection", "Could not open SSL root certificate file", "SSL error: ...ValidatorException",
  "ssl connect: ..."), two 22P02 casts of production's text ("invalid input syntax for integer"),
  a 42803 grouping error and a 42804 cast with SQLite on the laptop, CREATE DATABASE's "encoding
  ... does not match locale".
- Wrong: two "permission denied for schema public" read as database.roles where they were labelled
  database.superuser; Diesel's duplicate history row read as data where it was labelled unsure.
Then (general classes, no message's own phrase): pgjdbc's TLS set-up words ("An error occurred
while setting up the SSL connection", its root certificate file, "PSQLException: SSL error:", the
JVM's sun.security.validator.ValidatorException) and Postgrex's "ssl connect:" prefix as TLS;
SQLSTATE 22P02 (invalid_text_representation, "invalid input syntax for ...") with 22001/22003 as a
value production's rows hold, or SQLite's laxness; 42803 (grouping_error) and 42804
(datatype_mismatch) as the engine when SQLite is on the other side, never the version; CREATE
DATABASE's "encoding ... does not match locale" as the locale. The two "permission denied for schema
public" cases were relabelled database.roles, the corpus's reading of that refusal where production
connects as its roles (cause_corpus_issue21.py, lines 251, 704, 838). Since: 46 right, 0 unknown,
1 wrong (98%, 2%); the wrong one stays (Diesel's two migrations sharing a version fail on any
database; as a one-sided failure only production's rows differ, and no rule tells it apart).

FRESH9B, a second batch collected after those changes from new searches (33 messages, 25+ stacks),
first sight before any rule changed: 27 right, 6 unknown, 0 wrong (82%, 0%). Per key
(right/unknown/wrong): data 5/0/0, database.engine 1/2/0, database.extensions 3/0/0, database.image
1/1/0, database.roles 3/0/0, database.ssl 3/3/0, database.superuser 2/0/0, database.version 8/0/0,
none 1/0/0. Unknown: Go's crypto/tls refusing a config without ServerName, "server does not support
TLS" and "server refused TLS connection" (sqlx's and pgx's words for a server without TLS), a
library missing from the image ('could not access file "$libdir/..."'), 42725 ("operator is not
unique") and 42804 ("is of type integer but expression is of type text") with SQLite on the laptop.
Then: pgx's and sqlx's words for a server without TLS ("server refused TLS connection", "server
does not support TLS"), Go crypto/tls's own refusals and the alerts it reports ("remote error: tls:
..."), a library missing from the server's image ('could not access file "$libdir/...": 58P01), and
42725 (ambiguous_function) beside 42803/42804, with their fixed messages, as SQLite on the other side.
Since: 33 right, 0 unknown, 0 wrong. pgx's fallback that prints "server refused TLS connection" on a
side whose server has TLS (promscale#1134, a wrong password) still names nothing.
"""

from __future__ import annotations

from tests.unit.cause_corpus import Case
from tests.unit.cause_corpus_issue21 import (
    EXTENSIONS_LISTED,
    REALISTIC,
    SQLITE_ON_THE_LAPTOP,
    realistic,
    versions,
)

# Production allows hstore too (the extension is trusted from 13; its creator still needs CREATE).
HSTORE_LISTED = realistic(prod={"database": {"extensions": ["pg_trgm", "pgcrypto", "hstore"]}})
# The laptop's image carries PostGIS; production's plain image does not, though it allows it.
POSTGIS_ON_THE_LAPTOP = realistic({"database": {"version": "15", "image": "postgis/postgis:15-3.4"}},
                                  {"database": {"extensions": ["pg_trgm", "pgcrypto", "postgis"]}})
# Production runs a vendor's image without the contrib modules (CircleCI's cimg/postgres variant).
NO_CONTRIB_IMAGE = realistic({"database": {"version": "13"}},
                             {"database": {"version": "13", "image": "cimg/postgres:13.4-postgis",
                                           "extensions": ["pg_trgm", "pgcrypto", "btree_gist"]}})
# The laptop's cluster is C, production's en_US.UTF-8 on a server whose OS may lack that locale.
LOCALE_IN_PRODUCTION = realistic({"database": {"locale": "C"}}, {"database": {"locale": "en_US.UTF-8"}})

FRESH9 = [
    # ---- TLS, in each stack's own words
    # keycloak/keycloak#38499 (Keycloak on Quarkus, pgjdbc, sslmode=require)
    Case("unable to obtain isolated JDBC connection [An error occurred while setting up the SSL connection.] [n/a]\n\n"
         "Caused by: org.postgresql.util.PSQLException: An error occurred while setting up the SSL connection.\n"
         "\tat org.postgresql.core.v3.ConnectionFactoryImpl.enableSSL(ConnectionFactoryImpl.java:642)",
         "database.ssl", REALISTIC, step="startup"),
    # dbacvetkov/PASH-Viewer#18 (pgjdbc against a server demanding TLS)
    Case("SEVERE: Connection error: \norg.postgresql.util.PSQLException: ERROR: SSL required\n\tat "
         "org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:473)",
         "database.ssl", REALISTIC, step="startup"),
    # codecentric/helm-charts#16 (Keycloak 6 with ssl=true against RDS)
    Case("Caused by: org.postgresql.util.PSQLException: Could not open SSL root certificate file "
         "/opt/jboss/.postgresql/root.crt.\n\tat org.postgresql.ssl.LibPQFactory.<init>(LibPQFactory.java:120)",
         "database.ssl", REALISTIC, step="startup"),
    # grafana/grafana#19574 (lib/pq, a server that authenticates clients by certificate)
    Case("pq: connection requires a valid client certificate", "database.ssl", REALISTIC, step="smoke",
         subject="GET /api/datasources/proxy"),
    # grafana/grafana#65816 (Grafana 9.4, verify-ca checked the host name against RDS' certificate)
    Case("db query error: x509: certificate is valid for <DB instance url>, not <route53 url to db>", "database.ssl", REALISTIC, step="smoke", subject="POST /api/ds/query"),
    # metabase/metabase#4275 (pgjdbc asked for TLS; the server has none)
    Case("ERROR metabase.driver :: Failed to connect to database: org.postgresql.util.PSQLException: The server does "
         "not support SSL.\njava.lang.AssertionError: Assert failed: Unable to connect to Metabase postgres DB.",
         "database.ssl", REALISTIC, step="startup", failing="baseline"),
    # metabase/metabase#8908 (a newer JRE's trust store)
    Case("error when starting: org.postgresql.util.PSQLException: SSL error: "
         "sun.security.validator.ValidatorException", "database.ssl", REALISTIC, step="startup"),
    # teslamate-org/teslamate#3247 (Postgrex, DATABASE_SSL=true without a usable CA)
    Case("[error] Postgrex.Protocol (#PID<0.173.0>) failed to connect: ** (DBConnection.ConnectionError) ssl connect: "
         "Options (or their values) can not be combined: [{verify,verify_peer},\n{cacerts,undefined}] - {:options, "
         ":incompatible, [verify: :verify_peer, cacerts: :undefined]}", "database.ssl", REALISTIC, step="startup"),
    # electric-sql/archived-electric-next#189 (Postgrex against DigitalOcean, no TLS asked for)
    Case('[error] Postgrex.Protocol (#PID<0.347.0>) failed to connect: ** (Postgrex.Error) FATAL 28000 '
         '(invalid_authorization_specification) no pg_hba.conf entry for host "109.95.48.137", user "doadmin", '
         'database "defaultdb", no encryption', "database.ssl", REALISTIC, step="startup"),
    # tortoise/tortoise-orm#150 (asyncpg with ssl=True against RDS)
    Case("ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed "
         "certificate in certificate chain (_ssl.c:1056)", "database.ssl", REALISTIC, step="startup"),
    # asciinema/asciinema-server#378 (Postgrex; the server refuses a plain connection)
    Case('09:34:18.409 [error] Postgrex.Protocol (#PID<0.234.0>) failed to connect: ** (Postgrex.Error) FATAL 28000 '
         '(invalid_authorization_specification) no pg_hba.conf entry for host "10.2.0.5", user "asciinema", database '
         '"asciinema", SSL off', "database.ssl", REALISTIC),

    # ---- the server's version, named by what it lacks
    # netshot-net/Netshot#175 (Hibernate, pgjdbc; regexp_like is PostgreSQL 15+)
    Case("ERROR [grizzly-http-server-12] SqlExceptionHelper: ERROR: function regexp_like(character varying, character "
         "varying) does not exist\n  Hint: No function matches the given name and argument types. You might need to "
         "add explicit type casts.", "database.version", versions("17", "14"), step="smoke",
         subject="PUT /api/devices/2829"),
    # NikolayS/postgres_dba#12 (psql; the xlog functions were renamed in 10)
    Case("psql.bin:/instance1/postgres/10/sitewatch/test/postgres_dba/sql/1_basic.sql:53:ERROR:  function "
         "pg_last_xlog_receive_location() does not exist\nLINE 13:           when pg_last_xlog_receive_location() = "
         "pg_last_xlo...", "database.version", versions("9.6", "10"), step="smoke", subject="report 1"),
    # jOOQ/jOOQ#14616 (pgjdbc; MERGE is PostgreSQL 15+)
    Case('ERROR: syntax error at or near "merge"', "database.version", versions("17", "14"), step="smoke",
         subject="AppDb1"),
    # pulsejet/memories#1179 (Nextcloud, PDO; CREATE OR REPLACE TRIGGER is PostgreSQL 14+)
    Case('An exception occurred while executing a query: SQLSTATE[42601]: Syntax error: 7 ERROR:  syntax error at or '
         'near "TRIGGER"\nLINE 1: CREATE OR REPLACE TRIGGER memories_fcu_trg', "database.version", versions("17", "13")),
    # oban-bg/oban#1071 (Ecto, Postgrex)
    Case('** (Postgrex.Error) ERROR 42601 (syntax_error) syntax error at or near "TRIGGER"\n\n    query: CREATE OR '
         "REPLACE TRIGGER oban_workflow_trigger\nAFTER DELETE ON \"public\".oban_jobs", "database.version",
         versions("17", "13")),

    # ---- CREATE EXTENSION, system catalogs and others' objects: the superuser bit
    # knadh/listmonk#2127 (lib/pq)
    Case('upgrade.go:75: error running migration v4.0.0: pq: permission denied to create extension "pgcrypto"',
         "database.superuser", REALISTIC),
    # tozd/node-reactive-postgres#17 (node-postgres)
    Case('async error error: permission denied to create extension "hstore"\n    at Connection.parseE '
         "(C:\\NodeProjects\\peter\\reactive-log\\node_modules\\pg\\lib\\connection.js:554:11)\n  severity: 'ERROR',\n"
         "  code: '42501',\n  hint: 'Must be superuser to create this extension.',", "database.superuser",
         HSTORE_LISTED, step="startup"),
    # dbos-inc/dbos-transact-py#852 (a role with CREATE on its schema only)
    Case('ERROR:  permission denied to create extension "uuid-ossp"\nHINT:  Must have CREATE privilege on current '
         "database to create this extension.", "database.superuser", EXTENSIONS_LISTED),
    # cloudquery/cloudquery#816 (lib/pq)
    Case('(details: pq: permission denied to create extension "pg_trgm")', "database.superuser", REALISTIC),
    # nhost/nhost#1965 (Hasura applying migrations)
    Case('"message": "permission denied to set role \\"postgres\\"",\n      "status_code": "42501"',
         "database.superuser", REALISTIC),
    # drizzle-team/drizzle-orm#2161 (Postgres.js; the migrator's CREATE SCHEMA on DigitalOcean)
    Case('PostgresError: permission denied for database *****, code: "42501"', "database.superuser", REALISTIC),
    # n8n-io/n8n#9076 (TypeORM on Clever Cloud, the database's owner without superuser)
    Case('Migration "RemoveResetPasswordColumns1690000000030" failed, error: permission denied for table pg_database',
         "database.superuser", REALISTIC),
    # kortix-ai/suna#1612 (supabase db push; auth.users belongs to another role)
    Case("ERROR: must be owner of table users (SQLSTATE 42501)\nAt statement: 4\nCREATE INDEX IF NOT EXISTS "
         "idx_auth_users_email ON auth.users(email)", "database.superuser", REALISTIC),
    # ---- CREATE on public refused: with production's roles set, the corpus reads this as the roles
    # (cause_corpus_issue21.py: psycopg on line 251, alembic on 704, node-postgres on 838); labelled
    # superuser at first by mistake, which the first sight counts as wrong
    # docmost/docmost#1149 (Kysely, node-postgres)
    Case("ERROR [DatabaseMigrationService] Failed to run database migration. Exiting program.\nERROR "
         "[DatabaseMigrationService] error: permission denied for schema public\n    at /app/node_modules/.pnpm/"
         "pg@8.13.3/node_modules/pg/lib/client.js:535:17", "database.roles", REALISTIC),
    # PalisadoesFoundation/talawa-api#2856 (drizzle-kit migrate, node-postgres)
    Case("[⣷] applying migrations...error: permission denied for schema public\n    at /path/to/node_modules/pg/lib/"
         "client.js:535:17", "database.roles", REALISTIC),

    # ---- the roles production's clients connect as
    # prisma/orm#4643 (migrate deploy as a role that does not own the history table)
    Case("Error: Database error: Error querying the database: db error: ERROR: permission denied for table "
         "_prisma_migrations\n   0: sql_migration_connector::sql_imperative_migration_persistence::list_migrations",
         "database.roles", REALISTIC),

    # ---- production's rows
    # mozilla/sumo#1655 (Django; production's sequence behind its rows)
    Case('psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "django_migrations_pkey"\n'
         "DETAIL:  Key (id)=(67) already exists.", "data", REALISTIC),
    # firefly-iii/firefly-iii#8744 (Laravel, PDO)
    Case('[previous exception] [object] (PDOException(code: 23505): SQLSTATE[23505]: Unique violation: 7 ERROR:  '
         'duplicate key value violates unique constraint \\"migrations_pkey\\"\nDETAIL:  Key (id)=(51) already '
         "exists.", "data", REALISTIC),
    # eclipse-tractusx/portal-backend#1309 (EF Core, Npgsql)
    Case("Microsoft.EntityFrameworkCore.DbUpdateException: An error occurred while saving the entity changes. See the "
         "inner exception for details.\n ---> Npgsql.PostgresException (0x80004005): 23502: null value in column "
         '"region" of relation "addresses" violates not-null constraint', "data", REALISTIC),
    # apache/superset#13272 (alembic, psycopg2)
    Case('sqlalchemy.exc.IntegrityError: (psycopg2.errors.NotNullViolation) column "table_name" contains null values\n\n'
         "[SQL: ALTER TABLE tables ALTER COLUMN table_name SET NOT NULL]", "data", REALISTIC),
    # apache/superset#12683 (alembic, psycopg2)
    Case('psycopg2.errors.NotNullViolation: column "database_id" contains null values', "data", REALISTIC),
    # shopsys/shopsys#1712 (Doctrine migrations)
    Case("Migration 20200127085928 failed during Execution. Error An exception occurred while executing '\n"
         "ALTER TABLE delivery_addresses ADD CONSTRAINT FK_2BAF39849395C3F3 FOREIGN KEY (customer_id) REFERENCES "
         "customers (id) NOT DEFERRABLE INITIALLY IMMEDIATE':\n\nSQLSTATE[23503]: Foreign key violation: 7 ERROR:  "
         'insert or update on table "delivery_addresses" violates foreign key constraint "fk_2baf39849395c3f3"\n'
         'DETAIL:  Key (customer_id)=(0) is not present in table "customers".', "data", REALISTIC),
    # activebridge/activebridge#326 (Rails)
    Case("StandardError: An error has occurred, this and all later migrations canceled: "
         'PG::InvalidTextRepresentation: ERROR:  invalid input syntax for integer: "February"', "data", REALISTIC),
    # affinityworks/main#90 (Rails)
    Case('PG::InvalidTextRepresentation: ERROR:  invalid input syntax for integer: "member"\n: ALTER TABLE '
         '"memberships" ALTER COLUMN "role" TYPE integer USING CAST(role AS integer)', "data", REALISTIC),
    # near/near-indexer-for-explorer#250 (Diesel: two migrations with one timestamp, not rows)
    Case("Running migration 2022-01-26-184200_drop_duplicated_index_execution_outcome\nFailed with: duplicate key value "
         'violates unique constraint "__diesel_schema_migrations_pkey"', None, REALISTIC),

    # ---- SQLite on the laptop
    # eNMS-automation/eNMS#390 (SQLAlchemy; "No issue ... when using the sqlite DB")
    Case("sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedFunction) operator does not exist: text = integer\n"
         "LINE 3: ...) OR pool.device_port != '' AND (pool.device_port = 22 AND p...", "database.engine",
         SQLITE_ON_THE_LAPTOP, step="smoke", subject="POST /add_device"),
    # RakuenSoftware/aimee#417 (the SQLite test shim tolerated it)
    Case('ERROR: column "p.name" must appear in the GROUP BY clause or be used in an aggregate function',
         "database.engine", SQLITE_ON_THE_LAPTOP, step="smoke", subject="duplicate-selectors"),
    # zyphlar/Open-Source-Access-Control-Web-Interface#28 (Rails, SQLite in development)
    Case('PG::DatatypeMismatch: ERROR:  column "member" cannot be cast automatically to type integer\nHINT:  Specify '
         'a USING expression to perform the conversion.\n: ALTER TABLE "users" ALTER COLUMN "member" TYPE integer',
         "database.engine", SQLITE_ON_THE_LAPTOP),

    # ---- the image lacks the extension
    # hasura/graphql-engine#2336 (Hasura's SQL runner on the plain postgres image)
    Case('postgres-error: could not open extension control file\n"usr/share/postgresql/11/extension/postgis.control": '
         "No such file or directory", "database.image", POSTGIS_ON_THE_LAPTOP),
    # CircleCI-Public/cimg-postgres#13 (Flyway)
    Case("SQL State  : 58P01\nError Code : 0\nMessage    : ERROR: could not open extension control file "
         '"/usr/lib/postgresql/13/share/extension/btree_gist.control": No such file or directory', "database.image",
         NO_CONTRIB_IMAGE),
    # pgracio/dhis2-docker#10 (psql restoring a dump)
    Case('ERROR:  could not open extension control file "/usr/share/postgresql/9.5/extension/postgis.control": No such '
         "file or directory\nSTATEMENT:  CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;", "database.image",
         POSTGIS_ON_THE_LAPTOP),
    # Shippable/support#199 (psql in a CI script)
    Case("ERROR: could not open extension control file /usr/share/postgresql/9.3/extension/postgis.control: No such "
         "file or directory", "database.image", POSTGIS_ON_THE_LAPTOP),

    # ---- the cluster's locale
    # bitnami/bitnami-docker-postgresql#74 (a dump's CREATE DATABASE)
    Case('ERROR:  invalid locale name: "en_US.utf8"', "database.locale", LOCALE_IN_PRODUCTION),
    # nullptrlabs/pgmodeler#484 (CREATE DATABASE ... LC_COLLATE)
    Case('ERROR:  invalid locale name: "zh_CN.UTF8"\nSTATEMENT:  -- object: test | type: DATABASE --\n    CREATE '
         "DATABASE test\n        ENCODING = 'UTF8'\n        LC_COLLATE = 'zh_CN.UTF8'", "database.locale",
         LOCALE_IN_PRODUCTION),
    # ANXS/postgresql#110 (the server's log at start)
    Case('2015-11-18 07:23:28 UTC LOG:  invalid value for parameter "lc_messages": "en_US.UTF-8"\n2015-11-18 07:23:28 '
         'UTC LOG:  invalid value for parameter "lc_time": "en_US.UTF-8"\n2015-11-18 07:23:28 UTC FATAL:  configuration '
         'file "/etc/postgresql/9.4/main/postgresql.conf" contains errors', "database.locale", LOCALE_IN_PRODUCTION,
         step="database"),
    # saltstack-formulas/postgres-formula#270 (psql's CREATE DATABASE on a LATIN1 cluster)
    Case('stderr: ERROR:  encoding "LATIN1" does not match locale "en_US.UTF-8"\nDETAIL:  The chosen LC_CTYPE setting '
         'requires encoding "UTF8".', "database.locale", LOCALE_IN_PRODUCTION),
]

# ---- FRESH9B: a second batch, collected after FRESH9's changes from new searches, scored before any
# rule changed (the figures are in this module's docstring).

# Production allows earthdistance and the cube it needs (both contrib, trusted from 13).
EARTHDISTANCE_LISTED = realistic(prod={"database": {"extensions": ["pg_trgm", "pgcrypto", "cube", "earthdistance"]}})
# Production's allow-list (Azure's azure.extensions) lacks pg_trgm.
NO_PG_TRGM = realistic(prod={"database": {"extensions": ["uuid-ossp", "pgcrypto"]}})
# The laptop's image carries pgvecto.rs ("vectors"); production's plain image does not, though it allows it.
VECTORS_ON_THE_LAPTOP = realistic({"database": {"version": "15", "image": "tensorchord/pgvecto-rs:pg15-v0.2.0"}},
                                  {"database": {"extensions": ["pg_trgm", "pgcrypto", "vectors"]}})

FRESH9B = [
    # ---- TLS
    # jmoiron/sqlx#792 (Go, pgx through sqlx, sslmode=require with a root certificate)
    Case(": failed to write startup message (tls: either ServerName or InsecureSkipVerify must be specified in the "
         "tls.Config)", "database.ssl", REALISTIC, step="startup"),
    # transact-rs/sqlx#836 (Rust sqlx against a server without TLS)
    Case('Tls("server does not support TLS")', "database.ssl", REALISTIC, step="smoke", failing="baseline",
         subject="GET /"),
    # veegres/ivory#726 (pgx defaulting to TLS against a server without it)
    Case("tls error: server refused TLS connection", "database.ssl", REALISTIC, step="startup", failing="baseline"),
    # timescale/promscale#1134 (pgx's fallback: the password was wrong, the last attempt's TLS error is printed)
    Case('level=error ts=2022-02-09T10:27:43.426Z caller=runner.go:110 msg="aborting startup due to error" '
         'err="migration error: error getting DB connection: failed to connect to `host=xxx user=xxx database=xxx`: '
         'tls error (server refused TLS connection)"', None, REALISTIC),
    # conda/conda#1517 (psycopg2 built without OpenSSL, sslmode=require)
    Case('OperationalError: sslmode value "require" invalid when SSL support is not compiled in', "database.ssl",
         REALISTIC, step="startup"),
    # sqlalchemy-redshift/sqlalchemy-redshift#84 (SQLAlchemy, psycopg2)
    Case('sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) sslmode value "verify-full" invalid when SSL '
         "support is not compiled in", "database.ssl", REALISTIC, step="startup"),
    # dev-hato/hato-bot#134 (psycopg2 with sslmode='require' against a server without TLS)
    Case("    self.conn = psycopg2.connect(conf.DB_URL, sslmode='require')\n  File \"/path/to/lib/python3.7/site-"
         'packages/psycopg2/__init__.py", line 127, in connect\n    conn = _connect(dsn, connection_factory='
         "connection_factory, **kwasync)\npsycopg2.OperationalError: server does not support SSL, but SSL was required",
         "database.ssl", REALISTIC, step="smoke", failing="baseline", subject="plugins/hato.py"),

    # ---- the server's version
    # dockage/phppgadmin#2 (a client written for 11 against 12, which dropped relhasoids)
    Case('ERROR:  column "relhasoids" does not exist\nLINE 1: SELECT relhasoids FROM pg_catalog.pg_class WHERE '
         "relname='us...", "database.version", versions("11", "12"), step="smoke", subject="browse table"),
    # newrelic/nri-postgresql#41 (Go; the server's log)
    Case("2020-04-24 17:23:29.786 UTC [8288] ERROR:  column tbl.relhasoids does not exist at character 1941\n"
         "2020-04-24 17:23:29.786 UTC [8288] STATEMENT:  SELECT -- BLOATQUERY", "database.version", versions("11", "12"),
         step="smoke", subject="bloat query"),
    # microsoft/pgtoolsservice#281 (Azure Data Studio's scripter)
    Case("Message: column rel.relhasoids does not exist\nLINE 8:   pg_get_userbyid(rel.relowner) AS relowner, "
         "rel.relhasoids,", "database.version", versions("11", "12"), step="smoke", subject="script as create"),
    # discourse/discourse#41632 (pg_dump 17's dump restored on an older server)
    Case('psql failed: ERROR: unrecognized configuration parameter "transaction_timeout"', "database.version",
         REALISTIC, step="smoke", subject="restore backup"),
    # David-Crty/databasement#590 (pg_dump 18's dump into a 16 server)
    Case('psql:.../snapshot.sql:13: ERROR:  unrecognized configuration parameter "transaction_timeout"',
         "database.version", versions("17", "16"), step="smoke", subject="restore snapshot"),
    # borgmatic-collective/docker-borgmatic#413 (pg_restore 17 into 16)
    Case('pg_restore: error: could not execute query: ERROR:  unrecognized configuration parameter '
         '"transaction_timeout"\nCommand was: SET transaction_timeout = 0;', "database.version", versions("17", "16"),
         step="smoke", subject="restore"),
    # pgadmin-org/pgadmin4#3572 (pg_restore into 9.5)
    Case('pg_restore: error: could not execute query: ERROR:  unrecognized configuration parameter '
         '"idle_in_transaction_session_timeout"\nCommand was: SET idle_in_transaction_session_timeout = 0;',
         "database.version", versions("17", "9.5"), step="smoke", subject="restore"),
    # TablePlus/TablePlus#695 (a dump from pg_dump 10 restored into 9.4)
    Case("pg_restore: connecting to database for restore\npg_restore: [archiver (db)] Error while INITIALIZING:\n"
         "pg_restore: [archiver (db)] could not execute query: ERROR:  unrecognized configuration parameter "
         '"idle_in_transaction_session_timeout"\n    Command was: SET idle_in_transaction_session_timeout = 0;',
         "database.version", versions("10", "9.4"), step="smoke", subject="restore"),

    # ---- the superuser bit
    # mattes/migrate#62 (Go)
    Case("ERROR 42501: must be owner of extension plpgsql", "database.superuser", REALISTIC),
    # immich-app/immich#11441 (TypeORM)
    Case('Migration "Geodata1700362016675" failed, error: permission denied to create extension "earthdistance"\n'
         'QueryFailedError: permission denied to create extension "earthdistance"\n    at PostgresQueryRunner.query '
         "(/usr/src/app/node_modules/typeorm/driver/postgres/PostgresQueryRunner.js:219:19)", "database.superuser",
         EARTHDISTANCE_LISTED),

    # ---- the roles production's clients connect as
    # IIC2513/Syllabus-S1-25-2#16 (sequelize-cli)
    Case('Sequelize CLI [Node: 20.19.4, CLI: 6.6.3, ORM: 6.37.7]\n\nLoaded configuration file "src/config/config.js".\n'
         'Using environment "development".\n\nERROR: permission denied for schema public', "database.roles", REALISTIC),
    # estuary/flow#2990 (Supabase's PostgREST, column grants that leave one out)
    Case("42501 permission denied for table user_grants", "database.roles", REALISTIC, step="smoke",
         subject="remove user grant"),
    # catarse/catarse#2831 (PostgREST on RDS)
    Case("permission denied for relation contribution_details", "database.roles", REALISTIC, step="smoke",
         subject="GET /contribution_details"),

    # ---- a provider's allow-list
    # chatwoot/charts#162 (Rails on Azure Flexible Server)
    Case('ActiveRecord::StatementInvalid: PG::FeatureNotSupported: ERROR:  extension "plpgsql" is not allow-listed for '
         '"azure_pg_admin" users in Azure Database for PostgreSQL (ActiveRecord::StatementInvalid)\nHINT:  to learn how '
         "to allow an extension or see the list of allowed extensions, please refer to "
         "https://go.microsoft.com/fwlink/?linkid=2281561", "database.extensions", REALISTIC),
    # mrobinson2/AzureAgentForge#30 (Postgres.js)
    Case('PostgresError: extension "pg_trgm" is not allow-listed for users in Azure Database for PostgreSQL\n'
         "code: 0A000  routine: check_extension_permissions", "database.extensions", NO_PG_TRGM),
    # eclipse-tractusx/sldt-digital-twin-registry#516 (Liquibase)
    Case("Caused by: liquibase.exception.MigrationFailedException: Migration failed for changeset "
         "db/changelog/db.changelog-extensions.yaml::01012022-01::fmisir:\n     Reason: "
         'liquibase.exception.DatabaseException: ERROR: Only members of "azure_pg_admin" are allowed to use CREATE '
         'EXTENSION [Failed SQL: (0) CREATE EXTENSION IF NOT EXISTS "uuid-ossp"]', "database.extensions", REALISTIC),

    # ---- the image lacks the extension
    # arter97/immich-native#31 (Postgres.js)
    Case("error: PostgresError: extension \"vectors\" is not available\n    at ErrorResponse (/var/lib/immich/app/"
         "node_modules/postgres/cjs/src/connection.js:790:26)\n    severity: 'ERROR',\n    code: '0A000',\n    detail: "
         "'Could not open extension control file \"/usr/share/postgresql/15/extension/vectors.control\": No such file or "
         "directory.',", "database.image", VECTORS_ON_THE_LAPTOP),
    # immich-app/immich-charts#292 (the library gone from the server's image)
    Case('microservices worker error: PostgresError: could not access file "$libdir/vectors": No such file or directory',
         "database.image", VECTORS_ON_THE_LAPTOP, step="startup"),

    # ---- production's rows
    # ansible/galaxy#530 (Django; "working fine when applying migrations to a copy of production" once fixed)
    Case("IntegrityError: could not create unique index \"main_repositoryversion_name_repository_id_2740ab2b_uniq\"",
         "data", REALISTIC),
    # meeb/tubesync#1233 (Django, psycopg 3)
    Case('psycopg.errors.UniqueViolation: could not create unique index "common_taskhistory_task_id_5601b8bb_uniq"\n'
         "DETAIL:  Key (task_id)=(db03ef95-2e25-45d1-a6bb-1a50d10f7a0a) is duplicated.", "data", REALISTIC),
    # irfanpule/django-form-surveys#40 (Django)
    Case('django.db.utils.IntegrityError: duplicate key value violates unique constraint "djf_surveys_question_key_key"'
         "\nDETAIL:  Key (key)=() already exists.", "data", REALISTIC),
    # codeforamerica/intake#1159 (Django on Heroku; the staging database's sequence behind its rows)
    Case('psycopg2.IntegrityError: duplicate key value violates unique constraint "django_migrations_pkey"\nDETAIL:  '
         "Key (id)=(128) already exists.", "data", REALISTIC),
    # nullobject/rein#48 (Rails)
    Case('PG::CheckViolation: ERROR:  check constraint "countries_continent_presence" is violated by some row', "data",
         REALISTIC),

    # ---- SQLite on the laptop
    # codeforpdx/dwellingly-app#662 (SQLAlchemy; SQLite "doesn't enforce types")
    Case("E       sqlalchemy.exc.DataError: (psycopg2.errors.InvalidTextRepresentation) invalid input syntax for type "
         'integer: "7a2ab50d-8d3e-4278-9a18-ec65c1cfe879"\nE       LINE 3: WHERE revoked_tokens.id = '
         "'7a2ab50d-8d3e-4278-9a18-ec65c1cfe...", "database.engine", SQLITE_ON_THE_LAPTOP, step="smoke",
         subject="tests/test_auth.py::test_logout"),
    # RakuenSoftware/aimee#2827 (the SQLite shim translated what Postgres refuses)
    Case("operator is not unique: - unknown", "database.engine", SQLITE_ON_THE_LAPTOP, step="smoke",
         subject="kb_maintenance"),
    # brianc/node-postgres#3048 (CAP's cds: "only for PostgreSQL")
    Case('column "id" is of type integer but expression is of type text', "database.engine", SQLITE_ON_THE_LAPTOP,
         step="smoke", subject="POST /salesmanprofile"),
]
