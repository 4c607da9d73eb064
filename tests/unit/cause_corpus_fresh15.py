"""FRESH15: real messages across all keys, in the proportions of issue 21's unseen set (production's
rows breaking a constraint, client TLS in each driver's words, versions, what only a superuser may do,
roles, extensions and the image, locale, the pooler, connection limits, memory kills, read-only root,
missing secrets, replicas, shutdown), collected after FRESH13/FRESH14 from new searches of public issue
trackers, none of them in the corpus before (checked by text and by source: a first draft of this batch
drew 35 sources the corpus already held, all dropped), each with its source (repo#issue), the step it
failed in and the key that really caused it. Scored against the same realistic laptop/production pair
as FRESH8 (tests/unit/cause_corpus_issue21.py), before any rule changed. No startup-probe message that
was new and unambiguous turned up in the searches, so the batch has none.

First sight (`python -m tests.unit.test_cause_corpus`, before any rule changed), 50 messages from 50
sources in 49 repositories across 40+ stacks (pgjdbc, Alembic, Ecto/Postgrex, golang-migrate, Rails, node-postgres,
Postgrex's TLS options, SQLx/rustls, pgx, JetBrains' JDBC, n8n, PHP's pg_exec, pg_activity, postgres_exporter, knex,
Flyway, the Go postgres-operator, Zulip, Helm charts, pgsync, EdgeDB, TypeORM, RDS, Ansible, initdb, lib/pq
through PgBouncer, Rails through PgBouncer, HikariCP, peewee, gunicorn, Celery, nginx, jsonwebtoken,
django-configurations, authentik, the Kubernetes dashboard, Cloud Run, Kong, Envoy): 39 right, 10 unknown,
1 wrong (78%, 2%). Per key (right/unknown/wrong): app.memory 2/1/0, app.read_only 2/0/0, app.replicas
0/1/0, app.shutdown 0/3/0, data 6/0/0, database.extensions 1/0/0, database.image 2/0/0, database.locale
2/0/0, database.max_connections 3/0/0, database.pooler 1/1/0, database.roles 4/0/0, database.ssl 6/0/1,
database.superuser 4/1/0, database.version 3/1/0, secrets.source 3/2/0.
- Wrong: a JDBC "[08006] SSL error: Failed to parse server certificates ..." read as the failover (08006
  is connection_failure) though the text says the failure is TLS.
- Unknown, database side: pg_activity's "column pg_stat_activity.state does not exist" against 9.1
  (a column 9.2 added), "cached plan must not change result type" through PgBouncer, pgsync's own
  "SuperUserError: 'You need to be a superuser ...'".
- Unknown, platform side: gunicorn's "WORKER TIMEOUT ... terminated due to signal 9", a KeyError naming
  SECRET_KEY, authentik's "Secret key missing", the dashboard's "can't find session" on another replica,
  Cloud Run's "Truncated response body — the application exited ...", Kong's "recv() failed (104:
  Connection reset by peer) while reading response header from upstream", Envoy's "upstream connect
  error or disconnect/reset before headers. reset reason: connection failure".
Two refused CREATE EXTENSION messages (zulip's tsearch_extras, chainlink's citext) are scored with
production's allow-list naming the extension, the corpus's convention when the thread blames the role
(HSTORE_LISTED); against the bare realistic pair, whose allow-list lacks them, both read as
database.extensions (then 37 right, 3 wrong).
Then (general classes, each with its unit test; no other corpus case changed its verdict): a connection
exception (SQLSTATE class 08) printed with TLS's own "SSL error:" is the ssl, not the failover; a catalog
column known only by its qualified name (pg_stat_activity.state, .query, .pid since 9.2) names the
version; a tool's own words for needing a superuser ("You need to be a superuser", SuperUserError,
"superuser privileges required"); a declared secret named in words ("Secret key missing" for
AUTHENTIK_SECRET_KEY) and reported missing; a session looked up by the id another replica handed out
("can't find session '<id>'"). Since: 44 right, 6 unknown, 0 wrong (88%, 0%); all unseen 611/29/2 of
642 (95%, 0%). Left unknown: gunicorn's WORKER TIMEOUT then signal 9 (a supervisor's own kill, left
unsure on purpose), "cached plan must not change result type" (a plan cached before DDL, pooled or not),
a KeyError flattened into a traceback's frame line by the issue's title, and the three proxies' resets
while the app stopped (text that a crash or an OOM kill prints too; parity measures the shutdown instead).
"""

