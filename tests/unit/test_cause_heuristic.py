"""The heuristic's own rules: what parity measured beats text, quoted code is not evidence,
codes are read where tools print them, and only keys that differ are named."""

from __future__ import annotations

from typing import Any

from parity.causes.heuristic import suspect
from parity.evidence import Evidence
from parity.profile.models import Profile

BASE: dict[str, Any] = {
    "database": {"version": "17"},
    "app": {"build": ".", "startup_probe": {"http": "/h", "period": "1s", "failure_threshold": 30}},
    "secrets": {"source": "dotenv", "values": {"API_TOKEN": {"value": "t"}}},
    "migrations": {"command": ["alembic", "upgrade", "head"], "timeout": "2m"},
    "smoke": {"command": ["pytest"], "timeout": "5m"},
}


def profile(**sections: dict[str, Any]) -> Profile:
    data = {key: dict(value) for key, value in BASE.items()}
    for name, keys in sections.items():
        data[name] = {**data.get(name, {}), **keys}
    return Profile.model_validate(data)


LOCAL = profile()


def key(evidence: Evidence, target: Profile, baseline: Profile = LOCAL) -> str | None:
    found = suspect(evidence, baseline, target)
    return found.key if found else None


def test_source_code_quoted_in_a_traceback_is_not_evidence() -> None:
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "/app/upload.py", line 12, in save\n'
        "    except PermissionError:  # EACCES on a read-only file system\n"
        "ValueError: the upload is empty\n"
    )
    target = profile(app={"user": "10001", "read_only": True})
    assert key(Evidence(side="target", step="smoke", text=traceback), target) is None
    pytest_report = ">       assert r.status_code == 200, 'Permission denied'\nE       assert 500 == 200"
    assert key(Evidence(side="target", step="smoke", text=pytest_report), target) is None


def test_what_parity_measured_points_at_memory_and_probes_before_any_text() -> None:
    capped = profile(app={"memory": "256m", "cpus": 0.5}, database={"memory": "1g"})
    killed = Evidence(side="target", step="startup", text="Read-only file system", facts={"oom_killed": True})
    assert key(killed, capped) == "app.memory"
    slow = Evidence(side="target", step="startup", facts={"budget_exhausted": True})
    assert key(slow, capped) == "app.cpus"  # the probe is the same on both sides; the CPU quota is not
    assert key(Evidence(side="target", step="resources", component="database"), capped) == "database.memory"
    timed_out = Evidence(side="target", step="migrations", facts={"timed_out": True})
    assert key(timed_out, profile(migrations={"timeout": "5s"})) == "migrations.timeout"
    assert key(timed_out, capped) is None
    stopped = Evidence(side="target", step="smoke", text="timed out after 2s\nrunning test 41 of 90")
    assert key(stopped, profile(smoke={"timeout": "2s"})) == "smoke.timeout"
    read_timeout = Evidence(side="target", step="smoke", text="ReadTimeout: Read timed out. (read timeout=2)")
    assert key(read_timeout, profile(smoke={"timeout": "2s"})) is None  # the client's timeout, not the step's


def test_a_test_that_lost_the_app_is_the_memory_cap_only_when_the_kernel_killed_the_app() -> None:
    capped = profile(app={"memory": "256m"})
    lost = "http.client.RemoteDisconnected: Remote end closed connection without response"
    assert key(Evidence(side="target", step="smoke", text=lost, oom_killed=frozenset({"app"})), capped) == "app.memory"
    assert key(Evidence(side="target", step="smoke", text=lost), capped) is None


def test_a_named_version_points_at_the_image_when_only_the_image_differs() -> None:
    message = "NotSupportedError: PostgreSQL 16 or later is required (found 15.4)."
    custom = profile(database={"image": "registry.example/pg:15-custom"})
    assert key(Evidence(side="target", step="migrations", text=message), custom) == "database.image"
    older = profile(database={"version": "15"})
    assert key(Evidence(side="target", step="migrations", text=message), older) == "database.version"


def test_sqlstates_are_read_where_drivers_print_them_and_nothing_else_counts_as_one() -> None:
    role = profile(database={"superuser": False})
    pgx = 'ERROR: must be able to SET ROLE "owner" (SQLSTATE 42501)'
    assert key(Evidence(side="target", step="migrations", text=pgx), role) == "database.superuser"
    found = suspect(Evidence(side="target", step="migrations", text="ERROR: boom (SQLSTATE 42501)"), LOCAL, role)
    assert found is not None and "insufficient_privilege (SQLSTATE 42501)" in found.because
    assert key(Evidence(side="target", step="migrations", text="[ERROR] 42501 ABCDE: boom"), role) is None


def test_a_secret_declared_on_one_side_only_points_at_the_values_not_the_delivery() -> None:
    files = profile(secrets={"source": "files"})
    assert key(Evidence(side="target", step="startup", text="KeyError: 'API_TOKEN'"), files) == "secrets.source"
    without = Profile.model_validate({**BASE, "secrets": {"source": "files", "values": {}}})
    assert key(Evidence(side="target", step="startup", text="KeyError: 'API_TOKEN'"), without) == "secrets.values"


def test_nothing_is_named_when_the_key_it_points_at_is_the_same_on_both_sides() -> None:
    tls = "FATAL: no pg_hba.conf entry for host \"10.0.0.1\", user \"app\", database \"app\", no encryption"
    assert key(Evidence(side="target", step="smoke", text=tls), profile(database={"ssl": "required"})) == "database.ssl"
    assert key(Evidence(side="target", step="smoke", text=tls), profile(app={"user": "1"})) is None


def test_collation_complaints_point_at_the_locale_key_that_differs() -> None:
    synapse = "Database has incorrect ctype of 'en_US.utf8'. Should be 'C'"
    icu = 'ERROR:  could not open collator for locale "xx-nonsense": U_ILLEGAL_ARGUMENT_ERROR'
    c_laptop = profile(database={"version": "15", "locale": "C"})
    en_prod = profile(database={"version": "15", "locale": "en_US.UTF-8"})
    icu_prod = profile(database={"version": "15", "icu_locale": "xx-nonsense"})
    assert key(Evidence(side="target", step="startup", text=synapse), en_prod, c_laptop) == "database.locale"
    assert key(Evidence(side="target", step="migrations", text=icu), icu_prod, LOCAL) == "database.icu_locale"
    # Same locale on both sides: the complaint is real, but no profile key explains the difference.
    assert key(Evidence(side="target", step="startup", text=synapse), en_prod, en_prod) is None
    # A MySQL app's collation warning is not Postgres's locale ("collation is wrong" words it otherwise).
    mysql = "Fail: MySQL Database collation is wrong: latin1 latin1_swedish_ci"
    assert key(Evidence(side="target", step="startup", text=mysql), en_prod, c_laptop) is None


