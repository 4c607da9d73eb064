"""FRESH10: a batch of real messages for the platform-side keys (app memory, read-only root, startup
probe, shutdown, replicas, secrets, pooler, failover, the server's memory and connection limit, its
timeouts), collected for issue 21 after FRESH8 and unseen by every rule when first scored. Each is
verbatim from a real tool's output (trimmed to the lines that carry the error), with its source, the
step it failed in and the key that really caused it, scored against the realistic laptop/production
pair of tests/unit/cause_corpus_issue21.py, as FRESH8 is.

First sight, before any rule changed (32 messages, 25+ stacks): 14 right, 16 unknown, 2 wrong (44%,
6%). Per key (right/unknown/wrong): app.memory 3/7/0, app.read_only 1/2/0, app.startup_probe 0/2/0,
database.failover 2/0/0, database.max_connections 1/0/0, database.memory 1/0/0, database.pooler 5/3/0,
secrets.source 0/2/0, none 1/0/2. (Scored first with 35; three of them, PgBouncer's "prepared statement
name is already in use", s2i's read-only /etc/passwd and a Phoenix release's missing DATABASE_URL, turned
out to be in the corpus already, or all but word for word, and were dropped: all three had been right.)
Unknown: memory kills in a platform's or runtime's own words (Heroku's R14, a shell's "Killed", php-fpm's child on signal 9, the BEAM's "Cannot allocate ... of
memory", the JVM's bare "Java heap space"), Heroku's R10 and the kubelet's liveness/readiness probe
messages, Laravel's missing APP_KEY, PgBouncer's refused startup parameter, a session advisory lock
stranded by transaction pooling, temporary directories a read-only root refuses in Quarkus' and
Keycloak's words. Wrong: oauth2-proxy's CSRF mismatch read as replicas (its token lives in a cookie),
a client-side cancel (SQLSTATE 57014 "due to user request") read as the server's statement_timeout.
Then: memory kills in each runtime's and platform's words (php-fpm's "exited on signal 9", a shell's
"Killed" line, the JVM's bare heap errors, the BEAM's allocators, Heroku's R14), liveness/readiness
probes and Heroku's R10 during startup, temp/cache folders a read-only root refuses (Vert.x, Keycloak),
PgBouncer's "unsupported startup parameter", Laravel's missing APP_KEY, a cancel the client sent as no
server setting, an OAuth callback's CSRF/state mismatch as unsure: 31 right, 1 unknown, 0 wrong since
(the stranded advisory lock stays unknown: only its app's own words say so).
"""

from __future__ import annotations

from tests.unit.cause_corpus import Case
from tests.unit.cause_corpus_issue21 import POOLED_MIGRATIONS, REALISTIC, realistic, secrets

# Production's read-only root without a tmpfs for /tmp (ECS' readonlyRootFilesystem as commonly set).
NO_TMPFS = realistic(prod={"app": {"tmpfs": []}})
# Production's server ends idle sessions (idle_session_timeout, Postgres 14+).
IDLE_SESSION = realistic(prod={"database": {"settings": {"idle_session_timeout": "10min"}}})

