"""The platform-side error classes (app memory, probes, read-only root, replicas, secrets, settings) as
the heuristic reads them, on the small profiles of test_cause_heuristic."""

from __future__ import annotations

from parity.evidence import Evidence
from tests.unit.test_cause_heuristic import key, profile


def test_a_cancel_the_client_sent_is_no_server_timeout_even_where_one_differs() -> None:
    timeout = profile(database={"settings": {"statement_timeout": "5s"}})
    by_client = "ERROR 57014 (query_canceled) canceling statement due to user request"
    by_server = "ERROR 57014 (query_canceled) canceling statement due to statement timeout"
    assert key(Evidence(side="target", step="smoke", text=by_client), timeout) is None
    assert key(Evidence(side="target", step="smoke", text=by_server), timeout) == "database.settings"


def test_a_kill_in_a_shells_or_runtimes_words_is_the_memory_cap_and_a_sentence_with_killed_is_not() -> None:
    capped = profile(app={"memory": "256m"})
    for said in ("/start: line 73:    23 Killed                  bundle exec sidekiq < /dev/null",
                 "INFO: start\nKilled", "[pool www] child 10 exited on signal 9 (SIGKILL) after 2.5 seconds",
                 'eheap_alloc: Cannot allocate 441485240 bytes of memory (of type "heap").',
                 "heroku[web.1]: Error R14 (Memory quota exceeded)"):
        assert key(Evidence(side="target", step="smoke", text=said), capped) == "app.memory", said
    assert key(Evidence(side="target", step="smoke", text="Job Killed by the user"), capped) is None
    assert key(Evidence(side="target", step="smoke", text="INFO: start\nKilled"), profile()) is None


def test_probes_failing_while_the_app_starts_name_the_startup_probe_whatever_kill_follows() -> None:
    slower = profile(app={"memory": "256m", "startup_probe": {"http": "/h", "period": "1s", "failure_threshold": 5}})
    liveness = 'kubelet  Liveness probe failed: Get "http://10.0.0.7:8080/health": connect: connection refused'
    boot = ("heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of "
            "launch\nheroku[web.1]: Stopping process with SIGKILL\nheroku[web.1]: Process exited with status 137")
    assert key(Evidence(side="target", step="startup", text=liveness), slower) == "app.startup_probe"
    assert key(Evidence(side="target", step="startup", text=boot), slower) == "app.startup_probe"
    assert key(Evidence(side="target", step="smoke", text=liveness), slower) is None


def test_an_oauth_callbacks_state_check_is_unsure_and_a_sessions_csrf_token_is_the_replicas() -> None:
    two = profile(app={"replicas": 2})
    oauth = "[AuthFailure] Invalid authentication via OAuth2: CSRF token mismatch"
    assert key(Evidence(side="target", step="smoke", text=oauth), two) is None
    assert key(Evidence(side="target", step="smoke", text="419 | CSRF token mismatch."), two) == "app.replicas"


def test_a_session_the_server_ended_for_idling_is_the_setting_that_differs() -> None:
    ended = "panic: FATAL: terminating connection due to idle-session timeout (SQLSTATE 57P05)"
    idle = profile(database={"settings": {"idle_session_timeout": "10min"}})
    assert key(Evidence(side="target", step="smoke", text=ended), idle) == "database.settings"
    assert key(Evidence(side="target", step="smoke", text=ended), profile()) is None


def test_laravels_page_expired_is_a_session_lost_behind_replicas_and_a_validator_asking_for_a_secret_names_it() -> None:
    two = profile(app={"replicas": 2})
    assert key(Evidence(side="target", step="smoke", text="419 | Page Expired"), two) == "app.replicas"
    assert key(Evidence(side="target", step="smoke", text="419 | Page Expired"), profile()) is None
    files = profile(secrets={"source": "files", "path": "/run/secrets", "values": {"API_TOKEN": {"env": "API_TOKEN"}}})
    asked = "ERRO[0000] Provide a token using `api_token` key"
    assert key(Evidence(side="target", step="startup", text=asked), files) == "secrets.source"
    assert key(Evidence(side="target", step="startup", text="Provide a token using `other` key"), files) is None


def test_mysqls_read_only_writer_is_the_failover_only_on_the_side_failing_over_then() -> None:
    said = "ActiveRecord::StatementInvalid: Mysql2::Error: The MySQL server is running with the --read-only option so it " \
           "cannot execute this statement"
    failing_over = profile(database={"failover": {"at": "smoke", "after": "2s", "downtime": "10s"}})
    assert key(Evidence(side="target", step="smoke", text=said), failing_over) == "database.failover"
    assert key(Evidence(side="target", step="migrations", text=said), failing_over) is None
    assert key(Evidence(side="target", step="smoke", text=said), profile()) is None