def test_a_tls_failure_names_ssl_only_on_the_side_whose_server_could_have_produced_it() -> None:
    tls_prod = profile(database={"ssl": "required"})
    pkix = "PSQLException: SSL error: PKIX path building failed: unable to find valid certification path"
    assert key(Evidence(side="target", step="startup", text=pkix), tls_prod) == "database.ssl"
    # A certificate refused on the side whose server has no TLS did not come from that server.
    assert key(Evidence(side="baseline", step="startup", text=pkix), tls_prod) is None
    no_tls = "Error: The server does not support SSL connections"
    assert key(Evidence(side="baseline", step="startup", text=no_tls), tls_prod) == "database.ssl"
    assert key(Evidence(side="target", step="startup", text=no_tls), tls_prod) is None


def test_release_notes_decide_whether_a_missing_thing_is_the_version() -> None:
    pg12, pg15 = profile(database={"version": "12"}), profile(database={"version": "15"})
    renamed = 'ERROR:  column "total_time" does not exist'  # pg_stat_statements renamed it in 13
    assert key(Evidence(side="target", step="smoke", text=renamed), pg15, pg12) == "database.version"
    assert key(Evidence(side="baseline", step="smoke", text=renamed), pg15, pg12) is None
    uuid = "ERROR: function gen_random_uuid() does not exist"  # in core since 13: 15 has it
    assert key(Evidence(side="target", step="migrations", text=uuid), pg15, pg12) is None
    assert key(Evidence(side="baseline", step="migrations", text=uuid), pg15, pg12) == "database.version"
    # What parity measured of the failing side's server beats what its profile asks for.
    measured = Evidence(side="baseline", step="migrations", text=uuid, server={"server_version": "13.4"})
    assert key(measured, pg15, pg12) is None
    minimum = "django.db.utils.NotSupportedError: PostgreSQL 13 or later is required (found 15.2)."
    assert key(Evidence(side="target", step="startup", text=minimum), pg15, pg12) is None


def test_integrity_errors_point_at_the_data_and_a_catalog_race_does_not() -> None:
    with_data = profile(data={"restore": "prod.dump"})
    unique = 'psycopg2.errors.UniqueViolation: could not create unique index "orders_ref_key"'
    assert key(Evidence(side="target", step="migrations", text=unique), with_data) == "data"
    assert key(Evidence(side="target", step="migrations", text=unique), profile(app={"user": "1"})) is None
    race = 'pq: duplicate key value violates unique constraint "pg_type_typname_nsp_index"'
    assert key(Evidence(side="target", step="migrations", text=race), with_data) is None
    # a NOT NULL added over rows without a value, from a server whose messages are in German
    german = 'ERROR:  Spalte »author_id« von Relation »posts« enthält NULL-Werte'
    assert key(Evidence(side="target", step="migrations", text=german), with_data) == "data"


def test_a_cancelled_statement_is_the_timeout_setting_when_it_differs_else_the_rows() -> None:
    cancelled = "PG::QueryCanceled: ERROR: canceling statement due to statement timeout"
    timeout = {"settings": {"statement_timeout": "5s"}}
    both = profile(database=timeout, data={"restore": "prod.dump"})
    assert key(Evidence(side="target", step="migrations", text=cancelled), both) == "database.settings"
    rows_only = profile(database=timeout, data={"restore": "prod.dump"})
    assert key(Evidence(side="target", step="migrations", text=cancelled), rows_only, profile(database=timeout)) == "data"


def test_a_lost_connection_is_the_failover_only_in_the_step_it_fails_over_in() -> None:
    fails_over = profile(database={"failover": {"at": "smoke"}})
    lost = "psycopg.errors.AdminShutdown: terminating connection due to administrator command"
    assert key(Evidence(side="target", step="smoke", text=lost), fails_over) == "database.failover"
    assert key(Evidence(side="target", step="migrations", text=lost), fails_over) is None


def test_the_platform_keys_need_the_failing_side_to_have_them() -> None:
    csrf = "ActionController::InvalidAuthenticityToken"
    two = profile(app={"replicas": 2})
    assert key(Evidence(side="target", step="smoke", text=csrf), two) == "app.replicas"
    assert key(Evidence(side="baseline", step="smoke", text=csrf), two) is None
    prepared = 'ERROR: prepared statement "stmtcache_1" does not exist (SQLSTATE 26000)'
    pooled = profile(database={"pooler": {"mode": "transaction"}})
    sessions = profile(database={"pooler": {"mode": "session"}})
    assert key(Evidence(side="target", step="smoke", text=prepared), pooled) == "database.pooler"
    assert key(Evidence(side="target", step="smoke", text=prepared), sessions) is None
    killed = "billiard.exceptions.WorkerLostError: Worker exited prematurely: signal 9 (SIGKILL) Job: 3."
    assert key(Evidence(side="target", step="smoke", text=killed), profile(app={"memory": "256m"})) == "app.memory"
    assert key(Evidence(side="baseline", step="smoke", text=killed), profile(app={"memory": "256m"})) is None


def test_an_extension_refused_by_the_allow_list_names_it_unless_the_list_has_it() -> None:
    azure = 'ERROR:  extension "postgis" is not allow-listed for "azure_pg_admin" users in Azure Database for PostgreSQL'
    assert key(Evidence(side="target", step="migrations", text=azure),
               profile(database={"extensions": ["pg_trgm"]})) == "database.extensions"
    plain = 'ERROR: permission denied to create extension "postgis"'
    listed = profile(database={"extensions": ["postgis"], "superuser": False})
    assert key(Evidence(side="target", step="migrations", text=plain), listed) == "database.superuser"


