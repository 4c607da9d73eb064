"""FRESH14: a batch of real messages for the platform-side keys (app memory, read-only root, startup probe,
replicas, secrets, pooler, failover, the server's connection limit, memory and timeouts), collected for issue 21
after FRESH12b and unseen by every rule when first scored. Each is verbatim from a real tool's output (trimmed to the
lines that carry the error), with its source, the step it failed in and the key that really caused it, scored
against the realistic laptop/production pair of tests/unit/cause_corpus_issue21.py, as FRESH8 is. None is in an
earlier batch (checked against every cause_corpus*.py and causes9's FRESH13 by message and by source).

First sight, before any rule changed (45 messages, 40+ stacks: gunicorn, Celery, Puma, Go, Node, the JVM on Cloud
Foundry and Paketo, containerd, Rails, Zammad, sqlx, Ecto/Postgrex (English and German), epgsql, CloudNativePG,
MikroORM, Laravel on Aurora, node-mysql2, node-postgres, Dart, Hibernate, Heroku, the kubelet, Cloud Run, Keycloak,
Rocket.Chat, Blazor Server, NestJS, Devise, t3-env, Rails under Unicorn): 29 right, 16 unknown, 0 wrong (64%, 0%).
Per key (right/unknown/wrong): app.memory 8/4/0, app.read_only 3/0/0, app.replicas 0/5/0, app.startup_probe 3/1/0,
database.failover 5/1/0, database.max_connections 2/0/0, database.memory 2/0/0, database.pooler 3/2/0,
database.settings 1/0/0, secrets.source 2/2/0, secrets.values 0/1/0.
Unknown: PumaWorkerKiller's "Out of memory", the Paketo calculator's "greater than ... available for allocation",
the JVM's "insufficient memory for the Java Runtime Environment", containerd's TaskOOM event; a prepared statement
missing in Elixir's map form and in Erlang's tuple form; a refused connection during a failover; Cloud Run's
"failed to start and listen" without its timeout words; every replica loss (Keycloak's timed-out login and
invalid_code, Rocket.Chat's wrong instance, Blazor's sticky-session hint and component records); "must specify a
key", t3-env's "Invalid environment variables", a key of the wrong length.
Then: more runtimes' and platforms' memory words (containerd's TaskOOM, the JVM unable to commit memory, the
buildpacks' memory calculator, OutOfMemoryException, a supervisor's "Out of memory"), with the server's own
out-of-memory words read first; a prepared statement by its condition name or in the server's escaped words through
the pooler; a database port refusing connections on the side failing over; Cloud Run's start failure with or without
its timeout words; a runtime naming sticky sessions or the wrong instance, an identity server's per-node login state
and prerendered state behind a balancer; a library asking for the key it was not given, a schema validator of the
environment, a key's size asked without naming the secret: 45 right, 0 unknown, 0 wrong since (the rules were
written against this batch, so these figures say nothing of unseen messages: FRESH14b does).
"""

from __future__ import annotations

from tests.unit.cause_corpus import Case
from tests.unit.cause_corpus_issue21 import REALISTIC, secrets