def test_session_state_a_transaction_pooler_loses_is_the_pooler_where_that_step_goes_through_it() -> None:
    notified = "pg: discarding bad listener connection: pg: readSimpleQuery: unexpected message 'A'"
    unlocked = "Error: sql/postgres: failed releasing lock 2686470616"
    pooled = profile(database={"pooler": {"mode": "transaction"}})
    migrations_pooled = profile(database={"pooler": {"mode": "transaction", "migrations": "pooler"}})
    assert key(Evidence(side="target", step="smoke", text=notified), pooled) == "database.pooler"
    assert key(Evidence(side="target", step="smoke", text=notified), profile()) is None
    # Migrations go straight to the server unless database.pooler.migrations says otherwise.
    assert key(Evidence(side="target", step="migrations", text=unlocked), pooled) is None
    assert key(Evidence(side="target", step="migrations", text=unlocked), migrations_pooled) == "database.pooler"
    assert key(Evidence(side="target", step="migrations", text="Could not release lock"), migrations_pooled) is None


def test_state_one_replica_keeps_for_itself_is_the_replicas_behind_a_balancer() -> None:
    two = profile(app={"replicas": 2})
    for said in ("Warning: connect.session() MemoryStore is not\ndesigned for a production environment, as it will "
                 "leak\nmemory, and will not scale past a single process.",
                 "CryptographicException: The key {5626ee7c-f8da-455e-b993-46b7b979ec71} was not found in the key ring.",
                 "Invalid session d7019385790b45c4bfad502ca50bc4b3"):
        assert key(Evidence(side="target", step="smoke", text=said), two) == "app.replicas", said
        assert key(Evidence(side="target", step="smoke", text=said), profile()) is None, said
    assert key(Evidence(side="target", step="smoke", text="Invalid session: please log in"), two) is None


def test_a_secret_of_the_wrong_length_is_its_value_and_a_missing_one_in_a_libraries_words_its_delivery() -> None:
    values = {"SECRET_KEY_BASE": {"env": "SECRET_KEY_BASE"}}
    files = profile(secrets={"source": "files", "path": "/run/secrets", "values": values})
    short = "** (ArgumentError) cookie store expects conn.secret_key_base to be at least 64 bytes"
    zod = "message: 'String must contain exactly 24 character(s)',\npath: [ 'SECRET_KEY_BASE' ]"
    assert key(Evidence(side="target", step="smoke", text=short), files) == "secrets.values"
    assert key(Evidence(side="target", step="startup", text=zod), files) == "secrets.values"
    assert key(Evidence(side="target", step="smoke", text="a password of at least 8 characters"), files) is None
    missing = "[next-auth][error][NO_SECRET] Please define a `secret` in production. MissingSecret"
    assert key(Evidence(side="target", step="smoke", text=missing), files) == "secrets.source"


def test_memory_refused_in_each_runtimes_words_and_a_platforms_start_timeout() -> None:
    capped = profile(app={"memory": "256m"})
    for said in ("Error: spawn ENOMEM\n    at ChildProcess.spawn (internal/child_process.js:313:11)",
                 "Exception: NoMemoryError: failed to allocate memory"):
        assert key(Evidence(side="target", step="smoke", text=said), capped) == "app.memory", said
        assert key(Evidence(side="target", step="smoke", text=said), profile()) is None, said
    slower = profile(app={"startup_probe": {"http": "/h", "period": "1s", "failure_threshold": 5}})
    for said in ("The user-provided container failed to start and listen on the port defined provided by the PORT=8080 "
                 "environment variable within the allocated timeout.",
                 "ERROR - Container app_0_1 for site app did not start within expected time limit. Elapsed time = 230.1 "
                 "sec"):
        assert key(Evidence(side="target", step="startup", text=said), slower) == "app.startup_probe", said


def test_platforms_memory_words_are_the_apps_cap_not_the_servers_out_of_memory() -> None:
    capped = profile(app={"memory": "256m"}, database={"memory": "1g"})
    for said in ("Status reason\tOutOfMemoryError: Container killed due to memory usage Exit Code\t137",
                 "Memory limit of 512 MiB exceeded with 516 MiB used. Consider increasing the memory limit",
                 "Ran out of memory (used over 512MB) while running your code."):
        assert key(Evidence(side="target", step="smoke", text=said), capped) == "app.memory", said
        assert key(Evidence(side="target", step="smoke", text=said), profile()) is None, said


