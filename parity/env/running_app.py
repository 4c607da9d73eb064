"""The app running in an environment: its containers (one, or app.replicas behind the load
balancer), where this machine reaches it, how it gets ready, how a replica is replaced and how the
app comes back after a stop."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from parity.engine import labels as L
from parity.engine.state import Exited, exit_state
from parity.env.app import APP_ALIAS
from parity.env.app_requests import Target
from parity.env.balancer import Balancer, start_balancer
from parity.env.placement import Placement, published_port
from parity.env.probe import DEFAULT_PROBE, probe_once
from parity.env.termination import Termination, terminate
from parity.evidence import excerpt, tail
from parity.profile.models import AppSpec, StartupProbe
from parity.redact import Redactor
from parity.results import StepResult

POLL = 0.1
# Past the probe budget the kubelet would kill the pod; parity keeps watching at least this long
# more (or the budget again, if longer) so the report can say when (or whether) it would have
# become ready, and smoke tests can still run.
WATCHED_PAST_BUDGET = 60.0
# What a replaced replica wrote to its own disk: at most this many files, without Python's caches.
OWN_FILES_LISTED = 20
NOISE = ("__pycache__", ".pyc")


@dataclass(frozen=True)
class Replica:
    """One of the app's containers: its name in reports (`app-1`), its container, its port here."""

    name: str
    container: Any
    host_port: int | None
    probe_port: int | None = None  # where this machine reaches app.startup_probe.port, when it has its own

    @property
    def target(self) -> Target | None:
        """Where to reach it directly from this machine."""
        return Target("127.0.0.1", self.host_port) if self.host_port else None

    @property
    def url(self) -> str | None:
        """Its URL from this machine."""
        return f"http://127.0.0.1:{self.host_port}" if self.host_port else None

    def exit_state(self) -> Exited | None:
        """How it ended, once it has exited; None while it runs."""
        return exit_state(self.container)


@dataclass
class Replacement:
    """One replica replaced: the new one's readiness, how the old one stopped, what it kept."""

    old: str
    new: str
    ready: StepResult
    stopped: Termination | None = None
    own_files: list[str] = field(default_factory=list)