FRESH14 = [
    # ---- the app's memory: worker pools, runtimes and platforms in their own words
    # nikitazigman/beaver#59 (gunicorn's master reporting a worker's SIGKILL)
    Case("[ERROR] Worker (pid:30) was sent SIGKILL! Perhaps out of memory?", "app.memory", REALISTIC, step="smoke",
         subject="GET /snippets"),
    # TophantTechnology/ARL#515 (Celery's prefork pool; the maintainers: probably OOM, check dmesg)
    Case("ERROR/MainProcess] Process 'ForkPoolWorker-2' pid:72 exited with 'signal 9 (SIGKILL)'", "app.memory",
         REALISTIC, step="smoke", subject="run scan task"),
    # zombocom/puma_worker_killer#8 (Puma on Heroku, the worker killer over its RAM budget)
    Case("2014-10-09T22:18:14.495266+00:00 app[web.1]: [2] PumaWorkerKiller: Out of memory. 3 workers consuming total: "
         "540.853515625 mb out of max: 501.76 mb. Sending TERM to #<Puma::Cluster::Worker:0x007f6b27f39398 @index=0, "
         "@pid=8003, @phase=0, @stage=:booted, @signal=\"TERM\", @last_checkin=2014-10-09 22:18:09 +0000> consuming "
         "138.2236328125 mb.", "app.memory", REALISTIC, step="smoke", subject="GET /"),
    # kubernetes/kubernetes#84278 (Go's runtime out of memory)
    Case("fatal error: runtime: out of memory\n\nruntime stack:\nruntime.throw(0x6785f7, 0x16)\n\t/usr/local/go/src/runtime/"
         "panic.go:617 +0x72\nruntime.sysMap(0xc030000000, 0x4000000, 0x85a7b8)\n\t/usr/local/go/src/runtime/mem_linux.go:"
         "170 +0xc7", "app.memory", REALISTIC, step="startup"),
    # website-local/mdn-local#1144 (Node's heap limit)
    Case("<--- JS stacktrace --->\n\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n"
         "----- Native stack trace -----\n\n 1: 0xb8d11b node::OOMErrorHandler(char const*, v8::OOMDetails const&) [node]",
         "app.memory", REALISTIC, step="startup"),
    # FlowiseAI/Flowise#4769 (Node under load; the report's own dashes)
    Case("FATAL ERROR: Ineffective mark‑compacts near heap limit Allocation failed – JavaScript heap out of memory",
         "app.memory", REALISTIC, step="smoke", subject="POST /api/v1/prediction"),
    # redhat-developer-demos/java-container#1 (a JVM in a 600M container, heap sized from the host)
    Case("java.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3744) ~[na:na]\n"
         "\tat java.base/java.lang.AbstractStringBuilder.ensureCapacityInternal(AbstractStringBuilder.java:146) ~[na:na]",
         "app.memory", REALISTIC, step="smoke", subject="GET /api/memory"),
    # cloudfoundry/java-buildpack-memory-calculator#27 (Spring Boot in a 1GB Cloud Foundry container)
    Case("[APP/PROC/WEB/0] OUT # java.lang.OutOfMemoryError: Java heap space\n {APP/PROC/WEB/0] OUT # "
         "-XX:OnOutOfMemoryError=\"/home/vcap/app/.java-buildpack/open_jdk_jre/bin/killjava.sh\"", "app.memory",
         REALISTIC, step="startup"),
    # paketo-buildpacks/libjvm#4 (the buildpack's memory calculator refusing a 256M limit)
    Case("required memory 394176K is greater than 256M available for allocation: -XX:MaxDirectMemorySize=10M, "
         "-XX:MaxMetaspaceSize=86976K, -XX:ReservedCodeCacheSize=240M, -Xss1M x 50 threads", "app.memory", REALISTIC,
         step="startup"),
    # chaosblade-io/chaosblade-box#102 (the JVM unable to commit memory)
    Case("OpenJDK 64-Bit Server VM warning: INFO: os::commit_memory(0x00007f4a6c2b2000, 12288, 0) failed; error='Cannot "
         "allocate memory' (errno=12)\n\nThere is insufficient memory for the Java Runtime Environment to continue.\n"
         "Native memory allocation (mmap) failed to map 12288 bytes for committing reserved memory.", "app.memory",
         REALISTIC, step="startup"),
    # secretflow/secretpad#190 (all-in-one Docker deployment, a 2 GiB heap that does not fit)
    Case("# There is insufficient memory for the Java Runtime Environment to continue.\n# Native memory allocation (mmap) "
         "failed to map 2147483648 bytes. Error detail: committing reserved memory.\n# An error report file with more "
         "information is saved as:\n# /app/hs_err_pid7.log", "app.memory", REALISTIC, step="startup"),
    # dotnet/runtime#61076 (containerd's own event on AKS when the container hit its limit)
    Case('Nov 01 22:29:11 aks-agentpool-20086390-vmss000008 containerd[2607]: time="2021-11-01T22:29:11.077222482Z" '
         'level=info msg="TaskOOM event &TaskOOM{ContainerID:593be5300ee37dfc83ddc02a4d575fb91c0e17ae1e7bfbc4074b2ac15baf'
         '229a,XXX_unrecognized:[],}"', "app.memory", REALISTIC, step="smoke", subject="GET /allocate"),

    # ---- the read-only root
    # vertica/vertica-kubernetes#253 (Go operator with readOnlyRootFilesystem)
    Case('"error": "open /tmp/accept_eula.py.2764540482: read-only file system"', "app.read_only", REALISTIC,
         step="startup"),
    # o19s/quepid#264 (Rails under Puma; execjs writing to /tmp on Kubernetes)
    Case("bundler: failed to load command: puma (/usr/local/bundle/bin/puma)\nErrno::EROFS: Read-only file system @ "
         "rb_sysopen - /tmp/execjs20210112-8-1q746vljs\n  /usr/local/bundle/gems/execjs-2.7.0/lib/execjs/"
         "external_runtime.rb:55:in `initialize'", "app.read_only", REALISTIC, step="startup"),
    # zammad/zammad-helm#257 (Zammad signing mail with a passphrase file under /tmp)
    Case("E, [2024-02-26T14:20:24.771574#1-142180] ERROR -- : Can't use Channel::Driver::Smtp: #<Errno::EROFS: Read-only "
         "file system @ rb_sysopen - /tmp/passphrase20240226-1-y4n5l9>", "app.read_only", REALISTIC, step="smoke",
         subject="send signed mail"),

    # ---- the pooler in transaction mode
    # sqlpage/SQLPage#131 (Rust's sqlx through a transaction pooler)
    Case('error returned from database: prepared statement "sqlx_s_1" already exists: prepared statement "sqlx_s_1" '
         "already exists", "database.pooler", REALISTIC, step="smoke", subject="GET /"),
    # elixir-ecto/ecto_sql#275 (Ecto on DigitalOcean's PgBouncer)
    Case('(Postgrex.Error) ERROR 26000 (invalid_sql_statement_name) prepared statement "ecto_162" does not exist',
         "database.pooler", REALISTIC, step="smoke", subject="GET /api/meetings"),
    # plausible/analytics#1327 (Plausible behind PgBouncer, a German server)
    Case("** (Postgrex.Error) FEHLER 26000 (invalid_sql_statement_name) vorbereitete Anweisung »ecto_5642« existiert "
         "nicht", "database.pooler", REALISTIC, step="smoke", subject="GET /api/stats"),
    # plausible/analytics#5551 (the same through PgBouncer in transaction mode, at boot)
    Case("21:11:58.072 [error] Error refreshing 'sites_by_domain' - %Postgrex.Error{message: nil, postgres: %{code: "
         ':invalid_sql_statement_name, line: "448", message: "prepared statement \\"ecto_9061\\" does not exist", file: '
         '"prepare.c", unknown: "ERROR", severity: "ERROR", pg_code: "26000", routine: "FetchPreparedStatement"}, '
         "connection_id: 1095456199, query: nil}", "database.pooler", REALISTIC, step="startup"),
    # emqx/emqx-auth-pgsql#197 (Erlang's epgsql through PgBouncer in transaction mode)
    Case("[Postgres] query '\"auth_query\"' failed: {invalid_sql_statement_name, <<\"prepared statement \\\"auth_query\\\" "
         "does not exist\">>", "database.pooler", REALISTIC, step="smoke", subject="client connect"),

    # ---- failover
    # cloudnative-pg/cloudnative-pg#1254 (a read-only connection still behind the rw endpoint after a promotion)
    Case("18:44:58; ERROR:  cannot execute INSERT in a read-only transaction\ncommand terminated with exit code 1",
         "database.failover", REALISTIC, step="smoke", subject="POST /events"),
    # lidofinance/lido-keys-api#268 (MikroORM after a controlled failover of an active-passive pair)
    Case('{"code":"25006","file":"utility.c","length":118,"level":"error","line":"242","message":"delete from '
         '\\"consensus_validator\\" - cannot execute DELETE in a read-only transaction","routine":'
         '"PreventCommandIfReadOnly","severity":"ERROR"}', "database.failover", REALISTIC, step="smoke",
         subject="update validators"),
    # laravel/framework#53404 (Aurora PostgreSQL failover under Laravel's queue workers)
    Case("SQLSTATE[25006]: Read only sql transaction: 7", "database.failover", REALISTIC, step="smoke",
         subject="process job"),
    # laravel/framework#31539 (an RDS failover started from the console, the first error Laravel saw)
    Case("SQLSTATE[HY000] [2002] Connection refused", "database.failover", REALISTIC, step="smoke",
         subject="update daily summary"),
    # sidorares/node-mysql2#2050 (Aurora MySQL failover, the pool still on the old writer)
    Case("The MySQL server is running with the --read-only option so it cannot execute this statement",
         "database.failover", REALISTIC, step="smoke", subject="POST /orders"),
    # brianc/node-postgres#2650 (RDS Multi-AZ failover)
    Case("error: the database system is shutting down\n    at Parser.parseErrorMessage (/app/node_modules/pg-protocol/"
         "dist/parser.js:287:98)\n    at Parser.handlePacket (/app/node_modules/pg-protocol/dist/parser.js:126:29)",
         "database.failover", REALISTIC, step="smoke", subject="GET /health"),

    # ---- the server's connection limit, memory and timeouts
    # sourcegraph/sourcegraph-public-snapshot#2264 (the database's own probe refused for the connection limit)
    Case("Warning  Unhealthy  34m (x13 over 23h)    kubelet, gke-dot-com-dot-com-93160456-s7zw  Readiness probe failed: "
         "psql: FATAL:  sorry, too many clients already", "database.max_connections", REALISTIC, step="startup"),
    # mdn/mdn-http-observatory#386 (five replicas' pools over max_connections 100)
    Case("connection to server at ... failed: FATAL:  remaining connection slots are reserved for non-replication "
         "superuser connections", "database.max_connections", REALISTIC, step="smoke", subject="POST /api/v2/scan"),
    # brianc/node-postgres#383 (the server out of memory)
    Case("{ [Error: out of memory] severity: 'ERROR', code: '53200', detail: 'Failed on request of size 16.', file: "
         "'aset.c', line: '767', routine: 'AllocSetAlloc' }", "database.memory", REALISTIC, step="smoke",
         subject="GET /reports"),
    # agilord/postgres_pool#6 (Dart, the server out of memory)
    Case('PostgreSQLSeverity.unknown 53200: out of memory Detail: Failed on request of size 360 in memory context '
         '"CacheMemoryContext".', "database.memory", REALISTIC, step="smoke", subject="list files"),
    # ufal/clarin-dspace#592 (Hibernate, a query past the server's statement_timeout)
    Case("2016-09-09 11:49:23,030 WARN  org.hibernate.engine.jdbc.spi.SqlExceptionHelper @ SQL Error: 0, SQLState: 57014\n"
         "2016-09-09 11:49:23,030 ERROR org.hibernate.engine.jdbc.spi.SqlExceptionHelper @ ERROR: canceling statement "
         "due to statement timeout", "database.settings", REALISTIC, step="smoke", subject="GET /licenses"),

    # ---- the startup probe: the app slow to listen
    # dwyl/learn-heroku#13 (Heroku's boot timeout, then SIGKILL and 137: not memory)
    Case("2017-10-03T09:07:17.051002+00:00 heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT "
         "within 60 seconds of launch\n2017-10-03T09:07:17.051002+00:00 heroku[web.1]: Stopping process with SIGKILL\n"
         "2017-10-03T09:07:17.209186+00:00 heroku[web.1]: Process exited with status 137\n2017-10-03T09:07:17.217016+00:00 "
         "heroku[web.1]: State changed from starting to crashed", "app.startup_probe", REALISTIC, step="startup"),
    # Pyrrha/calcom-helm#10 (cal.com killed by its probes while starting)
    Case('Warning  Unhealthy  16m (x83 over 4h54m)      kubelet  Liveness probe failed: Get "http://10.244.1.140:3000/": '
         "context deadline exceeded (Client.Timeout exceeded while awaiting headers)\n  Warning  BackOff    6m29s (x1041 "
         "over 4h49m)  kubelet  Back-off restarting failed container", "app.startup_probe", REALISTIC, step="startup"),
    # chainguard-dev/terraform-infra-common#498 (Cloud Run; the service loads its database at startup)
    Case("Error: Error waiting for Updating Service: Error code 13, message: Revision 'enforce-staging-ing-vuln-01827-gfw' "
         "is not ready and cannot serve traffic. The user-provided container failed to start and listen on the port "
         "defined provided by the PORT=8080 environment variable. Logs for this revision might contain more information.",
         "app.startup_probe", REALISTIC, step="startup"),
    # octo-sts/app#1005 (Cloud Run; a longer startup probe fixed it)
    Case("Error: Error waiting for Updating Service: Error code 9, message: Revision 'octo-sts-00509-jsp' is not ready and "
         "cannot serve traffic. The user-provided container failed to start and listen on the port defined provided by "
         "the PORT=8080 environment variable within the allocated timeout.", "app.startup_probe", REALISTIC,
         step="startup"),

    # ---- replicas: state one replica keeps for itself
    # keycloak/keycloak#16031 (two Keycloak replicas without a shared cache or sticky sessions)
    Case("Your login attempt timed out. Login will start from the beginning.", "app.replicas", REALISTIC, step="smoke",
         subject="POST /realms/master/login-actions/authenticate"),
    # codecentric/helm-charts#149 (Keycloak with replicas > 1; cookie affinity fixed it)
    Case("16:34:16,486 WARN  [org.keycloak.events] (default task-2) type=LOGIN_ERROR, realmId=master, clientId=null, "
         "userId=null, ipAddress=194.90.225.116, error=invalid_code", "app.replicas", REALISTIC, step="smoke",
         subject="POST /auth/admin login"),
    # RocketChat/Rocket.Chat#7706 (two instances; an upload proxied to the instance that holds it)
    Case("UploadProxy ➔ debug Wrong instance, proxing to: undefined:3000\nException in callback of async function: Error: "
         "getaddrinfo ENOTFOUND undefined undefined:3000", "app.replicas", REALISTIC, step="smoke",
         subject="POST /ufs/upload"),
    # dotnet/aspnetcore#43175 (Blazor Server on several Cloud Foundry instances)
    Case("Error: Failed to start the transport 'WebSockets': Error: WebSocket failed to connect. The connection could not "
         "be found on the server, either the endpoint may not be a SignalR endpoint, the connection ID is not present on "
         "the server, or there is a proxy blocking WebSockets. If you have multiple servers check that sticky sessions "
         "are enabled.", "app.replicas", REALISTIC, step="smoke", subject="GET /"),
    # dotnet/aspnetcore#31976 (Blazor Server behind a balancer without sticky sessions)
    Case("The list of component records is not valid.", "app.replicas", REALISTIC, step="smoke", subject="GET /"),

    # ---- secrets not delivered, or delivered in the wrong form
    # nestjs/jwt#2079 (JWT_SECRET not read into the module)
    Case("Error: secretOrPrivateKey must have a value\n    at module.exports [as sign] (.../node_modules/jsonwebtoken/"
         "sign.js:111:20)", "secrets.source", secrets("JWT_SECRET"), step="smoke", subject="POST /auth/login"),
    # Houdini/two_factor_authentication#202 (the encryption key's env var not set)
    Case("ArgumentError (must specify a key):", "secrets.source", secrets("OTP_SECRET_ENCRYPTION_KEY"), step="smoke",
         subject="POST /users/sign_in"),
    # ballerine-io/ballerine#2389 (t3-env validating the environment at boot)
    Case("Invalid environment variables: { HASHING_KEY_SECRET: [ 'Required' ] }\n/app/node_modules/@t3-oss/env-core/"
         "index.ts:207\n        !prop.startsWith(opts.clientPrefix) &&\n                              ^\n\nError: Invalid "
         "environment variables", "secrets.source", secrets("HASHING_KEY_SECRET"), step="startup"),
    # rubber/rubber#533 (Rails under Unicorn, SECRET_KEY_BASE not in the server's environment)
    Case("app error: Missing `secret_key_base` for 'production' environment, set this value in `config/secrets.yml` "
         "(RuntimeError)", "secrets.source", secrets("SECRET_KEY_BASE"), step="startup"),
    # devise-two-factor/devise-two-factor#137 (the key from ENV shorter than 32 bytes)
    Case("ArgumentError (key must be 32 bytes or longer)", "secrets.values", secrets("OTP_SECRET_ENCRYPTION_KEY"),
         step="smoke", subject="POST /users/otp"),
]