def test_exit_137_measured_at_startup_is_the_memory_cap_whatever_the_log_says() -> None:
    capped = profile(app={"memory": "256m", "user": "1"})
    exited = Evidence(side="target", step="startup", text="Permission denied: '/app/x'", facts={"exit_code": 137})
    found = suspect(exited, LOCAL, capped)
    assert found is not None and (found.key, found.source) == ("app.memory", "measured")


def test_a_settings_validator_listing_names_under_one_line_names_each_secret() -> None:
    both = profile(secrets={"source": "files", "values": {"JWT_SECRET_KEY": {"env": "JWT_SECRET_KEY"}}})
    local = profile(secrets={"values": {"JWT_SECRET_KEY": {"value": "dev"}}})
    listed = "ERROR: The following required environment variables are missing:\n\n- JWT_SECRET_KEY\n- OTHER"
    assert key(Evidence(side="target", step="startup", text=listed), both, local) == "secrets.source"
    unlisted = "ERROR: The following required environment variables are missing:\n\n- OTHER"
    assert key(Evidence(side="target", step="startup", text=unlisted), both, local) is None


def test_a_function_an_extension_provides_names_the_allow_list_only_when_it_lacks_that_extension() -> None:
    missing = "ERROR: function gen_random_bytes(integer) does not exist (SQLSTATE 42883)"  # pgcrypto's
    without = profile(database={"extensions": ["pg_trgm"]})
    assert key(Evidence(side="target", step="migrations", text=missing), without) == "database.extensions"
    allowed = profile(database={"extensions": ["pgcrypto"]})
    assert key(Evidence(side="target", step="migrations", text=missing), allowed) is None


def test_pgbouncers_own_limit_is_the_pooler_not_the_servers_connections() -> None:
    refused = "Error querying the database: db error: FATAL: no more connections allowed (max_client_conn)"
    pooled = profile(database={"pooler": {"mode": "transaction"}, "max_connections": 20})
    assert key(Evidence(side="target", step="smoke", text=refused), pooled) == "database.pooler"
    clients = "FATAL: sorry, too many clients already"
    assert key(Evidence(side="target", step="smoke", text=clients), pooled) == "database.max_connections"


def test_an_extension_the_server_lacks_is_the_allow_list_when_the_failing_side_has_one_without_it() -> None:
    lacks = 'psycopg.errors.UndefinedFile: could not open extension control file "/usr/share/postgresql/14/extension/' \
            'hstore.control": No such file or directory'
    listed = profile(database={"extensions": ["pg_trgm"], "image": "registry.example/pg:17-slim"})
    assert key(Evidence(side="target", step="migrations", text=lacks), listed) == "database.extensions"
    # Without a list on the failing side, the image decides.
    assert key(Evidence(side="target", step="migrations", text=lacks),
               profile(database={"image": "registry.example/pg:17-slim"})) == "database.image"


def test_a_failed_handshake_names_ssl_in_each_stacks_words_and_a_demand_for_tls_only_where_tls_is() -> None:
    tls_prod = profile(database={"ssl": "required"})
    for said in ("org.postgresql.util.PSQLException: SSL error: Received fatal alert: handshake_failure",
                 "Error: P1011: Error opening a TLS connection: bad protocol version",
                 "error performing TLS handshake: received fatal alert: HandshakeFailure",
                 "connection to server failed: SSL error: tlsv1 alert unknown ca",
                 # Npgsql refusing its own TLS configuration where production's server has TLS
                 "System.ArgumentException: To validate server certificates, please use VerifyFull or VerifyCA "
                 "instead of Require. To disable validation, explicitly set 'Trust Server Certificate' to true."):
        assert key(Evidence(side="target", step="startup", text=said), tls_prod) == "database.ssl", said
    demanded = "psycopg2.OperationalError: ERROR:  SSL required"  # PgBouncer refusing a plain client
    assert key(Evidence(side="target", step="startup", text=demanded), tls_prod) == "database.ssl"
    assert key(Evidence(side="baseline", step="startup", text=demanded), tls_prod) is None
    # A connection the server dropped over TLS is no handshake.
    dropped = "psycopg2.OperationalError: SSL SYSCALL error: EOF detected"
    assert key(Evidence(side="target", step="smoke", text=dropped), tls_prod) is None


def test_an_unrecognized_parameter_is_the_version_only_when_the_release_notes_place_it() -> None:
    pg92, pg17 = profile(database={"version": "9.2"}), profile(database={"version": "17"})
    lock = 'ERROR: unrecognized configuration parameter "lock_timeout"'  # 9.3 added it
    assert key(Evidence(side="target", step="startup", text=lock), pg92, pg17) == "database.version"
    assert key(Evidence(side="baseline", step="startup", text=lock), pg92, pg17) is None
    # A driver's option sent as a parameter is no server's, whatever the versions.
    driver = 'FATAL: unrecognized configuration parameter "statement_cache_mode" (SQLSTATE 42704)'
    assert key(Evidence(side="target", step="startup", text=driver), pg92, pg17) is None
    # Tools that translate the server's words still name the column.
    pg14, pg15 = profile(database={"version": "14"}), profile(database={"version": "15"})
    gone = '[42703] Error: column "datlastsysoid" not exists'  # 15 removed it
    assert key(Evidence(side="target", step="smoke", text=gone), pg15, pg14) == "database.version"


def test_a_system_catalog_refused_is_the_superuser_bit_even_where_the_roles_differ() -> None:
    roles = profile(database={"superuser": False, "roles": {"migrations": "owner", "app": "dml"}})
    catalog = "42501: permission denied for table pg_authid"
    assert key(Evidence(side="target", step="migrations", text=catalog), roles) == "database.superuser"
    table = "42501: permission denied for table orders"
    assert key(Evidence(side="target", step="smoke", text=table), roles) == "database.roles"


