"""The load balancer in front of an app's replicas (app.replicas): HAProxy, round robin unless the
profile asks for stickiness, health-checked like a Service routes only to ready pods, logging
which replica answered each request.

Like a Kubernetes Service (kube-proxy), it does not retry a failed request on another replica:
what a client would see in production, parity's clients see too.
"""

from __future__ import annotations

import shlex
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors

from parity.engine.state import exit_state
from parity.env.app_requests import Request, Target, send
from parity.env.database import archive
from parity.env.placement import Placement, published_port
from parity.errors import EnvError
from parity.profile.models import AppSpec

LOAD_BALANCER_IMAGE = "haproxy:2.6"
CONFIG_DIR = "/usr/local/etc/haproxy"  # the official image's: haproxy.cfg there
BACKEND = "replicas"
# What parity's own requests (smoke.http checks) carry, so the log says which replica answered each.
CHECK_HEADER = "X-Parity-Check"
LOG_MARK = "parity-request"
READY_TIMEOUT = 30.0
# The runtime API (published on 127.0.0.1 only, like every port parity publishes).
ADMIN_PORT = 9999
# Health checks every second, every 100 ms while a replica is down or changing state (one that
# is still starting comes into rotation at once when ready); two failures take a replica out, one
# success puts it back.
SERVER_OPTIONS = "inter 1s fastinter 100ms downinter 100ms fall 2 rise 1"


@dataclass(frozen=True)
class HealthCheck:
    """How the balancer checks a replica: the startup probe's http path, or a TCP connect."""

    http_path: str | None
    timeout: float = 1.0


def haproxy_config(servers: Sequence[tuple[str, str]], *, port: int, app_port: int, check: HealthCheck,
                   sticky: bool) -> str:
    """The HAProxy configuration: `servers` are (name, address) pairs, all listening on `app_port`;
    its runtime API (admin_port(port)) adds and retires replicas (a rollout, a restart under --keep)."""
    balance = ["    balance source", "    hash-type consistent"] if sticky else ["    balance roundrobin"]
    checks = [f"    option httpchk GET {_quoted(check.http_path)}", "    http-check expect status 200-399"] \
        if check.http_path else []
    lines = [
        "global",
        "    log stdout format raw local0 info",
        f"    stats socket ipv4@0.0.0.0:{admin_port(port)} level admin",
        "    maxconn 4096",  # not derived from the container's file limit (that would size tables for 1M)
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option forwardfor",
        # No retry on another replica: a Service (kube-proxy) does not retry either.
        "    retries 0",
        "    timeout connect 5s",
        "    timeout client 1h",
        "    timeout server 1h",
        "    timeout http-request 1m",
        f"    timeout check {check.timeout:g}s",
        "",
        "frontend app",
        f"    bind :{port}",
        f"    http-request capture req.hdr({CHECK_HEADER}) len 64",
        f'    log-format "{LOG_MARK} %Ts.%ms %HM %{{+Q}}HU %ST %s %ts %Tt %hr"',
        f"    default_backend {BACKEND}",
        "",
        f"backend {BACKEND}",
        *balance,
        *checks,
        # A replica that already exited has no address: the balancer starts without it.
        f"    default-server {SERVER_OPTIONS} init-addr libc,none",
        *[f"    server {name} {address}:{app_port} check" for name, address in servers],
    ]
    return "\n".join(lines) + "\n"


def admin_port(port: int) -> int:
    """The runtime API's port: ADMIN_PORT, unless the app itself listens there."""
    return ADMIN_PORT if port != ADMIN_PORT else ADMIN_PORT - 1


