"""The running app's own rules, on a fake engine: its replicas' names and labels, and APP_URL."""

from __future__ import annotations

from typing import Any

import pytest

from parity.engine import labels as L
from parity.env.balancer import Balancer
from parity.env.placement import Placement
from parity.env.running_app import App
from parity.profile.models import AppSpec, StartupProbe
from parity.redact import Redactor


class FakeContainer:
    """A created container: started on request, its port published on the next free host port."""

    def __init__(self, name: str, ports: list[int], host_port: int) -> None:
        self.name = name
        self.attrs: dict[str, Any] = {"NetworkSettings": {"Ports": {}}}
        self._published = {f"{port}/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(host_port + 100 * i)}]
                           for i, port in enumerate(ports)}

    def start(self) -> None:
        self.attrs["NetworkSettings"]["Ports"] = self._published

    def reload(self) -> None:
        pass


class FakeContainers:
    """The engine's containers: what was created, and a refusal for the names in `refuse`."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.created: dict[str, dict[str, Any]] = {}
        self.refuse = refuse

    def create(self, image: str, *, name: str, ports: dict[str, Any], **options: Any) -> FakeContainer:
        if name.endswith(self.refuse):
            raise RuntimeError(f"cannot create {name}")
        self.created[name] = options
        return FakeContainer(name, [int(port.split("/")[0]) for port in ports], 40000 + len(self.created))


class FakeClient:
    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.containers = FakeContainers(refuse)
        self.api = self

    def create_endpoint_config(self, aliases: list[str]) -> dict[str, Any]:
        return {"Aliases": aliases}


def make_app(spec: AppSpec, client: FakeClient) -> App:
    placement = Placement(client, "prod-abc123", "parity-prod-abc123",
                          lambda role: {L.ROLE: role}, lambda: None)
    return App(placement, spec, "app:latest", {"labels": {}, "read_only": True}, Redactor(), lambda _m: None)


def test_one_container_is_named_app_and_app_url_is_its_port() -> None:
    client = FakeClient()
    app = make_app(AppSpec(image="app:latest"), client)
    assert app.url is None  # not started yet
    app.start()
    assert list(client.containers.created) == ["parity-prod-abc123-app"]
    options = client.containers.created["parity-prod-abc123-app"]
    assert options["labels"] == {L.ROLE: "app", L.REPLICA: "app"} and options["read_only"] is True
    assert app.url == "http://127.0.0.1:40001"


def test_replicas_are_numbered_and_app_url_is_the_balancers_once_it_runs() -> None:
    client = FakeClient()
    app = make_app(AppSpec(image="app:latest", replicas=2), client)
    app.start()
    assert [r.name for r in app.replicas] == ["app-1", "app-2"]
    assert sorted(client.containers.created) == ["parity-prod-abc123-app-1", "parity-prod-abc123-app-2"]
    assert app.url == app.replicas[0].url  # while the balancer starts
    app.balancer = Balancer(container=None, host_port=41000)
    assert app.url == "http://127.0.0.1:41000"


def test_an_app_whose_replica_could_not_start_has_no_url_but_keeps_the_ones_that_did() -> None:
    app = make_app(AppSpec(image="app:latest", replicas=2), FakeClient(refuse=("-app-2",)))
    with pytest.raises(RuntimeError, match="app-2"):
        app.start()
    assert [r.name for r in app.replicas] == ["app-1"]  # stopped and reported by the later steps
    assert app.url is None  # smoke tests skip: the app never started


def test_a_startup_probe_on_its_own_port_gets_that_port_published_beside_the_apps() -> None:
    client = FakeClient()
    app = make_app(AppSpec(image="app:latest", port=8080, startup_probe=StartupProbe(http="/healthz", port=9090)),
                   client)
    app.start()
    [replica] = app.replicas
    assert (replica.host_port, replica.probe_port) == (40001, 40101)  # 8080 and 9090, each published
    assert app.probe_host_port(replica) == 40101
    assert app.url == "http://127.0.0.1:40001"  # APP_URL stays the app's port


def test_a_startup_probe_on_the_apps_port_publishes_nothing_more() -> None:
    app = make_app(AppSpec(image="app:latest", port=8080, startup_probe=StartupProbe(http="/", port=8080)),
                   FakeClient())
    app.start()
    assert app.replicas[0].probe_port is None
    assert app.probe_host_port(app.replicas[0]) == 40001
