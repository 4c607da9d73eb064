"""A real app that needs a C collation, under a provider preset whose clusters are en_US.UTF-8:
Matrix Synapse's own schema tool and its homeserver refuse the database, and explain names
database.locale; with locale C set over the preset, the homeserver serves and registers a user."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import parity_resources
from tests.integration import projects

SYNAPSE = Path(__file__).parent / "realapps" / "synapse"


def test_synapse_refuses_the_rds_presets_locale_and_an_explicit_c_locale_over_the_preset_is_parity(
    docker_client, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    # One run, both targets against the one laptop baseline (locale C, as Synapse's docs ask):
    # `prod` is the RDS preset as it comes (en_US.UTF-8), `prod-c` the same preset with locale C.
    assert (SYNAPSE / "signing.key").exists(), "run `make realapps` first (make test does)"
    report = tmp_path / "report.json"
    result = projects.parity_cli(["run", "--profile", "prod", "--profile", "prod-c", "--explain",
                                  "--json", str(report)], cwd=SYNAPSE)
    assert result.returncode == 1, result.stdout + result.stderr
    targets = json.loads(report.read_text())["targets"]

    def collation(target: str) -> tuple[str, str]:
        facts = targets[target]["profiles"][target]["steps"]["database"]["facts"]
        return facts["collation"], facts["ctype"]

    assert (collation("prod"), collation("prod-c")) == (("en_US.UTF-8", "en_US.UTF-8"), ("C", "C"))
    # Synapse's schema tool and the homeserver itself refuse it (check_database), in their own
    # words, and explain names the preset's key alone, not only database.provider.
    divergences = targets["prod"]["divergences"]
    assert [(d["step"], d["cause"], d["cause_confidence"]) for d in divergences] == [
        ("migrations", "database.locale", "confirmed"), ("smoke", "database.locale", "confirmed")]
    for divergence in divergences:
        assert "Database has incorrect collation of" in divergence["target"]
        assert "Should be 'C'" in divergence["target"]
        assert [(e["keys"], e["reproduced"]) for e in divergence["experiments"]] == [(["database.locale"], True)]
    assert targets["prod-c"]["verdict"] == "parity"
    smoke = targets["prod-c"]["profiles"]["prod-c"]["steps"]["smoke"]
    assert (smoke["status"], smoke["summary"]) == ("ok", "1 passed")
    assert "Success!" in smoke["detail"]  # register_new_matrix_user's last word: the user was written
    assert not parity_resources(docker_client, SYNAPSE)
