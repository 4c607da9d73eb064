"""The load balancer's configuration and log, and the join of its log to failing tests (no engine)."""

from __future__ import annotations

from parity.diff import compare
from parity.env.answered_by import annotate
from parity.env.balancer import HealthCheck, haproxy_config, parse_log
from parity.profile.models import Profile
from parity.results import ProfileRun, StepResult, TestCase

SERVERS = [("app-1", "app-1"), ("app-2", "app-2")]


def backend(config: str) -> list[str]:
    lines = config.splitlines()
    return [line.strip() for line in lines[lines.index("backend replicas") + 1:]]


def test_round_robin_with_http_health_checks_on_the_startup_probe_path() -> None:
    config = haproxy_config(SERVERS, port=8000, app_port=8000, check=HealthCheck("/healthz"), sticky=False)
    assert backend(config) == [
        "balance roundrobin", "option httpchk GET /healthz", "http-check expect status 200-399",
        "default-server inter 1s fastinter 100ms downinter 100ms fall 2 rise 1 init-addr libc,none", "server app-1 app-1:8000 check",
        "server app-2 app-2:8000 check"]
    assert "    bind :8000" in config.splitlines()
    assert "    retries 0" in config.splitlines()  # a Service does not retry on another replica
    assert "    stats socket ipv4@0.0.0.0:9999 level admin" in config.splitlines()
    # An app on the runtime API's usual port keeps it; the runtime API moves.
    moved = haproxy_config(SERVERS, port=9999, app_port=9999, check=HealthCheck("/healthz"), sticky=False)
    assert "    bind :9999" in moved.splitlines() and "    stats socket ipv4@0.0.0.0:9998 level admin" in moved


def test_sticky_is_client_ip_affinity_and_without_an_http_probe_the_check_is_a_connection() -> None:
    config = haproxy_config(SERVERS, port=80, app_port=3000, check=HealthCheck(None), sticky=True)
    assert backend(config)[:3] == ["balance source", "hash-type consistent",
                                   "default-server inter 1s fastinter 100ms downinter 100ms fall 2 rise 1 init-addr libc,none"]
    assert "server app-2 app-2:3000 check" in backend(config)
    assert "httpchk" not in config


LOG = """\
[NOTICE]   (1) : New worker (8) forked
parity-request 1767000000.125 POST "/login" 200 app-1 -- 3 {}
parity-request 1767000000.250 GET "/me" 401 app-2 -- 2 {}
parity-request 1767000000.300 GET "/healthz" 200 app-1 -- 1 {http:health}
[WARNING]  (8) : Server replicas/app-2 is DOWN, reason: Layer4 connection problem
parity-request 1767000001.000 GET "/reports/export?x=1" 502 app-2 SH 900 {}
parity-request 1767000001.500 GET "/" -1 <NOSRV> SC 0 {}
parity-request 1767000001.9
"""


def test_the_log_gives_each_request_its_replica_status_and_whether_it_failed() -> None:
    logged = parse_log(LOG)
    assert [(r.method, r.uri, r.status, r.replica, r.failed) for r in logged] == [
        ("POST", "/login", 200, "app-1", False), ("GET", "/me", 401, "app-2", True),
        ("GET", "/healthz", 200, "app-1", False), ("GET", "/reports/export?x=1", 502, "app-2", True),
        ("GET", "/", None, None, True)]
    assert logged[2].check_id == "http:health" and logged[0].check_id is None
    assert logged[0].at == 1767000000.125 and logged[3].path == "/reports/export"
    assert logged[3].describe() == "GET /reports/export?x=1 -> 502 from app-2: it closed the connection before answering"