def test_a_cursor_or_an_unnamed_statement_lost_between_server_connections_is_the_transaction_pooler() -> None:
    pooled = profile(database={"pooler": {"mode": "transaction"}})
    for said in ('psycopg2.errors.InvalidCursorName: cursor "_django_curs_140_sync_1" does not exist',
                 "bind message supplies 4 parameters, but prepared statement requires 1"):
        assert key(Evidence(side="target", step="smoke", text=said), pooled) == "database.pooler", said
        assert key(Evidence(side="target", step="smoke", text=said), profile()) is None, said


def test_a_websocket_refused_for_another_replicas_connection_id_and_a_key_of_the_wrong_length() -> None:
    two = profile(app={"replicas": 2})
    refused = ("WebSocket connection to 'wss://example.org/hub?id=d0fc384a-14f0' failed: Error during WebSocket "
               "handshake: Unexpected response code: 404")
    assert key(Evidence(side="target", step="smoke", text=refused), two) == "app.replicas"
    assert key(Evidence(side="target", step="smoke", text="WebSocket connection to 'wss://example.org/' failed"),
               two) is None
    files = profile(secrets={"source": "files", "path": "/run/secrets", "values": {"APP_KEY": {"env": "APP_KEY"}}})
    laravel = "production.ERROR: Unsupported cipher or incorrect key length. Supported ciphers are: aes-128-cbc"
    assert key(Evidence(side="target", step="smoke", text=laravel), files) == "secrets.values"
    assert key(Evidence(side="target", step="smoke", text=laravel), profile()) is None


def test_a_runtimes_own_out_of_memory_and_a_sigkill_status_are_the_apps_cap_not_the_servers() -> None:
    capped = profile(app={"memory": "256m"}, database={"memory": "1g"})
    for said in ("Error Type: Runtime.OutOfMemory",  # Lambda's type, named like the server's condition
                 "Error Runtime exited with error: signal: killed\nRuntime.ExitError",
                 "Replaced terminated Worker  pid: 19, signaled: true, stopsig: nil, termsig: 9",
                 "2020-08-07T16:06:03Z container oom 41af (image=wordpress:php7.3-apache, name=pl-wp)"):
        assert key(Evidence(side="target", step="smoke", text=said), capped) == "app.memory", said
        assert key(Evidence(side="target", step="smoke", text=said), profile()) is None, said
    # The server's own condition by its driver's class name still reads as the server's.
    server = "psycopg.errors.OutOfMemory: out of memory\nDETAIL:  Failed on request of size 8192."
    assert key(Evidence(side="target", step="smoke", text=server), capped) == "database.memory"


def test_a_platforms_health_deadline_spent_at_start_is_the_startup_probe() -> None:
    slower = profile(app={"startup_probe": {"http": "/h", "period": "1s", "failure_threshold": 5}})
    for said in ("Your deployment has failed to become healthy in the allotted time and therefore was rolled back.",
                 "Task failed ELB health checks",
                 "(port 4200) is unhealthy in (target-group arn:aws:elasticloadbalancing:x) due to (reason Health "
                 "checks failed).",
                 'error: update acceptor rejected web-1: pods for deployment "web-1" took longer than 600 seconds to '
                 "become ready",
                 "Container web_0_1 didn't respond to HTTP pings on port: 8080, failing site start.",
                 "remote: Could not start due to 1 failed checks.",
                 "Alloc Unhealthy  Task not running by deadline",
                 "1/1 replicas never became healthy"):
        assert key(Evidence(side="target", step="startup", text=said), slower) == "app.startup_probe", said
        assert key(Evidence(side="target", step="smoke", text=said), slower) is None, said


def test_mysqls_lost_connection_and_a_database_port_refusing_dials_are_the_failover_then() -> None:
    failing_over = profile(database={"failover": {"at": "smoke", "after": "2s", "downtime": "10s"}})
    for said in ("ERROR 2013 (HY000): Lost connection to MySQL server during query",
                 "OperationalError: (2006, 'MySQL server has gone away')",
                 '{"err":"dial tcp 10.10.21.118:3306: connect: connection refused","health-checker":"mysql"}'):
        assert key(Evidence(side="target", step="smoke", text=said), failing_over) == "database.failover", said
        assert key(Evidence(side="target", step="smoke", text=said), profile()) is None, said
    web = "dial tcp 10.0.0.9:8080: connect: connection refused"  # the app's port, not the database's
    assert key(Evidence(side="target", step="smoke", text=web), failing_over) is None


def test_another_instances_session_in_a_browsers_or_a_key_rings_words_is_the_replicas() -> None:
    two = profile(app={"replicas": 2})
    for said in ("Firefox can't establish a connection to the server at wss://example.org/engine.io/?uid=1"
                 "&transport=websocket&sid=b0bPcacXWG1aL3ueAAAC.",
                 "Unable to unprotect the message.State",
                 "AuthenticationScheme: Cookies was not authenticated. Failure message: Unprotect ticket failed"):
        assert key(Evidence(side="target", step="smoke", text=said), two) == "app.replicas", said
        assert key(Evidence(side="target", step="smoke", text=said), profile()) is None, said
    plain = "Firefox can't establish a connection to the server at wss://example.org/live."
    assert key(Evidence(side="target", step="smoke", text=plain), two) is None


