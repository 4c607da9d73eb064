"""Labels every parity resource carries from birth, so cleanup never depends on names."""

from __future__ import annotations

from parity.engine.owner import current_owner

MANAGED = "io.parity.managed"
ENV_ID = "io.parity.env"
PROFILE = "io.parity.profile"
PROJECT = "io.parity.project"
# "run": ephemeral, removed by its owner (or reaped once the owner is dead);
# "up": kept on purpose until `parity down`.
MODE = "io.parity.mode"
OWNER = "io.parity.owner"
ROLE = "io.parity.role"
# Which of the app's replicas a container is (app-1, app-2...).
REPLICA = "io.parity.replica"


def resource_labels(
    env_id: str, profile: str, project: str, mode: str, role: str | None = None
) -> dict[str, str]:
    """Labels for a resource of one environment, owned by this process."""
    labels = {
        MANAGED: "true",
        ENV_ID: env_id,
        PROFILE: profile,
        PROJECT: project,
        MODE: mode,
        OWNER: current_owner(),
    }
    if role:
        labels[ROLE] = role
    return labels


def label_filter(labels: dict[str, str] | None = None) -> dict[str, list[str]]:
    """A Docker API `filters` value selecting parity's resources with the given labels."""
    wanted = [f"{MANAGED}=true"] + [f"{key}={value}" for key, value in (labels or {}).items()]
    return {"label": wanted}