def test_a_failing_test_is_told_which_replica_answered_the_request_it_quotes() -> None:
    cases = [TestCase(id="t::login", outcome="failed", message="AssertionError: GET /me: HTTP 401"),
             TestCase(id="t::other", outcome="failed", message="assert 1 == 2"),
             TestCase(id="t::fine", outcome="passed"),
             TestCase(id="http:health", outcome="passed")]
    annotated, facts = annotate(cases, parse_log(LOG), replicas=2)
    assert annotated[0].message.endswith(
        "load balancer: GET /me -> 401 from app-2; the request before it (POST /login -> 200) was answered by app-1")
    assert annotated[1:] == cases[1:]  # a message naming no request is left as it was
    assert facts["answered_by"] == {"t::login": {"answered_by": "app-2", "status": 401, "previous_by": "app-1",
                                                 "replicas": 2, "request": "GET /me"}}
    assert facts["requests_by_replica"] == {"app-1": 2, "app-2": 2, "none": 1}
    assert len(facts["failed_requests"]) == 3


def test_a_client_error_from_the_other_replica_points_at_app_replicas_only_where_the_counts_differ() -> None:
    one = Profile.model_validate({"app": {"build": ".", "replicas": 1}})
    two = Profile.model_validate({"app": {"build": ".", "replicas": 2}})
    passed = StepResult(status="ok", tests=[TestCase(id="t::login", outcome="passed")])
    annotated, facts = annotate([TestCase(id="t::login", outcome="failed", message="GET /me: HTTP 401")],
                                parse_log(LOG), replicas=2)
    failed = StepResult(status="failed", tests=annotated, facts=facts)
    found, _ = compare(ProfileRun(name="local", steps={"smoke": passed}),
                       ProfileRun(name="prod", steps={"smoke": failed}), one, two)
    assert [(d.subject, d.cause, d.cause_confidence) for d in found] == [("t::login", "app.replicas", "suspected")]
    assert "from app-2, right after app-1" in found[0].cause_note
    # The same failure when both sides run two replicas: replicas are not what differs.
    found, _ = compare(ProfileRun(name="local", steps={"smoke": passed}),
                       ProfileRun(name="prod", steps={"smoke": failed}), two, two)
    assert [d.cause for d in found] == [None]
    # Answered by the same replica that answered the request before: not a state split.
    same = {**facts, "answered_by": {"t::login": {**facts["answered_by"]["t::login"], "previous_by": "app-2"}}}
    found, _ = compare(ProfileRun(name="local", steps={"smoke": passed}),
                       ProfileRun(name="prod", steps={"smoke": failed.model_copy(update={"facts": same})}), one, two)
    assert [d.cause for d in found] == [None]


def test_a_request_quoted_with_its_method_wins_over_a_path_that_only_appears_in_quoted_code() -> None:
    log = ("parity-request 1767000000.100 DELETE \"/notes/1\" 500 app-1 -- 3 {}\n"
           "parity-request 1767000000.200 GET \"/notes?limit=2\" 200 app-2 -- 3 {}\n"
           "parity-request 1767000000.300 GET \"/notes?cursor=abc\" 404 app-1 -- 3 {}\n")
    log += "parity-request 1767000000.400 POST \"/notes\" 400 app-2 -- 3 {}\n"  # a later test's, expected
    message = ('AssertionError: DELETE /notes/1: HTTP 500: OperationalError\n'
               '    created = client.request("POST", "/notes", {"title": title})\n'
               '    assert created.status == 201, f"POST /notes: {created.describe()}"')
    annotated, facts = annotate([TestCase(id="t::audit", outcome="failed", message=message)], parse_log(log), 2)
    assert facts["answered_by"]["t::audit"]["request"] == "DELETE /notes/1"
    paging = TestCase(id="t::paging", outcome="failed", message="GET /notes?cursor=…: HTTP 404: unknown cursor")
    _, facts = annotate([paging], parse_log(log), 2)
    assert facts["answered_by"]["t::paging"] == {"answered_by": "app-1", "status": 404, "previous_by": "app-2",
                                                 "replicas": 2, "request": "GET /notes?cursor=abc"}
