"""FRESH12: a batch of real messages for the platform-side keys (app memory, read-only root, startup
probe, shutdown, replicas, secrets, pooler, failover, the server's connection limit and timeouts),
collected for issue 21 after FRESH10c and unseen by every rule when first scored. Each is verbatim from
a real tool's output (trimmed to the lines that carry the error), with its source, the step it failed
in and the key that really caused it, scored against the realistic laptop/production pair of
tests/unit/cause_corpus_issue21.py, as FRESH8 is.

First sight, before any rule changed (45 messages, 35+ stacks: Spring, Quarkus, Cloud Foundry's and Paketo's
JVMs, ASP.NET Core, Phoenix, Rails, Sidekiq, Django, Flask-SocketIO, Node, NextAuth, Next.js, socket.io, Sequelize,
Laravel, HikariCP, go-pg, Atlas, Prisma, RStudio, SonarQube, Keycloak, the kubelet, Cloud Run, App Service,
Heroku, nginx, HAProxy, PgBouncer): 21 right, 24 unknown, 0 wrong (47%, 0%). Per key (right/unknown/wrong):
app.memory 5/2/0, app.read_only 3/0/0, app.replicas 0/7/0, app.startup_probe 3/2/0, database.failover 0/4/0,
database.max_connections 1/0/0, database.pooler 0/3/0, database.settings 1/0/0, none 4/0/0,
secrets.source 4/3/0, secrets.values 0/3/0. (Scored first with 47; two, node-postgres' "terminating connection
due to administrator command" from connect-pg-simple and vm0's migration statement_timeout, turned out to be in
the corpus already, word for word, and were dropped: the first had been right, the second wrong, as it is there.)
Unknown: Cloud Run's and App Service's start timeouts; LISTEN, a session advisory lock and SET search_path through
transaction pooling; NextAuth's NO_SECRET, an empty or null signing key (.NET), secrets of the wrong length (a
secret_key_base, an HS256 key, a zod-validated key); Node's spawn ENOMEM and Ruby's NoMemoryError; every replica
loss (an in-process session store, a file on the other replica's disk, per-replica keys for RSA, antiforgery and
socket.io sessions); MySQL's read-only writer after an Aurora failover (four stacks).
Then: platforms' start timeouts (Cloud Run, App Service) as the startup probe; session state a transaction pooler
loses (a notification out of turn, an advisory lock released by its key on another backend) where that step goes
through the pooler; Auth.js' MissingSecret and an empty IdentityModel key as a secret not delivered, a size asked of
a declared secret (or of an HMAC key) as its value; errno's ENOMEM and Ruby's NoMemoryError under a memory cap;
state one replica keeps for itself (an in-process session store, a per-instance key ring, an Engine.IO session id)
behind a balancer; MySQL's read-only writer (1290/1836) on the side failing over: 40 right, 5 unknown, 0 wrong since
(89%). Still unknown: SET search_path lost through the pooler (its error is a missing relation, as many are), a
null key in a library's own words, an upload on another replica's disk, RStudio's per-replica RSA key, a bare
"xhr poll error".
Shutdown messages (Heroku's R12, Celery's warm shutdown, Sidekiq's busy threads, Spring's graceful-shutdown
timeout) were collected too and left out: a run decides app.shutdown by what it measures (SIGKILL after the grace
period, requests dropped), never from the shutdown step's text.
"""

from __future__ import annotations

from tests.unit.cause_corpus import Case
from tests.unit.cause_corpus_issue21 import IDLE_TIMEOUT, POOLED_MIGRATIONS, REALISTIC, secrets