from __future__ import annotations

from tests.unit.cause_corpus import Case
from tests.unit.cause_corpus_fresh9 import LOCALE_IN_PRODUCTION
from tests.unit.cause_corpus_issue21 import REALISTIC, realistic, secrets, versions

# Self-hosted servers with the extension installed: production's allow-list names it, the role is no superuser
# (the corpus's convention for a refused CREATE EXTENSION whose thread blames the role, as HSTORE_LISTED).
TSEARCH_EXTRAS_LISTED = realistic(prod={"database": {"extensions": ["pg_trgm", "pgcrypto", "tsearch_extras"]}})
CITEXT_LISTED = realistic(prod={"database": {"extensions": ["pg_trgm", "pgcrypto", "citext"]}})

# The laptop's image carries PostGIS; production's plain image does not, though its allow-list names it.
POSTGIS_ON_THE_LAPTOP = realistic({"database": {"image": "postgis/postgis:15-3.4"}},
                                  {"database": {"extensions": ["pg_trgm", "pgcrypto", "postgis"]}})

FRESH15 = [
    # ---- production's rows break a constraint the migration adds
    # adempiere/adempiere#3495 (pgjdbc, an XML migration adding a NOT NULL column)
    Case('org.postgresql.util.PSQLException: ERROR: column "datedoc" of relation "m_package" contains null values; '
         "State=23502; ErrorCode=0", "data", REALISTIC),
    # jacebrowning/memegen#180 (Alembic on Heroku; duplicate template keys)
    Case('sqlalchemy.exc.IntegrityError: (psycopg2.IntegrityError) could not create unique index "memes_key_key"\n'
         "DETAIL:  Key (key)=(captain) is duplicated.\n        [SQL: 'ALTER TABLE memes ADD UNIQUE (key)']", "data",
         REALISTIC),
    # blockscout/blockscout#1112 (Ecto; rows the new check constraint refuses)
    Case("[stderr]** (Postgrex.Error) ERROR 23514 (check_violation): check constraint \"call_has_input\" is violated by "
         "some row\n[stderr]\n[stderr] table: internal_transactions\n[stderr] constraint: call_has_input\n[stderr] "
         "(ecto) lib/ecto/adapters/sql.ex:200: Ecto.Adapters.SQL.query!/5", "data", REALISTIC),
    # mergestat/mergestat#835 (golang-migrate, lib/pq; orphan scans left from before the foreign key)
    Case('migration failed: insert or update on table "syft_repo_scans" violates foreign key constraint '
         '"syft_repo_scans_repo_id_fkey", Key (repo_id)=(df59f137-de16-4c66-852d-377de689fe0f) is not present in table '
         '"repos". in line 0: BEGIN;', "data", REALISTIC, step="startup"),
    # docusealco/docuseal#319 (Rails; the instance has no account 1)
    Case(" /usr/local/bundle/gems/activerecord-7.1.3.2/lib/active_record/connection_adapters/postgresql_adapter.rb:894:"
         "in `exec_params': PG::ForeignKeyViolation: ERROR:  insert or update on table \"account_linked_accounts\" "
         'violates foreign key constraint "fk_rails_babfe524b4" (ActiveRecord::InvalidForeignKey)\napp-1        | '
         'DETAIL:  Key (account_id)=(1) is not present in table "accounts".', "data", REALISTIC),
    # EBWiki/EBWiki#2575 (Rails; subjects pointing at deleted cases)
    Case("StandardError: An error has occurred, this and all later migrations canceled: PG::ForeignKeyViolation: ERROR: "
         'insert or update on table "subjects" violates foreign key constraint "fk_rails_94f26cc552"\nDETAIL:  Key '
         '(case_id)=(395) is not present in table "cases".', "data", REALISTIC),

    # ---- TLS, in each stack's own words
    # run-llama/LlamaIndexTS#366 (node-postgres against Timescale with sslmode=require)
    Case("Error: self-signed certificate in certificate chain\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1659:34)"
         "\n    at TLSSocket.emit (node:events:517:28) {\n  code: 'SELF_SIGNED_CERT_IN_CHAIN'\n}", "database.ssl",
         REALISTIC, step="startup"),
    # alexandrainst/node-red-contrib-postgresql#67 (node-postgres against DigitalOcean's managed database)
    Case('"Error: self signed certificate in certificate chain"', "database.ssl", REALISTIC, step="startup"),
    # blockscout/blockscout#10369 (Postgrex; ssl: true with verify_peer and no CA)
    Case('Postgrex.Protocol (#PID<0.211.0>) failed to connect: ** (DBConnection.ConnectionError) ssl connect: Options '
         "(or their values) can not be combined: [{verify,verify_peer},\\n                                                "
         "{cacerts,undefined}] - {:options, :incompatible, [verify: :verify_peer, cacerts: :undefined]}",
         "database.ssl", REALISTIC),
    # danschultzer/elixir-terraform-aws-ecs-example#3 (Ecto against RDS without TLS)
    Case('no pg_hba.conf entry for host "10.0.2.166", user "dbuser", database "core_dev", no encryption',
         "database.ssl", REALISTIC, step="startup"),
    # transact-rs/sqlx#2886 (SQLx with rustls against Railway)
    Case("Error: error communicating with database: invalid peer certificate: Other(UnsupportedCertVersion)",
         "database.ssl", REALISTIC, step="startup"),
    # transferia/transferia#125 (pgx with several hosts and TLS)
    Case("failed to write startup message (tls: failed to verify certificate: x509: certificate signed by unknown "
         "authority)", "database.ssl", REALISTIC, step="startup"),
    # autobase-tech/autobase#859 (pgjdbc in JetBrains' tools; a certificate without an issuer)
    Case("[08006] SSL error: Failed to parse server certificates Empty issuer DN not allowed in X509Certificates.",
         "database.ssl", REALISTIC, step="smoke", subject="tests/test_connect.py::test_datagrip"),

    # ---- the server's version, named by what it lacks or dropped
    # n8n-io/n8n-hosting#54 (n8n's migration on the chart's older server)
    Case("function gen_random_uuid() does not exist", "database.version", versions("17", "12")),
    # wizkid057/wizstats#65 (PHP's pg_exec against 9.3; current_query left pg_stat_activity in 9.2)
    Case('Warning: pg_exec(): Query failed: ERROR: column "current_query" does not exist LINE 1: ...ect count(*) as check '
         "from pg_stat_activity where current_qu... ^ in instant_livedata.php on line 126", "database.version",
         versions("9.1", "9.3"), step="smoke", subject="tests/instant_livedata.php"),
    # dalibo/pg_activity#75 (pg_activity against a server older than 9.2)
    Case("FATAL: column pg_stat_activity.state does not exist\nLINE 15: pg_stat_activity.state as state,\n"
         "         ^", "database.version", versions("14", "9.1"), step="smoke", subject="tests/test_waiting.py"),
    # prometheus-community/postgres_exporter#551 (13 renamed pg_stat_statements' total_time)
    Case('2021-06-29 20:04:46.870 UTC [331] ERROR:  column "total_time" does not exist at character 48',
         "database.version", versions("12", "15"), step="smoke", subject="collector/pg_stat_statements_test.go"),

    # ---- the roles production connects as
    # knex/documentation#561 (knex; the migrations table belongs to a re-created role)
    Case('migration failed with error: insert into "knex_migrations" ("batch", "migration_time", "name") values ($1, '
         "$2, $3) - permission denied for table knex_migrations", "database.roles", REALISTIC),
    # soliplex/soliplex#1378 (Alembic run as the least-privilege app role)
    Case("CREATE TABLE ...              ERROR:  permission denied for schema public\nALTER TABLE <table> ADD ...   "
         "ERROR:  must be owner of table <table>", "database.roles", REALISTIC),
    # appsmithorg/appsmith#36661 (Flyway as a role without CREATE on its schema)
    Case("postgres stdout | 2024-10-02 09:26:09.381 UTC [1781] ERROR:  permission denied for schema appsmith at "
         'character 14\npostgres stdout | 2024-10-02 09:26:09.381 UTC [1781] STATEMENT:  CREATE TABLE "appsmith".'
         '"flyway_schema_history" (', "database.roles", REALISTIC, step="startup"),
    # movetokube/postgres-operator#121 (default privileges for a role the operator's user is not in, on RDS)
    Case('2023-07-20T09:53:44.387-0700    ERROR   controller_postgres     Could not give connectors-reader permissions '
         '"SELECT"   {"Request.Namespace": "element-platform", "Request.Name": "connectors-psql", "error": "pq: must '
         'be member of role \\"connectors_role\\""}', "database.roles", REALISTIC, step="startup"),

    # ---- what only a superuser may do, refused on a managed server
    # zulip/docker-zulip#24 (Zulip's setup as its own role)
    Case('zulip_1 | ERROR: permission denied to create extension "tsearch_extras"\nzulip_1 | HINT: Must be superuser '
         "to create this extension.", "database.superuser", TSEARCH_EXTRAS_LISTED, step="startup"),
    # helm/charts#16667 (an init script as the chart's application user)
    Case('ERROR: permission denied to create extension "pg_trgm"\nHINT : must be superuser to create this extension',
         "database.superuser", REALISTIC, step="database"),
    # toluaina/pgsync#16 (pgsync on RDS's master user)
    Case("pgsync.exc.SuperUserError: 'You need to be a superuser to perform this action: Current user: master'",
         "database.superuser", REALISTIC, step="startup"),
    # smartcontractkit/chainlink#1163 (the explorer's TypeORM migration as a plain role)
    Case('permission denied to create extension "citext"', "database.superuser", CITEXT_LISTED),
    # geldata/gel#1472 (EdgeDB on RDS altering its own role)
    Case("Error: ERROR: InternalServerError: must be superuser to alter superusers", "database.superuser", REALISTIC,
         step="smoke", subject="tests/test_roles.py::test_set_password"),

    # ---- extensions the provider allows, and the image production runs
    # pg-redis-fdw/redis_fdw#19 (Amazon RDS)
    Case('Extension "redis_fdw" is not supported by Amazon RDS', "database.extensions", REALISTIC),
    # cytopia/devilbox#730 (PostGIS installed on the host, not in the database's image)
    Case('ERROR:  could not open extension control file "/usr/share/postgresql/12/extension/postgis.control": No such '
         "file or directory", "database.image", POSTGIS_ON_THE_LAPTOP),
    # tracyhenry/Kyrix#80 (the plain image without PostGIS)
    Case('could not open extension control file "/usr/share/postgresql/10/extension/postgis.control"', "database.image",
         POSTGIS_ON_THE_LAPTOP, step="database"),

    # ---- the locale production's server is set up with
    # hydradatabase/columnar#225 (spilo's image without the locale generated)
    Case("initdb: error: invalid locale name “en_US.UTF-8”", "database.locale", LOCALE_IN_PRODUCTION, step="database"),
    # autobase-tech/autobase#1551 (Ansible creating a database in a locale the hosts lack)
    Case('[ERROR]: Task failed: Module failed: Database query failed: invalid LC_COLLATE locale name: "ru_RU.UTF-8"',
         "database.locale", LOCALE_IN_PRODUCTION, step="database"),

    # ---- the pooler in front of production
    # pulumi/pulumi-postgresql#865 (lib/pq through transaction pooling)
    Case("unnamed prepared statement does not exist", "database.pooler", REALISTIC, step="smoke",
         subject="tests/provider_test.go::TestGrant"),
    # pgbouncer/pgbouncer#1038 (Rails apps sharing prepared statements through PgBouncer across a migration)
    Case("ERROR:  cached plan must not change result type", "database.pooler", REALISTIC, step="smoke",
         subject="spec/requests/orders_spec.rb"),

    # ---- the server's connection limit
    # brianc/node-postgres#557 (pg's pool larger than max_connections)
    Case("     Error: error fetching client from pool error: sorry, too many clients already\n    at /home/rngadam/"
         "letsface/src/pgspjs/sp.js:282:25", "database.max_connections", REALISTIC, step="smoke",
         subject="test/sp.test.js"),
    # apache/shardingsphere#13016 (HikariCP in ShardingSphere-Proxy)
    Case("[ERROR] 15:30:19.502 [Curator-TreeCache-5] com.zaxxer.hikari.pool.HikariPool - HikariPool-24 - Exception "
         "during pool initialization.\norg.postgresql.util.PSQLException: FATAL: sorry, too many clients already",
         "database.max_connections", REALISTIC, step="startup"),
    # coleifer/peewee#829 (peewee)
    Case("OperationalError: FATAL:  sorry, too many clients already\nFATAL:  sorry, too many clients already",
         "database.max_connections", REALISTIC, step="smoke", subject="tests/test_views.py::test_index"),

    # ---- the app's memory limit
    # fedora-copr/logdetective-website#240 (gunicorn's master reporting its worker's kill)
    Case("[2025-04-28 15:47:57 +0000] [1] [ERROR] Worker (pid:6670) was sent SIGKILL! Perhaps out of memory?",
         "app.memory", REALISTIC, step="smoke", subject="tests/test_upload.py::test_log_url"),
    # project-koku/koku#1588 (a Celery task pulling a month of rows in its pod)
    Case("[2020-01-07 14:52:22,161: ERROR/MainProcess] Process 'ForkPoolWorker-15' pid:2694 exited with 'signal 9 "
         "(SIGKILL)'", "app.memory", REALISTIC, step="smoke", subject="tests/test_tasks.py::test_upload"),
    # domino14/Webolith#420 (gunicorn on a small Kubernetes cluster)
    Case("[2023-10-30 02:03:04 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:1902781)\n[2023-10-30 02:03:05 +0000] [1] "
         "[WARNING] Worker with pid 1902781 was terminated due to signal 9", "app.memory", REALISTIC, step="smoke",
         subject="tests/test_wordwalls.py"),

    # ---- the app's root filesystem, read-only in production
    # DependencyTrack/frontend#940 (nginx's entrypoint under read_only: true)
    Case("/docker-entrypoint.d/20-envsubst-on-templates.sh: line 53: can't create /etc/nginx/conf.d/default.conf: "
         "Read-only file system", "app.read_only", REALISTIC, step="startup"),
    # payu-org/payu#699 (a cache under a read-only root)
    Case("OSError: [Errno 30] Read-only file system: '/.cache'", "app.read_only", REALISTIC, step="smoke",
         subject="tests/test_pbs.py::test_nodes"),

    # ---- a secret production does not provide
    # anitab-org/portal#370 (Django's manage.py migrate without SECRET_KEY in the environment)
    Case('File "/usr/local/lib/python2.7/UserDict.py", line 40, in __getitem__ raise KeyError(key) KeyError: '
         "'SECRET_KEY'", "secrets.source", secrets("SECRET_KEY")),
    # jasonraimondi/ts-oauth2-server#54 (jsonwebtoken without its signing key)
    Case("Error: secretOrPrivateKey must have a value\n    at Object.module.exports [as sign] (/auth-api/node_modules/"
         "jsonwebtoken/sign.js:107:20)\n    at /auth-api/node_modules/@jmondi/oauth2-server/src/utils/jwt.ts:36:11",
         "secrets.source", secrets("OAUTH_CODES_SECRET"), step="smoke", subject="POST /oauth/authorize"),
    # DavideViolante/Angular-Full-Stack#138 (the secret token missing from .env)
    Case("secretOrPrivateKey must have a value", "secrets.source", secrets("SECRET_TOKEN"), step="smoke",
         subject="POST /api/login"),
    # mozilla/normandy#47 (django-configurations in the production image)
    Case("ValueError: Couldn't setup configuration 'normandy.settings.Production':  Value 'SECRET_KEY' is required to be "
         "set as the environment variable 'DJANGO_SECRET_KEY'", "secrets.source", secrets("DJANGO_SECRET_KEY"),
         step="startup"),
    # goauthentik/authentik#2131 (the compose example without AUTHENTIK_SECRET_KEY)
    Case('ak-server-1       | {"event": "Secret key missing, check https://goauthentik.io/docs/installation/.", '
         '"level": "info", "logger": "__main__", "timestamp": 1643057438.4856138}', "secrets.source",
         secrets("AUTHENTIK_SECRET_KEY"), step="startup"),

    # ---- several replicas, one session store each
    # kubernetes-retired/dashboard#2272 (two dashboard replicas behind one service)
    Case("handleTerminalSession: can't find session '58b0f210745ff704af190f0d181a5111'", "app.replicas", REALISTIC,
         step="smoke", subject="tests/test_shell.py::test_exec"),

    # ---- the app's shutdown
    # mindset-ai/memex-ai#160 (Cloud Run; no SIGTERM handler, in-flight streams cut)
    Case("Truncated response body — the application exited before the response was finished", "app.shutdown",
         REALISTIC, step="smoke", subject="POST /guide/v1/chat"),
    # Kong/kubernetes-ingress-controller#397 (Kong in front of pods being terminated)
    Case("2019/09/13 04:28:26 [error] 34#0: *45793040 recv() failed (104: Connection reset by peer)\n while reading "
         "response header from upstream, client: 10.10.10.10, \nserver: kong, request: \"GET ", "app.shutdown",
         REALISTIC, step="smoke", subject="GET /api/orders"),
    # osbuild/osbuild-composer#2797 (OpenShift redeploying composer under polling clients)
    Case("GenericError: Failed to get the compose status: upstream connect error or disconnect/reset before headers. "
         "reset reason: connection failure", "app.shutdown", REALISTIC, step="smoke",
         subject="test_koji.py::test_compose_status"),
]