FRESH10 = [
    # ---- the app's memory, in each runtime's and supervisor's words
    # sidekiq/sidekiq#1148 (Heroku's router on a Sidekiq dyno)
    Case("2013-08-30T00:44:18.310995+00:00 heroku[sidekiq.3]: Process running mem=1024M(100.0%)\n"
         "2013-08-30T00:44:18.311219+00:00 heroku[sidekiq.3]: Error R14 (Memory quota exceeded)", "app.memory",
         REALISTIC, step="smoke", subject="jobs drain"),
    # mastodon/mastodon#4169 (Scalingo; the shell reports the SIGKILL of Sidekiq converting a GIF)
    Case("2017-07-12 06:29:38.408149358 +0200 CEST [worker-1] [stderr] /start: line 73:    23 Killed                  "
         "bundle exec sidekiq < /dev/null\n2017-07-12 06:29:49.724560137 +0200 CEST [manager] container [worker-1] has "
         "crashed, restart container in 5 minutes.", "app.memory", REALISTIC, step="smoke", subject="media upload"),
    # sidekiq/sidekiq#672 (a 512MB staging instance)
    Case("2013-02-02T00:03:32Z 25855 TID-1avpvw UpdateMembershipLevelWorker JID-592d1f837aad36ad4bddafdc INFO: start\n"
         "Killed", "app.memory", REALISTIC, step="smoke", subject="update memberships"),
    # Wikia/app#16268 (php-fpm under the container's limit)
    Case("[25-Oct-2018 13:34:22] WARNING: [pool www] child 10 exited on signal 9 (SIGKILL) after 271.560674 seconds "
         "from start", "app.memory", REALISTIC, step="smoke", subject="GET /wiki/Special:Export"),
    # emqx/emqx#1493 (the BEAM on a 1GB machine)
    Case('eheap_alloc: Cannot allocate 441485240 bytes of memory (of type "heap").', "app.memory", REALISTIC,
         step="smoke", subject="mqtt publish"),
    # diodechain/diode_server#24 (an Elixir release's crash dump)
    Case('=erl_crash_dump:0.5\nThu May  5 19:27:13 2022\nSlogan: sys_alloc: Cannot allocate 71302344 bytes of memory '
         '(of type "heap").', "app.memory", REALISTIC, step="smoke", subject="sync"),
    # DTStack/jlogstash#36 (the JVM in a Kubernetes container)
    Case("java.lang.OutOfMemoryError: Java heap space\nDumping heap to ../logs/heapdump.hprof ...\nHeap dump file "
         "created [380426013 bytes in 2.713 secs]", "app.memory", REALISTIC, step="startup"),
    # virtualcell/vcell#1683 (the JVM's own log lines, heap sized from the container's limit)
    Case("06:39:39  ERROR  Java heap space\n06:39:54  ERROR  Java heap space\n06:41:27.157  ERROR  Scheduled task "
         "error", "app.memory", REALISTIC, step="smoke", subject="GET /api/v0/biomodel"),
    # myzhan/boomer#146 (a Go load generator at ~100M in its container)
    Case("fatal error: runtime: out of memory", "app.memory", REALISTIC, step="smoke", subject="load"),
    # celery/billiard#302 (dmesg in the worker's container, 256MB)
    Case("Memory cgroup out of memory: Killed process 2922448 (celery) total-vm:16334160kB", "app.memory", REALISTIC,
         step="smoke", subject="long task"),
    # coollabsio/coolify#5776 (PHP's own memory_limit, 128M, not the container's: PHP_MEMORY_LIMIT fixed it)
    Case("In Encrypter.php line 238:\n\n  Allowed memory size of 134217728 bytes exhausted (tried to allocate 67968408 "
         "bytes)", None, REALISTIC),

    # ---- the startup probe: the app slow to listen
    # luandro/hapi-universal-redux#80 (Heroku's boot timeout)
    Case("2015-11-08T01:00:55.503717+00:00 heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to "
         "$PORT within 60 seconds of launch\n2015-11-08T01:00:55.503717+00:00 heroku[web.1]: Stopping process with "
         "SIGKILL\n2015-11-08T01:00:56.126572+00:00 heroku[web.1]: State changed from starting to crashed\n"
         "2015-11-08T01:00:56.115875+00:00 heroku[web.1]: Process exited with status 137", "app.startup_probe",
         REALISTIC, step="startup"),
    # kubernetes/kubernetes#24306 (Spring Boot's actuator not up before the probes)
    Case('Warning  Unhealthy  115s (x3 over 3m25s)   kubelet            Liveness probe failed: Get '
         '"http://x.x.x.x.x:8080/actuator/health": dial tcp  x.x.x.x:8080: connect: connection refused\n  Warning  '
         'Unhealthy  104s (x13 over 3m36s)  kubelet            Readiness probe failed: Get '
         '"http://x.x.x.x.x:8080/actuator/health ": dial tcp x.x.x.x:8080: connect: connection refused',
         "app.startup_probe", REALISTIC, step="startup"),

    # ---- replicas
    # oauth2-proxy/oauth2-proxy#1450 (two pods without stickiness; the maintainers: the CSRF token lives in the
    # state parameter and a cookie, so replicas are not why)
    Case("[AuthFailure] Invalid authentication via OAuth2: CSRF token mismatch", None, REALISTIC, step="smoke",
         subject="GET /oauth2/callback"),

    # ---- secrets not delivered
    # alexjustesen/speedtest-tracker#711 (Laravel's APP_KEY)
    Case('[2023-08-31 13:58:15] production.ERROR: No application encryption key has been specified. {"exception":'
         '"[object] (Illuminate\\\\Encryption\\\\MissingAppKeyException(code: 0): No application encryption key has '
         'been specified. at /var/www/html/vendor/laravel/framework/src/Illuminate/Encryption/'
         'EncryptionServiceProvider.php:79)', "secrets.source", secrets("APP_KEY"), step="smoke", subject="GET /"),
    # Bubka/2FAuth#503 (Laravel on Render, JSON error page)
    Case('{\n  "message": "No application encryption key has been specified.",\n  "exception": '
         '"Illuminate\\\\Encryption\\\\MissingAppKeyException",', "secrets.source", secrets("APP_KEY"), step="smoke",
         subject="GET /"),

    # ---- the pooler in transaction mode
    # digitalocean/databases#17 (pgjdbc through DigitalOcean's pool)
    Case('Caused by: org.postgresql.util.PSQLException: ERROR: prepared statement "S_3" already exists\n'
         "> at org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2553)",
         "database.pooler", REALISTIC, step="startup"),
    # rgeo/activerecord-postgis-adapter#296 (Active Record through PgBouncer)
    Case('ActiveRecord::StatementInvalid (PG::DuplicatePstatement: ERROR:  prepared statement "a1" already exists',
         "database.pooler", REALISTIC, step="smoke", subject="GET /places"),
    # porsager/postgres#172 (Postgres.js v1 through PgBouncer)
    Case('Error: prepared statement \\"p1\\" already exists\nat Object.generic (/opt/nodejs/node_modules/postgres/lib/'
         'types.js:200:5)\n"code": "42P05",', "database.pooler", REALISTIC, step="smoke", subject="lambda"),
    # MagicStack/asyncpg#252 (PgBouncer 1.8.1)
    Case('[2018-01-31 17:52:19,296: ERROR]: [^---<TaskService> foo_bar]: Raised exception: prepared statement '
         '"__asyncpg_stmt_1__" already exists', "database.pooler", REALISTIC, step="smoke", subject="shovel"),
    # rust-postgres/rust-postgres#1054 (tokio-postgres through Supabase's transaction pooler)
    Case('ERROR: prepared statement "s3" already exists', "database.pooler", REALISTIC, step="smoke",
         subject="GET /api/workspace"),
    # Athou/commafeed#559 (PgBouncer's own log refusing the JDBC driver's startup packet)
    Case("2014-03-10 21:13:59.385 5773 WARNING C-0x1be8bb0: (nodb)/(nouser)@127.0.0.1:38733 unsupported startup "
         "parameter: extra_float_digits=2\n2014-03-10 21:13:59.385 5773 WARNING C-0x1be8bb0: (nodb)/(nouser)@"
         "127.0.0.1:38733 Pooler Error: Unsupported startup parameter: extra_float_digits", "database.pooler",
         REALISTIC, step="startup"),
    # sosedoff/pgweb#481 (lib/pq through PgBouncer)
    Case("Error: pq: Unsupported startup parameter: extra_float_digits", "database.pooler", REALISTIC,
         step="startup"),
    # goauthentik/authentik#23876 (a session advisory lock taken through PgBouncer, never released)
    Case("waiting to acquire database lock", "database.pooler", POOLED_MIGRATIONS),

    # ---- failover
    # discourse/rails_failover#85 (Aurora's writer demoted under the pool)
    Case("PG::ReadOnlySqlTransaction: ERROR:  cannot execute INSERT in a read-only transaction "
         "(ActiveRecord::StatementInvalid)", "database.failover", REALISTIC, step="smoke", subject="POST /posts"),
    # npgsql/npgsql#2896 (EF Core; the cluster went down and came back)
    Case("System.InvalidOperationException: An exception has been raised that is likely due to a transient failure.\n"
         " ---> Npgsql.PostgresException (0x80004005): 57P01: terminating connection due to administrator command",
         "database.failover", REALISTIC, step="smoke", subject="GET /api/items"),

    # ---- the server's memory, connection limit and timeouts
    # sclorg/postgresql-container#396 (the server's own recovery after a backend was OOM-killed)
    Case("[1] LOG:  all server processes terminated; reinitializing\n[24645] LOG:  database system was interrupted; "
         "last known up at 2021-11-26 16:51:16 UTC\n[24645] LOG:  database system was not properly shut down; "
         "automatic recovery in progress", "database.memory", REALISTIC, step="smoke", subject="import"),
    # picosh/pico#11 (lib/pq, as the app shows it)
    Case("Oh, what? There was a curious error we were not expecting.\n  pq: sorry, too many clients",
         "database.max_connections", REALISTIC, step="smoke", subject="ssh signup"),
    # glific/glific#3567 (Postgrex cancelling at the client's own timeout, not the server's statement_timeout)
    Case("** (Postgrex.Error) ERROR 57014 (query_canceled) canceling statement due to user request\n    (ecto_sql "
         "3.11.1) lib/ecto/adapters/sql.ex:1054: Ecto.Adapters.SQL.raise_sql_call_error/1", None, REALISTIC,
         step="smoke", subject="bigquery sync"),

    # ---- the read-only root
    # quarkusio/quarkus#40531 (ECS readonlyRootFilesystem, no writable /tmp)
    Case("java.lang.IllegalStateException: Unable to create folder at path '/tmp/vertx-cache/1082414833831755185'",
         "app.read_only", NO_TMPFS, step="startup"),
    # keycloak/keycloak#37533 (a temporary directory outside /tmp)
    Case("2025-02-20 12:24:20,532 WARN  [org.keycloak.services] (executor-thread-8) KC-SERVICES0075: Failed to get "
         "theme request: java.lang.RuntimeException: Temporary directory /opt/keycloak/bin/../data/tmp does not exist "
         "and it was not possible to create it.", "app.read_only", REALISTIC, step="smoke", subject="GET /resources"),
    # keycloak/keycloak#44632 (Quarkus re-augmenting at start)
    Case("Unable to delete file /opt/keycloak/lib/quarkus/build-system.properties: java.nio.file.FileSystemException: "
         "build-system.properties: Read-only file system", "app.read_only", REALISTIC, step="startup"),
]