def test_a_framework_refusing_the_server_by_its_version_number_names_the_version_below_its_minimum() -> None:
    pg92, pg11 = profile(database={"version": "9.2"}), profile(database={"version": "11"})
    too_old = "Your version of PostgreSQL (90224) is too old. Active Record supports PostgreSQL >= 9.3."
    assert key(Evidence(side="target", step="startup", text=too_old), pg92, pg11) == "database.version"
    # The same words on a server that reaches the minimum do not blame its version.
    assert key(Evidence(side="baseline", step="startup", text=too_old), pg92, pg11) is None
    # ... nor a minimum written as a comparison and said required (GitLab's)
    required = "You are using PostgreSQL 9.2.24, but PostgreSQL >= 10 is required for this version of GitLab."
    assert key(Evidence(side="target", step="migrations", text=required), pg92, pg11) == "database.version"
    assert key(Evidence(side="baseline", step="migrations", text=required), pg92, pg11) is None


def test_a_worker_its_supervisor_killed_at_its_own_timeout_is_no_memory_kill() -> None:
    capped = profile(app={"memory": "256m"})
    guessed = "[CRITICAL] WORKER TIMEOUT (pid:17)\n[ERROR] Worker (pid:17) was sent SIGKILL! Perhaps out of memory?"
    assert key(Evidence(side="target", step="smoke", text=guessed), capped) is None
    oom = "[ERROR] Worker (pid:17) was sent SIGKILL! Perhaps out of memory?"
    assert key(Evidence(side="target", step="smoke", text=oom), capped) == "app.memory"
    # What parity measured still decides.
    measured = Evidence(side="target", step="startup", text=guessed, facts={"oom_killed": True})
    assert key(measured, capped) == "app.memory"


def test_a_value_too_long_for_its_column_is_sqlite_on_the_other_side_else_the_rows() -> None:
    postgres = profile(data={"restore": "prod.dump"})
    sqlite = profile(database={"engine": "sqlite"})
    too_long = "psycopg2.errors.StringDataRightTruncation: value too long for type character varying(16)"
    assert key(Evidence(side="target", step="migrations", text=too_long), postgres, sqlite) == "database.engine"
    assert key(Evidence(side="target", step="migrations", text=too_long), postgres) == "data"
    out_of_range = 'ERROR:  value "3000000000" is out of range for type integer'
    assert key(Evidence(side="target", step="migrations", text=out_of_range), postgres) == "data"
    # Neither the engine nor the rows differ: unsure.
    assert key(Evidence(side="target", step="migrations", text=too_long), LOCAL) is None


def test_generic_words_need_a_second_signal_before_they_name_a_key() -> None:
    as_user = profile(app={"user": "10001"}, database={"version": "17", "superuser": False})
    # "permission denied" is any server's word: without an OS refusal it is not the app's user
    server = Evidence(side="target", step="migrations", text="ERROR: permission denied to create database")
    assert key(server, as_user) == "database.superuser"
    tool = Evidence(side="target", step="smoke", text="remote: Permission denied (publickey).")
    assert key(tool, as_user) is None
    opened = Evidence(side="target", step="startup", text="PermissionError: [Errno 13] Permission denied: '/app/x'")
    assert key(opened, as_user) == "app.user"
    assert key(opened, profile(app={"memory": "1g"})) is None  # app.user is not what differs
    fs = Evidence(side="target", step="startup", text="mkdir /var/lib/app/cache: permission denied")
    assert key(fs, as_user) == "app.user"
    # a program the OS would not run, in the words of the tool that tried (coreutils' env, runc's exec)
    for said in ("env: 'claude': Permission denied", 'exec: "/docker-entrypoint.sh": permission denied: unknown',
                 "exec /app/entrypoint.sh: permission denied"):
        assert key(Evidence(side="target", step="startup", text=said), as_user) == "app.user", said
    # a file the server could not read, in its own words, is no tool's exec
    server_file = 'FATAL:  could not access file "/etc/ssl/server.key": Permission denied'
    assert key(Evidence(side="target", step="startup", text=server_file), as_user) is None


def test_a_timeout_the_migration_set_itself_is_the_rows_not_the_servers_settings() -> None:
    cancelled = Evidence(side="target", step="migrations",
                         text="ERROR: canceling statement due to statement timeout (SQLSTATE 57014)")
    loaded = {"restore": "prod.dump"}
    other_setting = profile(database={"version": "17", "settings": {"work_mem": "4MB"}}, data=loaded)
    assert key(cancelled, other_setting) == "data"
    timeout_here = profile(database={"version": "17", "settings": {"statement_timeout": "5s"}}, data=loaded)
    assert key(cancelled, timeout_here) == "database.settings"
    same_timeout = profile(database={"version": "17", "settings": {"statement_timeout": "5s"}}, data=loaded)
    assert key(cancelled, same_timeout, baseline=same_timeout.model_copy(update={"data": None})) == "data"


def test_a_missing_extension_function_is_not_the_servers_major() -> None:
    missing = Evidence(side="target", step="migrations",
                       text="ERROR: function gen_random_bytes(integer) does not exist (SQLSTATE 42883)")
    older = profile(database={"version": "12", "superuser": False})
    assert key(missing, older) is None  # refused CREATE EXTENSION, skipped, or the image: unsure
    listed = profile(database={"version": "12", "superuser": False, "extensions": ["pg_trgm"]})
    assert key(missing, listed) == "database.extensions"
    core = Evidence(side="target", step="migrations", text="ERROR: function gen_random_uuid() does not exist")
    assert key(core, older) == "database.version"


def test_the_servers_own_allocation_failure_is_not_the_apps_memory() -> None:
    capped = profile(app={"memory": "256m"}, database={"version": "17", "memory": "1g"})
    fork = Evidence(side="target", step="migrations",
                    text="LOG:  could not fork new process for connection: Cannot allocate memory")
    assert key(fork, capped) == "database.memory"
    assert key(fork, profile(app={"memory": "256m"})) is None
    app = Evidence(side="target", step="startup", text="OSError: [Errno 12] Cannot allocate memory")
    assert key(app, capped) == "app.memory"


def test_a_session_the_server_ended_for_idling_is_the_setting_not_the_failover() -> None:
    failing_over = {"version": "17", "failover": {"at": "smoke", "after": "2s", "downtime": "10s"}}
    idle = Evidence(side="target", step="smoke", text=(
        "(psycopg2.errors.IdleInTransactionSessionTimeout) terminating connection due to idle-in-transaction timeout\n"
        "SSL connection has been closed unexpectedly"))
    timeout_here = profile(database={**failing_over, "settings": {"idle_in_transaction_session_timeout": "60s"}})
    assert key(idle, timeout_here) == "database.settings"
    # no idle timeout differs: the rows never end an idle session, so unsure rather than data
    assert key(idle, profile(database=failing_over, data={"restore": "prod.dump"})) is None
    lost = Evidence(side="target", step="smoke", text="SSL connection has been closed unexpectedly")
    assert key(lost, timeout_here) == "database.failover"