def _quoted(path: str) -> str:
    # HAProxy splits arguments on spaces; a path never has one, but a check must not break the file.
    return path.replace(" ", "%20")


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the balancer logged it."""

    at: float  # epoch seconds the request was accepted
    method: str
    uri: str
    status: int | None
    replica: str | None  # None: no replica took it (<NOSRV>)
    termination: str  # HAProxy's two-letter session state: "--" is a normal end
    total_ms: int
    check_id: str | None  # parity's own check, when it was one

    @property
    def path(self) -> str:
        """The URI without its query string."""
        return self.uri.split("?", 1)[0]

    @property
    def failed(self) -> bool:
        """An error status, or a connection that did not end normally."""
        return self.status is None or self.status >= 400 or self.termination[:1] not in ("-", "C")

    def describe(self) -> str:
        """`GET /me -> 401 from app-2`, `GET /x -> 502 from app-1: it closed the connection before answering`."""
        who = f" from {self.replica}" if self.replica else " (no replica took it)"
        status = f"{self.status}" if self.status is not None else "no status"
        ended = "" if self.termination[:1] in ("-", "C") else f": {_termination(self.termination)}"
        return f"{self.method} {self.uri} -> {status}{who}{ended}"


# HAProxy's session states (first letter: who ended it; second: at which stage), in words.
_STAGE = {"C": "refused the connection", "H": "closed the connection before answering",
          "D": "closed the connection mid-answer"}


def _termination(state: str) -> str:
    padded = state + "--"
    who, stage = padded[0], padded[1]
    if who == "S" and stage in _STAGE:
        return f"it {_STAGE[stage]}"
    if who == "s":
        return "it did not answer in time"
    return f"HAProxy session state {state}"


def parse_log(text: str) -> list[LoggedRequest]:
    """The balancer's request lines (other lines: its start-up notices, alerts) in order."""
    found = []
    for line in text.splitlines():
        if not line.startswith(LOG_MARK + " "):
            continue
        try:
            words = shlex.split(line)
            _, at, method, uri, status, server, termination, total, *captured = words
            header = " ".join(captured).strip("{}").strip()
            found.append(LoggedRequest(
                at=float(at), method=method, uri=uri, status=int(status) if status.lstrip("-").isdigit() and
                int(status) > 0 else None, replica=None if server.startswith("<") else server,
                termination=termination, total_ms=int(total) if total.lstrip("-").isdigit() else -1,
                check_id=header or None))
        except ValueError:
            continue  # a line cut short: not a request this report can use
    return found


class Balancer:
    """The running load balancer: where to reach it, what it logged, and its runtime API."""

    def __init__(self, container: Any, host_port: int | None, admin_port: int | None = None) -> None:
        self.container = container
        self.host_port = host_port
        self.admin_port = admin_port

    def command(self, line: str) -> str:
        """One command of HAProxy's runtime API, and its answer."""
        if self.admin_port is None:
            raise EnvError("the load balancer's runtime API is not published", "report this as a parity bug")
        try:
            with socket.create_connection(("127.0.0.1", self.admin_port), timeout=5) as connection:
                connection.sendall(line.encode() + b"\n")
                chunks = []
                while chunk := connection.recv(65536):
                    chunks.append(chunk)
        except OSError as exc:
            raise EnvError(f"the load balancer's runtime API did not answer: {exc}",
                           "see the load balancer's log (parity up, then docker logs)") from None
        return b"".join(chunks).decode(errors="replace").strip()

    def add_replica(self, name: str, address: str, port: int) -> None:
        """Put a new replica in rotation (a new pod's endpoint, once it is ready), health-checked."""
        answer = self.command(f"add server {BACKEND}/{name} {address}:{port} check {SERVER_OPTIONS}")
        if "registered" not in answer:
            raise EnvError(f"the load balancer refused replica {name}: {answer}", "report this as a parity bug")
        self.command(f"enable health {BACKEND}/{name}")
        self.command(f"enable server {BACKEND}/{name}")

    def in_rotation(self) -> set[str]:
        """The replicas the balancer sends requests to now: up by their health checks, not retired."""
        names = set()
        for line in self.command(f"show servers state {BACKEND}").splitlines():
            fields = line.split()
            # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ...
            if len(fields) > 6 and fields[1] == BACKEND and fields[5] == "2" and fields[6] == "0":
                names.add(fields[3])
        return names

    def wait_in_rotation(self, names: Sequence[str], check_open: Callable[[], None],
                         timeout: float = READY_TIMEOUT) -> set[str]:
        """Wait until every named replica is in rotation (its endpoint ready); those that are not."""
        deadline = time.monotonic() + timeout
        while True:
            missing = set(names) - self.in_rotation()
            if not missing or time.monotonic() > deadline:
                return missing
            check_open()
            time.sleep(0.05)

    def retire_replica(self, name: str) -> None:
        """Send a replica no new requests (its endpoint removed); requests it has keep going."""
        self.command(f"set server {BACKEND}/{name} state maint")

    def move_replica(self, name: str, address: str, port: int) -> None:
        """A replica restarted at another address (under --keep)."""
        self.command(f"set server {BACKEND}/{name} addr {address} port {port}")
        self.command(f"set server {BACKEND}/{name} state ready")

    @property
    def url(self) -> str | None:
        """APP_URL: the balancer, as this machine reaches it."""
        return f"http://127.0.0.1:{self.host_port}" if self.host_port else None

    def requests(self, since: float = 0.0) -> list[LoggedRequest]:
        """Requests logged since an epoch time."""
        try:
            raw = self.container.logs(stdout=True, stderr=False, since=int(since) if since else None)
        except docker.errors.APIError:
            return []
        return [r for r in parse_log(raw.decode(errors="replace")) if r.at >= since]

    def log_excerpt(self) -> str:
        """The balancer's own notices (servers going down, alerts), for evidence."""
        try:
            raw = self.container.logs(stderr=True, stdout=True, tail=200).decode(errors="replace")
        except docker.errors.APIError:
            return ""
        return "\n".join(line for line in raw.splitlines() if not line.startswith(LOG_MARK))[-2000:]