# FRESH10b: a second batch from new searches after FRESH10's rule changes (.NET and Ruby on a read-only root,
# idle_session_timeout in Npgsql's and pgx's words, Prisma's P1012, a Patroni switchover), scored before any rule
# changed for it. First sight: 9 right, 3 unknown, 0 wrong of 12 (75%): app.read_only 6/1/0, database.failover
# 2/0/0, database.settings 0/2/0, secrets.source 1/0/0. (Scored first with 13; lib/pq's "remaining connection
# slots are reserved for roles with the SUPERUSER attribute" turned out to be in the corpus already and was
# dropped: it had been right.) Unknown: idle_session_timeout's 57P05 (twice); CoreCLR failing to initialise with
# E_FAIL, which has many causes and stays unknown. Then a session the server ended for idling, in or out of a
# transaction, names the timeout setting that differs: 11 right, 1 unknown, 0 wrong since.
FRESH10B = [
    # microsoft/aspnet-docker#66 (docker run --read-only, ASP.NET Core 2.0)
    Case("Failed to initialize CoreCLR, HRESULT: 0x80004005", "app.read_only", REALISTIC, step="startup"),
    # Thefrank/dotnet-freebsd-crossbuild#5 (ASP.NET Core in a jail whose root is read-only)
    Case("System.IO.IOException: Read-only file system : '/.dotnet'\n   at System.IO.FileSystem.CreateDirectory(String "
         "fullPath, UnixFileMode unixCreateMode)\n   at System.IO.Directory.CreateDirectory(String path)",
         "app.read_only", REALISTIC, step="startup"),
    # dotnet/aspnetcore#45476 (Kubernetes, read-only root: a request body buffered to a temp file)
    Case("System.IO.IOException: Read-only file system\n   at Interop.ThrowExceptionForIoErrno(ErrorInfo errorInfo, "
         "String path, Boolean isDirectory, Func`2 errorRewriter)\n   at Microsoft.AspNetCore.WebUtilities."
         "FileBufferingReadStream.CreateTempFile()", "app.read_only", NO_TMPFS, step="smoke", subject="POST /api/orders"),
    # dotnet/diagnostics#2891 (dotnet-counters in a read-only container; TMPDIR on a volume fixed it)
    Case("Unhandled exception: System.IO.IOException: Read-only file system\n   at System.IO.FileSystem.CreateDirectory("
         "String fullPath)\n   at System.IO.DirectoryInfo.Create()", "app.read_only", NO_TMPFS, step="startup"),
    # elastic/apm-agent-ruby#1464 (Bundler's temporary home on a read-only root)
    Case("There was an error accessing `/app`. (Bundler::GenericSystemCallError)\nThe underlying system error is "
         "Errno::EROFS: Read-only file system @ dir_s_mkdir - /app/bundler20240702-392135-36ubeq392135", "app.read_only",
         REALISTIC, step="startup"),
    # kubero-dev/kubero#232 (Puma writing its pid file)
    Case("/app/bundle/gems/puma-5.6.7/lib/puma/launcher.rb:259:in `write': Read-only file system @ rb_sysopen - "
         "tmp/pids/server.pid (Errno::EROFS)", "app.read_only", REALISTIC, step="startup"),
    # rubygems/bundler#5371 (docker run --read-only, no writable /tmp)
    Case("Bundler also failed to create a temporary home directory at `/tmp/bundler/home/unknown`:\nThere was an error "
         "accessing `/tmp/bundler/home/unknown`.\nThe underlying system error is Errno::EROFS: Read-only file system @ "
         "dir_s_mkdir - /tmp/bundler", "app.read_only", NO_TMPFS, step="startup"),
    # dotnetcore/FreeSql#2049 (Npgsql; the server's idle_session_timeout)
    Case("System.Exception: 57P05: terminating connection due to idle-session timeout ---> Npgsql.PostgresException "
         "(0x80004005): 57P05: terminating connection due to idle-session timeout", "database.settings", IDLE_SESSION,
         step="smoke", subject="GET /api/report"),
    # alash3al/redix#43 (pgx, left idle; the server's idle_session_timeout)
    Case("panic: FATAL: terminating connection due to idle-session timeout (SQLSTATE 57P05)", "database.settings",
         IDLE_SESSION, step="smoke", subject="SET after idle"),
    # reactive-resume/app#1698 (Prisma's migrate deploy in the container, DATABASE_URL not passed)
    Case("Error: Prisma schema validation - (get-config wasm)\nError code: P1012\nerror: Environment variable not found: "
         "DATABASE_URL.\n  -->  schema.prisma:7", "secrets.source", REALISTIC),
    # patroni/patroni#1235 (the old primary's own log during a switchover)
    Case("2019-10-18 17:09:06.592 MSK [20565] ERROR:  cannot execute INSERT in a read-only transaction\n2019-10-18 "
         "17:09:06.592 MSK [20565] STATEMENT:  INSERT INTO TABLE_NAME (some_columns) VALUES ($1, $2, $3, $4, $5, $6)",
         "database.failover", REALISTIC, step="smoke", subject="POST /events"),
    # zalando/spilo#606 (pgjdbc; Patroni demoted the leader for a couple of minutes)
    Case("org.postgresql.util.PSQLException: ERROR: cannot execute INSERT in a read-only transaction",
         "database.failover", REALISTIC, step="smoke", subject="POST /measures"),
]