def test_a_standby_still_in_recovery_during_a_failover_is_the_failover() -> None:
    failing_over = profile(database={"version": "17", "failover": {"at": "smoke", "after": "2s", "downtime": "10s"}})
    standby = Evidence(side="target", step="smoke", text="pg: cannot set transaction read write mode during recovery")
    assert key(standby, failing_over) == "database.failover"
    read_only = Evidence(side="target", step="smoke", text="ERROR: cannot execute INSERT in a read-only transaction")
    assert key(read_only, failing_over) == "database.failover"
    assert key(read_only, profile(database={"version": "17", "memory": "1g"})) is None  # no failover then


def test_a_locale_the_servers_os_lacks_is_the_locale() -> None:
    locale = profile(database={"version": "17", "locale": "en_US.UTF-8"})
    for said in ("createdb: database creation failed: ERROR:  invalid locale name en_US.UTF-8",
                 'LOG:  invalid value for parameter "lc_messages": "en_US.utf8"',
                 # CREATE DATABASE since 15 names the category it refuses
                 'ERROR:  invalid LC_COLLATE locale name: "de_DE.UTF-8"',
                 'ERROR:  invalid LC_CTYPE locale name: "de_DE.UTF-8"'):
        assert key(Evidence(side="target", step="database", text=said), locale) == "database.locale"
    # a parameter that is no locale is not one
    other = Evidence(side="target", step="database", text='invalid value for parameter "work_mem": "4XB"')
    assert key(other, locale) is None
    refused = Evidence(side="target", step="database", text='ERROR:  invalid LC_COLLATE locale name: "de_DE.UTF-8"')
    assert key(refused, LOCAL) is None  # the same locale on both sides is not the cause
    # the server refusing to open a database initialised with a locale its OS does not have
    opened = Evidence(side="target", step="database",
                      text='FATAL:  database locale is incompatible with operating system\nDETAIL:  The database was '
                           'initialized with LC_COLLATE "en_US.UTF-8",  which is not recognized by setlocale().')
    assert key(opened, locale) == "database.locale"


def test_a_server_demanding_tls_in_azures_words_is_the_ssl() -> None:
    tls = profile(database={"version": "17", "ssl": "required"})
    refused = Evidence(side="target", step="migrations",
                       text="FATAL:  SSL connection is required. Please specify SSL options and retry.")
    assert key(refused, tls) == "database.ssl"
    assert key(refused, profile(database={"version": "17", "memory": "1g"})) is None  # a server without TLS


def test_feature_not_supported_alone_is_not_the_servers_major() -> None:
    older = profile(database={"version": "13"})
    for said in ("ERROR: cached plan must not change result type (SQLSTATE 0A000)",
                 "django.db.utils.NotSupportedError: cannot use a cursor WITH HOLD here"):
        assert key(Evidence(side="target", step="smoke", text=said), older) is None
    named = Evidence(side="target", step="startup",
                     text="django.db.utils.NotSupportedError: PostgreSQL 14 or later is required (found 13.2).")
    assert key(named, older) == "database.version"


def test_a_syntax_error_names_the_version_only_on_the_older_major() -> None:
    said = Evidence(side="target", step="migrations", text='ERROR:  syntax error at or near "FUNCTION"')
    assert key(said, profile(database={"version": "13"})) == "database.version"  # 13 fails, 17 passes
    newer = profile(database={"version": "17"})
    assert key(said, newer, baseline=profile(database={"version": "13"})) is None  # 17 fails, 13 passes


def test_what_sqlite_lets_through_points_at_the_engine_only_when_sqlite_is_on_the_other_side() -> None:
    sqlite = profile(database={"engine": "sqlite"})
    older = profile(database={"version": "15"})
    for message in ('ERROR: column "o.total" must appear in the GROUP BY clause or be used in an aggregate function',
                    'PG::DatatypeMismatch: ERROR:  column "kind" cannot be cast automatically to type integer',
                    'psycopg.errors.GroupingError: column "o.total" must appear in the GROUP BY clause',
                    'column "id" is of type integer but expression is of type text',
                    "operator is not unique: - unknown"):
        assert key(Evidence(side="target", step="smoke", text=message), LOCAL, sqlite) == "database.engine"
        # Between two Postgres servers neither the version nor anything else explains it.
        assert key(Evidence(side="target", step="smoke", text=message), older) is None


def test_a_value_of_the_wrong_type_in_production_rows_is_the_data_not_the_version() -> None:
    restored = profile(database={"version": "15"}, data={"restore": "prod.dump"})
    cast = 'PG::InvalidTextRepresentation: ERROR:  invalid input syntax for integer: "February"'
    assert key(Evidence(side="target", step="migrations", text=cast), restored) == "data"
    bare = 'ERROR:  invalid input syntax for type uuid: "n/a"'
    assert key(Evidence(side="target", step="migrations", text=bare), restored) == "data"
    assert key(Evidence(side="target", step="migrations", text=cast), profile(database={"version": "15"})) is None


def test_pgjdbc_and_postgrex_tls_setup_failures_name_ssl() -> None:
    tls_prod = profile(database={"ssl": "required"})
    for message in ("org.postgresql.util.PSQLException: An error occurred while setting up the SSL connection.",
                    "PSQLException: Could not open SSL root certificate file /root/.postgresql/root.crt.",
                    "PSQLException: SSL error: sun.security.validator.ValidatorException",
                    "** (DBConnection.ConnectionError) ssl connect: Options (or their values) can not be combined"):
        assert key(Evidence(side="target", step="startup", text=message), tls_prod) == "database.ssl"
    # A server without TLS in pgx's and Rust sqlx's words: only on the side whose server has none.
    for message in ("tls error: server refused TLS connection", 'Tls("server does not support TLS")'):
        assert key(Evidence(side="baseline", step="startup", text=message), tls_prod) == "database.ssl"
        assert key(Evidence(side="target", step="startup", text=message), tls_prod) is None
    go = "failed to write startup message (tls: either ServerName or InsecureSkipVerify must be specified)"
    assert key(Evidence(side="target", step="startup", text=go), tls_prod) == "database.ssl"
    # A web framework's own validator (JSF's) says nothing of TLS.
    jsf = "javax.faces.validator.ValidatorException: Validation Error: Value is required."
    assert key(Evidence(side="target", step="startup", text=jsf), tls_prod) is None


