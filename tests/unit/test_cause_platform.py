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
