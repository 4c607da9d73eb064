"""Where parity keeps reflink copies of filled clusters: only next to a local engine, and never
when PARITY_NO_CLONES is set."""

from __future__ import annotations

import docker
import pytest

from parity.engine import clones


def _client(base_url: str) -> docker.DockerClient:
    return docker.DockerClient(base_url=base_url, version="1.41")  # a fixed version: no round trip


def test_only_an_engine_on_this_machine_can_bind_mount_the_store() -> None:
    assert clones.local_engine(_client("unix:///var/run/docker.sock"))
    assert not clones.local_engine(_client("tcp://10.1.2.3:2376"))


def test_no_store_with_a_remote_engine_or_when_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert clones.store(_client("tcp://10.1.2.3:2376")) is None
    monkeypatch.setenv("PARITY_NO_CLONES", "1")
    assert clones.store(_client("unix:///var/run/docker.sock")) is None


def test_removing_an_environment_without_a_store_mounted_touches_nothing(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clones, "STORE", tmp_path / "store")
    (tmp_path / "store" / "envs" / "e1").mkdir(parents=True)
    clones.remove("e1")  # not an XFS mount: not parity's store, left alone
    assert (tmp_path / "store" / "envs" / "e1").is_dir()