def test_a_shared_library_missing_from_the_server_points_at_the_image() -> None:
    plain = profile(database={"version": "16"})
    vectors = profile(database={"version": "16", "image": "tensorchord/pgvecto-rs:pg16-v0.2.0"})
    missing = 'PostgresError: could not access file "$libdir/vectors": No such file or directory'
    assert key(Evidence(side="target", step="startup", text=missing), plain, vectors) == "database.image"
    # Any other file the server cannot read is not the image's.
    other = 'could not access file "/etc/ssl/server.key": Permission denied'
    assert key(Evidence(side="target", step="startup", text=other), plain, vectors) is None


def test_a_function_missing_in_the_servers_translated_words_is_still_the_version() -> None:
    pg15, pg17 = profile(database={"version": "15"}), profile(database={"version": "17"})
    for said in ("ERROR:  no existe la función any_value(text)",  # es; any_value is 16+
                 "ERREUR:  la fonction any_value(text) n'existe pas",  # fr
                 "FEHLER:  Funktion any_value(text) existiert nicht"):  # de
        assert key(Evidence(side="target", step="smoke", text=said), pg15, pg17) == "database.version"
        # on the newer major the function exists: its version is not why
        assert key(Evidence(side="baseline", step="smoke", text=said), pg15, pg17) is None


def test_a_catalog_column_the_release_notes_place_names_the_version_and_a_users_column_does_not() -> None:
    pg13, pg17 = profile(database={"version": "13"}), profile(database={"version": "17"})
    added = Evidence(side="target", step="smoke", text="column att.attcompression does not exist")  # 14+
    assert key(added, pg13, pg17) == "database.version"
    renamed = Evidence(side="target", step="smoke", text='column "daticulocale" does not exist')  # 15-16 only
    assert key(renamed, pg17, profile(database={"version": "15"})) == "database.version"
    own = Evidence(side="target", step="smoke", text='column "attachment_url" does not exist')
    assert key(own, pg13, pg17) is None
    # 17 moved pg_stat_bgwriter's checkpoint timings to pg_stat_checkpointer: a tool written for 16 fails on 17
    moved = Evidence(side="target", step="smoke", text='ERROR:  column "checkpoint_write_time" does not exist')
    assert key(moved, pg17, pg13) == "database.version"
    assert key(moved, pg13, pg17) is None  # the older side has it: not the version
    # ... and 16 added the last scan times a tool written for 16 reads
    scans = Evidence(side="target", step="smoke", text='column "last_seq_scan" does not exist')
    assert key(scans, pg13, pg17) == "database.version"


def test_a_host_rule_refusing_a_plain_connection_is_the_ssl_in_any_servers_words() -> None:
    tls = profile(database={"version": "17", "ssl": "required"})
    for said in ('FATAL: pg rejects connection for host "10.0.0.1" user "app", database "app", no encryption',
                 'pq: pg_hba.conf rejects connection for host "10.0.0.1", user "vault", database "v", no encryption'):
        assert key(Evidence(side="target", step="startup", text=said), tls) == "database.ssl"
        # a server without TLS never demanded it
        assert key(Evidence(side="target", step="startup", text=said), profile(database={"version": "16"})) is None
    rust = Evidence(side="target", step="startup", text="Error { kind: Tls, cause: Some(Kind(InvalidInput)) }")
    assert key(rust, tls) == "database.ssl"
    other_kind = Evidence(side="target", step="startup", text="Error { kind: Closed, cause: None }")
    assert key(other_kind, tls) is None


def test_the_tools_that_set_a_cluster_up_refusing_the_locale_name_the_locale() -> None:
    locale = profile(database={"version": "17", "locale": "en_US.UTF-8"})
    for said in ("Error: The locale requested by the environment is invalid:\n  LANG: en_US.UTF-8",
                 "initdb: error: invalid locale settings; check LANG and LC_* environment variables",
                 "locale: Cannot set LC_CTYPE to default locale: No such file or directory"):
        assert key(Evidence(side="target", step="database", text=said), locale) == "database.locale"
        assert key(Evidence(side="target", step="database", text=said), LOCAL) is None  # same locale both sides


def test_a_providers_rule_for_where_extensions_go_is_the_allow_list() -> None:
    listed = profile(database={"version": "17", "extensions": ["pg_trgm"]})
    said = ("asyncpg.exceptions.FeatureNotSupportedError: extensions can only be installed in schema "
            "'ibm_extension'")
    assert key(Evidence(side="target", step="migrations", text=said), listed) == "database.extensions"
    assert key(Evidence(side="target", step="migrations", text=said), LOCAL) is None
    # Heroku's words name the extension: only one the allow-list lacks is the allow-list's doing.
    heroku = 'ERROR:  extension "btree_gist" must be installed in schema "heroku_ext"'
    assert key(Evidence(side="target", step="migrations", text=heroku), listed) == "database.extensions"
    allowed = heroku.replace("btree_gist", "pg_trgm")
    assert key(Evidence(side="target", step="migrations", text=allowed), listed) is None