class App:
    """The profile's app in an environment: its replicas (started under the profile's caps on the
    environment's network), the load balancer in front of them when app.replicas is set, its URL."""

    def __init__(self, placement: Placement, spec: AppSpec, image: str, options: dict[str, Any],
                 redactor: Redactor, say: Callable[[str], None]) -> None:
        """`options`: docker create()'s options shaping each replica (env.app.container_options);
        `redactor` cleans its logs; `say` tells progress (a replica replaced)."""
        self.placement = placement
        self.spec = spec
        self.image = image
        self.options = options
        self.redactor = redactor
        self.say = say
        self.replicas: list[Replica] = []
        self.balancer: Balancer | None = None

    @property
    def probe(self) -> StartupProbe:
        """The startup probe: the profile's, else a wait for the port like a tcp probe."""
        return self.spec.startup_probe or DEFAULT_PROBE

    @property
    def names(self) -> list[str]:
        """The replicas' names: `app` alone, or app-1..app-N with app.replicas."""
        if self.spec.replicas is None:
            return [APP_ALIAS]
        return [f"{APP_ALIAS}-{i}" for i in range(1, self.spec.replicas + 1)]

    @property
    def url(self) -> str | None:
        """APP_URL: the load balancer's when there is one, else the first replica's (None until the
        app started)."""
        if self.balancer is not None:
            return self.balancer.url
        # Only once every replica started: one that could not start leaves the app without a URL.
        started = len(self.replicas) == len(self.names)
        return self.replicas[0].url if started and self.replicas else None

    def start(self) -> dict[str, float]:
        """Start every replica at once, as a Deployment's pods start; when each started (its probe
        budget counts from then). Raises the first failure; the replicas that did start are kept."""
        names = self.names
        with ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="parity-app") as pool:
            starts = [pool.submit(self._start_timed, name) for name in names]
        started: dict[str, float] = {}
        for future in starts:
            if future.exception() is None:
                replica, at = future.result()
                self.replicas.append(replica)
                started[replica.name] = at
        error = next((e for f in starts if (e := f.exception()) is not None), None)
        if error is not None:
            raise error
        return started

    def _start_timed(self, name: str) -> tuple[Replica, float]:
        return self.start_replica(name), time.monotonic()

    def start_replica(self, name: str) -> Replica:
        """Create and start one app container under the profile's caps, named `name` on the network."""
        placement = self.placement
        network = self._network
        placement.check_open()
        options = self.options | {"labels": placement.labels("app") | {L.REPLICA: name}}
        container = placement.client.containers.create(
            self.image, name=placement.name(name), network=network,
            networking_config={network: placement.client.api.create_endpoint_config(aliases=[name])},
            ports={f"{port}/tcp": ("127.0.0.1", None) for port in self._ports}, **options,
        )
        container.start()
        container.reload()
        return self._replica(name, container)

    @property
    def _ports(self) -> list[int]:
        """The container ports published on this machine: the app's, and the startup probe's own."""
        probe_port = self.spec.startup_probe.port if self.spec.startup_probe else None
        return [self.spec.port] + ([probe_port] if probe_port and probe_port != self.spec.port else [])

    def probe_host_port(self, replica: Replica) -> int | None:
        """Where this machine reaches the port the startup probe goes to (its own, else the app's)."""
        return replica.probe_port if len(self._ports) > 1 else replica.host_port

    def _replica(self, name: str, container: Any) -> Replica:
        ports = self._ports
        return Replica(name, container, published_port(container, ports[0]),
                       published_port(container, ports[1]) if len(ports) > 1 else None)

    def start_balancer(self) -> Balancer:
        """Put the load balancer in front of the replicas, as the app's alias on the network."""
        self.balancer = start_balancer(self.placement, self.spec, [(r.name, r.name) for r in self.replicas],
                                       alias=APP_ALIAS)
        return self.balancer

    def probe_until_ready(self, replica: Replica, started: float) -> StepResult:
        """Probe one replica until ready, exited, or well past its budget (counted from `started`)."""
        probe = self.probe
        container = replica.container
        budget = probe.budget
        give_up = budget + max(WATCHED_PAST_BUDGET, budget)
        facts: dict[str, object] = {"probe": probe.kind, "budget_s": round(budget, 3)}
        time.sleep(min(probe.initial_delay, give_up))
        while True:
            self.placement.check_open()
            elapsed = time.monotonic() - started
            exited = replica.exit_state()
            if exited is not None:
                facts.update(exit_code=exited.code, oom_killed=exited.oom_killed)
                why = ("OOMKilled (exit 137): the app exceeded its memory limit" if exited.oom_killed
                       else f"the process exited with code {exited.code}")
                return StepResult(status="failed", duration_s=elapsed, summary=f"never ready: {why}",
                                  detail=f"{why}\n--- last log lines ---\n{excerpt(self.logs(replica), 25)}",
                                  facts=facts)
            ok, seen = probe_once(probe, container, self.probe_host_port(replica))
            if ok:
                facts["ready_s"] = round(elapsed, 3)
                if elapsed > budget:
                    facts["budget_exhausted"] = True
                    return StepResult(
                        status="failed", duration_s=elapsed,
                        summary=f"ready after {elapsed:.1f}s, over the probe budget of {budget:.1f}s "
                                "(the kubelet would have killed it)",
                        detail=f"startup probe budget exhausted: initial_delay {probe.initial_delay}s + period "
                               f"{probe.period}s x failure_threshold {probe.failure_threshold} = {budget:.1f}s; "
                               f"first successful probe at {elapsed:.1f}s\n{tail(self.logs(replica), 10)}",
                        facts=facts)
                return StepResult(status="ok", duration_s=elapsed,
                                  summary=f"ready in {elapsed:.1f}s (budget {budget:.0f}s)", facts=facts)
            if elapsed > give_up:
                facts["budget_exhausted"] = True
                return StepResult(
                    status="failed", duration_s=elapsed,
                    summary=f"never ready: startup probe budget of {budget:.1f}s exhausted",
                    detail=f"startup probe budget exhausted; last probe: {seen}\n{tail(self.logs(replica), 15)}",
                    facts=facts)
            time.sleep(min(POLL, probe.period))

    def replace(self, old: Replica, name: str, grace: float) -> Replacement:
        """Start `name`, wait for its startup probe, put it in rotation in place of `old`, then take
        `old` out of rotation and stop it like a pod (stop signal, `grace` seconds, SIGKILL)."""
        assert self.balancer is not None
        self.say(f"rollout: starting {name} to replace {old.name}")
        new = self.start_replica(name)
        ready = self.probe_until_ready(new, time.monotonic())
        replacement = Replacement(old.name, new.name, ready)
        if ready.status != "ok":
            return replacement
        self.balancer.add_replica(new.name, self._address(new), self.spec.port)
        self.replicas[[r.name for r in self.replicas].index(old.name)] = new
        replacement.own_files = own_disk_files(old.container, self.spec.tmpfs)
        self.say(f"rollout: {new.name} ready; stopping {old.name} (grace period {grace:g}s)")
        # The endpoint goes at the moment the pod is told to stop: no new requests, the ones it has go on.
        self.balancer.retire_replica(old.name)
        replacement.stopped = terminate(old.container, grace, self.placement.check_open)
        with contextlib.suppress(docker.errors.APIError):
            old.container.remove(force=True)
        return replacement

    def restart(self) -> None:
        """Start the stopped replicas again (--keep leaves the environment up for a developer)."""
        self.placement.check_open()
        for i, replica in enumerate(self.replicas):
            replica.container.start()
            replica.container.reload()
            self.replicas[i] = self._replica(replica.name, replica.container)
        if self.balancer is not None:
            # The replicas may come back at other addresses: tell the balancer, which kept running.
            for replica in self.replicas:
                self.balancer.move_replica(replica.name, self._address(replica), self.spec.port)

    def logs(self, replica: Replica) -> str:
        """A replica's last log lines, redacted ("" when the engine cannot give them)."""
        try:
            raw = replica.container.logs(tail=60).decode(errors="replace")
        except docker.errors.APIError:
            return ""
        return self.redactor.text(str(raw))

    @property
    def _network(self) -> str:
        network = self.placement.network
        assert network is not None, "an app makes the environment create its network"
        return network

    def _address(self, replica: Replica) -> str:
        """A replica's address on the environment's network (what the balancer connects to)."""
        replica.container.reload()
        return str(replica.container.attrs["NetworkSettings"]["Networks"][self._network]["IPAddress"])


def own_disk_files(container: Any, tmpfs: list[str]) -> list[str]:
    """Files a container wrote to its own filesystem (its writable layer, its tmpfs mounts): a
    pod's own disk, gone with it."""
    try:
        changes = container.diff() or []
    except docker.errors.APIError:
        changes = []
    # Mount points (secrets, tmpfs) are made in the writable layer; what is in them is not.
    mounts = [str(m.get("Destination", "")) for m in container.attrs.get("Mounts") or []] + list(tmpfs)
    paths = [c["Path"] for c in changes if c.get("Kind") in (0, 1)
             and not any(m == c["Path"] or m.startswith(c["Path"].rstrip("/") + "/") for m in mounts)]
    # A changed directory is listed along with what changed in it: keep the files.
    files = [p for p in paths if not any(other.startswith(p.rstrip("/") + "/") for other in paths)]
    for mount in tmpfs:
        try:
            code, output = container.exec_run(["find", mount, "-type", "f"])
        except docker.errors.APIError:
            continue
        if code == 0:
            files += [line for line in output.decode(errors="replace").splitlines() if line.strip()]
    return sorted(p for p in set(files) if not any(n in p for n in NOISE))[:OWN_FILES_LISTED]