def test_dotnets_runtime_failing_to_set_itself_up_is_the_read_only_root() -> None:
    read_only = profile(app={"read_only": True})
    said = "Failed to create CoreCLR, HRESULT: 0x80004005"
    assert key(Evidence(side="target", step="startup", text=said), read_only) == "app.read_only"
    assert key(Evidence(side="target", step="startup", text=said), profile()) is None


def test_a_secret_with_a_trailing_newline_or_the_wrong_decryption_key_is_its_value() -> None:
    values = {"RAILS_MASTER_KEY": {"env": "RAILS_MASTER_KEY"}}
    files = profile(secrets={"source": "files", "path": "/run/secrets", "values": values})
    newline = 'FATAL:  password authentication failed for user "zCvGCKJvH9s6\n\t"'
    assert key(Evidence(side="target", step="startup", text=newline), files) == "secrets.values"
    plain = 'FATAL:  password authentication failed for user "app"'
    assert key(Evidence(side="target", step="startup", text=plain), files) is None
    json = '{\n  "message": "No encryption key has been specified.",\n  "exception": "Missing"'
    assert key(Evidence(side="target", step="startup", text=json), files) != "secrets.values"
    wrong = "bin/rails aborted!\nActiveSupport::MessageEncryptor::InvalidMessage: ActiveSupport::MessageEncryptor::" \
            "InvalidMessage"
    assert key(Evidence(side="target", step="startup", text=wrong), files) == "secrets.values"
    assert key(Evidence(side="target", step="smoke", text=wrong), files) is None


def test_a_forms_token_refused_in_other_words_than_csrf_is_the_replicas_behind_a_balancer() -> None:
    two = profile(app={"replicas": 2})
    for said in ("The form token is not valid", "unable to verify form token: token is unauthorized"):
        assert key(Evidence(side="target", step="smoke", text=said), two) == "app.replicas", said
        # one replica issued and checked the token itself: the text names no key
        assert key(Evidence(side="target", step="smoke", text=said), profile()) is None, said


def test_the_kubelets_kill_for_a_failed_startup_probe_is_the_startup_probe() -> None:
    slower = profile(app={"startup_probe": {"http": "/h", "period": "1s", "failure_threshold": 5}})
    killed = "Normal  Killing  40s (x2 over 90s)  kubelet  Container api failed startup probe, will be restarted"
    assert key(Evidence(side="target", step="startup", text=killed), slower) == "app.startup_probe"
    assert key(Evidence(side="target", step="startup", text=killed), profile()) is None  # the same probe


def test_a_process_outliving_its_grace_period_after_sigterm_is_the_shutdown_not_the_memory() -> None:
    graceful = profile(app={"memory": "256m", "shutdown": {"termination_grace_period": "10s"}})
    for said in ("heroku[web.1]: Error R12 (Exit timeout) -> At least one process failed to exit within 30 seconds "
                 "of SIGTERM\nheroku[web.1]: Stopping remaining processes with SIGKILL\n"
                 "heroku[web.1]: Process exited with status 137",
                 'level=info msg="Container 4f2a failed to exit within 10 seconds of signal 15 - using the force"'):
        assert key(Evidence(side="target", step="smoke", text=said), graceful) == "app.shutdown", said
    # a SIGTERM the process handled in time is nothing
    handled = "Received SIGTERM, shutting down gracefully"
    assert key(Evidence(side="target", step="smoke", text=handled), graceful) is None


def test_a_signed_cookie_another_replica_signed_is_the_replicas() -> None:
    two = profile(app={"replicas": 2})
    said = "securecookie: the value is not valid"
    assert key(Evidence(side="target", step="smoke", text=said), two) == "app.replicas"
    assert key(Evidence(side="target", step="smoke", text=said), profile()) is None  # one replica


def test_a_feature_running_without_a_configured_secret_names_that_secret() -> None:
    declared = profile(secrets={"source": "dotenv", "values": {"API_TOKEN": {"value": "t"},
                                                               "ROCKET_SECRET_KEY": {"value": "k"}}})
    said = ("Warning: secrets enabled without a configured `secret_key`\n"
            "    => disable `secrets` feature or configure a `secret_key`")
    assert key(Evidence(side="target", step="startup", text=said), declared) == "secrets.values"
    # words that name no declared secret are nothing
    other = "Warning: caching enabled without a configured `cache_dir`"
    assert key(Evidence(side="target", step="startup", text=other), declared) is None