def test_a_constraint_broken_in_the_servers_translated_words_is_still_the_data() -> None:
    with_data = profile(data={"restore": "prod.dump"})
    for said in ('FEHLER:  doppelter Schlüsselwert verletzt Unique-Constraint »users_email_key«',
                 "ERREUR:  la valeur d'une clé dupliquée rompt la contrainte unique « users_email_key »",
                 "ERROR:  llave duplicada viola restricción de unicidad «users_email_key»",
                 'ERRO:  duplicar valor da chave viola a restrição de unicidade "users_email_key"',
                 'ОШИБКА:  повторяющееся значение ключа нарушает ограничение уникальности "users_email_key"',
                 'ERRO:  o valor nulo na coluna "cpf" da relação "people" viola a restrição de não-nulo',
                 'FEHLER:  Einfügen oder Aktualisieren in Tabelle »a« verletzt Fremdschlüssel-Constraint »a_b_fkey«',
                 "FEHLER:  Wert zu lang für Typ character varying(40)"):
        assert key(Evidence(side="target", step="migrations", text=said), with_data) == "data", said
        assert key(Evidence(side="target", step="migrations", text=said), LOCAL) is None  # no rows differ
    # a system catalog's index that concurrent DDL races for is no row production has, in any words
    race = "FEHLER:  doppelter Schlüsselwert verletzt Unique-Constraint »pg_type_typname_nsp_index«"
    assert key(Evidence(side="target", step="migrations", text=race), with_data) is None


def test_a_host_rule_refusing_a_plain_connection_in_a_translated_servers_words_is_the_ssl() -> None:
    tls = profile(database={"version": "17", "ssl": "required"})
    for said in ("FATAL:  no hay una línea en pg_hba.conf para «10.0.0.243», usuario «app», base de datos «app», "
                 "sin cifrado",
                 "FATAL:  no hay una línea en pg_hba.conf para «10.0.0.243», usuario «app», base de datos «app», "
                 "SSL inactivo",
                 "FATAL:  aucune entrée dans pg_hba.conf pour l'hôte « 10.0.2.2 », utilisateur « app », base de "
                 "données « app », SSL inactif"):
        assert key(Evidence(side="target", step="startup", text=said), tls) == "database.ssl", said
        assert key(Evidence(side="target", step="startup", text=said), LOCAL) is None  # no TLS difference


def test_a_connection_exception_in_tls_words_is_the_ssl_not_the_failover() -> None:
    # a side that fails over in this step and requires TLS: 08006 alone is the failover
    prod = profile(database={"ssl": "required", "failover": {"at": "smoke", "after": "2s", "downtime": "10s"}})
    tls = "[08006] SSL error: Failed to parse server certificates Empty issuer DN not allowed in X509Certificates."
    assert key(Evidence(side="target", step="smoke", text=tls), prod) == "database.ssl"
    lost = "[08006] An I/O error occurred while sending to the backend."
    assert key(Evidence(side="target", step="smoke", text=lost), prod) == "database.failover"


def test_a_secret_named_in_words_reported_missing_is_the_secret() -> None:
    declared = profile(secrets={"source": "files", "values": {"AUTHENTIK_SECRET_KEY": {"env": "AUTHENTIK_SECRET_KEY"}}})
    local = profile(secrets={"source": "dotenv", "values": {"AUTHENTIK_SECRET_KEY": {"value": "dev"}}})
    said = '{"event": "Secret key missing, check https://goauthentik.io/docs/installation/.", "level": "info"}'
    assert key(Evidence(side="target", step="startup", text=said), declared, local) == "secrets.source"
    # words that are no declared secret's name say nothing
    other = '{"event": "Signing key missing", "level": "info"}'
    assert key(Evidence(side="target", step="startup", text=other), declared, local) is None


def test_a_tool_asking_for_a_superuser_in_its_own_words_is_the_superuser_bit() -> None:
    managed = profile(database={"superuser": False})
    for said in ("pgsync.exc.SuperUserError: 'You need to be a superuser to perform this action: Current user: master'",
                 "Error: superuser privileges required to create the publication"):
        assert key(Evidence(side="target", step="startup", text=said), managed) == "database.superuser", said
        assert key(Evidence(side="target", step="startup", text=said), LOCAL) is None  # the role is the same


def test_a_catalog_column_known_only_by_its_qualified_name_names_the_version() -> None:
    old = profile(database={"version": "9.1"})
    said = "FATAL: column pg_stat_activity.state does not exist\nLINE 15: pg_stat_activity.state as state,"
    assert key(Evidence(side="target", step="smoke", text=said), old) == "database.version"
    # the same bare name in an application's table says nothing of the version
    bare = 'ERROR:  column "state" does not exist'
    assert key(Evidence(side="target", step="smoke", text=bare), old) is None


def test_a_session_another_replica_opened_looked_up_by_its_id_is_the_replicas() -> None:
    balanced = profile(app={"replicas": 2})
    said = "handleTerminalSession: can't find session '58b0f210745ff704af190f0d181a5111'"
    assert key(Evidence(side="target", step="smoke", text=said), balanced) == "app.replicas"
    assert key(Evidence(side="target", step="smoke", text=said), LOCAL) is None  # one replica on both sides


def test_openssl_and_niossl_words_for_a_failed_handshake_are_the_ssl() -> None:
    tls_side = profile(database={"ssl": "required"})
    for said in (
        # OpenSSL's record layer under Node and Python: the first bytes back were no TLS record
        "Error: 1C0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/ssl/record.c",
        "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1129)",
        # Swift's NIOSSL under PostgresNIO
        "PSQLError(code: connectionError, underlying: NIOSSL.NIOSSLError.handshakeFailed(NIOSSL.BoringSSLError."
        "sslError([Error: unexpected eof])))",
    ):
        assert key(Evidence(side="target", step="startup", text=said), tls_side) == "database.ssl", said
        assert key(Evidence(side="target", step="startup", text=said), LOCAL) is None  # TLS the same on both sides


def test_a_new_database_refused_for_the_templates_encoding_is_the_locale() -> None:
    c_cluster = profile(database={"locale": "C"})
    utf8_cluster = profile(database={"locale": "en_US.UTF-8"})
    said = ("createdb: error: database creation failed: ERROR:  new encoding (UTF8) is incompatible with the encoding "
            "of the template database (SQL_ASCII)")
    assert key(Evidence(side="target", step="database", text=said), c_cluster, utf8_cluster) == "database.locale"
    assert key(Evidence(side="target", step="database", text=said), c_cluster, c_cluster) is None


def test_a_minimum_named_with_its_patch_number_names_the_version() -> None:
    said = "Exception: PostgreSQL 9.4.0 or higher is required (9.2.23 found). Upgrade PostgreSQL and then run migrations"
    assert key(Evidence(side="target", step="migrations", text=said), profile(database={"version": "9.2"})) \
        == "database.version"
    # a server that reaches the minimum is not why
    assert key(Evidence(side="target", step="migrations", text=said), profile(database={"version": "13"})) is None