# FRESH10c: a third batch from new searches after FRESH10b's rule change (Laravel sessions behind a balancer,
# Postgrex and Active Record through failovers and restarts, Go services missing their settings), scored before
# any rule changed for it. First sight: 5 right, 2 unknown, 0 wrong of 7 (71%): app.replicas 0/1/0,
# database.failover 4/0/0, secrets.source 0/1/0, none 1/0/0. Unknown: Laravel's 419 page ("Page Expired", its
# rendering of TokenMismatchException) and a settings validator asking to "Provide a JWT secret".
# Then Laravel's 419 page as a session lost behind replicas, and a validator's "provide a/an/the ..." on a line
# naming a declared secret as that secret missing: 7 right since.
FRESH10C = [
    # laravel/nova-issues#3138 (production only, behind a load balancer with the file session driver; the
    # maintainer: avoid the file driver behind a load balancer)
    Case("Page Expired", "app.replicas", REALISTIC, step="smoke", subject="POST /nova/login"),
    # elixir-ecto/postgrex#414 (a manual Aurora failover under a write loop)
    Case("17:32:46.545 [error] Postgrex.Protocol (#PID<0.198.0>) disconnected: ** (DBConnection.ConnectionError) tcp "
         "recv: closed", "database.failover", REALISTIC, step="smoke", subject="insert loop"),
    # elixir-ecto/postgrex#535 (reconnecting during an Aurora failover)
    Case("FATAL 57P03 (cannot_connect_now) the database system is starting up", "database.failover", REALISTIC,
         step="smoke", subject="reconnect"),
    # rails/rails#49781 (Active Record 7.1 when the server restarted under it)
    Case("exec_prepared': PQconsumeInput() FATAL:  terminating connection due to unexpected postmaster exit "
         "(ActiveRecord::ConnectionFailed)\nserver closed the connection unexpectedly", "database.failover", REALISTIC,
         step="smoke", subject="GET /events"),
    # osunyorg/admin#4173 (a job while the managed server restarted)
    Case('ActiveRecord::ConnectionNotEstablished\nconnection to server at "10.20.6.45", port 35951 failed: FATAL:  the '
         "database system is shutting down", "database.failover", REALISTIC, step="smoke", subject="clean job"),
    # authelia/authelia#452 (the Go service's settings validator, no JWT secret given)
    Case('ERRO[0000] Provide a JWT secret using `jwt_secret` key     stack="/usr/local/go/src/runtime/proc.go:203      '
         'main\\n/usr/local/go/src/runtime/asm_amd64.s:1357   goexit"\npanic: Some errors have been reported',
         "secrets.source", secrets("JWT_SECRET"), step="startup"),
    # l3montree-dev/devguard#1763 (a URL setting, no secret any profile declares)
    Case("panic: FRONTEND_URL is not set", None, REALISTIC, step="startup"),
]
