"""A real third-party app (I Hate Money under gunicorn, from `make realapps`) as production runs
it: two replicas behind the load balancer, a rolling restart, stopped with SIGTERM. Its sessions
are signed cookies and gunicorn drains on SIGTERM: none of it may be reported as a divergence."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.integration.test_real_apps import IHATEMONEY, installed, parity_run

PRODUCTION = """\
extends: prod
description: production with two replicas, rolling restarts and a 10s grace period
app:
  replicas: 2
  rollout: true
  shutdown: {termination_grace_period: 10s}
"""


def test_a_real_app_is_parity_behind_a_balancer_through_a_rollout_and_a_stop(
    docker_client, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    installed(IHATEMONEY / "node_modules" / ".installed")
    installed(IHATEMONEY / "wheelhouse" / ".done")
    profiles = tmp_path / "profiles"
    shutil.copytree(IHATEMONEY / "profiles", profiles)
    (profiles / "replicated.yaml").write_text(PRODUCTION)
    run = parity_run(IHATEMONEY, "replicated", tmp_path, docker_client, "--profiles-dir", str(profiles))
    assert run.code == 0 and run.report["verdict"] == "parity", run.explain()
    steps = run.steps("replicated")
    assert steps["smoke"]["facts"]["requests_by_replica"].keys() == {"app-1", "app-2"}
    rollout = steps["rollout"]["facts"]
    assert [(r["old"], r["new"]) for r in rollout["replaced"]] == [("app-1", "app-3"), ("app-2", "app-4")]
    assert rollout["requests_during"] > 0 and rollout["rollout_failed_requests"] == 0
    assert rollout["own_disk_files"] == {}  # mount points (secrets, /tmp) are not the app's writes
    shutdown = steps["shutdown"]["facts"]
    assert shutdown["exit_codes"] == {"app-3": 0, "app-4": 0} and shutdown["sigkilled"] is False