FRESH12 = [
    # ---- the startup probe: the app slow to listen, in the kubelet's words
    # apecloud/kubeblocks#6949 (a Pulsar proxy, JVM, not listening yet)
    Case('  Warning  Unhealthy                 9s (x3 over 29s)      event-controller    Pod pulsar-cluster-pulsar-proxy-0: '
         'Startup probe failed: Get "http://10.128.3.91:8080/status.html": dial tcp 10.128.3.91:8080: connect: '
         "connection refused", "app.startup_probe", REALISTIC, step="startup"),
    # learningequality/studio#1563 (Django; the maintainers: the app was not ready yet)
    Case("Warning  Unhealthy         11m (x13 over 11m)  kubelet, gke-dev-qa-cluster-preemptible-pool-f90ef333-7rqx  "
         "Readiness probe failed: Get http://10.44.155.3:8081/healthz: dial tcp 10.44.155.3:8081: connect: connection "
         "refused", "app.startup_probe", REALISTIC, step="startup"),
    # rwlove/home-ops#13395 (Home Assistant killed by its liveness probe mid-startup, not by memory)
    Case("Events: Liveness probe failed: context deadline exceeded  (x4 over 2m8s)\n        Container app failed "
         "liveness probe, will be restarted", "app.startup_probe", REALISTIC, step="startup"),

    # googlecodelabs/feedback#1814 (vLLM loading Gemma on a Cloud Run GPU, past the default startup timeout)
    Case("ERROR: (gcloud.beta.run.deploy) The user-provided container failed to start and listen on the port defined "
         "provided by the PORT=8080 environment variable within the allocated timeout. This can happen when the "
         "container port is misconfigured or if the timeout is too short. The health check timeout can be extended. "
         "Logs for this revision might contain more information.", "app.startup_probe", REALISTIC, step="startup"),
    # Azure-Samples/ctfd-azure-paas#13 (CTFd on App Service, past WEBSITES_CONTAINER_START_TIME_LIMIT)
    Case("2023-07-14T10:23:25.987Z ERROR - Container ctfd-app-jiibwegyv3xy6_1_240b2df1 for site ctfd-app-jiibwegyv3xy6 "
         "did not start within expected time limit. Elapsed time = 230.6916131 sec\n2023-07-14T10:23:26.031Z ERROR - "
         "Container ctfd-app-jiibwegyv3xy6_1_240b2df1 didn't respond to HTTP pings on port: 8000, failing site start. "
         "See container logs for debugging.\n2023-07-14T10:23:26.076Z INFO  - Stopping site ctfd-app-jiibwegyv3xy6 "
         "because it failed during startup.", "app.startup_probe", REALISTIC, step="startup"),

    # ---- the pooler in transaction mode: LISTEN, session advisory locks, SET search_path
    # go-pg/pg#1385 (go-pg's listener through PgBouncer in transaction mode)
    Case("pg: 2019/09/17 20:52:10 listener.go:126: pg: discarding bad listener connection: pg: readSimpleQuery: "
         "unexpected message 'A'", "database.pooler", REALISTIC, step="smoke", subject="listen for devices"),
    # ariga/atlas#2447 (Atlas' session advisory lock through PgBouncer in transaction mode)
    Case("Error: sql/postgres: failed releasing lock 2686470616", "database.pooler", POOLED_MIGRATIONS),
    # pgbouncer/pgbouncer#425 (Rails; a `set search_path` sent through transaction pooling)
    Case('QUERY: SELECT  "table1".* FROM "table1" WHERE "table1"."type" = (\'....\')  LIMIT 1\nERROR: relation "table1" '
         "does not exist.", "database.pooler", REALISTIC, step="smoke", subject="GET /records"),

    # ---- secrets not delivered, in each stack's words
    # MicrosoftDocs/azure-docs-sdk-java#785 (Spring, a Key Vault secret as a placeholder)
    Case("org.springframework.beans.factory.BeanCreationException: Error creating bean with name "
         "'stockmanagementApplication': Injection of autowired dependencies failed; nested exception is "
         "java.lang.IllegalArgumentExce\nption: Could not resolve placeholder 'stockmysqlpassword' in value "
         '"${stockmysqlpassword}"', "secrets.source", secrets("stockmysqlpassword"), step="startup"),
    # microsoft/azure-tools-for-java#1090 (Spring Boot on App Service without its environment variable)
    Case("Caused by: java.lang.IllegalArgumentException: Could not resolve placeholder 'STORAGE_CONNECTION_STRING' in "
         'value "${STORAGE_CONNECTION_STRING}"\n\tat org.springframework.util.PropertyPlaceholderHelper.'
         "parseStringValue(PropertyPlaceholderHelper.java:174) ~[spring-core-4.3.8.RELEASE.jar:4.3.8.RELEASE]",
         "secrets.source", secrets("STORAGE_CONNECTION_STRING"), step="startup"),
    # etalab/transport-site#1456 (Phoenix, System.fetch_env!)
    Case('** (ArgumentError) could not fetch environment variable "SECRET_KEY_BASE" because it is not set',
         "secrets.source", secrets("SECRET_KEY_BASE"), step="startup"),
    # phoenixframework/esbuild#23 (Phoenix's generated runtime config)
    Case("** (RuntimeError) environment variable SECRET_KEY_BASE is missing.", "secrets.source",
         secrets("SECRET_KEY_BASE"), step="startup"),
    # sidebase/nuxt-auth-example#2 (NextAuth in a deployed Nuxt server, NEXTAUTH_SECRET not given)
    Case("[next-auth][error][NO_SECRET] \nhttps://next-auth.js.org/errors#no_secret Please define a `secret` in "
         "production. MissingSecret [MissingSecretError]: Please define a `secret` in production.\n    at assertConfig "
         "(/app/.output/server/node_modules/next-auth/core/lib/assert.js:42:12)", "secrets.source",
         secrets("NEXTAUTH_SECRET"), step="smoke", subject="GET /api/auth/session"),
    # MohamedHawy14/ApiTemplate#1 (ASP.NET Core JWT signing key left empty)
    Case("System.ArgumentException: 'IDX10703: Cannot create a 'Microsoft.IdentityModel.Tokens.SymmetricSecurityKey', "
         "key length is zero.'", "secrets.source", secrets("JWT_SECRET"), step="smoke", subject="POST /api/auth/login"),
    # ChustaSoft/SecureConfig#38 (.NET in Docker without the private key it had under Visual Studio)
    Case("Unhandled exception. System.ArgumentNullException: String reference not set to an instance of a String. "
         "(Parameter 's')\n   at System.Text.Encoding.GetBytes(String s)\n   at ChustaSoft.Common.Helpers."
         "EncryptationHelper.CreateMD5Hash(String text)", "secrets.source", secrets("SECURECONFIG_KEY"), step="startup"),
    # ---- a secret delivered with the wrong value
    # mirego/elixir-boilerplate#35 (Phoenix; a secret_key_base too short)
    Case("Request: GET /\n** (exit) an exception was raised:\n    ** (ArgumentError) cookie store expects "
         "conn.secret_key_base to be at least 64 bytes", "secrets.values", secrets("SECRET_KEY_BASE"), step="smoke",
         subject="GET /"),
    # Kystverket/IMO-Maritime-Single-Window#92 (ASP.NET Core; the JWT secret shorter than HS256 allows)
    Case("System.ArgumentOutOfRangeException: IDX10603: The algorithm: 'HS256' requires the SecurityKey.KeySize to be "
         "greater than '128' bits. KeySize reported: '72'.", "secrets.values", secrets("JWT_SECRET"), step="smoke",
         subject="POST /api/auth"),
    # formbricks/formbricks#5412 (Next.js; zod validating the environment)
    Case("formbricks         | ❌ Invalid environment variables: [\nformbricks         |   {\nformbricks         |     "
         "code: 'too_big',\nformbricks         |     maximum: 24,\nformbricks         |     type: 'string',\n"
         "formbricks         |     inclusive: true,\nformbricks         |     exact: true,\nformbricks         |     "
         "message: 'String must contain exactly 24 character(s)',\nformbricks         |     path: [ "
         "'FORMBRICKS_ENCRYPTION_KEY' ]\nformbricks         |   }\nformbricks         | ]", "secrets.values",
         secrets("FORMBRICKS_ENCRYPTION_KEY"), step="startup"),

    # ---- the read-only root
    # CodeTogether-Inc/CodeTogether#387 (Node's forever on readOnlyRootFilesystem)
    Case("Error: EROFS: read-only file system, mkdir '/opt/codetogether/.forever'\n    at Object.mkdirSync "
         "(fs.js:921:3)", "app.read_only", REALISTIC, step="startup"),
    # helm/charts#12635 (SonarQube cleaning its temp directory)
    Case("2019.03.28 14:01:03 INFO  app[][o.s.a.AppFileSystem] Cleaning or creating temp directory /opt/sonarqube/temp\n"
         'Exception in thread "main" java.nio.file.FileSystemException: /opt/sonarqube/temp/README.txt: Read-only file '
         "system", "app.read_only", REALISTIC, step="startup"),
    # chainguard-images/images#2542 (Keycloak's Quarkus writing its generated bytecode)
    Case("java.lang.IllegalStateException: java.nio.file.FileSystemException: /usr/share/java/keycloak/lib/quarkus/"
         "generated-bytecode.jar: Read-only file system", "app.read_only", REALISTIC, step="startup"),

    # ---- the app's memory
    # davpin/cf-SpringBootTrader#27 (Cloud Foundry's JVM sized from the container's limit)
    Case("2015-10-18T10:28:45.12+0100 [App/0]      OUT #\n2015-10-18T10:28:45.12+0100 [App/0]      OUT # "
         "java.lang.OutOfMemoryError: Metaspace", "app.memory", REALISTIC, step="smoke", subject="GET /quotes"),
    # paketo-buildpacks/libjvm#208 (the buildpack's memory calculator under a 1G limit)
    Case("Calculated JVM Memory Configuration: -XX:MaxDirectMemorySize=10M -Xmx437195K -XX:MaxMetaspaceSize=99380K "
         "-XX:ReservedCodeCacheSize=240M -Xss1M (Total Memory: 1G, Thread Count: 250, Loaded Class Count: 15132, "
         "Headroom: 0%)\nTerminating due to java.lang.OutOfMemoryError: Metaspace", "app.memory", REALISTIC,
         step="startup"),
    # MsGsuite/CloneBot_Heroku#29 (Heroku's memory meter, R15)
    Case("2022-01-10T10:58:37.183286+00:00 heroku[worker.1]: Process running mem=1214M(237.2%)\n"
         "2022-01-10T10:58:37.192749+00:00 heroku[worker.1]: Error R15 (Memory quota vastly exceeded)\n"
         "2022-01-10T10:58:37.202439+00:00 heroku[worker.1]: Stopping process with SIGKILL\n"
         "2022-01-10T10:58:37.425535+00:00 heroku[worker.1]: Process exited with status 137", "app.memory", REALISTIC,
         step="smoke", subject="clone job"),
    # dev-hato/hato-bot#1718 (a Node process on a 512MB dyno, R14 then R15)
    Case("2022-10-16T13:21:08.071320+00:00 heroku[web.1]: Process running mem=1280M(250.0%)\n"
         "2022-10-16T13:21:08.169352+00:00 heroku[web.1]: Error R15 (Memory quota vastly exceeded)\n"
         "2022-10-16T13:21:08.180156+00:00 heroku[web.1]: Stopping process with SIGKILL", "app.memory", REALISTIC,
         step="smoke", subject="POST /slack/events"),
    # TimDaub/ipfs-hls-converter#7 (Node in a container out of memory when it forks ffmpeg)
    Case("[0] Error: spawn ENOMEM\n[0]     at ChildProcess.spawn (internal/child_process.js:313:11)\n[0]     at "
         "exports.spawn (child_process.js:503:9)", "app.memory", REALISTIC, step="smoke", subject="POST /convert"),

    # openSUSE/software-o-o#364 (Rails in production)
    Case("  Rendering error.html.erb within layouts/application\nException: NoMemoryError: failed to allocate memory\n"
         "  Rendered error.html.erb within layouts/application (0.2ms)", "app.memory", REALISTIC, step="smoke",
         subject="GET /package/vim"),
    # sameersbn/docker-gitlab#75 (GitLab's Rails in a container on a 1GB VM, forking ps)
    Case("Running? ... rake aborted!\nErrno::ENOMEM: Cannot allocate memory - ps\n/home/git/gitlab/lib/gitlab/popen.rb:23:"
         "in `popen'", "app.memory", REALISTIC, step="startup"),

    # ---- replicas: what one replica kept and the next one never had
    # foolip/mdn-bcd-collector#3 (express-session's MemoryStore on several App Engine instances)
    Case("Warning: connect.session() MemoryStore is not A \n designed for a production environment, as it will leak A \n "
         "memory, and will not scale past a single process. A ", "app.replicas", REALISTIC, step="smoke",
         subject="POST /api/results"),
    # doccano/doccano#1475 (two replicas; the upload landed on the other one's disk)
    Case("Error moving temporary file to permanent storage location\n[2021-08-20 10:56:52,659: ERROR/ForkPoolWorker-2] "
         "Task api.tasks.injest_data[004c53b6-fe82-45fc-b4db-7ea16691db25] raised unexpected: FileNotFoundError(2, 'No "
         "such file or directory')", "app.replicas", REALISTIC, step="smoke", subject="upload dataset"),
    # rstudio/helm#137 (replicas > 1; each has its own RSA key for the sign-in form)
    Case("2022-01-08T04:37:43.467818Z [rserver] ERROR system error 74 (Bad message) [description: error:0407109F:rsa "
         "routines:RSA_padding_check_PKCS1_type_2:pkcs decoding error, description: Failed sign-in - unable to decrypt "
         "password - error]; OCCURRED AT rstudio::core::Error rstudio::core::system::crypto::rsaPrivateDecrypt(const "
         "string&, std::__cxx11::string*) src/cpp/core/system/Crypto.cpp:377", "app.replicas", REALISTIC, step="smoke",
         subject="POST /auth-do-sign-in"),
    # dotnet/aspnetcore#46124 (ASP.NET Core on several servers, each with its own data-protection key ring)
    Case("Microsoft.AspNetCore.Antiforgery.AntiforgeryValidationException: The antiforgery token could not be "
         "decrypted.\n ---> System.Security.Cryptography.CryptographicException: The key "
         "{5626ee7c-f8da-455e-b993-46b7b979ec71} was not found in the key ring. For more information go to "
         "http://aka.ms/dataprotectionwarning", "app.replicas", REALISTIC, step="smoke", subject="POST /Account/Login"),
    # kubernetes/kubernetes#53886 (socket.io on GKE, fine with one pod, failing with more)
    Case("[Error] Failed to load resource: the server responded with a status of 400 (HTTP/2.0 400) (socket.io, line 0)\n"
         "[Error] WebSocket connection to 'wss://MY_HOST/socket.io/?EIO=3&transport=websocket&sid=jyeHSgEkSz1TzadNAABW' "
         "failed: Unexpected response code: 501", "app.replicas", REALISTIC, step="smoke", subject="chat connects"),
    # miguelgrinberg/Flask-SocketIO#248 (three pods behind one service)
    Case("Invalid session d7019385790b45c4bfad502ca50bc4b3\nInvalid session b49107f992ec425bbf16c4a13d761bfe",
         "app.replicas", REALISTIC, step="smoke", subject="socket connects"),
    # socketio/socket.io#3539 (Kubernetes, several pods behind NGINX Plus)
    Case("[2020-01-16T19:10:50.031Z] ERROR: local server/17108 on TEST: Connection error\n  Error: xhr poll error",
         "app.replicas", REALISTIC, step="smoke", subject="broker client connects"),

    # ---- failover: writes reaching a demoted writer, connections ended by a restart
    # sequelize/sequelize#6338 (a manual Aurora failover under Sequelize)
    Case("SequelizeDatabaseError: ER_OPTION_PREVENTS_STATEMENT: The MySQL server is running with the --read-only option "
         "so it cannot execute this statement", "database.failover", REALISTIC, step="smoke", subject="POST /items"),
    # laravel/framework#33933 (Aurora failover; the pool still on the old writer)
    Case('"SQLSTATE[HY000]: General error: 1290 The MySQL server is running with the --read-only option so it cannot '
         'execute this statement "', "database.failover", REALISTIC, step="smoke", subject="queue job"),
    # joker1007/crono_trigger#55 (Rails on an Aurora MySQL failover)
    Case("ActiveRecord::StatementInvalid: Mysql2::Error: The MySQL server is running with the --read-only option so it "
         "cannot execute this statement", "database.failover", REALISTIC, step="smoke", subject="heartbeat"),
    # awslabs/aws-mysql-jdbc#209 (HikariCP on the cluster endpoint, still the old writer after a failover)
    Case("java.sql.SQLException\nMESSAGE: The MySQL server is running with the --read-only option so it cannot execute "
         "this statement", "database.failover", REALISTIC, step="smoke", subject="POST /orders"),

    # ---- the server's connection limit and timeouts
    # prisma/prisma-client-js#305 (Prisma in serverless functions, one pool each)
    Case('mobc failed to connect: Compat { error: QueryError(Error { kind: Db, cause: Some(DbError { severity: '
         '\\"FATAL\\", \nparsed_severity: Some(Fatal), code: SqlState(\\"53300\\"), message: \\"sorry, too many clients '
         'already\\"', "database.max_connections", REALISTIC, step="smoke", subject="GET /api/posts"),
    # langgenius/dify#27266 (the server's idle_in_transaction_session_timeout during a long agent step)
    Case("(psycopg2.OperationalError) FATAL: terminating connection due to idle-in-transaction timeout server closed the "
         "connection unexpectedly This probably means the server terminated abnormally before or while processing the "
         "request.", "database.settings", IDLE_TIMEOUT, step="smoke", subject="agent loop"),

    # ---- not a profile matter: a proxy's words about an upstream that failed for its own reasons
    # GoogleCloudPlatform/python-docs-samples#2411 (Django on App Engine flexible)
    Case('33#33: *619 upstream prematurely closed connection while reading response header from upstream, client: '
         '173.194.194.153, server: , request: "POST /api/DetectTarget HTTP/1.1", upstream: '
         '"http://172.17.0.1:8080/api/DetectTarget", host: "my-site-appspot.com"', None, REALISTIC, step="smoke",
         subject="POST /api/DetectTarget"),
    # nginx-proxy/nginx-proxy#1587 (a GraphQL method taking five seconds)
    Case('upstream prematurely closed connection while reading response header from upstream, client: xx.yy.zz.aa, '
         'server: testnet.yyy.com, request: "POST /graphql HTTP/2.0", upstream: "http://pp.qq.yy.zz:4001/graphql", '
         'host: "testnet.yyy.com", referrer: "https://yyy.com/"', None, REALISTIC, step="smoke", subject="POST /graphql"),
    # balena-io/open-balena#132 (HAProxy with its backend up, misconfigured)
    Case("< HTTP/1.0 503 Service Unavailable\n< Cache-Control: no-cache\n< Connection: close\n< Content-Type: text/html\n"
         "<\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n"
         "</body></html>", None, REALISTIC, step="smoke", subject="GET /ping"),
    # haproxy/haproxy#1234 (a health-check regression in HAProxy 2.2.9)
    Case('May  5 21:09:30 weblb2 haproxy: [WARNING] 124/210930 (59014) : Health check for server Backend-Web/http1_2 '
         'failed, reason: Health analyze, info: "Detected 10 consecutive errors, last one was: L4 unsuccessful '
         'connection", status: 0/2 DOWN.', None, REALISTIC, step="smoke", subject="GET /"),
]

