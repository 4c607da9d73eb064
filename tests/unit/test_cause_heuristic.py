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
