"""Secrets delivered each its own way (secrets.values.NAME.deliver), else by secrets.source."""

from __future__ import annotations

from pathlib import Path

from parity.env.secrets import deliver
from parity.profile.models import SecretsSpec

VALUES = {"SECRET_KEY": "k", "smtp-password": "p", "DATABASE_URL": "postgresql://u:pw@db/app"}


def spec(**data: object) -> SecretsSpec:
    return SecretsSpec.model_validate(data)


def test_a_secret_that_says_files_is_a_file_while_the_source_keeps_the_rest_in_the_environment(tmp_path: Path) -> None:
    secrets = spec(source="env", path="/etc/notes/secrets",
                   values={"SECRET_KEY": {"env": "SECRET_KEY"}, "smtp-password": {"env": "SMTP", "deliver": "files"}})
    delivery = deliver(secrets, VALUES, "/app", tmp_path)
    assert delivery.environment == {"SECRET_KEY": "k", "DATABASE_URL": "postgresql://u:pw@db/app"}
    [(host, (target, read_only))] = delivery.mounts.items()
    assert (target, read_only) == ("/etc/notes/secrets", True)
    assert sorted(p.name for p in Path(host).iterdir()) == ["smtp-password"]
    assert (Path(host) / "smtp-password").read_text() == "p"


def test_a_secret_that_says_env_stays_out_of_the_files_and_the_dotenv(tmp_path: Path) -> None:
    secrets = spec(source="dotenv", path=".env",
                   values={"SECRET_KEY": {"value": "k", "deliver": "env"}, "smtp-password": {"value": "p", "deliver": "files"}})
    delivery = deliver(secrets, VALUES, "/app", tmp_path)
    assert delivery.environment == {"SECRET_KEY": "k"}
    mounts = {target: Path(host) for host, (target, _) in delivery.mounts.items()}
    assert mounts["/app/.env"].read_text() == "DATABASE_URL=postgresql://u:pw@db/app\n"
    assert [p.name for p in mounts["/run/secrets"].iterdir()] == ["smtp-password"]  # path names the .env


def test_without_deliver_every_secret_goes_the_sources_way(tmp_path: Path) -> None:
    delivery = deliver(spec(source="files", values={"SECRET_KEY": {"env": "S"}}), VALUES, "/app", tmp_path)
    assert delivery.environment == {}
    [(host, (target, _))] = delivery.mounts.items()
    assert target == "/run/secrets" and sorted(p.name for p in Path(host).iterdir()) == sorted(VALUES)