def start_balancer(placement: Placement, app: AppSpec, servers: Sequence[tuple[str, str]], *, alias: str) -> Balancer:
    """Create the balancer on the environment's network (as `alias`, on the app's port), give it
    its configuration, start it and wait until it answers."""
    probe = app.startup_probe
    check = HealthCheck(probe.http if probe else None, probe.timeout if probe else 1.0)
    config = haproxy_config(servers, port=app.port, app_port=app.port, check=check, sticky=app.sticky)
    client, network = placement.client, placement.network
    assert network is not None, "replicas make the environment create its network"
    placement.check_open()
    try:
        container = client.containers.create(
            LOAD_BALANCER_IMAGE, name=placement.name("lb"), network=network,
            labels=placement.labels("load-balancer"),
            networking_config={network: client.api.create_endpoint_config(aliases=[alias])},
            ports={f"{app.port}/tcp": ("127.0.0.1", None), f"{admin_port(app.port)}/tcp": ("127.0.0.1", None)},
        )
        container.put_archive(CONFIG_DIR, archive({"haproxy.cfg": (config, 0o644)}))
        container.start()
        container.reload()
    except docker.errors.APIError as exc:
        raise EnvError(f"the load balancer ({LOAD_BALANCER_IMAGE}) could not start: {exc.explanation or exc}",
                       f"check the image with `docker run --rm {LOAD_BALANCER_IMAGE} haproxy -v`") from None
    balancer = Balancer(container, published_port(container, app.port), published_port(container, admin_port(app.port)))
    _wait_answering(balancer, check, placement.check_open)
    return balancer


def _wait_answering(balancer: Balancer, check: HealthCheck, check_open: Callable[[], None]) -> None:
    """Poll until the balancer answers an HTTP request (any status: the replicas' health is theirs)."""
    deadline = time.monotonic() + READY_TIMEOUT
    request = Request("GET", check.http_path or "/", timeout=1.0)
    while time.monotonic() < deadline:
        check_open()
        if exit_state(balancer.container) is not None:
            raise EnvError(f"the load balancer exited at start:\n{balancer.log_excerpt()[-1500:]}",
                           f"check the image {LOAD_BALANCER_IMAGE}")
        if balancer.host_port and send(Target("127.0.0.1", balancer.host_port), request).outcome == "answered":
            return
        time.sleep(0.05)
    raise EnvError(f"the load balancer did not answer within {READY_TIMEOUT:.0f}s",
                   f"check the image {LOAD_BALANCER_IMAGE} and the engine's log")