# FRESH14b: a second batch, collected after FRESH14's rules were written and unseen by them (13 messages: Heroku's
# R14 for Node and Django, the kernel killing uvicorn, Matplotlib and Next.js on read-only roots and Lambda, GoodJob
# through PgBouncer, Rails on Cloud SQL, Azure Container Apps' startup probe, jasypt-spring-boot, Rust's genpolicy,
# Django's origin check, Prisma's migration lock). First sight, before any rule changed: 8 right, 4 unknown, 1 wrong
# (62%, 8%). Per key: app.memory 3/0/0, app.read_only 1/2/0, app.startup_probe 1/0/0, database.max_connections
# 1/0/0, database.pooler 1/0/0, none 1/0/1, secrets.source 0/2/0. Unknown: Matplotlib's "requires access to a
# writable cache directory", Node's mkdir ENOENT on Lambda's read-only root, a dotted property name for an
# environment secret (jasypt), "Couldn't get the value of env var". Wrong: Django's "Origin checking failed" read as
# a replica's lost CSRF token.
# Then: a CSRF check refused for the request's origin or referer as no replica matter; a library asking for a writable
# directory, and Node's mkdir ENOENT (its EROFS, nodejs/node#47098), on a read-only root; a dotted property bound from
# an environment secret (Spring's relaxed binding), a program unable to read the variable it was to be given: 13
# right, 0 unknown, 0 wrong since (written against these 13, so a next unseen batch is the real measure).
FRESH14B = [
    # ---- the app's memory
    # mrluanma/shadowsocks-heroku#2 (Node on a Heroku dyno, swapping past its quota)
    Case("Jan 08 10:55:11 warm-cliffs-8392 heroku/web.1:  Process running mem=1210M(236.5%) \nJan 08 10:55:11 "
         "warm-cliffs-8392 heroku/web.1:  Error R14 (Memory quota exceeded) ", "app.memory", REALISTIC, step="smoke",
         subject="GET /"),
    # OWASP-BLT/BLT#3190 (Django on Heroku)
    Case("2025-01-02T00:51:32.759454+00:00 heroku[web.1]: Process running mem=807M(157.7%)\n2025-01-02T00:51:32.761835+00:00 "
         "heroku[web.1]: Error R14 (Memory quota exceeded)", "app.memory", REALISTIC, step="smoke", subject="GET /"),
    # aquarist-labs/aquarium#695 (the kernel killing uvicorn)
    Case("[Tue Oct  5 16:38:47 2021] Out of memory: Killed process 1483 (uvicorn) total-vm:116345136kB, "
         "anon-rss:3558264kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:50724kB oom_score_adj:0", "app.memory",
         REALISTIC, step="smoke", subject="GET /api/status"),

    # ---- the read-only root
    # tyriis/home-ops#9610 (a Python detector with readOnlyRootFilesystem: true)
    Case("OSError: Matplotlib requires access to a writable cache directory", "app.read_only", REALISTIC,
         step="startup"),
    # cdklabs/cdk-nextjs#85 (Next.js on Fargate with ReadonlyRootFilesystem)
    Case("Failed to update prerender cache for /ssg/68 Error: EROFS: read-only file system, open "
         "'/app/app-playground/.next/server/app/ssg/68.html'", "app.read_only", REALISTIC, step="smoke",
         subject="GET /ssg/68"),
    # stormkit-io/app-stormkit-io#217 (Next.js images on AWS Lambda, whose filesystem is read-only but /tmp)
    Case("[Error: ENOENT: no such file or directory, mkdir '/var/task/.next/cache/images'] { errno: -2, code: 'ENOENT', "
         "syscall: 'mkdir', path: '/var/task/.next/cache/images' }", "app.read_only", REALISTIC, step="smoke",
         subject="GET /_next/image"),

    # ---- the pooler
    # bensheldon/good_job#269 (GoodJob's advisory lock through PgBouncer in transaction mode)
    Case('PG::ProtocolViolation: ERROR:  bind message supplies 0 parameters, but prepared statement "" requires 2',
         "database.pooler", REALISTIC, step="smoke", subject="perform job"),

    # ---- the connection limit
    # fjordllc/bootcamp#6434 (Rails on Cloud SQL)
    Case('PG::ConnectionBad: connection to server on socket "/cloudsql/bootcamp-224405:asia-northeast1:bootcamp/'
         '.s.PGSQL.5432" failed: FATAL:  remaining connection slots are reserved for non-replication superuser '
         "connections", "database.max_connections", REALISTIC, step="smoke", subject="GET /reports"),

    # ---- the startup probe
    # microsoft/azure-container-apps#723 (a new revision's replica not listening yet)
    Case('{"TimeStamp":"2023-04-18 15:55:43 \\u002B0000 UTC","Type":"Warning","ContainerAppName":"revision-test",'
         '"RevisionName":"revision-test--bvks0q4","ReplicaName":"revision-test--bvks0q4-5d65b5999-l2mbn","Msg":"Startup '
         'probe failed: Get \\u0022http://100.100.0.76:80/\\u0022: dial tcp 100.100.0.76:80: connect: connection '
         'refused","Reason":"PodUnhealthy","EventSource":"ContainerAppController","Count":1}', "app.startup_probe",
         REALISTIC, step="startup"),

    # ---- secrets
    # ulisesbocchio/jasypt-spring-boot#154 (the encryptor's password expected from the environment)
    Case("Caused by: java.lang.IllegalStateException: either 'jasypt.encryptor.password' or one of "
         "['jasypt.encryptor.privateKeyString', 'jasypt.encryptor.privateKeyLocation'] must be provided for "
         "Password-based or Asymmetric encryption", "secrets.source", secrets("JASYPT_ENCRYPTOR_PASSWORD"),
         step="startup"),
    # kata-containers/kata-containers#13880 (Rust; a Secret an env var references not supplied)
    Case("thread 'main' panicked at src/tools/genpolicy/src/pod.rs:901:13:\nCouldn't get the value of env var: "
         "DB_PASSWORD", "secrets.source", secrets("DB_PASSWORD"), step="startup"),

    # ---- not a profile matter
    # yinan-c/RSSbrew#5 (Django's origin check: the app's CSRF_TRUSTED_ORIGINS, not a replica)
    Case("Forbidden (403)\n\nCSRF verification failed. Request aborted.\n\nHelp\n\nReason given for failure:\n\nOrigin "
         "checking failed - https://xxx.xyz does not match any trusted origins.", None, REALISTIC, step="smoke",
         subject="POST /admin/login/"),
    # umami-software/umami#2999 (Prisma's migration lock held by an earlier failed run, not the pooler)
    Case("Error: P1002\nThe database server at `xx.xx.xx:5432` was reached but timed out.\nPlease try again.\nPlease "
         "make sure your database server is running at `xx.xx.xx:5432`.\nContext: Timed out trying to acquire a postgres "
         "advisory lock (SELECT pg_advisory_lock(72707369)). Elapsed: 10000ms. See "
         "https://pris.ly/d/migrate-advisory-locking for details.", None, REALISTIC),
]