# FRESH12b: a second batch from new searches after FRESH12's rule changes (platforms' own memory words on ECS,
# Cloud Run and Render, Laravel's and Symfony's secrets, PHP on read-only platforms, Django's server-side cursors
# and Go's bind messages through transaction pooling, SignalR behind a farm, a probe's kill without its reason),
# scored before any rule changed for it.
# First sight: 7 right, 10 unknown, 1 wrong of 18 (39%, 6%): app.memory 1/2/1, app.read_only 2/1/0, app.replicas
# 0/1/0, app.startup_probe 0/1/0, database.failover 0/1/0, database.pooler 0/2/0, none 2/0/0, secrets.source 2/0/0,
# secrets.values 0/2/0. Wrong: ECS's "OutOfMemoryError: Container killed due to memory usage" read as the server's
# out_of_memory (53200) by its exception name. Unknown: Cloud Run's and Render's memory words, a kubelet kill shown
# only as "Error / Exit Code 137", SignalR's WebSocket refused for a connection id, Django's server-side cursor and
# a bind message through transaction pooling, HikariCP unable to open any connection during a failover, Laravel's
# key-length refusals, Symfony's "is not writable" cache directory.
# Then: platforms stopping a container at its memory limit in their own words (ECS, Cloud Run, Render) as the app's
# cap, ahead of the server's out_of_memory; a cursor or an unnamed statement lost between server connections as the
# transaction pooler; a WebSocket refused for another replica's connection id (SignalR, Socket.IO); an encryption
# library refusing a key for its length as the secret's value: 15 right, 3 unknown, 0 wrong since (83%). Still
# unknown: a kubelet kill shown only as "Error / Exit Code 137" (the run measures the probe), HikariCP's bare pool
# timeout, "is not writable" (a read-only root or the uid: the text cannot tell).
FRESH12B = [
    # ---- the app's memory, in the platforms' words
    # aws/amazon-ecs-agent#1187 (Fargate, a 500 MiB container)
    Case("Status reason\tOutOfMemoryError: Container killed due to memory usage Exit Code\t137", "app.memory", REALISTIC,
         step="startup"),
    # aws/amazon-ecs-agent#3021 (ECS; the limit too low for the container's init)
    Case("Status reason | CannotStartContainerError: Error response from daemon: OCI runtime create failed: "
         "container_linux.go:380: starting container process caused: container init was OOM-killed (memory limit too "
         "low?): unknown", "app.memory", REALISTIC, step="startup"),
    # dart-lang/pub-dev#9554 (Cloud Run's image proxy at 512 MiB)
    Case("Cloud Run container instances that exceed their allowed memory limit are terminated. Consider increasing the "
         "memory limit of your Cloud Run service.\nMemory limit of 512 MiB exceeded with 516 MiB used. Consider "
         "increasing the memory limit, see https://cloud.google.com/run/docs/configuring/memory-limits", "app.memory",
         REALISTIC, step="smoke", subject="GET /api/image-proxy"),
    # hexlet-volunteers/runit#406 (Render's free plan, 512MB)
    Case("Ran out of memory (used over 512MB) while running your code.", "app.memory", REALISTIC, step="startup"),

    # ---- the startup probe
    # spack/spack-infrastructure#1374 (GitLab's Puma killed by the kubelet while still booting, not by memory)
    Case("    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    137\n      Started:      Fri, 19 "
         "Jun 2026 10:06:27 -0400\n      Finished:     Fri, 19 Jun 2026 10:09:40 -0400", "app.startup_probe", REALISTIC,
         step="startup"),

    # ---- replicas
    # aspnet/SignalR#984 (a server farm behind pfSense without sticky sessions; the maintainers: sticky sessions are
    # required)
    Case("WebSocket connection to 'wss://mywebsite.com/notification?id=d0fc384a-14f0-4436-aaaf-e5d50502399f' failed: "
         "Error during WebSocket handshake: Unexpected response code: 404", "app.replicas", REALISTIC, step="smoke",
         subject="notifications connect"),

    # ---- the pooler in transaction mode
    # attendee-labs/attendee#844 (Django's server-side cursors through PgBouncer in transaction mode)
    Case('psycopg2.errors.InvalidCursorName: cursor "_django_curs_..." does not exist', "database.pooler", REALISTIC,
         step="smoke", subject="POST /accounts/login/"),
    # apache/answer#1195 (Go, XORM through Supabase's transaction pooler on port 6543)
    Case("bind message supplies 4 parameters, but prepared statement requires 1", "database.pooler", REALISTIC,
         step="smoke", subject="GET /questions"),

    # ---- failover
    # brettwooldridge/HikariCP#514 (an RDS failover under HikariCP; the pool could not reconnect)
    Case("[DEBUG]20151208@15:01:49,403:com.zaxxer.hikari.pool.HikariPool - Timeout failure\tpool HikariPool-0 stats "
         "(total=0, active=0, idle=0, waiting=0)", "database.failover", REALISTIC, step="smoke", subject="GET /jobs"),

    # ---- secrets: not delivered, or delivered in the wrong form
    # lexik/LexikJWTAuthenticationBundle#663 (Symfony ignores .env files in production)
    Case('Environment variable not found: "JWT_SECRET_KEY"', "secrets.source", secrets("JWT_SECRET_KEY"), step="smoke",
         subject="POST /api/login_check"),
    # contao/contao#6199 (Symfony's container without APP_SECRET)
    Case('In EnvVarProcessor.php line 187:\n\n  Environment variable not found: "APP_SECRET".', "secrets.source",
         secrets("APP_SECRET"), step="startup"),
    # alexjustesen/speedtest-tracker#893 (Laravel; APP_KEY without its base64: prefix)
    Case("[2023-11-09 22:13:20] production.ERROR: Unsupported cipher or incorrect key length. Supported ciphers are: "
         'aes-128-cbc, aes-256-cbc, aes-128-gcm, aes-256-gcm. {"exception":"[object] (RuntimeException(code: 0): '
         "Unsupported cipher or incorrect key length. Supported ciphers are: aes-128-cbc, aes-256-cbc, aes-128-gcm, "
         "aes-256-gcm. at /var/www/html/vendor/laravel/framework/src/Illuminate/Encryption/Encrypter.php:55)",
         "secrets.values", secrets("APP_KEY"), step="smoke", subject="GET /"),
    # cachethq/Docker#298 (Laravel 5; the APP_KEY given in docker-compose not of the cipher's length)
    Case("[2018-06-01 15:37:26] development.ERROR: RuntimeException: No supported encrypter found. The cipher and / or "
         "key length are invalid. in /var/www/html/vendor/laravel/framework/src/Illuminate/Encryption/"
         "EncryptionServiceProvider.php:45", "secrets.values", secrets("APP_KEY"), step="smoke", subject="GET /"),

    # ---- the read-only root (PHP on platforms whose filesystem is read-only)
    # laravel/framework#12362 (Heroku)
    Case("ErrorException in Filesystem.php line 81: file_put_contents(/8c5dcc4d0403a63e7022d9f3171fa074ff9b989d.php): "
         "failed to open stream: Read-only file system", "app.read_only", REALISTIC, step="smoke", subject="GET /"),
    # vercel-community/php#577 (Laravel on Vercel, compiled views)
    Case("file_put_contents(/var/task/user/storage/framework/views/d11488bf2fc2bb96af744c78115ab527.php): Failed to open "
         "stream: Read-only file system", "app.read_only", REALISTIC, step="smoke", subject="GET /"),
    # doctrine/cache#157 (Symfony on a read-only filesystem, the cache warmed before)
    Case('Uncaught PHP Exception InvalidArgumentException: \\"The directory \\"[...]var/cache/prod/annotations\\" is not '
         'writable.\\" at [...]vendor/doctrine/cache/lib/Doctrine/Common/Cache/FileCache.php line 92', "app.read_only",
         REALISTIC, step="smoke", subject="GET /"),

    # ---- not a profile matter
    # primate-run/primate#10 (Fly.io; the server listening on the wrong address)
    Case("2023-04-22T13:49:03.056 health[e9e149ac] xxx [error] Health check on port 6161 has failed. Your app is not "
         "responding properly. Services exposed on ports [80, 443] will have intermittent failures until the health "
         "check passes.\n2023-04-22T13:51:41.488 proxy[e9e149ac] xxx [error] instance refused connection. is your app "
         "listening on 0.0.0.0:6161? make sure it is not only listening on 127.0.0.1 (hint: look at your startup logs, "
         "servers often print the address they are listening on)", None, REALISTIC, step="startup"),
    # npgsql/efcore.pg#2576 (ConnectionStrings nested under Logging in appsettings.json)
    Case("The ConnectionString property has not been initialized.", None, REALISTIC, step="smoke",
         subject="GET /api/items"),
]