def delivered_apart(name: str) -> tuple[Profile, Profile]:
    """A secret production reads from a file and the laptop from a value: (production, laptop)."""
    return (profile(secrets={"source": "files", "values": {name: {"env": name}}}),
            profile(secrets={"values": {name: {"value": "dev"}}}))


def test_a_validator_refusing_an_empty_value_for_its_size_reports_the_secret_missing() -> None:
    both, local = delivered_apart("JWT_SECRET_KEY")
    # pydantic prints the field, then its validator's message with the value it was given: empty
    empty = ("1 validation error for JWTConfig\njwt_secret_key\n  Value error, JWT secret key must be at least 32 "
             "characters long [type=value_error, input_value='', input_type=str]")
    assert key(Evidence(side="target", step="startup", text=empty), both, local) == "secrets.source"
    # a value that was delivered but is too short is the value, not its delivery
    short = empty.replace("input_value=''", "input_value='dev'")
    assert key(Evidence(side="target", step="startup", text=short), both, local) == "secrets.values"


def test_a_host_name_the_certificate_does_not_cover_names_ssl_in_each_stacks_words() -> None:
    tls_prod = profile(database={"ssl": "required"})
    for said in ("The hostname sl...326 could not be verified by hostnameverifier PgjdbcHostnameVerifier.",  # pgjdbc
                 "ERROR --- o.postgresql.ssl.PGjdbcHostnameVerifier : Server name validation failed: hostname "
                 "192.168.33.32 does not match common name example.net",
                 "ssl.CertificateError: hostname 'db.internal' doesn't match 'abc.rds.amazonaws.com'",  # Python < 3.7
                 "DB connection failed: The certificate's CN name does not match the passed value. "
                 "(os error -2146762481)"):  # SChannel through native-tls
        assert key(Evidence(side="target", step="startup", text=said), tls_prod) == "database.ssl", said
        # the side whose server has no TLS presented no certificate
        assert key(Evidence(side="baseline", step="startup", text=said), tls_prod) is None, said


def test_a_statement_option_the_older_major_does_not_recognize_names_the_version() -> None:
    pg13, pg16 = profile(database={"version": "13"}), profile(database={"version": "16"})
    # CREATE DATABASE's LOCALE_PROVIDER came with 15 (a dump from 15+ restored into 13)
    create = 'pg_restore: error: could not execute query: ERROR:  option \\"locale_provider\\" not recognized'
    assert key(Evidence(side="target", step="database", text=create), pg13, pg16) == "database.version"
    assert key(Evidence(side="baseline", step="database", text=create), pg13, pg16) is None  # 16 has it
    explain = 'ERROR:  unrecognized EXPLAIN option "memory"'  # 17's
    assert key(Evidence(side="target", step="smoke", text=explain), pg16, profile(database={"version": "17"})) \
        == "database.version"
    vacuum = 'ERROR:  unrecognized VACUUM option "process_toast"'  # 14's
    assert key(Evidence(side="target", step="migrations", text=vacuum), pg13, pg16) == "database.version"
    # an option no release added says nothing of the version
    unknown = 'ERROR:  option "lc_colate" not recognized'
    assert key(Evidence(side="target", step="database", text=unknown), pg13, pg16) is None


def test_a_library_naming_its_secret_option_required_is_the_secret() -> None:
    both, local = delivered_apart("SESSION_SECRET")
    said = ("Error: secret option required for sessions\n\n    at session "
            "(/usr/src/app/node_modules/express-session/index.js:204:12)")
    assert key(Evidence(side="target", step="smoke", text=said), both, local) == "secrets.source"
    # where the secrets are delivered alike, the text alone names no key
    assert key(Evidence(side="target", step="smoke", text=said), local, local) is None


def test_schannels_certificate_failures_under_sqlclient_name_ssl_only_where_the_server_has_tls() -> None:
    tls_prod = profile(database={"ssl": "required"})
    for message in ("A connection was successfully established with the server, but then an error occurred during "
                    "the login process. (provider: SSL Provider, error: 0 - The certificate chain was issued by an "
                    "authority that is not trusted.)",
                    "System.Security.Authentication.AuthenticationException: The target principal name is incorrect.",
                    "(provider: SSL Provider, error: 31 - Encryption(ssl/tls) handshake failed)"):
        assert key(Evidence(side="target", step="startup", text=message), tls_prod) == "database.ssl", message
    untrusted = "The certificate chain was issued by an authority that is not trusted."
    assert key(Evidence(side="baseline", step="startup", text=untrusted), tls_prod) is None


def test_a_minimum_said_required_before_the_servers_name_names_the_version_below_it() -> None:
    pg94, pg15 = profile(database={"version": "9.4"}), profile(database={"version": "15"})
    said = "Error: cannot create store: minimum required postgres version is 10.0; found 9.426"
    assert key(Evidence(side="target", step="startup", text=said), pg94, pg15) == "database.version"
    # the side whose server reaches the minimum it names is not refused for its version
    assert key(Evidence(side="baseline", step="startup", text=said), pg94, pg15) is None


def test_a_declared_secret_named_by_a_kebab_case_property_or_asked_a_form_points_at_its_delivery_or_value() -> None:
    cases = [
        # a dotted property's kebab-case last segment is the tail of the secret's name (and one word of it is not)
        ("SENTRY_SECRET_KEY", "secrets.source",
         "sentry.runner.importer.ConfigurationError: `system.secret-key` MUST be set. Use 'sentry config "
         "generate-secret-key' to get one.",
         "ConfigurationError: `system.signing-key` MUST be set."),
        # a form asked of a declared secret's value is the value delivered (and of another value, nothing)
        ("SECRET_ENCRYPTION_KEY", "secrets.values",
         "homarr | message: 'SECRET_ENCRYPTION_KEY must only contain hex characters, please generate a 64 "
         "character secret in hex format'",
         "message: 'COLOR_SCHEME must only contain hex characters'"),
    ]
    for name, expected, said, other in cases:
        both, local = delivered_apart(name)
        assert key(Evidence(side="target", step="startup", text=said), both, local) == expected, said
        assert key(Evidence(side="target", step="startup", text=other), both, local) is None, other
